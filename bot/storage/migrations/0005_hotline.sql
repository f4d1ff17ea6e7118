-- The hotline: tickets from officials to support teams, what happened on each (messages
-- both ways, internal notes, claims, closes), answers saved as knowledge drafts, and the
-- forum topic a chat app opened for each ticket in a team chat.

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users (id),
    channel           TEXT NOT NULL,  -- the official's chat
    chat_id           TEXT NOT NULL,
    topic             TEXT NOT NULL,
    team              TEXT NOT NULL,  -- the team's name, as configured
    official_name     TEXT NOT NULL DEFAULT '',
    unit              TEXT NOT NULL DEFAULT '',
    position          TEXT NOT NULL DEFAULT '',
    question          TEXT NOT NULL,
    entry_id          TEXT,           -- the answer card the ticket was opened from
    state             TEXT NOT NULL DEFAULT 'open'
                      CHECK (state IN ('open', 'claimed', 'closed')),
    claimed_by        TEXT,           -- channel:id of the staff member
    claimed_name      TEXT,
    opened_at         TEXT NOT NULL,
    waiting_since     TEXT NOT NULL,  -- opened, reopened or handed over: the SLA counts from here
    first_answer_at   TEXT,
    closed_at         TEXT,
    rating            INTEGER CHECK (rating BETWEEN 1 AND 5),
    comment           TEXT,
    nudged_at         TEXT,
    escalated_at      TEXT
);
CREATE INDEX tickets_by_user ON tickets (user_id, id);
CREATE INDEX tickets_open ON tickets (state, waiting_since) WHERE state != 'closed';

CREATE TABLE ticket_events (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    kind        TEXT NOT NULL,  -- official, staff, note, claim, close, reopen, handoff, failure
    author      TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

CREATE TABLE kb_drafts (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- The thread (a Telegram forum topic) a chat app opened in a chat for what a ref names;
-- thread_id NULL: the chat has no threads, messages go to the chat itself.
CREATE TABLE message_threads (
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    ref         TEXT NOT NULL,
    thread_id   TEXT,
    PRIMARY KEY (channel, chat_id, ref)
);
CREATE UNIQUE INDEX message_threads_by_thread ON message_threads (channel, chat_id, thread_id);

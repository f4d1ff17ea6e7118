-- The delivery core: every update is stored on receipt (inbox), every message to send
-- is stored before it is sent (outbox), delivered message ids are recorded under what
-- they belong to (message_refs), and chats that refuse messages are marked (chats).
-- Times become UTC text of one width, so that text comparisons order like time.

UPDATE users SET
    created_at = strftime('%Y-%m-%dT%H:%M:%f', created_at) || '000Z',
    last_seen_at = strftime('%Y-%m-%dT%H:%M:%f', last_seen_at) || '000Z',
    registered_at = strftime('%Y-%m-%dT%H:%M:%f', registered_at) || '000Z',
    approved_at = strftime('%Y-%m-%dT%H:%M:%f', approved_at) || '000Z';
UPDATE question_log SET
    asked_at = strftime('%Y-%m-%dT%H:%M:%f', asked_at) || '000Z',
    feedback_at = strftime('%Y-%m-%dT%H:%M:%f', feedback_at) || '000Z';
UPDATE conversations SET
    updated_at = strftime('%Y-%m-%dT%H:%M:%f', updated_at) || '000Z';

CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,
    update_id    TEXT NOT NULL,
    payload      TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    handled_at   TEXT,
    UNIQUE (channel, update_id)
);
CREATE INDEX inbox_unhandled ON inbox (id) WHERE handled_at IS NULL;

CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    key            TEXT NOT NULL UNIQUE,
    channel        TEXT NOT NULL,
    chat_id        TEXT NOT NULL,
    thread_id      TEXT,
    priority       INTEGER NOT NULL,
    payload        TEXT NOT NULL,
    ref            TEXT,
    state          TEXT NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    parts_done     INTEGER NOT NULL DEFAULT 0,
    delivered_ids  TEXT NOT NULL DEFAULT '[]',
    error          TEXT,
    created_at     TEXT NOT NULL,
    next_try_at    TEXT NOT NULL,
    finished_at    TEXT
);
CREATE INDEX outbox_due ON outbox (channel, priority, next_try_at, id) WHERE state = 'pending';
CREATE INDEX outbox_by_ref ON outbox (ref) WHERE ref IS NOT NULL;

CREATE TABLE message_refs (
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    ref         TEXT NOT NULL,
    outbox_id   INTEGER REFERENCES outbox (id),
    PRIMARY KEY (channel, chat_id, message_id)
);
CREATE INDEX message_refs_by_ref ON message_refs (ref);

CREATE TABLE chats (
    channel          TEXT NOT NULL,
    chat_id          TEXT NOT NULL,
    inactive_since   TEXT,
    inactive_reason  TEXT,
    PRIMARY KEY (channel, chat_id)
);

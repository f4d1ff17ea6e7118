-- Deadlines and reminders. A deadline is kept as its parsed spec (JSON); `announced_at`
-- is when its due time last changed (reminders due before it are not sent: the notice
-- of the change covers them). The ledger holds one row per (deadline, occurrence,
-- recipient, kind) ever claimed: it is what makes each reminder go out once.
CREATE TABLE deadlines (
    num           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    spec          TEXT NOT NULL,
    origin        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    announced_at  TEXT NOT NULL
);

CREATE TABLE deadline_ledger (
    id          INTEGER PRIMARY KEY,
    deadline    INTEGER NOT NULL REFERENCES deadlines (num) ON DELETE CASCADE,
    occurrence  TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    late        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (deadline, occurrence, recipient, kind)
);

-- A confirmation: `scope` is "unit:<name>", "user:<id>" or "team:<name>".
CREATE TABLE deadline_done (
    deadline    INTEGER NOT NULL REFERENCES deadlines (num) ON DELETE CASCADE,
    occurrence  TEXT NOT NULL,
    scope       TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    done_at     TEXT NOT NULL,
    PRIMARY KEY (deadline, occurrence, scope)
);

CREATE TABLE deadline_snoozes (
    deadline    INTEGER NOT NULL REFERENCES deadlines (num) ON DELETE CASCADE,
    occurrence  TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    until       TEXT NOT NULL,
    PRIMARY KEY (deadline, occurrence, user_id)
);

-- A broadcast's messages are outbox rows with ref "broadcast:<id>".
CREATE TABLE broadcasts (
    id          INTEGER PRIMARY KEY,
    text        TEXT NOT NULL,
    audience    TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    recipients  INTEGER NOT NULL,
    skipped     INTEGER NOT NULL,
    stopped_at  TEXT,
    created_at  TEXT NOT NULL
);

-- Officials (or anyone) who talked to the bot, per channel, and every question asked.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    channel       TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    UNIQUE (channel, external_id)
);

CREATE TABLE question_log (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users (id),
    query             TEXT NOT NULL,
    normalized_query  TEXT NOT NULL,
    intent            TEXT NOT NULL,
    answer_id         TEXT,
    facet             TEXT,
    score             REAL NOT NULL,
    asked_at          TEXT NOT NULL
);

CREATE INDEX question_log_by_user ON question_log (user_id, asked_at);

-- The Zalo Official Account channel: the OA's tokens (never in the config file) and,
-- per Zalo user, when they last wrote (Zalo's free reply window counts from then).

CREATE TABLE zalo_tokens (
    app_id            TEXT PRIMARY KEY,
    access_token      TEXT NOT NULL,
    refresh_token     TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    -- Set while a refresh is under way. The refresh token works once: a refresh that
    -- never stored its answer (a crash) leaves this set, and a person must re-authorise.
    refreshing_since  TEXT,
    dead_reason       TEXT,
    updated_at        TEXT NOT NULL
);

CREATE TABLE zalo_contacts (
    user_id              TEXT PRIMARY KEY,
    last_interaction_at  TEXT NOT NULL,
    last_message_id      TEXT,
    -- Messages sent since the person last wrote: the first 8 within 48 h are free.
    replies_since        INTEGER NOT NULL DEFAULT 0,
    phone                TEXT,
    phone_consent_at     TEXT
);

-- One person, two apps: an account linked to another (`person_id`) is that person, whose
-- profile, questions and tickets are kept under the other account's id. A short code,
-- asked for in one app and typed in the other, makes the link.
ALTER TABLE users ADD COLUMN person_id INTEGER REFERENCES users (id);

CREATE TABLE link_codes (
    code        TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    expires_at  TEXT NOT NULL
);

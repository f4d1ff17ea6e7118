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

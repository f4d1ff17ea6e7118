-- Onboarding: an official's unit (commune or ward), position and registration status,
-- and the state of an unfinished conversation (so a restart does not lose the step).
ALTER TABLE users ADD COLUMN unit TEXT;
ALTER TABLE users ADD COLUMN position TEXT;
ALTER TABLE users ADD COLUMN registration TEXT NOT NULL DEFAULT 'none'
    CHECK (registration IN ('none', 'pending', 'approved'));
-- Incremented on every profile change, so an approval button for an older profile is stale.
ALTER TABLE users ADD COLUMN profile_revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN registered_at TEXT;
ALTER TABLE users ADD COLUMN approved_at TEXT;
ALTER TABLE users ADD COLUMN approved_by TEXT;

CREATE TABLE conversations (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    flow        TEXT NOT NULL,
    step        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    updated_at  TEXT NOT NULL
);

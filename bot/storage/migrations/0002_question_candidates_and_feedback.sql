-- Suggestion buttons refer to a logged question's candidates, and officials rate answers.
ALTER TABLE question_log ADD COLUMN candidate_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE question_log ADD COLUMN feedback INTEGER CHECK (feedback IN (-1, 1));
ALTER TABLE question_log ADD COLUMN feedback_at TEXT;

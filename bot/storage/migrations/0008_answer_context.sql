-- What was wrong with an answer rated 👎 (wrong procedure, outdated, missing information),
-- and a faster look-up of a person's latest answered question (the conversation context).
ALTER TABLE question_log ADD COLUMN feedback_reason TEXT;
CREATE INDEX question_log_answered_by_user ON question_log (user_id, id) WHERE answer_id IS NOT NULL;

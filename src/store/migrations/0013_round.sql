-- 0013_round.sql: running a round from the console. A moderator approves a
-- draft's notice (scheduled_at, scheduled_by); the schedule then publishes
-- it at announce_at. Reasons for recommendations are one department-wide
-- list the conclusion editor offers.

ALTER TABLE discussions ADD COLUMN scheduled_at INTEGER;
ALTER TABLE discussions ADD COLUMN scheduled_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL;
CREATE INDEX discussions_scheduled ON discussions(announce_at) WHERE status = 'draft' AND scheduled_at IS NOT NULL;

CREATE TABLE conclusion_reasons (
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL UNIQUE,
  created_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);

-- A paper or e-mail proposal from a right holder: the cadastral number of
-- the land plot (looked up in the parcels layer) that makes them eligible.
ALTER TABLE comment_offline_authors ADD COLUMN cadastral_number TEXT;

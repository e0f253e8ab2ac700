-- 0005_reports.sql: the official outputs of a discussion. Issued versions
-- of the protocol and the conclusion (immutable: canonical JSON bytes with
-- their SHA-256), and the organizer's draft of the conclusion: one
-- recommendation per registered proposal (identical proposals merged into a
-- group) and the findings.

-- body: the canonical JSON of the document (UTF-8, keys sorted, no
-- whitespace; see docs/api.md "Reports"), exactly the bytes sha256 is
-- computed over. A new edition is a new row with the next version; rows are
-- never updated (the trigger refuses), so an old version always verifies.
CREATE TABLE report_documents (
  id INTEGER PRIMARY KEY,
  discussion_id INTEGER NOT NULL REFERENCES discussions(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('protocol', 'conclusion')),
  version INTEGER NOT NULL CHECK (version >= 1),
  body BLOB NOT NULL,
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  issued_at INTEGER NOT NULL,
  issued_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  note TEXT,
  UNIQUE (discussion_id, kind, version)
);
CREATE TRIGGER report_documents_immutable BEFORE UPDATE ON report_documents BEGIN
  SELECT RAISE(ABORT, 'issued report documents are immutable');
END;

-- One row per registered comment the organizer has considered.
-- group_id: the comment that leads a group of identical proposals merged
-- into one recommendation (its own id when not merged); every member
-- carries the group's recommendation and reasoning.
CREATE TABLE conclusion_items (
  comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
  discussion_id INTEGER NOT NULL REFERENCES discussions(id) ON DELETE CASCADE,
  group_id INTEGER NOT NULL,
  recommendation TEXT NOT NULL CHECK (recommendation IN ('take_into_account', 'reject')),
  reasoning TEXT NOT NULL,
  updated_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX conclusion_items_discussion ON conclusion_items(discussion_id, group_id);

CREATE TABLE conclusion_findings (
  discussion_id INTEGER PRIMARY KEY REFERENCES discussions(id) ON DELETE CASCADE,
  findings TEXT NOT NULL,
  updated_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  updated_at INTEGER NOT NULL
);

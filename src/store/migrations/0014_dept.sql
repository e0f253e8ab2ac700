-- 0014_dept.sql: the department's console. Appeals against a rejection
-- (one per comment, decided by another moderator than the one who rejected
-- it; the rejection as it was is kept here, since an upheld appeal
-- publishes the comment), moderators' answers to support messages (each
-- e-mailed to the sender through the outbox) and who closed a message.

CREATE TABLE comment_appeals (
  id INTEGER PRIMARY KEY,
  comment_id INTEGER NOT NULL UNIQUE REFERENCES comments(id) ON DELETE CASCADE,
  author_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  rejected_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  rejected_at INTEGER,
  rejection_reason TEXT,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'upheld', 'dismissed')),
  decided_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  decided_at INTEGER,
  decision_reason TEXT
);
CREATE INDEX comment_appeals_status ON comment_appeals(status, id);
CREATE INDEX comment_appeals_author ON comment_appeals(author_id);

-- outbox_id: the e-mail to the sender (not a foreign key: sent mail is
-- purged from the outbox).
CREATE TABLE support_replies (
  id INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES support_messages(id) ON DELETE CASCADE,
  author_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  outbox_id INTEGER
);
CREATE INDEX support_replies_message ON support_replies(message_id, id);

ALTER TABLE support_messages ADD COLUMN closed_at INTEGER;
ALTER TABLE support_messages ADD COLUMN closed_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL;
CREATE INDEX support_messages_status ON support_messages(status, id);

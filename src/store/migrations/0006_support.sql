-- 0006: messages to technical support, sent from the "Technical support"
-- form by anyone (logged in or not). Each is also e-mailed to the support
-- address of the configuration (support_email) through the outbox, in the
-- same transaction; outbox_id is that e-mail (NULL when no address was
-- configured; not a foreign key: sent mail is purged from the outbox).
-- name and email are personal data: shown to moderators and admins only,
-- never logged. status: new, or closed once handled.
CREATE TABLE support_messages (
  id INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  topic TEXT NOT NULL,
  body TEXT NOT NULL,
  page_url TEXT,
  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'closed')),
  outbox_id INTEGER
);
CREATE INDEX support_messages_created ON support_messages(created_at);

-- 0015_notify.sql: people hear about what concerns them. Confirmed e-mail
-- addresses, following a discussion (with one-click unsubscribe links),
-- the cursors of the mail worker's background steps and the moderators'
-- news.

-- When the account's e-mail address was confirmed (a link sent at sign-up);
-- NULL: not confirmed. Accounts that existed before count as confirmed.
ALTER TABLE accounts ADD COLUMN email_confirmed_at INTEGER;
UPDATE accounts SET email_confirmed_at = created_at;

-- Single-use links confirming an address; only the SHA-256 of the token is
-- kept (as for password resets).
CREATE TABLE email_confirmations (
  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
) WITHOUT ROWID;
CREATE INDEX email_confirmations_account ON email_confirmations(account_id, created_at);

-- A logged-in person following a discussion: e-mail on stage changes and
-- official answers.
CREATE TABLE follows (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  discussion_id INTEGER NOT NULL REFERENCES discussions(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, discussion_id)
) WITHOUT ROWID;
CREATE INDEX follows_discussion ON follows(discussion_id);

-- One unsubscribe token per e-mail sent to a follower (RFC 8058 one-click
-- and the manage link); only the SHA-256 is kept.
CREATE TABLE follow_unsubscribes (
  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  discussion_id INTEGER NOT NULL REFERENCES discussions(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX follow_unsubscribes_created ON follow_unsubscribes(created_at);

-- outbox.list_unsubscribe (the RFC 8058 URL of a message) is added by
-- 0016_alerts.sql, which the area alerts share with follows.

-- Where each background step of the mail worker has got to in a table it
-- reads by id. Started at the current end so that nothing old is mailed.
CREATE TABLE notify_cursors (
  name TEXT PRIMARY KEY,
  last_id INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO notify_cursors (name, last_id)
  VALUES ('comments', (SELECT coalesce(max(id), 0) FROM comments)),
         ('follow_events', (SELECT coalesce(max(id), 0) FROM discussion_events));

-- Short news published by moderators; discussion_id: an optional link.
CREATE TABLE news (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  discussion_id INTEGER REFERENCES discussions(id) ON DELETE SET NULL,
  author_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  published_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX news_published ON news(published_at, id);

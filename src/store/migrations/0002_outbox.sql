-- 0002_outbox.sql: outgoing mail and password reset tokens.
--
-- outbox: every e-mail the platform sends is first a row here, written in
-- the same transaction as the event that causes it, then delivered by the
-- sender thread (src/mail/). status: pending (waiting for its next attempt
-- at next_attempt_at), sent (delivered to the SMTP server at sent_at) or
-- failed (given up after too many attempts). body_text is cleared once the
-- message is sent or has failed: it may carry a secret link. last_error
-- holds the SMTP/libcurl error text, never an address or the body.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  to_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error TEXT,
  sent_at INTEGER,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed'))
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_created ON outbox(created_at);

-- password_resets: single-use links to set a new password. Only the
-- SHA-256 of the token is kept; used_at is set when it is spent (or when
-- another link of the same account is spent or the password is changed).
CREATE TABLE password_resets (
  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
) WITHOUT ROWID;
CREATE INDEX password_resets_account ON password_resets(account_id, created_at);
CREATE INDEX password_resets_expires ON password_resets(expires_at);

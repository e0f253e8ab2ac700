-- 0012_identities.sql: sign-in through an OpenID Connect provider (the state
-- portal). Accounts are keyed by (issuer, subject); the provider's attested
-- full name and birth date are marked on the account; the secrets of a
-- sign-in in progress and a pending link to an existing password account
-- live here for minutes, found by the SHA-256 of a random token.

CREATE TABLE account_identities (
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_login_at INTEGER NOT NULL,
  PRIMARY KEY (issuer, subject)
) WITHOUT ROWID;
CREATE INDEX account_identities_account ON account_identities(account_id);

-- attested_by: the issuer that attested full_name and birth_date (NULL:
-- self-declared); attested_at: when it last did.
ALTER TABLE accounts ADD COLUMN attested_by TEXT;
ALTER TABLE accounts ADD COLUMN attested_at INTEGER;

-- The first leg of a sign-in: nonce and PKCE verifier, kept until the
-- provider sends the browser back (single use, 10 minutes).
CREATE TABLE oidc_logins (
  state_hash BLOB PRIMARY KEY CHECK (length(state_hash) = 32),
  nonce TEXT NOT NULL,
  verifier TEXT NOT NULL,
  next TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX oidc_logins_expires ON oidc_logins(expires_at);

-- A sign-in whose e-mail belongs to an existing password account: it is
-- linked only once the person logs in with that account's password. person
-- holds the attested data (JSON) until then; deleted on use or expiry.
CREATE TABLE oidc_links (
  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  person TEXT NOT NULL,
  next TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX oidc_links_expires ON oidc_links(expires_at);

-- An address of residence the provider attested but the address register
-- could not place: waits in the moderators' verification queue until one
-- places it on the map (then it becomes the account's residence, and this
-- row goes) or refuses it (rejected_at, note: the reason).
CREATE TABLE residence_attestations (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  issuer TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  rejected_at INTEGER,
  verifier_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  note TEXT
);

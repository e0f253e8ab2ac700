-- 0012_identities.sql (PostgreSQL translation of ../0012_identities.sql)
-- Differs: WITHOUT ROWID -> heap tables with the same primary keys; BLOB
-- hashes -> bytea (octet_length); person stays text holding JSON (jsonb
-- would reorder keys; the store only stores and reads it back).
-- Sign-in through an OpenID Connect provider.

CREATE TABLE account_identities (
  issuer text NOT NULL,
  subject text NOT NULL,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at bigint NOT NULL,
  last_login_at bigint NOT NULL,
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX account_identities_account ON account_identities(account_id);

ALTER TABLE accounts ADD COLUMN attested_by text;
ALTER TABLE accounts ADD COLUMN attested_at bigint;

CREATE TABLE oidc_logins (
  state_hash bytea PRIMARY KEY CHECK (octet_length(state_hash) = 32),
  nonce text NOT NULL,
  verifier text NOT NULL,
  next text NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins(expires_at);

CREATE TABLE oidc_links (
  token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  person text NOT NULL,
  next text NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX oidc_links_expires ON oidc_links(expires_at);

CREATE TABLE residence_attestations (
  account_id bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  address text NOT NULL,
  issuer text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  rejected_at bigint,
  verifier_id bigint REFERENCES accounts(id) ON DELETE SET NULL,
  note text
);

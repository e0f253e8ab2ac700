-- 0011_rights.sql: the rights register and properties verified by it.
--
-- rights_register: an extract of the register of rights (who holds which
-- land plot or building), loaded by `kengash import --layer rights`. The
-- holder's identifier (SNILS or INN) is never stored: only its keyed hash,
-- HMAC-SHA-256 of the normalised digits with a server key kept outside the
-- database (--holder-key-file; kg_auth_holder_hash). Without the key the
-- hashes cannot be tested against guessed identifiers. A sign-in that
-- attests a holder identifier verifies the account's properties from here
-- (kg_store_rights_verify_holder).
CREATE TABLE rights_register (
  id INTEGER PRIMARY KEY,
  cadastral_number TEXT NOT NULL CHECK (length(cadastral_number) BETWEEN 1 AND 40),
  holder_hash BLOB NOT NULL CHECK (typeof(holder_hash) = 'blob' AND length(holder_hash) = 32),
  loaded_at INTEGER NOT NULL
);
-- the lookup at sign-in is by holder; one row per (holder, number)
CREATE UNIQUE INDEX rights_register_holder ON rights_register(holder_hash, cadastral_number);

-- The last load of the register: when, and a check value of the key it was
-- hashed with (HMAC of a fixed label, kg_auth_holder_key_check), so that
-- `serve` can refuse a different key instead of silently matching nobody.
CREATE TABLE rights_register_load (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  key_check BLOB NOT NULL CHECK (length(key_check) = 32),
  loaded_at INTEGER NOT NULL
);

-- properties.verified_by gains 'register' (verified against the rights
-- register). SQLite cannot change a CHECK constraint in place, so the table
-- is rebuilt: nothing references properties by foreign key (so DROP TABLE
-- cascades nowhere, even with foreign_keys on), and its geometry column is
-- unregistered from SpatiaLite first and registered again after, with a
-- spatial index rebuilt from the copied rows. The migration runs in one
-- transaction: a failure leaves the old table as it was.
SELECT DisableSpatialIndex('properties', 'geometry');
DROP TABLE IF EXISTS idx_properties_geometry;
SELECT DiscardGeometryColumn('properties', 'geometry');

CREATE TABLE properties_new (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  cadastral_number TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('registry', 'geometry', 'both')),
  verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
  verified_by TEXT NOT NULL DEFAULT 'self_declared'
    CHECK (verified_by IN ('moderator', 'identity_provider', 'self_declared', 'register')),
  verified_at INTEGER,
  verifier_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  rejected_at INTEGER,
  note TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  geometry MULTIPOLYGON NOT NULL,
  UNIQUE (account_id, cadastral_number)
);
INSERT INTO properties_new (id, account_id, cadastral_number, source, verified, verified_by,
                            verified_at, verifier_id, rejected_at, note, created_at, updated_at,
                            geometry)
  SELECT id, account_id, cadastral_number, source, verified, verified_by, verified_at,
         verifier_id, rejected_at, note, created_at, updated_at, geometry
  FROM properties;
DROP TABLE properties;
ALTER TABLE properties_new RENAME TO properties;
CREATE INDEX properties_pending ON properties(updated_at) WHERE verified = 0 AND rejected_at IS NULL;

-- 0 (failing the migration) if any copied geometry is not a MULTIPOLYGON
-- in EPSG:4326; then the R*Tree is built from every row.
SELECT RecoverGeometryColumn('properties', 'geometry', 4326, 'MULTIPOLYGON', 'XY');
SELECT CreateSpatialIndex('properties', 'geometry');

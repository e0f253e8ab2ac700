-- 0003_participants.sql: who may take part. An account's residence (one
-- address of registration with its point) and properties (land plots and
-- buildings with their geometry), each verified by a moderator or attested
-- by an identity provider; the date of birth the protocol's participant list
-- needs; a normalised key for geocoding through the address registry.

ALTER TABLE accounts ADD COLUMN birth_date TEXT
  CHECK (birth_date IS NULL OR birth_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]');

-- address_key: the address lower-cased (Cyrillic and Latin, ё as е), with
-- punctuation as spaces and runs of spaces collapsed (kg_store_address_key).
-- SQLite's lower() folds ASCII only, so the key is computed in C. Rows put
-- in by other tools (ogr2ogr, the sqlite3 shell) have a NULL key: the store
-- fills missing keys before each lookup, so no SQL function has to exist on
-- the connection that inserts.
ALTER TABLE address_registry ADD COLUMN address_key TEXT;
CREATE INDEX address_registry_key ON address_registry(address_key);

-- verified: 1 once a moderator confirmed it or an identity provider attested
-- it. A change of address or point resets it to 0 (and clears a rejection).
-- rejected_at: set when a moderator refused it; pending = verified 0 and
-- rejected_at NULL. source: 'registry' (point from the address registry),
-- 'point' (point given by the person; the address is not in the registry),
-- 'both' (in the registry, and the person's point was used as given).
CREATE TABLE residences (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('registry', 'point', 'both')),
  verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
  verified_by TEXT NOT NULL DEFAULT 'self_declared'
    CHECK (verified_by IN ('moderator', 'identity_provider', 'self_declared')),
  verified_at INTEGER,
  verifier_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  rejected_at INTEGER,
  note TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
SELECT AddGeometryColumn('residences', 'location', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('residences', 'location');
CREATE INDEX residences_pending ON residences(updated_at) WHERE verified = 0 AND rejected_at IS NULL;

-- source: 'registry' (geometry of the parcel with that cadastral number),
-- 'geometry' (drawn or given by the person; not in the parcels layer),
-- 'both' (in the layer, and the person's geometry was used as given).
CREATE TABLE properties (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  cadastral_number TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('registry', 'geometry', 'both')),
  verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
  verified_by TEXT NOT NULL DEFAULT 'self_declared'
    CHECK (verified_by IN ('moderator', 'identity_provider', 'self_declared')),
  verified_at INTEGER,
  verifier_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  rejected_at INTEGER,
  note TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (account_id, cadastral_number)
);
SELECT AddGeometryColumn('properties', 'geometry', 4326, 'MULTIPOLYGON', 'XY', 1);
SELECT CreateSpatialIndex('properties', 'geometry');
CREATE INDEX properties_pending ON properties(updated_at) WHERE verified = 0 AND rejected_at IS NULL;

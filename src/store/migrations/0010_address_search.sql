-- 0010_address_search.sql: an address register people can search
-- (src/store/addresses.c). address_key becomes the address's canonical
-- tokens (kg_store_address_key: lower case, ё as е, street types and house
-- parts spelled one way, city and house markers, postcodes, regions and
-- flats dropped), so the old keys are cleared and every row is indexed
-- again.
--
-- ext_id: the register's own id of the address (a GAR/FIAS GUID, an OSM
-- "node/123"); NULL when the source has none. Unique when given.
ALTER TABLE address_registry ADD COLUMN ext_id TEXT;
CREATE UNIQUE INDEX address_registry_ext_id ON address_registry(ext_id);

-- address_fts: one row per address (rowid = address_registry.id): tokens
-- is address_key, house the house number with its parts ("19 к1"), which
-- ranks an exact house above a building of it, city the tokens of the
-- settlement's name ("казань" of "г. Казань"), which a query may leave
-- out. The index keeps no positions (detail = none: every phrase is one
-- token) and has prefix indexes for suggestions while the last word is
-- being typed. Tokens are already folded, so the tokenizer removes no
-- diacritics (й stays й); '/' belongs to house numbers such as 19/2.
CREATE VIRTUAL TABLE address_fts USING fts5(
  tokens, house UNINDEXED, city UNINDEXED,
  tokenize = "unicode61 remove_diacritics 0 tokenchars '/'",
  prefix = '1 2 3', detail = none
);

-- Rows waiting to be (re)indexed. The key needs C (SQLite's lower() folds
-- ASCII only), so triggers only queue ids: they work on any connection,
-- also one of another tool (ogr2ogr, the sqlite3 shell) that has no
-- kengash functions. Every lookup indexes the queue first (and any row
-- whose key is NULL), in one transaction, with the SQL functions the store
-- registers on its own connections (kg_address_key, kg_address_house,
-- kg_address_city); importers do it before they commit.
CREATE TABLE address_index_queue (
  id INTEGER PRIMARY KEY
);
UPDATE address_registry SET address_key = NULL;
INSERT INTO address_index_queue (id) SELECT id FROM address_registry;

CREATE TRIGGER address_registry_queue_ai AFTER INSERT ON address_registry BEGIN
  INSERT OR IGNORE INTO address_index_queue (id) VALUES (new.id);
END;
CREATE TRIGGER address_registry_queue_au AFTER UPDATE OF address ON address_registry BEGIN
  INSERT OR IGNORE INTO address_index_queue (id) VALUES (new.id);
END;
CREATE TRIGGER address_registry_queue_ad AFTER DELETE ON address_registry BEGIN
  DELETE FROM address_index_queue WHERE id = old.id;
  DELETE FROM address_fts WHERE rowid = old.id;
END;

-- The register's spatial index kept up by plain SQL, as 0009 does for
-- comments: SpatiaLite's triggers prepare an INSERT per row (RTreeAlign),
-- which made most of the time of loading a register of 200,000.
DROP TRIGGER IF EXISTS gii_address_registry_geometry;
CREATE TRIGGER gii_address_registry_geometry AFTER INSERT ON address_registry
FOR EACH ROW WHEN NEW.geometry IS NOT NULL BEGIN
  INSERT OR REPLACE INTO idx_address_registry_geometry (pkid, xmin, xmax, ymin, ymax)
    VALUES (NEW.ROWID, MbrMinX(NEW.geometry), MbrMaxX(NEW.geometry),
            MbrMinY(NEW.geometry), MbrMaxY(NEW.geometry));
END;
DROP TRIGGER IF EXISTS giu_address_registry_geometry;
CREATE TRIGGER giu_address_registry_geometry AFTER UPDATE OF geometry ON address_registry
FOR EACH ROW BEGIN
  DELETE FROM idx_address_registry_geometry WHERE pkid = NEW.ROWID;
  INSERT INTO idx_address_registry_geometry (pkid, xmin, xmax, ymin, ymax)
    SELECT NEW.ROWID, MbrMinX(NEW.geometry), MbrMaxX(NEW.geometry),
           MbrMinY(NEW.geometry), MbrMaxY(NEW.geometry)
    WHERE NEW.geometry IS NOT NULL;
END;

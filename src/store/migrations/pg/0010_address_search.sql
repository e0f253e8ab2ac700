-- 0010_address_search.sql (PostgreSQL translation of ../0010_address_search.sql)
-- Differs:
-- * address_fts (FTS5, detail=none, prefix indexes '1 2 3', tokenchars '/')
--   -> a table keyed by the address id (FTS5's rowid) with tokens, house,
--   city and tsv = array_to_tsvector(string_to_array(tokens, ' ')): the
--   tokens are already canonical (computed in C, kg_store_address_key), so
--   they go in as lexemes as they are, no parser or dictionary ("19/2" stays
--   one lexeme, й stays й). No positions are used (like detail=none). GIN
--   answers prefix queries itself (no prefix indexes): the store would
--   build the query as lexemes, e.g. 'казань' & '19/2':* , with
--   quote_literal(tok) || ':*' cast to tsquery (not to_tsquery, which
--   would parse and could split tokens).
-- * The queue stays (the key still needs C: kg_address_key/house/city must
--   be computed by the store before it writes address_fts).
-- * INSERT OR IGNORE -> INSERT ... ON CONFLICT DO NOTHING.
-- * The gii_/giu_ R*Tree triggers of address_registry have no counterpart:
--   the GiST index idx_address_registry_geometry (0001) keeps itself.
-- * ext_id's unique index: NULLs stay distinct in both (PG's default
--   NULLS DISTINCT), as in SQLite.
ALTER TABLE address_registry ADD COLUMN ext_id text;
CREATE UNIQUE INDEX address_registry_ext_id ON address_registry(ext_id);

CREATE TABLE address_fts (
  id bigint PRIMARY KEY,
  tokens text,
  house text,
  city text,
  tsv tsvector GENERATED ALWAYS AS
    (array_to_tsvector(string_to_array(coalesce(tokens, ''), ' ', ''))) STORED
);
CREATE INDEX address_fts_tsv ON address_fts USING gin (tsv);

-- Rows waiting to be (re)indexed; the store indexes the queue (and any row
-- whose key is NULL) before every lookup, importers before they commit.
CREATE TABLE address_index_queue (
  id bigint PRIMARY KEY
);
UPDATE address_registry SET address_key = NULL;
INSERT INTO address_index_queue (id) SELECT id FROM address_registry;

CREATE FUNCTION address_registry_queue_ai() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO address_index_queue (id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER address_registry_queue_ai AFTER INSERT ON address_registry
  FOR EACH ROW EXECUTE FUNCTION address_registry_queue_ai();
CREATE TRIGGER address_registry_queue_au AFTER UPDATE OF address ON address_registry
  FOR EACH ROW EXECUTE FUNCTION address_registry_queue_ai();

CREATE FUNCTION address_registry_queue_ad() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM address_index_queue WHERE id = OLD.id;
  DELETE FROM address_fts WHERE id = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER address_registry_queue_ad AFTER DELETE ON address_registry
  FOR EACH ROW EXECUTE FUNCTION address_registry_queue_ad();

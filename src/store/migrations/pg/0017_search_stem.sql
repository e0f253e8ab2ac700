-- 0017_search_stem.sql (PostgreSQL translation of ../0017_search_stem.sql)
-- Differs: SQLite rebuilds discussions_fts and comments_fts with kengash's
-- own tokenizer kg_stem (unicode61 + ё as е + Snowball stems), which exists
-- only in the C process, and therefore moves the discussions triggers to a
-- queue the store indexes before each commit. PostgreSQL has Snowball
-- Russian stemming in the server (text search configuration 'russian'), so
-- here the stored tsvector columns are recomputed with 'russian' (drop and
-- add the generated column: every row is re-indexed, as the SQLite
-- migration's INSERT ... SELECT does) and the 0001 triggers keep indexing
-- directly. discussions_fts_queue is created with the same shape so that
-- the store's flush (kg_store_search_flush) finds it empty. ё is still
-- written as е by the comments triggers (0004) and must be in queries.
-- Differences from kg_stem to expect: the 'russian' configuration drops
-- Russian stop words, and stems Latin-script words with the English stemmer
-- (asciiword -> english_stem); the parser splits tokens its own way (e.g.
-- e-mail addresses, URLs, hyphenated words are kept whole as well).
ALTER TABLE discussions_fts DROP COLUMN tsv;
ALTER TABLE discussions_fts ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('russian', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('russian', coalesce(project_title, '')), 'B') ||
    setweight(to_tsvector('russian', coalesce(description, '')), 'C')) STORED;
CREATE INDEX discussions_fts_tsv ON discussions_fts USING gin (tsv);

CREATE TABLE discussions_fts_queue (
  id bigint PRIMARY KEY
);

ALTER TABLE comments_fts DROP COLUMN tsv;
ALTER TABLE comments_fts ADD COLUMN tsv tsvector GENERATED ALWAYS AS
  (to_tsvector('russian', coalesce(body, ''))) STORED;
CREATE INDEX comments_fts_tsv ON comments_fts USING gin (tsv);

-- 0008_fts_queue.sql (PostgreSQL translation of ../0008_fts_queue.sql)
-- Differs, on purpose: the SQLite migration replaces the per-row indexing
-- trigger by a queue because FTS5 wrote a segment per statement savepoint.
-- A GIN index has no such cost (its pending list, fastupdate, batches
-- inserts), and the 'russian' stemming needs no C tokenizer in PG, so the
-- 0004 triggers keep indexing comments_fts directly, in the same
-- transaction. The queue table is still created, with the same shape, so
-- that the store's flush (kg_store_tx_end) runs unchanged and finds it
-- empty; a PG store may skip the flush instead.
CREATE TABLE comments_fts_queue (
  id bigint PRIMARY KEY
);
-- comments_author_created (author_id, created_at) serves every lookup by
-- author; this one only cost a page write per proposal.
DROP INDEX comments_author;

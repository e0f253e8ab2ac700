-- 0008: new comments reach the full-text index once per transaction, not
-- once per row. FTS5 (SQLite 3.40) writes a new segment at every statement
-- savepoint that touched it, so a trigger indexing each inserted comment
-- made a segment (and the merges after it) per proposal: a third of the
-- group-commit writer's time. The trigger now only queues the id here;
-- kg_store_tx_end indexes the queued rows with one statement just before
-- a connection that inserted comments commits (comments.c sets the flag),
-- and any rows left queued (e.g. by another program) go with the next flush.
CREATE TABLE comments_fts_queue (
  id INTEGER PRIMARY KEY
);
DROP TRIGGER comments_fts_ai;
CREATE TRIGGER comments_fts_ai AFTER INSERT ON comments BEGIN
  INSERT OR IGNORE INTO comments_fts_queue (id) VALUES (new.id);
END;
-- an edit or a delete of a still-queued comment: the queue entry goes, the
-- index row is written (or removed) at once as before
DROP TRIGGER comments_fts_au;
CREATE TRIGGER comments_fts_au AFTER UPDATE OF body ON comments BEGIN
  DELETE FROM comments_fts_queue WHERE id = old.id;
  DELETE FROM comments_fts WHERE rowid = old.id;
  INSERT INTO comments_fts (rowid, body)
    VALUES (new.id, replace(replace(new.body, 'ё', 'е'), 'Ё', 'Е'));
END;
DROP TRIGGER comments_fts_ad;
CREATE TRIGGER comments_fts_ad AFTER DELETE ON comments BEGIN
  DELETE FROM comments_fts_queue WHERE id = old.id;
  DELETE FROM comments_fts WHERE rowid = old.id;
END;
-- comments_author_created (author_id, created_at) serves every lookup by
-- author; this one only cost a page write per proposal.
DROP INDEX comments_author;

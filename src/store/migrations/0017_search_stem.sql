-- 0017: search that understands Russian word forms. discussions_fts and
-- comments_fts are rebuilt with the kg_stem tokenizer (src/store/search.c:
-- unicode61, ё as е, Snowball stems), so "планировка" finds "планировки"
-- and "дерево" finds "деревья". Only kengash has that tokenizer, so the
-- triggers on discussions and projects no longer write the index: they
-- queue the discussion's id in discussions_fts_queue, which the store
-- indexes before each commit (kg_store_search_flush) and which also takes
-- rows changed by other programs. Comment bodies keep 0008's queue; the
-- tokenizer now spells ё as е itself.
DROP TRIGGER discussions_fts_ai;
DROP TRIGGER discussions_fts_au;
DROP TRIGGER discussions_fts_ad;
DROP TRIGGER projects_fts_au;
DROP TABLE discussions_fts;
CREATE VIRTUAL TABLE discussions_fts USING fts5(
  title, project_title, description,
  tokenize = 'kg_stem'
);
CREATE TABLE discussions_fts_queue (
  id INTEGER PRIMARY KEY
);
CREATE TRIGGER discussions_fts_ai AFTER INSERT ON discussions BEGIN
  INSERT OR IGNORE INTO discussions_fts_queue (id) VALUES (new.id);
END;
CREATE TRIGGER discussions_fts_au AFTER UPDATE OF title, project_id ON discussions BEGIN
  INSERT OR IGNORE INTO discussions_fts_queue (id) VALUES (new.id);
END;
CREATE TRIGGER discussions_fts_ad AFTER DELETE ON discussions BEGIN
  INSERT OR IGNORE INTO discussions_fts_queue (id) VALUES (old.id);
END;
CREATE TRIGGER projects_fts_au AFTER UPDATE OF title, description ON projects BEGIN
  INSERT OR IGNORE INTO discussions_fts_queue (id)
    SELECT id FROM discussions WHERE project_id = new.id;
END;
INSERT INTO discussions_fts (rowid, title, project_title, description)
  SELECT d.id, d.title, p.title, p.description FROM discussions d
  JOIN projects p ON p.id = d.project_id ORDER BY d.id;
DROP TABLE comments_fts;
CREATE VIRTUAL TABLE comments_fts USING fts5(
  body,
  tokenize = 'kg_stem'
);
INSERT INTO comments_fts (rowid, body)
  SELECT id, body FROM comments WHERE id NOT IN (SELECT id FROM comments_fts_queue) ORDER BY id;

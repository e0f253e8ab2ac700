-- 0022: each discussion's registration counter moves from its discussions
-- row to its content_versions row. Every proposal took its number from
-- discussions.comment_seq and so changed the discussion's row: a third of
-- a 4 KB page with the title, the notice and the territory, one of 3,300
-- such pages on bench/'s data (10,000 discussions), read, changed and
-- written to the WAL by the group-commit writer for each proposal, and
-- copied back by the checkpointer. The content_versions row of the
-- discussion (scope = its id, 0007) is one every proposal changes anyway
-- (cv_comments_i): about 20 bytes, those of 10,000 discussions some 50
-- pages, which stay in the writer's page cache; the counter beside the
-- version costs no page of its own. A discussion without a row has
-- numbered no proposal yet. Bumping the counter alone does not bump v:
-- only the comment it numbers changes what a cached response shows.
ALTER TABLE content_versions ADD COLUMN comment_seq INTEGER NOT NULL DEFAULT 0;
INSERT INTO content_versions (scope, v, comment_seq)
  SELECT id, 1, comment_seq FROM discussions WHERE comment_seq > 0
  ON CONFLICT (scope) DO UPDATE SET comment_seq = excluded.comment_seq;
ALTER TABLE discussions DROP COLUMN comment_seq;

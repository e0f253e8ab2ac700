-- 0022_comment_seq.sql (PostgreSQL translation of ../0022_comment_seq.sql)
-- Each discussion's registration counter moves from its discussions row to
-- its content_versions row, which every proposal changes anyway: a
-- proposal no longer writes a new version of the discussion's wide row
-- (title, notice, territory) to take its number.
ALTER TABLE content_versions ADD COLUMN comment_seq bigint NOT NULL DEFAULT 0;
INSERT INTO content_versions (scope, v, comment_seq)
  SELECT id, 1, comment_seq FROM discussions WHERE comment_seq > 0
  ON CONFLICT (scope) DO UPDATE SET comment_seq = excluded.comment_seq;
ALTER TABLE discussions DROP COLUMN comment_seq;

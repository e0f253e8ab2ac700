-- 0004_comments.sql (PostgreSQL translation of ../0004_comments.sql)
-- Differs: GLOB -> anchored regex; WITHOUT ROWID -> heap table;
-- comments_fts (FTS5 over body) -> a table keyed by the comment id (FTS5's
-- rowid) holding body (ё spelled е, as here) and a stored tsvector ('simple'
-- until 0017 makes it 'russian') under a GIN index; the store would search
--   SELECT id FROM comments_fts WHERE tsv @@ websearch_to_tsquery('russian', $1)
-- (query text with ё -> е too). Triggers -> plpgsql functions.
-- Registration numbers per discussion, official answers, the public display
-- name, the normalised GeoJSON of the location, moderation details,
-- supports, the identification data of offline entries, full-text search.

ALTER TABLE discussions ADD COLUMN comment_seq bigint NOT NULL DEFAULT 0;

ALTER TABLE comments ADD COLUMN official bigint NOT NULL DEFAULT 0 CHECK (official IN (0, 1));
ALTER TABLE comments ADD COLUMN display_name text NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN location_geojson text;
ALTER TABLE comments ADD COLUMN seq bigint;
ALTER TABLE comments ADD COLUMN entered_by bigint REFERENCES accounts(id) ON DELETE SET NULL;
ALTER TABLE comments ADD COLUMN moderation_code text;
ALTER TABLE comments ADD COLUMN moderated_by bigint REFERENCES accounts(id) ON DELETE SET NULL;
ALTER TABLE comments ADD COLUMN moderated_at bigint;
-- the submission rate limit and "my comments"
CREATE INDEX comments_author_created ON comments(author_id, created_at);

-- One support per account per comment.
CREATE TABLE comment_supports (
  comment_id bigint NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at bigint NOT NULL,
  PRIMARY KEY (comment_id, account_id)
);
CREATE INDEX comment_supports_account ON comment_supports(account_id);

-- Who sent a proposal that a moderator entered on their behalf.
CREATE TABLE comment_offline_authors (
  comment_id bigint PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
  full_name text NOT NULL,
  birth_date text NOT NULL
    CHECK (birth_date ~ '^[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]$'),
  address text NOT NULL,
  lon double precision,
  lat double precision
);

CREATE TABLE comments_fts (
  id bigint PRIMARY KEY,
  body text,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(body, ''))) STORED
);
CREATE INDEX comments_fts_tsv ON comments_fts USING gin (tsv);

CREATE FUNCTION comments_fts_ai() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO comments_fts (id, body)
    VALUES (NEW.id, replace(replace(NEW.body, 'ё', 'е'), 'Ё', 'Е'));
  RETURN NULL;
END $$;
CREATE TRIGGER comments_fts_ai AFTER INSERT ON comments
  FOR EACH ROW EXECUTE FUNCTION comments_fts_ai();

CREATE FUNCTION comments_fts_au() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM comments_fts WHERE id = OLD.id;
  INSERT INTO comments_fts (id, body)
    VALUES (NEW.id, replace(replace(NEW.body, 'ё', 'е'), 'Ё', 'Е'));
  RETURN NULL;
END $$;
CREATE TRIGGER comments_fts_au AFTER UPDATE OF body ON comments
  FOR EACH ROW EXECUTE FUNCTION comments_fts_au();

CREATE FUNCTION comments_fts_ad() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM comments_fts WHERE id = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER comments_fts_ad AFTER DELETE ON comments
  FOR EACH ROW EXECUTE FUNCTION comments_fts_ad();

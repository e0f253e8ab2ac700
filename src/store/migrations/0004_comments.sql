-- 0004_comments.sql: what comments need beyond 0001's table. Registration
-- numbers per discussion (a counter on the discussion, bumped inside the
-- insert transaction), official answers, the public display name, the
-- normalised GeoJSON of the location (spliced into replies), moderation
-- details, supports, the identification data of offline entries (moderators
-- only), and full-text search over bodies.

-- The last registration sequence given out in a discussion: "D-17/0042" is
-- discussion 17, sequence 42.
ALTER TABLE discussions ADD COLUMN comment_seq INTEGER NOT NULL DEFAULT 0;

-- official: a moderator's answer (published at once, no registration
-- number, no basis). display_name: what the public sees of the author
-- ("Гульнара Х."), fixed at submission. entered_by: the moderator who entered
-- a proposal that came on paper, by e-mail or in the exposition book
-- (author_id is NULL then).
ALTER TABLE comments ADD COLUMN official INTEGER NOT NULL DEFAULT 0 CHECK (official IN (0, 1));
ALTER TABLE comments ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN location_geojson TEXT;
ALTER TABLE comments ADD COLUMN seq INTEGER;
ALTER TABLE comments ADD COLUMN entered_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL;
ALTER TABLE comments ADD COLUMN moderation_code TEXT;
ALTER TABLE comments ADD COLUMN moderated_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL;
ALTER TABLE comments ADD COLUMN moderated_at INTEGER;
-- the submission rate limit and "my comments"
CREATE INDEX comments_author_created ON comments(author_id, created_at);

-- One support per account per comment.
CREATE TABLE comment_supports (
  comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (comment_id, account_id)
) WITHOUT ROWID;
CREATE INDEX comment_supports_account ON comment_supports(account_id);

-- Who sent a proposal that a moderator entered on their behalf: personal
-- data for the protocol's participant list, never shown publicly.
-- location: the point given for the residence (lon/lat), else the address
-- registry's point for the address.
CREATE TABLE comment_offline_authors (
  comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
  full_name TEXT NOT NULL,
  birth_date TEXT NOT NULL
    CHECK (birth_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
  address TEXT NOT NULL,
  lon REAL,
  lat REAL
);

-- Full-text search over comment bodies. unicode61 case-folds Cyrillic but
-- keeps ё apart from е, so the indexed text (and the query, in C) spells ё
-- as е. Kept in sync by triggers.
CREATE VIRTUAL TABLE comments_fts USING fts5(
  body,
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER comments_fts_ai AFTER INSERT ON comments BEGIN
  INSERT INTO comments_fts (rowid, body)
    VALUES (new.id, replace(replace(new.body, 'ё', 'е'), 'Ё', 'Е'));
END;
CREATE TRIGGER comments_fts_au AFTER UPDATE OF body ON comments BEGIN
  DELETE FROM comments_fts WHERE rowid = old.id;
  INSERT INTO comments_fts (rowid, body)
    VALUES (new.id, replace(replace(new.body, 'ё', 'е'), 'Ё', 'Е'));
END;
CREATE TRIGGER comments_fts_ad AFTER DELETE ON comments BEGIN
  DELETE FROM comments_fts WHERE rowid = old.id;
END;

-- 0020_renderings.sql (PostgreSQL translation of ../0020_renderings.sql)
-- Differs: WITHOUT ROWID -> heap table with the same six-column primary key.
-- Issued documents rendered once: which file (by SHA-256) belongs to which
-- document, language and format.
CREATE TABLE report_renderings (
  kind text NOT NULL CHECK (kind IN ('protocol', 'conclusion', 'extract')),
  discussion_id bigint NOT NULL REFERENCES discussions(id) ON DELETE CASCADE,
  version bigint NOT NULL CHECK (version >= 1),
  state text NOT NULL DEFAULT '',
  language text NOT NULL CHECK (language IN ('ru', 'tt', 'en')),
  format text NOT NULL CHECK (format IN ('html', 'pdf')),
  sha256 text NOT NULL CHECK (length(sha256) = 64),
  size bigint NOT NULL CHECK (size >= 0),
  rendered_at bigint NOT NULL,
  PRIMARY KEY (kind, discussion_id, version, state, language, format)
);

-- 0020_renderings.sql: issued documents rendered once (issue 17). A
-- version of the protocol or the conclusion never changes, nor does a
-- participant's extract for a given state of what it shows, so the
-- printable page and the PDF, in each language, are rendered on the first
-- request and kept: the bytes in the files directory under their SHA-256
-- (as uploaded documents are), and here which bytes belong to which
-- document. Drafts and the participants' annex are never kept.
-- state: '' for the protocol and the conclusion; for an extract the
-- SHA-256 of its model without its date (the participant, the entries and
-- the documents it cites), so a changed state is rendered anew.
-- A row whose file is missing or damaged is replaced by a new rendering.
CREATE TABLE report_renderings (
  kind TEXT NOT NULL CHECK (kind IN ('protocol', 'conclusion', 'extract')),
  discussion_id INTEGER NOT NULL REFERENCES discussions(id) ON DELETE CASCADE,
  version INTEGER NOT NULL CHECK (version >= 1),
  state TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL CHECK (language IN ('ru', 'tt', 'en')),
  format TEXT NOT NULL CHECK (format IN ('html', 'pdf')),
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  size INTEGER NOT NULL CHECK (size >= 0),
  rendered_at INTEGER NOT NULL,
  PRIMARY KEY (kind, discussion_id, version, state, language, format)
) WITHOUT ROWID;

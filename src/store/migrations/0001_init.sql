-- 0001_init.sql: the first schema. Timestamps are INTEGER unix seconds (UTC);
-- geometries are EPSG:4326 with a spatial index on every geometry column.
-- Runs inside one transaction after InitSpatialMetadata; never edit a
-- released migration, add the next numbered file instead.

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  full_name TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'citizen' CHECK (role IN ('citizen', 'moderator', 'admin')),
  consent_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Kinds of projects under art. 5.1 of the Urban Planning Code; durations are
-- settings (days), editable in the database.
CREATE TABLE project_kinds (
  kind TEXT PRIMARY KEY,
  title_ru TEXT NOT NULL,
  title_en TEXT NOT NULL,
  notice_days INTEGER NOT NULL CHECK (notice_days >= 0),
  min_days INTEGER NOT NULL CHECK (min_days >= 1),
  max_days INTEGER NOT NULL CHECK (max_days >= min_days),
  position INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO project_kinds (kind, title_ru, title_en, notice_days, min_days, max_days, position) VALUES
  ('general_plan', 'Генеральный план', 'General plan', 7, 30, 90, 1),
  ('land_use_rules', 'Правила землепользования и застройки', 'Land use and development rules', 7, 30, 90, 2),
  ('territory_planning', 'Проект планировки территории', 'Territory planning project', 7, 14, 30, 3),
  ('land_surveying', 'Проект межевания территории', 'Land surveying project', 7, 14, 30, 4),
  ('landscaping_rules', 'Правила благоустройства', 'Landscaping rules', 7, 30, 90, 5),
  ('conditional_use_permit', 'Разрешение на условно разрешённый вид использования', 'Permit for a conditionally permitted use', 7, 7, 30, 6),
  ('deviation_permit', 'Разрешение на отклонение от предельных параметров', 'Permit to deviate from construction limits', 7, 7, 30, 7);

CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  kind TEXT NOT NULL REFERENCES project_kinds(kind),
  description TEXT NOT NULL DEFAULT '',
  organizer TEXT NOT NULL,
  created_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX projects_kind ON projects(kind);

CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  filename TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  created_at INTEGER NOT NULL,
  created_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL
);
CREATE INDEX documents_project ON documents(project_id);

CREATE TABLE discussions (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
    ('draft', 'announced', 'open', 'closed', 'protocol', 'concluded', 'cancelled')),
  announce_at INTEGER NOT NULL,
  opens_at INTEGER NOT NULL,
  closes_at INTEGER NOT NULL,
  protocol_at INTEGER,
  concluded_at INTEGER,
  notice TEXT,
  area_m2 REAL NOT NULL DEFAULT 0,
  territory_geojson TEXT NOT NULL,
  minx REAL NOT NULL,
  miny REAL NOT NULL,
  maxx REAL NOT NULL,
  maxy REAL NOT NULL,
  created_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
SELECT AddGeometryColumn('discussions', 'territory', 4326, 'MULTIPOLYGON', 'XY', 1);
SELECT CreateSpatialIndex('discussions', 'territory');
CREATE INDEX discussions_project ON discussions(project_id);
CREATE INDEX discussions_status ON discussions(status);
-- the scheduler's scans
CREATE INDEX discussions_due_open ON discussions(opens_at) WHERE status = 'announced';
CREATE INDEX discussions_due_close ON discussions(closes_at) WHERE status = 'open';

CREATE TABLE exposition_places (
  id INTEGER PRIMARY KEY,
  discussion_id INTEGER NOT NULL REFERENCES discussions(id) ON DELETE CASCADE,
  place TEXT NOT NULL,
  hours TEXT,
  opens_at INTEGER,
  closes_at INTEGER
);
CREATE INDEX exposition_places_discussion ON exposition_places(discussion_id);

-- Lifecycle timeline; actor_id NULL means moved by the schedule.
CREATE TABLE discussion_events (
  id INTEGER PRIMARY KEY,
  discussion_id INTEGER NOT NULL REFERENCES discussions(id) ON DELETE CASCADE,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  note TEXT
);
CREATE INDEX discussion_events_discussion ON discussion_events(discussion_id, at, id);

-- Every moderator action: who, what, when, why.
CREATE TABLE moderation_log (
  id INTEGER PRIMARY KEY,
  actor_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id INTEGER,
  reason TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX moderation_log_at ON moderation_log(at, id);
CREATE INDEX moderation_log_target ON moderation_log(target_type, target_id);

CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  discussion_id INTEGER NOT NULL REFERENCES discussions(id) ON DELETE CASCADE,
  author_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  registration_number TEXT UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('proposal', 'remark', 'question')),
  channel TEXT NOT NULL DEFAULT 'online' CHECK (channel IN
    ('online', 'paper', 'email', 'exposition_book')),
  body TEXT NOT NULL,
  parent_id INTEGER REFERENCES comments(id) ON DELETE SET NULL,
  document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
  page INTEGER CHECK (page IS NULL OR page >= 1),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
    ('pending', 'published', 'rejected', 'withdrawn')),
  basis TEXT CHECK (basis IS NULL OR basis IN ('resident', 'rightholder')),
  moderation_reason TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
SELECT AddGeometryColumn('comments', 'location', 4326, 'GEOMETRY', 'XY', 0);
SELECT CreateSpatialIndex('comments', 'location');
CREATE INDEX comments_discussion ON comments(discussion_id, status, id);
CREATE INDEX comments_author ON comments(author_id);
CREATE INDEX comments_parent ON comments(parent_id);

-- Reference layers (import and demo data).
CREATE TABLE districts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  osm_id TEXT
);
SELECT AddGeometryColumn('districts', 'geometry', 4326, 'MULTIPOLYGON', 'XY', 1);
SELECT CreateSpatialIndex('districts', 'geometry');

CREATE TABLE address_registry (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL UNIQUE,
  district TEXT
);
SELECT AddGeometryColumn('address_registry', 'geometry', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('address_registry', 'geometry');

CREATE TABLE parcels (
  id INTEGER PRIMARY KEY,
  cadastral_number TEXT NOT NULL UNIQUE,
  use TEXT
);
SELECT AddGeometryColumn('parcels', 'geometry', 4326, 'MULTIPOLYGON', 'XY', 1);
SELECT CreateSpatialIndex('parcels', 'geometry');

-- Full-text search over discussions: own title, project title and project
-- description. unicode61 case-folds Cyrillic; kept in sync by triggers.
CREATE VIRTUAL TABLE discussions_fts USING fts5(
  title, project_title, description,
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER discussions_fts_ai AFTER INSERT ON discussions BEGIN
  INSERT INTO discussions_fts (rowid, title, project_title, description)
    SELECT new.id, new.title, p.title, p.description FROM projects p WHERE p.id = new.project_id;
END;
CREATE TRIGGER discussions_fts_au AFTER UPDATE OF title, project_id ON discussions BEGIN
  DELETE FROM discussions_fts WHERE rowid = old.id;
  INSERT INTO discussions_fts (rowid, title, project_title, description)
    SELECT new.id, new.title, p.title, p.description FROM projects p WHERE p.id = new.project_id;
END;
CREATE TRIGGER discussions_fts_ad AFTER DELETE ON discussions BEGIN
  DELETE FROM discussions_fts WHERE rowid = old.id;
END;
CREATE TRIGGER projects_fts_au AFTER UPDATE OF title, description ON projects BEGIN
  UPDATE discussions_fts SET project_title = new.title, description = new.description
    WHERE rowid IN (SELECT id FROM discussions WHERE project_id = new.id);
END;

-- 0007_content_versions.sql (PostgreSQL translation of ../0007_content_versions.sql)
-- Differs: SQLite's 44 trigger bodies -> three plpgsql functions shared by
-- row-level AFTER triggers with the same names, events and (for
-- discussions) the same UPDATE OF column list; same upserts (ON CONFLICT).
-- Row level as in SQLite (SQLite has no statement triggers); statement-level
-- triggers would bump scope 0 once per statement instead (cheaper, and as
-- good for cache validity) - left for the main session to decide.
-- cv_supports_*: when supports go because their comment is deleted (the
-- cascade), the comment is already gone and the scope subquery is NULL. In
-- SQLite, NULL into the INTEGER PRIMARY KEY scope makes a NEW row with
-- scope max(scope)+1 (a spurious version row); in PG it would violate NOT
-- NULL and fail the delete, so the function skips a NULL scope (the
-- comment's own delete trigger bumps the discussion's scope already).
-- Scope 0 is the catalogue; scope d > 0 is the comments of discussion d.
CREATE TABLE content_versions (
  scope bigint PRIMARY KEY,
  v bigint NOT NULL
);
INSERT INTO content_versions (scope, v) VALUES (0, 1);

CREATE FUNCTION cv_bump_catalogue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
  RETURN NULL;
END $$;

CREATE FUNCTION cv_bump_comments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN d := OLD.discussion_id; ELSE d := NEW.discussion_id; END IF;
  INSERT INTO content_versions AS cv (scope, v) VALUES (d, 1)
    ON CONFLICT (scope) DO UPDATE SET v = cv.v + 1;
  RETURN NULL;
END $$;

CREATE FUNCTION cv_bump_supports() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d bigint; c bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN c := OLD.comment_id; ELSE c := NEW.comment_id; END IF;
  SELECT discussion_id INTO d FROM comments WHERE id = c;
  IF d IS NOT NULL THEN
    INSERT INTO content_versions AS cv (scope, v) VALUES (d, 1)
      ON CONFLICT (scope) DO UPDATE SET v = cv.v + 1;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER cv_projects_i AFTER INSERT ON projects
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_projects_u AFTER UPDATE ON projects
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_projects_d AFTER DELETE ON projects
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_project_kinds_i AFTER INSERT ON project_kinds
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_project_kinds_u AFTER UPDATE ON project_kinds
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_project_kinds_d AFTER DELETE ON project_kinds
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_documents_i AFTER INSERT ON documents
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_documents_u AFTER UPDATE ON documents
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_documents_d AFTER DELETE ON documents
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_discussions_i AFTER INSERT ON discussions
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

-- every column but comment_seq: a new proposal taking its number changes
-- nothing the catalogue shows
CREATE TRIGGER cv_discussions_u AFTER UPDATE OF project_id, title, status, announce_at, opens_at,
  closes_at, protocol_at, concluded_at, notice, area_m2, territory_geojson, minx, miny, maxx, maxy,
  created_by, created_at, updated_at, territory ON discussions
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_discussions_d AFTER DELETE ON discussions
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_exposition_places_i AFTER INSERT ON exposition_places
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_exposition_places_u AFTER UPDATE ON exposition_places
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_exposition_places_d AFTER DELETE ON exposition_places
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_discussion_events_i AFTER INSERT ON discussion_events
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_discussion_events_u AFTER UPDATE ON discussion_events
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_discussion_events_d AFTER DELETE ON discussion_events
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_report_documents_i AFTER INSERT ON report_documents
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_report_documents_u AFTER UPDATE ON report_documents
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_report_documents_d AFTER DELETE ON report_documents
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_districts_i AFTER INSERT ON districts
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_districts_u AFTER UPDATE ON districts
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_districts_d AFTER DELETE ON districts
  FOR EACH ROW EXECUTE FUNCTION cv_bump_catalogue();

CREATE TRIGGER cv_comments_i AFTER INSERT ON comments
  FOR EACH ROW EXECUTE FUNCTION cv_bump_comments();

CREATE TRIGGER cv_comments_u AFTER UPDATE ON comments
  FOR EACH ROW EXECUTE FUNCTION cv_bump_comments();

CREATE TRIGGER cv_comments_d AFTER DELETE ON comments
  FOR EACH ROW EXECUTE FUNCTION cv_bump_comments();

CREATE TRIGGER cv_supports_i AFTER INSERT ON comment_supports
  FOR EACH ROW EXECUTE FUNCTION cv_bump_supports();

CREATE TRIGGER cv_supports_d AFTER DELETE ON comment_supports
  FOR EACH ROW EXECUTE FUNCTION cv_bump_supports();

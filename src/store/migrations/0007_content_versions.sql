-- 0007: content versions for the response cache (src/api/cache.c). Scope
-- 0 is the catalogue (projects, documents, discussions with their stages,
-- expositions and reports, districts); scope d > 0 is the comments of
-- discussion d (and their supports). Triggers bump them on every write, so
-- no write path can forget to, including other processes (kengash import).
-- A cached response is valid while the versions it was built with hold.
CREATE TABLE content_versions (
  scope INTEGER PRIMARY KEY,
  v INTEGER NOT NULL
);
INSERT INTO content_versions (scope, v) VALUES (0, 1);

CREATE TRIGGER cv_projects_i AFTER INSERT ON projects BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_projects_u AFTER UPDATE ON projects BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_projects_d AFTER DELETE ON projects BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_project_kinds_i AFTER INSERT ON project_kinds BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_project_kinds_u AFTER UPDATE ON project_kinds BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_project_kinds_d AFTER DELETE ON project_kinds BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_documents_i AFTER INSERT ON documents BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_documents_u AFTER UPDATE ON documents BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_documents_d AFTER DELETE ON documents BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_discussions_i AFTER INSERT ON discussions BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

-- every column but comment_seq: a new proposal taking its number changes
-- nothing the catalogue shows
CREATE TRIGGER cv_discussions_u AFTER UPDATE OF project_id, title, status, announce_at, opens_at,
  closes_at, protocol_at, concluded_at, notice, area_m2, territory_geojson, minx, miny, maxx, maxy,
  created_by, created_at, updated_at, territory ON discussions BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_discussions_d AFTER DELETE ON discussions BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_exposition_places_i AFTER INSERT ON exposition_places BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_exposition_places_u AFTER UPDATE ON exposition_places BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_exposition_places_d AFTER DELETE ON exposition_places BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_discussion_events_i AFTER INSERT ON discussion_events BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_discussion_events_u AFTER UPDATE ON discussion_events BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_discussion_events_d AFTER DELETE ON discussion_events BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_report_documents_i AFTER INSERT ON report_documents BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_report_documents_u AFTER UPDATE ON report_documents BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_report_documents_d AFTER DELETE ON report_documents BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_districts_i AFTER INSERT ON districts BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_districts_u AFTER UPDATE ON districts BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_districts_d AFTER DELETE ON districts BEGIN
  UPDATE content_versions SET v = v + 1 WHERE scope = 0;
END;

CREATE TRIGGER cv_comments_i AFTER INSERT ON comments BEGIN
  INSERT INTO content_versions (scope, v) VALUES (NEW.discussion_id, 1)
    ON CONFLICT (scope) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER cv_comments_u AFTER UPDATE ON comments BEGIN
  INSERT INTO content_versions (scope, v) VALUES (NEW.discussion_id, 1)
    ON CONFLICT (scope) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER cv_comments_d AFTER DELETE ON comments BEGIN
  INSERT INTO content_versions (scope, v) VALUES (OLD.discussion_id, 1)
    ON CONFLICT (scope) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER cv_supports_i AFTER INSERT ON comment_supports BEGIN
  INSERT INTO content_versions (scope, v) VALUES ((SELECT discussion_id FROM comments WHERE id = NEW.comment_id), 1)
    ON CONFLICT (scope) DO UPDATE SET v = v + 1;
END;

CREATE TRIGGER cv_supports_d AFTER DELETE ON comment_supports BEGIN
  INSERT INTO content_versions (scope, v) VALUES ((SELECT discussion_id FROM comments WHERE id = OLD.comment_id), 1)
    ON CONFLICT (scope) DO UPDATE SET v = v + 1;
END;

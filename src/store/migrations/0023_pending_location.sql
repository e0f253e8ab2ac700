-- 0023: a proposal's point enters the spatial index when moderation
-- decides it, not when the citizen sends it. The R*Tree of
-- comments.location (SpatiaLite's registered index, which GDAL, QGIS and
-- MapServer use on this file) cost a proposal about a third of the
-- group-commit writer's pages: a leaf of SQLite's R*Tree holds at most 51
-- cells, and when one overflows the R*-tree algorithm reinserts a third of
-- them elsewhere and rewrites the rowid mapping of each, scattered over
-- the table (docs/performance.md, 2026-12-06). A pending proposal's point
-- is kept in pending_location (a SpatiaLite geometry, not a registered
-- column), and comments.location is NULL while it waits; so the index
-- still covers every row that has a location, as CheckSpatialIndex
-- requires, and its insert moves from the citizen's POST to the
-- moderator's decision, which people pace. The triggers below move the
-- point whenever the status leaves 'pending' (published, rejected,
-- withdrawn) or returns to it, whatever program changes the row; the
-- store's reads of pending proposals look at both columns (comments.c).
-- A row inserted as pending with a location (by another program) is
-- merely indexed early: every read still finds it.
ALTER TABLE comments ADD COLUMN pending_location BLOB;
-- the pending proposals that have a point: a bbox over them reads these
CREATE INDEX comments_pending_located ON comments(id) WHERE pending_location IS NOT NULL;

CREATE TRIGGER comments_location_decided AFTER UPDATE OF status ON comments
FOR EACH ROW WHEN NEW.status <> 'pending' AND NEW.pending_location IS NOT NULL BEGIN
  UPDATE comments SET location = NEW.pending_location, pending_location = NULL
    WHERE id = NEW.id;
END;

CREATE TRIGGER comments_location_pending AFTER UPDATE OF status ON comments
FOR EACH ROW WHEN NEW.status = 'pending' AND NEW.location IS NOT NULL BEGIN
  UPDATE comments SET pending_location = NEW.location, location = NULL WHERE id = NEW.id;
END;

UPDATE comments SET pending_location = location, location = NULL
  WHERE status = 'pending' AND location IS NOT NULL;

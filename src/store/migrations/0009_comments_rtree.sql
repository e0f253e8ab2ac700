-- 0009: the spatial index of comments kept up by plain SQL. SpatiaLite 5's
-- triggers (CreateSpatialIndex) call RTreeAlign(), which formats an INSERT
-- as text and runs it with sqlite3_exec: a parse and prepare of SQL for
-- every proposal, a sixth of the group-commit writer's time. SQLite's
-- R*Tree rounds minima down and maxima up to its 32-bit floats by itself,
-- so these index the same boxes. (CreateSpatialIndex or
-- RecoverSpatialIndex on comments would put SpatiaLite's triggers back:
-- they still work, only slower.)
DROP TRIGGER IF EXISTS gii_comments_location;
CREATE TRIGGER gii_comments_location AFTER INSERT ON comments
FOR EACH ROW WHEN NEW.location IS NOT NULL BEGIN
  INSERT OR REPLACE INTO idx_comments_location (pkid, xmin, xmax, ymin, ymax)
    VALUES (NEW.ROWID, MbrMinX(NEW.location), MbrMaxX(NEW.location),
            MbrMinY(NEW.location), MbrMaxY(NEW.location));
END;
DROP TRIGGER IF EXISTS giu_comments_location;
CREATE TRIGGER giu_comments_location AFTER UPDATE OF location ON comments
FOR EACH ROW BEGIN
  DELETE FROM idx_comments_location WHERE pkid = NEW.ROWID;
  INSERT INTO idx_comments_location (pkid, xmin, xmax, ymin, ymax)
    SELECT NEW.ROWID, MbrMinX(NEW.location), MbrMaxX(NEW.location),
           MbrMinY(NEW.location), MbrMaxY(NEW.location)
    WHERE NEW.location IS NOT NULL;
END;

-- 0019: the open-data read path whose cost does not grow with scatter
-- (issue 17). open_comments holds every published located comment (the
-- OGC API "comments" collection), already serialized as the GeoJSON Feature
-- the API emits, clustered by a Z-order (Morton) cell of its position, so
-- that a bbox is a few range scans over contiguous pages instead of about
-- one random row read per feature (src/store/ogc.c computes the ranges).
--
-- cell: 24 bits of longitude over [-180, 180) and 24 of latitude over
-- [-90, 90) (about 2 m), interleaved (x in the even bits), for points;
-- 2^48 + the cell of the bbox's centre for other geometries whose bbox is
-- at most 0.02 degrees each way (a query looks for them with its box grown
-- by 0.01); 2^49 for larger ones (every bbox query reads them all: they
-- are rare). geom: the geometry for the exact test, NULL for points (their
-- bbox test is exact). head: the Feature's text without its closing "}}"
-- and without its last property, supports, which is its own column (kept
-- by the triggers on comment_supports). Everything else is kept by the
-- triggers below, in the transaction of the change: publish, reject,
-- withdraw, edit, move, delete. Plain SQL (and SpatiaLite's Mbr*
-- functions, as 0009's index needs), so any connection can write comments.

-- The bits of b (0..255) spread to the even bits of a 16-bit number. (In
-- SQLite <<, >>, & and | bind equally tight, left to right: hence the
-- parentheses.)
CREATE TABLE ogc_spread (b INTEGER PRIMARY KEY, s INTEGER NOT NULL);
INSERT INTO ogc_spread (b, s)
  WITH RECURSIVE n(b) AS (SELECT 0 UNION ALL SELECT b + 1 FROM n WHERE b < 255)
  SELECT b, (b & 1) | ((b & 2) << 1) | ((b & 4) << 2) | ((b & 8) << 3) | ((b & 16) << 4) |
            ((b & 32) << 5) | ((b & 64) << 6) | ((b & 128) << 7) FROM n;

CREATE TABLE open_comments (
  cell INTEGER NOT NULL,
  id INTEGER NOT NULL,
  minx REAL NOT NULL,
  miny REAL NOT NULL,
  maxx REAL NOT NULL,
  maxy REAL NOT NULL,
  created_at INTEGER NOT NULL,
  supports INTEGER NOT NULL,
  geom BLOB,
  head TEXT NOT NULL,
  PRIMARY KEY (cell, id)
) WITHOUT ROWID;
CREATE INDEX open_comments_id ON open_comments(id);
-- The bbox scan of points reads only this (about 60 bytes a row, against
-- some 500 in the table): the rows of a box's cells are a few pages.
CREATE INDEX open_comments_scan ON open_comments(cell, minx, miny, maxx, maxy, created_at);

-- What open_comments holds for each comment: the one definition the
-- backfill and every trigger use.
CREATE VIEW open_comments_src AS
SELECT CASE
         WHEN pt THEN zx | (zy << 1)
         WHEN maxx - minx <= 0.02 AND maxy - miny <= 0.02 THEN (1 << 48) + (zx | (zy << 1))
         ELSE 1 << 49
       END AS cell,
       id, minx, miny, maxx, maxy, created_at, supports,
       CASE WHEN pt THEN NULL ELSE location END AS geom, head
FROM (
  SELECT *,
         (SELECT s FROM ogc_spread WHERE b = qx & 255) |
         ((SELECT s FROM ogc_spread WHERE b = (qx >> 8) & 255) << 16) |
         ((SELECT s FROM ogc_spread WHERE b = qx >> 16) << 32) AS zx,
         (SELECT s FROM ogc_spread WHERE b = qy & 255) |
         ((SELECT s FROM ogc_spread WHERE b = (qy >> 8) & 255) << 16) |
         ((SELECT s FROM ogc_spread WHERE b = qy >> 16) << 32) AS zy
  FROM (
    SELECT *,
           max(0, min(16777215, CAST(((minx + maxx) / 2 - -180.0) * 16777216.0 / 360.0
                                     AS INTEGER))) AS qx,
           max(0, min(16777215, CAST(((miny + maxy) / 2 - -90.0) * 16777216.0 / 180.0
                                     AS INTEGER))) AS qy
    FROM (
      SELECT c.id, c.location, c.created_at,
             GeometryType(c.location) = 'POINT' AS pt,
             MbrMinX(c.location) AS minx, MbrMinY(c.location) AS miny,
             MbrMaxX(c.location) AS maxx, MbrMaxY(c.location) AS maxy,
             (SELECT count(*) FROM comment_supports s WHERE s.comment_id = c.id) AS supports,
             '{"type":"Feature","id":' || c.id || ',"geometry":' || coalesce(c.location_geojson, 'null') ||
             ',"properties":{"discussion_id":' || c.discussion_id ||
             ',"registration_number":' || json_quote(c.registration_number) ||
             ',"kind":' || json_quote(c.kind) || ',"body":' || json_quote(c.body) ||
             ',"official":' || CASE WHEN c.official THEN 'true' ELSE 'false' END ||
             ',"created_at":"' || strftime('%Y-%m-%dT%H:%M:%SZ', c.created_at, 'unixepoch') ||
             '"' AS head
      FROM comments c
      WHERE c.status = 'published' AND c.location IS NOT NULL)));

INSERT INTO open_comments SELECT * FROM open_comments_src ORDER BY cell, id;

CREATE TRIGGER open_comments_i AFTER INSERT ON comments
FOR EACH ROW WHEN NEW.status = 'published' AND NEW.location IS NOT NULL BEGIN
  INSERT INTO open_comments SELECT * FROM open_comments_src WHERE id = NEW.id;
END;
CREATE TRIGGER open_comments_u AFTER UPDATE OF id, discussion_id, registration_number, kind,
  body, status, official, created_at, location, location_geojson ON comments
FOR EACH ROW BEGIN
  DELETE FROM open_comments WHERE id = OLD.id;
  INSERT INTO open_comments SELECT * FROM open_comments_src WHERE id = NEW.id;
END;
CREATE TRIGGER open_comments_d AFTER DELETE ON comments
FOR EACH ROW BEGIN
  DELETE FROM open_comments WHERE id = OLD.id;
END;
CREATE TRIGGER open_comments_support_i AFTER INSERT ON comment_supports
FOR EACH ROW BEGIN
  UPDATE open_comments SET supports = supports + 1 WHERE id = NEW.comment_id;
END;
CREATE TRIGGER open_comments_support_d AFTER DELETE ON comment_supports
FOR EACH ROW BEGIN
  UPDATE open_comments SET supports = supports - 1 WHERE id = OLD.comment_id;
END;

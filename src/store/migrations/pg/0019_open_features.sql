-- 0019_open_features.sql (PostgreSQL translation of ../0019_open_features.sql)
-- Differs:
-- * open_comments WITHOUT ROWID (rows stored in (cell, id) order) -> a heap
--   table with the same primary key. PG does not keep a table in index
--   order: CLUSTER open_comments USING open_comments_pkey after the
--   backfill (done below) and now and then (e.g. from the maintenance
--   job) restores the locality; the covering index open_comments_scan
--   gives index-only scans of a box's cells once the table is vacuumed
--   (visibility map), which is the part the SQLite comment relies on.
-- * geom BLOB (SpatiaLite geometry) -> geometry(Geometry,4326).
-- * The view: MbrMinX/... -> ST_XMin/..., GeometryType() is the same name
--   (PostGIS also answers 'POINT'), json_quote(x) -> to_json(x)::text with
--   'null' for NULL (json_quote(NULL) is 'null' in SQLite, to_json(NULL) is
--   NULL in PG and would null the whole head), strftime(..., 'unixepoch')
--   -> to_char(to_timestamp(..) AT TIME ZONE 'UTC', ...), max/min of two ->
--   greatest/least, CAST(real AS INTEGER) (truncates) -> trunc()::bigint
--   (a PG cast rounds), literals shifted past 31 bits made bigint (1 << 48
--   on int4 wraps in PG), `WHEN c.official` -> c.official <> 0, and every
--   derived table given an alias (required before PG 16).
-- * Triggers -> plpgsql functions with the same names, events, UPDATE OF
--   lists and WHEN conditions.
-- open_comments holds every published located comment already serialized
-- as the GeoJSON Feature the OGC API emits, ordered by a Z-order (Morton)
-- cell of its position (see the SQLite file for the cell layout).

-- The bits of b (0..255) spread to the even bits of a 16-bit number.
CREATE TABLE ogc_spread (b bigint PRIMARY KEY, s bigint NOT NULL);
INSERT INTO ogc_spread (b, s)
  WITH RECURSIVE n(b) AS (SELECT 0 UNION ALL SELECT b + 1 FROM n WHERE b < 255)
  SELECT b, (b & 1) | ((b & 2) << 1) | ((b & 4) << 2) | ((b & 8) << 3) | ((b & 16) << 4) |
            ((b & 32) << 5) | ((b & 64) << 6) | ((b & 128) << 7) FROM n;

CREATE TABLE open_comments (
  cell bigint NOT NULL,
  id bigint NOT NULL,
  minx double precision NOT NULL,
  miny double precision NOT NULL,
  maxx double precision NOT NULL,
  maxy double precision NOT NULL,
  created_at bigint NOT NULL,
  supports bigint NOT NULL,
  geom geometry(Geometry, 4326),
  head text NOT NULL,
  PRIMARY KEY (cell, id)
);
CREATE INDEX open_comments_id ON open_comments(id);
CREATE INDEX open_comments_scan ON open_comments(cell, minx, miny, maxx, maxy, created_at);

-- What open_comments holds for each comment: the one definition the
-- backfill and every trigger use.
CREATE VIEW open_comments_src AS
SELECT CASE
         WHEN pt THEN zx | (zy << 1)
         WHEN maxx - minx <= 0.02 AND maxy - miny <= 0.02 THEN (1::bigint << 48) + (zx | (zy << 1))
         ELSE 1::bigint << 49
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
           greatest(0, least(16777215, trunc(((minx + maxx) / 2 - -180.0) * 16777216.0 / 360.0)
                                       ::bigint)) AS qx,
           greatest(0, least(16777215, trunc(((miny + maxy) / 2 - -90.0) * 16777216.0 / 180.0)
                                       ::bigint)) AS qy
    FROM (
      SELECT c.id, c.location, c.created_at,
             GeometryType(c.location) = 'POINT' AS pt,
             ST_XMin(c.location) AS minx, ST_YMin(c.location) AS miny,
             ST_XMax(c.location) AS maxx, ST_YMax(c.location) AS maxy,
             (SELECT count(*) FROM comment_supports s WHERE s.comment_id = c.id) AS supports,
             '{"type":"Feature","id":' || c.id || ',"geometry":' || coalesce(c.location_geojson, 'null') ||
             ',"properties":{"discussion_id":' || c.discussion_id ||
             ',"registration_number":' || coalesce(to_json(c.registration_number)::text, 'null') ||
             ',"kind":' || coalesce(to_json(c.kind)::text, 'null') ||
             ',"body":' || coalesce(to_json(c.body)::text, 'null') ||
             ',"official":' || CASE WHEN c.official <> 0 THEN 'true' ELSE 'false' END ||
             ',"created_at":"' ||
             to_char(to_timestamp(c.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') ||
             '"' AS head
      FROM comments c
      WHERE c.status = 'published' AND c.location IS NOT NULL) AS b) AS q) AS z;

INSERT INTO open_comments SELECT * FROM open_comments_src ORDER BY cell, id;
CLUSTER open_comments USING open_comments_pkey;

CREATE FUNCTION open_comments_i() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO open_comments SELECT * FROM open_comments_src WHERE id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER open_comments_i AFTER INSERT ON comments
  FOR EACH ROW WHEN (NEW.status = 'published' AND NEW.location IS NOT NULL)
  EXECUTE FUNCTION open_comments_i();

CREATE FUNCTION open_comments_u() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM open_comments WHERE id = OLD.id;
  INSERT INTO open_comments SELECT * FROM open_comments_src WHERE id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER open_comments_u AFTER UPDATE OF id, discussion_id, registration_number, kind,
  body, status, official, created_at, location, location_geojson ON comments
  FOR EACH ROW EXECUTE FUNCTION open_comments_u();

CREATE FUNCTION open_comments_d() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM open_comments WHERE id = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER open_comments_d AFTER DELETE ON comments
  FOR EACH ROW EXECUTE FUNCTION open_comments_d();

CREATE FUNCTION open_comments_support_i() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE open_comments SET supports = supports + 1 WHERE id = NEW.comment_id;
  RETURN NULL;
END $$;
CREATE TRIGGER open_comments_support_i AFTER INSERT ON comment_supports
  FOR EACH ROW EXECUTE FUNCTION open_comments_support_i();

CREATE FUNCTION open_comments_support_d() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE open_comments SET supports = supports - 1 WHERE id = OLD.comment_id;
  RETURN NULL;
END $$;
CREATE TRIGGER open_comments_support_d AFTER DELETE ON comment_supports
  FOR EACH ROW EXECUTE FUNCTION open_comments_support_d();

-- PostgreSQL only: the names of SQLite and SpatiaLite that the store's
-- statements use, as thin functions and operators over PostgreSQL and
-- PostGIS, so one statement text runs on both engines (db.h, "The engine
-- seam" in docs/postgres-spike.md). Every statement is CREATE OR REPLACE
-- (or guarded): kg_store_migrate runs this file after the migrations,
-- every time. Not a migration: it holds no data and no schema.

-- boolean = integer: SpatiaLite's predicates return 1/0, so the store
-- writes `ST_Intersects(a, b) = 1`; PostGIS returns boolean.
CREATE OR REPLACE FUNCTION kg_bool_eq_int(boolean, integer) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT $1 = ($2 <> 0)';
CREATE OR REPLACE FUNCTION kg_bool_eq_int(boolean, bigint) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT $1 = ($2 <> 0)';
DO $$ BEGIN
  CREATE OPERATOR = (LEFTARG = boolean, RIGHTARG = integer, FUNCTION = kg_bool_eq_int);
EXCEPTION WHEN duplicate_function THEN NULL;
END $$;
DO $$ BEGIN
  CREATE OPERATOR = (LEFTARG = boolean, RIGHTARG = bigint, FUNCTION = kg_bool_eq_int);
EXCEPTION WHEN duplicate_function THEN NULL;
END $$;
CREATE OR REPLACE FUNCTION kg_bool_ne_int(boolean, integer) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT $1 <> ($2 <> 0)';
DO $$ BEGIN
  CREATE OPERATOR <> (LEFTARG = boolean, RIGHTARG = integer, FUNCTION = kg_bool_ne_int);
EXCEPTION WHEN duplicate_function THEN NULL;
END $$;

-- SQLite's scalar functions
CREATE OR REPLACE FUNCTION ifnull(anyelement, anyelement) RETURNS anyelement
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT coalesce($1, $2)';
CREATE OR REPLACE FUNCTION unixepoch() RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE AS 'SELECT extract(epoch FROM now())::bigint';
-- strftime(format, unix seconds, 'unixepoch') in UTC, for the formats the
-- store uses: %Y %m %d %H %M %S (anything else in the format is copied)
CREATE OR REPLACE FUNCTION strftime(text, bigint, text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN $3 = 'unixepoch' THEN
  to_char(to_timestamp($2) AT TIME ZONE 'UTC',
          '"' || replace(replace(replace(replace(replace(replace(replace($1, '"', '\"'),
          '%Y', '"YYYY"'), '%m', '"MM"'), '%d', '"DD"'), '%H', '"HH24"'), '%M', '"MI"'),
          '%S', '"SS"') || '"')
END $$;

-- group_concat(x) and group_concat(x, separator): NULLs skipped, ',' by
-- default; the order is the rows' order, unspecified as in SQLite
CREATE OR REPLACE FUNCTION kg_group_concat_step(text, text, text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  'SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2 ELSE $1 || $3 || $2 END';
CREATE OR REPLACE FUNCTION kg_group_concat_step(text, text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT kg_group_concat_step($1, $2, '','')';
CREATE OR REPLACE AGGREGATE group_concat(text) (SFUNC = kg_group_concat_step, STYPE = text);
CREATE OR REPLACE AGGREGATE group_concat(text, text) (SFUNC = kg_group_concat_step, STYPE = text);

-- sum(condition): SQLite counts the rows where a comparison holds (1/0)
CREATE OR REPLACE FUNCTION kg_sum_bool_step(bigint, boolean) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  'SELECT CASE WHEN $2 IS NULL THEN $1 ELSE coalesce($1, 0) + CASE WHEN $2 THEN 1 ELSE 0 END END';
CREATE OR REPLACE AGGREGATE sum(boolean) (SFUNC = kg_sum_bool_step, STYPE = bigint);

-- SpatiaLite's names over PostGIS
-- SpatiaLite answers NULL for text that is not WKT (the store then sees a
-- NOT NULL or CHECK violation: KG_EINVAL); PostGIS raises XX000.
CREATE OR REPLACE FUNCTION GeomFromText(text, integer) RETURNS geometry
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN ST_GeomFromText($1, $2);
EXCEPTION WHEN internal_error THEN
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION AsText(geometry) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_AsText($1)';
CREATE OR REPLACE FUNCTION AsGeoJSON(geometry) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_AsGeoJSON($1)';
CREATE OR REPLACE FUNCTION AsGeoJSON(geometry, integer) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_AsGeoJSON($1, $2)';
-- as SpatiaLite: NULL for anything but a (multi)polygon
CREATE OR REPLACE FUNCTION CastToMultiPolygon(geometry) RETURNS geometry
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  'SELECT CASE WHEN GeometryType($1) IN (''POLYGON'', ''MULTIPOLYGON'') THEN ST_Multi($1) END';
CREATE OR REPLACE FUNCTION MakePoint(double precision, double precision, integer)
  RETURNS geometry
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_SetSRID(ST_MakePoint($1, $2), $3)';
CREATE OR REPLACE FUNCTION BuildMbr(double precision, double precision, double precision,
  double precision, integer) RETURNS geometry
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_MakeEnvelope($1, $2, $3, $4, $5)';
CREATE OR REPLACE FUNCTION MbrMinX(geometry) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_XMin($1)';
CREATE OR REPLACE FUNCTION MbrMinY(geometry) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_YMin($1)';
CREATE OR REPLACE FUNCTION MbrMaxX(geometry) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_XMax($1)';
CREATE OR REPLACE FUNCTION MbrMaxY(geometry) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_YMax($1)';
CREATE OR REPLACE FUNCTION CastToPoint(geometry) RETURNS geometry
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  'SELECT CASE WHEN GeometryType($1) = ''POINT'' THEN $1 END';
CREATE OR REPLACE FUNCTION X(geometry) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_X($1)';
CREATE OR REPLACE FUNCTION Y(geometry) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_Y($1)';
CREATE OR REPLACE FUNCTION IsValidReason(geometry) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_IsValidReason($1)';
-- SpatiaLite's geodesic forms: ST_Area(g, 1) in m², PtDistWithin(a, b, d, 1)
-- in metres, both on the ellipsoid
CREATE OR REPLACE FUNCTION ST_Area(geometry, integer) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_Area($1::geography, $2 <> 0)';
CREATE OR REPLACE FUNCTION PtDistWithin(geometry, geometry, double precision, integer)
  RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_DWithin($1::geography, $2::geography, $3)';
CREATE OR REPLACE FUNCTION MbrIntersects(geometry, geometry) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT $1 && $2';
-- point_in_area.c's shortcut before GEOS: NULL is "ask ST_Intersects or
-- ST_Within", which PostGIS answers on a prepared geometry anyway
CREATE OR REPLACE FUNCTION kg_point_in_area(geometry, geometry) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT NULL::integer';
-- SQLite's two-argument min() and max() (scalar, beside the aggregates)
CREATE OR REPLACE FUNCTION min(bigint, bigint) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT LEAST($1, $2)';
CREATE OR REPLACE FUNCTION max(bigint, bigint) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT GREATEST($1, $2)';
CREATE OR REPLACE FUNCTION min(double precision, double precision) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT LEAST($1, $2)';
CREATE OR REPLACE FUNCTION max(double precision, double precision) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT GREATEST($1, $2)';
-- an SRID computed with the two-argument max() above arrives as a double
CREATE OR REPLACE FUNCTION ST_Transform(geometry, double precision) RETURNS geometry
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ST_Transform($1, $2::integer)';
-- SQLite's instr(haystack, needle): the 1-based position, 0 when absent;
-- byte-wise like SQLite's (and so usable on a column of the
-- nondeterministic "nocase" collation, which strpos refuses)
CREATE OR REPLACE FUNCTION instr(text, text) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT strpos($1 COLLATE "C", $2 COLLATE "C")';

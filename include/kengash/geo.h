/* geo.h: GeoJSON geometry parsing and validation, CRS transforms to
 * EPSG:4326 (lon/lat) through PROJ, GeoJSON and WKT writers, geodesic area.
 * No SQL here: topological validity (self-intersection) is checked by
 * SpatiaLite in store/. */
#ifndef KENGASH_GEO_H
#define KENGASH_GEO_H

#include <stddef.h>

#include <jansson.h>

#include "kengash/core.h"

/* Per-thread context: owns a PJ_CONTEXT (with a silent log function) and a
 * small LRU cache of PROJ transforms keyed by (source CRS, target CRS)
 * strings. A context must be used by one thread at a time; the module has
 * no other mutable state, so threads with their own contexts never meet. */
struct kg_geo_ctx;

/* Creates a context. Returns NULL only when PROJ cannot create its context.
 * Free with kg_geo_ctx_free(). */
struct kg_geo_ctx *kg_geo_ctx_new(void);
/* Frees the context and every cached transform. NULL is a no-op. */
void kg_geo_ctx_free(struct kg_geo_ctx *p);

/* Number of cached transforms a context keeps (least recently used is
 * evicted). */
#define KG_GEO_CACHE_SIZE 16
/* Longest CRS string accepted, in bytes (without the NUL). */
#define KG_GEO_CRS_MAX 2048
/* Default vertex limit when kg_geo_limits.nMaxVertex is 0. */
#define KG_GEO_DEFAULT_MAX_VERTEX 100000

enum kg_geom_type {
  KG_GEOM_POINT = 1,
  KG_GEOM_LINESTRING = 2,
  KG_GEOM_POLYGON = 4,
  KG_GEOM_MULTIPOLYGON = 8
};
#define KG_GEOM_ANY (KG_GEOM_POINT | KG_GEOM_LINESTRING | KG_GEOM_POLYGON | KG_GEOM_MULTIPOLYGON)
#define KG_GEOM_AREAL (KG_GEOM_POLYGON | KG_GEOM_MULTIPOLYGON)

/* A parsed geometry in EPSG:4326, lon/lat order. Structure, by type:
 *   Point:        nVertex == 1, nRing == 0, nPoly == 0.
 *   LineString:   nVertex >= 2, nRing == 0, nPoly == 0.
 *   Polygon:      nPoly == 1, nRing >= 1 (ring 0 is the outer ring, the rest
 *                 holes).
 *   MultiPolygon: nPoly >= 1; polygon k owns rings
 *                 [k ? aPolyEnd[k-1] : 0, aPolyEnd[k]).
 * Ring r owns vertices [r ? aRingEnd[r-1] : 0, aRingEnd[r]); every ring is
 * closed (its last vertex equals its first, bit for bit) and has >= 4
 * vertices. Ring orientation is kept as given. All memory is owned by the
 * struct; free with kg_geom_clear(). A zeroed struct is a valid empty value. */
struct kg_geom {
  enum kg_geom_type type; /* 0 when empty */
  double *aCoord;         /* 2*nVertex doubles, lon,lat interleaved */
  size_t nVertex;
  size_t *aRingEnd; /* nRing entries: vertex index one past each ring's end */
  size_t nRing;
  size_t *aPolyEnd; /* nPoly entries: ring index one past each polygon's end */
  size_t nPoly;
  double minx, miny, maxx, maxy; /* bbox in degrees (no antimeridian logic) */
};

/* Limits for kg_geo_parse(). A field of 0 means its default:
 * nMaxVertex KG_GEO_DEFAULT_MAX_VERTEX, allowedTypes KG_GEOM_ANY. */
struct kg_geo_limits {
  size_t nMaxVertex;     /* most positions in the whole geometry */
  unsigned allowedTypes; /* bitmask of enum kg_geom_type */
};

/* 1 when zCrs names WGS 84 longitude/latitude as GeoJSON uses it: NULL,
 * "EPSG:4326", "CRS84", "OGC:CRS84" and their OGC URN/URI spellings
 * (case-insensitive). Such input is taken as lon/lat and never transformed,
 * whatever the official axis order of EPSG:4326 (lat/lon). 0 otherwise. */
int kg_geo_crs_is_lonlat(const char *zCrs);

/* A local CRS without an EPSG code (e.g. MSK-16 zone 1, Tatarstan's
 * cadastral system), known here by a short code. */
struct kg_geo_local_crs {
  const char *zCode;  /* "msk16-1" */
  const char *zProj;  /* its PROJ definition, for any CRS argument below */
  const char *zAbout; /* plain text: what it is, where its parameters come
                       * from, the PROJ definition (ends with a newline) */
};

/* The local CRS whose code is zCode (exact, e.g. "msk16-1"), or NULL.
 * Static: never freed. */
const struct kg_geo_local_crs *kg_geo_local_crs(const char *zCode);

/* Parses the GeoJSON geometry object pJson (borrowed) whose coordinates are
 * in CRS zCrs (see kg_geo_crs_is_lonlat(); any other string proj_create()
 * accepts: "EPSG:32639", a "+proj=..." string, WKT), validates it and
 * transforms it to EPSG:4326 lon/lat (axis order normalised: easting then
 * northing for projected input, lon then lat for geographic input).
 * pLim may be NULL (defaults). Z values are ignored.
 *
 * On KG_OK fills *pOut (OUT; free with kg_geom_clear()). On failure *pOut is
 * left empty (zeroed) and a plain-English reason goes to zErr (nErr bytes,
 * truncated, always NUL-terminated when nErr > 0; zErr may be NULL), starting
 * with the JSON path inside the geometry when there is one, e.g.
 * "coordinates[0][5]: longitude 200 out of range".
 * Returns KG_EINVAL for invalid input or an unknown/untransformable CRS,
 * KG_ETOOBIG when the geometry has more than nMaxVertex positions. */
enum kg_err kg_geo_parse(struct kg_geo_ctx *ctx, const json_t *pJson, const char *zCrs,
                         const struct kg_geo_limits *pLim, struct kg_geom *pOut /* OUT */,
                         char *zErr /* OUT */, size_t nErr);

/* Frees everything *p owns and zeroes it. NULL and empty values are fine. */
void kg_geom_clear(struct kg_geom *p);

/* Compact GeoJSON geometry text with up to 9 decimals (trailing zeros
 * dropped). With bAsMulti a Polygon is written as a one-polygon
 * MultiPolygon; other types ignore bAsMulti. Returns a heap string (caller
 * frees with free()), or NULL when p is NULL or empty. Aborts on OOM. */
char *kg_geom_to_geojson(const struct kg_geom *p, int bAsMulti);

/* WKT for SpatiaLite's GeomFromText(wkt, 4326), e.g.
 * "MULTIPOLYGON(((49.1 55.7,49.2 55.7,...)))", same number format and
 * bAsMulti rule as kg_geom_to_geojson(). Returns a heap string (caller frees
 * with free()), or NULL when p is NULL or empty. Aborts on OOM. */
char *kg_geom_to_wkt(const struct kg_geom *p, int bAsMulti);

/* Like kg_geom_to_geojson(p, 0), with every position transformed from
 * EPSG:4326 lon/lat to CRS zCrs (a lon/lat name, see
 * kg_geo_crs_is_lonlat(), means no transform; axis order normalised as in
 * kg_geo_transform_point()) and, when bSwapXY, written second axis first
 * (lat,lon: EPSG:4326 in its authority's axis order). Returns a heap
 * string (free()), or NULL when p is empty, zCrs is unknown or a position
 * fails to transform. Aborts on OOM. */
char *kg_geom_to_geojson_crs(struct kg_geo_ctx *ctx, const struct kg_geom *p, const char *zCrs,
                             int bSwapXY);

/* Geodesic area in square metres on the WGS84 ellipsoid: for each polygon,
 * |outer ring| minus the |holes|, summed; independent of ring orientation.
 * 0 for points, lines and empty values. */
double kg_geom_area_m2(const struct kg_geom *p);

/* Transforms one point from CRS zFrom to CRS zTo (either may be a lon/lat
 * name, see kg_geo_crs_is_lonlat(); axis order is normalised for both, so
 * geographic CRSs are always lon,lat here). *px, *py are in/out. Returns
 * KG_EINVAL for an unknown or refused CRS, non-finite input, or a failed
 * transform; then *px, *py are unchanged. */
enum kg_err kg_geo_transform_point(struct kg_geo_ctx *ctx, const char *zFrom, const char *zTo,
                                   double *px /* IN/OUT */, double *py /* IN/OUT */);

/* Parses a bbox "minlon,minlat,maxlon,maxlat": exactly four plain decimal
 * numbers (no spaces, hex, inf or nan), lon in [-180,180], lat in [-90,90],
 * min <= max. On KG_OK fills aBox (OUT); otherwise returns KG_EINVAL with a
 * reason in zErr (as kg_geo_parse()) and leaves aBox unchanged. */
enum kg_err kg_geo_parse_bbox(const char *z, double aBox[4] /* OUT */, char *zErr /* OUT */,
                              size_t nErr);

/* A circle of nRadiusM metres around lon/lat as a Polygon of nVertex
 * vertices (plus the closing one) into *pOut (free with kg_geom_clear()):
 * a local equirectangular approximation, well under 1 % off for radii up
 * to tens of kilometres away from the poles. nVertex < 8 counts as 8. */
void kg_geom_circle(double lon, double lat, double nRadiusM, int nVertex,
                    struct kg_geom *pOut /* OUT */);

#endif

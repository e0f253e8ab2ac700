/* geo.c: GeoJSON geometry parsing/validation, PROJ transforms to EPSG:4326
 * with a per-context transform cache, GeoJSON/WKT writers, geodesic area,
 * bbox parsing. Contracts are in include/kengash/geo.h. */
#define _POSIX_C_SOURCE 200809L
#include "kengash/geo.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <geodesic.h>
#include <proj.h>

/* ---- context and transform cache ---- */

struct cache_ent {
  char *zFrom; /* canonical source CRS ("EPSG:4326" for lon/lat names) */
  char *zTo;   /* canonical target CRS */
  PJ *pj;      /* normalised for visualisation */
  unsigned long uUse;
};

struct kg_geo_ctx {
  PJ_CONTEXT *pPj;
  struct cache_ent aEnt[KG_GEO_CACHE_SIZE];
  unsigned long uClock;
};

static const char zLonLat[] = "EPSG:4326";

/* PROJ would otherwise print every failed lookup to stderr. */
static void log_silent(void *pData, int level, const char *zMsg) {
  (void)pData;
  (void)level;
  (void)zMsg;
}

struct kg_geo_ctx *kg_geo_ctx_new(void) {
  PJ_CONTEXT *pPj = proj_context_create();
  if (!pPj) return NULL;
  proj_log_func(pPj, NULL, log_silent);
  proj_log_level(pPj, PJ_LOG_NONE);
  struct kg_geo_ctx *p = kg_xcalloc(1, sizeof(*p));
  p->pPj = pPj;
  return p;
}

static void cache_ent_free(struct cache_ent *e) {
  if (e->pj) proj_destroy(e->pj);
  free(e->zFrom);
  free(e->zTo);
  memset(e, 0, sizeof(*e));
}

void kg_geo_ctx_free(struct kg_geo_ctx *p) {
  if (!p) return;
  for (int i = 0; i < KG_GEO_CACHE_SIZE; i++)
    cache_ent_free(&p->aEnt[i]);
  proj_context_destroy(p->pPj);
  free(p);
}

/* MSK-16 zone 1 (geodata/msk16.txt, with zones 2 and 3): community-
 * circulated parameters, not an official Rosreestr publication. */
#define MSK16_1_PROJ                                                                               \
  "+proj=tmerc +lat_0=0 +lon_0=49.03333333333 +k=1 +x_0=1300000 +y_0=-5709414.70 +ellps=krass "    \
  "+towgs84=23.57,-140.95,-79.8,0,0.35,0.79,-0.22 +units=m +no_defs"

static const struct kg_geo_local_crs aLocalCrs[] = {
    {"msk16-1", MSK16_1_PROJ,
     "MSK-16 zone 1 (Republic of Tatarstan, central meridian 49°02'E), a local CRS without an "
     "EPSG code. PROJ definition (community-circulated parameters):\n" MSK16_1_PROJ "\n"},
};

const struct kg_geo_local_crs *kg_geo_local_crs(const char *zCode) {
  for (size_t i = 0; i < sizeof(aLocalCrs) / sizeof(aLocalCrs[0]); i++)
    if (zCode && strcmp(zCode, aLocalCrs[i].zCode) == 0) return &aLocalCrs[i];
  return NULL;
}

int kg_geo_crs_is_lonlat(const char *zCrs) {
  static const char *const azName[] = {
      "EPSG:4326",
      "CRS84",
      "OGC:CRS84",
      "urn:ogc:def:crs:OGC:1.3:CRS84",
      "urn:ogc:def:crs:OGC::CRS84",
      "urn:ogc:def:crs:EPSG::4326",
      "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
      "https://www.opengis.net/def/crs/OGC/1.3/CRS84",
      "http://www.opengis.net/def/crs/EPSG/0/4326",
      "https://www.opengis.net/def/crs/EPSG/0/4326",
  };
  if (!zCrs) return 1;
  for (size_t i = 0; i < sizeof(azName) / sizeof(azName[0]); i++) {
    if (strcasecmp(zCrs, azName[i]) == 0) return 1;
  }
  return 0;
}

/* Writes a reason into zErr; safe with zErr NULL or nErr 0. */
static void set_err(char *zErr, size_t nErr, const char *zFmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *zErr, size_t nErr, const char *zFmt, ...) {
  if (!zErr || nErr == 0) return;
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(zErr, nErr, zFmt, ap);
  va_end(ap);
}

/* A CRS string shortened for messages: at most 60 bytes plus "...". */
static void crs_for_msg(const char *zCrs, char zOut[64]) {
  size_t n = strlen(zCrs);
  if (n <= 60) {
    memcpy(zOut, zCrs, n + 1);
  } else {
    memcpy(zOut, zCrs, 57);
    memcpy(zOut + 57, "...", 4);
  }
}

/* Refuses over-long CRS strings and control characters (a CRS name ends up
 * in messages and logs). */
static enum kg_err crs_check(const char *zCrs, char *zErr, size_t nErr) {
  if (!zCrs) return KG_OK;
  size_t n = strnlen(zCrs, KG_GEO_CRS_MAX + 1);
  if (n > KG_GEO_CRS_MAX) {
    set_err(zErr, nErr, "CRS string is longer than %d bytes", KG_GEO_CRS_MAX);
    return KG_EINVAL;
  }
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)zCrs[i];
    if (c < 0x20 || c == 0x7f) {
      set_err(zErr, nErr, "CRS string contains a control character");
      return KG_EINVAL;
    }
  }
  if (n == 0) {
    set_err(zErr, nErr, "CRS string is empty");
    return KG_EINVAL;
  }
  return KG_OK;
}

/* PROJ strings need +type=crs to be read as a CRS rather than an operation
 * (cs2cs adds it the same way). Returns a heap string or NULL when zCrs is
 * fine as it is. */
static char *crs_with_type(const char *zCrs) {
  const char *z = zCrs;
  while (*z == ' ')
    z++;
  if (*z != '+' && strncmp(z, "proj=", 5) != 0) return NULL;
  if (strstr(z, "type=crs")) return NULL;
  size_t n = strlen(zCrs);
  char *zOut = kg_xmalloc(n + sizeof(" +type=crs"));
  memcpy(zOut, zCrs, n);
  memcpy(zOut + n, " +type=crs", sizeof(" +type=crs"));
  return zOut;
}

/* Returns the cached or new transform zFrom -> zTo (both checked and
 * canonical), or NULL with a reason in zErr. The PJ stays owned by ctx. */
static PJ *transform_get(struct kg_geo_ctx *ctx, const char *zFrom, const char *zTo, char *zErr,
                         size_t nErr) {
  struct cache_ent *pFree = NULL;
  struct cache_ent *pOld = NULL;
  for (int i = 0; i < KG_GEO_CACHE_SIZE; i++) {
    struct cache_ent *e = &ctx->aEnt[i];
    if (!e->pj) {
      if (!pFree) pFree = e;
      continue;
    }
    if (strcmp(e->zFrom, zFrom) == 0 && strcmp(e->zTo, zTo) == 0) {
      e->uUse = ++ctx->uClock;
      return e->pj;
    }
    if (!pOld || e->uUse < pOld->uUse) pOld = e;
  }

  /* Tell "no such CRS" from "no way to transform" for a clearer reason. */
  char zMsg[64];
  const char *azCrs[2] = {zFrom, zTo};
  for (int i = 0; i < 2; i++) {
    char *zTyped = crs_with_type(azCrs[i]);
    PJ *pCrs = proj_create(ctx->pPj, zTyped ? zTyped : azCrs[i]);
    free(zTyped);
    int bCrs = pCrs && proj_is_crs(pCrs);
    int bGeocentric = bCrs && proj_get_type(pCrs) == PJ_TYPE_GEOCENTRIC_CRS;
    if (pCrs) proj_destroy(pCrs);
    crs_for_msg(azCrs[i], zMsg);
    if (!bCrs) {
      set_err(zErr, nErr, "unknown CRS '%s'", zMsg);
      return NULL;
    }
    /* X,Y of an Earth-centred CRS without Z is no place at all. */
    if (bGeocentric) {
      set_err(zErr, nErr, "CRS '%s' is geocentric; use a geographic or projected CRS", zMsg);
      return NULL;
    }
  }

  char *zFromT = crs_with_type(zFrom);
  char *zToT = crs_with_type(zTo);
  PJ *pRaw = proj_create_crs_to_crs(ctx->pPj, zFromT ? zFromT : zFrom, zToT ? zToT : zTo, NULL);
  free(zFromT);
  free(zToT);
  PJ *pj = NULL;
  if (pRaw) {
    pj = proj_normalize_for_visualization(ctx->pPj, pRaw);
    proj_destroy(pRaw);
  }
  if (!pj) {
    crs_for_msg(zFrom, zMsg);
    set_err(zErr, nErr, "cannot transform from CRS '%s'", zMsg);
    return NULL;
  }

  struct cache_ent *e = pFree ? pFree : pOld;
  cache_ent_free(e);
  e->zFrom = kg_xstrdup(zFrom);
  e->zTo = kg_xstrdup(zTo);
  e->pj = pj;
  e->uUse = ++ctx->uClock;
  return pj;
}

/* Transforms one point in place; 0 on success, -1 on failure. */
static int transform_xy(PJ *pj, double *px, double *py) {
  PJ_COORD c = proj_coord(*px, *py, 0, 0);
  PJ_COORD r = proj_trans(pj, PJ_FWD, c);
  /* Judge by the result: PROJ's errno can be left over from earlier calls
   * on the context, or set by an alternative operation that was skipped. */
  if (!isfinite(r.xy.x) || !isfinite(r.xy.y)) {
    proj_errno_reset(pj);
    return -1;
  }
  *px = r.xy.x;
  *py = r.xy.y;
  return 0;
}

enum kg_err kg_geo_transform_point(struct kg_geo_ctx *ctx, const char *zFrom, const char *zTo,
                                   double *px, double *py) {
  if (!isfinite(*px) || !isfinite(*py)) return KG_EINVAL;
  if (crs_check(zFrom, NULL, 0) != KG_OK || crs_check(zTo, NULL, 0) != KG_OK) return KG_EINVAL;
  const char *zF = kg_geo_crs_is_lonlat(zFrom) ? zLonLat : zFrom;
  const char *zT = kg_geo_crs_is_lonlat(zTo) ? zLonLat : zTo;
  if (zF == zLonLat && zT == zLonLat) return KG_OK;
  PJ *pj = transform_get(ctx, zF, zT, NULL, 0);
  if (!pj) return KG_EINVAL;
  double x = *px, y = *py;
  if (transform_xy(pj, &x, &y)) return KG_EINVAL;
  *px = x;
  *py = y;
  return KG_OK;
}

/* ---- parsing ---- */

/* Parser state: the geometry being built plus the JSON path of the current
 * position for messages. */
struct parse {
  struct kg_geom *g;
  size_t nVertexAlloc, nRingAlloc, nPolyAlloc;
  size_t nMaxVertex;
  int nDepth;     /* entries used in aIdx */
  size_t aIdx[4]; /* indexes below "coordinates" (last: number in position) */
  char *zErr;
  size_t nErr;
};

/* Formats "coordinates[i][j]..." for the current path into zOut. */
static void path_format(const struct parse *p, int nDepth, char *zOut, size_t nOut) {
  size_t n = (size_t)snprintf(zOut, nOut, "coordinates");
  for (int i = 0; i < nDepth && n < nOut; i++) {
    n += (size_t)snprintf(zOut + n, nOut - n, "[%zu]", p->aIdx[i]);
  }
}

static void perr(struct parse *p, int nDepth, const char *zFmt, ...)
    __attribute__((format(printf, 3, 4)));
static void perr(struct parse *p, int nDepth, const char *zFmt, ...) {
  if (!p->zErr || p->nErr == 0) return;
  char zPath[96];
  char zMsg[160];
  path_format(p, nDepth, zPath, sizeof(zPath));
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(zMsg, sizeof(zMsg), zFmt, ap);
  va_end(ap);
  snprintf(p->zErr, p->nErr, "%s: %s", zPath, zMsg);
}

/* Grows an array of n elements of size sz so that index i fits. */
static void *grow(void *a, size_t *pnAlloc, size_t i, size_t sz) {
  if (i < *pnAlloc) return a;
  size_t n = *pnAlloc ? *pnAlloc * 2 : 16;
  while (n <= i)
    n *= 2;
  *pnAlloc = n;
  return kg_xrealloc(a, n * sz);
}

/* "a number", "an object", ... for messages about wrong nesting. */
static const char *json_kind(const json_t *p) {
  switch (json_typeof(p)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
  case JSON_REAL:
    return "a number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  case JSON_NULL:
    return "null";
  }
  return "something else";
}

/* Appends the position pPos (at path depth nDepth) to the geometry. */
static enum kg_err parse_position(struct parse *p, const json_t *pPos, int nDepth) {
  if (!json_is_array(pPos)) {
    perr(p, nDepth, "position must be an array of 2 or 3 numbers, found %s", json_kind(pPos));
    return KG_EINVAL;
  }
  size_t n = json_array_size(pPos);
  double a[2] = {0, 0};
  for (size_t i = 0; i < n && i < 4; i++) {
    const json_t *pNum = json_array_get(pPos, i);
    double v = json_is_number(pNum) ? json_number_value(pNum) : NAN;
    if (!isfinite(v)) {
      p->aIdx[nDepth] = i;
      perr(p, nDepth + 1, "%s",
           json_is_array(pNum) ? "expected a number, found an array (nested too deep?)"
                               : "must be a finite number");
      return KG_EINVAL;
    }
    if (i < 2) a[i] = v;
  }
  if (n < 2 || n > 3) {
    perr(p, nDepth, "position must have 2 or 3 numbers, not %zu", n);
    return KG_EINVAL;
  }
  struct kg_geom *g = p->g;
  if (g->nVertex >= p->nMaxVertex) {
    set_err(p->zErr, p->nErr, "coordinates: more than %zu positions", p->nMaxVertex);
    return KG_ETOOBIG;
  }
  g->aCoord = grow(g->aCoord, &p->nVertexAlloc, g->nVertex, 2 * sizeof(double));
  g->aCoord[2 * g->nVertex] = a[0];
  g->aCoord[2 * g->nVertex + 1] = a[1];
  g->nVertex++;
  return KG_OK;
}

/* Appends a list of positions (LineString or ring) found at depth nDepth;
 * nMin is the fewest positions allowed, bRing asks for closure. */
static enum kg_err parse_positions(struct parse *p, const json_t *pArr, int nDepth, size_t nMin,
                                   int bRing) {
  const char *zWhat = bRing ? "ring" : "line";
  if (!json_is_array(pArr)) {
    perr(p, nDepth, "%s must be an array of positions, found %s", zWhat, json_kind(pArr));
    return KG_EINVAL;
  }
  size_t n = json_array_size(pArr);
  size_t iFirst = p->g->nVertex;
  /* Positions first, so wrong nesting is reported as such, not as a count. */
  for (size_t i = 0; i < n; i++) {
    p->aIdx[nDepth] = i;
    enum kg_err rc = parse_position(p, json_array_get(pArr, i), nDepth + 1);
    if (rc) return rc;
  }
  if (n < nMin) {
    perr(p, nDepth, "%s must have at least %zu positions, not %zu", zWhat, nMin, n);
    return KG_EINVAL;
  }
  if (bRing) {
    const double *a = p->g->aCoord;
    size_t iLast = p->g->nVertex - 1;
    if (a[2 * iFirst] != a[2 * iLast] || a[2 * iFirst + 1] != a[2 * iLast + 1]) {
      perr(p, nDepth, "ring is not closed (its first and last positions differ)");
      return KG_EINVAL;
    }
    struct kg_geom *g = p->g;
    g->aRingEnd = grow(g->aRingEnd, &p->nRingAlloc, g->nRing, sizeof(size_t));
    g->aRingEnd[g->nRing++] = g->nVertex;
  }
  return KG_OK;
}

/* Appends a polygon (array of rings) found at depth nDepth. */
static enum kg_err parse_polygon(struct parse *p, const json_t *pArr, int nDepth) {
  if (!json_is_array(pArr)) {
    perr(p, nDepth, "polygon must be an array of rings, found %s", json_kind(pArr));
    return KG_EINVAL;
  }
  size_t n = json_array_size(pArr);
  if (n == 0) {
    perr(p, nDepth, "polygon must have at least one ring");
    return KG_EINVAL;
  }
  for (size_t i = 0; i < n; i++) {
    p->aIdx[nDepth] = i;
    enum kg_err rc = parse_positions(p, json_array_get(pArr, i), nDepth + 1, 4, 1);
    if (rc) return rc;
  }
  struct kg_geom *g = p->g;
  g->aPolyEnd = grow(g->aPolyEnd, &p->nPolyAlloc, g->nPoly, sizeof(size_t));
  g->aPolyEnd[g->nPoly++] = g->nRing;
  return KG_OK;
}

/* Turns a JSON path back from a flat vertex index, for messages after the
 * transform: fills p->aIdx and returns the depth. */
static int path_of_vertex(struct parse *p, size_t iVertex) {
  const struct kg_geom *g = p->g;
  if (g->type == KG_GEOM_POINT) return 0;
  if (g->type == KG_GEOM_LINESTRING) {
    p->aIdx[0] = iVertex;
    return 1;
  }
  size_t iRing = 0;
  while (g->aRingEnd[iRing] <= iVertex)
    iRing++;
  size_t iPoly = 0;
  while (g->aPolyEnd[iPoly] <= iRing)
    iPoly++;
  size_t iRing0 = iPoly ? g->aPolyEnd[iPoly - 1] : 0;
  size_t iVert0 = iRing ? g->aRingEnd[iRing - 1] : 0;
  if (g->type == KG_GEOM_POLYGON) {
    p->aIdx[0] = iRing;
    p->aIdx[1] = iVertex - iVert0;
    return 2;
  }
  p->aIdx[0] = iPoly;
  p->aIdx[1] = iRing - iRing0;
  p->aIdx[2] = iVertex - iVert0;
  return 3;
}

static const struct {
  const char *zName;
  enum kg_geom_type type;
} aTypeName[] = {
    {"Point", KG_GEOM_POINT},
    {"LineString", KG_GEOM_LINESTRING},
    {"Polygon", KG_GEOM_POLYGON},
    {"MultiPolygon", KG_GEOM_MULTIPOLYGON},
};
#define N_TYPE (sizeof(aTypeName) / sizeof(aTypeName[0]))

/* "type must be Polygon or MultiPolygon" for the allowed mask. */
static void type_err(unsigned mask, char *zErr, size_t nErr) {
  char z[96] = "type must be ";
  size_t nAllowed = 0, iSeen = 0;
  for (size_t i = 0; i < N_TYPE; i++)
    nAllowed += (mask & aTypeName[i].type) != 0;
  for (size_t i = 0; i < N_TYPE; i++) {
    if (!(mask & aTypeName[i].type)) continue;
    iSeen++;
    if (iSeen > 1) strcat(z, iSeen == nAllowed ? " or " : ", ");
    strcat(z, aTypeName[i].zName);
  }
  set_err(zErr, nErr, "%s", z);
}

/* The geometry object's type and coordinates into p->g, untransformed.
 * Returns KG_OK, or an error after writing why. */
static enum kg_err parse_object(struct parse *p, const json_t *pJson, unsigned mask) {
  struct kg_geom *pOut = p->g;
  enum kg_err rc = KG_EINVAL;
  if (!json_is_object(pJson)) {
    set_err(p->zErr, p->nErr, "geometry must be a JSON object");
    return rc;
  }
  const char *zType = json_string_value(json_object_get(pJson, "type"));
  if (!zType) {
    set_err(p->zErr, p->nErr, "type is missing or not a string");
    return rc;
  }
  if (strcmp(zType, "Feature") == 0 || strcmp(zType, "FeatureCollection") == 0) {
    set_err(p->zErr, p->nErr, "expected a geometry object, not a %s", zType);
    return rc;
  }
  for (size_t i = 0; i < N_TYPE; i++) {
    if (strcmp(zType, aTypeName[i].zName) == 0) pOut->type = aTypeName[i].type;
  }
  if (!(pOut->type & mask)) {
    pOut->type = 0;
    type_err(mask, p->zErr, p->nErr);
    return rc;
  }
  const json_t *pCoord = json_object_get(pJson, "coordinates");
  if (!pCoord) {
    set_err(p->zErr, p->nErr, "coordinates is missing");
    return rc;
  }
  if (!json_is_array(pCoord)) {
    set_err(p->zErr, p->nErr, "coordinates must be an array");
    return rc;
  }
  if (json_array_size(pCoord) == 0) {
    set_err(p->zErr, p->nErr, "coordinates must not be empty");
    return rc;
  }
  switch (pOut->type) {
  case KG_GEOM_POINT:
    rc = parse_position(p, pCoord, 0);
    break;
  case KG_GEOM_LINESTRING:
    rc = parse_positions(p, pCoord, 0, 2, 0);
    break;
  case KG_GEOM_POLYGON:
    rc = parse_polygon(p, pCoord, 0);
    break;
  case KG_GEOM_MULTIPOLYGON:
    rc = KG_OK;
    for (size_t i = 0; i < json_array_size(pCoord) && rc == KG_OK; i++) {
      p->aIdx[0] = i;
      rc = parse_polygon(p, json_array_get(pCoord, i), 1);
    }
    break;
  }
  return rc;
}

/* Transforms p->g's positions with pj (NULL: lon/lat already), checks
 * their range, keeps rings exactly closed and sets the bbox. Returns
 * KG_OK, or KG_EINVAL after writing why. */
static enum kg_err transform_all(struct parse *p, PJ *pj) {
  struct kg_geom *pOut = p->g;
  double *a = pOut->aCoord;
  for (size_t i = 0; i < pOut->nVertex; i++) {
    double *pv = &a[2 * i];
    if (pj && transform_xy(pj, &pv[0], &pv[1])) {
      perr(p, path_of_vertex(p, i), "position cannot be transformed to longitude/latitude");
      return KG_EINVAL;
    }
    if (!(pv[0] >= -180.0 && pv[0] <= 180.0)) {
      perr(p, path_of_vertex(p, i), "longitude %.10g out of range", pv[0]);
      return KG_EINVAL;
    }
    if (!(pv[1] >= -90.0 && pv[1] <= 90.0)) {
      perr(p, path_of_vertex(p, i), "latitude %.10g out of range", pv[1]);
      return KG_EINVAL;
    }
  }
  /* Closure was exact in the input; keep it exact after the transform. */
  for (size_t r = 0; r < pOut->nRing; r++) {
    size_t iFirst = r ? pOut->aRingEnd[r - 1] : 0;
    size_t iLast = pOut->aRingEnd[r] - 1;
    a[2 * iLast] = a[2 * iFirst];
    a[2 * iLast + 1] = a[2 * iFirst + 1];
  }
  pOut->minx = pOut->maxx = a[0];
  pOut->miny = pOut->maxy = a[1];
  for (size_t i = 1; i < pOut->nVertex; i++) {
    pOut->minx = fmin(pOut->minx, a[2 * i]);
    pOut->maxx = fmax(pOut->maxx, a[2 * i]);
    pOut->miny = fmin(pOut->miny, a[2 * i + 1]);
    pOut->maxy = fmax(pOut->maxy, a[2 * i + 1]);
  }
  return KG_OK;
}

enum kg_err kg_geo_parse(struct kg_geo_ctx *ctx, const json_t *pJson, const char *zCrs,
                         const struct kg_geo_limits *pLim, struct kg_geom *pOut, char *zErr,
                         size_t nErr) {
  enum kg_err rc = KG_EINVAL;
  struct parse p;
  memset(pOut, 0, sizeof(*pOut));
  memset(&p, 0, sizeof(p));
  p.g = pOut;
  p.zErr = zErr;
  p.nErr = nErr;
  p.nMaxVertex = pLim && pLim->nMaxVertex ? pLim->nMaxVertex : KG_GEO_DEFAULT_MAX_VERTEX;
  unsigned mask = pLim && pLim->allowedTypes ? pLim->allowedTypes : KG_GEOM_ANY;
  mask &= KG_GEOM_ANY;
  if (!mask) mask = KG_GEOM_ANY;
  if (zErr && nErr) zErr[0] = 0;

  if (crs_check(zCrs, zErr, nErr) != KG_OK) goto out;
  PJ *pj = NULL;
  if (!kg_geo_crs_is_lonlat(zCrs)) {
    pj = transform_get(ctx, zCrs, zLonLat, zErr, nErr);
    if (!pj) goto out;
  }
  if ((rc = parse_object(&p, pJson, mask)) != KG_OK) goto out;
  rc = transform_all(&p, pj);
out:
  if (rc) kg_geom_clear(pOut);
  return rc;
}

void kg_geom_clear(struct kg_geom *p) {
  if (!p) return;
  free(p->aCoord);
  free(p->aRingEnd);
  free(p->aPolyEnd);
  memset(p, 0, sizeof(*p));
}

/* ---- writers ---- */

/* A growable string; sizes are bounded by the geometry, which the vertex
 * limit already bounds, so OOM aborts. */
struct sbuf {
  char *a;
  size_t n, cap;
};

static void sb_add(struct sbuf *s, const char *z, size_t n) {
  if (s->n + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->n + n + 1)
      cap *= 2;
    s->a = kg_xrealloc(s->a, cap);
    s->cap = cap;
  }
  memcpy(s->a + s->n, z, n);
  s->n += n;
  s->a[s->n] = 0;
}

static void sb_puts(struct sbuf *s, const char *z) {
  sb_add(s, z, strlen(z));
}

/* Appends v with 9 decimals, trailing zeros (and a bare dot) dropped, and
 * no negative zero. */
static void sb_num(struct sbuf *s, double v) {
  char z[64];
  int n = snprintf(z, sizeof(z), "%.9f", v);
  if (n < 0 || (size_t)n >= sizeof(z)) n = snprintf(z, sizeof(z), "%.17g", v);
  if (strchr(z, '.')) {
    while (n > 0 && z[n - 1] == '0')
      n--;
    if (n > 0 && z[n - 1] == '.') n--;
    z[n] = 0;
  }
  if (strcmp(z, "-0") == 0) {
    z[0] = '0';
    z[1] = 0;
    n = 1;
  }
  sb_add(s, z, (size_t)n);
}

/* Punctuation differs between the two formats; the walk is the same. */
struct syntax {
  const char *zOpen, *zClose; /* around each list */
  const char *zPosOpen, *zPosSep, *zPosClose;
};
static const struct syntax json_syntax = {"[", "]", "[", ",", "]"};
static const struct syntax wkt_syntax = {"(", ")", "", " ", ""};

static void sb_position(struct sbuf *s, const struct syntax *x, const double *pv) {
  sb_puts(s, x->zPosOpen);
  sb_num(s, pv[0]);
  sb_puts(s, x->zPosSep);
  sb_num(s, pv[1]);
  sb_puts(s, x->zPosClose);
}

static void sb_positions(struct sbuf *s, const struct syntax *x, const struct kg_geom *g,
                         size_t iFrom, size_t iTo) {
  sb_puts(s, x->zOpen);
  for (size_t i = iFrom; i < iTo; i++) {
    if (i > iFrom) sb_puts(s, ",");
    sb_position(s, x, &g->aCoord[2 * i]);
  }
  sb_puts(s, x->zClose);
}

static void sb_polygon(struct sbuf *s, const struct syntax *x, const struct kg_geom *g,
                       size_t iPoly) {
  size_t iRing0 = iPoly ? g->aPolyEnd[iPoly - 1] : 0;
  sb_puts(s, x->zOpen);
  for (size_t r = iRing0; r < g->aPolyEnd[iPoly]; r++) {
    if (r > iRing0) sb_puts(s, ",");
    sb_positions(s, x, g, r ? g->aRingEnd[r - 1] : 0, g->aRingEnd[r]);
  }
  sb_puts(s, x->zClose);
}

/* Writes the coordinates part (GeoJSON array or WKT body). */
static void sb_body(struct sbuf *s, const struct syntax *x, const struct kg_geom *g, int bMulti) {
  switch (g->type) {
  case KG_GEOM_POINT:
    if (x == &wkt_syntax) sb_puts(s, "(");
    sb_position(s, x, g->aCoord);
    if (x == &wkt_syntax) sb_puts(s, ")");
    break;
  case KG_GEOM_LINESTRING:
    sb_positions(s, x, g, 0, g->nVertex);
    break;
  case KG_GEOM_POLYGON:
  case KG_GEOM_MULTIPOLYGON:
    if (bMulti) sb_puts(s, x->zOpen);
    for (size_t k = 0; k < g->nPoly; k++) {
      if (k > 0) sb_puts(s, ",");
      sb_polygon(s, x, g, k);
    }
    if (bMulti) sb_puts(s, x->zClose);
    break;
  }
}

static int geom_is_empty(const struct kg_geom *p) {
  return !p || p->nVertex == 0 ||
         (p->type != KG_GEOM_POINT && p->type != KG_GEOM_LINESTRING && p->type != KG_GEOM_POLYGON &&
          p->type != KG_GEOM_MULTIPOLYGON);
}

char *kg_geom_to_geojson(const struct kg_geom *p, int bAsMulti) {
  if (geom_is_empty(p)) return NULL;
  static const char *const azName[] = {"Point", "LineString", "Polygon", "MultiPolygon"};
  int bMulti = p->type == KG_GEOM_MULTIPOLYGON || (p->type == KG_GEOM_POLYGON && bAsMulti);
  const char *zName = bMulti                          ? azName[3]
                      : p->type == KG_GEOM_POLYGON    ? azName[2]
                      : p->type == KG_GEOM_LINESTRING ? azName[1]
                                                      : azName[0];
  struct sbuf s = {0};
  sb_puts(&s, "{\"type\":\"");
  sb_puts(&s, zName);
  sb_puts(&s, "\",\"coordinates\":");
  sb_body(&s, &json_syntax, p, bMulti);
  sb_puts(&s, "}");
  return s.a;
}

char *kg_geom_to_wkt(const struct kg_geom *p, int bAsMulti) {
  if (geom_is_empty(p)) return NULL;
  int bMulti = p->type == KG_GEOM_MULTIPOLYGON || (p->type == KG_GEOM_POLYGON && bAsMulti);
  const char *zName = bMulti                          ? "MULTIPOLYGON"
                      : p->type == KG_GEOM_POLYGON    ? "POLYGON"
                      : p->type == KG_GEOM_LINESTRING ? "LINESTRING"
                                                      : "POINT";
  struct sbuf s = {0};
  sb_puts(&s, zName);
  sb_body(&s, &wkt_syntax, p, bMulti);
  return s.a;
}

/* ---- area ---- */

/* |area| of ring [iFrom, iTo) (closed) on the ellipsoid g. */
static double ring_area(const struct geod_geodesic *g, const double *a, size_t iFrom, size_t iTo) {
  struct geod_polygon poly;
  geod_polygon_init(&poly, 0);
  /* The closing vertex repeats the first; geod closes rings itself. */
  for (size_t i = iFrom; i + 1 < iTo; i++) {
    geod_polygon_addpoint(g, &poly, a[2 * i + 1], a[2 * i]);
  }
  double area = 0, perim = 0;
  geod_polygon_compute(g, &poly, 0, 1, &area, &perim);
  return fabs(area);
}

double kg_geom_area_m2(const struct kg_geom *p) {
  if (geom_is_empty(p) || (p->type != KG_GEOM_POLYGON && p->type != KG_GEOM_MULTIPOLYGON)) {
    return 0;
  }
  struct geod_geodesic g;
  geod_init(&g, 6378137.0, 1 / 298.257223563);
  double total = 0;
  for (size_t k = 0; k < p->nPoly; k++) {
    size_t iRing0 = k ? p->aPolyEnd[k - 1] : 0;
    double polyArea = 0;
    for (size_t r = iRing0; r < p->aPolyEnd[k]; r++) {
      double a = ring_area(&g, p->aCoord, r ? p->aRingEnd[r - 1] : 0, p->aRingEnd[r]);
      polyArea += r == iRing0 ? a : -a;
    }
    total += polyArea;
  }
  return total;
}

/* ---- bbox ---- */

/* Parses one plain decimal number [z, zEnd) strictly; 0 on success. */
static int parse_decimal(const char *z, const char *zEnd, double *pv) {
  size_t n = (size_t)(zEnd - z);
  if (n == 0 || n > 40) return -1;
  for (const char *c = z; c < zEnd; c++) {
    if (!strchr("0123456789+-.eE", *c)) return -1;
  }
  char zBuf[48];
  memcpy(zBuf, z, n);
  zBuf[n] = 0;
  char *zStop = NULL;
  errno = 0;
  double v = strtod(zBuf, &zStop);
  if (zStop != zBuf + n || errno == ERANGE || !isfinite(v)) return -1;
  *pv = v;
  return 0;
}

enum kg_err kg_geo_parse_bbox(const char *z, double aBox[4], char *zErr, size_t nErr) {
  static const char *const azName[] = {"minimum longitude", "minimum latitude", "maximum longitude",
                                       "maximum latitude"};
  double a[4];
  if (!z || !*z) {
    set_err(zErr, nErr, "bbox is empty");
    return KG_EINVAL;
  }
  const char *zStart = z;
  for (int i = 0; i < 4; i++) {
    const char *zEnd = strchr(zStart, ',');
    if (!zEnd) zEnd = zStart + strlen(zStart);
    if ((i < 3 && *zEnd != ',') || (i == 3 && *zEnd != 0)) {
      set_err(zErr, nErr, "bbox must be four comma-separated numbers: minlon,minlat,maxlon,maxlat");
      return KG_EINVAL;
    }
    if (parse_decimal(zStart, zEnd, &a[i])) {
      set_err(zErr, nErr, "bbox %s is not a plain decimal number", azName[i]);
      return KG_EINVAL;
    }
    double lim = i % 2 == 0 ? 180.0 : 90.0;
    if (a[i] < -lim || a[i] > lim) {
      set_err(zErr, nErr, "bbox %s %.10g out of range", azName[i], a[i]);
      return KG_EINVAL;
    }
    zStart = zEnd + 1;
  }
  if (a[0] > a[2]) {
    set_err(zErr, nErr, "bbox minimum longitude %.10g is greater than maximum %.10g", a[0], a[2]);
    return KG_EINVAL;
  }
  if (a[1] > a[3]) {
    set_err(zErr, nErr, "bbox minimum latitude %.10g is greater than maximum %.10g", a[1], a[3]);
    return KG_EINVAL;
  }
  memcpy(aBox, a, sizeof(a));
  return KG_OK;
}

/* ---- output in another CRS ---- */

char *kg_geom_to_geojson_crs(struct kg_geo_ctx *ctx, const struct kg_geom *p, const char *zCrs,
                             int bSwapXY) {
  if (geom_is_empty(p)) return NULL;
  PJ *pj = NULL;
  if (zCrs && !kg_geo_crs_is_lonlat(zCrs)) {
    if (crs_check(zCrs, NULL, 0) != KG_OK) return NULL;
    if (!(pj = transform_get(ctx, zLonLat, zCrs, NULL, 0))) return NULL;
  }
  struct kg_geom g = *p; /* shares the ring and polygon arrays; owns its coordinates */
  g.aCoord = kg_xmalloc(2 * p->nVertex * sizeof(double));
  for (size_t i = 0; i < p->nVertex; i++) {
    double x = p->aCoord[2 * i], y = p->aCoord[2 * i + 1];
    if (pj && transform_xy(pj, &x, &y)) {
      free(g.aCoord);
      return NULL;
    }
    g.aCoord[2 * i] = bSwapXY ? y : x;
    g.aCoord[2 * i + 1] = bSwapXY ? x : y;
  }
  char *z = kg_geom_to_geojson(&g, 0);
  free(g.aCoord);
  return z;
}

void kg_geom_circle(double lon, double lat, double nRadiusM, int nVertex, struct kg_geom *g) {
  const double kPi = 3.14159265358979323846;
  double dLat = nRadiusM / 111320.0, dLon = dLat / cos(lat * kPi / 180.0);
  if (nVertex < 8) nVertex = 8;
  memset(g, 0, sizeof(*g));
  g->type = KG_GEOM_POLYGON;
  g->nVertex = (size_t)nVertex + 1;
  g->aCoord = kg_xcalloc(2 * g->nVertex, sizeof(double));
  for (int i = 0; i < nVertex; i++) {
    double a = 2 * kPi * i / nVertex;
    g->aCoord[2 * i] = lon + dLon * cos(a);
    g->aCoord[2 * i + 1] = lat + dLat * sin(a);
  }
  g->aCoord[2 * nVertex] = g->aCoord[0];
  g->aCoord[2 * nVertex + 1] = g->aCoord[1];
  g->nRing = 1;
  g->aRingEnd = kg_xcalloc(1, sizeof(size_t));
  g->aRingEnd[0] = g->nVertex;
  g->nPoly = 1;
  g->aPolyEnd = kg_xcalloc(1, sizeof(size_t));
  g->aPolyEnd[0] = 1;
  g->minx = lon - dLon;
  g->maxx = lon + dLon;
  g->miny = lat - dLat;
  g->maxy = lat + dLat;
}

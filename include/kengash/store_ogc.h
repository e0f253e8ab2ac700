/* store_ogc.h: open data layers for OGC API - Features and exports
 * (ogc.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_OGC_H
#define KENGASH_STORE_OGC_H

/* ---- open data: OGC API - Features layers and exports (ogc.c) ----
 * Read-only public layers. Each has a fixed public schema (no personal
 * data); rows come ascending by id, through the layer's R*Tree when a bbox
 * is given (then refined with the exact predicate), with bounded batches so
 * a caller can stream any number of rows. Geometries are GeoJSON text in
 * EPSG:4326 lon/lat (OGC CRS84). */

enum kg_ogc_layer {
  KG_OGC_DISTRICTS,       /* districts: name, osm_id */
  KG_OGC_TERRITORIES,     /* discussions that are not drafts; temporal: opens_at..closes_at */
  KG_OGC_COMMENTS,        /* published comments with a location; temporal: created_at */
  KG_OGC_PARCELS,         /* cadastral parcels (only where a deployment publishes them) */
  KG_OGC_COMMENTS_EXPORT, /* published comments of one discussion, located or not (CSV export);
                             the geometry is WKT */
  KG_OGC__COUNT
};

enum kg_ogc_type { KG_OGC_TEXT, KG_OGC_INT, KG_OGC_REAL, KG_OGC_TIME, KG_OGC_BOOL };
struct kg_ogc_field {
  const char *zName;
  enum kg_ogc_type type;
};
/* Most properties a layer has. */
#define KG_OGC_MAX_FIELDS 12
/* The layer's properties in order (static; *pnField gets their number). */
const struct kg_ogc_field *kg_store_ogc_fields(enum kg_ogc_layer e, int *pnField /* OUT */);

/* One feature, borrowed for the row callback. aValue[i] belongs to field i
 * of kg_store_ogc_fields(); TIME values are epoch seconds in i. */
struct kg_ogc_row {
  int64_t id;
  const char *zGeometry; /* GeoJSON (WKT for KG_OGC_COMMENTS_EXPORT); NULL when none */
  /* Set instead of zGeometry and aValue (but for the last field) when the
   * row comes from the clustered copy (kg_ogc_filter.bFeatureText): the
   * whole GeoJSON Feature in CRS84 without its last property and without
   * the closing braces; the caller appends ,"<last field>":<its value>}} */
  const char *zFeature;
  struct {
    int bNull;
    int64_t i;
    double r;
    const char *z;
  } aValue[KG_OGC_MAX_FIELDS];
};

struct kg_ogc_filter {
  int bBbox;
  double bbox[4];       /* minlon, minlat, maxlon, maxlat: the geometry intersects it */
  int64_t tFrom, tTo;   /* temporal property intersects [tFrom, tTo]; use INT64_MIN and
                           INT64_MAX for open ends; ignored by layers without one */
  int64_t discussionId; /* KG_OGC_COMMENTS_EXPORT: the discussion (required) */
  int64_t afterId;      /* keyset: id > afterId */
  int64_t nOffset;      /* rows to skip after that */
  int nLimit;           /* rows at most (1..10000) */
  int bFeatureText;     /* rows may come as zFeature (KG_OGC_COMMENTS with a bbox: the
                           clustered copy, when the box holds at most a few thousand) */
  int64_t *pnMatched;   /* when rows come from the clustered copy and this is set: gets how
                           many rows match pF (as kg_store_ogc_count), counted on the way */
};
/* Rows matching pF; xRow returns nonzero to stop the walk. Each call runs
 * and resets its statement, so nothing stays open between calls. */
enum kg_err kg_store_ogc_items(struct kg_store *p, enum kg_ogc_layer e,
                               const struct kg_ogc_filter *pF,
                               int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg);
/* How many rows match pF (afterId, nOffset and nLimit ignored). For
 * KG_OGC_COMMENTS with a bbox it is counted while collecting the box's
 * rows from the clustered copy, and -1 (not counted) past a few thousand. */
enum kg_err kg_store_ogc_count(struct kg_store *p, enum kg_ogc_layer e,
                               const struct kg_ogc_filter *pF, int64_t *pn /* OUT */);
/* Feature id of layer e through xRow; KG_ENOTFOUND when absent or not public. */
enum kg_err kg_store_ogc_get(struct kg_store *p, enum kg_ogc_layer e, int64_t id,
                             int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg);
/* The clustered copy's key of a point (lon, lat): 24 bits of each,
 * interleaved (Z-order), as migration 0019 computes it. */
int64_t kg_store_ogc_cell(double x, double y);
/* The layer's extent: bbox (aBox, lon/lat) and temporal interval (*ptFrom,
 * *ptTo; 0 when the layer has no temporal property). *pbEmpty is 1 when the
 * layer has no rows (then the rest is zero). */
enum kg_err kg_store_ogc_extent(struct kg_store *p, enum kg_ogc_layer e, double aBox[4] /* OUT */,
                                int64_t *ptFrom /* OUT */, int64_t *ptTo /* OUT */,
                                int *pbEmpty /* OUT */);

#endif

/* ogc.c: open data for GIS. OGC API - Features Part 1 (Core, GeoJSON,
 * HTML, OpenAPI 3.0) and Part 2 (CRS by Reference) under /ogc/ over the
 * public layers of store/ogc.c, and the CSV export of a discussion's
 * published comments. Feature lists are streamed: rows are read in bounded
 * batches (keyset on id) from inside the response callback, so memory does
 * not grow with the result. Stored geometries are CRS84; another output CRS
 * is made per feature with PROJ (kg_geom_to_geojson_crs). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_comments.h"
#include "api_common.h"
#include "api_ogc.h"

#define OGC_LIMIT_DEFAULT 100
#define OGC_LIMIT_MAX 10000 /* larger limits are clamped to this (the spec allows it) */
#define OGC_OFFSET_MAX 1000000000
#define STREAM_BATCH 1000             /* rows per store call */
#define STREAM_CHUNK (256 * 1024)     /* rendered bytes before the next store call */
#define STREAM_FIRST (64 * 1024)      /* the buffer's first size: a page of 100 features */
#define STREAM_MAX (64 * 1024 * 1024) /* one rendered batch at most (a huge feature) */
#define URL_MAX 4096

/* ---- CRSs (Part 2) ---- */

#define CRS84_URI "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#define MSK16_CODE "msk16-1" /* the local CRS (kg_geo_local_crs) served at MSK16_PATH */
#define MSK16_PATH "/ogc/crs/" MSK16_CODE

struct crs {
  const char *zUri;  /* NULL: the deployment's MSK-16 URI (base-url + MSK16_PATH) */
  const char *zProj; /* for PROJ (crs_proj()); NULL: lon/lat, no transform */
  int bSwap;         /* axes in authority order lat,lon (EPSG:4326) */
};
static const struct crs aCrs[] = {
    {CRS84_URI, NULL, 0},
    {"http://www.opengis.net/def/crs/EPSG/0/4326", NULL, 1},
    {"http://www.opengis.net/def/crs/EPSG/0/3857", "EPSG:3857", 0},
    {"http://www.opengis.net/def/crs/EPSG/0/32639", "EPSG:32639", 0},
    {NULL, NULL, 0}, /* MSK-16: its definition from geo/ */
};
#define N_CRS (sizeof(aCrs) / sizeof(aCrs[0]))

/* The published URI of the local MSK-16 CRS: fixed by --base-url, not by
 * the Host a request came through, so that it stays one identifier. */
static void msk16_uri(struct kg_req *r, char *z, size_t n) {
  const char *zBase = kg_api_cfg(r)->zBaseUrl;
  size_t k = strlen(zBase);
  while (k && zBase[k - 1] == '/')
    k--;
  snprintf(z, n, "%.*s%s", (int)k, zBase, MSK16_PATH);
}

/* The PROJ definition of c; NULL: lon/lat, no transform. */
static const char *crs_proj(const struct crs *c) {
  return c->zUri ? c->zProj : kg_geo_local_crs(MSK16_CODE)->zProj;
}

static const char *crs_uri(struct kg_req *r, const struct crs *c, char *zBuf, size_t nBuf) {
  if (c->zUri) return c->zUri;
  msk16_uri(r, zBuf, nBuf);
  return zBuf;
}

/* The CRS named by query parameter zParam (CRS84 when absent), or NULL
 * after replying 400. */
static const struct crs *read_crs(struct kg_req *r, const char *zParam) {
  const char *z = kg_req_query(r, zParam);
  char zMsk[URL_MAX];
  if (!z) return &aCrs[0];
  for (size_t i = 0; i < N_CRS; i++)
    if (strcmp(z, crs_uri(r, &aCrs[i], zMsk, sizeof(zMsk))) == 0) return &aCrs[i];
  kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, zParam,
                      "is not a supported CRS; see the crs list of the collection");
  return NULL;
}

/* ---- request helpers ---- */

static const char *const azKnownParam[] = {"f",      "crs",  "bbox-crs", "limit",
                                           "offset", "bbox", "datetime", NULL};

static int unknown_param(void *pArg, const char *zName, const char *zValue) {
  (void)zValue;
  for (int i = 0; azKnownParam[i]; i++)
    if (strcmp(zName, azKnownParam[i]) == 0) return 0;
  snprintf(pArg, 80, "%.64s", zName);
  return 1;
}

/* 1 to answer in HTML, 0 in JSON, -1 after replying 400. Unknown query
 * parameters are refused here too (OGC API Core allows 400 for them). */
static int read_common(struct kg_req *r) {
  char zBad[80];
  if (kg_req_query_each(r, unknown_param, zBad)) {
    kg_reply_bad_status(r, 400, KG_R_UNKNOWN_FIELD, zBad, "is not a known query parameter");
    return -1;
  }
  const char *z = kg_req_query(r, "f");
  if (z) {
    if (strcmp(z, "html") == 0) return 1;
    if (strcmp(z, "json") == 0 || strcmp(z, "geojson") == 0) return 0;
    kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, "f", "must be json or html");
    return -1;
  }
  const char *zAccept = kg_req_header(r, "Accept");
  return zAccept && strstr(zAccept, "text/html") && !strstr(zAccept, "json");
}

/* The absolute prefix of links: --base-url when it was given, else
 * http://<Host> of the request (validated), else the default base URL. */
static void link_base(struct kg_req *r, char *z, size_t n) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  const char *zHost = kg_req_header(r, "Host");
  int bHostOk = zHost && *zHost && strlen(zHost) < 256;
  for (const char *c = zHost; bHostOk && *c; c++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]", *c))
      bHostOk = 0;
  if (!kg_config_get(pCfg, "base-url") && bHostOk) {
    snprintf(z, n, "http://%s", zHost);
    return;
  }
  const char *zBase = pCfg->zBaseUrl;
  size_t k = strlen(zBase);
  while (k && zBase[k - 1] == '/')
    k--;
  snprintf(z, n, "%.*s", (int)k, zBase);
}

static void url_escape(struct kg_buf *b, const char *z) {
  for (; *z; z++) {
    unsigned char c = (unsigned char)*z;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        strchr("-._~:/,", c))
      kg_buf_append(b, z, 1);
    else
      kg_buf_printf(b, "%%%02X", c);
  }
}

static int public_parcels(struct kg_req *r) {
  const char *z = kg_config_get(kg_api_cfg(r), "public-parcels");
  return z && (strcmp(z, "1") == 0 || strcasecmp(z, "yes") == 0 || strcasecmp(z, "true") == 0 ||
               strcasecmp(z, "on") == 0);
}

/* ---- collections ---- */

struct coll {
  const char *zId;
  enum kg_ogc_layer e;
  const char *zTitle;
  const char *zDescription;
  const char *zTemporal; /* the temporal property datetime filters on; NULL when none */
};
static const struct coll aColl[] = {
    {"districts", KG_OGC_DISTRICTS, "Districts", "Administrative districts of the city.", NULL},
    {"territories", KG_OGC_TERRITORIES, "Discussion territories",
     "Territories of public discussions that have been announced (drafts are not public). "
     "datetime filters on the exposition period opens_at..closes_at.",
     "opens_at/closes_at"},
    {"comments", KG_OGC_COMMENTS, "Published comments",
     "Published proposals, remarks and questions that have a location, without any data of "
     "their authors. datetime filters on created_at.",
     "created_at"},
    {"parcels", KG_OGC_PARCELS, "Cadastral parcels",
     "Cadastral parcels of the reference layer (published by this deployment).", NULL},
};
#define N_COLL (sizeof(aColl) / sizeof(aColl[0]))

static int coll_visible(struct kg_req *r, const struct coll *c) {
  return c->e != KG_OGC_PARCELS || public_parcels(r);
}

/* The collection of the {cid} segment, or NULL after replying 404. */
static const struct coll *read_coll(struct kg_req *r) {
  const char *z = kg_req_param(r, "cid");
  for (size_t i = 0; z && i < N_COLL; i++)
    if (strcmp(z, aColl[i].zId) == 0 && coll_visible(r, &aColl[i])) return &aColl[i];
  kg_reply_code(r, KG_P_NOT_FOUND, "no such collection");
  return NULL;
}

static json_t *link_json(const char *zHref, const char *zRel, const char *zType,
                         const char *zTitle) {
  json_t *p = json_pack("{s:s, s:s}", "href", zHref, "rel", zRel);
  if (zType) json_object_set_new(p, "type", json_string(zType));
  if (zTitle) json_object_set_new(p, "title", json_string(zTitle));
  return p;
}

/* Self and alternate links of a JSON resource at zPath (with '?'-less path). */
static void add_self_links(json_t *pLinks, const char *zBase, const char *zPath,
                           const char *zType) {
  char zUrl[URL_MAX];
  snprintf(zUrl, sizeof(zUrl), "%s%s?f=json", zBase, zPath);
  json_array_append_new(pLinks, link_json(zUrl, "self", zType, "This document"));
  snprintf(zUrl, sizeof(zUrl), "%s%s?f=html", zBase, zPath);
  json_array_append_new(pLinks, link_json(zUrl, "alternate", "text/html", "This document as HTML"));
}

static json_t *crs_list_json(struct kg_req *r) {
  json_t *p = json_array();
  char zBuf[URL_MAX];
  for (size_t i = 0; i < N_CRS; i++)
    json_array_append_new(p, json_string(crs_uri(r, &aCrs[i], zBuf, sizeof(zBuf))));
  return p;
}

/* The collection description; NULL after replying on a store error. */
static json_t *coll_json(struct kg_req *r, struct kg_store *pStore, const struct coll *c,
                         const char *zBase) {
  double aBox[4];
  int64_t tFrom, tTo;
  int bEmpty;
  enum kg_err rc = kg_store_ogc_extent(pStore, c->e, aBox, &tFrom, &tTo, &bEmpty);
  if (rc) {
    kg_reply_err(r, rc, "cannot read the collection");
    return NULL;
  }
  char zPath[256], zUrl[URL_MAX];
  snprintf(zPath, sizeof(zPath), "/ogc/collections/%s", c->zId);
  json_t *pLinks = json_array();
  add_self_links(pLinks, zBase, zPath, "application/json");
  snprintf(zUrl, sizeof(zUrl), "%s%s/items?f=json", zBase, zPath);
  json_array_append_new(pLinks, link_json(zUrl, "items", "application/geo+json", "Features"));
  snprintf(zUrl, sizeof(zUrl), "%s%s/items?f=html", zBase, zPath);
  json_array_append_new(pLinks, link_json(zUrl, "items", "text/html", "Features as HTML"));
  json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "id", c->zId, "title", c->zTitle,
                        "description", c->zDescription, "itemType", "feature", "links", pLinks,
                        "crs", crs_list_json(r), "storageCrs", CRS84_URI);
  json_t *pExtent = json_object();
  if (bEmpty) aBox[0] = -180, aBox[1] = -90, aBox[2] = 180, aBox[3] = 90;
  json_object_set_new(pExtent, "spatial",
                      json_pack("{s:[[f,f,f,f]], s:s}", "bbox", aBox[0], aBox[1], aBox[2], aBox[3],
                                "crs", CRS84_URI));
  if (c->zTemporal) {
    json_t *pIv = bEmpty ? json_pack("[n,n]")
                         : json_pack("[o,o]", kg_api_time_json(tFrom), kg_api_time_json(tTo));
    json_object_set_new(pExtent, "temporal",
                        json_pack("{s:[o], s:s}", "interval", pIv, "trs",
                                  "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"));
  }
  json_object_set_new(p, "extent", pExtent);
  return p;
}

/* ---- HTML ---- */

static void html_begin(struct kg_buf *b, const char *zTitle) {
  kg_buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                 "<title>");
  kg_buf_html_escape(b, zTitle);
  kg_buf_puts(b, " — Kengash open data</title><style>body{font-family:sans-serif;margin:1rem "
                 "2rem}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.25rem "
                 ".5rem;text-align:left;vertical-align:top}</style></head><body>"
                 "<nav aria-label=\"Open data\"><a href=\"/ogc/?f=html\">Open data</a> · "
                 "<a href=\"/ogc/collections?f=html\">Collections</a></nav><main><h1>");
  kg_buf_html_escape(b, zTitle);
  kg_buf_puts(b, "</h1>\n");
}

static void html_end(struct kg_buf *b) {
  kg_buf_puts(b, "</main></body></html>\n");
}

static void html_link(struct kg_buf *b, const char *zHref, const char *zText) {
  kg_buf_puts(b, "<a href=\"");
  kg_buf_html_escape(b, zHref);
  kg_buf_puts(b, "\">");
  kg_buf_html_escape(b, zText);
  kg_buf_puts(b, "</a>");
}

static void reply_buf(struct kg_req *r, struct kg_buf *b, const char *zType) {
  if (kg_buf_failed(b)) {
    kg_reply_code(r, KG_P_INTERNAL_ERROR, "could not render the response");
    return;
  }
  size_t n;
  char *z = kg_buf_detach(b, &n);
  kg_reply_text(r, 200, zType, z, n);
}

#define HTML_TYPE "text/html; charset=utf-8"

/* ---- landing page, conformance, OpenAPI, CRS definitions ---- */

void kg_api_ogc_landing(struct kg_req *r) {
  int bHtml = read_common(r);
  if (bHtml < 0) return;
  if (bHtml) {
    struct kg_buf b;
    kg_buf_init(&b, 64 * 1024);
    html_begin(&b, "Kengash open data");
    kg_buf_puts(&b, "<p>Public discussions on urban planning: territories, published comments "
                    "and reference layers, served as OGC API - Features.</p><ul><li>");
    html_link(&b, "/ogc/collections?f=html", "Collections");
    kg_buf_puts(&b, "</li><li>");
    html_link(&b, "/ogc/conformance?f=html", "Conformance");
    kg_buf_puts(&b, "</li><li>");
    html_link(&b, "/ogc/api", "API definition (OpenAPI 3.0)");
    kg_buf_puts(&b, "</li></ul>");
    html_end(&b);
    reply_buf(r, &b, HTML_TYPE);
    return;
  }
  char zBase[URL_MAX / 2], zUrl[URL_MAX];
  link_base(r, zBase, sizeof(zBase));
  json_t *pLinks = json_array();
  add_self_links(pLinks, zBase, "/ogc/", "application/json");
  snprintf(zUrl, sizeof(zUrl), "%s/ogc/api", zBase);
  json_array_append_new(pLinks, link_json(zUrl, "service-desc",
                                          "application/vnd.oai.openapi+json;version=3.0",
                                          "The API definition"));
  snprintf(zUrl, sizeof(zUrl), "%s/ogc/conformance", zBase);
  json_array_append_new(pLinks, link_json(zUrl, "conformance", "application/json",
                                          "Conformance classes implemented by this server"));
  snprintf(zUrl, sizeof(zUrl), "%s/ogc/collections", zBase);
  json_array_append_new(pLinks,
                        link_json(zUrl, "data", "application/json", "The feature collections"));
  kg_reply_json(r, 200,
                json_pack("{s:s, s:s, s:o}", "title", "Kengash open data", "description",
                          "Public discussions on urban planning: territories, published comments "
                          "and reference layers.",
                          "links", pLinks));
}

static const char *const azConformance[] = {
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
};

void kg_api_ogc_conformance(struct kg_req *r) {
  int bHtml = read_common(r);
  if (bHtml < 0) return;
  size_t n = sizeof(azConformance) / sizeof(azConformance[0]);
  if (bHtml) {
    struct kg_buf b;
    kg_buf_init(&b, 64 * 1024);
    html_begin(&b, "Conformance");
    kg_buf_puts(&b, "<ul>");
    for (size_t i = 0; i < n; i++) {
      kg_buf_puts(&b, "<li>");
      kg_buf_html_escape(&b, azConformance[i]);
      kg_buf_puts(&b, "</li>");
    }
    kg_buf_puts(&b, "</ul>");
    html_end(&b);
    reply_buf(r, &b, HTML_TYPE);
    return;
  }
  json_t *p = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(p, json_string(azConformance[i]));
  kg_reply_json(r, 200, json_pack("{s:o}", "conformsTo", p));
}

/* The OpenAPI 3.0 definition; "servers" is filled in per request. */
static const char zOpenApi[] =
    "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"Kengash open data\",\"version\":\"1.0.0\","
    "\"description\":\"OGC API - Features (Part 1 Core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS by "
    "Reference) over the public layers of Kengash.\"},"
    "\"paths\":{"
    "\"/\":{\"get\":{\"operationId\":\"getLandingPage\",\"summary\":\"Landing page\","
    "\"parameters\":[{\"$ref\":\"#/components/parameters/f\"}],"
    "\"responses\":{\"200\":{\"description\":\"Links to the API definition, the conformance "
    "classes and the collections\"}}}},"
    "\"/api\":{\"get\":{\"operationId\":\"getApi\",\"summary\":\"This API definition\","
    "\"responses\":{\"200\":{\"description\":\"OpenAPI 3.0 JSON\"}}}},"
    "\"/conformance\":{\"get\":{\"operationId\":\"getConformance\",\"summary\":\"Conformance "
    "classes\",\"parameters\":[{\"$ref\":\"#/components/parameters/f\"}],"
    "\"responses\":{\"200\":{\"description\":\"conformsTo\"}}}},"
    "\"/collections\":{\"get\":{\"operationId\":\"getCollections\",\"summary\":\"Feature "
    "collections\",\"parameters\":[{\"$ref\":\"#/components/parameters/f\"}],"
    "\"responses\":{\"200\":{\"description\":\"The collections\"}}}},"
    "\"/collections/{collectionId}\":{\"get\":{\"operationId\":\"describeCollection\","
    "\"summary\":\"One collection\",\"parameters\":[{\"$ref\":\"#/components/parameters/"
    "collectionId\"},{\"$ref\":\"#/components/parameters/f\"}],\"responses\":{\"200\":{"
    "\"description\":\"The collection\"},\"404\":{\"description\":\"No such collection\"}}}},"
    "\"/collections/{collectionId}/items\":{\"get\":{\"operationId\":\"getFeatures\","
    "\"summary\":\"Features of a collection\",\"parameters\":["
    "{\"$ref\":\"#/components/parameters/collectionId\"},"
    "{\"name\":\"limit\",\"in\":\"query\",\"required\":false,\"style\":\"form\",\"explode\":false,"
    "\"description\":\"Features per page; larger values are clamped to 10000\","
    "\"schema\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10000,\"default\":100}},"
    "{\"name\":\"offset\",\"in\":\"query\",\"required\":false,\"schema\":{\"type\":\"integer\","
    "\"minimum\":0,\"default\":0}},"
    "{\"name\":\"bbox\",\"in\":\"query\",\"required\":false,\"style\":\"form\",\"explode\":false,"
    "\"schema\":{\"type\":\"array\",\"minItems\":4,\"maxItems\":6,\"items\":{\"type\":\"number\"}}}"
    ","
    "{\"name\":\"bbox-crs\",\"in\":\"query\",\"required\":false,\"schema\":{\"type\":\"string\","
    "\"format\":\"uri\"}},"
    "{\"name\":\"datetime\",\"in\":\"query\",\"required\":false,\"style\":\"form\","
    "\"explode\":false,\"schema\":{\"type\":\"string\"}},"
    "{\"$ref\":\"#/components/parameters/crs\"},{\"$ref\":\"#/components/parameters/f\"}],"
    "\"responses\":{\"200\":{\"description\":\"A GeoJSON FeatureCollection\",\"content\":{"
    "\"application/geo+json\":{\"schema\":{\"type\":\"object\"}},\"text/html\":{\"schema\":{"
    "\"type\":\"string\"}}}},\"400\":{\"description\":\"A malformed parameter\"},\"404\":{"
    "\"description\":\"No such collection\"}}}},"
    "\"/collections/{collectionId}/items/{featureId}\":{\"get\":{\"operationId\":\"getFeature\","
    "\"summary\":\"One feature\",\"parameters\":[{\"$ref\":\"#/components/parameters/"
    "collectionId\"},{\"name\":\"featureId\",\"in\":\"path\",\"required\":true,\"schema\":{"
    "\"type\":\"string\"}},{\"$ref\":\"#/components/parameters/crs\"},{\"$ref\":\"#/components/"
    "parameters/f\"}],\"responses\":{\"200\":{\"description\":\"A GeoJSON Feature\",\"content\":{"
    "\"application/geo+json\":{\"schema\":{\"type\":\"object\"}}}},\"404\":{\"description\":\"No "
    "such feature\"}}}}},"
    "\"components\":{\"parameters\":{"
    "\"collectionId\":{\"name\":\"collectionId\",\"in\":\"path\",\"required\":true,\"schema\":{"
    "\"type\":\"string\"}},"
    "\"f\":{\"name\":\"f\",\"in\":\"query\",\"required\":false,\"schema\":{\"type\":\"string\","
    "\"enum\":[\"json\",\"html\"]}},"
    "\"crs\":{\"name\":\"crs\",\"in\":\"query\",\"required\":false,\"schema\":{\"type\":\"string\","
    "\"format\":\"uri\"}}}}}";

void kg_api_ogc_openapi(struct kg_req *r) {
  if (read_common(r) < 0) return;
  char zBase[URL_MAX / 2], zUrl[URL_MAX];
  link_base(r, zBase, sizeof(zBase));
  json_t *p = json_loads(zOpenApi, 0, NULL);
  if (!p) {
    kg_reply_code(r, KG_P_INTERNAL_ERROR, "the API definition is broken");
    return;
  }
  snprintf(zUrl, sizeof(zUrl), "%s/ogc", zBase);
  json_object_set_new(p, "servers", json_pack("[{s:s}]", "url", zUrl));
  char *z = json_dumps(p, JSON_COMPACT);
  json_decref(p);
  if (!z) {
    kg_reply_code(r, KG_P_INTERNAL_ERROR, "could not encode the response");
    return;
  }
  kg_reply_text(r, 200, "application/vnd.oai.openapi+json;version=3.0", z, strlen(z));
}

void kg_api_ogc_crs(struct kg_req *r) {
  const char *z = kg_req_param(r, "name");
  if (!z || strcmp(z, MSK16_CODE) != 0) {
    kg_reply_code(r, KG_P_NOT_FOUND, "no such CRS");
    return;
  }
  kg_reply_static(r, 200, "text/plain; charset=utf-8", kg_geo_local_crs(MSK16_CODE)->zAbout);
}

/* ---- collections ---- */

void kg_api_ogc_collections(struct kg_req *r) {
  int bHtml = read_common(r);
  if (bHtml < 0) return;
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;
  char zBase[URL_MAX / 2];
  link_base(r, zBase, sizeof(zBase));
  if (bHtml) {
    struct kg_buf b;
    kg_buf_init(&b, 256 * 1024);
    html_begin(&b, "Collections");
    kg_buf_puts(&b, "<table><thead><tr><th scope=\"col\">Collection</th><th scope=\"col\">"
                    "Description</th></tr></thead><tbody>");
    for (size_t i = 0; i < N_COLL; i++) {
      if (!coll_visible(r, &aColl[i])) continue;
      char zHref[256];
      snprintf(zHref, sizeof(zHref), "/ogc/collections/%s?f=html", aColl[i].zId);
      kg_buf_puts(&b, "<tr><td>");
      html_link(&b, zHref, aColl[i].zTitle);
      kg_buf_puts(&b, "</td><td>");
      kg_buf_html_escape(&b, aColl[i].zDescription);
      kg_buf_puts(&b, "</td></tr>");
    }
    kg_buf_puts(&b, "</tbody></table>");
    html_end(&b);
    reply_buf(r, &b, HTML_TYPE);
    return;
  }
  json_t *pColls = json_array();
  for (size_t i = 0; i < N_COLL; i++) {
    if (!coll_visible(r, &aColl[i])) continue;
    json_t *p = coll_json(r, pStore, &aColl[i], zBase);
    if (!p) {
      json_decref(pColls);
      return;
    }
    json_array_append_new(pColls, p);
  }
  json_t *pLinks = json_array();
  add_self_links(pLinks, zBase, "/ogc/collections", "application/json");
  kg_reply_json(r, 200,
                json_pack("{s:o, s:o, s:o}", "links", pLinks, "collections", pColls, "crs",
                          crs_list_json(r)));
}

void kg_api_ogc_collection(struct kg_req *r) {
  int bHtml = read_common(r);
  const struct coll *c;
  struct kg_store *pStore;
  if (bHtml < 0 || !(c = read_coll(r)) || !(pStore = kg_api_store(r))) return;
  char zBase[URL_MAX / 2];
  link_base(r, zBase, sizeof(zBase));
  json_t *p = coll_json(r, pStore, c, zBase);
  if (!p) return;
  if (!bHtml) {
    kg_reply_json(r, 200, p);
    return;
  }
  json_decref(p);
  struct kg_buf b;
  char zHref[256];
  kg_buf_init(&b, 256 * 1024);
  html_begin(&b, c->zTitle);
  kg_buf_puts(&b, "<p>");
  kg_buf_html_escape(&b, c->zDescription);
  kg_buf_puts(&b, "</p><p>");
  snprintf(zHref, sizeof(zHref), "/ogc/collections/%s/items?f=html", c->zId);
  html_link(&b, zHref, "Features");
  kg_buf_puts(&b, " · ");
  snprintf(zHref, sizeof(zHref), "/ogc/collections/%s/items?f=json", c->zId);
  html_link(&b, zHref, "GeoJSON");
  kg_buf_puts(&b, "</p>");
  html_end(&b);
  reply_buf(r, &b, HTML_TYPE);
}

/* ---- query parameters of items ---- */

/* Splits z into 4 or 6 plain decimal numbers; returns their count or 0. */
static int parse_numbers(const char *z, double *a) {
  int n = 0;
  if (strlen(z) > 400) return 0;
  while (n < 6) {
    const char *zEnd = z;
    while (*zEnd && *zEnd != ',')
      zEnd++;
    size_t k = (size_t)(zEnd - z);
    char zNum[64];
    if (k == 0 || k >= sizeof(zNum)) return 0;
    for (size_t i = 0; i < k; i++)
      if (!strchr("0123456789+-.eE", z[i])) return 0;
    memcpy(zNum, z, k);
    zNum[k] = 0;
    char *zStop;
    double v = strtod(zNum, &zStop);
    if (*zStop || !isfinite(v)) return 0;
    a[n++] = v;
    if (!*zEnd) break;
    z = zEnd + 1;
  }
  if (*z && n == 6 && strchr(z, ',')) return 0;
  return n == 4 || n == 6 ? n : 0;
}

/* bbox (and bbox-crs) into f->bbox in CRS84. Returns 1, or 0 after replying 400. */
static int read_bbox(struct kg_req *r, struct kg_ogc_filter *f) {
  const char *z = kg_req_query(r, "bbox");
  const struct crs *c = read_crs(r, "bbox-crs");
  if (!c) return 0;
  if (!z) {
    if (kg_req_query(r, "bbox-crs")) {
      kg_reply_bad_status(r, 400, KG_R_NEEDS_OTHER, "bbox-crs", "is given without bbox");
      return 0;
    }
    return 1;
  }
  double a[6];
  int n = parse_numbers(z, a);
  if (!n) {
    kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, "bbox",
                        "must be four (or six) comma-separated numbers: "
                        "minx,miny,maxx,maxy in bbox-crs (CRS84 lon/lat by default)");
    return 0;
  }
  double x0 = a[0], y0 = a[1], x1 = a[n / 2], y1 = a[n / 2 + 1];
  if (c->bSwap) {
    double t = x0;
    x0 = y0, y0 = t;
    t = x1, x1 = y1, y1 = t;
  }
  if (x0 > x1 || y0 > y1) {
    kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, "bbox",
                        "minimum is greater than maximum (boxes across the antimeridian "
                        "are not supported)");
    return 0;
  }
  if (crs_proj(c)) {
    /* The envelope of the box's edges, densified, in lon/lat. */
    double aOut[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    struct kg_geo_ctx *g = kg_api_geo();
    for (int i = 0; i <= 20; i++) {
      double t = i / 20.0;
      double aPt[4][2] = {{x0 + (x1 - x0) * t, y0},
                          {x0 + (x1 - x0) * t, y1},
                          {x0, y0 + (y1 - y0) * t},
                          {x1, y0 + (y1 - y0) * t}};
      for (int k = 0; k < 4; k++) {
        double x = aPt[k][0], y = aPt[k][1];
        if (kg_geo_transform_point(g, crs_proj(c), "EPSG:4326", &x, &y) != KG_OK) {
          kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, "bbox",
                              "cannot be transformed from bbox-crs");
          return 0;
        }
        aOut[0] = fmin(aOut[0], x), aOut[1] = fmin(aOut[1], y);
        aOut[2] = fmax(aOut[2], x), aOut[3] = fmax(aOut[3], y);
      }
    }
    x0 = aOut[0], y0 = aOut[1], x1 = aOut[2], y1 = aOut[3];
  }
  if (x0 < -180 || x1 > 180 || y0 < -90 || y1 > 90) {
    kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, "bbox",
                        "lies outside longitude -180..180, latitude -90..90");
    return 0;
  }
  f->bBbox = 1;
  f->bbox[0] = x0, f->bbox[1] = y0, f->bbox[2] = x1, f->bbox[3] = y1;
  return 1;
}

/* datetime: an instant, or an interval a/b where either end may be ".."
 * or empty (open). Returns 1, or 0 after replying 400. */
static int read_datetime(struct kg_req *r, struct kg_ogc_filter *f) {
  const char *z = kg_req_query(r, "datetime");
  f->tFrom = INT64_MIN;
  f->tTo = INT64_MAX;
  if (!z) return 1;
  static const char zMsg[] =
      "must be an RFC 3339 date-time, or an interval start/end where either end may be '..'";
  char zA[64], zB[64];
  const char *zSlash = strchr(z, '/');
  if (strlen(z) > 100 || (zSlash && strchr(zSlash + 1, '/'))) goto bad;
  if (!zSlash) {
    if (!*z || kg_time_parse(z, &f->tFrom) != KG_OK) goto bad;
    f->tTo = f->tFrom;
    return 1;
  }
  snprintf(zA, sizeof(zA), "%.*s", (int)(zSlash - z), z);
  snprintf(zB, sizeof(zB), "%s", zSlash + 1);
  if (*zA && strcmp(zA, "..") != 0 && kg_time_parse(zA, &f->tFrom) != KG_OK) goto bad;
  if (*zB && strcmp(zB, "..") != 0 && kg_time_parse(zB, &f->tTo) != KG_OK) goto bad;
  if (f->tFrom > f->tTo) {
    kg_reply_bad_status(r, 400, KG_R_INVALID_DATE, "datetime",
                        "the interval ends before it starts");
    return 0;
  }
  return 1;
bad:
  kg_reply_bad_status(r, 400, KG_R_INVALID_DATE, "datetime", zMsg);
  return 0;
}

static int read_int(struct kg_req *r, const char *zName, int64_t nMin, int64_t nDefault,
                    int64_t *pv) {
  const char *z = kg_req_query(r, zName);
  *pv = nDefault;
  if (!z) return 1;
  char *zEnd;
  long long v = strtoll(z, &zEnd, 10);
  if (!*z || *zEnd || strlen(z) > 12 || v < nMin) {
    char zMsg[80];
    snprintf(zMsg, sizeof(zMsg), "must be an integer of at least %lld", (long long)nMin);
    kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, zName, zMsg);
    return 0;
  }
  *pv = v;
  return 1;
}

/* ---- rendering features ---- */

enum fmt { FMT_JSON, FMT_HTML, FMT_CSV };

/* The feature's geometry in crs c: the stored text for CRS84, else parsed
 * and transformed. Appends JSON null when it cannot be transformed. */
static void geometry_json(struct kg_buf *b, const char *zGeo, const struct crs *c) {
  if (!zGeo) {
    kg_buf_puts(b, "null");
    return;
  }
  if (!crs_proj(c) && !c->bSwap) {
    kg_buf_puts(b, zGeo);
    return;
  }
  json_t *pJson = json_loads(zGeo, 0, NULL);
  struct kg_geom g = {0};
  char *zOut = NULL;
  struct kg_geo_ctx *ctx = kg_api_geo();
  if (pJson && kg_geo_parse(ctx, pJson, NULL, NULL, &g, NULL, 0) == KG_OK)
    zOut = kg_geom_to_geojson_crs(ctx, &g, crs_proj(c), c->bSwap);
  json_decref(pJson);
  kg_geom_clear(&g);
  kg_buf_puts(b, zOut ? zOut : "null");
  free(zOut);
}

static void value_text(struct kg_buf *b, const struct kg_ogc_field *pF,
                       const struct kg_ogc_row *pRow, int i, int bJson) {
  char z[64];
  if (pRow->aValue[i].bNull) {
    kg_buf_puts(b, bJson ? "null" : "");
    return;
  }
  switch (pF->type) {
  case KG_OGC_TEXT:
    if (bJson) kg_buf_puts(b, "\"");
    if (bJson)
      kg_buf_json_escape(b, pRow->aValue[i].z);
    else
      kg_buf_html_escape(b, pRow->aValue[i].z);
    if (bJson) kg_buf_puts(b, "\"");
    return;
  case KG_OGC_INT:
    kg_buf_i64(b, pRow->aValue[i].i);
    return;
  case KG_OGC_REAL:
    kg_buf_printf(b, "%.15g", round(pRow->aValue[i].r * 10) / 10);
    return;
  case KG_OGC_BOOL:
    kg_buf_puts(b, pRow->aValue[i].i ? "true" : "false");
    return;
  case KG_OGC_TIME:
    kg_time_format(pRow->aValue[i].i, z);
    kg_buf_printf(b, bJson ? "\"%s\"" : "%s", z);
    return;
  }
}

static void feature_json(struct kg_buf *b, enum kg_ogc_layer e, const struct kg_ogc_row *pRow,
                         const struct crs *c) {
  int nField;
  const struct kg_ogc_field *aField = kg_store_ogc_fields(e, &nField);
  if (pRow->zFeature) {             /* the clustered copy's text: only the last property is live */
    kg_buf_puts(b, pRow->zFeature); /* not printf: %s copies byte by byte */
    kg_buf_puts(b, ",\"");
    kg_buf_puts(b, aField[nField - 1].zName);
    kg_buf_puts(b, "\":");
    value_text(b, &aField[nField - 1], pRow, nField - 1, 1);
    kg_buf_puts(b, "}}");
    return;
  }
  kg_buf_printf(b, "{\"type\":\"Feature\",\"id\":%" PRId64 ",\"geometry\":", pRow->id);
  geometry_json(b, pRow->zGeometry, c);
  kg_buf_puts(b, ",\"properties\":{");
  for (int i = 0; i < nField; i++) {
    kg_buf_printf(b, "%s\"%s\":", i ? "," : "", aField[i].zName);
    value_text(b, &aField[i], pRow, i, 1);
  }
  kg_buf_puts(b, "}}");
}

static void html_head_row(struct kg_buf *b, enum kg_ogc_layer e) {
  int nField;
  const struct kg_ogc_field *aField = kg_store_ogc_fields(e, &nField);
  kg_buf_puts(b, "<table><thead><tr><th scope=\"col\">id</th>");
  for (int i = 0; i < nField; i++)
    kg_buf_printf(b, "<th scope=\"col\">%s</th>", aField[i].zName);
  kg_buf_puts(b, "</tr></thead><tbody>\n");
}

static void feature_html(struct kg_buf *b, const struct coll *pColl,
                         const struct kg_ogc_row *pRow) {
  int nField;
  const struct kg_ogc_field *aField = kg_store_ogc_fields(pColl->e, &nField);
  kg_buf_printf(b,
                "<tr><th scope=\"row\"><a href=\"/ogc/collections/%s/items/%" PRId64
                "?f=html\">%" PRId64 "</a></th>",
                pColl->zId, pRow->id, pRow->id);
  for (int i = 0; i < nField; i++) {
    kg_buf_puts(b, "<td>");
    value_text(b, &aField[i], pRow, i, 0);
    kg_buf_puts(b, "</td>");
  }
  kg_buf_puts(b, "</tr>\n");
}

/* One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF.
 * Text that a spreadsheet would run as a formula gets a leading '. */
static void csv_field(struct kg_buf *b, const char *z, int bText) {
  if (!z) return;
  int bFormula = bText && strchr("=+-@\t\r", z[0]) && z[0];
  if (!bFormula && !strpbrk(z, ",\"\r\n")) {
    kg_buf_puts(b, z);
    return;
  }
  kg_buf_puts(b, bFormula ? "\"'" : "\"");
  for (const char *p = z; *p; p++) {
    if (*p == '"') kg_buf_puts(b, "\"");
    kg_buf_append(b, p, 1);
  }
  kg_buf_puts(b, "\"");
}

static void feature_csv(struct kg_buf *b, const struct kg_ogc_row *pRow) {
  int nField;
  const struct kg_ogc_field *aField = kg_store_ogc_fields(KG_OGC_COMMENTS_EXPORT, &nField);
  kg_buf_printf(b, "%" PRId64, pRow->id);
  for (int i = 0; i < nField; i++) {
    kg_buf_puts(b, ",");
    if (pRow->aValue[i].bNull) continue;
    if (aField[i].type == KG_OGC_TEXT) {
      csv_field(b, pRow->aValue[i].z, 1);
    } else {
      value_text(b, &aField[i], pRow, i, 0);
    }
  }
  kg_buf_puts(b, ",");
  csv_field(b, pRow->zGeometry, 0);
  kg_buf_puts(b, "\r\n");
}

/* ---- the streamed feature list ---- */

struct items_stream {
  const struct coll *pColl; /* NULL for the CSV export */
  enum kg_ogc_layer e;
  enum fmt fmt;
  const struct crs *pCrs;
  struct kg_ogc_filter f;
  int64_t nOffset;   /* the request's offset, applied by the first store call */
  int64_t nLimit;    /* the page size */
  int64_t nLeft;     /* features still to send */
  int64_t lastId;    /* keyset position */
  int64_t nReturned; /* features sent */
  int64_t nMatched;  /* numberMatched; -1 when not counted */
  int bStarted;      /* the first store call was made */
  int bMore;         /* a row exists after the page: a next link */
  int bCut;          /* the last store call stopped on STREAM_CHUNK */
  int nSeen;         /* rows the last store call produced */
  int bRowsDone;
  int bFinished;
  int bError;
  struct kg_buf out; /* rendered, not yet handed to MHD */
  size_t iOut;
  char *zNextUrl; /* next page without the offset value, or NULL */
  char *zSelfUrl;
};

static void stream_free(void *p) {
  struct items_stream *s = p;
  kg_buf_free(&s->out);
  free(s->zNextUrl);
  free(s->zSelfUrl);
  free(s);
}

static int stream_row(void *pArg, const struct kg_ogc_row *pRow) {
  struct items_stream *s = pArg;
  s->nSeen++;
  if (s->nLeft == 0) {
    s->bMore = 1;
    return 1;
  }
  if (s->out.n >= STREAM_CHUNK) {
    s->bCut = 1;
    return 1;
  }
  switch (s->fmt) {
  case FMT_JSON:
    if (s->nReturned) kg_buf_puts(&s->out, ",\n");
    feature_json(&s->out, s->e, pRow, s->pCrs);
    break;
  case FMT_HTML:
    feature_html(&s->out, s->pColl, pRow);
    break;
  case FMT_CSV:
    feature_csv(&s->out, pRow);
    break;
  }
  s->nLeft--;
  s->nReturned++;
  s->lastId = pRow->id;
  return 0;
}

/* The end of the document: numberReturned and the links. */
static void stream_tail(struct items_stream *s) {
  struct kg_buf *b = &s->out;
  if (s->fmt == FMT_CSV) return;
  if (s->fmt == FMT_HTML) {
    kg_buf_puts(b, "</tbody></table>");
    kg_buf_printf(b, "<p>%" PRId64 " features on this page.", s->nReturned);
    if (s->bMore && s->zNextUrl) {
      char zHref[URL_MAX + 32];
      snprintf(zHref, sizeof(zHref), "%s%" PRId64, s->zNextUrl, s->nOffset + s->nLimit);
      kg_buf_puts(b, " ");
      html_link(b, zHref, "Next page");
    }
    kg_buf_puts(b, "</p>");
    html_end(b);
    return;
  }
  kg_buf_printf(b, "],\"numberReturned\":%" PRId64 ",", s->nReturned);
  if (s->nMatched >= 0) kg_buf_printf(b, "\"numberMatched\":%" PRId64 ",", s->nMatched);
  kg_buf_puts(b, "\"links\":[");
  kg_buf_puts(b, "{\"rel\":\"self\",\"type\":\"application/geo+json\",\"title\":\"This "
                 "document\",\"href\":\"");
  kg_buf_json_escape(b, s->zSelfUrl);
  kg_buf_puts(b, "\"}");
  if (s->bMore && s->zNextUrl) {
    kg_buf_puts(b, ",{\"rel\":\"next\",\"type\":\"application/geo+json\",\"title\":\"Next "
                   "page\",\"href\":\"");
    kg_buf_json_escape(b, s->zNextUrl);
    kg_buf_printf(b, "%" PRId64 "\"}", s->nOffset + s->nLimit);
  }
  kg_buf_puts(b, "]}\n");
}

/* Renders the next batch into s->out (which is empty). */
static void stream_fill(struct items_stream *s) {
  if (s->bRowsDone) {
    stream_tail(s);
    s->bFinished = 1;
    return;
  }
  struct kg_store *pStore = kg_store_thread();
  if (!pStore) {
    s->bError = 1;
    return;
  }
  s->f.afterId = s->lastId;
  s->f.nOffset = s->bStarted ? 0 : s->nOffset;
  s->f.nLimit = (int)(s->nLeft < STREAM_BATCH ? s->nLeft + 1 : STREAM_BATCH);
  if (!s->bStarted) kg_buf_reserve(&s->out, STREAM_FIRST); /* a page of 100 in one go */
  s->bStarted = 1;
  s->bCut = 0;
  s->nSeen = 0;
  if (kg_store_ogc_items(pStore, s->e, &s->f, stream_row, s) != KG_OK) {
    s->bError = 1;
    return;
  }
  if (s->bMore || (!s->bCut && s->nSeen < s->f.nLimit)) s->bRowsDone = 1;
}

static long stream_read(void *pCls, uint64_t nPos, char *zBuf, size_t nMax) {
  struct items_stream *s = pCls;
  size_t n = 0;
  (void)nPos;
  while (n < nMax) {
    if (s->iOut < s->out.n) {
      size_t k = s->out.n - s->iOut;
      if (k > nMax - n) k = nMax - n;
      memcpy(zBuf + n, s->out.a + s->iOut, k);
      n += k;
      s->iOut += k;
      continue;
    }
    if (kg_buf_failed(&s->out)) s->bError = 1;
    if (s->bError || s->bFinished) break;
    s->out.n = 0;
    s->iOut = 0;
    stream_fill(s);
  }
  if (n) return (long)n;
  if (s->bError) {
    kg_log_error("open data stream failed layer=%d", (int)s->e);
    return KG_STREAM_ERROR;
  }
  return KG_STREAM_END;
}

/* The items URL with every given parameter but offset, ending in
 * "offset=" (the caller appends the number). */
static char *next_url(struct kg_req *r, const char *zBase, const char *zPath, int bHtml,
                      int64_t nLimit) {
  static const char *const azKeep[] = {"crs", "bbox-crs", "bbox", "datetime"};
  struct kg_buf b;
  kg_buf_init(&b, URL_MAX * 2);
  kg_buf_printf(&b, "%s%s?f=%s&limit=%" PRId64, zBase, zPath, bHtml ? "html" : "json", nLimit);
  for (size_t i = 0; i < sizeof(azKeep) / sizeof(azKeep[0]); i++) {
    const char *z = kg_req_query(r, azKeep[i]);
    if (!z) continue;
    kg_buf_printf(&b, "&%s=", azKeep[i]);
    url_escape(&b, z);
  }
  kg_buf_puts(&b, "&offset=");
  if (kg_buf_failed(&b)) return NULL;
  return kg_buf_detach(&b, NULL);
}

static void content_crs(struct kg_req *r, const struct crs *c) {
  char zBuf[URL_MAX], zHdr[URL_MAX + 8];
  snprintf(zHdr, sizeof(zHdr), "<%s>", crs_uri(r, c, zBuf, sizeof(zBuf)));
  kg_reply_header(r, "Content-Crs", zHdr);
}

void kg_api_ogc_items(struct kg_req *r) {
  int bHtml = read_common(r);
  const struct coll *c;
  const struct crs *pCrs;
  struct kg_ogc_filter f = {0};
  int64_t nLimit, nOffset, nMatched;
  struct kg_store *pStore;
  if (bHtml < 0 || !(c = read_coll(r)) || !(pCrs = read_crs(r, "crs")) || !read_bbox(r, &f) ||
      !read_datetime(r, &f) || !read_int(r, "limit", 1, OGC_LIMIT_DEFAULT, &nLimit) ||
      !read_int(r, "offset", 0, 0, &nOffset))
    return;
  if (nLimit > OGC_LIMIT_MAX) nLimit = OGC_LIMIT_MAX;
  if (nOffset > OGC_OFFSET_MAX) {
    kg_reply_bad_status(r, 400, KG_R_INVALID, "offset", "is too large");
    return;
  }
  if (!(pStore = kg_api_store(r))) return;
  /* The clustered copy counts while it collects: no count query first
   * (numberMatched comes after the features, with numberReturned). */
  f.bFeatureText = !bHtml && !crs_proj(pCrs) && !pCrs->bSwap;
  nMatched = -1;
  enum kg_err rc = f.bFeatureText && f.bBbox && c->e == KG_OGC_COMMENTS
                       ? KG_OK
                       : kg_store_ogc_count(pStore, c->e, &f, &nMatched);
  if (rc) {
    kg_reply_err(r, rc, "cannot list the features");
    return;
  }
  char zBase[URL_MAX / 2], zPath[256], zTime[21];
  link_base(r, zBase, sizeof(zBase));
  snprintf(zPath, sizeof(zPath), "/ogc/collections/%s/items", c->zId);
  struct items_stream *s = kg_xcalloc(1, sizeof(*s));
  s->pColl = c;
  s->e = c->e;
  s->fmt = bHtml ? FMT_HTML : FMT_JSON;
  s->pCrs = pCrs;
  s->f = f;
  s->nOffset = nOffset;
  s->nLimit = nLimit;
  s->nLeft = nLimit;
  s->nMatched = nMatched;
  s->f.pnMatched = &s->nMatched;
  s->zNextUrl = next_url(r, zBase, zPath, bHtml, nLimit);
  if (s->zNextUrl) s->zSelfUrl = kg_xasprintf("%s%" PRId64, s->zNextUrl, nOffset);
  kg_buf_init(&s->out, STREAM_MAX);
  kg_time_format(kg_time_now(), zTime);
  if (bHtml) {
    html_begin(&s->out, c->zTitle);
    if (nMatched >= 0)
      kg_buf_printf(&s->out, "<p>%" PRId64 " features match; from number %" PRId64 ".</p>",
                    nMatched, nOffset + 1);
    else
      kg_buf_printf(&s->out, "<p>From number %" PRId64 ".</p>", nOffset + 1);
    html_head_row(&s->out, c->e);
  } else { /* numberMatched in the tail, when counted (the standard lets it be omitted) */
    kg_buf_printf(&s->out, "{\"type\":\"FeatureCollection\",\"timeStamp\":\"%s\",\"features\":[\n",
                  zTime);
  }
  content_crs(r, pCrs);
  kg_reply_stream(r, 200, bHtml ? HTML_TYPE : "application/geo+json", stream_read, s, stream_free);
}

/* ---- one feature ---- */

struct item_ctx {
  const struct coll *pColl;
  const struct crs *pCrs;
  int bHtml;
  struct kg_buf b;
};

static int item_row(void *pArg, const struct kg_ogc_row *pRow) {
  struct item_ctx *x = pArg;
  if (!x->bHtml) {
    feature_json(&x->b, x->pColl->e, pRow, x->pCrs);
    return 0;
  }
  int nField;
  const struct kg_ogc_field *aField = kg_store_ogc_fields(x->pColl->e, &nField);
  char zTitle[128];
  snprintf(zTitle, sizeof(zTitle), "%s: %" PRId64, x->pColl->zTitle, pRow->id);
  html_begin(&x->b, zTitle);
  kg_buf_puts(&x->b, "<table><tbody>");
  for (int i = 0; i < nField; i++) {
    kg_buf_printf(&x->b, "<tr><th scope=\"row\">%s</th><td>", aField[i].zName);
    value_text(&x->b, &aField[i], pRow, i, 0);
    kg_buf_puts(&x->b, "</td></tr>");
  }
  kg_buf_puts(&x->b, "</tbody></table>");
  html_end(&x->b);
  return 0;
}

void kg_api_ogc_item(struct kg_req *r) {
  int bHtml = read_common(r);
  const struct coll *c;
  const struct crs *pCrs;
  struct kg_store *pStore;
  if (bHtml < 0 || !(c = read_coll(r)) || !(pCrs = read_crs(r, "crs"))) return;
  int64_t fid;
  if (!(pStore = kg_api_open_id(r, "fid", "no such feature", &fid))) return;
  struct item_ctx x = {c, pCrs, bHtml, {0}};
  kg_buf_init(&x.b, STREAM_MAX);
  enum kg_err rc = kg_store_ogc_get(pStore, c->e, fid, item_row, &x);
  if (rc) {
    kg_buf_free(&x.b);
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such feature" : "cannot read the feature");
    return;
  }
  if (!bHtml) {
    /* Close the Feature object with its links. */
    char zBase[URL_MAX / 2];
    link_base(r, zBase, sizeof(zBase));
    if (x.b.n) x.b.n--, x.b.a[x.b.n] = 0;
    kg_buf_puts(&x.b,
                ",\"links\":[{\"rel\":\"self\",\"type\":\"application/geo+json\",\"href\":\"");
    kg_buf_json_escape(&x.b, zBase);
    kg_buf_printf(&x.b, "/ogc/collections/%s/items/%" PRId64 "?f=json\"},", c->zId, fid);
    kg_buf_puts(&x.b, "{\"rel\":\"collection\",\"type\":\"application/json\",\"href\":\"");
    kg_buf_json_escape(&x.b, zBase);
    kg_buf_printf(&x.b, "/ogc/collections/%s?f=json\"}]}", c->zId);
  }
  content_crs(r, pCrs);
  reply_buf(r, &x.b, bHtml ? HTML_TYPE : "application/geo+json");
}

/* ---- the CSV export of a discussion's published comments ---- */

void kg_api_comments_csv(struct kg_req *r) {
  int64_t id = kg_req_param_id(r, "id");
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore || !kg_api_visible_discussion(r, pStore, id)) return;
  struct items_stream *s = kg_xcalloc(1, sizeof(*s));
  s->e = KG_OGC_COMMENTS_EXPORT;
  s->fmt = FMT_CSV;
  s->pCrs = &aCrs[0];
  s->f.discussionId = id;
  s->f.tFrom = INT64_MIN;
  s->f.tTo = INT64_MAX;
  s->nLimit = s->nLeft = INT64_MAX - 1;
  kg_buf_init(&s->out, STREAM_MAX);
  kg_buf_puts(&s->out,
              "id,registration_number,kind,channel,status,created_at,supports,body,geometry\r\n");
  char zDisp[96];
  snprintf(zDisp, sizeof(zDisp), "attachment; filename=\"discussion-%" PRId64 "-comments.csv\"",
           id);
  kg_reply_header(r, "Content-Disposition", zDisp);
  kg_reply_stream(r, 200, "text/csv; charset=utf-8; header=present", stream_read, s, stream_free);
}

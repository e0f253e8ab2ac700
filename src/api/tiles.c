/* tiles.c: the base map of every page's map. GET /api/v1/map-config tells
 * the pages where tiles come from (a tile server's URL given with --tiles,
 * or this server's /tiles/ from --tiles-mbtiles, or none); GET
 * /tiles/{z}/{x}/{y}.{png|jpg|webp} serves the MBTiles file's tiles with a
 * strong ETag and a day of caching. Public: a base map is not personal
 * data, and the tile coordinates are never logged. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_common.h"
#include "api_handlers.h"

#define TILE_CACHE "public, max-age=86400"
#define MAX_ZOOM 30

static const struct kg_app *app_of(struct kg_req *r) {
  return (const struct kg_app *)kg_req_app(r);
}

void kg_api_map_config(struct kg_req *r) {
  const struct kg_app *pApp = app_of(r);
  json_t *pTiles = json_null();
  if (pApp->pTiles) {
    const struct kg_tiles_info *pInfo = kg_tiles_info(pApp->pTiles);
    char zUrl[64];
    snprintf(zUrl, sizeof(zUrl), "/tiles/{z}/{x}/{y}.%s", pInfo->zFormat);
    json_t *pBounds = json_null();
    if (pInfo->bBounds)
      pBounds = json_pack("[f, f, f, f]", pInfo->aBounds[0], pInfo->aBounds[1], pInfo->aBounds[2],
                          pInfo->aBounds[3]);
    pTiles =
        json_pack("{s:s, s:s, s:s, s:i, s:i, s:o}", "source", "mbtiles", "url", zUrl, "attribution",
                  pApp->zTilesAttribution ? pApp->zTilesAttribution : pInfo->zAttribution,
                  "min_zoom", pInfo->nMinZoom, "max_zoom", pInfo->nMaxZoom, "bounds", pBounds);
  } else if (pApp->zTilesUrl && *pApp->zTilesUrl) {
    pTiles = json_pack("{s:s, s:s, s:s, s:i, s:i, s:n}", "source", "url", "url", pApp->zTilesUrl,
                       "attribution", pApp->zTilesAttribution ? pApp->zTilesAttribution : "",
                       "min_zoom", 0, "max_zoom", pApp->nTilesMaxZoom, "bounds");
  }
  /* fixed for the process's life; a restart with other options shows
   * within five minutes */
  kg_reply_header(r, "Cache-Control", "public, max-age=300");
  kg_reply_json(r, 200, json_pack("{s:o}", "tiles", pTiles ? pTiles : json_null()));
}

/* A tile coordinate: 1 to nMaxDigits ASCII digits (no sign, no spaces),
 * below nLimit. Returns 1 with *pv set, else 0. */
static int parse_coord(const char *z, size_t n, int64_t nLimit, int64_t *pv) {
  if (n == 0 || n > 10) return 0;
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (z[i] < '0' || z[i] > '9') return 0;
    v = v * 10 + (z[i] - '0');
  }
  if (v >= nLimit) return 0;
  *pv = v;
  return 1;
}

void kg_api_tiles_get(struct kg_req *r) {
  const struct kg_app *pApp = app_of(r);
  if (!pApp->pTiles) {
    kg_reply_code(r, KG_P_NOT_CONFIGURED, "this server serves no tiles (see --tiles-mbtiles)");
    return;
  }
  const struct kg_tiles_info *pInfo = kg_tiles_info(pApp->pTiles);
  const char *zZ = kg_req_param(r, "z");
  const char *zX = kg_req_param(r, "x");
  const char *zFile = kg_req_param(r, "file");
  int64_t z = 0, x = 0, y = 0;
  if (!zZ || !parse_coord(zZ, strlen(zZ), MAX_ZOOM + 1, &z)) {
    kg_reply_limit(r, 400, KG_R_OUT_OF_RANGE, "z", "must be a zoom level from 0 to 30", 0, 30);
    return;
  }
  int64_t nSide = (int64_t)1 << z;
  if (!zX || !parse_coord(zX, strlen(zX), nSide, &x)) {
    kg_reply_bad_status(r, 400, KG_R_OUT_OF_RANGE, "x", "must be a column from 0 to 2^z - 1");
    return;
  }
  const char *zDot = zFile ? strrchr(zFile, '.') : NULL;
  if (!zDot || !parse_coord(zFile, (size_t)(zDot - zFile), nSide, &y)) {
    kg_reply_bad_status(r, 400, KG_R_OUT_OF_RANGE, "y",
                        "must be a row from 0 to 2^z - 1, then the extension");
    return;
  }
  const char *zExt = zDot + 1;
  int bJpeg = strcmp(zExt, "jpeg") == 0 && strcmp(pInfo->zFormat, "jpg") == 0;
  if (!bJpeg && strcmp(zExt, pInfo->zFormat) != 0) {
    char zMsg[80];
    snprintf(zMsg, sizeof(zMsg), "must be .%s: the tiles here are %s images", pInfo->zFormat,
             pInfo->zFormat);
    kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, "format", zMsg);
    return;
  }
  unsigned char *aData = NULL;
  size_t nData = 0;
  enum kg_err rc = kg_tiles_get(pApp->pTiles, (int)z, x, y, &aData, &nData);
  if (rc == KG_ENOTFOUND) {
    /* the file is fixed while serving: the answer holds as long as a tile */
    kg_reply_header(r, "Cache-Control", TILE_CACHE);
    kg_reply_code(r, KG_P_NOT_FOUND, "the tile file has no tile there");
    return;
  }
  if (rc != KG_OK) {
    kg_log_error("tile read failed err=%s", kg_err_name(rc));
    kg_reply_code(r, KG_P_UNAVAILABLE, "the tiles cannot be read now; try again shortly");
    return;
  }
  /* a strong validator: the tile's own bytes, whatever file they come from */
  unsigned char aHash[16];
  char zHex[2 * sizeof(aHash) + 1], zEtag[sizeof(zHex) + 2];
  crypto_generichash(aHash, sizeof(aHash), aData, nData, NULL, 0);
  sodium_bin2hex(zHex, sizeof(zHex), aHash, sizeof(aHash));
  snprintf(zEtag, sizeof(zEtag), "\"%s\"", zHex);
  kg_reply_header(r, "ETag", zEtag);
  kg_reply_header(r, "Cache-Control", TILE_CACHE);
  if (kg_req_etag_matches(r, zEtag)) {
    free(aData);
    kg_reply_empty(r, 304);
    return;
  }
  kg_reply_text(r, 200, pInfo->zMime, (char *)aData, nData);
}

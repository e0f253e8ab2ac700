/* fuzz_geojson.c: GeoJSON -> geometry (kg_geo_parse: types, rings, vertex
 * limits) in lon/lat and, through PROJ, from local metric CRSs, and the
 * geometry back to GeoJSON, WKT and another CRS. Input: one byte choosing
 * the CRS, then the GeoJSON text. */
#include <stdlib.h>
#include <string.h>

#include "kengash/geo.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  static const char *const azCrs[] = {
      NULL,
      "EPSG:4326",
      "EPSG:32639",
      "EPSG:3857",
      "OGC:CRS84",
      "EPSG:28409",
      "bogus",
      "+proj=tmerc +lat_0=0 +lon_0=49.03333333333 +k=1 +x_0=1300000 +y_0=-5709414.70 +ellps=krass "
      "+towgs84=23.57,-140.95,-79.8,0,0.35,0.79,-0.22 +units=m +no_defs"};
  static struct kg_geo_ctx *g;
  if (!g) g = kg_geo_ctx_new();
  if (nData < 1) return 0;
  const char *zCrs = azCrs[aData[0] % (sizeof(azCrs) / sizeof(azCrs[0]))];
  json_error_t e;
  json_t *pJson = json_loadb((const char *)aData + 1, nData - 1, JSON_REJECT_DUPLICATES, &e);
  if (!pJson) return 0;
  struct kg_geom geom;
  memset(&geom, 0, sizeof(geom));
  char zErr[256];
  if (kg_geo_parse(g, pJson, zCrs, NULL, &geom, zErr, sizeof(zErr)) == KG_OK) {
    free(kg_geom_to_geojson(&geom, aData[0] & 0x80));
    free(kg_geom_to_wkt(&geom, aData[0] & 0x40));
    (void)kg_geom_area_m2(&geom);
    free(kg_geom_to_geojson_crs(g, &geom, "EPSG:32639", 0));
  }
  kg_geom_clear(&geom);
  json_decref(pJson);
  return 0;
}

/* fuzz_query.c: the query strings of reads: OGC items' bbox, bbox-crs,
 * datetime, crs, limit, offset and f (src/api/ogc.c, included for its
 * static readers), the API's limit and cursor (kg_api_page), and the
 * plain bbox reader (kg_geo_parse_bbox). Input: lines "name=value". */
#include "../../src/api/ogc.c"

#include "fuzz_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  static struct kg_config cfg = {.zBaseUrl = "http://127.0.0.1:8080/"};
  static struct kg_app app = {.pCfg = &cfg};
  char *azLine[12], *zFree;
  int nLine = fuzz_lines(aData, nData, azLine, 12, &zFree);
  struct kg_req *r = fuzz_req_new(&app, "GET", "/ogc/collections/territories/items");
  for (int i = 0; i < nLine; i++) {
    char *zEq = strchr(azLine[i], '=');
    if (!zEq) continue;
    *zEq = 0;
    fuzz_req_add(r, FUZZ_QUERY, azLine[i], zEq + 1);
  }
  struct kg_ogc_filter f;
  memset(&f, 0, sizeof(f));
  int64_t v;
  int nLimit;
  int64_t afterId;
  if (read_common(r) >= 0 && read_crs(r, "crs") && read_bbox(r, &f) && read_datetime(r, &f) &&
      read_int(r, "limit", 1, OGC_LIMIT_DEFAULT, &v) && read_int(r, "offset", 0, 0, &v))
    kg_api_page(r, &nLimit, &afterId);
  const char *zBbox = kg_req_query(r, "bbox");
  if (zBbox) {
    double aBox[4];
    char zErr[200];
    kg_geo_parse_bbox(zBbox, aBox, zErr, sizeof(zErr));
  }
  fuzz_req_free(r);
  free(zFree);
  return 0;
}

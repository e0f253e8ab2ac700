/* fuzz_http.c: the http layer's own parsers: Range (with If-Range),
 * If-None-Match, the route matcher over the application's route table,
 * static file paths, Content-Type for JSON, the head checks (Host, bare
 * CR) and X-Request-Id. Input: lines method, path, Range, If-None-Match,
 * Content-Type, Host, X-Request-Id, file size. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  char *az[8], *zFree;
  fuzz_lines(aData, nData, az, 8, &zFree);
  const char *zMethod = az[0] ? az[0] : "GET";
  const char *zPath = az[1] ? az[1] : "/";
  struct kg_req *r = fuzz_req_new(NULL, zMethod, zPath);
  if (az[4]) fuzz_req_add(r, FUZZ_HEADER, "Content-Type", az[4]);
  if (az[5]) fuzz_req_add(r, FUZZ_HEADER, "Host", az[5]);
  size_t nRoute = 0;
  const struct kg_route *aRoute = kg_api_routes(&nRoute);
  if (fuzz_http_route(r, aRoute, nRoute) == 1) {
    (void)kg_req_param(r, "id");
    (void)kg_req_param_id(r, "id");
    (void)kg_req_param_id(r, "cid");
  }
  (void)fuzz_http_static_path_ok(zPath);
  (void)fuzz_http_head_invalid(r, zPath, az[6] ? "HTTP/1.1" : "HTTP/1.0");
  (void)fuzz_http_type_is_json(az[4]);
  (void)fuzz_http_request_id(r, az[6]);
  uint64_t nSize = az[7] ? strtoull(az[7], NULL, 10) : 1000;
  if (az[2]) {
    uint64_t a = 0, b = 0;
    int rc = fuzz_http_parse_range(az[2], nSize, &a, &b);
    if (rc > 0 && (a > b || b >= nSize)) abort(); /* a range outside the file */
  }
  if (az[3]) (void)fuzz_http_etag_matches(az[3], "\"3e8-17a\"");
  fuzz_req_free(r);
  free(zFree);
  return 0;
}

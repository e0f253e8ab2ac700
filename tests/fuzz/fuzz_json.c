/* fuzz_json.c: the JSON body reader (kg_req_json: Content-Type, UTF-8,
 * duplicate keys, object only) and the field checks handlers run on it
 * (kg_api_known_fields, kg_api_str, kg_api_time). Input: the body. */
#include <stdlib.h>
#include <string.h>

#include "../../src/api/api_common.h"
#include "fuzz_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  static const char *const azKnown[] = {"title", "body", "kind", "opens_at", "email", NULL};
  struct kg_req *r = fuzz_req_new(NULL, "POST", "/api/v1/comments");
  fuzz_req_add(r, FUZZ_HEADER, "Content-Type",
               nData && (aData[0] & 1) ? "application/json; charset=utf-8" : "application/json");
  fuzz_req_body(r, aData, nData);
  json_t *p = kg_req_json(r);
  if (p) {
    const char *z;
    int64_t t;
    kg_api_known_fields(r, p, azKnown);
    kg_api_str(r, p, "title", 1, 200, &z);
    kg_api_str(r, p, "body", 0, 5000, &z);
    kg_api_time(r, p, "opens_at", 0, &t);
  } else if (!fuzz_req_status(r)) {
    abort(); /* refused without an answer */
  }
  fuzz_req_free(r);
  return 0;
}

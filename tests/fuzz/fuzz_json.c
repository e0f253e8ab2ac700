/* fuzz_json.c: the JSON body reader (kg_req_json: Content-Type, UTF-8,
 * duplicate keys, object only) and the field-spec reader handlers run on it
 * (kg_api_fields: every field type, a nested object, unknown members).
 * Input: the body. */
#include <stdlib.h>
#include <string.h>

#include "../../src/api/api_common.h"
#include "fuzz_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  static const char *const azKind[] = {"proposal", "remark", NULL};
  struct kg_req *r = fuzz_req_new(NULL, "POST", "/api/v1/comments");
  fuzz_req_add(r, FUZZ_HEADER, "Content-Type",
               nData && (aData[0] & 1) ? "application/json; charset=utf-8" : "application/json");
  fuzz_req_body(r, aData, nData);
  json_t *p = kg_req_json(r);
  if (p) {
    const char *zTitle, *zBody, *zKind, *zPassword;
    char zEmail[256], zName[64];
    int64_t t, id, n;
    int b = 0;
    json_t *pWho, *pIds, *pAny;
    const struct kg_api_field aWho[] = {KG_API_F_TRIM("name", KG_API_REQUIRED, 20, zName),
                                        KG_API_F_BOOL("ok", 0, &b)};
    const struct kg_api_field aField[] = {
        KG_API_F_STR("title", 0, 200, &zTitle),
        {.zName = "body",
         .eType = KG_API_STR,
         .fFlags = KG_API_REQUIRED,
         .nMax = 5000,
         .pOut = &zBody,
         .pbOptionalIf = &b},
        {.zName = "kind", .eType = KG_API_STR, .nMax = 20, .pOut = &zKind, .azOneOf = azKind},
        KG_API_F_TIME("opens_at", 0, &t),
        KG_API_F_EMAIL("email", 0, zEmail),
        {.zName = "password", .eType = KG_API_TEXT, .pOut = &zPassword},
        KG_API_F_ID("id", 0, &id),
        {.zName = "n", .eType = KG_API_INT, .nMin = -5, .nMax = 5, .pOut = &n},
        {.zName = "who", .eType = KG_API_OBJECT, .pOut = &pWho, .aSub = aWho, .nSub = 2},
        {.zName = "ids", .eType = KG_API_ARRAY, .nMax = 10, .pOut = &pIds},
        KG_API_F_JSON("any", 0, &pAny),
    };
    if (!kg_api_fields(r, p, aField, KG_API_NFIELD(aField)) && !fuzz_req_status(r))
      abort(); /* refused without an answer */
  } else if (!fuzz_req_status(r)) {
    abort(); /* refused without an answer */
  }
  fuzz_req_free(r);
  return 0;
}

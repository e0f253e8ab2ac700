/* addresses.c: GET /api/v1/addresses?q=&limit= — suggestions from the
 * address register while a person types an address (the residence form).
 * Public: the register is reference data, not personal data; the query is
 * never logged (it may be someone's home). Ranking is the store's
 * (kg_store_address_search). */
#include <stdlib.h>
#include <string.h>

#include "api_common.h"
#include "api_handlers.h"

#define MAX_QUERY_BYTES 200
#define DEFAULT_LIMIT 10

void kg_api_addresses_search(struct kg_req *r) {
  const char *zQ = kg_req_query(r, "q");
  const char *zLimit = kg_req_query(r, "limit");
  struct kg_address_hit *aHit = NULL;
  struct kg_store *pStore;
  int nLimit = DEFAULT_LIMIT, nHit = 0;
  if (!zQ || !*zQ || strlen(zQ) > MAX_QUERY_BYTES || !kg_utf8_valid_text(zQ, strlen(zQ))) {
    kg_reply_bad_status(r, 400, KG_R_REQUIRED, "q", "is required: text of 1 to 200 bytes (UTF-8)");
    return;
  }
  if (zLimit) {
    char *zEnd;
    long v = strtol(zLimit, &zEnd, 10);
    if (!*zLimit || *zEnd || v < 1 || v > KG_ADDRESS_SEARCH_MAX) {
      kg_reply_limit(r, 400, KG_R_OUT_OF_RANGE, "limit", "must be an integer from 1 to 20", 1, 20);
      return;
    }
    nLimit = (int)v;
  }
  if (!(pStore = kg_api_store_primary(r))) return;
  aHit = kg_xcalloc((size_t)nLimit, sizeof(*aHit));
  enum kg_err rc = kg_store_address_search(pStore, zQ, nLimit, aHit, &nHit);
  if (rc) {
    free(aHit);
    kg_reply_err(r, rc, "cannot search the address register");
    return;
  }
  json_t *pItems = json_array();
  for (int i = 0; i < nHit; i++) {
    const struct kg_address_hit *h = &aHit[i];
    json_array_append_new(pItems,
                          json_pack("{s:I, s:s, s:o, s:f, s:f}", "id", (json_int_t)h->id, "address",
                                    h->zAddress, "district",
                                    h->zDistrict[0] ? json_string(h->zDistrict) : json_null(),
                                    "lon", h->lon, "lat", h->lat));
  }
  free(aHit);
  /* the register changes with an import, rarely: a minute of staleness is fine */
  kg_reply_header(r, "Cache-Control", "public, max-age=60");
  kg_reply_json(r, 200, json_pack("{s:o}", "items", pItems));
}

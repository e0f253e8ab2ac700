/* api_common.h: helpers shared by the api handlers (internal to src/api/):
 * typed JSON field readers that reply 422 naming the field, pagination,
 * time rendering, the per-thread store and geo context. */
#ifndef KENGASH_API_COMMON_H
#define KENGASH_API_COMMON_H

#include <jansson.h>
#include <stdint.h>

#include "kengash/api.h"
#include "kengash/geo.h"
#include "kengash/http.h"
#include "kengash/store.h"

/* This thread's store connection; replies 503 and returns NULL when the
 * database cannot be opened. */
struct kg_store *kg_api_store(struct kg_req *r);
/* This thread's geo context (PROJ); never NULL. */
struct kg_geo_ctx *kg_api_geo(void);
const struct kg_config *kg_api_cfg(struct kg_req *r);

/* Reads string field zField of pObj. Returns 1 with *pz set (NULL when
 * absent and not required), or 0 after replying 422 (wrong type, missing,
 * empty, over nMaxChars code points, control characters). */
int kg_api_str(struct kg_req *r, json_t *pObj, const char *zField, int bRequired, size_t nMaxChars,
               const char **pz /* OUT */);
/* Reads an RFC 3339 time field. Returns 1 (with *pt, 0 when absent and not
 * required) or 0 after replying 422. */
int kg_api_time(struct kg_req *r, json_t *pObj, const char *zField, int bRequired,
                int64_t *pt /* OUT */);
/* Replies 422 for any member of pObj not in azKnown (NULL-terminated). */
int kg_api_known_fields(struct kg_req *r, json_t *pObj, const char *const *azKnown);

/* Appends ", <flat>" (kg_store_address_unit of zTyped) to the register's
 * spelling zAddress (nAddress bytes) when zTyped names a flat, room,
 * office or premises; truncation keeps zAddress as it was. */
void kg_api_address_with_unit(char *zAddress, size_t nAddress, const char *zTyped);

/* ?limit= (default 50, 1..500) and ?cursor= (opaque). Return 1 or 0 after
 * replying 400. */
int kg_api_page(struct kg_req *r, int *pnLimit /* OUT */, int64_t *pAfterId /* OUT */);
/* The opaque cursor for the next page after lastId (json string). */
json_t *kg_api_cursor_json(int64_t lastId);
/* 429 with Retry-After: nSeconds and the detail "<zWhat>; try again in N
 * seconds". */
void kg_api_reply_retry(struct kg_req *r, int64_t nSeconds, const char *zWhat);
/* {items, next} from pItems (stolen) holding up to nLimit + 1 rows, each
 * with an "id": the extra row only tells that there is a next page, whose
 * cursor is the id of the last row kept. */
json_t *kg_api_page_json(json_t *pItems, int nLimit);

/* RFC 3339 string, or JSON null when t == 0. */
json_t *kg_api_time_json(int64_t t);
/* Pre-rendered JSON (stored GeoJSON) spliced into a reply without parsing
 * and printing it again. kg_api_raw_add() copies zJson (trusted JSON text
 * made by this program) and returns a placeholder to put in the reply
 * object (JSON null when zJson is NULL); kg_api_reply_raw() dumps pJson
 * (stealing it), replaces the placeholders and frees the copies. */
struct kg_api_raw {
  char **azJson;
  size_t n, nAlloc;
};
json_t *kg_api_raw_add(struct kg_api_raw *p, const char *zJson);
void kg_api_reply_raw(struct kg_req *r, unsigned status, json_t *pJson, struct kg_api_raw *p);
/* The text kg_api_reply_raw would send (malloc'd, length in *pn), or NULL
 * when it cannot be encoded; steals pJson and frees p's copies. */
char *kg_api_raw_render(json_t *pJson, struct kg_api_raw *p, size_t *pn /* OUT */);
void kg_api_raw_free(struct kg_api_raw *p);

#endif

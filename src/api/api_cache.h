/* api_cache.h: whole responses of the hot public reads (discussion list
 * and detail, comment pages and comment GeoJSON) kept in memory, built
 * once per content version. The versions come from the store
 * (kg_store_content_versions, bumped by triggers on every write), so a
 * write anywhere — this process or another — makes the next read rebuild.
 * Replies carry an ETag made of the versions; If-None-Match gets a 304.
 * Bounded: a fixed number of slots and of bytes (the bodies and their
 * gzip and Brotli variants, each made on the first request that asks for
 * that encoding); only public views are kept (moderators' views bypass
 * it). */
#ifndef KENGASH_API_CACHE_H
#define KENGASH_API_CACHE_H

#include <jansson.h>
#include <stdint.h>

#include "api_common.h"
#include "kengash/http.h"
#include "kengash/store.h"

#define KG_API_CACHE_KEY_MAX 512

struct kg_api_cache_key {
  int bOn; /* 0: not cacheable (too long a URL, or versions unreadable) */
  int64_t aV[2];
  uint32_t h;     /* hash of z: picks the slot */
  char zEtag[96]; /* with its quotes */
  size_t n;
  char z[KG_API_CACHE_KEY_MAX];
};

/* Builds r's key (path and query) and reads the versions of discussion
 * discussionId (0: the catalogue only). Replies 304 or the cached body (or
 * its variant for r's Accept-Encoding, with the ETag's suffix) and
 * returns 1 on a hit; else returns 0 with *pKey ready for
 * kg_api_cache_reply (the handler builds the response). */
int kg_api_cache_serve(struct kg_req *r, struct kg_store *p, int64_t discussionId,
                       struct kg_api_cache_key *pKey /* OUT */);
/* Renders pJson (stealing it, splicing pRaw like kg_api_reply_raw), keeps
 * it under pKey when on, and replies 200 with its ETag. */
void kg_api_cache_reply(struct kg_req *r, struct kg_api_cache_key *pKey, json_t *pJson,
                        struct kg_api_raw *pRaw);
/* For metrics: lookups answered from the cache (a 304 included) and not,
 * since start, and the bytes of the bodies held. */
void kg_api_cache_stats(int64_t *pnHit /* OUT */, int64_t *pnMiss /* OUT */,
                        int64_t *pnBytes /* OUT */);
/* Frees every entry (at shutdown; tests). */
void kg_api_cache_clear(void);

#endif

/* cache.c: the response cache of api_cache.h. Direct-mapped slots keyed by
 * the request's path and query; each holds one rendered body with the
 * content versions it was built from. Bodies are shared with the replies
 * in flight by reference count, so a hit copies nothing. A body's gzip and
 * Brotli variants are made on the first request that asks for each and
 * kept with it, so a later hit compresses nothing. */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_cache.h"

#define CACHE_SLOTS 4096
#define CACHE_STRIPES 64
#define CACHE_MAX_BYTES ((size_t)32 << 20) /* all bodies held by slots, and variants */
#define CACHE_MAX_ENTRY ((size_t)4 << 20)

/* A compressed copy of a body; z NULL when compressing did not make it
 * smaller (the identity body is sent). */
struct variant {
  size_t n;
  char *z;
};

struct body {
  atomic_int nRef;
  size_t n;
  char *z;
  _Atomic(struct variant *) apVar[KG_ENC_COUNT]; /* made on first use */
};

struct slot {
  char *zKey;
  size_t nKey;
  int64_t aV[2];
  struct body *pBody;
};

static struct slot g_aSlot[CACHE_SLOTS];
static pthread_mutex_t g_aLock[CACHE_STRIPES];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static atomic_size_t g_nBytes;

static const char zJsonType[] = "application/json; charset=utf-8";

/* Hits and misses for metrics: one padded pair per shard, a thread counts
 * on its own (round robin), so no cache line is shared per request. */
#define STAT_SHARDS 8
static struct {
  _Alignas(64) atomic_uint_fast64_t nHit;
  atomic_uint_fast64_t nMiss;
} g_aStat[STAT_SHARDS];
static atomic_uint g_nStatShard;
static _Thread_local int g_iStatShard = -1;

static void count(int bHit) {
  if (g_iStatShard < 0) g_iStatShard = (int)(atomic_fetch_add(&g_nStatShard, 1) % STAT_SHARDS);
  atomic_fetch_add_explicit(bHit ? &g_aStat[g_iStatShard].nHit : &g_aStat[g_iStatShard].nMiss, 1,
                            memory_order_relaxed);
}

void kg_api_cache_stats(int64_t *pnHit, int64_t *pnMiss, int64_t *pnBytes) {
  uint64_t nHit = 0, nMiss = 0;
  for (int i = 0; i < STAT_SHARDS; i++) {
    nHit += atomic_load_explicit(&g_aStat[i].nHit, memory_order_relaxed);
    nMiss += atomic_load_explicit(&g_aStat[i].nMiss, memory_order_relaxed);
  }
  *pnHit = (int64_t)nHit;
  *pnMiss = (int64_t)nMiss;
  *pnBytes = (int64_t)atomic_load(&g_nBytes);
}

static void init_locks(void) {
  for (int i = 0; i < CACHE_STRIPES; i++)
    pthread_mutex_init(&g_aLock[i], NULL);
}

static void body_release(void *pArg) {
  struct body *b = pArg;
  if (atomic_fetch_sub(&b->nRef, 1) == 1) {
    for (int e = 0; e < KG_ENC_COUNT; e++) {
      struct variant *v = atomic_load(&b->apVar[e]);
      if (!v) continue;
      atomic_fetch_sub(&g_nBytes, v->n);
      free(v->z);
      free(v);
    }
    free(b->z);
    free(b);
  }
}

/* b's variant for e, compressed now when no request made it before. Its
 * bytes count in g_nBytes while b lives. */
static const struct variant *variant_get(struct body *b, enum kg_enc e) {
  struct variant *v = atomic_load(&b->apVar[e]);
  if (v) return v;
  v = kg_xcalloc(1, sizeof(*v));
  if (!kg_http_compress(e, 0, b->z, b->n, &v->z, &v->n)) v->z = NULL, v->n = 0;
  struct variant *pOld = NULL;
  if (!atomic_compare_exchange_strong(&b->apVar[e], &pOld, v)) {
    free(v->z); /* another thread made it first */
    free(v);
    return pOld;
  }
  atomic_fetch_add(&g_nBytes, v->n);
  return v;
}

static uint32_t fnv1a(const char *z, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)z[i]) * 16777619u;
  return h;
}

struct key_ctx {
  struct kg_api_cache_key *k;
  int bFirst;
};

static int key_add(struct kg_api_cache_key *k, const char *z) {
  size_t n = strlen(z);
  if (memchr(z, '\x1f', n) || k->n + n + 1 >= sizeof(k->z)) return 0;
  memcpy(k->z + k->n, z, n);
  k->n += n;
  k->z[k->n] = 0;
  return 1;
}

/* name=value pairs joined by \x1f, which no name or value may hold. */
static int key_arg(void *pArg, const char *zName, const char *zValue) {
  struct key_ctx *c = pArg;
  int ok = key_add(c->k, c->bFirst ? "?" : "\x1f") && key_add(c->k, zName) && key_add(c->k, "=") &&
           key_add(c->k, zValue ? zValue : "");
  c->bFirst = 0;
  return ok ? 0 : 1;
}

/* Replies with b, or its variant for the encoding r accepts (the ETag
 * gets the variant's suffix in the http layer); takes a reference of b. */
static void reply_body(struct kg_req *r, const struct kg_api_cache_key *k, struct body *b) {
  kg_reply_header(r, "ETag", k->zEtag);
  kg_reply_header(r, "Cache-Control", "no-cache");
  enum kg_enc e = b->n >= KG_HTTP_COMPRESS_MIN ? kg_req_encoding(r) : KG_ENC_IDENTITY;
  const struct variant *v = e != KG_ENC_IDENTITY ? variant_get(b, e) : NULL;
  if (v && v->z)
    kg_reply_shared_enc(r, 200, zJsonType, e, v->z, v->n, body_release, b);
  else
    kg_reply_shared(r, 200, zJsonType, b->z, b->n, body_release, b);
}

int kg_api_cache_serve(struct kg_req *r, struct kg_store *p, int64_t discussionId,
                       struct kg_api_cache_key *k) {
  pthread_once(&g_once, init_locks);
  memset(k, 0, offsetof(struct kg_api_cache_key, z));
  k->z[0] = 0;
  struct key_ctx c = {k, 1};
  if (!key_add(k, kg_req_path(r)) || kg_req_query_each(r, key_arg, &c) != 0) return 0;
  if (kg_store_content_versions(p, discussionId, k->aV) != KG_OK) return 0;
  uint32_t h = k->h = fnv1a(k->z, k->n);
  snprintf(k->zEtag, sizeof(k->zEtag), "\"c%lld.%lld.%08x\"", (long long)k->aV[0],
           (long long)k->aV[1], h);
  k->bOn = 1;
  if (kg_req_etag_matches(r, k->zEtag)) {
    count(1);
    kg_reply_header(r, "ETag", k->zEtag);
    kg_reply_header(r, "Cache-Control", "no-cache");
    kg_reply_empty(r, 304);
    return 1;
  }
  struct body *b = NULL;
  unsigned i = h % CACHE_SLOTS;
  pthread_mutex_t *pLock = &g_aLock[i % CACHE_STRIPES];
  pthread_mutex_lock(pLock);
  struct slot *s = &g_aSlot[i];
  if (s->pBody && s->nKey == k->n && s->aV[0] == k->aV[0] && s->aV[1] == k->aV[1] &&
      memcmp(s->zKey, k->z, k->n) == 0) {
    b = s->pBody;
    atomic_fetch_add(&b->nRef, 1);
  }
  pthread_mutex_unlock(pLock);
  count(b != NULL);
  if (!b) return 0;
  reply_body(r, k, b);
  return 1;
}

/* Puts b in its slot (taking a reference), replacing what was there, when
 * the byte budget allows. */
static void put(const struct kg_api_cache_key *k, struct body *b) {
  if (b->n > CACHE_MAX_ENTRY) return;
  pthread_once(&g_once, init_locks);
  unsigned i = k->h % CACHE_SLOTS;
  pthread_mutex_t *pLock = &g_aLock[i % CACHE_STRIPES];
  struct body *pOld = NULL;
  pthread_mutex_lock(pLock);
  struct slot *s = &g_aSlot[i];
  size_t nOld = s->pBody ? s->pBody->n : 0;
  if (atomic_load(&g_nBytes) - nOld + b->n <= CACHE_MAX_BYTES) {
    pOld = s->pBody;
    if (s->nKey != k->n || !s->zKey || memcmp(s->zKey, k->z, k->n) != 0) {
      free(s->zKey);
      s->zKey = kg_xstrndup(k->z, k->n);
      s->nKey = k->n;
    }
    s->aV[0] = k->aV[0];
    s->aV[1] = k->aV[1];
    atomic_fetch_add(&b->nRef, 1);
    s->pBody = b;
    atomic_fetch_add(&g_nBytes, b->n);
    atomic_fetch_sub(&g_nBytes, nOld);
  }
  pthread_mutex_unlock(pLock);
  if (pOld) body_release(pOld);
}

void kg_api_cache_reply(struct kg_req *r, struct kg_api_cache_key *k, json_t *pJson,
                        struct kg_api_raw *pRaw) {
  size_t n;
  char *z = kg_api_raw_render(pJson, pRaw, &n);
  if (!z) {
    kg_reply_code(r, KG_P_INTERNAL_ERROR, "could not encode the response");
    return;
  }
  if (!k->bOn) {
    kg_reply_text(r, 200, zJsonType, z, n);
    return;
  }
  struct body *b = kg_xcalloc(1, sizeof(*b));
  atomic_init(&b->nRef, 1); /* the reply's */
  for (int e = 0; e < KG_ENC_COUNT; e++)
    atomic_init(&b->apVar[e], NULL);
  b->n = n;
  b->z = z;
  put(k, b);
  reply_body(r, k, b);
}

void kg_api_cache_clear(void) {
  pthread_once(&g_once, init_locks);
  for (unsigned i = 0; i < CACHE_SLOTS; i++) {
    pthread_mutex_t *pLock = &g_aLock[i % CACHE_STRIPES];
    pthread_mutex_lock(pLock);
    struct slot *s = &g_aSlot[i];
    struct body *b = s->pBody;
    if (b) atomic_fetch_sub(&g_nBytes, b->n);
    free(s->zKey);
    memset(s, 0, sizeof(*s));
    pthread_mutex_unlock(pLock);
    if (b) body_release(b);
  }
}

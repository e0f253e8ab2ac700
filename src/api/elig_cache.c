/* elig_cache.c: the eligibility cache of api_elig_cache.h. 8,192 sets of
 * eight entries (64k answers, under 4 MB); an answer is kept in the
 * emptier of two sets chosen by a hash of account and discussion, and a
 * full set gives up its entries in turn. Each entry holds the answer with
 * the versions it was computed under; a lookup compares them with the
 * current ones, so a stale entry is never served, only replaced. */
#include <pthread.h>
#include <string.h>

#include "api_elig_cache.h"

#define ELIG_SETS 8192 /* a power of two */
#define ELIG_WAYS 8
#define ELIG_STRIPES 256 /* locks, each for every 256th set */

struct entry {
  int64_t accountId; /* 0: empty */
  int64_t discussionId;
  struct kg_eligibility e; /* with e.v, its versions */
};

static struct {
  struct entry a[ELIG_WAYS];
  unsigned char iNext; /* the way the next new answer takes when full */
} g_aSet[ELIG_SETS];

static pthread_mutex_t g_aLock[ELIG_STRIPES];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_locks(void) {
  for (int i = 0; i < ELIG_STRIPES; i++)
    pthread_mutex_init(&g_aLock[i], NULL);
}

/* The two sets an answer may be kept in ("two choices"): a new answer
 * goes to the emptier one, so that sets rarely overflow. With one set per
 * key, at 40,000 answers (bench/run's citizens) about one in eight fell
 * into a set holding more than eight, and such a set, visited in turn,
 * missed every time: a miss computes the eligibility (about ten times a
 * hit), which was a quarter of the scenario's CPU. */
static void sets_of(int64_t accountId, int64_t discussionId, unsigned ai[2]) {
  uint64_t h = (uint64_t)accountId * 0x9E3779B97F4A7C15u ^ (uint64_t)discussionId;
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9u;
  h ^= h >> 29;
  ai[0] = (unsigned)(h & (ELIG_SETS - 1));
  ai[1] = (unsigned)((h >> 32) & (ELIG_SETS - 1));
  if (ai[1] == ai[0]) ai[1] ^= 1;
}

static int same_versions(const struct kg_elig_versions *a, const struct kg_elig_versions *b) {
  return a->catalogue == b->catalogue && a->account == b->account;
}

/* In set i, whose stripe the caller holds: the key's entry or NULL; the
 * number of empty ways in *pnEmpty and the first of them in *ppEmpty
 * (NULL: none; both may be NULL). */
static struct entry *find(unsigned i, int64_t accountId, int64_t discussionId, int *pnEmpty,
                          struct entry **ppEmpty) {
  struct entry *pFound = NULL, *pEmpty = NULL;
  int nEmpty = 0;
  for (int k = 0; k < ELIG_WAYS; k++) {
    struct entry *x = &g_aSet[i].a[k];
    if (x->accountId == accountId && x->discussionId == discussionId) pFound = x;
    if (!x->accountId && !nEmpty++) pEmpty = x;
  }
  if (pnEmpty) *pnEmpty = nEmpty;
  if (ppEmpty) *ppEmpty = pEmpty;
  return pFound;
}

/* The cached answer under versions *pV: 1 and *pOut, else 0. */
static int get(int64_t accountId, int64_t discussionId, const struct kg_elig_versions *pV,
               struct kg_eligibility *pOut) {
  unsigned ai[2];
  int bHit = 0;
  sets_of(accountId, discussionId, ai);
  for (int c = 0; c < 2 && !bHit; c++) {
    pthread_mutex_lock(&g_aLock[ai[c] % ELIG_STRIPES]);
    const struct entry *x = find(ai[c], accountId, discussionId, NULL, NULL);
    if (x && same_versions(&x->e.v, pV)) {
      *pOut = x->e;
      bHit = 1;
    }
    pthread_mutex_unlock(&g_aLock[ai[c] % ELIG_STRIPES]);
  }
  return bHit;
}

/* Keeps answer e: in the key's entry in either set, else in an empty way
 * of the emptier set, else in that set's next way. */
static void put(int64_t accountId, int64_t discussionId, const struct kg_eligibility *e) {
  unsigned ai[2];
  int aEmpty[2];
  sets_of(accountId, discussionId, ai);
  for (int c = 0; c < 2; c++) {
    pthread_mutex_lock(&g_aLock[ai[c] % ELIG_STRIPES]);
    struct entry *x = find(ai[c], accountId, discussionId, &aEmpty[c], NULL);
    if (x) x->e = *e;
    pthread_mutex_unlock(&g_aLock[ai[c] % ELIG_STRIPES]);
    if (x) return;
  }
  unsigned i = aEmpty[1] > aEmpty[0] ? ai[1] : ai[0];
  pthread_mutex_lock(&g_aLock[i % ELIG_STRIPES]);
  struct entry *pEmpty;
  struct entry *pTo = find(i, accountId, discussionId, NULL, &pEmpty); /* put meanwhile */
  if (!pTo) pTo = pEmpty;
  if (!pTo) {
    pTo = &g_aSet[i].a[g_aSet[i].iNext];
    g_aSet[i].iNext = (unsigned char)((g_aSet[i].iNext + 1) % ELIG_WAYS);
  }
  pTo->accountId = accountId;
  pTo->discussionId = discussionId;
  pTo->e = *e;
  pthread_mutex_unlock(&g_aLock[i % ELIG_STRIPES]);
}

enum kg_err kg_api_eligibility(struct kg_store *p, int64_t accountId, int64_t discussionId,
                               struct kg_eligibility *pOut) {
  struct kg_elig_versions v;
  pthread_once(&g_once, init_locks);
  if (accountId > 0 && kg_store_elig_versions(p, accountId, &v) == KG_OK &&
      get(accountId, discussionId, &v, pOut))
    return KG_OK;
  enum kg_err rc = kg_store_eligibility(p, accountId, discussionId, pOut);
  /* kept under the versions read with the answer, in its snapshot */
  if (rc == KG_OK && accountId > 0) put(accountId, discussionId, pOut);
  return rc;
}

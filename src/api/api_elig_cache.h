/* api_elig_cache.h: each account's eligibility answer per discussion,
 * kept in memory under the versions it was computed under (struct
 * kg_elig_versions: the catalogue's content version and the account's
 * eligibility version, both bumped by triggers on every write that could
 * change the answer, in any process). A lookup reads the current versions
 * (one statement, two lookups by key) and serves the answer only while
 * both still hold, so it is right after any verification change, a
 * revocation, a new declaration or a discussion's closing. Bounded: a
 * fixed table of 8-way sets; locks striped by set, no global lock. */
#ifndef KENGASH_API_ELIG_CACHE_H
#define KENGASH_API_ELIG_CACHE_H

#include <stdint.h>

#include "kengash/store.h"

/* kg_store_eligibility through the cache: the cached answer while its
 * versions hold, else computed on p and kept. Same results. */
enum kg_err kg_api_eligibility(struct kg_store *p, int64_t accountId, int64_t discussionId,
                               struct kg_eligibility *pOut /* OUT */);
#endif

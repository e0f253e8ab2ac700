/* bench_support.h: what the benchmark data generators (bench/gen-city.c,
 * bench/gen.c) need from the store beyond its public API. Only
 * bench-gen-city and bench-gen link bench_support.c; the server and
 * libkengash have neither, which is why this is not in
 * include/kengash/store.h. */
#ifndef KENGASH_BENCH_SUPPORT_H
#define KENGASH_BENCH_SUPPORT_H

#include "kengash/store.h"

/* bOn 1: bulk-load mode for a new database that nobody else uses: rollback
 * journal in memory, synchronous=OFF, a 512 MiB page cache, and the
 * secondary indexes and the spatial index of comments and moderation_log
 * dropped (their definitions kept). bOn 0: builds those indexes again,
 * sorted, and goes back to WAL, KG_STORE_SYNCHRONOUS and the default cache.
 * Not durable in between: a failed load is made again from scratch. */
enum kg_err kg_store_bench_bulk(struct kg_store *p, int bOn);
/* Inserts n published comments (aIn as for kg_store_comment_submit;
 * zBasis, zDisplayName and the location are used, bRateLimit, pOffline
 * and official answers are not), comment i created and published by
 * moderatorId at aAt[i], with the registration numbers
 * kg_store_comment_submit would give and a comment.publish entry in the
 * moderation log each, with one statement for all rows (a statement per
 * row makes FTS5 write a segment per row). Inside the caller's
 * transaction. KG_ECONFLICT when a discussion is not open. */
enum kg_err kg_store_bench_comments_published(struct kg_store *p, const struct kg_comment_new *aIn,
                                              const int64_t *aAt, int n, int64_t moderatorId);

#endif

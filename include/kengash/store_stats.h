/* store_stats.h: statistics, totals and by month (reference.c, stats.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_STATS_H
#define KENGASH_STORE_STATS_H

/* ---- statistics ---- */
struct kg_stats {
  int64_t aDiscussions[KG_ST__COUNT]; /* by status */
  int64_t nDiscussions;
  int64_t nParticipants; /* distinct accounts that commented */
  int64_t nComments;     /* published */
  int64_t nProjects;
};
enum kg_err kg_store_stats(struct kg_store *p, struct kg_stats *pOut /* OUT */);

/* ---- statistics by month (stats.c) ---- */
#define KG_STATS_MONTHS 12
struct kg_stats_month {
  char zMonth[8];    /* "YYYY-MM", UTC */
  int64_t nOpened;   /* discussions that entered the open status */
  int64_t nComments; /* comments submitted (any status) */
};
/* The KG_STATS_MONTHS calendar months (UTC) ending with the month of tNow,
 * oldest first, in aOut. */
enum kg_err kg_store_stats_by_month(struct kg_store *p, int64_t tNow,
                                    struct kg_stats_month aOut[KG_STATS_MONTHS] /* OUT */);

#endif

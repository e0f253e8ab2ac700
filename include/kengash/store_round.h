/* store_round.h: running a round: approving notices, parcels, reasons
 * (round.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_ROUND_H
#define KENGASH_STORE_ROUND_H

/* ---- running a round (round.c) ---- */
/* Approves (bSchedule) or withdraws the approval of draft id's notice: the
 * schedule publishes an approved draft at its announce_at. Logged in the
 * moderation log. KG_ENOTFOUND; KG_ECONFLICT when not a draft. */
enum kg_err kg_store_discussion_schedule(struct kg_store *p, int64_t id, int bSchedule,
                                         int64_t actorId, int64_t tNow);
/* When (0: not approved) and by whom draft id's notice was approved. */
enum kg_err kg_store_discussion_scheduled(struct kg_store *p, int64_t id, int64_t *pAt /* OUT */,
                                          int64_t *pBy /* OUT, may be NULL */);
/* Whether the parcel zCadastral of the parcels layer exists (*pbFound) and
 * intersects discussion id's territory (*pbInside). */
enum kg_err kg_store_parcel_in_territory(struct kg_store *p, int64_t id, const char *zCadastral,
                                         int *pbFound /* OUT */, int *pbInside /* OUT */);
/* The department-wide reasons for recommendations, by text (at most
 * 1000); zText is borrowed for the call. */
enum kg_err kg_store_reason_list(struct kg_store *p,
                                 int (*xRow)(void *pArg, int64_t id, const char *zText),
                                 void *pArg);
/* Adds zText to the reasons unless it is there: *pId is its id either way,
 * *pbCreated 1 when added (logged as conclusion.reason). */
enum kg_err kg_store_reason_add(struct kg_store *p, const char *zText, int64_t actorId,
                                int64_t tNow, int64_t *pId /* OUT */, int *pbCreated /* OUT */);

#endif

/* api_round.h: running a round from the console (round.c, internal to
 * src/api/): approving a draft's notice for the schedule, what happens
 * next in a discussion, and the department-wide reasons list. */
#ifndef KENGASH_API_ROUND_H
#define KENGASH_API_ROUND_H

#include <jansson.h>

#include "kengash/http.h"
#include "kengash/store.h"

/* POST /api/v1/discussions/{id}/schedule (moderator): approve the notice */
void kg_api_discussion_schedule(struct kg_req *r);
/* DELETE /api/v1/discussions/{id}/schedule (moderator): withdraw it */
void kg_api_discussion_unschedule(struct kg_req *r);
/* GET and POST /api/v1/conclusion-reasons (moderator) */
void kg_api_reasons_list(struct kg_req *r);
void kg_api_reasons_add(struct kg_req *r);

/* Adds "scheduled_at" to the discussion view pView and "next" (what happens
 * next: {status, title, at, by: "schedule"|"moderator", needs}) to its
 * pTimeline; null next once the round has ended. */
void kg_api_round_next(struct kg_store *pStore, const struct kg_discussion *d, json_t *pView,
                       json_t *pTimeline);

#endif

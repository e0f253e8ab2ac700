/* api_comments.h: the handlers for comments — submission (online, official
 * answers, entries on someone's behalf), edits, withdrawal, moderation,
 * supports, lists, the GeoJSON export, the author's own list and the
 * moderation log (comments.c), put in the route table by routes.c.
 * Internal to src/api/. */
#ifndef KENGASH_API_COMMENTS_H
#define KENGASH_API_COMMENTS_H

#include "kengash/http.h"
#include "kengash/store.h"

void kg_api_comments_list(struct kg_req *r);      /* GET /api/v1/discussions/{id}/comments */
void kg_api_comments_geojson(struct kg_req *r);   /* GET .../comments.geojson */
void kg_api_comments_create(struct kg_req *r);    /* POST /api/v1/discussions/{id}/comments */
void kg_api_comments_get(struct kg_req *r);       /* GET /api/v1/comments/{id} */
void kg_api_comments_update(struct kg_req *r);    /* PUT /api/v1/comments/{id} */
void kg_api_comments_withdraw(struct kg_req *r);  /* POST /api/v1/comments/{id}/withdrawal */
void kg_api_comments_moderate(struct kg_req *r);  /* POST /api/v1/comments/{id}/moderation */
void kg_api_comments_support(struct kg_req *r);   /* POST /api/v1/comments/{id}/supports */
void kg_api_me_comments(struct kg_req *r);        /* GET /api/v1/me/comments */
void kg_api_moderation_log(struct kg_req *r);     /* GET /api/v1/moderation/log */
void kg_api_moderation_reasons(struct kg_req *r); /* GET /api/v1/moderation/reasons */

/* 1 when discussion id exists and r may see it (drafts: moderators only);
 * else replies 404 (or the store's error) and returns 0. */
int kg_api_visible_discussion(struct kg_req *r, struct kg_store *pStore, int64_t id);
/* The public name of a person from the full name given surname first, as
 * in the passport: the first name and the surname's initial ("Хасанова
 * Гульнара Ринатовна" -> "Гульнара Х."); a single word as it is. */
void kg_api_display_name(const char *zFullName, char *zOut /* OUT */, size_t nOut);

#endif

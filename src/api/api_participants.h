/* api_participants.h: the handlers for residences, properties, their
 * verification by moderators and the eligibility gate (participants.c),
 * put in the route table by routes.c. Internal to src/api/. */
#ifndef KENGASH_API_PARTICIPANTS_H
#define KENGASH_API_PARTICIPANTS_H

#include "kengash/http.h"
#include "kengash/store.h"

void kg_api_me_residence_put(struct kg_req *r);   /* PUT /api/v1/me/residence */
void kg_api_me_residence_get(struct kg_req *r);   /* GET /api/v1/me/residence */
void kg_api_me_properties_add(struct kg_req *r);  /* POST /api/v1/me/properties */
void kg_api_me_properties_list(struct kg_req *r); /* GET /api/v1/me/properties */
/* POST /api/v1/accounts/{id}/residence/verification (moderator) */
void kg_api_residence_verify(struct kg_req *r);
/* POST /api/v1/accounts/{id}/properties/{pid}/verification (moderator) */
void kg_api_property_verify(struct kg_req *r);
/* GET /api/v1/moderation/verifications (moderator) */
void kg_api_verification_queue(struct kg_req *r);
/* GET /api/v1/discussions/{id}/eligibility (logged in) */
void kg_api_discussion_eligibility(struct kg_req *r);

/* The plain-Russian explanation of an eligibility answer (static text). */
const char *kg_api_eligibility_reason(const struct kg_eligibility *e);

#endif

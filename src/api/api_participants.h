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

/* Saves a moderator's (the request's account) decision on accountId's
 * residence (propertyId 0) or property and queues, in the same
 * transaction, the e-mail telling the person: verified, or refused with
 * zNote (may be NULL) and what to do next (verification_mail.c). aPlace
 * (lon, lat; NULL otherwise) decides on the residence the identity provider
 * attested and the register could not place: verifying places it there.
 * The store's error; KG_ENOTFOUND when there is nothing to decide on. */
enum kg_err kg_api_verification_decide(struct kg_req *r, struct kg_store *pStore, int64_t accountId,
                                       int64_t propertyId, int bVerified, const char *zNote,
                                       const double *aPlace);

/* The plain-Russian explanation of an eligibility answer (static text). */
const char *kg_api_eligibility_reason(const struct kg_eligibility *e);

#endif

/* api_support.h: the handlers for messages to technical support
 * (support.c), put in the route table by routes.c. Internal to src/api/. */
#ifndef KENGASH_API_SUPPORT_H
#define KENGASH_API_SUPPORT_H

#include "kengash/http.h"

void kg_api_support_create(struct kg_req *r); /* POST /api/v1/support-messages (anyone) */
void kg_api_support_list(struct kg_req *r);   /* GET /api/v1/support-messages (moderator) */
void kg_api_support_get(struct kg_req *r);    /* GET /api/v1/support-messages/{id} (moderator) */

#endif

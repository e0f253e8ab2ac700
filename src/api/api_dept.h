/* api_dept.h: the handlers of the department's console (appeals.c,
 * inbox.c, admin.c), put in the route table by routes.c. Internal to
 * src/api/. */
#ifndef KENGASH_API_DEPT_H
#define KENGASH_API_DEPT_H

#include "kengash/http.h"

/* appeals against a rejection (appeals.c) */
void kg_api_appeal_create(struct kg_req *r); /* POST /api/v1/comments/{id}/appeal (author) */
void kg_api_me_appeals(struct kg_req *r);    /* GET /api/v1/me/appeals (logged in) */
void kg_api_appeals_list(struct kg_req *r);  /* GET /api/v1/appeals (moderator) */
void kg_api_appeals_get(struct kg_req *r);   /* GET /api/v1/appeals/{id} (moderator) */
void kg_api_appeal_decide(struct kg_req *r); /* POST /api/v1/appeals/{id}/decision (moderator) */

/* the support inbox (inbox.c) */
void kg_api_support_reply(struct kg_req *r);   /* POST /api/v1/support-messages/{id}/replies */
void kg_api_support_status(struct kg_req *r);  /* PUT /api/v1/support-messages/{id}/status */
void kg_api_support_replies(struct kg_req *r); /* GET /api/v1/support-messages/{id}/replies */

/* accounts for admins (admin.c) */
void kg_api_admin_accounts(struct kg_req *r); /* GET /api/v1/admin/accounts (admin) */

#endif

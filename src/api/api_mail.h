/* api_mail.h: handlers of the api layer that send mail (internal to
 * src/api/), put in the route table by routes.c: password reset today. */
#ifndef KENGASH_API_MAIL_H
#define KENGASH_API_MAIL_H

#include "kengash/http.h"

/* password_reset.c */
void kg_api_password_reset_request(struct kg_req *r); /* POST /api/v1/password-resets */
void kg_api_password_reset_confirm(struct kg_req *r); /* POST /api/v1/password-resets/{token} */

#endif

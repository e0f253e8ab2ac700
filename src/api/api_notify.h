/* api_notify.h: keeping people informed (internal to src/api/): receipts
 * and status e-mails queued by the mail worker's background step,
 * confirmation of e-mail addresses, following discussions with one-click
 * unsubscribe, the personal-data policy, Atom feeds and news. */
#ifndef KENGASH_API_NOTIFY_H
#define KENGASH_API_NOTIFY_H

#include <jansson.h>
#include <stdint.h>

#include "kengash/http.h"
#include "kengash/store.h"

/* notify.c */
/* Sends a confirmation link to the address of accountId (after sign-up);
 * failures are logged only. */
void kg_api_email_confirmation_send(struct kg_req *r, struct kg_store *p, int64_t accountId);
/* Adds "email_confirmed" to an account object of /me. */
void kg_api_email_confirmed_add(struct kg_store *p, int64_t accountId, json_t *pAccount);
void kg_api_email_confirmation_resend(struct kg_req *r); /* POST /api/v1/me/email-confirmation */
void kg_api_email_confirmation_use(struct kg_req *r); /* POST /api/v1/email-confirmations/{token} */
void kg_api_follow_get(struct kg_req *r);             /* GET /api/v1/discussions/{id}/follow */
void kg_api_follow_put(struct kg_req *r);             /* PUT /api/v1/discussions/{id}/follow */
void kg_api_follow_delete(struct kg_req *r);          /* DELETE .../follow */
void kg_api_me_follows(struct kg_req *r);             /* GET /api/v1/me/follows */
void kg_api_unsubscribe_post(struct kg_req *r);       /* POST /unsubscribe/{token} (RFC 8058) */
void kg_api_unsubscribe_get(struct kg_req *r); /* GET /unsubscribe/{token}: 303 to the page */
void kg_api_privacy_policy(struct kg_req *r);  /* GET /api/v1/privacy-policy */
/* feeds.c: Atom (application/atom+xml) */
void kg_api_feed_discussions(struct kg_req *r); /* GET /feeds/discussions.atom?bbox|near&r|status */
void kg_api_feed_comments(struct kg_req *r);    /* GET /feeds/discussions/{id}/comments.atom */
void kg_api_feed_news(struct kg_req *r);        /* GET /feeds/news.atom */
/* news.c */
void kg_api_news_list(struct kg_req *r);   /* GET /api/v1/news */
void kg_api_news_get(struct kg_req *r);    /* GET /api/v1/news/{id} */
void kg_api_news_create(struct kg_req *r); /* POST /api/v1/news (moderators) */
void kg_api_news_delete(struct kg_req *r); /* DELETE /api/v1/news/{id} (moderators) */

#endif

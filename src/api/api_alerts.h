/* api_alerts.h: area alerts' handlers (internal to src/api/), put in the
 * route table by routes.c (alerts.c). */
#ifndef KENGASH_API_ALERTS_H
#define KENGASH_API_ALERTS_H

#include "kengash/http.h"

void kg_api_alerts_create(struct kg_req *r);      /* POST /api/v1/alerts */
void kg_api_alerts_confirm(struct kg_req *r);     /* POST /api/v1/alert-confirmations/{token} */
void kg_api_alerts_get(struct kg_req *r);         /* GET /api/v1/alerts/{token} */
void kg_api_alerts_update(struct kg_req *r);      /* PUT /api/v1/alerts/{token} */
void kg_api_alerts_delete(struct kg_req *r);      /* DELETE /api/v1/alerts/{token} */
void kg_api_alerts_unsubscribe(struct kg_req *r); /* POST .../{token}/unsubscribe */
void kg_api_alerts_unsubscribe_page(struct kg_req *r); /* GET .../{token}/unsubscribe: 303 */

#endif

/* api_reports.h: the official outputs over HTTP (reports.c) — the protocol
 * and the conclusion in JSON, HTML and PDF with their versions, the
 * moderators' annex of participants and draft of the conclusion, the
 * participant's extract, and the transitions that issue them. Internal to
 * src/api/. */
#ifndef KENGASH_API_REPORTS_H
#define KENGASH_API_REPORTS_H

#include <jansson.h>
#include <stdint.h>

#include "kengash/http.h"
#include "kengash/store.h"

/* GET /api/v1/discussions/{id}/protocol (JSON, or HTML / PDF by Accept or
 * ?format=), and the .json, .html and .pdf forms; ?version=N */
void kg_api_protocol_get(struct kg_req *r);
void kg_api_protocol_json(struct kg_req *r);
void kg_api_protocol_html(struct kg_req *r);
void kg_api_protocol_pdf(struct kg_req *r);
void kg_api_protocol_versions(struct kg_req *r);     /* GET .../protocol/versions */
void kg_api_protocol_reissue(struct kg_req *r);      /* POST .../protocol/versions (moderator) */
void kg_api_protocol_participants(struct kg_req *r); /* GET .../protocol/participants (moderator) */
/* the same annex as a printable page and a PDF (issue 14; moderators) */
void kg_api_protocol_participants_html(struct kg_req *r);
void kg_api_protocol_participants_pdf(struct kg_req *r);
void kg_api_conclusion_get(struct kg_req *r);
void kg_api_conclusion_json(struct kg_req *r);
void kg_api_conclusion_html(struct kg_req *r);
void kg_api_conclusion_pdf(struct kg_req *r);
void kg_api_conclusion_versions(struct kg_req *r); /* GET .../conclusion/versions */
void kg_api_conclusion_draft(struct kg_req *r);    /* GET .../conclusion/draft (moderator) */
void kg_api_conclusion_put(struct kg_req *r);      /* PUT .../conclusion {findings} */
void kg_api_conclusion_item_put(struct kg_req *r); /* PUT .../conclusion/items/{cid} */
void kg_api_me_extract(struct kg_req *r);          /* GET /api/v1/me/extract?discussion= */
void kg_api_me_extract_pdf(struct kg_req *r);      /* GET /api/v1/me/extract.pdf?discussion= */
void kg_api_me_extract_html(struct kg_req *r);     /* GET /api/v1/me/extract.html?discussion= */

/* The transition of discussion id to status to by actorId, as
 * kg_store_discussion_transition, except that entering protocol issues the
 * protocol and entering concluded publishes the conclusion and queues the
 * participants' e-mail, each in the same transaction as the move. When the
 * conclusion is incomplete it replies 409 itself (naming what is missing)
 * and returns KG_ECONFLICT; other errors are left for the caller to reply. */
enum kg_err kg_api_reports_transition(struct kg_req *r, struct kg_store *p, int64_t id,
                                      enum kg_status to, int64_t actorId, const char *zNote,
                                      int64_t tNow, enum kg_status *pFrom /* OUT */);

/* The same move without a request, inside the caller's transaction (for
 * `kengash demo`): protocol and concluded issue their document first, then
 * move. zBaseUrl makes the documents' links; bMail 0 queues no e-mail (a
 * story told after the fact). pWhy gets what an incomplete conclusion
 * lacks (KG_ECONFLICT); *pnMails the e-mails queued. */
enum kg_err kg_api_reports_move(struct kg_store *p, int64_t id, enum kg_status to, int64_t actorId,
                                const char *zNote, int64_t tNow, const char *zBaseUrl, int bMail,
                                struct kg_buf *pWhy, int *pnMails /* OUT */,
                                enum kg_status *pFrom /* OUT */);

/* Links to the issued documents of discussion id for its detail view:
 * {protocol: {...}|null, conclusion: {...}|null}. New reference. */
json_t *kg_api_reports_links(struct kg_store *p, int64_t id);

#endif

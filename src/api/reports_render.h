/* reports_render.h: the printable page and the PDF of an official document,
 * rendered off the API's worker threads (reports_render.c). An issued
 * version of the protocol or the conclusion is rendered once per language
 * and format and kept in the files directory (migration 0020); later
 * requests are served from that file with its SHA-256 as ETag, Range and
 * 304 like uploaded documents. Renderings run on one render thread: a
 * request waiting for one is deferred (kg_req_defer), so its worker goes on
 * serving; concurrent first requests for the same document wait for the
 * same rendering; when too many renderings are waiting the answer is 503
 * with Retry-After. A participant's extract is kept per state (the hash of
 * what it shows, without its date); the participants' annex takes the same
 * queue but is never kept. Internal to src/api/. */
#ifndef KENGASH_API_REPORTS_RENDER_H
#define KENGASH_API_REPORTS_RENDER_H

#include <jansson.h>
#include <stdint.h>

#include "kengash/core.h"
#include "kengash/http.h"
#include "kengash/i18n.h"

/* Renderings waiting for the render thread at most; one more is refused
 * with 503 (a rendering takes up to about 1.5 s, so a request waits about
 * 12 s at most). */
#define KG_RENDER_QUEUE_MAX 8
/* Retry-After of that 503, seconds. */
#define KG_RENDER_RETRY_AFTER "5"

/* One rendering to serve. Strings are borrowed for the call. */
struct kg_render_req {
  const char *zKind;      /* protocol | conclusion | extract (kept) | participants (not) */
  const char *zState;     /* extract: the hash of its state (kept by it); NULL otherwise */
  int64_t discussionId;   /* the document's */
  int nVersion;           /* the issued version (kept kinds) */
  int bPdf;               /* PDF, else HTML */
  enum kg_lang eLang;     /* of the labels (Russian: the official version) */
  const char *zDocSha;    /* the canonical JSON's SHA-256: the footer and zShaHeader */
  const char *zShaHeader; /* X-Content-SHA256 or X-Protocol-SHA256 */
  const char *zCache;     /* Cache-Control */
  const char *zName;      /* the PDF's file name stem */
};

/* Replies with the rendering of q: from its kept file when there is one,
 * else after rendering (deferred). pDoc is the document's model (stolen);
 * it may be NULL, then zCanon/nCanon (the canonical JSON) is parsed only
 * when a rendering is needed. */
void kg_api_render_serve(struct kg_req *r, const struct kg_render_req *q, json_t *pDoc,
                         const char *zCanon, size_t nCanon);

/* Appends the render queue's metrics (Prometheus text) to pOut. */
void kg_api_render_metrics(struct kg_buf *pOut);

#endif

/* http.c: libmicrohttpd server, routing (404 vs 405), bounded body
 * collection (413 before reading an oversized body), replies and the
 * per-request state that lives from the first access call to the
 * request-completed callback. */
#define _GNU_SOURCE
#include "kengash/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_guard.h"
#include "http_int.h"
#include "kengash/files.h"
#include "http_metrics.h"

/* reply headers a handler may add; one more is dropped and logged once */
#define MAX_HEADERS 32
#define MAX_SEGMENTS 16
/* Each connection's memory pool (request line, headers, read buffer):
 * libmicrohttpd's own default, 32 KiB; it is allocated per open
 * connection, so it counts 256 times under 256 keep-alive clients. Bodies
 * are collected in our own bounded buffer, not here. */
#define KG_HTTP_CONN_MEMORY (32 * 1024)

struct kg_http_server {
  struct MHD_Daemon *pDaemon;
  struct kg_http_config cfg;
  char *zWebDir;
  char *zTmpDir;
  char *zCsp; /* the pages' Content-Security-Policy (img-src: zImgSrcExtra) */
  atomic_int nInFlight;
  /* deferred replies: kg_req's bSuspended and bWoken are under deferMutex */
  pthread_mutex_t deferMutex;
  atomic_int nDeferred;
  /* metrics (kg_http_stats, kg_http_metrics_write) */
  struct http_metrics *pMetrics;
  atomic_int nConn;
  atomic_llong nConnTotal;
  struct http_guard *pGuard;   /* slow clients: head deadline, per-prefix limit, head cap */
  struct http_static *pStatic; /* compressed static files (compress.c) */
};

struct kg_req {
  struct MHD_Connection *pConn;
  struct kg_http_server *pSrv;
  const struct kg_route *pRoute;
  const char *zMethod;
  const char *zPath;
  int bMethodMismatch; /* a route matched the path but not the method */
  int bStarted;        /* the before hook ran */
  int bDiscard;        /* refused mid-body: drop the rest, answer at the end */
  size_t nDiscarded;
  struct http_params params;
  struct kg_buf body;
  /* spooled body for KG_ROUTE_TO_FILE */
  int fdBody;
  char *zBodyFile;
  uint64_t nBodyFile;
  crypto_hash_sha256_state sha;
  unsigned char aSha[32];
  int bFileTaken;
  json_t *pJson;
  /* the reply */
  int bReplied;
  unsigned status;
  struct MHD_Response *pResp;
  int nHeader;
  char *azHeader[MAX_HEADERS][2];
  void *pUser;
  void (*xUserFree)(void *);
  /* a deferred reply (kg_req_defer) */
  kg_http_resume xResume; /* set while the reply is pending */
  void *pDeferCtx;
  void (*xDeferFree)(void *);
  int bSuspended; /* the connection is suspended, waiting for kg_req_resume */
  int bWoken;     /* kg_req_resume was called */
  char zIp[INET6_ADDRSTRLEN];
  int64_t tStartUs;       /* monotonic, when the headers were in */
  char zReqId[65];        /* X-Request-Id: the client's when well-formed, else random */
  const char *zLogMethod; /* the method for logs and metrics: a known one or "other" */
  /* compression (compress.c): Accept-Encoding's weights, parsed on first use */
  int aQ[KG_ENC_COUNT];
  int bAeParsed;
  int bNoCompress;   /* kg_reply_no_compress */
  int bVary;         /* the reply is of a kind that may be compressed */
  enum kg_enc eSent; /* the reply body's Content-Encoding */
  enum kg_enc eEtag; /* a 304's: the variant If-None-Match named */
};

/* ---- routing ---- */

int http_route_match(struct http_params *pParams, const char *zPattern, const char *zPath) {
  const char *p = zPattern, *s = zPath;
  int nParam = 0;
  while (*p && *s) {
    if (*p == '{') {
      const char *zName = p + 1;
      const char *zEnd = strchr(p, '}');
      if (!zEnd) return 0;
      const char *sEnd = s;
      while (*sEnd && *sEnd != '/')
        sEnd++;
      /* a literal suffix after the parameter inside the segment, e.g. {id}.html */
      const char *zLit = zEnd + 1;
      size_t nLit = 0;
      while (zLit[nLit] && zLit[nLit] != '/')
        nLit++;
      if ((size_t)(sEnd - s) <= nLit) return 0;
      if (nLit && memcmp(sEnd - nLit, zLit, nLit) != 0) return 0;
      if (nParam >= HTTP_MAX_PARAMS) return 0;
      pParams->a[nParam].zName = zName;
      pParams->a[nParam].nName = (size_t)(zEnd - zName);
      free(pParams->a[nParam].zValue);
      pParams->a[nParam].zValue = kg_xstrndup(s, (size_t)(sEnd - s) - nLit);
      nParam++;
      p = zLit + nLit;
      s = sEnd;
      continue;
    }
    if (*p != *s) return 0;
    p++;
    s++;
  }
  if (*p || *s) return 0;
  pParams->n = nParam;
  return 1;
}

const struct kg_route *http_route_find(const struct kg_route *aRoute, size_t nRoute,
                                       const char *zMethod, const char *zPath,
                                       struct http_params *pParams, int *pbMethodMismatch) {
  int bHead = strcmp(zMethod, "HEAD") == 0;
  *pbMethodMismatch = 0;
  for (size_t i = 0; i < nRoute; i++) {
    const struct kg_route *pRt = &aRoute[i];
    if (!http_route_match(pParams, pRt->zPattern, zPath)) continue;
    if (strcmp(pRt->zMethod, zMethod) == 0 || (bHead && strcmp(pRt->zMethod, "GET") == 0)) {
      *pbMethodMismatch = 0;
      return pRt;
    }
    *pbMethodMismatch = 1;
  }
  return NULL;
}

const char *http_params_get(const struct http_params *pParams, const char *zName) {
  size_t n = strlen(zName);
  for (int i = 0; i < pParams->n; i++)
    if (pParams->a[i].nName == n && memcmp(pParams->a[i].zName, zName, n) == 0)
      return pParams->a[i].zValue;
  return NULL;
}

void http_params_clear(struct http_params *pParams) {
  for (int i = 0; i < HTTP_MAX_PARAMS; i++) {
    free(pParams->a[i].zValue);
    pParams->a[i].zValue = NULL;
  }
  pParams->n = 0;
}

/* The body limit of a route; file routes without their own use the server's. */
static size_t route_max_body(const struct kg_http_server *pSrv, const struct kg_route *pRt) {
  if (!pRt) return 0;
  if (pRt->nMaxBody == 0 && (pRt->flags & KG_ROUTE_TO_FILE)) return (size_t)pSrv->cfg.nMaxUpload;
  return pRt->nMaxBody;
}

static void route_find(struct kg_req *r) {
  const struct kg_http_config *c = &r->pSrv->cfg;
  r->pRoute =
      http_route_find(c->aRoute, c->nRoute, r->zMethod, r->zPath, &r->params, &r->bMethodMismatch);
}

/* ---- accessors ---- */

void *kg_req_app(struct kg_req *r) {
  return r->pSrv->cfg.pApp;
}
const char *kg_req_method(struct kg_req *r) {
  return r->zMethod;
}
const char *kg_req_path(struct kg_req *r) {
  return r->zPath;
}

const char *kg_req_param(struct kg_req *r, const char *zName) {
  return http_params_get(&r->params, zName);
}

int64_t kg_req_param_id(struct kg_req *r, const char *zName) {
  const char *z = kg_req_param(r, zName);
  if (!z || !*z || strlen(z) > 18) return 0;
  int64_t v = 0;
  for (; *z; z++) {
    if (*z < '0' || *z > '9') return 0;
    v = v * 10 + (*z - '0');
  }
  return v;
}

const char *kg_req_query(struct kg_req *r, const char *zName) {
  return MHD_lookup_connection_value(r->pConn, MHD_GET_ARGUMENT_KIND, zName);
}

struct query_each {
  int (*xArg)(void *, const char *, const char *);
  void *pArg;
  int rc;
};

static enum MHD_Result query_each_cb(void *cls, enum MHD_ValueKind kind, const char *zKey,
                                     const char *zValue) {
  struct query_each *q = cls;
  (void)kind;
  q->rc = q->xArg(q->pArg, zKey, zValue);
  return q->rc ? MHD_NO : MHD_YES;
}

int kg_req_query_each(struct kg_req *r,
                      int (*xArg)(void *pArg, const char *zName, const char *zValue), void *pArg) {
  struct query_each q = {xArg, pArg, 0};
  MHD_get_connection_values(r->pConn, MHD_GET_ARGUMENT_KIND, query_each_cb, &q);
  return q.rc;
}

const char *kg_req_header(struct kg_req *r, const char *zName) {
  return MHD_lookup_connection_value(r->pConn, MHD_HEADER_KIND, zName);
}

const char *kg_req_cookie(struct kg_req *r, const char *zName) {
  return MHD_lookup_connection_value(r->pConn, MHD_COOKIE_KIND, zName);
}

const char *kg_req_client_ip(struct kg_req *r) {
  return r->zIp;
}

const char *kg_req_body(struct kg_req *r, size_t *pn) {
  if (pn) *pn = r->body.n;
  return r->body.a ? r->body.a : "";
}

const char *kg_req_body_file(struct kg_req *r, uint64_t *pnSize, const unsigned char **paSha256) {
  if (pnSize) *pnSize = r->nBodyFile;
  if (paSha256) *paSha256 = r->aSha;
  return r->zBodyFile;
}

void kg_req_body_file_taken(struct kg_req *r) {
  r->bFileTaken = 1;
}

/* 1 when the Content-Type zType is application/json or
 * application/geo+json, in any case, with or without parameters. A form or
 * text/plain body, or none, is what a cross-site page can send without a
 * preflight: such a body is never read as JSON. */
static int type_is_json(const char *zType) {
  static const char *const az[] = {"application/json", "application/geo+json"};
  if (!zType) return 0;
  zType += strspn(zType, " \t");
  for (size_t i = 0; i < sizeof(az) / sizeof(az[0]); i++) {
    size_t n = strlen(az[i]);
    if (strncasecmp(zType, az[i], n) != 0) continue;
    const char *p = zType + n;
    p += strspn(p, " \t");
    if (*p == 0 || *p == ';') return 1;
  }
  return 0;
}

json_t *kg_req_json(struct kg_req *r) {
  if (r->pJson) return r->pJson;
  if (r->body.n == 0) {
    kg_reply_code(r, KG_P_BODY_REQUIRED, "a JSON object body is required");
    return NULL;
  }
  if (!type_is_json(kg_req_header(r, "Content-Type"))) {
    kg_reply_code(r, KG_P_UNSUPPORTED_MEDIA_TYPE,
                  "the body must be sent with Content-Type: application/json");
    return NULL;
  }
  if (!kg_utf8_valid_text(r->body.a, r->body.n)) {
    kg_reply_code(r, KG_P_INVALID_JSON, "the body is not valid UTF-8 text");
    return NULL;
  }
  json_error_t e;
  json_t *p = json_loadb(r->body.a, r->body.n, JSON_REJECT_DUPLICATES, &e);
  if (!p) {
    char zDetail[300];
    snprintf(zDetail, sizeof(zDetail), "malformed JSON at line %d column %d: %s", e.line, e.column,
             e.text);
    kg_reply_code(r, KG_P_INVALID_JSON, zDetail);
    return NULL;
  }
  if (!json_is_object(p)) {
    json_decref(p);
    kg_reply_code(r, KG_P_INVALID_JSON, "the body must be a JSON object");
    return NULL;
  }
  r->pJson = p;
  return p;
}

void kg_req_set_user(struct kg_req *r, void *p, void (*xFree)(void *)) {
  if (r->pUser && r->xUserFree) r->xUserFree(r->pUser);
  r->pUser = p;
  r->xUserFree = xFree;
}

void *kg_req_user(struct kg_req *r) {
  return r->pUser;
}

/* ---- replies ---- */

int kg_req_replied(struct kg_req *r) {
  return r->bReplied;
}

void kg_reply_header(struct kg_req *r, const char *zName, const char *zValue) {
  if (r->nHeader >= MAX_HEADERS) {
    static atomic_int bLogged;
    if (!atomic_exchange(&bLogged, 1))
      kg_log_error("reply header dropped, more than %d path=%s name=%s", MAX_HEADERS, r->zPath,
                   zName);
    return;
  }
  r->azHeader[r->nHeader][0] = kg_xstrdup(zName);
  r->azHeader[r->nHeader][1] = kg_xstrdup(zValue);
  r->nHeader++;
}

/* ---- compression (the codecs and the negotiation are in compress.c) ---- */

/* r's Accept-Encoding weights, parsed once. */
static const int *req_weights(struct kg_req *r) {
  if (!r->bAeParsed) {
    http_ae_parse(kg_req_header(r, "Accept-Encoding"), r->aQ);
    r->bAeParsed = 1;
  }
  return r->aQ;
}

enum kg_enc kg_req_encoding(struct kg_req *r) {
  return http_ae_choose(req_weights(r), (1u << KG_ENC_GZIP) | (1u << KG_ENC_BR));
}

void kg_reply_no_compress(struct kg_req *r) {
  r->bNoCompress = 1;
}

static int reply_has_header(const struct kg_req *r, const char *zName) {
  for (int i = 0; i < r->nHeader; i++)
    if (strcasecmp(r->azHeader[i][0], zName) == 0) return 1;
  return 0;
}

/* 1 when kg_reply_text may compress zBody[n]: a compressible type, a
 * success with a body of at least KG_HTTP_COMPRESS_MIN bytes, and no
 * secret or private data beside text others chose (BREACH): not after
 * kg_reply_no_compress, nor with Set-Cookie, nor a body holding a CSRF
 * token, nor a reply to a request with cookies (a logged-in view; the
 * response cache's public bodies are compressed apart). Marks the reply
 * Vary: Accept-Encoding when its kind may be compressed. */
static int may_compress(struct kg_req *r, unsigned status, const char *zType, const char *zBody,
                        size_t n) {
  if (r->bNoCompress || !kg_http_type_compressible(zType) || reply_has_header(r, "Set-Cookie") ||
      reply_has_header(r, "Content-Encoding") || memmem(zBody, n, "\"csrf_token\"", 12))
    return 0;
  r->bVary = 1;
  if (kg_req_header(r, "Cookie")) return 0;
  return status >= 200 && status < 300 && status != 204 && status != 206 &&
         n >= KG_HTTP_COMPRESS_MIN;
}

/* Adds the ETag zValue ("tag" with its quotes), with variant e's suffix
 * inside the quotes ("tag-br"). */
static void add_etag(struct MHD_Response *pResp, const char *zValue, enum kg_enc e) {
  size_t n = strlen(zValue);
  char z[256];
  if (e != KG_ENC_IDENTITY && n >= 2 && n < 200 && zValue[n - 1] == '"') {
    snprintf(z, sizeof(z), "%.*s%s\"", (int)(n - 1), zValue, http_enc_etag_suffix(e));
    zValue = z;
  }
  MHD_add_response_header(pResp, "ETag", zValue);
}

static void set_response(struct kg_req *r, unsigned status, struct MHD_Response *pResp,
                         const char *zType) {
  if (!pResp) {
    pResp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    status = 500;
    zType = NULL;
    r->eSent = KG_ENC_IDENTITY;
  }
  if (zType) MHD_add_response_header(pResp, MHD_HTTP_HEADER_CONTENT_TYPE, zType);
  MHD_add_response_header(pResp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(pResp, "X-Request-Id", r->zReqId);
  int bCsp = 0;
  for (int i = 0; i < r->nHeader; i++) {
    if (strcasecmp(r->azHeader[i][0], "ETag") == 0)
      add_etag(pResp, r->azHeader[i][1], status == 304 ? r->eEtag : r->eSent);
    else
      MHD_add_response_header(pResp, r->azHeader[i][0], r->azHeader[i][1]);
    bCsp = bCsp || strcasecmp(r->azHeader[i][0], "Content-Security-Policy") == 0;
  }
  if (r->eSent != KG_ENC_IDENTITY)
    MHD_add_response_header(pResp, "Content-Encoding", http_enc_name(r->eSent));
  if (r->bVary || status == 304) MHD_add_response_header(pResp, "Vary", "Accept-Encoding");
  /* Every HTML page, whoever made it (static files, OGC ?f=html, the
   * protocol): the site's policy unless the handler set its own (which must
   * keep object-src, base-uri and frame-ancestors 'none'), and no framing. */
  if (zType && strncasecmp(zType, "text/html", 9) == 0) {
    if (!bCsp) MHD_add_response_header(pResp, "Content-Security-Policy", r->pSrv->zCsp);
    MHD_add_response_header(pResp, "X-Frame-Options", "DENY");
    /* ignored by current browsers; older ones with an XSS filter block the
     * page rather than rewrite it (scanners ask for it: scripts/scan) */
    MHD_add_response_header(pResp, "X-XSS-Protection", "1; mode=block");
    MHD_add_response_header(pResp, "Referrer-Policy", "same-origin");
  }
  if (r->pSrv->cfg.bHsts)
    MHD_add_response_header(pResp, "Strict-Transport-Security", "max-age=31536000");
  r->pResp = pResp;
  r->status = status;
  r->bReplied = 1;
}

void kg_reply_text(struct kg_req *r, unsigned status, const char *zType, char *zBody, size_t n) {
  if (r->bReplied) {
    free(zBody);
    return;
  }
  if (may_compress(r, status, zType, zBody, n)) {
    enum kg_enc e = kg_req_encoding(r);
    char *zOut;
    size_t nOut;
    if (e != KG_ENC_IDENTITY && kg_http_compress(e, 0, zBody, n, &zOut, &nOut)) {
      free(zBody);
      zBody = zOut;
      n = nOut;
      r->eSent = e;
    }
  }
  struct MHD_Response *p = MHD_create_response_from_buffer(n, zBody, MHD_RESPMEM_MUST_FREE);
  if (!p) free(zBody);
  set_response(r, status, p, zType);
}

void kg_reply_shared(struct kg_req *r, unsigned status, const char *zType, const char *zBody,
                     size_t n, void (*xRelease)(void *pArg), void *pArg) {
  kg_reply_shared_enc(r, status, zType, KG_ENC_IDENTITY, zBody, n, xRelease, pArg);
}

void kg_reply_shared_enc(struct kg_req *r, unsigned status, const char *zType, enum kg_enc e,
                         const char *zBody, size_t n, void (*xRelease)(void *pArg), void *pArg) {
  if (r->bReplied) {
    xRelease(pArg);
    return;
  }
  r->bVary = r->bVary || (!r->bNoCompress && kg_http_type_compressible(zType));
  r->eSent = e;
  struct MHD_Response *p =
      MHD_create_response_from_buffer_with_free_callback_cls(n, (void *)zBody, xRelease, pArg);
  if (!p) xRelease(pArg);
  set_response(r, status, p, zType);
}

void kg_reply_static(struct kg_req *r, unsigned status, const char *zType, const char *zBody) {
  if (r->bReplied) return;
  struct MHD_Response *p =
      MHD_create_response_from_buffer(strlen(zBody), (void *)zBody, MHD_RESPMEM_PERSISTENT);
  set_response(r, status, p, zType);
}

void kg_reply_json(struct kg_req *r, unsigned status, json_t *pJson) {
  if (r->bReplied || !pJson) {
    json_decref(pJson);
    if (!r->bReplied) kg_reply_code(r, KG_P_INTERNAL_ERROR, "no response body");
    return;
  }
  char *z = json_dumps(pJson, JSON_COMPACT | JSON_REAL_PRECISION(12));
  json_decref(pJson);
  if (!z) {
    kg_reply_code(r, KG_P_INTERNAL_ERROR, "could not encode the response");
    return;
  }
  kg_reply_text(r, status, "application/json; charset=utf-8", z, strlen(z));
}

void kg_reply_empty(struct kg_req *r, unsigned status) {
  if (r->bReplied) return;
  set_response(r, status, MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT),
               NULL);
}

static const char *status_title(unsigned status) {
  switch (status) {
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 409:
    return "Conflict";
  case 410:
    return "Gone";
  case 413:
    return "Content Too Large";
  case 415:
    return "Unsupported Media Type";
  case 416:
    return "Range Not Satisfiable";
  case 422:
    return "Unprocessable Content";
  case 429:
    return "Too Many Requests";
  case 503:
    return "Service Unavailable";
  default:
    return status >= 500 ? "Internal Server Error" : "Error";
  }
}

static void reply_problem_json(struct kg_req *r, unsigned status, json_t *pProblem) {
  if (r->bReplied) {
    json_decref(pProblem);
    return;
  }
  char *z = json_dumps(pProblem, JSON_COMPACT);
  json_decref(pProblem);
  if (!z) z = kg_xstrdup("{}");
  kg_reply_text(r, status, "application/problem+json; charset=utf-8", z, strlen(z));
}

/* The problem object: type, title, status, code and (when given) detail. */
static json_t *problem_new(unsigned status, enum kg_problem p, const char *zTitle,
                           const char *zDetail) {
  json_t *pJ = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title",
                         zTitle ? zTitle : status_title(status), "status", (int)status, "code",
                         kg_problem_code(p));
  if (zDetail) json_object_set_new(pJ, "detail", json_string(zDetail));
  return pJ;
}

void kg_reply_code(struct kg_req *r, enum kg_problem p, const char *zDetail) {
  unsigned status = kg_problem_status(p);
  reply_problem_json(r, status, problem_new(status, p, NULL, zDetail));
}

void kg_reply_problem(struct kg_req *r, unsigned status, const char *zTitle, const char *zDetail) {
  reply_problem_json(r, status,
                     problem_new(status, kg_problem_for_status(status), zTitle, zDetail));
}

/* The errors[] entry of e: field, message, code and the limits it names. */
static json_t *field_error_json(const struct kg_field_error *e) {
  json_t *p = json_pack("{s:s, s:s, s:s}", "field", e->zField, "message", e->zMessage, "code",
                        kg_reason_code(e->eReason));
  if (e->bRange || e->nMax) json_object_set_new(p, "max", json_integer(e->nMax));
  if (e->bRange) json_object_set_new(p, "min", json_integer(e->nMin));
  if (e->azAllowed) {
    json_t *pA = json_array();
    for (int i = 0; e->azAllowed[i]; i++)
      json_array_append_new(pA, json_string(e->azAllowed[i]));
    json_object_set_new(p, "allowed", pA);
  }
  return p;
}

void kg_reply_field(struct kg_req *r, unsigned status, const struct kg_field_error *e) {
  char zDetail[512];
  snprintf(zDetail, sizeof(zDetail), "%s: %s", e->zField, e->zMessage);
  enum kg_problem p = status == 400   ? KG_P_INVALID_PARAMETER
                      : status == 422 ? KG_P_VALIDATION_FAILED
                                      : kg_problem_for_status(status);
  json_t *pJ = problem_new(status, p, NULL, zDetail);
  json_t *pErr = json_array();
  json_array_append_new(pErr, field_error_json(e));
  json_object_set_new(pJ, "errors", pErr);
  reply_problem_json(r, status, pJ);
}

void kg_reply_bad_status(struct kg_req *r, unsigned status, enum kg_reason eReason,
                         const char *zField, const char *zMessage) {
  kg_reply_field(
      r, status,
      &(struct kg_field_error){.zField = zField, .zMessage = zMessage, .eReason = eReason});
}

void kg_reply_limit(struct kg_req *r, unsigned status, enum kg_reason eReason, const char *zField,
                    const char *zMessage, long long nMin, long long nMax) {
  kg_reply_field(r, status,
                 &(struct kg_field_error){.zField = zField,
                                          .zMessage = zMessage,
                                          .eReason = eReason,
                                          .nMin = nMin,
                                          .nMax = nMax,
                                          .bRange = eReason == KG_R_OUT_OF_RANGE});
}

void kg_reply_bad(struct kg_req *r, enum kg_reason eReason, const char *zField,
                  const char *zMessage) {
  kg_reply_bad_status(r, 422, eReason, zField, zMessage);
}

void kg_reply_invalid_status(struct kg_req *r, unsigned status, const char *zField,
                             const char *zMessage) {
  kg_reply_bad_status(r, status, KG_R_INVALID, zField, zMessage);
}

void kg_reply_invalid(struct kg_req *r, const char *zField, const char *zMessage) {
  kg_reply_invalid_status(r, 422, zField, zMessage);
}

unsigned kg_http_status_for_err(enum kg_err err) {
  switch (err) {
  case KG_OK:
    return 200;
  case KG_EINVAL:
    return 422;
  case KG_ENOTFOUND:
    return 404;
  case KG_ECONFLICT:
    return 409;
  case KG_EFORBIDDEN:
    return 403;
  case KG_EUNAUTH:
    return 401;
  case KG_ETOOBIG:
    return 413;
  case KG_EGONE:
    return 410;
  case KG_ELIMIT:
    return 429;
  case KG_EFULL:
  case KG_EDOWN:
    return 503;
  case KG_EDB:
  case KG_EIO:
  case KG_ENOMEM:
    return 500;
  }
  return 500;
}

/* Seconds a client is told to wait when the storage is full (KG_EFULL). */
#define KG_HTTP_FULL_RETRY_AFTER "60"
/* ... and while the database server is switched over (KG_EDOWN): a
 * standby's promotion takes seconds */
#define KG_HTTP_DOWN_RETRY_AFTER "2"

void kg_reply_err(struct kg_req *r, enum kg_err err, const char *zDetail) {
  unsigned status = kg_http_status_for_err(err);
  if (status >= 500) kg_log_error("request failed path=%s err=%s", r->zPath, kg_err_name(err));
  if (err == KG_EFULL) {
    /* a fault, not a bug: say so plainly, whatever the handler was doing */
    kg_reply_header(r, "Retry-After", KG_HTTP_FULL_RETRY_AFTER);
    zDetail = "The server's storage is full, so nothing was saved. Reading still works; "
              "please send this again in a few minutes.";
  } else if (err == KG_EDOWN) {
    kg_reply_header(r, "Retry-After", KG_HTTP_DOWN_RETRY_AFTER);
    zDetail = "The database cannot be reached just now (a switch to its standby, or a "
              "restart), so nothing was saved. Please send this again in a few seconds.";
  }
  reply_problem_json(r, status, problem_new(status, kg_problem_for_err(err), NULL, zDetail));
}

void kg_reply_fd(struct kg_req *r, unsigned status, const char *zType, int fd, uint64_t nOffset,
                 uint64_t nLen) {
  if (r->bReplied) {
    close(fd);
    return;
  }
  struct MHD_Response *p = MHD_create_response_from_fd_at_offset64(nLen, fd, nOffset);
  if (!p) close(fd);
  set_response(r, status, p, zType);
}

struct stream_cls {
  kg_http_stream_read xRead;
  void *pCls;
  void (*xFree)(void *);
};

static ssize_t stream_read(void *cls, uint64_t nPos, char *zBuf, size_t nMax) {
  struct stream_cls *p = cls;
  long n = p->xRead(p->pCls, nPos, zBuf, nMax);
  if (n == KG_STREAM_END) return MHD_CONTENT_READER_END_OF_STREAM;
  if (n <= 0) return MHD_CONTENT_READER_END_WITH_ERROR;
  return (ssize_t)n;
}

static void stream_free(void *cls) {
  struct stream_cls *p = cls;
  if (p->xFree) p->xFree(p->pCls);
  free(p);
}

void kg_reply_stream(struct kg_req *r, unsigned status, const char *zType,
                     kg_http_stream_read xRead, void *pCls, void (*xFree)(void *pCls)) {
  if (r->bReplied) {
    if (xFree) xFree(pCls);
    return;
  }
  struct stream_cls *p = kg_xmalloc(sizeof(*p));
  p->xRead = xRead;
  p->pCls = pCls;
  p->xFree = xFree;
  struct MHD_Response *pResp =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, p, stream_free);
  if (!pResp) stream_free(p);
  set_response(r, status, pResp, zType);
}

int http_parse_range(const char *z, uint64_t nSize, uint64_t *pFrom, uint64_t *pTo) {
  if (strncmp(z, "bytes=", 6) != 0) return 0;
  z += 6;
  if (strchr(z, ',')) return 0; /* multiple ranges: serve the whole file */
  char *zEnd;
  errno = 0;
  if (*z == '-') {
    /* digits only: strtoull would take "-1" as 2^64-1 ("bytes=--1") */
    if (z[1] < '0' || z[1] > '9') return 0;
    unsigned long long n = strtoull(z + 1, &zEnd, 10);
    if (zEnd == z + 1 || *zEnd || errno) return 0;
    if (n == 0 || nSize == 0) return -1;
    if (n > nSize) n = nSize;
    *pFrom = nSize - n;
    *pTo = nSize - 1;
    return 1;
  }
  if (*z < '0' || *z > '9') return 0;
  unsigned long long a = strtoull(z, &zEnd, 10);
  if (*zEnd != '-' || errno) return 0;
  z = zEnd + 1;
  unsigned long long b = nSize ? nSize - 1 : 0;
  if (*z) {
    if (*z < '0' || *z > '9') return 0;
    b = strtoull(z, &zEnd, 10);
    if (*zEnd || errno) return 0;
    if (b < a) return 0;
    if (b >= nSize) b = nSize - 1;
  }
  if (a >= nSize) return -1;
  *pFrom = a;
  *pTo = b;
  return 1;
}

int http_etag_matches(const char *zList, const char *zEtag) {
  if (!zList) return 0;
  if (strcmp(zList, "*") == 0) return 1;
  size_t n = strlen(zEtag);
  const char *p = zList;
  while ((p = strstr(p, zEtag)) != NULL) {
    char c = p[n];
    if (c == 0 || c == ',' || c == ' ') return 1;
    p += n;
  }
  return 0;
}

/* Also matches the variant zQuoted names for the encoding r negotiates
 * ("tag-br"): a 304 then carries that variant's ETag. */
int kg_req_etag_matches(struct kg_req *r, const char *zQuoted) {
  const char *zList = kg_req_header(r, "If-None-Match");
  if (!zList) return 0;
  enum kg_enc e = kg_req_encoding(r);
  size_t n = strlen(zQuoted);
  if (e != KG_ENC_IDENTITY && n >= 2 && n < 200 && zQuoted[n - 1] == '"') {
    char z[256];
    snprintf(z, sizeof(z), "%.*s%s\"", (int)(n - 1), zQuoted, http_enc_etag_suffix(e));
    if (http_etag_matches(zList, z)) {
      r->eEtag = e;
      return 1;
    }
  }
  return http_etag_matches(zList, zQuoted);
}

void kg_reply_file_cond(struct kg_req *r, int fd, uint64_t nSize, const char *zType,
                        const char *zEtag, const char *zCache) {
  char zQuoted[160];
  snprintf(zQuoted, sizeof(zQuoted), "\"%s\"", zEtag);
  kg_reply_header(r, "ETag", zQuoted);
  if (zCache) kg_reply_header(r, "Cache-Control", zCache);
  kg_reply_header(r, "Accept-Ranges", "bytes");
  if (kg_req_etag_matches(r, zQuoted)) {
    close(fd);
    kg_reply_empty(r, 304);
    return;
  }
  const char *zRange = kg_req_header(r, "Range");
  const char *zIfRange = kg_req_header(r, "If-Range");
  if (zRange && (!zIfRange || strcmp(zIfRange, zQuoted) == 0)) {
    uint64_t a = 0, b = 0;
    int rc = http_parse_range(zRange, nSize, &a, &b);
    char zCR[96];
    if (rc < 0) {
      close(fd);
      snprintf(zCR, sizeof(zCR), "bytes */%" PRIu64, nSize);
      kg_reply_header(r, "Content-Range", zCR);
      kg_reply_code(r, KG_P_RANGE_NOT_SATISFIABLE, "the requested range is outside the file");
      return;
    }
    if (rc > 0) {
      snprintf(zCR, sizeof(zCR), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, a, b, nSize);
      kg_reply_header(r, "Content-Range", zCR);
      kg_reply_fd(r, 206, zType, fd, a, b - a + 1);
      return;
    }
  }
  kg_reply_fd(r, 200, zType, fd, 0, nSize);
}

/* ---- static files ---- */

static const char *mime_for(const char *zPath) {
  static const struct {
    const char *zExt, *zType;
  } a[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".geojson", "application/geo+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".pdf", "application/pdf"},
      {".map", "application/json"},
  };
  const char *zDot = strrchr(zPath, '.');
  if (zDot && !strchr(zDot, '/'))
    for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
      if (strcasecmp(zDot, a[i].zExt) == 0) return a[i].zType;
  return "application/octet-stream";
}

/* 1 when zPath names a file under the web root by itself: it starts with
 * '/', and no segment is empty ("//") or starts with '.' ("..", ".", hidden
 * files); no backslash. The root is joined to it as text, so this is what
 * keeps the file inside the root. */
static int static_path_ok(const char *zPath) {
  if (zPath[0] != '/' || strlen(zPath) > 512 || strchr(zPath, '\\')) return 0;
  for (const char *p = zPath; *p; p++)
    if (*p == '/' && (p[1] == '/' || p[1] == '.')) return 0;
  return 1;
}

/* Sends the compressed variant of the static file zFile (open as fd) that
 * r accepts, with 304 for its ETag: 1 when it did (fd closed); 0 to send
 * the file as it is (not compressible, too small, a Range request: ranges
 * are of the identity bytes, or no variant acceptable or ready). */
static int serve_static_variant(struct kg_req *r, const char *zFile, int fd, uint64_t nSize,
                                const char *zType, const char *zEtag, const char *zCache) {
  if (!kg_http_type_compressible(zType)) return 0;
  r->bVary = 1;
  if (nSize < KG_HTTP_COMPRESS_MIN || kg_req_header(r, "Range")) return 0;
  enum kg_enc e;
  struct http_blob *b =
      http_static_variant(r->pSrv->pStatic, zFile, zEtag, fd, (size_t)nSize, req_weights(r), &e);
  if (!b) return 0;
  close(fd);
  char zQuoted[96], zVariant[104];
  snprintf(zQuoted, sizeof(zQuoted), "\"%s\"", zEtag);
  snprintf(zVariant, sizeof(zVariant), "\"%s%s\"", zEtag, http_enc_etag_suffix(e));
  kg_reply_header(r, "ETag", zQuoted); /* set_response adds the suffix */
  if (zCache) kg_reply_header(r, "Cache-Control", zCache);
  const char *zList = kg_req_header(r, "If-None-Match");
  if (http_etag_matches(zList, zVariant) || http_etag_matches(zList, zQuoted)) {
    r->eEtag = http_etag_matches(zList, zVariant) ? e : KG_ENC_IDENTITY;
    http_blob_release(b);
    kg_reply_empty(r, 304);
    return 1;
  }
  kg_reply_shared_enc(r, 200, zType, e, b->z, b->n, http_blob_release, b);
  return 1;
}

/* Serves GET/HEAD of a regular file under the web directory; 404 problem
 * otherwise. */
static void serve_static(struct kg_req *r) {
  const char *zPath = r->zPath;
  const char *zWeb = r->pSrv->zWebDir;
  if (!zWeb || !static_path_ok(zPath) || strncmp(zPath, "/api/", 5) == 0 ||
      strncmp(zPath, "/ogc/", 5) == 0) {
    kg_reply_code(r, KG_P_NOT_FOUND, "no such path");
    return;
  }
  char zFile[1200];
  size_t n = strlen(zPath);
  int nFile = snprintf(zFile, sizeof(zFile), "%s%s%s", zWeb, zPath,
                       zPath[n - 1] == '/' ? "index.html" : "");
  if (nFile < 0 || (size_t)nFile >= sizeof(zFile)) {
    kg_reply_code(r, KG_P_NOT_FOUND, "no such path");
    return;
  }
  /* O_NONBLOCK: opening a FIFO must not stall the worker (only regular
   * files are served; the flag means nothing for them) */
  int fd = open(zFile, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    char zLoc[600];
    snprintf(zLoc, sizeof(zLoc), "%s/", zPath);
    kg_reply_header(r, "Location", zLoc);
    kg_reply_empty(r, 301);
    return;
  }
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0) close(fd);
    kg_reply_code(r, KG_P_NOT_FOUND, "no such path");
    return;
  }
  char zEtag[64];
  http_file_etag(&st, zEtag, sizeof(zEtag));
  const char *zCache = strncmp(zPath, "/vendor/", 8) == 0 ? "public, max-age=604800" : "no-cache";
  /* HTML gets the site's Content-Security-Policy in set_response */
  if (serve_static_variant(r, zFile, fd, (uint64_t)st.st_size, mime_for(zFile), zEtag, zCache))
    return;
  kg_reply_file_cond(r, fd, (uint64_t)st.st_size, mime_for(zFile), zEtag, zCache);
}

/* ---- request ids, metrics and the access log ---- */

static int64_t mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* r->zReqId: zGiven when it is 1..64 of [A-Za-z0-9._-], else 16 random
 * hex digits (a per-thread splitmix64 seeded from libsodium: ids need to be
 * unique, not secret, and a system call per request costs). */
static void request_id(struct kg_req *r, const char *zGiven) {
  size_t n = zGiven ? strspn(zGiven, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789._-")
                    : 0;
  if (n >= 1 && n <= 64 && zGiven[n] == 0) {
    memcpy(r->zReqId, zGiven, n + 1);
    return;
  }
  static _Thread_local uint64_t s;
  if (!s) randombytes_buf(&s, sizeof(s));
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  snprintf(r->zReqId, sizeof(r->zReqId), "%016" PRIx64, z);
}

/* zMethod as a static string when it is a common method, else "other". */
static const char *log_method(const char *zMethod) {
  static const char *const azMethod[] = {"GET",    "HEAD",  "POST",   "PUT",
                                         "DELETE", "PATCH", "OPTIONS"};
  for (size_t i = 0; i < sizeof(azMethod) / sizeof(azMethod[0]); i++)
    if (strcmp(zMethod, azMethod[i]) == 0) return azMethod[i];
  return "other";
}

/* Counts the finished request and writes its access log line: the route
 * pattern, never the path (it may carry a token), and no client address. */
static void request_done(struct kg_req *r, enum MHD_RequestTerminationCode toe) {
  struct kg_http_server *pSrv = r->pSrv;
  int64_t nUs = mono_us() - r->tStartUs;
  /* r->zMethod and r->zPath may be gone: libmicrohttpd's pool holds them */
  const char *zMethod = r->zLogMethod ? r->zLogMethod : "other";
  int bStatic = !r->pRoute && !r->bMethodMismatch &&
                (strcmp(zMethod, "GET") == 0 || strcmp(zMethod, "HEAD") == 0);
  unsigned status = r->status; /* 0: never answered (the client left) */
  if (pSrv->pMetrics && status)
    http_metrics_observe(pSrv->pMetrics, http_metrics_slot(pSrv->pMetrics, r->pRoute, bStatic),
                         status, nUs);
  if (!pSrv->cfg.bAccessLog) return;
  kg_log_set_request_id(r->zReqId);
  kg_log_info("request method=%s route=%s status=%u ms=%.3f%s", zMethod,
              r->pRoute ? r->pRoute->zPattern
              : bStatic ? "static"
                        : "none",
              status, (double)nUs / 1000.0,
              toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
  kg_log_set_request_id(NULL);
}

/* ---- the MHD callbacks ---- */

static void req_free(struct kg_req *r) {
  http_params_clear(&r->params);
  kg_buf_free(&r->body);
  if (r->fdBody >= 0) close(r->fdBody);
  if (r->zBodyFile) {
    if (!r->bFileTaken) unlink(r->zBodyFile);
    free(r->zBodyFile);
  }
  json_decref(r->pJson);
  if (r->pResp) MHD_destroy_response(r->pResp);
  for (int i = 0; i < r->nHeader; i++) {
    free(r->azHeader[i][0]);
    free(r->azHeader[i][1]);
  }
  if (r->pUser && r->xUserFree) r->xUserFree(r->pUser);
  if (r->xResume) atomic_fetch_sub(&r->pSrv->nDeferred, 1); /* woken, never run */
  if (r->pDeferCtx && r->xDeferFree) r->xDeferFree(r->pDeferCtx);
  free(r);
}

static enum MHD_Result queue(struct kg_req *r) {
  if (!r->pResp) return MHD_NO;
  enum MHD_Result rc = MHD_queue_response(r->pConn, r->status, r->pResp);
  MHD_destroy_response(r->pResp);
  r->pResp = NULL;
  return rc;
}

void kg_req_defer(struct kg_req *r, kg_http_resume xResume, void *pCtx, void (*xFree)(void *)) {
  if (r->pDeferCtx && r->xDeferFree && r->pDeferCtx != pCtx) r->xDeferFree(r->pDeferCtx);
  r->pDeferCtx = pCtx;
  r->xDeferFree = xFree;
  if (!r->xResume) atomic_fetch_add(&r->pSrv->nDeferred, 1); /* else replaced */
  r->xResume = xResume;
}

void kg_req_resume(struct kg_req *r) {
  struct kg_http_server *pSrv = r->pSrv;
  pthread_mutex_lock(&pSrv->deferMutex);
  r->bWoken = 1;
  if (r->bSuspended) {
    r->bSuspended = 0;
    /* from here on r belongs to the connection's worker thread */
    MHD_resume_connection(r->pConn);
  }
  pthread_mutex_unlock(&pSrv->deferMutex);
}

/* After a handler (or a deferred reply's continuation) returned: suspends
 * the connection while a deferred reply is pending, runs the continuation
 * once it has been woken, else queues the reply. */
static enum MHD_Result after_handler(struct kg_req *r) {
  while (r->xResume) {
    pthread_mutex_lock(&r->pSrv->deferMutex);
    if (!r->bWoken) {
      r->bSuspended = 1;
      MHD_suspend_connection(r->pConn);
      pthread_mutex_unlock(&r->pSrv->deferMutex);
      return MHD_YES;
    }
    r->bWoken = 0;
    pthread_mutex_unlock(&r->pSrv->deferMutex);
    kg_http_resume xResume = r->xResume;
    r->xResume = NULL;
    atomic_fetch_sub(&r->pSrv->nDeferred, 1);
    xResume(r, r->pDeferCtx);
  }
  if (!r->bReplied) {
    kg_log_error("handler did not reply path=%s", r->zPath);
    kg_reply_code(r, KG_P_INTERNAL_ERROR, "the handler produced no response");
  }
  return queue(r);
}

static void client_ip(struct kg_req *r) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(r->pConn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  strcpy(r->zIp, "unknown");
  if (!ci || !ci->client_addr) return;
  const struct sockaddr *sa = ci->client_addr;
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->zIp,
              sizeof(r->zIp));
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->zIp,
              sizeof(r->zIp));
}

/* A file system that cannot grow: a fault answered 503 (KG_EFULL). */
static int errno_full(int e) {
  return e == ENOSPC || e == EDQUOT;
}

static int open_spool(struct kg_req *r) {
  char zPath[4096];
  r->fdBody = kg_files_mktemp(r->pSrv->zTmpDir, "upload-", zPath, sizeof(zPath));
  if (r->fdBody < 0) {
    int e = errno;
    kg_log_error("cannot create upload spool file errno=%d", e);
    kg_reply_err(r, errno_full(e) ? KG_EFULL : KG_EIO, "cannot store the upload");
    return 0;
  }
  r->zBodyFile = kg_xstrdup(zPath);
  crypto_hash_sha256_init(&r->sha);
  return 1;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t k = write(fd, p, n);
    if (k < 0) {
      if (errno == EINTR) continue;
      return 0;
    }
    p += k;
    n -= (size_t)k;
  }
  return 1;
}

static enum MHD_Result header_has_cr(void *cls, enum MHD_ValueKind kind, const char *zKey,
                                     const char *zValue) {
  (void)kind;
  if (strchr(zKey, '\r') || (zValue && strchr(zValue, '\r'))) {
    *(int *)cls = 1;
    return MHD_NO;
  }
  return MHD_YES;
}

/* Why the request head cannot be served, or NULL. Only origin-form
 * targets ("/path?query"): "../x" would name files outside the web root
 * and "" (from "GET ?x=1") has no last character. HTTP/1.1 requires Host
 * (RFC 9112, 3.2); libmicrohttpd checks it only in its strict mode. A bare
 * CR in a header (RFC 9112, 2.2): libmicrohttpd 0.9.75 keeps it inside the
 * value, where a proxy in front might have seen a line break. */
static const char *head_invalid(struct MHD_Connection *pConn, const char *zUrl,
                                const char *zVersion) {
  int bCr = 0;
  if (!zUrl || zUrl[0] != '/') return "the request target must be a path starting with /";
  if (zVersion && strcmp(zVersion, MHD_HTTP_VERSION_1_1) == 0 &&
      !MHD_lookup_connection_value(pConn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))
    return "an HTTP/1.1 request needs a Host header";
  MHD_get_connection_values(pConn, MHD_HEADER_KIND, header_has_cr, &bCr);
  if (bCr) return "a header holds a bare CR";
  return NULL;
}

/* The first call, when the headers are in: sets up the request state and
 * its route. libmicrohttpd accepts a queued response only when the headers
 * are in (this call) or the whole body is (the last call); never mid-body.
 * So a refusal that must not read the body is answered here (which closes
 * the connection), and one found mid-body is answered once the body has
 * been discarded. */
static enum MHD_Result request_head(struct kg_http_server *pSrv, struct MHD_Connection *pConn,
                                    const char *zUrl, const char *zMethod, const char *zVersion,
                                    void **ppReq) {
  struct kg_req *r = kg_xcalloc(1, sizeof(*r));
  r->tStartUs = mono_us();
  request_id(r, MHD_lookup_connection_value(pConn, MHD_HEADER_KIND, "X-Request-Id"));
  kg_log_set_request_id(r->zReqId);
  r->zLogMethod = log_method(zMethod);
  r->pConn = pConn;
  r->pSrv = pSrv;
  r->zMethod = zMethod;
  r->zPath = zUrl;
  r->fdBody = -1;
  *ppReq = r;
  http_guard_head_done(pSrv->pGuard, pConn);
  atomic_fetch_add(&pSrv->nInFlight, 1);
  client_ip(r);
  route_find(r);
  size_t nMax = route_max_body(pSrv, r->pRoute);
  kg_buf_init(&r->body, nMax);
  const char *zBadHead = head_invalid(pConn, zUrl, zVersion);
  if (zBadHead) {
    kg_reply_code(r, KG_P_BAD_REQUEST, zBadHead);
    return queue(r);
  }
  const char *zLen = MHD_lookup_connection_value(pConn, MHD_HEADER_KIND, "Content-Length");
  const char *zTE = MHD_lookup_connection_value(pConn, MHD_HEADER_KIND, "Transfer-Encoding");
  int bBody = zTE != NULL;
  if (zLen) {
    char *zEnd;
    errno = 0;
    unsigned long long n = strtoull(zLen, &zEnd, 10);
    bBody = bBody || n > 0;
    if (r->pRoute && (errno || *zEnd || n > nMax)) {
      char zDetail[128];
      snprintf(zDetail, sizeof(zDetail), "the body is larger than the limit of %zu bytes", nMax);
      kg_reply_code(r, KG_P_TOO_LARGE, zDetail);
      return queue(r);
    }
  }
  if (!r->pRoute && bBody) {
    /* No handler will read this body: answer now rather than read it. */
    kg_reply_code(r, r->bMethodMismatch ? KG_P_METHOD_NOT_ALLOWED : KG_P_NOT_FOUND,
                  r->bMethodMismatch ? "this path does not accept that method" : "no such path");
    return queue(r);
  }
  if (r->pRoute && bBody) {
    /* Refuse (401, 403, CSRF) before reading a body. */
    r->bStarted = 1;
    if (pSrv->cfg.xBefore && !pSrv->cfg.xBefore(r, r->pRoute)) return queue(r);
    if ((r->pRoute->flags & KG_ROUTE_TO_FILE) && !open_spool(r)) return queue(r);
  }
  /* Otherwise only set up the state (see STYLE.md: keep-alive). */
  return MHD_YES;
}

/* A piece zUpload[n] of the body: into the spool file or the bounded
 * buffer; past a limit or a write error the reply is made and the rest is
 * discarded. */
static enum MHD_Result request_upload(struct kg_req *r, const char *zUpload, size_t n) {
  struct kg_http_server *pSrv = r->pSrv;
  if (r->bReplied || r->bDiscard) {
    /* Answered or refused already: drop what still arrives, within reason. */
    r->nDiscarded += n;
    return r->nDiscarded > (size_t)16 * 1024 * 1024 ? MHD_NO : MHD_YES;
  }
  if (r->fdBody >= 0) {
    if (r->nBodyFile + n > route_max_body(pSrv, r->pRoute)) {
      kg_reply_code(r, KG_P_TOO_LARGE, "the body is larger than the limit");
      r->bDiscard = 1;
      return MHD_YES;
    }
    if (!write_all(r->fdBody, zUpload, n)) {
      int e = errno;
      kg_log_error("cannot write upload spool errno=%d", e);
      kg_reply_err(r, errno_full(e) ? KG_EFULL : KG_EIO, "cannot store the upload");
      r->bDiscard = 1;
      return MHD_YES;
    }
    crypto_hash_sha256_update(&r->sha, (const unsigned char *)zUpload, n);
    r->nBodyFile += n;
    return MHD_YES;
  }
  if (kg_buf_append(&r->body, zUpload, n) != KG_OK) {
    char zDetail[128];
    snprintf(zDetail, sizeof(zDetail), "the body is larger than the limit of %zu bytes",
             route_max_body(pSrv, r->pRoute));
    kg_reply_code(r, KG_P_TOO_LARGE, zDetail);
    r->bDiscard = 1;
  }
  return MHD_YES;
}

/* The last call: the whole request is in (or a deferred reply was woken:
 * resumed). Serves a static file or the 404/405 when no route took the
 * path, else runs the before hook (unless it ran on the first call) and the
 * handler. */
static enum MHD_Result request_complete(struct kg_req *r, const char *zMethod) {
  struct kg_http_server *pSrv = r->pSrv;
  if (r->xResume) return after_handler(r);
  if (r->bReplied) return r->pResp ? queue(r) : MHD_YES;
  if (!r->pRoute) {
    if (r->bMethodMismatch) {
      kg_reply_code(r, KG_P_METHOD_NOT_ALLOWED, "this path does not accept that method");
    } else if (strcmp(zMethod, "GET") == 0 || strcmp(zMethod, "HEAD") == 0) {
      serve_static(r);
    } else {
      kg_reply_code(r, KG_P_NOT_FOUND, "no such path");
    }
    return queue(r);
  }
  if (!r->bStarted) {
    r->bStarted = 1;
    if (pSrv->cfg.xBefore && !pSrv->cfg.xBefore(r, r->pRoute)) return queue(r);
    if ((r->pRoute->flags & KG_ROUTE_TO_FILE) && !open_spool(r)) return queue(r);
  }
  if (r->fdBody >= 0) {
    crypto_hash_sha256_final(&r->sha, r->aSha);
    if (fsync(r->fdBody) != 0 || close(r->fdBody) != 0) {
      r->fdBody = -1;
      kg_reply_err(r, errno_full(errno) ? KG_EFULL : KG_EIO, "cannot store the upload");
      return queue(r);
    }
    r->fdBody = -1;
  }
  r->pRoute->xHandler(r);
  return after_handler(r);
}

/* libmicrohttpd's access handler: the head, each piece of the body, the
 * end (see request_head for when a reply may be queued). */
static enum MHD_Result access_request(void *cls, struct MHD_Connection *pConn, const char *zUrl,
                                      const char *zMethod, const char *zVersion,
                                      const char *zUpload, size_t *pnUpload, void **ppReq) {
  struct kg_req *r = *ppReq;
  if (!r) return request_head(cls, pConn, zUrl, zMethod, zVersion, ppReq);
  kg_log_set_request_id(r->zReqId);
  if (*pnUpload) {
    size_t n = *pnUpload;
    *pnUpload = 0;
    return request_upload(r, zUpload, n);
  }
  return request_complete(r, zMethod);
}

/* The log context (request id) lives for one call of libmicrohttpd's. */
static enum MHD_Result on_access(void *cls, struct MHD_Connection *pConn, const char *zUrl,
                                 const char *zMethod, const char *zVersion, const char *zUpload,
                                 size_t *pnUpload, void **ppReq) {
  enum MHD_Result rc =
      access_request(cls, pConn, zUrl, zMethod, zVersion, zUpload, pnUpload, ppReq);
  kg_log_set_request_id(NULL);
  return rc;
}

static void on_completed(void *cls, struct MHD_Connection *pConn, void **ppReq,
                         enum MHD_RequestTerminationCode toe) {
  struct kg_http_server *pSrv = cls;
  http_guard_request_done(pSrv->pGuard, pConn); /* on keep-alive the next head's time starts */
  struct kg_req *r = *ppReq;
  if (!r) return;
  *ppReq = NULL;
  request_done(r, toe);
  req_free(r);
  atomic_fetch_sub(&pSrv->nInFlight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *pConn, void **ppSocket,
                          enum MHD_ConnectionNotificationCode toe) {
  struct kg_http_server *pSrv = cls;
  if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
    atomic_fetch_add_explicit(&pSrv->nConn, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&pSrv->nConnTotal, 1, memory_order_relaxed);
    http_guard_started(pSrv->pGuard, pConn, ppSocket);
  } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
    atomic_fetch_sub_explicit(&pSrv->nConn, 1, memory_order_relaxed);
    http_guard_closed(pSrv->pGuard, ppSocket);
  }
}

/* The accept policy: a network prefix over its connection limit is refused. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *pAddr, socklen_t nAddr) {
  struct kg_http_server *pSrv = cls;
  return http_guard_accept(pSrv->pGuard, pAddr, nAddr) ? MHD_YES : MHD_NO;
}

/* libmicrohttpd's messages come one per failed connection: a slowloris
 * run made thousands of identical lines. So at most one line per kind (its
 * format string) every MHD_LOG_EVERY_MS; the next line of a kind counts
 * the ones left out (suppressed=N). The kinds are a small table: a new one
 * takes the slot used longest ago. */
#define MHD_LOG_EVERY_MS 10000
#define MHD_LOG_KINDS 16
static struct {
  const char *zFmt;
  int64_t tLast;
  long nSuppressed;
} g_aMhdLog[MHD_LOG_KINDS];
static pthread_mutex_t g_mhdLogMutex = PTHREAD_MUTEX_INITIALIZER;

static void on_mhd_log(void *cls, const char *zFmt, va_list ap) {
  (void)cls;
  int64_t tNow = kg_time_mono_ms();
  long nSuppressed = 0;
  int bLog = 1, iSlot = 0;
  pthread_mutex_lock(&g_mhdLogMutex);
  for (int i = 0; i < MHD_LOG_KINDS; i++) {
    if (g_aMhdLog[i].zFmt == zFmt) {
      iSlot = i;
      break;
    }
    if (g_aMhdLog[i].tLast < g_aMhdLog[iSlot].tLast || !g_aMhdLog[i].zFmt) iSlot = i;
  }
  if (g_aMhdLog[iSlot].zFmt == zFmt && tNow - g_aMhdLog[iSlot].tLast < MHD_LOG_EVERY_MS) {
    g_aMhdLog[iSlot].nSuppressed++;
    bLog = 0;
  } else {
    if (g_aMhdLog[iSlot].zFmt == zFmt) nSuppressed = g_aMhdLog[iSlot].nSuppressed;
    g_aMhdLog[iSlot].zFmt = zFmt;
    g_aMhdLog[iSlot].tLast = tNow;
    g_aMhdLog[iSlot].nSuppressed = 0;
  }
  pthread_mutex_unlock(&g_mhdLogMutex);
  if (!bLog) return;
  char a[512];
  vsnprintf(a, sizeof(a), zFmt, ap);
  size_t n = strlen(a);
  while (n && (a[n - 1] == '\n' || a[n - 1] == '\r'))
    a[--n] = 0;
  if (nSuppressed)
    kg_log_warn("mhd msg=\"%s\" suppressed=%ld", a, nSuppressed);
  else
    kg_log_warn("mhd msg=\"%s\"", a);
}

/* Splits "host:port" / "[v6]:port" into a socket address. */
static enum kg_err parse_listen(const char *z, struct sockaddr_storage *pAddr, int *pbV6) {
  char zHost[256];
  const char *zPort;
  if (!z || strlen(z) >= sizeof(zHost)) return KG_EINVAL;
  if (z[0] == '[') {
    const char *zEnd = strchr(z, ']');
    if (!zEnd || zEnd[1] != ':') return KG_EINVAL;
    memcpy(zHost, z + 1, (size_t)(zEnd - z - 1));
    zHost[zEnd - z - 1] = 0;
    zPort = zEnd + 2;
  } else {
    const char *zColon = strrchr(z, ':');
    if (!zColon) return KG_EINVAL;
    memcpy(zHost, z, (size_t)(zColon - z));
    zHost[zColon - z] = 0;
    zPort = zColon + 1;
  }
  struct addrinfo hints = {0}, *pRes = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  if (getaddrinfo(zHost[0] ? zHost : NULL, zPort, &hints, &pRes) != 0 || !pRes) return KG_EINVAL;
  memcpy(pAddr, pRes->ai_addr, pRes->ai_addrlen);
  *pbV6 = pRes->ai_family == AF_INET6;
  freeaddrinfo(pRes);
  return KG_OK;
}

enum kg_err kg_http_start(const struct kg_http_config *pCfg, struct kg_http_server **ppSrv,
                          unsigned *pnPort) {
  struct sockaddr_storage addr;
  int bV6 = 0;
  if (parse_listen(pCfg->zListen, &addr, &bV6) != KG_OK) {
    kg_log_error("bad listen address");
    return KG_EINVAL;
  }
  struct kg_http_server *pSrv = kg_xcalloc(1, sizeof(*pSrv));
  pSrv->cfg = *pCfg;
  pSrv->zWebDir = pCfg->zWebDir ? kg_xstrdup(pCfg->zWebDir) : NULL;
  /* "web/" and "web" are the same root: request paths bring their own '/' */
  for (size_t n = pSrv->zWebDir ? strlen(pSrv->zWebDir) : 0; n > 1 && pSrv->zWebDir[n - 1] == '/';)
    pSrv->zWebDir[--n] = 0;
  pSrv->zTmpDir = kg_xstrdup(pCfg->zTmpDir ? pCfg->zTmpDir : "/tmp");
  /* images: the site, data: URLs (Leaflet's blank tile) and at most the one
   * configured origin, which must not smuggle in more sources */
  const char *zImg = pCfg->zImgSrcExtra && *pCfg->zImgSrcExtra ? pCfg->zImgSrcExtra : NULL;
  if (zImg && strpbrk(zImg, " \t\r\n;,'\"*")) {
    kg_log_error("bad extra image origin for the Content-Security-Policy");
    free(pSrv->zWebDir);
    free(pSrv->zTmpDir);
    free(pSrv);
    return KG_EINVAL;
  }
  pSrv->zCsp = kg_xasprintf("default-src 'self'; img-src 'self' data:%s%s; style-src 'self' "
                            "'unsafe-inline'; object-src 'none'; base-uri 'none'; "
                            "frame-ancestors 'none'; form-action 'self'",
                            zImg ? " " : "", zImg ? zImg : "");
  pSrv->cfg.zWebDir = pSrv->zWebDir;
  pSrv->cfg.zTmpDir = pSrv->zTmpDir;
  pthread_mutex_init(&pSrv->deferMutex, NULL);
  pSrv->pMetrics = http_metrics_new(pCfg->aRoute, pCfg->nRoute);
  pSrv->pStatic = http_static_new();
  pSrv->pGuard =
      http_guard_new(pCfg->nHeaderTimeoutSec, pCfg->nPerPrefixLimit, pCfg->nMaxHeaderConns);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                   MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (bV6 ? MHD_USE_IPv6 : 0);
  pSrv->pDaemon = MHD_start_daemon(
      flags, 0, &on_accept, pSrv, &on_access, pSrv,
      /* first, so that MHD sends every message of its own through it */
      MHD_OPTION_EXTERNAL_LOGGER, &on_mhd_log, pSrv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
      MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(pCfg->nThread ? pCfg->nThread : 2),
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)(pCfg->nTimeoutSec ? pCfg->nTimeoutSec : 30),
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)pCfg->nPerIpLimit,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned int)(pCfg->nConnLimit ? pCfg->nConnLimit : 1024),
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)KG_HTTP_CONN_MEMORY, MHD_OPTION_NOTIFY_COMPLETED,
      &on_completed, pSrv, MHD_OPTION_NOTIFY_CONNECTION, &on_connection, pSrv, MHD_OPTION_END);
  if (!pSrv->pDaemon || !pSrv->pGuard) { /* no guard: its thread could not start */
    kg_log_error("cannot start the HTTP server on %s", pCfg->zListen);
    if (pSrv->pDaemon) MHD_stop_daemon(pSrv->pDaemon);
    http_guard_free(pSrv->pGuard);
    http_static_free(pSrv->pStatic);
    pthread_mutex_destroy(&pSrv->deferMutex);
    http_metrics_free(pSrv->pMetrics);
    free(pSrv->zWebDir);
    free(pSrv->zTmpDir);
    free(pSrv->zCsp);
    free(pSrv);
    return KG_EIO;
  }
  const union MHD_DaemonInfo *pInfo = MHD_get_daemon_info(pSrv->pDaemon, MHD_DAEMON_INFO_BIND_PORT);
  if (pnPort) *pnPort = pInfo ? pInfo->port : 0;
  *ppSrv = pSrv;
  return KG_OK;
}

void kg_http_stop(struct kg_http_server *pSrv, unsigned nGraceMs) {
  if (!pSrv) return;
  MHD_socket s = MHD_quiesce_daemon(pSrv->pDaemon);
  int64_t tEnd = kg_time_mono_ms() + nGraceMs;
  while (atomic_load(&pSrv->nInFlight) > 0 && kg_time_mono_ms() < tEnd)
    usleep(10000);
  /* a suspended connection must be resumed before the daemon goes: the
   * work they wait for (the store's writer) is still running, and ends */
  while (atomic_load(&pSrv->nDeferred) > 0)
    usleep(1000);
  MHD_stop_daemon(pSrv->pDaemon);
  http_guard_free(pSrv->pGuard);
  http_static_free(pSrv->pStatic);
  pthread_mutex_destroy(&pSrv->deferMutex);
  if (s != MHD_INVALID_SOCKET) close(s);
  http_metrics_free(pSrv->pMetrics);
  free(pSrv->zWebDir);
  free(pSrv->zTmpDir);
  free(pSrv->zCsp);
  free(pSrv);
}

void kg_http_stats(struct kg_http_server *pSrv, struct kg_http_stats *pOut) {
  memset(pOut, 0, sizeof(*pOut));
  if (!pSrv) return;
  pOut->nInFlight = atomic_load(&pSrv->nInFlight);
  pOut->nDeferred = atomic_load(&pSrv->nDeferred);
  pOut->nConn = atomic_load(&pSrv->nConn);
  pOut->nConnTotal = (int64_t)atomic_load(&pSrv->nConnTotal);
}

enum kg_err kg_http_metrics_write(struct kg_http_server *pSrv, struct kg_buf *pOut) {
  if (!pSrv || !pSrv->pMetrics) return KG_OK;
  return http_metrics_write(pSrv->pMetrics, pOut);
}

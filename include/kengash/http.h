/* http.h: the HTTP layer — libmicrohttpd server, route table, bounded body
 * collection, query/header access and responses (JSON, problem+json, files,
 * static). It knows nothing about the application's resources: handlers and
 * the before-dispatch hook are given to it by the api layer. */
#ifndef KENGASH_HTTP_H
#define KENGASH_HTTP_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "kengash/core.h"
#include "kengash/problem.h"

struct kg_req;
struct kg_http_server;

typedef void (*kg_http_handler)(struct kg_req *r);

/* Route flags. Role flags are interpreted by the before hook, not here. */
enum {
  KG_ROUTE_LOGIN = 1 << 0,     /* needs a logged-in account */
  KG_ROUTE_MODERATOR = 1 << 1, /* needs moderator or admin */
  KG_ROUTE_ADMIN = 1 << 2,     /* needs admin */
  KG_ROUTE_TO_FILE = 1 << 3,   /* stream the body into a temporary file */
};

struct kg_route {
  const char *zMethod;  /* "GET", "POST", ... */
  const char *zPattern; /* "/api/v1/projects/{id}": {name} matches one segment */
  kg_http_handler xHandler;
  unsigned flags;
  size_t nMaxBody; /* 0 means no body is accepted */
};

/* Called once per request when the headers are in and the route is known,
 * before any body is read. Returns 1 to go on, or 0 after it has replied
 * (401, 403, CSRF refusal...). */
typedef int (*kg_http_before)(struct kg_req *r, const struct kg_route *pRoute);

struct kg_http_config {
  const char *zListen; /* "127.0.0.1:8080" or "[::1]:8080"; port 0 picks one */
  const struct kg_route *aRoute;
  size_t nRoute;
  kg_http_before xBefore; /* may be NULL */
  void *pApp;             /* handed to handlers through kg_req_app() */
  const char *zWebDir;    /* static files served for GET paths no route matches; may be NULL */
  const char *zTmpDir;    /* where KG_ROUTE_TO_FILE bodies are spooled */
  unsigned nThread;       /* worker threads (MHD thread pool) */
  unsigned nTimeoutSec;   /* idle connection timeout */
  unsigned nPerIpLimit;   /* concurrent connections per IP */
  unsigned nConnLimit;    /* total concurrent connections */
  uint64_t nMaxUpload;    /* body limit of KG_ROUTE_TO_FILE routes whose nMaxBody is 0 */
  int bHsts;              /* send Strict-Transport-Security (the site is served over https) */
  /* one more origin ("https://tiles.example.org:8443") the pages may load
   * images from (the base map's tile server); NULL: only the site itself */
  const char *zImgSrcExtra;
  void (*xThreadExit)(void *pApp); /* not used by MHD; reserved */
  int bAccessLog; /* one info line per finished request (route, status, ms, request_id) */
  /* slow clients (src/http/guard.c): the request head must be in within
   * nHeaderTimeoutSec (0: 10) of the connection's start or of the end of
   * its previous request; at most nPerPrefixLimit connections per IPv4
   * address or IPv6 /64 (0: no limit); at most nMaxHeaderConns connections
   * still sending their head (0: no cap), the longest waiting one being
   * closed for a newcomer */
  unsigned nHeaderTimeoutSec;
  unsigned nPerPrefixLimit;
  unsigned nMaxHeaderConns;
};

/* Starts serving. On success *ppSrv owns the server (stop with
 * kg_http_stop) and *pnPort is the bound port. */
enum kg_err kg_http_start(const struct kg_http_config *pCfg,
                          struct kg_http_server **ppSrv /* OUT */, unsigned *pnPort /* OUT */);
/* Stops accepting, lets in-flight requests finish (up to nGraceMs), frees the server. */
void kg_http_stop(struct kg_http_server *pSrv, unsigned nGraceMs);

/* ---- metrics ----
 * Every response carries X-Request-Id (the request's when it is 1..64 of
 * [A-Za-z0-9._-], else 16 random hex digits), which is also the request_id
 * of every log line written while the request is served. */
struct kg_http_stats {
  int nInFlight;      /* requests between their headers and their completion */
  int nDeferred;      /* of those, waiting for a deferred reply (kg_req_defer) */
  int nConn;          /* open connections */
  int64_t nConnTotal; /* connections accepted so far */
};
/* A snapshot of pSrv's gauges (all 0 when pSrv is NULL). */
void kg_http_stats(struct kg_http_server *pSrv, struct kg_http_stats *pOut /* OUT */);
/* Appends pSrv's request counters (by route pattern and status code) and
 * latency histograms (by route pattern and status class) to pOut in the
 * Prometheus text format. Lock-free on the request path. */
enum kg_err kg_http_metrics_write(struct kg_http_server *pSrv, struct kg_buf *pOut);

/* ---- request accessors (all returned strings are borrowed for the request's life) ---- */
void *kg_req_app(struct kg_req *r);
const char *kg_req_method(struct kg_req *r);
const char *kg_req_path(struct kg_req *r);
/* A {name} segment from the route pattern, or NULL. */
const char *kg_req_param(struct kg_req *r, const char *zName);
/* A {name} segment parsed as a positive int64; 0 when absent or malformed. */
int64_t kg_req_param_id(struct kg_req *r, const char *zName);
const char *kg_req_query(struct kg_req *r, const char *zName);
const char *kg_req_header(struct kg_req *r, const char *zName);
const char *kg_req_cookie(struct kg_req *r, const char *zName);
/* Client IP as text. */
const char *kg_req_client_ip(struct kg_req *r);
/* The collected body (NUL-terminated) and its length; empty when none. */
const char *kg_req_body(struct kg_req *r, size_t *pn /* OUT */);
/* For KG_ROUTE_TO_FILE routes: path of the spooled body, its size and its
 * SHA-256 (32 bytes). The handler may rename() the file; otherwise it is
 * removed when the request ends. */
const char *kg_req_body_file(struct kg_req *r, uint64_t *pnSize /* OUT */,
                             const unsigned char **paSha256 /* OUT */);
/* Marks the spooled body file as taken (renamed away) so it is not unlinked. */
void kg_req_body_file_taken(struct kg_req *r);
/* Parses the body as a JSON object. On failure replies 400/415 and returns NULL.
 * The returned reference is owned by the request (do not decref). */
json_t *kg_req_json(struct kg_req *r);
/* Per-request slot for the before hook / handlers (e.g. the session).
 * xFree, when not NULL, is called on p when the request ends. */
void kg_req_set_user(struct kg_req *r, void *p, void (*xFree)(void *));
void *kg_req_user(struct kg_req *r);

/* ---- deferred replies ----
 * A handler that waits for work done on another thread (the store's
 * group-commit writer) calls kg_req_defer and returns without replying.
 * The connection is then suspended — its worker thread goes on serving
 * other connections — until kg_req_resume, which may be called from any
 * thread, even before the handler has returned. Then xResume(r, pCtx) runs
 * on the connection's worker thread and replies (or defers again). pCtx
 * belongs to the request: xFree(pCtx), when not NULL, runs when it ends.
 * The server does not stop while a deferred reply is pending. */
typedef void (*kg_http_resume)(struct kg_req *r, void *pCtx);
void kg_req_defer(struct kg_req *r, kg_http_resume xResume, void *pCtx, void (*xFree)(void *));
void kg_req_resume(struct kg_req *r);

/* Calls xArg for each query-string argument in order (zValue may be NULL
 * for "?flag"); stops early when xArg returns nonzero and returns that. */
int kg_req_query_each(struct kg_req *r,
                      int (*xArg)(void *pArg, const char *zName, const char *zValue), void *pArg);

/* ---- replies: exactly one per request; later calls are ignored ---- */
int kg_req_replied(struct kg_req *r);
/* Adds a header to the reply that will be sent (call before replying). */
void kg_reply_header(struct kg_req *r, const char *zName, const char *zValue);
/* Sends JSON; steals the reference to pJson. */
void kg_reply_json(struct kg_req *r, unsigned status, json_t *pJson);
/* Sends a body already built; takes ownership of zBody (malloc'd). */
void kg_reply_text(struct kg_req *r, unsigned status, const char *zType, char *zBody, size_t n);
/* Sends zBody[n] without copying it: xRelease(pArg) runs once the reply
 * no longer needs it (also when it is never sent). */
void kg_reply_shared(struct kg_req *r, unsigned status, const char *zType, const char *zBody,
                     size_t n, void (*xRelease)(void *pArg), void *pArg);
/* 1 when the request's If-None-Match lists zQuoted (an ETag with its
 * quotes), or its variant for the negotiated encoding ("tag-br": a 304
 * then carries that ETag), or is "*". */
int kg_req_etag_matches(struct kg_req *r, const char *zQuoted);
/* Sends a static string body (not freed). */
void kg_reply_static(struct kg_req *r, unsigned status, const char *zType, const char *zBody);
void kg_reply_empty(struct kg_req *r, unsigned status);
/* application/problem+json {type, title, status, code, detail}: the status
 * and the machine code are p's (kengash/problem.h); zDetail is English. */
void kg_reply_code(struct kg_req *r, enum kg_problem p, const char *zDetail);
/* The same with errors: [{field, message, code, max?, min?, allowed?}] for
 * one refused field; the problem's code follows status (422
 * validation_failed, 400 invalid_parameter, 409 conflict, 413 too_large,
 * 415 unsupported_media_type). */
void kg_reply_field(struct kg_req *r, unsigned status, const struct kg_field_error *e);
/* kg_reply_field for the common case: no limits to name. */
void kg_reply_bad(struct kg_req *r, enum kg_reason eReason, const char *zField,
                  const char *zMessage);
void kg_reply_bad_status(struct kg_req *r, unsigned status, enum kg_reason eReason,
                         const char *zField, const char *zMessage);
/* kg_reply_field for a reason that names limits: nMax (KG_R_TOO_LONG,
 * KG_R_TOO_LONG_BYTES, KG_R_TOO_MANY) or nMin and nMax (KG_R_OUT_OF_RANGE). */
void kg_reply_limit(struct kg_req *r, unsigned status, enum kg_reason eReason, const char *zField,
                    const char *zMessage, long long nMin, long long nMax);
/* Older forms (their code follows the status: prefer the ones above).
 * application/problem+json with status, title, detail. */
void kg_reply_problem(struct kg_req *r, unsigned status, const char *zTitle, const char *zDetail);
/* 422 (or nStatus when nonzero) problem+json with errors: [{field, message}]. */
void kg_reply_invalid(struct kg_req *r, const char *zField, const char *zMessage);
void kg_reply_invalid_status(struct kg_req *r, unsigned status, const char *zField,
                             const char *zMessage);
/* Maps err to its status (the one place this mapping lives) and sends a
 * problem with zDetail and the code for err (kg_problem_for_err). */
void kg_reply_err(struct kg_req *r, enum kg_err err, const char *zDetail);
unsigned kg_http_status_for_err(enum kg_err err);
/* The code of a problem for err, and the general code of a status. */
enum kg_problem kg_problem_for_err(enum kg_err err);
enum kg_problem kg_problem_for_status(unsigned status);
/* A streamed body of unknown length (chunked): xRead is called on the
 * worker thread that serves the connection (the same thread as the
 * handler, so its per-thread store connection is the handler's) with a
 * buffer of nMax bytes; it returns the bytes written (> 0),
 * KG_STREAM_END when the body is complete, or KG_STREAM_ERROR to abort the
 * connection. It must not return 0. xFree(pCls) runs once when the reply
 * is done or abandoned (also when the stream is never started). */
#define KG_STREAM_END (-1)
#define KG_STREAM_ERROR (-2)
typedef long (*kg_http_stream_read)(void *pCls, uint64_t nPos, char *zBuf, size_t nMax);
void kg_reply_stream(struct kg_req *r, unsigned status, const char *zType,
                     kg_http_stream_read xRead, void *pCls, void (*xFree)(void *pCls));
/* Sends nLen bytes of an open file from nOffset, with zType; takes the fd. */
void kg_reply_fd(struct kg_req *r, unsigned status, const char *zType, int fd, uint64_t nOffset,
                 uint64_t nLen);
/* Serves a whole file with ETag (zEtag, quoted here), If-None-Match -> 304,
 * Range (single range) -> 206 / 416, Content-Type zType and Cache-Control
 * zCache. Takes the fd; nSize is the file's size. */
void kg_reply_file_cond(struct kg_req *r, int fd, uint64_t nSize, const char *zType,
                        const char *zEtag, const char *zCache);

/* ---- compression (src/http/compress.c) ----
 * Replies of a compressible type (text, JSON, XML, JavaScript, SVG) of
 * at least KG_HTTP_COMPRESS_MIN bytes are sent gzip- or Brotli-encoded when
 * the request's Accept-Encoding allows it (br preferred on equal weight),
 * with Content-Encoding, Vary: Accept-Encoding (on the identity reply too)
 * and the ETag given a suffix per encoding ("x" -> "x-br", "x-gz").
 * kg_reply_text compresses (a fast level); kg_reply_shared_enc sends bytes
 * compressed beforehand (the response cache's); static files are compressed
 * once per version. Never compressed: streams, files sent by fd (documents),
 * replies that set a cookie or carry "csrf_token" (BREACH, docs/api.md), or
 * after kg_reply_no_compress. */
enum kg_enc { KG_ENC_IDENTITY = 0, KG_ENC_GZIP = 1, KG_ENC_BR = 2 };
#define KG_ENC_COUNT 3
#define KG_HTTP_COMPRESS_MIN 1024
/* The encoding r's reply would get if it were compressible and large. */
enum kg_enc kg_req_encoding(struct kg_req *r);
/* 1 when a body of Content-Type zType is worth compressing. */
int kg_http_type_compressible(const char *zType);
/* Compresses z[n] with e (gzip or br) at the fast level for replies, or the
 * strongest when bStatic: 1 with the bytes (malloc'd, free them) in *ppOut,
 * *pnOut, only when smaller than n; 0 otherwise. */
int kg_http_compress(enum kg_enc e, int bStatic, const char *z, size_t n, char **ppOut /* OUT */,
                     size_t *pnOut /* OUT */);
/* Like kg_reply_shared, for zBody[n] already encoded with e (identity: as
 * is); adds Content-Encoding, Vary and the ETag's suffix. */
void kg_reply_shared_enc(struct kg_req *r, unsigned status, const char *zType, enum kg_enc e,
                         const char *zBody, size_t n, void (*xRelease)(void *pArg), void *pArg);
/* The reply to r is sent uncompressed (it holds a secret next to text
 * others chose: BREACH). */
void kg_reply_no_compress(struct kg_req *r);

#endif

/* fuzz_req.c: the fake request of fuzz_req.h. It includes the http layer's
 * source so that the targets reach kg_req and the static parsers, and
 * stands in for libmicrohttpd's value lookups: a fake request has no
 * connection, its values live in a table here (r->pConn points at it). */
#include "../../src/http/http.c"

#include "fuzz_req.h"

#define FUZZ_MAX_VALUES 96

struct fuzz_conn {
  int n;
  struct {
    enum MHD_ValueKind kind;
    char *zName;
    char *zValue;
  } a[FUZZ_MAX_VALUES];
};

static struct kg_http_server g_srv = {.zCsp = "default-src 'self'"};

/* libmicrohttpd's, interposed: every caller in this program passes a fake
 * request's connection. */
const char *MHD_lookup_connection_value(struct MHD_Connection *pConn, enum MHD_ValueKind kind,
                                        const char *zKey) {
  struct fuzz_conn *c = (struct fuzz_conn *)pConn;
  if (!c || !zKey) return NULL;
  for (int i = 0; i < c->n; i++)
    if ((c->a[i].kind & kind) && strcasecmp(c->a[i].zName, zKey) == 0) return c->a[i].zValue;
  return NULL;
}

int MHD_get_connection_values(struct MHD_Connection *pConn, enum MHD_ValueKind kind,
                              MHD_KeyValueIterator xIter, void *pIterCls) {
  struct fuzz_conn *c = (struct fuzz_conn *)pConn;
  int n = 0;
  for (int i = 0; c && i < c->n; i++) {
    if (!(c->a[i].kind & kind)) continue;
    n++;
    if (xIter && xIter(pIterCls, c->a[i].kind, c->a[i].zName, c->a[i].zValue) != MHD_YES) break;
  }
  return n;
}

struct kg_req *fuzz_req_new(const struct kg_app *pApp, const char *zMethod, const char *zPath) {
  struct kg_req *r = kg_xcalloc(1, sizeof(*r));
  g_srv.cfg.pApp = (void *)pApp;
  r->pSrv = &g_srv;
  r->pConn = (struct MHD_Connection *)kg_xcalloc(1, sizeof(struct fuzz_conn));
  r->zMethod = zMethod;
  r->zPath = zPath;
  r->zLogMethod = log_method(zMethod);
  r->fdBody = -1;
  snprintf(r->zIp, sizeof(r->zIp), "127.0.0.1");
  kg_buf_init(&r->body, 1 << 20);
  return r;
}

void fuzz_req_add(struct kg_req *r, enum fuzz_kind e, const char *zName, const char *zValue) {
  struct fuzz_conn *c = (struct fuzz_conn *)r->pConn;
  if (c->n >= FUZZ_MAX_VALUES) return;
  c->a[c->n].kind = e == FUZZ_HEADER  ? MHD_HEADER_KIND
                    : e == FUZZ_QUERY ? MHD_GET_ARGUMENT_KIND
                                      : MHD_COOKIE_KIND;
  c->a[c->n].zName = kg_xstrdup(zName);
  c->a[c->n].zValue = kg_xstrdup(zValue);
  c->n++;
}

void fuzz_req_body(struct kg_req *r, const void *p, size_t n) {
  r->body.n = 0;
  kg_buf_append(&r->body, p, n);
}

unsigned fuzz_req_status(struct kg_req *r) {
  return r->bReplied ? r->status : 0;
}

void fuzz_req_free(struct kg_req *r) {
  struct fuzz_conn *c = (struct fuzz_conn *)r->pConn;
  for (int i = 0; i < c->n; i++) {
    free(c->a[i].zName);
    free(c->a[i].zValue);
  }
  free(c);
  req_free(r);
}

int fuzz_http_parse_range(const char *z, uint64_t nSize, uint64_t *pFrom, uint64_t *pTo) {
  return http_parse_range(z, nSize, pFrom, pTo);
}

int fuzz_http_etag_matches(const char *zList, const char *zEtag) {
  return http_etag_matches(zList, zEtag);
}

int fuzz_http_static_path_ok(const char *zPath) {
  return static_path_ok(zPath);
}

int fuzz_http_type_is_json(const char *zType) {
  return type_is_json(zType);
}

int fuzz_http_route(struct kg_req *r, const struct kg_route *aRoute, size_t nRoute) {
  g_srv.cfg.aRoute = aRoute;
  g_srv.cfg.nRoute = nRoute;
  r->pRoute = NULL;
  r->bMethodMismatch = 0;
  route_find(r);
  return r->pRoute ? 1 : r->bMethodMismatch ? 2 : 0;
}

const char *fuzz_http_head_invalid(struct kg_req *r, const char *zUrl, const char *zVersion) {
  return head_invalid(r->pConn, zUrl, zVersion);
}

const char *fuzz_http_request_id(struct kg_req *r, const char *zGiven) {
  request_id(r, zGiven);
  return r->zReqId;
}

int fuzz_lines(const uint8_t *aData, size_t nData, char **azLine, int nMax, char **pzFree) {
  char *z = kg_xmalloc(nData + 1);
  memcpy(z, aData, nData);
  z[nData] = 0;
  int n = 0;
  char *p = z;
  while (n < nMax) {
    azLine[n++] = p;
    char *zNl = memchr(p, '\n', (size_t)(z + nData - p));
    if (!zNl) break;
    *zNl = 0;
    p = zNl + 1;
  }
  for (int i = n; i < nMax; i++)
    azLine[i] = NULL;
  *pzFree = z;
  return n;
}

/* fuzz_req.h: what the fuzz targets (tests/fuzz/fuzz_*.c) use to drive
 * code that reads a request: a kg_req without a libmicrohttpd connection,
 * whose headers and query arguments come from the fuzz input, and the
 * http layer's own parsers (static in src/http/http.c) by name. Test code
 * only: fuzz_req.c includes src/http/http.c. */
#ifndef KENGASH_FUZZ_REQ_H
#define KENGASH_FUZZ_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "kengash/api.h"
#include "kengash/http.h"

/* The value kinds a fake request holds (as libmicrohttpd's). */
enum fuzz_kind { FUZZ_HEADER, FUZZ_QUERY, FUZZ_COOKIE };

/* A request zMethod zPath for application state pApp (may be NULL),
 * without headers, arguments or body. Owned by the caller: fuzz_req_free. */
struct kg_req *fuzz_req_new(const struct kg_app *pApp, const char *zMethod, const char *zPath);
/* Adds a header, query argument or cookie (copied). At most 32 each. */
void fuzz_req_add(struct kg_req *r, enum fuzz_kind e, const char *zName, const char *zValue);
/* Sets the body (copied). */
void fuzz_req_body(struct kg_req *r, const void *p, size_t n);
/* The reply's status, 0 when none was made. */
unsigned fuzz_req_status(struct kg_req *r);
void fuzz_req_free(struct kg_req *r);

/* src/http/http.c's parsers (see there for their contracts). */
int fuzz_http_parse_range(const char *z, uint64_t nSize, uint64_t *pFrom, uint64_t *pTo);
int fuzz_http_etag_matches(const char *zList, const char *zEtag);
int fuzz_http_static_path_ok(const char *zPath);
int fuzz_http_type_is_json(const char *zType);
/* The route of r in aRoute[nRoute]: 1 found, 2 path matched but not the
 * method, 0 none; the route's parameters are then readable by kg_req_param. */
int fuzz_http_route(struct kg_req *r, const struct kg_route *aRoute, size_t nRoute);
/* head_invalid() over r's headers: NULL or why the head is refused. */
const char *fuzz_http_head_invalid(struct kg_req *r, const char *zUrl, const char *zVersion);
/* The request id r would carry for the client's X-Request-Id zGiven. */
const char *fuzz_http_request_id(struct kg_req *r, const char *zGiven);

/* Splits aData[nData] at '\n' into at most nMax NUL-terminated lines in
 * one allocation (*pzFree, free it); returns the count. */
int fuzz_lines(const uint8_t *aData, size_t nData, char **azLine, int nMax, char **pzFree);

#endif

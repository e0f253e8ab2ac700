/* http_int.h: http.c's parsers behind the public kengash/http.h, for the
 * server itself and its unit tests (tests/unit/test_http.c): route
 * matching with path parameters (404 vs 405), the Range header and
 * If-None-Match. Nothing outside src/http/ and the tests includes it. */
#ifndef KENGASH_HTTP_INT_H
#define KENGASH_HTTP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "kengash/http.h"

#define HTTP_MAX_PARAMS 6

/* The parameters a route pattern took from a path. Names point into the
 * pattern (nName bytes, up to its '}'); values are owned: free them with
 * http_params_clear. Zeroed is empty. */
struct http_params {
  int n;
  struct {
    const char *zName;
    size_t nName;
    char *zValue;
  } a[HTTP_MAX_PARAMS];
};

/* 1 when zPath matches zPattern ("/api/v1/x/{id}", "/p/{id}.html": a
 * parameter is one non-empty segment, or the part before a literal suffix
 * in the same segment), with the parameters in *pParams (OUT); 0 when not.
 * No slash is trimmed: "/x/" does not match "/x". */
int http_route_match(struct http_params *pParams /* OUT */, const char *zPattern,
                     const char *zPath);

/* The first route of aRoute whose pattern matches zPath and whose method is
 * zMethod (a GET route serves HEAD too), with its parameters in *pParams;
 * NULL when none, with *pbMethodMismatch 1 when some route matched the path
 * with another method (405), 0 when no pattern matched it (404). */
const struct kg_route *http_route_find(const struct kg_route *aRoute, size_t nRoute,
                                       const char *zMethod, const char *zPath,
                                       struct http_params *pParams /* OUT */,
                                       int *pbMethodMismatch /* OUT */);

/* The value of the parameter named zName, or NULL. */
const char *http_params_get(const struct http_params *pParams, const char *zName);

/* Frees the parameters' values. */
void http_params_clear(struct http_params *pParams);

/* Parses a Range header z ("bytes=a-b", "bytes=a-", "bytes=-n") against a
 * file of nSize bytes: 1 with the inclusive range in *pFrom..*pTo, 0 when
 * the header is to be ignored (malformed, another unit, several ranges:
 * the whole file is served), -1 when unsatisfiable (416). */
int http_parse_range(const char *z, uint64_t nSize, uint64_t *pFrom /* OUT */,
                     uint64_t *pTo /* OUT */);

/* 1 when the If-None-Match value zList (may be NULL) names the quoted
 * entity tag zEtag: "*", or zEtag in the list followed by its end, a comma
 * or a space; a weak W/"tag" matches "tag" (weak comparison, RFC 9110
 * 13.1.2). */
int http_etag_matches(const char *zList, const char *zEtag);

#endif

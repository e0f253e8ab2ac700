/* http_int.h: http.c's parsers behind the public kengash/http.h, for the
 * server itself and its unit tests (tests/unit/test_http.c): route
 * matching with path parameters (404 vs 405), the Range header and
 * If-None-Match. Nothing outside src/http/ and the tests includes it. */
#ifndef KENGASH_HTTP_INT_H
#define KENGASH_HTTP_INT_H

#include <stdatomic.h>
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

/* ---- compression (compress.c) ---- */

#define HTTP_AE_MAX_LEN 256  /* a longer Accept-Encoding is ignored (identity) */
#define HTTP_AE_MAX_ELEMS 16 /* and one with more elements */
#define HTTP_GZIP_LEVEL_STATIC 9
#define HTTP_BR_QUALITY_STATIC 11
#define HTTP_GZIP_LEVEL_DYNAMIC 5
#define HTTP_BR_QUALITY_DYNAMIC 4
#define HTTP_COMPRESS_MAX_IN ((size_t)8 << 20) /* larger bodies go out as they are */

/* Parses the Accept-Encoding value z (NULL: no header) into the weights
 * (0..1000) of each kg_enc: an encoding not named takes the weight of "*"
 * when given, else 0, except identity, which then takes 1 (acceptable,
 * after any coding named); with no header only identity (1000).
 * Returns 0 (with identity's weights: identity 1000, others 0) when z is
 * malformed, longer than HTTP_AE_MAX_LEN or has more than
 * HTTP_AE_MAX_ELEMS elements. */
int http_ae_parse(const char *z, int aQ[KG_ENC_COUNT] /* OUT */);
/* The encoding to send among identity and the bits (1 << kg_enc) of mAvail:
 * the highest weight, br before gzip before identity on a tie; identity
 * when none is acceptable. */
enum kg_enc http_ae_choose(const int aQ[KG_ENC_COUNT], unsigned mAvail);
/* "br", "gzip", "identity": the Content-Encoding value. */
const char *http_enc_name(enum kg_enc e);
/* "-br", "-gz", "": appended inside an ETag's quotes for the variant. */
const char *http_enc_etag_suffix(enum kg_enc e);
/* A static file's ETag (size and mtime, hex) in zOut. */
struct stat;
void http_file_etag(const struct stat *st, char *zOut /* OUT */, size_t nOut);

/* Bytes shared by reference count with the replies that send them. */
struct http_blob {
  atomic_int nRef;
  size_t n;
  char *z;
};
/* A blob holding z (malloc'd, taken) with one reference. */
struct http_blob *http_blob_new(char *z, size_t n);
/* Drops a reference (pArg may be NULL); the last one frees. */
void http_blob_release(void *pArg);

/* The server's compressed static files (one per server). */
struct http_static;
struct http_static *http_static_new(void);
/* Stops the background thread and frees every variant not in flight. */
void http_static_free(struct http_static *p);
/* The variant of zFile (version zEtag, open as fd, nSize bytes) to send
 * for the weights aQ: a blob with a reference for the caller (release it
 * with http_blob_release) and its encoding in *peEnc, or NULL (identity)
 * when the file is too small or large, no compressed variant is acceptable
 * or ready, or compressing does not make it smaller. gzip is made now when
 * missing; Brotli is queued for the background thread. */
struct http_blob *http_static_variant(struct http_static *p, const char *zFile, const char *zEtag,
                                      int fd, size_t nSize, const int aQ[KG_ENC_COUNT],
                                      enum kg_enc *peEnc /* OUT */);

#endif

/* test_http.c: unit tests for src/http/http.c that need no application:
 * its parsers through http_int.h (route matching with 404 vs 405 and path
 * parameters, the Range header, If-None-Match), and a server with one route
 * of its own, driven over a loopback socket. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/http/http_int.h"
#include "kengash/http.h"

#include "test.h"

/* ---- routing ---- */

static void handler_none(struct kg_req *r) {
  (void)r;
}

static const struct kg_route aRoutes[] = {
    {"GET", "/api/v1/projects", handler_none, 0, 0},
    {"POST", "/api/v1/projects", handler_none, 0, 1024},
    {"GET", "/api/v1/projects/{id}", handler_none, 0, 0},
    {"PATCH", "/api/v1/projects/{id}", handler_none, 0, 1024},
    {"GET", "/api/v1/discussions/{id}/comments/{cid}", handler_none, 0, 0},
    {"GET", "/p/{id}.html", handler_none, 0, 0},
    {"GET", "/a/{id}", handler_none, 0, 0},
    {"POST", "/a/new", handler_none, 0, 0},
};
#define N_ROUTES (sizeof(aRoutes) / sizeof(aRoutes[0]))

/* The index of zMethod zPath's route in aRoutes, -1 for none (404), -2 for
 * a path another method has (405); its parameters in *pParams. */
static int find(const char *zMethod, const char *zPath, struct http_params *pParams) {
  int bMismatch = -1;
  const struct kg_route *pRt =
      http_route_find(aRoutes, N_ROUTES, zMethod, zPath, pParams, &bMismatch);
  if (pRt) return bMismatch == 0 ? (int)(pRt - aRoutes) : -3;
  return bMismatch ? -2 : -1;
}

static void route_find_tells_404_from_405(void) {
  static const struct {
    const char *zMethod, *zPath;
    int iWant; /* as find() */
  } a[] = {
      {"GET", "/api/v1/projects", 0},
      {"POST", "/api/v1/projects", 1},
      {"HEAD", "/api/v1/projects", 0}, /* a GET route serves HEAD */
      {"PUT", "/api/v1/projects", -2},
      {"DELETE", "/api/v1/projects/7", -2},
      {"PATCH", "/api/v1/projects/7", 3},
      {"HEAD", "/api/v1/projects/7", 2},
      {"GET", "/api/v1/nothing", -1},
      {"POST", "/api/v1/nothing", -1},
      {"GET", "/api/v1", -1},
      {"GET", "/", -1},
      {"GET", "", -1},
      {"POST", "/a/new", 7}, /* a later route of the method wins over an earlier mismatch */
      {"GET", "/a/new", 6},
      {"PUT", "/a/new", -2},
      /* trailing slashes are not trimmed: another path */
      {"GET", "/api/v1/projects/", -1},
      {"POST", "/api/v1/projects/", -1},
      {"GET", "/api/v1/projects/7/", -1},
      {"GET", "//api/v1/projects", -1},
      /* a parameter is one non-empty segment */
      {"GET", "/api/v1/discussions/5/comments/9", 4},
      {"GET", "/api/v1/discussions//comments/9", -1},
      {"GET", "/api/v1/discussions/5/comments/", -1},
      {"GET", "/api/v1/discussions/5/6/comments/9", -1},
      /* a literal suffix inside the segment */
      {"GET", "/p/42.html", 5},
      {"GET", "/p/.html", -1},
      {"GET", "/p/42.htm", -1},
      {"GET", "/p/42.html/x", -1},
      {"get", "/api/v1/projects", -2}, /* methods are compared exactly */
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    struct http_params params = {0};
    int iGot = find(a[i].zMethod, a[i].zPath, &params);
    if (iGot != a[i].iWant)
      FAIL("%s %s: route %d, want %d", a[i].zMethod, a[i].zPath, iGot, a[i].iWant);
    http_params_clear(&params);
  }
}

static void route_parameters_are_the_segments_as_sent(void) {
  struct http_params params = {0};
  CHECK(find("GET", "/api/v1/discussions/5/comments/9", &params) == 4);
  CHECK(params.n == 2);
  CHECK(http_params_get(&params, "id") && strcmp(http_params_get(&params, "id"), "5") == 0);
  CHECK(http_params_get(&params, "cid") && strcmp(http_params_get(&params, "cid"), "9") == 0);
  CHECK(http_params_get(&params, "i") == NULL && http_params_get(&params, "idx") == NULL);
  /* the same params again: the values are replaced, not leaked */
  CHECK(find("GET", "/p/a%20b.html", &params) == 5);
  CHECK(params.n == 1 && strcmp(http_params_get(&params, "id"), "a%20b") == 0);
  CHECK(find("GET", "/api/v1/projects/-1", &params) == 2);
  CHECK(params.n == 1 && strcmp(http_params_get(&params, "id"), "-1") == 0);
  CHECK(find("PATCH", "/api/v1/projects/%2e%2e", &params) == 3);
  CHECK(strcmp(http_params_get(&params, "id"), "%2e%2e") == 0);
  http_params_clear(&params);
  CHECK(params.n == 0 && params.a[0].zValue == NULL);
  /* no route: no parameters */
  CHECK(find("GET", "/api/v1/nothing", &params) == -1 && params.n == 0);
  http_params_clear(&params);
}

static void route_match_limits_and_malformed_patterns(void) {
  struct http_params params = {0};
  CHECK(http_route_match(&params, "/x/{a}/{b}/{c}/{d}/{e}/{f}", "/x/1/2/3/4/5/6"));
  CHECK(params.n == HTTP_MAX_PARAMS && strcmp(params.a[5].zValue, "6") == 0);
  http_params_clear(&params);
  /* one parameter more than there is room for: no match */
  CHECK(!http_route_match(&params, "/x/{a}/{b}/{c}/{d}/{e}/{f}/{g}", "/x/1/2/3/4/5/6/7"));
  http_params_clear(&params);
  CHECK(!http_route_match(&params, "/x/{id", "/x/1"));
  http_params_clear(&params);
  CHECK(http_route_match(&params, "/x", "/x") && params.n == 0);
  CHECK(!http_route_match(&params, "/x", "/X"));
  CHECK(!http_route_match(&params, "/x", "/x/"));
  CHECK(!http_route_match(&params, "/x/", "/x"));
  CHECK(!http_route_match(&params, "/x/{id}", "/x/"));
  http_params_clear(&params);
}

/* ---- Range ---- */

static void range_single_suffix_open_and_clamped(void) {
  static const struct {
    const char *z;
    uint64_t nSize;
    int rcWant;
    uint64_t from, to;
  } a[] = {
      {"bytes=0-99", 1000, 1, 0, 99},
      {"bytes=0-0", 1000, 1, 0, 0},
      {"bytes=999-999", 1000, 1, 999, 999},
      {"bytes=100-", 1000, 1, 100, 999},     /* open-ended */
      {"bytes=-100", 1000, 1, 900, 999},     /* suffix */
      {"bytes=-2000", 1000, 1, 0, 999},      /* suffix longer than the file */
      {"bytes=900-5000", 1000, 1, 900, 999}, /* end past the file */
      {"bytes=0-", 1, 1, 0, 0},
      {"bytes=007-008", 1000, 1, 7, 8},
      /* unsatisfiable: 416 */
      {"bytes=1000-", 1000, -1, 0, 0},
      {"bytes=1000-1001", 1000, -1, 0, 0},
      {"bytes=-0", 1000, -1, 0, 0},
      {"bytes=0-", 0, -1, 0, 0},
      {"bytes=-5", 0, -1, 0, 0},
      /* malformed or another unit: ignored, the whole file */
      {"items=0-1", 1000, 0, 0, 0},
      {"Bytes=0-1", 1000, 0, 0, 0},
      {"bytes=", 1000, 0, 0, 0},
      {"bytes=-", 1000, 0, 0, 0},
      {"bytes=abc", 1000, 0, 0, 0},
      {"bytes=5", 1000, 0, 0, 0},
      {"bytes=5-3", 1000, 0, 0, 0},
      {"bytes=--1", 1000, 0, 0, 0},
      {"bytes=-1x", 1000, 0, 0, 0},
      {"bytes=1-2x", 1000, 0, 0, 0},
      {"bytes=1--2", 1000, 0, 0, 0},
      {"bytes= 1-2", 1000, 0, 0, 0},
      {"bytes=1- 2", 1000, 0, 0, 0},
      {"bytes=+1-2", 1000, 0, 0, 0},
      {"bytes=99999999999999999999-", 1000, 0, 0, 0},
      {"bytes=-99999999999999999999", 1000, 0, 0, 0},
      {"bytes=0-99999999999999999999", 1000, 0, 0, 0},
      /* several ranges: ignored, the whole file */
      {"bytes=0-1,5-6", 1000, 0, 0, 0},
      {"bytes=0-1, 5-6", 1000, 0, 0, 0},
      {"bytes=-5,", 1000, 0, 0, 0},
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    uint64_t from = 12345, to = 12345;
    int rc = http_parse_range(a[i].z, a[i].nSize, &from, &to);
    if (rc != a[i].rcWant)
      FAIL("\"%s\" of %llu: %d, want %d", a[i].z, (unsigned long long)a[i].nSize, rc, a[i].rcWant);
    else if (rc == 1 && (from != a[i].from || to != a[i].to))
      FAIL("\"%s\": %llu-%llu, want %llu-%llu", a[i].z, (unsigned long long)from,
           (unsigned long long)to, (unsigned long long)a[i].from, (unsigned long long)a[i].to);
    else if (rc != 1 && (from != 12345 || to != 12345))
      FAIL("\"%s\": the range was written though refused", a[i].z);
  }
}

/* ---- ETag ---- */

static void etag_matches_lists_weak_tags_and_star(void) {
  static const struct {
    const char *zList; /* If-None-Match; NULL: no header */
    int bWant;
  } a[] = {
      {NULL, 0},
      {"", 0},
      {"*", 1},
      {"\"abc\"", 1},
      {"W/\"abc\"", 1}, /* weak comparison */
      {"\"x\", \"abc\"", 1},
      {"\"x\",\"abc\"", 1},
      {"\"abc\", \"x\"", 1},
      {"\"abc\",\"x\"", 1},
      {"\"abc\" , \"x\"", 1},
      {"\"x\", W/\"abc\", \"y\"", 1},
      {"\"abcd\"", 0},
      {"\"ab\"", 0},
      {"\"ABC\"", 0}, /* tags are compared exactly */
      {"abc", 0},     /* unquoted */
      {"\"abc\"x", 0},
      {"\"abc\"\t", 0}, /* only a space, a comma or the end follow a tag */
      {" *", 0},        /* "*" only alone */
      {"*, \"x\"", 0},
      {"\"x\", \"y\"", 0},
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    int b = http_etag_matches(a[i].zList, "\"abc\"");
    if (b != a[i].bWant)
      FAIL("If-None-Match %s: %d, want %d", a[i].zList ? a[i].zList : "(none)", b, a[i].bWant);
  }
}

/* ---- a server ---- */

#define N_MANY 30

/* Adds N_MANY headers X-H-00.. to an empty reply. */
static void many_headers(struct kg_req *r) {
  for (int i = 0; i < N_MANY; i++) {
    char zName[16], zValue[16];
    snprintf(zName, sizeof(zName), "X-H-%02d", i);
    snprintf(zValue, sizeof(zValue), "v%d", i);
    kg_reply_header(r, zName, zValue);
  }
  kg_reply_empty(r, 204);
}

/* Sends zReq to port and returns what came back (malloc'd, NUL-terminated). */
static char *exchange(unsigned port, const char *zReq) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    if (fd >= 0) close(fd);
    return NULL;
  }
  if (write(fd, zReq, strlen(zReq)) != (ssize_t)strlen(zReq)) {
    close(fd);
    return NULL;
  }
  size_t n = 0, nAlloc = 65536;
  char *a = malloc(nAlloc);
  ssize_t k;
  while (a && n + 1 < nAlloc && (k = read(fd, a + n, nAlloc - 1 - n)) > 0)
    n += (size_t)k;
  close(fd);
  if (a) a[n] = 0;
  return a;
}

/* The finding: kg_reply_header kept 12 headers and dropped the rest
 * without a word. */
static void reply_keeps_thirty_headers(void) {
  static const struct kg_route aRoute[] = {{"GET", "/many", many_headers, 0, 0}};
  struct kg_http_config cfg = {0};
  cfg.zListen = "127.0.0.1:0";
  cfg.aRoute = aRoute;
  cfg.nRoute = 1;
  cfg.nThread = 2;
  struct kg_http_server *pSrv = NULL;
  unsigned port = 0;
  REQUIRE(kg_http_start(&cfg, &pSrv, &port) == KG_OK && port);
  char *z = exchange(port, "GET /many HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  kg_http_stop(pSrv, 1000);
  REQUIRE(z != NULL);
  int bOk = strncmp(z, "HTTP/1.1 204", 12) == 0;
  for (int i = 0; bOk && i < N_MANY; i++) {
    char zLine[40];
    snprintf(zLine, sizeof(zLine), "\r\nX-H-%02d: v%d\r\n", i, i);
    bOk = strstr(z, zLine) != NULL;
    if (!bOk) printf("  missing %s", zLine + 2);
  }
  free(z);
  CHECK(bOk);
}

int main(void) {
  harness_begin();
  RUN(route_find_tells_404_from_405);
  RUN(route_parameters_are_the_segments_as_sent);
  RUN(route_match_limits_and_malformed_patterns);
  RUN(range_single_suffix_open_and_clamped);
  RUN(etag_matches_lists_weak_tags_and_star);
  RUN(reply_keeps_thirty_headers);
  return harness_end();
}

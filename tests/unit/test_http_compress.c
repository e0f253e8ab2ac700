/* test_http_compress.c: unit tests for src/http/compress.c: the
 * Accept-Encoding negotiation table (q-values, identity, "*", br before
 * gzip, malformed and oversized headers), which types are compressed, gzip
 * round trips, and the static files' variants (gzip made at once, Brotli by
 * the background thread, a new version of the file starting afresh), and
 * which replies a server compresses (not those with secrets: BREACH). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../../src/http/http_int.h"
#include "kengash/http.h"

#include "test.h"

#define ALL ((1u << KG_ENC_GZIP) | (1u << KG_ENC_BR))

/* The encoding chosen for Accept-Encoding z among mAvail, -1 when z is
 * refused as malformed. */
static int choose(const char *z, unsigned mAvail) {
  int aQ[KG_ENC_COUNT];
  if (!http_ae_parse(z, aQ)) return -1;
  return (int)http_ae_choose(aQ, mAvail);
}

static void negotiation_follows_the_table(void) {
  static const struct {
    const char *z;
    unsigned mAvail;
    int eWant; /* -1: malformed, identity */
  } a[] = {
      {NULL, ALL, KG_ENC_IDENTITY}, /* no header: identity */
      {"", ALL, KG_ENC_IDENTITY},
      {"gzip", ALL, KG_ENC_GZIP},
      {"br", ALL, KG_ENC_BR},
      {"gzip, br", ALL, KG_ENC_BR}, /* equal weights: br */
      {"br, gzip", ALL, KG_ENC_BR},
      {"gzip, deflate, br, zstd", ALL, KG_ENC_BR}, /* Chromium's */
      {"br;q=0.5, gzip", ALL, KG_ENC_GZIP},
      {"br;q=0.5, gzip;q=0.4", ALL, KG_ENC_BR},
      {"br;q=0, gzip", ALL, KG_ENC_GZIP},
      {"br;q=0, gzip;q=0", ALL, KG_ENC_IDENTITY},
      {"*", ALL, KG_ENC_BR},
      {"*;q=0", ALL, KG_ENC_IDENTITY}, /* identity refused too: sent anyway */
      {"*;q=0.5, br;q=0", ALL, KG_ENC_GZIP},
      {"identity", ALL, KG_ENC_IDENTITY},
      {"identity;q=1, gzip;q=0.5", ALL, KG_ENC_IDENTITY},
      {"identity;q=0.5, gzip;q=0.5", ALL, KG_ENC_GZIP},
      {"gzip;q=1.0", ALL, KG_ENC_GZIP},
      {"gzip;q=0.001", ALL, KG_ENC_GZIP},
      {"GZIP, BR", ALL, KG_ENC_BR}, /* case-insensitive */
      {"x-gzip", ALL, KG_ENC_GZIP},
      {"  br  ;  q=0.9 , ,gzip;Q=0.8", ALL, KG_ENC_BR},
      {"deflate", ALL, KG_ENC_IDENTITY},
      {"br", 1u << KG_ENC_GZIP, KG_ENC_IDENTITY}, /* br not available */
      {"br, gzip", 1u << KG_ENC_GZIP, KG_ENC_GZIP},
      {"gzip;q=2", ALL, -1},
      {"gzip;q=1.5", ALL, -1},
      {"gzip;q=0.1234", ALL, -1},
      {"gzip;q=", ALL, -1},
      {"gzip;q=abc", ALL, -1},
      {"gzip;level=1", ALL, -1},
      {"gzip;", ALL, -1},
      {"gz ip", ALL, -1},
      {"g\"zip", ALL, -1},
      {"gzip;q=-1", ALL, -1},
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    int e = choose(a[i].z, a[i].mAvail);
    if (e != a[i].eWant) FAIL("Accept-Encoding \"%s\": %d, expected %d", a[i].z, e, a[i].eWant);
  }
}

static void malformed_header_means_identity(void) {
  int aQ[KG_ENC_COUNT] = {7, 7, 7};
  CHECK(http_ae_parse("gzip;q=9", aQ) == 0);
  CHECK(aQ[KG_ENC_IDENTITY] == 1000 && aQ[KG_ENC_GZIP] == 0 && aQ[KG_ENC_BR] == 0);
  CHECK(http_ae_choose(aQ, ALL) == KG_ENC_IDENTITY);
}

static void long_or_many_element_header_is_ignored(void) {
  char z[HTTP_AE_MAX_LEN + 64];
  memset(z, ' ', sizeof(z) - 1);
  z[sizeof(z) - 1] = 0;
  memcpy(z, "br", 2);
  CHECK(choose(z, ALL) == -1);
  z[0] = 0;
  for (int i = 0; i < HTTP_AE_MAX_ELEMS; i++)
    strcat(z, i ? ",a" : "a");
  CHECK(choose(z, ALL) == KG_ENC_IDENTITY);
  strcat(z, ",br");
  CHECK(choose(z, ALL) == -1);
}

static void compressible_types(void) {
  CHECK(kg_http_type_compressible("application/json; charset=utf-8"));
  CHECK(kg_http_type_compressible("application/geo+json"));
  CHECK(kg_http_type_compressible("application/problem+json; charset=utf-8"));
  CHECK(kg_http_type_compressible("text/javascript; charset=utf-8"));
  CHECK(kg_http_type_compressible("text/css; charset=utf-8"));
  CHECK(kg_http_type_compressible("text/html; charset=utf-8"));
  CHECK(kg_http_type_compressible("image/svg+xml"));
  CHECK(kg_http_type_compressible("application/atom+xml"));
  CHECK(!kg_http_type_compressible("application/pdf"));
  CHECK(!kg_http_type_compressible("image/png"));
  CHECK(!kg_http_type_compressible("font/woff2"));
  CHECK(!kg_http_type_compressible("application/octet-stream"));
  CHECK(!kg_http_type_compressible("application/x-protobuf; q=json"));
  CHECK(!kg_http_type_compressible(NULL));
}

/* z[n] inflated (gzip) into a malloc'd buffer of *pnOut bytes, or NULL. */
static char *gunzip(const char *z, size_t n, size_t *pnOut) {
  z_stream s;
  memset(&s, 0, sizeof(s));
  if (inflateInit2(&s, 15 + 16) != Z_OK) return NULL;
  size_t nMax = 1 << 20;
  char *a = malloc(nMax);
  s.next_in = (Bytef *)(uintptr_t)z;
  s.avail_in = (uInt)n;
  s.next_out = (Bytef *)a;
  s.avail_out = (uInt)nMax;
  int rc = inflate(&s, Z_FINISH);
  *pnOut = s.total_out;
  inflateEnd(&s);
  if (rc != Z_STREAM_END) {
    free(a);
    return NULL;
  }
  return a;
}

/* n bytes of JSON-like text. */
static char *sample(size_t n) {
  char *z = malloc(n + 1);
  for (size_t i = 0; i < n; i++)
    z[i] = "{\"id\":12,\"text\":\"abc def\"},"[i % 27] + (char)(i % 100 == 0);
  z[n] = 0;
  return z;
}

static void gzip_round_trips(void) {
  for (int bStatic = 0; bStatic < 2; bStatic++) {
    char *z = sample(50000), *zOut = NULL;
    size_t nOut = 0, nBack = 0;
    REQUIRE(kg_http_compress(KG_ENC_GZIP, bStatic, z, 50000, &zOut, &nOut));
    CHECK(nOut < 50000 / 5);
    char *zBack = gunzip(zOut, nOut, &nBack);
    REQUIRE(zBack);
    CHECK(nBack == 50000 && memcmp(zBack, z, nBack) == 0);
    free(zBack);
    free(zOut);
    free(z);
  }
}

static void brotli_is_smaller_than_gzip(void) {
  char *z = sample(50000), *zGz, *zBr;
  size_t nGz, nBr;
  REQUIRE(kg_http_compress(KG_ENC_GZIP, 1, z, 50000, &zGz, &nGz));
  REQUIRE(kg_http_compress(KG_ENC_BR, 1, z, 50000, &zBr, &nBr));
  CHECK(nBr < nGz);
  free(zGz);
  free(zBr);
  free(z);
}

static void incompressible_or_identity_is_refused(void) {
  unsigned char a[2000];
  unsigned x = 12345;
  for (size_t i = 0; i < sizeof(a); i++) {
    x = x * 1103515245u + 12345u;
    a[i] = (unsigned char)(x >> 16);
  }
  char *zOut = (char *)1;
  size_t nOut = 1;
  CHECK(!kg_http_compress(KG_ENC_GZIP, 0, (const char *)a, sizeof(a), &zOut, &nOut));
  CHECK(zOut == NULL && nOut == 0);
  CHECK(!kg_http_compress(KG_ENC_BR, 0, (const char *)a, sizeof(a), &zOut, &nOut));
  CHECK(!kg_http_compress(KG_ENC_IDENTITY, 0, "aaaaaaaaaaaaaaaaaaaa", 20, &zOut, &nOut));
}

/* Writes n bytes of sample text to zPath; its ETag in zEtag. */
static int write_sample(const char *zPath, size_t n, char *zEtag, size_t nEtag) {
  char *z = sample(n);
  FILE *f = fopen(zPath, "wb");
  int ok = f && fwrite(z, 1, n, f) == n;
  if (f) ok = fclose(f) == 0 && ok;
  free(z);
  struct stat st;
  if (!ok || stat(zPath, &st) != 0) return 0;
  http_file_etag(&st, zEtag, nEtag);
  return 1;
}

/* The variant for Accept-Encoding zAe, with fd opened on zPath. */
static struct http_blob *variant(struct http_static *p, const char *zPath, const char *zEtag,
                                 const char *zAe, enum kg_enc *pe) {
  int aQ[KG_ENC_COUNT];
  http_ae_parse(zAe, aQ);
  int fd = open(zPath, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) return NULL;
  struct http_blob *b = http_static_variant(p, zPath, zEtag, fd, (size_t)st.st_size, aQ, pe);
  close(fd);
  return b;
}

static void static_variants_are_made_once(void) {
  char *zPath = test_path("app.js"), zEtag[64];
  REQUIRE(write_sample(zPath, 30000, zEtag, sizeof(zEtag)));
  struct http_static *p = http_static_new();
  enum kg_enc e;
  struct http_blob *b1 = variant(p, zPath, zEtag, "gzip", &e);
  CHECK(b1 && e == KG_ENC_GZIP);
  struct http_blob *b2 = variant(p, zPath, zEtag, "gzip", &e);
  CHECK(b2 && b2 == b1); /* the same bytes, not compressed again */
  http_blob_release(b2);
  CHECK(variant(p, zPath, zEtag, "identity", &e) == NULL && e == KG_ENC_IDENTITY);
  /* Brotli comes from the background thread; gzip until then */
  struct http_blob *b3 = NULL;
  for (int i = 0; i < 1000; i++) { /* waits for the thread, up to 20 s */
    b3 = variant(p, zPath, zEtag, "br, gzip", &e);
    if (b3 && e == KG_ENC_BR) break;
    CHECK(b3 == b1 && e == KG_ENC_GZIP);
    http_blob_release(b3);
    b3 = NULL;
    nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
  }
  REQUIRE(b3);
  CHECK(e == KG_ENC_BR && b3->n < b1->n);
  http_blob_release(b3);
  /* a new version of the file: its variants start afresh; the old bytes
   * stay valid while a reply holds them */
  unlink(zPath);
  char zEtag2[64];
  REQUIRE(write_sample(zPath, 40000, zEtag2, sizeof(zEtag2)));
  REQUIRE(strcmp(zEtag, zEtag2) != 0);
  struct http_blob *b4 = variant(p, zPath, zEtag2, "gzip", &e);
  CHECK(b4 && b4 != b1 && e == KG_ENC_GZIP);
  size_t nBack = 0;
  char *zBack = gunzip(b1->z, b1->n, &nBack);
  CHECK(zBack && nBack == 30000);
  free(zBack);
  http_blob_release(b4);
  http_blob_release(b1);
  http_static_free(p);
  free(zPath);
}

static void small_static_files_are_not_compressed(void) {
  char *zPath = test_path("small.css"), zEtag[64];
  REQUIRE(write_sample(zPath, KG_HTTP_COMPRESS_MIN - 1, zEtag, sizeof(zEtag)));
  struct http_static *p = http_static_new();
  enum kg_enc e;
  CHECK(variant(p, zPath, zEtag, "br, gzip", &e) == NULL && e == KG_ENC_IDENTITY);
  http_static_free(p);
  free(zPath);
}

/* ---- replies: which ones a server compresses ---- */

/* A 2000-byte JSON body, with a CSRF token when bCsrf. */
static char *json_body(int bCsrf) {
  char *z = sample(2000);
  memcpy(z, bCsrf ? "{\"csrf_token\":\"0123\"," : "{\"list_of_things\":[1],", 22);
  return z;
}

static void reply_plain(struct kg_req *r) {
  kg_reply_text(r, 200, "application/json", json_body(0), 2000);
}
static void reply_csrf(struct kg_req *r) {
  kg_reply_text(r, 200, "application/json", json_body(1), 2000);
}
static void reply_cookie(struct kg_req *r) {
  kg_reply_header(r, "Set-Cookie", "session=abc; HttpOnly");
  kg_reply_text(r, 200, "application/json", json_body(0), 2000);
}
static void reply_opted_out(struct kg_req *r) {
  kg_reply_no_compress(r);
  kg_reply_text(r, 200, "application/json", json_body(0), 2000);
}
static void reply_small(struct kg_req *r) {
  kg_reply_text(r, 200, "application/json", json_body(0), KG_HTTP_COMPRESS_MIN - 1);
}
static void reply_pdf(struct kg_req *r) {
  kg_reply_text(r, 200, "application/pdf", json_body(0), 2000);
}

/* The response head to "GET zPath" with Accept-Encoding: gzip and the
 * header line zExtra ("" or "Name: value\r\n") (malloc'd). */
static char *head_of(unsigned port, const char *zPath, const char *zExtra) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  char *zReq = kg_xasprintf("GET %s HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
                            "%sConnection: close\r\n\r\n",
                            zPath, zExtra);
  char *zHead = kg_xcalloc(1, 4097);
  size_t n = 0;
  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
      send(fd, zReq, strlen(zReq), 0) == (ssize_t)strlen(zReq)) {
    for (ssize_t k;
         n < 4096 && !strstr(zHead, "\r\n\r\n") && (k = recv(fd, zHead + n, 4096 - n, 0)) > 0;)
      n += (size_t)k;
  }
  char *zEnd = strstr(zHead, "\r\n\r\n");
  if (zEnd) zEnd[2] = 0;
  close(fd);
  free(zReq);
  return zHead;
}

static void replies_with_secrets_are_not_compressed(void) {
  static const struct kg_route aRoute[] = {
      {"GET", "/plain", reply_plain, 0, 0},   {"GET", "/csrf", reply_csrf, 0, 0},
      {"GET", "/cookie", reply_cookie, 0, 0}, {"GET", "/opted-out", reply_opted_out, 0, 0},
      {"GET", "/small", reply_small, 0, 0},   {"GET", "/pdf", reply_pdf, 0, 0},
  };
  static const struct {
    const char *zPath, *zExtra;
    int bGzip, bVary;
  } aWant[] = {
      {"/plain", "", 1, 1},
      {"/csrf", "", 0, 0},
      {"/cookie", "", 0, 0},
      {"/opted-out", "", 0, 0},
      {"/small", "", 0, 1},
      {"/pdf", "", 0, 0},
      {"/plain", "Cookie: session=abc\r\n", 0, 1}, /* a logged-in view */
  };
  struct kg_http_config cfg = {.zListen = "127.0.0.1:0", .aRoute = aRoute, .nThread = 2};
  cfg.nRoute = sizeof(aRoute) / sizeof(aRoute[0]);
  struct kg_http_server *pSrv = NULL;
  unsigned port = 0;
  REQUIRE(kg_http_start(&cfg, &pSrv, &port) == KG_OK && port);
  for (size_t i = 0; i < sizeof(aWant) / sizeof(aWant[0]); i++) {
    char *z = head_of(port, aWant[i].zPath, aWant[i].zExtra);
    int bGzip = strstr(z, "\r\nContent-Encoding: gzip\r\n") != NULL;
    int bVary = strstr(z, "\r\nVary: Accept-Encoding\r\n") != NULL;
    if (strncmp(z, "HTTP/1.1 200", 12) != 0 || bGzip != aWant[i].bGzip || bVary != aWant[i].bVary)
      FAIL("%s %s: gzip %d vary %d\n%s", aWant[i].zPath, aWant[i].zExtra, bGzip, bVary, z);
    free(z);
  }
  kg_http_stop(pSrv, 1000);
}

int main(void) {
  harness_begin();
  RUN(negotiation_follows_the_table);
  RUN(malformed_header_means_identity);
  RUN(long_or_many_element_header_is_ignored);
  RUN(compressible_types);
  RUN(gzip_round_trips);
  RUN(brotli_is_smaller_than_gzip);
  RUN(incompressible_or_identity_is_refused);
  RUN(static_variants_are_made_once);
  RUN(small_static_files_are_not_compressed);
  RUN(replies_with_secrets_are_not_compressed);
  return harness_end();
}

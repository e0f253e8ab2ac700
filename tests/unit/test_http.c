/* test_http.c: unit tests for http/ that need no application: a server
 * with one route of its own, driven over a loopback socket. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kengash/http.h"

static int nPass, nFail;
#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      printf("  check failed at line %d: %s\n", __LINE__, #c);                                     \
      return 0;                                                                                    \
    }                                                                                              \
  } while (0)

static void run(const char *zName, int (*x)(void)) {
  int ok = x();
  printf("%s %s\n", ok ? "ok  " : "FAIL", zName);
  if (ok)
    nPass++;
  else
    nFail++;
}

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
static int reply_keeps_thirty_headers(void) {
  static const struct kg_route aRoute[] = {{"GET", "/many", many_headers, 0, 0}};
  struct kg_http_config cfg = {0};
  cfg.zListen = "127.0.0.1:0";
  cfg.aRoute = aRoute;
  cfg.nRoute = 1;
  cfg.nThread = 2;
  struct kg_http_server *pSrv = NULL;
  unsigned port = 0;
  CHECK(kg_http_start(&cfg, &pSrv, &port) == KG_OK && port);
  char *z = exchange(port, "GET /many HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  kg_http_stop(pSrv, 1000);
  CHECK(z != NULL);
  int bOk = strncmp(z, "HTTP/1.1 204", 12) == 0;
  for (int i = 0; bOk && i < N_MANY; i++) {
    char zLine[40];
    snprintf(zLine, sizeof(zLine), "\r\nX-H-%02d: v%d\r\n", i, i);
    bOk = strstr(z, zLine) != NULL;
    if (!bOk) printf("  missing %s", zLine + 2);
  }
  free(z);
  CHECK(bOk);
  return 1;
}

int main(void) {
  run("reply_keeps_thirty_headers", reply_keeps_thirty_headers);
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}

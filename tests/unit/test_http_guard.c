/* test_http_guard.c: unit tests of src/http/guard.c's bookkeeping (included
 * for its static functions): the network prefix of an address (IPv4 /32,
 * IPv6 /64, IPv4-mapped IPv6 as IPv4), the per-prefix counts and the
 * head list, oldest first. The guard end to end, with real slow clients:
 * tests/api/test_slowloris.py. */
#include "../../src/http/guard.c"

#include <arpa/inet.h>
#include <stdio.h>

#include "test.h"

/* The prefix key of the textual address z. */
static int key_of(const char *z, unsigned char aKey[9]) {
  struct sockaddr_in a4;
  struct sockaddr_in6 a6;
  memset(&a4, 0, sizeof(a4));
  memset(&a6, 0, sizeof(a6));
  if (inet_pton(AF_INET, z, &a4.sin_addr) == 1) {
    a4.sin_family = AF_INET;
    return prefix_key((struct sockaddr *)&a4, sizeof(a4), aKey);
  }
  if (inet_pton(AF_INET6, z, &a6.sin6_addr) == 1) {
    a6.sin6_family = AF_INET6;
    return prefix_key((struct sockaddr *)&a6, sizeof(a6), aKey);
  }
  return 0;
}

static int same_prefix(const char *zA, const char *zB) {
  unsigned char a[9], b[9];
  return key_of(zA, a) && key_of(zB, b) && memcmp(a, b, 9) == 0;
}

static void prefixes_are_ipv4_32_ipv6_64_and_mapped_ipv6_as_ipv4(void) {
  CHECK(same_prefix("192.0.2.1", "192.0.2.1"));
  CHECK(!same_prefix("192.0.2.1", "192.0.2.2")); /* IPv4: the address itself */
  CHECK(same_prefix("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff")); /* one /64 */
  CHECK(!same_prefix("2001:db8:1:2::1", "2001:db8:1:3::1"));
  CHECK(same_prefix("::ffff:192.0.2.1", "192.0.2.1")); /* IPv4-mapped */
  CHECK(!same_prefix("::ffff:192.0.2.1", "192.0.2.2"));
  /* too short an address, or another family: no key */
  struct sockaddr_in a4;
  memset(&a4, 0, sizeof(a4));
  a4.sin_family = AF_INET;
  unsigned char k[9];
  CHECK(!prefix_key((struct sockaddr *)&a4, 4, k));
  struct sockaddr sa = {.sa_family = AF_UNIX};
  CHECK(!prefix_key(&sa, sizeof(sa), k));
  CHECK(!prefix_key(NULL, 0, k));
}

static void per_prefix_counts_refuse_the_whole_64(void) {
  struct http_guard *p = http_guard_new(10, 2, 0);
  REQUIRE(p);
  struct sockaddr_in6 a;
  memset(&a, 0, sizeof(a));
  a.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "2001:db8::1", &a.sin6_addr);
  unsigned char k[9];
  CHECK(prefix_key((struct sockaddr *)&a, sizeof(a), k));
  CHECK(http_guard_accept(p, (struct sockaddr *)&a, sizeof(a)));
  struct prefix *q = prefix_find(p, k, 1);
  q->nConn = 2;                                        /* two open connections from the /64 */
  inet_pton(AF_INET6, "2001:db8::abcd", &a.sin6_addr); /* another address, same /64 */
  CHECK(!http_guard_accept(p, (struct sockaddr *)&a, sizeof(a)));
  inet_pton(AF_INET6, "2001:db8:0:1::1", &a.sin6_addr); /* the next /64 */
  CHECK(http_guard_accept(p, (struct sockaddr *)&a, sizeof(a)));
  prefix_release(p, q); /* one closes */
  inet_pton(AF_INET6, "2001:db8::1", &a.sin6_addr);
  CHECK(http_guard_accept(p, (struct sockaddr *)&a, sizeof(a)));
  prefix_release(p, q); /* the last one closes: the entry goes */
  CHECK(prefix_find(p, k, 0) == NULL);
  CHECK(p->nRefused == 1);
  http_guard_free(p);
}

static void head_list_is_oldest_first_and_reentry_goes_last(void) {
  struct http_guard *p = http_guard_new(10, 0, 0);
  REQUIRE(p);
  struct guard_conn a = {.fd = MHD_INVALID_SOCKET}, b = {.fd = MHD_INVALID_SOCKET},
                    c = {.fd = MHD_INVALID_SOCKET};
  head_append(p, &a, 1);
  head_append(p, &b, 2);
  head_append(p, &c, 3);
  CHECK(p->nInHead == 3 && p->pFirst == &a && p->pLast == &c);
  head_unlink(p, &b); /* b's head is in */
  CHECK(p->nInHead == 2 && a.pNext == &c && c.pPrev == &a);
  head_append(p, &a, 4); /* a's next request begins: it goes last */
  CHECK(p->pFirst == &c && p->pLast == &a && a.tHeadMs == 4);
  head_close(p, &c); /* an invalid socket is not touched */
  CHECK(p->nInHead == 1 && p->pFirst == &a && !c.bInHead);
  head_unlink(p, &c); /* twice is fine */
  head_unlink(p, &a);
  CHECK(p->nInHead == 0 && !p->pFirst && !p->pLast);
  http_guard_free(p);
}

int main(void) {
  harness_begin();
  RUN(prefixes_are_ipv4_32_ipv6_64_and_mapped_ipv6_as_ipv4);
  RUN(per_prefix_counts_refuse_the_whole_64);
  RUN(head_list_is_oldest_first_and_reentry_goes_last);
  return harness_end();
}

/* guard.c: slow clients cannot take the server down (http_guard.h).
 * libmicrohttpd's own timeout is an idle one, so a client sending one
 * header line every few seconds kept its connection, and a few thousand
 * such clients filled the connection limit. Here every connection still
 * sending its head sits in one list, oldest first; a sweeper thread shuts
 * down those past the deadline, a newcomer over the cap shuts down the
 * oldest, and the accept policy refuses a prefix over its limit. A
 * shutdown(2) of the socket makes libmicrohttpd read end-of-file and close
 * the connection itself; it is done under the guard's mutex, which the
 * close notification also takes before libmicrohttpd closes the socket, so
 * the descriptor is always still the connection's. What was closed or
 * refused is logged as one summary line per interval, never per client. */
#define _GNU_SOURCE
#include "http_guard.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kengash/core.h"

#define GUARD_BUCKETS 4096
#define GUARD_SWEEP_MS 250
#define GUARD_LOG_EVERY_MS 10000

/* A network prefix: IPv4 /32 or IPv6 /64 (an IPv4-mapped IPv6 address is
 * its IPv4 address), with its count of open connections. */
struct prefix {
  struct prefix *pNext;
  unsigned char aKey[9]; /* family (4 or 6), then 4 or 8 bytes */
  unsigned nConn;
};

struct guard_conn {
  struct guard_conn *pPrev, *pNext; /* in the head list while bInHead */
  struct MHD_Connection *pConn;
  MHD_socket fd;
  struct prefix *pPrefix; /* NULL: no address known */
  int64_t tHeadMs;        /* when the current head began (monotonic) */
  int bInHead;
};

struct http_guard {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  pthread_t thread;
  int bStop;
  int64_t nHeaderMs;
  unsigned nPerPrefix, nMaxHead;
  struct guard_conn *pFirst, *pLast; /* the head list, oldest first */
  unsigned nInHead;
  struct prefix *aBucket[GUARD_BUCKETS];
  /* since the last summary line */
  long nDeadline, nEvicted, nRefused;
  int64_t tLogMs;
};

/* Fills aKey with pAddr's prefix; 0 for an address of another family. */
static int prefix_key(const struct sockaddr *pAddr, socklen_t nAddr, unsigned char aKey[9]) {
  memset(aKey, 0, 9);
  if (pAddr && pAddr->sa_family == AF_INET && nAddr >= (socklen_t)sizeof(struct sockaddr_in)) {
    aKey[0] = 4;
    memcpy(aKey + 1, &((const struct sockaddr_in *)(const void *)pAddr)->sin_addr, 4);
    return 1;
  }
  if (pAddr && pAddr->sa_family == AF_INET6 && nAddr >= (socklen_t)sizeof(struct sockaddr_in6)) {
    const struct in6_addr *p = &((const struct sockaddr_in6 *)(const void *)pAddr)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(p)) {
      aKey[0] = 4;
      memcpy(aKey + 1, p->s6_addr + 12, 4);
    } else {
      aKey[0] = 6;
      memcpy(aKey + 1, p->s6_addr, 8);
    }
    return 1;
  }
  return 0;
}

static unsigned prefix_hash(const unsigned char aKey[9]) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (int i = 0; i < 9; i++)
    h = (h ^ aKey[i]) * 16777619u;
  return h % GUARD_BUCKETS;
}

/* The prefix of aKey; created (with no connections) when bCreate. */
static struct prefix *prefix_find(struct http_guard *p, const unsigned char aKey[9], int bCreate) {
  struct prefix **pp = &p->aBucket[prefix_hash(aKey)];
  for (struct prefix *q = *pp; q; q = q->pNext)
    if (memcmp(q->aKey, aKey, 9) == 0) return q;
  if (!bCreate) return NULL;
  struct prefix *q = kg_xcalloc(1, sizeof(*q));
  memcpy(q->aKey, aKey, 9);
  q->pNext = *pp;
  *pp = q;
  return q;
}

static void prefix_release(struct http_guard *p, struct prefix *q) {
  if (!q || --q->nConn > 0) return;
  for (struct prefix **pp = &p->aBucket[prefix_hash(q->aKey)]; *pp; pp = &(*pp)->pNext)
    if (*pp == q) {
      *pp = q->pNext;
      free(q);
      return;
    }
}

static void head_unlink(struct http_guard *p, struct guard_conn *c) {
  if (!c->bInHead) return;
  if (c->pPrev)
    c->pPrev->pNext = c->pNext;
  else
    p->pFirst = c->pNext;
  if (c->pNext)
    c->pNext->pPrev = c->pPrev;
  else
    p->pLast = c->pPrev;
  c->pPrev = c->pNext = NULL;
  c->bInHead = 0;
  p->nInHead--;
}

static void head_append(struct http_guard *p, struct guard_conn *c, int64_t tNow) {
  head_unlink(p, c);
  c->tHeadMs = tNow;
  c->pPrev = p->pLast;
  if (p->pLast)
    p->pLast->pNext = c;
  else
    p->pFirst = c;
  p->pLast = c;
  c->bInHead = 1;
  p->nInHead++;
}

/* Ends c's wait: out of the head list, its socket shut down (libmicrohttpd
 * then closes the connection). Under p->mutex. */
static void head_close(struct http_guard *p, struct guard_conn *c) {
  head_unlink(p, c);
  if (c->fd != MHD_INVALID_SOCKET) shutdown(c->fd, SHUT_RDWR);
}

/* One summary line when something was closed or refused in the interval
 * (when it is over, or at once with bNow). */
static void guard_log(struct http_guard *p, int64_t tNow, int bNow) {
  if (!bNow && tNow - p->tLogMs < GUARD_LOG_EVERY_MS) return;
  if (p->nDeadline || p->nEvicted || p->nRefused)
    kg_log_warn("slow clients in the last %llds: closed %ld past the head deadline (%llds), "
                "%ld over the cap of connections sending their head (%u); refused %ld over the "
                "per-prefix limit (%u)",
                (long long)((tNow - p->tLogMs) / 1000), p->nDeadline,
                (long long)(p->nHeaderMs / 1000), p->nEvicted, p->nMaxHead, p->nRefused,
                p->nPerPrefix);
  p->nDeadline = p->nEvicted = p->nRefused = 0;
  p->tLogMs = tNow;
}

static void *sweeper(void *pArg) {
  struct http_guard *p = pArg;
  pthread_mutex_lock(&p->mutex);
  while (!p->bStop) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += GUARD_SWEEP_MS * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(&p->cond, &p->mutex, &ts);
    int64_t tNow = kg_time_mono_ms();
    while (p->pFirst && tNow - p->pFirst->tHeadMs >= p->nHeaderMs) {
      head_close(p, p->pFirst);
      p->nDeadline++;
    }
    guard_log(p, tNow, 0);
  }
  pthread_mutex_unlock(&p->mutex);
  return NULL;
}

struct http_guard *http_guard_new(unsigned nHeaderSec, unsigned nPerPrefix, unsigned nMaxHead) {
  struct http_guard *p = kg_xcalloc(1, sizeof(*p));
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&p->cond, &attr);
  pthread_condattr_destroy(&attr);
  pthread_mutex_init(&p->mutex, NULL);
  p->nHeaderMs = (int64_t)(nHeaderSec ? nHeaderSec : 10) * 1000;
  p->nPerPrefix = nPerPrefix;
  p->nMaxHead = nMaxHead;
  p->tLogMs = kg_time_mono_ms();
  if (pthread_create(&p->thread, NULL, sweeper, p) != 0) {
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->mutex);
    free(p);
    return NULL;
  }
  pthread_setname_np(p->thread, "kg-guard"); /* top -H, perf */
  return p;
}

void http_guard_free(struct http_guard *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mutex);
  p->bStop = 1;
  pthread_cond_signal(&p->cond);
  pthread_mutex_unlock(&p->mutex);
  pthread_join(p->thread, NULL);
  guard_log(p, kg_time_mono_ms(), 1); /* the last interval's summary */
  for (int i = 0; i < GUARD_BUCKETS; i++)
    while (p->aBucket[i]) {
      struct prefix *q = p->aBucket[i];
      p->aBucket[i] = q->pNext;
      free(q);
    }
  pthread_cond_destroy(&p->cond);
  pthread_mutex_destroy(&p->mutex);
  free(p);
}

int http_guard_accept(struct http_guard *p, const struct sockaddr *pAddr, socklen_t nAddr) {
  if (!p) return 1; /* none: the server is failing to start */
  unsigned char aKey[9];
  if (!p->nPerPrefix || !prefix_key(pAddr, nAddr, aKey)) return 1;
  pthread_mutex_lock(&p->mutex);
  struct prefix *q = prefix_find(p, aKey, 0);
  int bOk = !q || q->nConn < p->nPerPrefix;
  if (!bOk) p->nRefused++;
  pthread_mutex_unlock(&p->mutex);
  return bOk;
}

void http_guard_started(struct http_guard *p, struct MHD_Connection *pConn, void **ppSocket) {
  if (!p) return; /* none: the server is failing to start */
  struct guard_conn *c = kg_xcalloc(1, sizeof(*c));
  const union MHD_ConnectionInfo *pFd =
      MHD_get_connection_info(pConn, MHD_CONNECTION_INFO_CONNECTION_FD);
  const union MHD_ConnectionInfo *pAddr =
      MHD_get_connection_info(pConn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  c->pConn = pConn;
  c->fd = pFd ? pFd->connect_fd : MHD_INVALID_SOCKET;
  unsigned char aKey[9];
  int bKey = pAddr && pAddr->client_addr &&
             prefix_key(pAddr->client_addr,
                        pAddr->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                                  : sizeof(struct sockaddr_in),
                        aKey);
  pthread_mutex_lock(&p->mutex);
  if (bKey) {
    c->pPrefix = prefix_find(p, aKey, 1);
    /* The accept policy and this count are two steps: connections from one
     * prefix accepted at the same moment by several threads can pass the
     * policy together. The one over the limit is closed here, unread. */
    if (++c->pPrefix->nConn > p->nPerPrefix && p->nPerPrefix) {
      p->nRefused++;
      if (c->fd != MHD_INVALID_SOCKET) shutdown(c->fd, SHUT_RDWR);
      *ppSocket = c;
      pthread_mutex_unlock(&p->mutex);
      return;
    }
  }
  while (p->nMaxHead && p->nInHead >= p->nMaxHead && p->pFirst) {
    head_close(p, p->pFirst);
    p->nEvicted++;
  }
  head_append(p, c, kg_time_mono_ms());
  *ppSocket = c;
  pthread_mutex_unlock(&p->mutex);
}

void http_guard_closed(struct http_guard *p, void **ppSocket) {
  if (!p) return; /* none: the server is failing to start */
  struct guard_conn *c = *ppSocket;
  if (!c) return;
  pthread_mutex_lock(&p->mutex);
  head_unlink(p, c);
  prefix_release(p, c->pPrefix);
  *ppSocket = NULL;
  pthread_mutex_unlock(&p->mutex);
  free(c);
}

/* The guard's record of pConn, or NULL (closed already). */
static struct guard_conn *conn_of(struct MHD_Connection *pConn) {
  const union MHD_ConnectionInfo *pInfo =
      MHD_get_connection_info(pConn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return pInfo ? pInfo->socket_context : NULL;
}

void http_guard_head_done(struct http_guard *p, struct MHD_Connection *pConn) {
  if (!p) return; /* none: the server is failing to start */
  pthread_mutex_lock(&p->mutex);
  struct guard_conn *c = conn_of(pConn);
  if (c) head_unlink(p, c);
  pthread_mutex_unlock(&p->mutex);
}

void http_guard_request_done(struct http_guard *p, struct MHD_Connection *pConn) {
  if (!p) return; /* none: the server is failing to start */
  pthread_mutex_lock(&p->mutex);
  struct guard_conn *c = conn_of(pConn);
  if (c) head_append(p, c, kg_time_mono_ms());
  pthread_mutex_unlock(&p->mutex);
}

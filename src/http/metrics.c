/* metrics.c: request counters and latency histograms of http_metrics.h.
 * Labels come from the route table (bounded: never the raw path), so the
 * series are at most routes x status codes. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_metrics.h"

/* Shards: a thread takes one on its first request (round robin), so the
 * worker threads of the pool mostly count on lines of their own. */
#define NSHARD 8
#define NCLASS 5 /* 1xx .. 5xx */

static const unsigned aCode[] = {200, 201, 202, 204, 206, 301, 302, 303, 304, 400, 401, 403, 404,
                                 405, 409, 410, 413, 415, 416, 422, 429, 500, 502, 503, 507};
#define NCODE_KNOWN (sizeof(aCode) / sizeof(aCode[0]))
#define NCODE (NCODE_KNOWN + NCLASS) /* other codes count under their class */

/* Upper bounds of the latency buckets, microseconds; one more for +Inf. */
static const int64_t aBoundUs[] = {500,    1000,   2500,   5000,    10000,   25000,  50000,
                                   100000, 250000, 500000, 1000000, 2500000, 5000000};
#define NBOUND (sizeof(aBoundUs) / sizeof(aBoundUs[0]))

struct slot_ctr {
  atomic_uint_fast64_t aCode[NCODE];
  atomic_uint_fast64_t aBucket[NCLASS][NBOUND + 1]; /* not cumulative here */
  atomic_uint_fast64_t aSumUs[NCLASS];
};

struct http_metrics {
  const struct kg_route *aRoute;
  size_t nRoute, nSlot;
  struct slot_ctr *aShard[NSHARD];
};

static atomic_uint g_nextShard;
static _Thread_local int g_iShard = -1;

struct http_metrics *http_metrics_new(const struct kg_route *aRoute, size_t nRoute) {
  struct http_metrics *p = kg_xcalloc(1, sizeof(*p));
  p->aRoute = aRoute;
  p->nRoute = nRoute;
  p->nSlot = nRoute + 2;
  for (int i = 0; i < NSHARD; i++) {
    p->aShard[i] = kg_xcalloc(p->nSlot, sizeof(struct slot_ctr));
    for (size_t s = 0; s < p->nSlot; s++) {
      struct slot_ctr *c = &p->aShard[i][s];
      for (size_t k = 0; k < NCODE; k++)
        atomic_init(&c->aCode[k], 0);
      for (size_t k = 0; k < NCLASS; k++) {
        atomic_init(&c->aSumUs[k], 0);
        for (size_t b = 0; b <= NBOUND; b++)
          atomic_init(&c->aBucket[k][b], 0);
      }
    }
  }
  return p;
}

void http_metrics_free(struct http_metrics *p) {
  if (!p) return;
  for (int i = 0; i < NSHARD; i++)
    free(p->aShard[i]);
  free(p);
}

size_t http_metrics_slot(const struct http_metrics *p, const struct kg_route *pRoute, int bStatic) {
  if (pRoute && pRoute >= p->aRoute && pRoute < p->aRoute + p->nRoute)
    return (size_t)(pRoute - p->aRoute);
  return bStatic ? p->nRoute : p->nRoute + 1;
}

static size_t code_index(unsigned status, size_t iClass) {
  for (size_t i = 0; i < NCODE_KNOWN; i++)
    if (aCode[i] == status) return i;
  return NCODE_KNOWN + iClass;
}

void http_metrics_observe(struct http_metrics *p, size_t slot, unsigned status, int64_t nUs) {
  if (slot >= p->nSlot) return;
  if (g_iShard < 0) g_iShard = (int)(atomic_fetch_add(&g_nextShard, 1) % NSHARD);
  struct slot_ctr *c = &p->aShard[g_iShard][slot];
  size_t iClass = status >= 100 && status < 600 ? status / 100 - 1 : NCLASS - 1;
  size_t b = 0;
  if (nUs < 0) nUs = 0;
  while (b < NBOUND && nUs > aBoundUs[b])
    b++;
  atomic_fetch_add_explicit(&c->aCode[code_index(status, iClass)], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&c->aBucket[iClass][b], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&c->aSumUs[iClass], (uint_fast64_t)nUs, memory_order_relaxed);
}

/* The labels route="..",method=".." of slot s. Route patterns are ASCII
 * without quotes or backslashes; escaped anyway. */
static void slot_labels(const struct http_metrics *p, size_t s, struct kg_buf *pOut) {
  const char *zRoute = s < p->nRoute ? p->aRoute[s].zPattern : s == p->nRoute ? "static" : "none";
  const char *zMethod = s < p->nRoute ? p->aRoute[s].zMethod : s == p->nRoute ? "GET" : "any";
  kg_buf_puts(pOut, "route=\"");
  for (const char *z = zRoute; *z; z++) {
    if (*z == '"' || *z == '\\') kg_buf_puts(pOut, "\\");
    if (*z == '\n')
      kg_buf_puts(pOut, "\\n");
    else
      kg_buf_append(pOut, z, 1);
  }
  kg_buf_printf(pOut, "\",method=\"%s\"", zMethod);
}

enum kg_err http_metrics_write(struct http_metrics *p, struct kg_buf *pOut) {
  kg_buf_puts(pOut, "# HELP kengash_http_requests_total HTTP requests answered, by route pattern "
                    "and status code (other codes by class, e.g. 5xx).\n"
                    "# TYPE kengash_http_requests_total counter\n");
  uint64_t(*aTotal)[NCODE] = kg_xcalloc(p->nSlot, sizeof(*aTotal));
  uint64_t(*aBucket)[NCLASS][NBOUND + 1] = kg_xcalloc(p->nSlot, sizeof(*aBucket));
  uint64_t(*aSum)[NCLASS] = kg_xcalloc(p->nSlot, sizeof(*aSum));
  for (size_t s = 0; s < p->nSlot; s++)
    for (int i = 0; i < NSHARD; i++) {
      struct slot_ctr *c = &p->aShard[i][s];
      for (size_t k = 0; k < NCODE; k++)
        aTotal[s][k] += atomic_load_explicit(&c->aCode[k], memory_order_relaxed);
      for (size_t k = 0; k < NCLASS; k++) {
        aSum[s][k] += atomic_load_explicit(&c->aSumUs[k], memory_order_relaxed);
        for (size_t b = 0; b <= NBOUND; b++)
          aBucket[s][k][b] += atomic_load_explicit(&c->aBucket[k][b], memory_order_relaxed);
      }
    }
  for (size_t s = 0; s < p->nSlot; s++)
    for (size_t k = 0; k < NCODE; k++) {
      if (!aTotal[s][k]) continue;
      kg_buf_puts(pOut, "kengash_http_requests_total{");
      slot_labels(p, s, pOut);
      if (k < NCODE_KNOWN)
        kg_buf_printf(pOut, ",code=\"%u\"} %llu\n", aCode[k], (unsigned long long)aTotal[s][k]);
      else
        kg_buf_printf(pOut, ",code=\"%zuxx\"} %llu\n", k - NCODE_KNOWN + 1,
                      (unsigned long long)aTotal[s][k]);
    }
  kg_buf_puts(pOut, "# HELP kengash_http_request_duration_seconds Time from the request's "
                    "headers to its completion, by route pattern and status class.\n"
                    "# TYPE kengash_http_request_duration_seconds histogram\n");
  for (size_t s = 0; s < p->nSlot; s++)
    for (size_t k = 0; k < NCLASS; k++) {
      uint64_t nCum = 0;
      for (size_t b = 0; b <= NBOUND; b++)
        nCum += aBucket[s][k][b];
      if (!nCum) continue;
      nCum = 0;
      for (size_t b = 0; b <= NBOUND; b++) {
        nCum += aBucket[s][k][b];
        kg_buf_puts(pOut, "kengash_http_request_duration_seconds_bucket{");
        slot_labels(p, s, pOut);
        if (b < NBOUND)
          kg_buf_printf(pOut, ",class=\"%zuxx\",le=\"%g\"} %llu\n", k + 1,
                        (double)aBoundUs[b] / 1e6, (unsigned long long)nCum);
        else
          kg_buf_printf(pOut, ",class=\"%zuxx\",le=\"+Inf\"} %llu\n", k + 1,
                        (unsigned long long)nCum);
      }
      kg_buf_puts(pOut, "kengash_http_request_duration_seconds_sum{");
      slot_labels(p, s, pOut);
      kg_buf_printf(pOut, ",class=\"%zuxx\"} %.6f\n", k + 1, (double)aSum[s][k] / 1e6);
      kg_buf_puts(pOut, "kengash_http_request_duration_seconds_count{");
      slot_labels(p, s, pOut);
      kg_buf_printf(pOut, ",class=\"%zuxx\"} %llu\n", k + 1, (unsigned long long)nCum);
    }
  free(aTotal);
  free(aBucket);
  free(aSum);
  return kg_buf_failed(pOut) ? KG_ETOOBIG : KG_OK;
}

/* http_metrics.h: the request counters of one HTTP server (internal to
 * src/http/): requests by route pattern and status code, latency
 * histograms by route and status class. Recording is a few relaxed atomic
 * additions on the calling thread's own shard, so no lock and no shared
 * cache line is touched per request; a scrape sums the shards. */
#ifndef KENGASH_HTTP_METRICS_H
#define KENGASH_HTTP_METRICS_H

#include <stdint.h>

#include "kengash/core.h"
#include "kengash/http.h"

struct http_metrics;

/* Counters for the routes aRoute[nRoute] plus two slots: "static" (GET or
 * HEAD of a path no route has) and "none" (anything else unmatched).
 * Free with http_metrics_free. */
struct http_metrics *http_metrics_new(const struct kg_route *aRoute, size_t nRoute);
void http_metrics_free(struct http_metrics *p);
/* The slot of a request: its route's index, else the static or none slot. */
size_t http_metrics_slot(const struct http_metrics *p, const struct kg_route *pRoute, int bStatic);
/* Counts one finished request of slot with its status and duration. */
void http_metrics_observe(struct http_metrics *p, size_t slot, unsigned status, int64_t nUs);
/* Appends kengash_http_requests_total and
 * kengash_http_request_duration_seconds in the text exposition format. */
enum kg_err http_metrics_write(struct http_metrics *p, struct kg_buf *pOut);

#endif

/* metrics.c: GET /metrics in the Prometheus text exposition format
 * (version 0.0.4): the HTTP server's request counters and gauges, the
 * group-commit writer, the outbox, the response cache, the database files
 * and the process. Off unless enabled: on the main listener only with
 * --metrics-token (Authorization: Bearer, compared in constant time),
 * or on a listener of its own (--metrics-listen) that serves nothing else. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_cache.h"
#include "api_common.h"
#include "api_handlers.h"
#include "reports_render.h"

/* The body grows to this at most (a few hundred series per route set). */
#define METRICS_MAX_BYTES (4u << 20)
/* The outbox is counted with a query (a scan of the table); a scrape
 * within this many seconds of the last one reuses its figures. */
#define OUTBOX_TTL_SEC 5

static struct {
  pthread_mutex_t mutex;
  int64_t tAt; /* when read; 0: never */
  enum kg_err rc;
  struct kg_outbox_stats st;
  int64_t nPgBytes; /* PostgreSQL: the database's size; -1 unknown */
} g_outbox = {.mutex = PTHREAD_MUTEX_INITIALIZER};

static void outbox_stats(struct kg_outbox_stats *pOut, enum kg_err *pRc, int64_t *pnPgBytes) {
  int64_t tNow = kg_time_now();
  pthread_mutex_lock(&g_outbox.mutex);
  if (!g_outbox.tAt || tNow - g_outbox.tAt >= OUTBOX_TTL_SEC || tNow < g_outbox.tAt) {
    struct kg_store *p = kg_store_thread();
    g_outbox.rc = p ? kg_store_outbox_stats(p, &g_outbox.st) : KG_EDB;
    if (!p || kg_store_pg_size(p, &g_outbox.nPgBytes) != KG_OK) g_outbox.nPgBytes = -1;
    g_outbox.tAt = tNow;
  }
  *pOut = g_outbox.st;
  *pnPgBytes = g_outbox.nPgBytes;
  *pRc = g_outbox.rc;
  pthread_mutex_unlock(&g_outbox.mutex);
}

static void metric_head(struct kg_buf *b, const char *zName, const char *zType, const char *zHelp) {
  kg_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", zName, zHelp, zName, zType);
}

static void gauge(struct kg_buf *b, const char *zName, const char *zHelp, long long v) {
  metric_head(b, zName, "gauge", zHelp);
  kg_buf_printf(b, "%s %lld\n", zName, v);
}

static void counter(struct kg_buf *b, const char *zName, const char *zHelp, long long v) {
  metric_head(b, zName, "counter", zHelp);
  kg_buf_printf(b, "%s %lld\n", zName, v);
}

/* A histogram from per-bucket counts a[0..nBound] (the last above the last
 * bound); bounds are aBound[i] / nScale. */
static void histogram(struct kg_buf *b, const char *zName, const char *zHelp, const int64_t *aBound,
                      int nBound, double nScale, const int64_t *a, double sum) {
  metric_head(b, zName, "histogram", zHelp);
  long long nCum = 0;
  for (int i = 0; i <= nBound; i++) {
    nCum += a[i];
    if (i < nBound)
      kg_buf_printf(b, "%s_bucket{le=\"%g\"} %lld\n", zName, (double)aBound[i] / nScale, nCum);
    else
      kg_buf_printf(b, "%s_bucket{le=\"+Inf\"} %lld\n", zName, nCum);
  }
  kg_buf_printf(b, "%s_sum %.6f\n%s_count %lld\n", zName, sum, zName, nCum);
}

static long long file_size(const char *zPath) {
  struct stat st;
  return stat(zPath, &st) == 0 ? (long long)st.st_size : 0;
}

/* Resident and virtual size from /proc/self/statm (pages); 0 when unreadable. */
static void process_memory(long long *pnRss, long long *pnVirt) {
  *pnRss = *pnVirt = 0;
  FILE *f = fopen("/proc/self/statm", "re");
  if (!f) return;
  long long nVirt = 0, nRss = 0;
  if (fscanf(f, "%lld %lld", &nVirt, &nRss) == 2) {
    long nPage = sysconf(_SC_PAGESIZE);
    *pnRss = nRss * nPage;
    *pnVirt = nVirt * nPage;
  }
  fclose(f);
}

static void render(struct kg_req *r) {
  const struct kg_app *pApp = kg_req_app(r);
  struct kg_buf b;
  kg_buf_init(&b, METRICS_MAX_BYTES);

  /* HTTP (the main listener's) */
  kg_http_metrics_write(pApp->pHttp, &b);
  struct kg_http_stats hs;
  kg_http_stats(pApp->pHttp, &hs);
  gauge(&b, "kengash_http_requests_in_flight", "Requests between their headers and completion.",
        hs.nInFlight);
  gauge(&b, "kengash_http_requests_deferred",
        "Requests whose connection is suspended waiting for the writer (deferred replies).",
        hs.nDeferred);
  gauge(&b, "kengash_http_connections_open", "Open client connections.", hs.nConn);
  counter(&b, "kengash_http_connections_total", "Client connections accepted.",
          (long long)hs.nConnTotal);

  /* the group-commit writer */
  struct kg_store_writer_stats ws;
  kg_store_writer_stats(&ws);
  gauge(&b, "kengash_writer_queue_depth", "Write jobs waiting for the writer.", ws.nQueued);
  gauge(&b, "kengash_writer_running_jobs", "Write jobs in the group being committed.", ws.nRunning);
  counter(&b, "kengash_writer_jobs_total", "Write jobs committed or refused.", (long long)ws.nJob);
  counter(&b, "kengash_writer_groups_total", "Groups committed (one transaction each).",
          (long long)ws.nGroup);
  counter(&b, "kengash_writer_syncs_total",
          "Fsyncs of the WAL by the syncer, each covering the groups committed before it (SQLite).",
          (long long)ws.nSync);
  int64_t aSizeBound[KG_STORE_WRITER_NSIZE];
  for (int i = 0; i < KG_STORE_WRITER_NSIZE; i++)
    aSizeBound[i] = (int64_t)1 << i;
  histogram(&b, "kengash_writer_group_size", "Write jobs per committed group.", aSizeBound,
            KG_STORE_WRITER_NSIZE, 1.0, ws.aGroupSize, (double)ws.nJob);
  histogram(&b, "kengash_writer_commit_duration_seconds",
            "Time of a group's transaction, BEGIN to COMMIT (its fsync follows on the syncer).",
            kg_store_writer_commit_bounds_us, KG_STORE_WRITER_NCOMMIT, 1e6, ws.aCommit,
            (double)ws.nCommitUsSum / 1e6);

  /* the outbox */
  struct kg_outbox_stats os;
  enum kg_err rcOutbox;
  int64_t nPgBytes = -1;
  outbox_stats(&os, &rcOutbox, &nPgBytes);
  metric_head(&b, "kengash_outbox_messages", "gauge",
              "E-mails in the outbox by state: pending (backlog), retrying (pending after a "
              "failed attempt), failed (given up).");
  kg_buf_printf(&b,
                "kengash_outbox_messages{state=\"pending\"} %lld\n"
                "kengash_outbox_messages{state=\"retrying\"} %lld\n"
                "kengash_outbox_messages{state=\"failed\"} %lld\n",
                (long long)os.nPending, (long long)os.nRetrying, (long long)os.nFailed);
  long long nAge = os.tOldestPending ? (long long)(kg_time_now() - os.tOldestPending) : 0;
  gauge(&b, "kengash_outbox_oldest_pending_age_seconds",
        "Age of the oldest e-mail waiting to be sent (0: none).", nAge < 0 ? 0 : nAge);
  gauge(&b, "kengash_outbox_stats_up", "1 when the outbox figures could be read.",
        rcOutbox == KG_OK);

  /* the response cache */
  int64_t nHit, nMiss, nBytes;
  kg_api_cache_stats(&nHit, &nMiss, &nBytes);
  counter(&b, "kengash_cache_hits_total", "Public reads answered from the response cache.",
          (long long)nHit);
  counter(&b, "kengash_cache_misses_total", "Cacheable public reads that had to be built.",
          (long long)nMiss);
  gauge(&b, "kengash_cache_bytes", "Bytes of the response bodies the cache holds.",
        (long long)nBytes);

  /* official documents: renderings (reports_render.c) */
  kg_api_render_metrics(&b);

  /* the database files and the process */
  const char *zDb = pApp->pCfg ? pApp->pCfg->zDb : NULL;
  if (nPgBytes >= 0) /* PostgreSQL: its WAL is the cluster's, for its own exporters */
    gauge(&b, "kengash_db_size_bytes", "Size of the database.", (long long)nPgBytes);
  else if (zDb && !kg_store_is_pg(zDb)) {
    char *zWal = kg_xasprintf("%s-wal", zDb);
    gauge(&b, "kengash_db_size_bytes", "Size of the database file.", file_size(zDb));
    gauge(&b, "kengash_db_wal_size_bytes", "Size of the database's write-ahead log.",
          file_size(zWal));
    free(zWal);
  }
  long long nRss, nVirt;
  process_memory(&nRss, &nVirt);
  gauge(&b, "process_resident_memory_bytes", "Resident memory size in bytes.", nRss);
  gauge(&b, "process_virtual_memory_bytes", "Virtual memory size in bytes.", nVirt);

  if (kg_buf_failed(&b)) {
    kg_buf_free(&b);
    kg_reply_code(r, KG_P_INTERNAL_ERROR, "the metrics are larger than their limit");
    return;
  }
  size_t n;
  char *z = kg_buf_detach(&b, &n);
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", z, n);
}

/* 1 when zGiven equals zExpected, in time that depends on neither. */
static int token_equal(const char *zExpected, const char *zGiven) {
  unsigned char aE[crypto_generichash_BYTES], aG[crypto_generichash_BYTES];
  crypto_generichash(aE, sizeof(aE), (const unsigned char *)zExpected, strlen(zExpected), NULL, 0);
  crypto_generichash(aG, sizeof(aG), (const unsigned char *)zGiven, strlen(zGiven), NULL, 0);
  return sodium_memcmp(aE, aG, sizeof(aE)) == 0;
}

void kg_api_metrics(struct kg_req *r) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  const char *zToken = pCfg ? kg_config_get(pCfg, "metrics-token") : NULL;
  if (!zToken || !*zToken) {
    /* the same answer as any path that does not exist */
    kg_reply_code(r, KG_P_NOT_FOUND, "no such path");
    return;
  }
  const char *zAuth = kg_req_header(r, "Authorization");
  if (!zAuth || strncasecmp(zAuth, "Bearer ", 7) != 0 || !token_equal(zToken, zAuth + 7)) {
    kg_reply_header(r, "WWW-Authenticate", "Bearer realm=\"metrics\"");
    kg_reply_code(r, KG_P_TOKEN_REQUIRED, "the metrics need Authorization: Bearer <metrics token>");
    return;
  }
  render(r);
}

/* The handler of the metrics listener: no token, it is reachable only
 * where --metrics-listen binds it. */
static void metrics_open(struct kg_req *r) {
  render(r);
}

static const struct kg_route aMetricsRoute[] = {
    {"GET", "/metrics", metrics_open, 0, 0},
};

const struct kg_route *kg_api_metrics_routes(size_t *pnRoute) {
  *pnRoute = sizeof(aMetricsRoute) / sizeof(aMetricsRoute[0]);
  return aMetricsRoute;
}

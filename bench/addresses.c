/* addresses.c: bench-addresses DB QUERIES [ROUNDS] — the store-level time of
 * one address search (kg_store_address_search, 10 hits) and of one resolve
 * (kg_store_address_resolve) for each query of QUERIES (one a line, UTF-8,
 * as bench/gen-addresses.py writes them), over a register already loaded
 * into DB. One warm-up pass, then ROUNDS (default 3) timed passes; prints
 * the median, p99 and mean per query in microseconds. Used by
 * bench/addresses.sh; not part of the tests. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kengash/store.h"

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *zWhat, double *a, size_t n) {
  double sum = 0;
  qsort(a, n, sizeof(a[0]), cmp_double);
  for (size_t i = 0; i < n; i++)
    sum += a[i];
  printf("%-8s %8zu calls  median %7.1f us  p99 %7.1f us  mean %7.1f us  max %8.1f us\n", zWhat, n,
         a[n / 2], a[(size_t)((double)n * 0.99)], sum / (double)n, a[n - 1]);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench-addresses DB QUERIES [ROUNDS]\n");
    return 2;
  }
  int nRound = argc > 3 ? atoi(argv[3]) : 3;
  FILE *f = fopen(argv[2], "r");
  if (!f) {
    perror(argv[2]);
    return 1;
  }
  char **azQuery = NULL;
  size_t nQuery = 0, nAlloc = 0;
  char zLine[1024];
  while (fgets(zLine, sizeof(zLine), f)) {
    zLine[strcspn(zLine, "\n")] = 0;
    if (!zLine[0]) continue;
    if (nQuery == nAlloc) {
      nAlloc = nAlloc ? 2 * nAlloc : 1024;
      azQuery = kg_xrealloc(azQuery, nAlloc * sizeof(*azQuery));
    }
    azQuery[nQuery++] = kg_xstrdup(zLine);
  }
  fclose(f);
  struct kg_store *p = NULL;
  if (nQuery == 0 || nRound < 1 || kg_store_open(argv[1], &p) != KG_OK) {
    fprintf(stderr, "bench-addresses: no queries, or cannot open %s\n", argv[1]);
    return 1;
  }
  kg_log_set_level(KG_LOG_WARN);
  struct kg_address_hit *aHit = kg_xcalloc(KG_ADDRESS_SEARCH_MAX, sizeof(*aHit));
  struct kg_address_hit hit;
  double *aSearch = kg_xmalloc((size_t)nRound * nQuery * sizeof(double));
  double *aResolve = kg_xmalloc((size_t)nRound * nQuery * sizeof(double));
  size_t nFound = 0, nFirst = 0, nResolved = 0;
  int nHit;
  for (size_t i = 0; i < nQuery; i++) /* warm-up: page cache, statements */
    kg_store_address_search(p, azQuery[i], 10, aHit, &nHit);
  for (int r = 0; r < nRound; r++) {
    for (size_t i = 0; i < nQuery; i++) {
      double t0 = now_us();
      if (kg_store_address_search(p, azQuery[i], 10, aHit, &nHit) != KG_OK) {
        fprintf(stderr, "bench-addresses: search failed\n");
        return 1;
      }
      aSearch[r * nQuery + i] = now_us() - t0;
      if (r == 0 && nHit > 0) nFound++;
      t0 = now_us();
      enum kg_err rc = kg_store_address_resolve(p, azQuery[i], &hit);
      aResolve[r * nQuery + i] = now_us() - t0;
      if (r == 0 && rc == KG_OK) nResolved++;
      if (r == 0 && rc == KG_OK && nHit > 0 && aHit[0].id == hit.id) nFirst++;
    }
  }
  printf("%zu queries x %d rounds; %zu found something, %zu resolved to one address "
         "(%zu of them first in the search)\n",
         nQuery, nRound, nFound, nResolved, nFirst);
  /* the slowest queries of the first round (synthetic register: no personal data) */
  if (getenv("BENCH_SLOWEST")) {
    for (int k = 0; k < atoi(getenv("BENCH_SLOWEST")); k++) {
      size_t iMax = 0;
      for (size_t i = 1; i < nQuery; i++)
        if (aSearch[i] > aSearch[iMax]) iMax = i;
      printf("  slow: %8.1f us  %s\n", aSearch[iMax], azQuery[iMax]);
      aSearch[iMax] = -1;
    }
  }
  report("search", aSearch, (size_t)nRound * nQuery);
  report("resolve", aResolve, (size_t)nRound * nQuery);
  for (size_t i = 0; i < nQuery; i++)
    free(azQuery[i]);
  free(azQuery);
  free(aSearch);
  free(aResolve);
  free(aHit);
  kg_store_close(p);
  return 0;
}

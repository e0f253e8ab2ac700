/* stats.c: statistics by calendar month for the public statistics page —
 * discussions that opened for proposals and comments submitted. */
#define _GNU_SOURCE /* timegm, gmtime_r */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* Unix time of the first second of the UTC month (year, month 0-11). */
static int64_t month_start(int year, int month) {
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = 1;
  return (int64_t)timegm(&tm);
}

/* Stores per-month counts in aOut (nComments when bComments, else
 * nOpened): zSql takes ?1 = start of the first month, ?2 = end of the
 * last, and yields ("YYYY-MM", count). */
static enum kg_err count_by_month(struct kg_store *p, const char *zSql, int64_t tFrom, int64_t tTo,
                                  struct kg_stats_month *aOut, int bComments) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, tFrom);
  kg_db_bind_i64(s, 2, tTo);
  while ((rc = kg_store_sql_row(p, s, "stats by month")) == KG_OK) {
    const char *zMonth = kg_store_col_text(s, 0);
    int64_t n = kg_db_col_i64(s, 1);
    for (int i = 0; zMonth && i < KG_STATS_MONTHS; i++) {
      if (strcmp(aOut[i].zMonth, zMonth) != 0) continue;
      if (bComments)
        aOut[i].nComments = n;
      else
        aOut[i].nOpened = n;
      break;
    }
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_stats_by_month(struct kg_store *p, int64_t tNow,
                                    struct kg_stats_month aOut[KG_STATS_MONTHS]) {
  time_t t = (time_t)tNow;
  struct tm now;
  enum kg_err rc;
  memset(aOut, 0, sizeof(*aOut) * KG_STATS_MONTHS);
  if (!gmtime_r(&t, &now)) return KG_EINVAL;
  /* months counted from year 0 keep the arithmetic simple */
  int last = (now.tm_year + 1900) * 12 + now.tm_mon;
  int first = last - (KG_STATS_MONTHS - 1);
  for (int i = 0; i < KG_STATS_MONTHS; i++) {
    int m = first + i;
    snprintf(aOut[i].zMonth, sizeof(aOut[i].zMonth), "%04u-%02u", (unsigned)(m / 12) % 10000u,
             (unsigned)(m % 12 + 1) % 100u);
  }
  int64_t tFrom = month_start(first / 12, first % 12);
  int64_t tTo = month_start((last + 1) / 12, (last + 1) % 12);
  rc = count_by_month(p,
                      "SELECT strftime('%Y-%m', at, 'unixepoch'), count(*) "
                      "FROM discussion_events WHERE to_status = 'open' AND at >= ?1 AND at < ?2 "
                      "GROUP BY 1",
                      tFrom, tTo, aOut, 0);
  if (rc) return rc;
  return count_by_month(p,
                        "SELECT strftime('%Y-%m', created_at, 'unixepoch'), count(*) "
                        "FROM comments WHERE created_at >= ?1 AND created_at < ?2 GROUP BY 1",
                        tFrom, tTo, aOut, 1);
}

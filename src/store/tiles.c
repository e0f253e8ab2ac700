/* tiles.c: base-map tiles read from an MBTiles file (a SQLite file with
 * the tables tiles and metadata, rows in TMS order). The file is opened
 * read-only with its own connections, apart from the database and its
 * writer: a small pool, one connection per request thread reading at the
 * same time, each with its prepared lookup. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kengash/store.h"

/* quick_check reads every page: only for files small enough to stay within
 * the start-up time; larger ones get the header and sample checks. */
#define QUICK_CHECK_MAX_BYTES (64ll * 1024 * 1024)
#define MAX_ATTRIBUTION_BYTES 1000
#define MAX_TILE_BYTES (8 * 1024 * 1024)

struct tile_conn {
  sqlite3 *db;
  sqlite3_stmt *pGet;
  struct tile_conn *pNext;
};

struct kg_tiles {
  char *zPath;
  struct kg_tiles_info info;
  pthread_mutex_t mu;
  struct tile_conn *pFree; /* connections not in use */
};

static void set_err(char *zErr, size_t nErr, const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(zErr, nErr, zFmt, ap);
  va_end(ap);
}

static void conn_free(struct tile_conn *c) {
  if (!c) return;
  sqlite3_finalize(c->pGet);
  sqlite3_close(c->db);
  free(c);
}

/* A new read-only connection with its lookup prepared; NULL on failure. */
static struct tile_conn *conn_open(const char *zPath) {
  struct tile_conn *c = kg_xcalloc(1, sizeof(*c));
  if (sqlite3_open_v2(zPath, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
          SQLITE_OK ||
      sqlite3_prepare_v2(c->db,
                         "SELECT tile_data FROM tiles"
                         " WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                         -1, &c->pGet, NULL) != SQLITE_OK) {
    conn_free(c);
    return NULL;
  }
  sqlite3_busy_timeout(c->db, 2000);
  return c;
}

/* 1 when the SQLite header's page count (when valid) fits in the file:
 * a truncated copy is refused here before any query happens to miss the
 * lost pages. */
static int header_ok(const char *zPath, int64_t nSize, char *zErr, size_t nErr) {
  unsigned char a[100];
  int fd = open(zPath, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, a, sizeof(a)) : -1;
  if (fd >= 0) close(fd);
  if (n != (ssize_t)sizeof(a) || memcmp(a, "SQLite format 3", 16) != 0) {
    set_err(zErr, nErr, "%s is not an MBTiles file (not a SQLite database)", zPath);
    return 0;
  }
  uint32_t nPage = (uint32_t)a[16] << 8 | a[17];
  if (nPage == 1) nPage = 65536;
  uint32_t nCount = (uint32_t)a[28] << 24 | (uint32_t)a[29] << 16 | (uint32_t)a[30] << 8 | a[31];
  int bValid = memcmp(a + 24, a + 92, 4) == 0 && nCount > 0;
  if (bValid && (int64_t)nPage * nCount > nSize) {
    set_err(zErr, nErr,
            "%s is truncated: its header says %lld bytes, the file has %lld (copy it again)", zPath,
            (long long)nPage * nCount, (long long)nSize);
    return 0;
  }
  return 1;
}

/* Reads the metadata rows the pages need into p->info. */
static enum kg_err read_metadata(struct kg_tiles *p, sqlite3 *db, char *zErr, size_t nErr) {
  sqlite3_stmt *pSt = NULL;
  enum kg_err rc = KG_OK;
  int nMin = -1, nMax = -1;
  if (sqlite3_prepare_v2(db, "SELECT name, value FROM metadata", -1, &pSt, NULL) != SQLITE_OK) {
    set_err(zErr, nErr, "%s: cannot read its metadata (%s)", p->zPath, sqlite3_errmsg(db));
    return KG_EDB;
  }
  int src;
  while ((src = sqlite3_step(pSt)) == SQLITE_ROW) {
    const char *zName = (const char *)sqlite3_column_text(pSt, 0);
    const char *zValue = (const char *)sqlite3_column_text(pSt, 1);
    if (!zName || !zValue) continue;
    if (strcmp(zName, "format") == 0) {
      if (strcasecmp(zValue, "png") == 0 || strcasecmp(zValue, "webp") == 0)
        snprintf(p->info.zFormat, sizeof(p->info.zFormat), "%s",
                 strcasecmp(zValue, "png") == 0 ? "png" : "webp");
      else if (strcasecmp(zValue, "jpg") == 0 || strcasecmp(zValue, "jpeg") == 0)
        snprintf(p->info.zFormat, sizeof(p->info.zFormat), "jpg");
      else {
        set_err(zErr, nErr,
                "%s holds tiles in the format \"%.20s\"; only raster png, jpg or webp tiles "
                "can be served",
                p->zPath, zValue);
        rc = KG_EINVAL;
        break;
      }
    } else if (strcmp(zName, "minzoom") == 0 || strcmp(zName, "maxzoom") == 0) {
      char *zEnd;
      long v = strtol(zValue, &zEnd, 10);
      if (zEnd == zValue || *zEnd || v < 0 || v > 30) {
        set_err(zErr, nErr, "%s: metadata %s must be a zoom level from 0 to 30", p->zPath, zName);
        rc = KG_EINVAL;
        break;
      }
      *(zName[1] == 'i' ? &nMin : &nMax) = (int)v;
    } else if (strcmp(zName, "bounds") == 0) {
      double a[4];
      char *z = (char *)zValue;
      int i;
      for (i = 0; i < 4; i++) {
        char *zEnd;
        a[i] = strtod(z, &zEnd);
        if (zEnd == z) break;
        z = zEnd;
        while (*z == ' ')
          z++;
        if (i < 3 && *z++ != ',') break;
      }
      /* a malformed bounds only loses the hint; the tiles still serve */
      if (i == 4 && !*z && a[0] >= -180 && a[2] <= 180 && a[0] < a[2] && a[1] >= -90 &&
          a[3] <= 90 && a[1] < a[3]) {
        memcpy(p->info.aBounds, a, sizeof(a));
        p->info.bBounds = 1;
      }
    } else if (strcmp(zName, "attribution") == 0) {
      if (strlen(zValue) > MAX_ATTRIBUTION_BYTES) {
        set_err(zErr, nErr, "%s: metadata attribution is longer than %d bytes", p->zPath,
                MAX_ATTRIBUTION_BYTES);
        rc = KG_EINVAL;
        break;
      }
      free(p->info.zAttribution);
      p->info.zAttribution = kg_xstrdup(zValue);
    }
  }
  if (rc == KG_OK && src != SQLITE_DONE) {
    set_err(zErr, nErr, "%s: cannot read its metadata (%s)", p->zPath, sqlite3_errmsg(db));
    rc = KG_EDB;
  }
  sqlite3_finalize(pSt);
  if (rc != KG_OK) return rc;
  if (nMin < 0 || nMax < 0) {
    /* not in the metadata: the tiles table's own range (its index answers) */
    if (sqlite3_prepare_v2(db, "SELECT min(zoom_level), max(zoom_level) FROM tiles", -1, &pSt,
                           NULL) != SQLITE_OK ||
        sqlite3_step(pSt) != SQLITE_ROW) {
      set_err(zErr, nErr, "%s: cannot read its tiles (%s)", p->zPath, sqlite3_errmsg(db));
      sqlite3_finalize(pSt);
      return KG_EDB;
    }
    if (nMin < 0) nMin = sqlite3_column_int(pSt, 0);
    if (nMax < 0) nMax = sqlite3_column_int(pSt, 1);
    sqlite3_finalize(pSt);
    if (nMin < 0 || nMin > 30) nMin = 0;
    if (nMax < 0 || nMax > 30) nMax = 30;
  }
  if (nMin > nMax) {
    set_err(zErr, nErr, "%s: metadata minzoom %d is above maxzoom %d", p->zPath, nMin, nMax);
    return KG_EINVAL;
  }
  p->info.nMinZoom = nMin;
  p->info.nMaxZoom = nMax;
  if (!p->info.zAttribution) p->info.zAttribution = kg_xstrdup("");
  return KG_OK;
}

/* The format of a tile by its first bytes, or NULL. */
static const char *sniff(const unsigned char *a, int n) {
  if (n >= 8 && memcmp(a, "\x89PNG\r\n\x1a\n", 8) == 0) return "png";
  if (n >= 3 && memcmp(a, "\xff\xd8\xff", 3) == 0) return "jpg";
  if (n >= 12 && memcmp(a, "RIFF", 4) == 0 && memcmp(a + 8, "WEBP", 4) == 0) return "webp";
  return NULL;
}

/* Structure checks: the two tables, one tile read, quick_check. */
static enum kg_err check_file(struct kg_tiles *p, sqlite3 *db, char *zErr, size_t nErr) {
  sqlite3_stmt *pSt = NULL;
  int nTable = 0;
  if (sqlite3_prepare_v2(db,
                         "SELECT count(*) FROM sqlite_master"
                         " WHERE type IN ('table', 'view') AND name IN ('tiles', 'metadata')",
                         -1, &pSt, NULL) != SQLITE_OK ||
      sqlite3_step(pSt) != SQLITE_ROW) {
    set_err(zErr, nErr, "%s cannot be read as SQLite (%s)", p->zPath, sqlite3_errmsg(db));
    sqlite3_finalize(pSt);
    return KG_EDB;
  }
  nTable = sqlite3_column_int(pSt, 0);
  sqlite3_finalize(pSt);
  if (nTable != 2) {
    set_err(zErr, nErr, "%s is not an MBTiles file: the tables tiles and metadata are missing",
            p->zPath);
    return KG_EINVAL;
  }
  if (p->info.nFileSize <= QUICK_CHECK_MAX_BYTES) {
    const char *zResult = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &pSt, NULL) == SQLITE_OK &&
        sqlite3_step(pSt) == SQLITE_ROW)
      zResult = (const char *)sqlite3_column_text(pSt, 0);
    if (!zResult || strcmp(zResult, "ok") != 0) {
      set_err(zErr, nErr, "%s is damaged (integrity check: %.200s)", p->zPath,
              zResult ? zResult : sqlite3_errmsg(db));
      sqlite3_finalize(pSt);
      return KG_EDB;
    }
    sqlite3_finalize(pSt);
  }
  enum kg_err rc = read_metadata(p, db, zErr, nErr);
  if (rc != KG_OK) return rc;
  int src = SQLITE_ERROR;
  if (sqlite3_prepare_v2(db, "SELECT tile_data FROM tiles LIMIT 1", -1, &pSt, NULL) == SQLITE_OK)
    src = sqlite3_step(pSt);
  if (src == SQLITE_DONE) {
    set_err(zErr, nErr, "%s has no tiles", p->zPath);
    sqlite3_finalize(pSt);
    return KG_EINVAL;
  }
  if (src != SQLITE_ROW) {
    set_err(zErr, nErr, "%s: cannot read its tiles (%s)", p->zPath, sqlite3_errmsg(db));
    sqlite3_finalize(pSt);
    return KG_EDB;
  }
  if (!p->info.zFormat[0]) {
    const char *zSniffed = sniff(sqlite3_column_blob(pSt, 0), sqlite3_column_bytes(pSt, 0));
    if (!zSniffed) {
      set_err(zErr, nErr,
              "%s: metadata has no format and its tiles are not png, jpg or webp images", p->zPath);
      sqlite3_finalize(pSt);
      return KG_EINVAL;
    }
    snprintf(p->info.zFormat, sizeof(p->info.zFormat), "%s", zSniffed);
  }
  sqlite3_finalize(pSt);
  p->info.zMime = strcmp(p->info.zFormat, "png") == 0   ? "image/png"
                  : strcmp(p->info.zFormat, "jpg") == 0 ? "image/jpeg"
                                                        : "image/webp";
  return KG_OK;
}

enum kg_err kg_tiles_open(const char *zPath, struct kg_tiles **ppTiles, char *zErr, size_t nErr) {
  *ppTiles = NULL;
  struct stat st;
  if (stat(zPath, &st) != 0 || access(zPath, R_OK) != 0) {
    set_err(zErr, nErr, "cannot read the MBTiles file %s (%s)", zPath, strerror(errno));
    return KG_EIO;
  }
  if (!S_ISREG(st.st_mode)) {
    set_err(zErr, nErr, "the MBTiles file %s is not a regular file", zPath);
    return KG_EIO;
  }
  struct kg_tiles *p = kg_xcalloc(1, sizeof(*p));
  p->zPath = kg_xstrdup(zPath);
  p->info.nFileSize = (int64_t)st.st_size;
  p->info.nFileMtimeNs = (int64_t)st.st_mtim.tv_sec * 1000000000ll + st.st_mtim.tv_nsec;
  pthread_mutex_init(&p->mu, NULL);
  enum kg_err rc = KG_EINVAL;
  if (!header_ok(zPath, p->info.nFileSize, zErr, nErr)) goto out;
  struct tile_conn *c = conn_open(zPath);
  if (!c) {
    /* no lookup: say why in the words of the checks */
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(zPath, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
      rc = check_file(p, db, zErr, nErr);
    if (rc == KG_OK) {
      set_err(zErr, nErr, "%s: cannot read its tiles table", zPath);
      rc = KG_EINVAL;
    }
    sqlite3_close(db);
    goto out;
  }
  rc = check_file(p, c->db, zErr, nErr);
  if (rc != KG_OK) {
    conn_free(c);
    goto out;
  }
  c->pNext = p->pFree;
  p->pFree = c;
out:
  if (rc != KG_OK) {
    kg_tiles_close(p);
    return rc;
  }
  *ppTiles = p;
  return KG_OK;
}

const struct kg_tiles_info *kg_tiles_info(const struct kg_tiles *p) {
  return &p->info;
}

enum kg_err kg_tiles_get(struct kg_tiles *p, int z, int64_t x, int64_t y, unsigned char **paData,
                         size_t *pnData) {
  *paData = NULL;
  *pnData = 0;
  pthread_mutex_lock(&p->mu);
  struct tile_conn *c = p->pFree;
  if (c) p->pFree = c->pNext;
  pthread_mutex_unlock(&p->mu);
  if (!c && !(c = conn_open(p->zPath))) return KG_EDB;
  enum kg_err rc = KG_OK;
  int64_t yTms = ((int64_t)1 << z) - 1 - y;
  sqlite3_bind_int(c->pGet, 1, z);
  sqlite3_bind_int64(c->pGet, 2, x);
  sqlite3_bind_int64(c->pGet, 3, yTms);
  int src = sqlite3_step(c->pGet);
  if (src == SQLITE_ROW) {
    int n = sqlite3_column_bytes(c->pGet, 0);
    const void *pData = sqlite3_column_blob(c->pGet, 0);
    if (n <= 0 || n > MAX_TILE_BYTES || !pData) {
      rc = n == 0 ? KG_ENOTFOUND : KG_EDB;
    } else {
      *paData = kg_xmalloc((size_t)n);
      memcpy(*paData, pData, (size_t)n);
      *pnData = (size_t)n;
    }
  } else {
    rc = src == SQLITE_DONE ? KG_ENOTFOUND : KG_EDB;
  }
  sqlite3_reset(c->pGet);
  sqlite3_clear_bindings(c->pGet);
  pthread_mutex_lock(&p->mu);
  c->pNext = p->pFree;
  p->pFree = c;
  pthread_mutex_unlock(&p->mu);
  return rc;
}

void kg_tiles_close(struct kg_tiles *p) {
  if (!p) return;
  while (p->pFree) {
    struct tile_conn *c = p->pFree;
    p->pFree = c->pNext;
    conn_free(c);
  }
  pthread_mutex_destroy(&p->mu);
  free(p->info.zAttribution);
  free(p->zPath);
  free(p);
}

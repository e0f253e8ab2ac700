/* store_tiles.h: base-map tiles from an MBTiles file (tiles.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_TILES_H
#define KENGASH_STORE_TILES_H

/* ---- base-map tiles from an MBTiles file (tiles.c) ----
 * The file is opened read-only (SQLITE_OPEN_READONLY), never through the
 * writer or the database's pool: its own connections, one per thread that
 * reads at the same time, are kept in a small pool. */
struct kg_tiles; /* an open MBTiles file; safe to share between threads */

struct kg_tiles_info {
  char zFormat[8];    /* "png", "jpg" or "webp" (metadata "format") */
  const char *zMime;  /* its Content-Type */
  int nMinZoom;       /* metadata minzoom (else the tiles table's), 0..30 */
  int nMaxZoom;       /* metadata maxzoom (else the tiles table's), 0..30 */
  int bBounds;        /* aBounds is set (metadata "bounds") */
  double aBounds[4];  /* west, south, east, north in degrees */
  char *zAttribution; /* metadata "attribution", may be "" (owned by the handle) */
  int64_t nFileSize;  /* the file's size and modification time (ns) at opening */
  int64_t nFileMtimeNs;
};

/* Opens zPath read-only and checks that it is a usable MBTiles file: a
 * SQLite file whose header's page count matches its size (a truncated copy
 * is refused), tables tiles and metadata, a raster format, readable
 * metadata and one readable tile; small files (up to 64 MiB) also pass
 * PRAGMA quick_check. On failure writes a sentence into zErr and returns
 * KG_EIO (unreadable), KG_EINVAL (not MBTiles) or KG_EDB. On success the
 * handle is freed with kg_tiles_close. */
enum kg_err kg_tiles_open(const char *zPath, struct kg_tiles **ppTiles /* OUT */, char *zErr,
                          size_t nErr);
/* Borrowed; valid until kg_tiles_close. */
const struct kg_tiles_info *kg_tiles_info(const struct kg_tiles *p);
/* The tile at zoom z, column x and XYZ row y (the TMS row flip is done
 * here: the file stores 2^z - 1 - y). The caller checks 0 <= x, y < 2^z.
 * *paData (free() it) and *pnData get its bytes; KG_ENOTFOUND when the
 * file has no such tile; KG_EDB when the read fails. */
enum kg_err kg_tiles_get(struct kg_tiles *p, int z, int64_t x, int64_t y,
                         unsigned char **paData /* OUT */, size_t *pnData /* OUT */);
/* Closes every connection; no reader may be running. NULL is fine. */
void kg_tiles_close(struct kg_tiles *p);

#endif

/* feeds.c: what the Atom feeds and the news read and write (see
 * kengash/store_feeds.h). Spatial filters go through the territories'
 * SpatiaLite index, then the exact predicate. Never logs text. */
#include "kengash/store_feeds.h"

#include <math.h>
#include <stdlib.h>

#include "store_int.h"

/* IN_BOX: the territory's index read for the box ?3..?6, per engine */
#define DISCUSSION_FEED_SQL(IN_BOX)                                                                \
  "SELECT d.id, d.created_at, d.updated_at, d.announce_at, d.opens_at, d.closes_at, d.title, "     \
  "d.status, p.title, p.kind, d.notice FROM discussions d JOIN projects p ON p.id = d.project_id " \
  "WHERE d.status <> 'draft' AND (?1 IS NULL OR d.status = ?1) AND (?2 = 0 OR (" IN_BOX " AND "    \
  "(?7 = 0 AND ST_Intersects(d.territory, BuildMbr(?3, ?4, ?5, ?6, 4326)) = 1 OR ?7 = "            \
  "1 AND PtDistWithin(d.territory, MakePoint(?8, ?9, 4326), ?10, 1) = 1))) "                       \
  "ORDER BY d.updated_at DESC, d.id DESC LIMIT ?11"

enum kg_err kg_store_feed_discussions(struct kg_store *p, const struct kg_feed_filter *pF,
                                      int (*xRow)(void *pArg, const struct kg_feed_discussion *),
                                      void *pArg) {
  struct kg_db_stmt *s = NULL;
  double box[4] = {0, 0, 0, 0};
  enum kg_err rc = kg_store_sql_prepare(
      p,
      p->pPg ? DISCUSSION_FEED_SQL(KG_SQL_TERRITORY_BOX_PG("BuildMbr(?3, ?4, ?5, ?6, 4326)"))
             : DISCUSSION_FEED_SQL(KG_SQL_TERRITORY_BOX_LITE("BuildMbr(?3, ?4, ?5, ?6, 4326)")),
      &s);
  if (rc) return rc;
  if (pF->bBbox) {
    for (int i = 0; i < 4; i++)
      box[i] = pF->bbox[i];
  } else if (pF->bNear) {
    /* the index is searched with the circle's bounding box (with a margin) */
    double dLat = pF->radiusM / 111000.0 * 1.01;
    double c = cos(pF->lat * 3.14159265358979323846 / 180.0);
    double dLon = c > 0.01 ? dLat / c : 360.0;
    box[0] = pF->lon - dLon, box[1] = pF->lat - dLat;
    box[2] = pF->lon + dLon, box[3] = pF->lat + dLat;
  }
  kg_store_bind_text(s, 1, pF->zStatus);
  kg_db_bind_int(s, 2, pF->bBbox || pF->bNear);
  for (int i = 0; i < 4; i++)
    kg_db_bind_double(s, 3 + i, box[i]);
  kg_db_bind_int(s, 7, pF->bNear && !pF->bBbox);
  kg_db_bind_double(s, 8, pF->lon);
  kg_db_bind_double(s, 9, pF->lat);
  kg_db_bind_double(s, 10, pF->radiusM);
  kg_db_bind_int(s, 11, pF->nLimit > 0 ? pF->nLimit : 50);
  while ((rc = kg_store_sql_row(p, s, "feed discussions")) == KG_OK) {
    struct kg_feed_discussion d = {
        .id = kg_db_col_i64(s, 0),
        .createdAt = kg_db_col_i64(s, 1),
        .updatedAt = kg_db_col_i64(s, 2),
        .announceAt = kg_db_col_i64(s, 3),
        .opensAt = kg_db_col_i64(s, 4),
        .closesAt = kg_db_col_i64(s, 5),
        .zTitle = kg_store_col_text(s, 6),
        .zStatus = kg_store_col_text(s, 7),
        .zProjectTitle = kg_store_col_text(s, 8),
        .zProjectKind = kg_store_col_text(s, 9),
        .zNotice = kg_store_col_text(s, 10),
    };
    if (xRow(pArg, &d)) {
      break;
    }
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_feed_comments(struct kg_store *p, int64_t discussionId, int nLimit,
                                   char **pzTitle,
                                   int (*xRow)(void *pArg, const struct kg_feed_comment *),
                                   void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_query(p, &s, "SELECT title FROM discussions WHERE id = ?1 AND status <> 'draft'",
                         "i", discussionId);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "feed discussion")) == KG_OK) *pzTitle = kg_store_col_dup(s, 0);
  kg_store_sql_done(p, s);
  if (rc) return rc;
  rc = kg_store_sql_query(p, &s,
                          "SELECT c.id, c.created_at, c.updated_at, c.official, "
                          "c.registration_number, c.kind, c.body, c.display_name, "
                          "pc.registration_number FROM comments c LEFT JOIN comments pc ON "
                          "pc.id = c.parent_id WHERE c.discussion_id = ?1 AND c.status = "
                          "'published' ORDER BY c.updated_at DESC, c.id DESC LIMIT ?2",
                          "ik", discussionId, nLimit > 0 ? nLimit : 50);
  if (rc) goto out;
  while ((rc = kg_store_sql_row(p, s, "feed comments")) == KG_OK) {
    struct kg_feed_comment c = {
        .id = kg_db_col_i64(s, 0),
        .createdAt = kg_db_col_i64(s, 1),
        .updatedAt = kg_db_col_i64(s, 2),
        .bOfficial = kg_db_col_int(s, 3),
        .zRegNo = kg_store_col_text(s, 4),
        .zKind = kg_store_col_text(s, 5),
        .zBody = kg_store_col_text(s, 6),
        .zDisplayName = kg_store_col_text(s, 7),
        .zParentRegNo = kg_store_col_text(s, 8),
    };
    if (xRow(pArg, &c)) {
      break;
    }
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
out:
  if (rc) {
    free(*pzTitle);
    *pzTitle = NULL;
  }
  return rc;
}

/* ---- news ---- */

enum kg_err kg_store_news_insert(struct kg_store *p, const char *zTitle, const char *zBody,
                                 int64_t discussionId, int64_t authorId, int64_t tNow,
                                 int64_t *pId) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  int64_t id = 0;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  rc = kg_store_sql_query(p, &s,
                          "INSERT INTO news (title, body, discussion_id, author_id, "
                          "published_at, updated_at) SELECT ?1, ?2, ?3, ?4, ?5, ?5 WHERE ?3 IS "
                          "NULL OR EXISTS (SELECT 1 FROM discussions WHERE id = ?3 AND status "
                          "<> 'draft') RETURNING id",
                          "ttnni", zTitle, zBody, discussionId, authorId, tNow);
  if (rc) goto out;
  rc = kg_store_sql_insert(p, s, "news insert", &id);
  s = NULL;
  if (rc) goto out; /* KG_ENOTFOUND: no such public discussion */
  rc = kg_store_modlog_insert(p, authorId, "news.publish", "news", id, NULL, tNow);
out:
  kg_store_tx_finish(p, &tx, &rc);
  *pId = rc == KG_OK ? id : 0;
  return rc;
}

enum kg_err kg_store_news_delete(struct kg_store *p, int64_t id, int64_t actorId, int64_t tNow) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  if ((rc = kg_store_sql_prepare(p, "DELETE FROM news WHERE id = ?1", &s)) != KG_OK) goto out;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_run(p, s, "news delete")) != KG_OK) goto out;
  if (kg_db_changes(p) == 0) {
    rc = KG_ENOTFOUND;
    goto out;
  }
  rc = kg_store_modlog_insert(p, actorId, "news.delete", "news", id, NULL, tNow);
out:
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_news_list(struct kg_store *p, int64_t id, int64_t beforeId, int nLimit,
                               int (*xRow)(void *pArg, const struct kg_news *), void *pArg) {
  struct kg_db_stmt *s = NULL;
  int n = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT n.id, coalesce(n.discussion_id, 0), n.published_at, n.updated_at, n.title, n.body, "
      "d.title FROM news n LEFT JOIN discussions d ON d.id = n.discussion_id AND d.status <> "
      "'draft' WHERE (?1 = 0 OR n.id = ?1) AND (?2 = 0 OR n.id < ?2) ORDER BY n.id DESC LIMIT ?3",
      "iik", id, beforeId, nLimit > 0 ? nLimit : 50);
  if (rc) return rc;
  while ((rc = kg_store_sql_row(p, s, "news list")) == KG_OK) {
    struct kg_news m = {
        .id = kg_db_col_i64(s, 0),
        .discussionId = kg_db_col_i64(s, 1),
        .publishedAt = kg_db_col_i64(s, 2),
        .updatedAt = kg_db_col_i64(s, 3),
        .zTitle = kg_store_col_text(s, 4),
        .zBody = kg_store_col_text(s, 5),
        .zDiscussionTitle = kg_store_col_text(s, 6),
    };
    if (!m.zDiscussionTitle) m.discussionId = 0;
    n++;
    if (xRow(pArg, &m)) {
      break;
    }
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  if (rc == KG_OK && id && !n) rc = KG_ENOTFOUND;
  return rc;
}

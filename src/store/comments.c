/* comments.c: comments on a discussion — reading them, the location rule
 * (the submission itself: comment_submit.c), the full-text index, edits
 * and withdrawal while pending, moderation (with the moderation log and the
 * author's e-mail), supports, filtered lists (status, kind, full-text,
 * spatial index) and the moderation log.
 *
 * Statements are cached per connection by their SQL text
 * (kg_store_sql_prepare). */
#include "submit_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

/* ---- status ---- */

static const char *const azStatus[KG_CS__COUNT] = {[KG_CS_PENDING] = "pending",
                                                   [KG_CS_PUBLISHED] = "published",
                                                   [KG_CS_REJECTED] = "rejected",
                                                   [KG_CS_WITHDRAWN] = "withdrawn"};

const char *kg_comment_status_name(enum kg_comment_status s) {
  return (unsigned)s < KG_CS__COUNT ? azStatus[s] : "unknown";
}

enum kg_err kg_comment_status_parse(const char *z, enum kg_comment_status *pOut) {
  for (int i = 0; z && i < KG_CS__COUNT; i++) {
    if (strcmp(z, azStatus[i]) == 0) {
      *pOut = (enum kg_comment_status)i;
      return KG_OK;
    }
  }
  return KG_EINVAL;
}

void kg_comment_clear(struct kg_comment *p) {
  if (!p) return;
  free(p->zRegNo);
  free(p->zKind);
  free(p->zChannel);
  free(p->zBody);
  free(p->zLocation);
  free(p->zBasis);
  free(p->zDisplayName);
  free(p->zModerationCode);
  free(p->zModerationReason);
  memset(p, 0, sizeof(*p));
}

/* ---- reading ---- */

#define COMMENT_COLS                                                                               \
  "c.id, c.discussion_id, d.project_id, c.author_id, c.entered_by, c.parent_id, c.document_id, "   \
  "c.page, c.registration_number, c.kind, c.channel, c.body, c.location_geojson, c.status, "       \
  "c.basis, c.official, c.display_name, c.moderation_code, c.moderation_reason, "                  \
  "c.moderated_at, (SELECT count(*) FROM comment_supports s WHERE s.comment_id = c.id), "          \
  "c.created_at, c.updated_at "                                                                    \
  "FROM comments c JOIN discussions d ON d.id = c.discussion_id "

/* Fills *pOut from a COMMENT_COLS row: strings copied when bDup, else
 * borrowed from the row. */
static void comment_row(struct kg_db_stmt *s, struct kg_comment *pOut, int bDup) {
  char *(*xText)(struct kg_db_stmt *, int) = bDup ? kg_store_col_dup : kg_store_col_text;
  enum kg_comment_status st = KG_CS_PENDING;
  memset(pOut, 0, sizeof(*pOut));
  pOut->id = kg_db_col_i64(s, 0);
  pOut->discussionId = kg_db_col_i64(s, 1);
  pOut->projectId = kg_db_col_i64(s, 2);
  pOut->authorId = kg_db_col_i64(s, 3);
  pOut->enteredBy = kg_db_col_i64(s, 4);
  pOut->parentId = kg_db_col_i64(s, 5);
  pOut->documentId = kg_db_col_i64(s, 6);
  pOut->page = kg_db_col_int(s, 7);
  pOut->zRegNo = xText(s, 8);
  pOut->zKind = xText(s, 9);
  pOut->zChannel = xText(s, 10);
  pOut->zBody = xText(s, 11);
  pOut->zLocation = xText(s, 12);
  if (kg_comment_status_parse(kg_db_col_text(s, 13), &st) != KG_OK)
    kg_log_error("store unknown comment status in the database");
  pOut->status = st;
  pOut->zBasis = xText(s, 14);
  pOut->bOfficial = kg_db_col_int(s, 15);
  pOut->zDisplayName = xText(s, 16);
  pOut->zModerationCode = xText(s, 17);
  pOut->zModerationReason = xText(s, 18);
  pOut->moderatedAt = kg_db_col_i64(s, 19);
  pOut->nSupports = kg_db_col_i64(s, 20);
  pOut->createdAt = kg_db_col_i64(s, 21);
  pOut->updatedAt = kg_db_col_i64(s, 22);
}

enum kg_err kg_store_comment_get(struct kg_store *p, int64_t id, struct kg_comment *pOut) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc = kg_store_sql_prepare(p, "SELECT " COMMENT_COLS "WHERE c.id = ?1", &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_row(p, s, "comment get")) == KG_OK) comment_row(s, pOut, 1);
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_comment_offline_get(struct kg_store *p, int64_t id,
                                         struct kg_offline_author_row *pOut) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "SELECT full_name, birth_date, address, lon, lat FROM "
                                        "comment_offline_authors WHERE comment_id = ?1",
                                        &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_row(p, s, "comment offline author")) == KG_OK) {
    kg_store_col_copy(s, 0, pOut->zFullName, sizeof(pOut->zFullName));
    kg_store_col_copy(s, 1, pOut->zBirthDate, sizeof(pOut->zBirthDate));
    kg_store_col_copy(s, 2, pOut->zAddress, sizeof(pOut->zAddress));
    pOut->bLocation = !kg_db_col_is_null(s, 3);
    pOut->lon = kg_db_col_double(s, 3);
    pOut->lat = kg_db_col_double(s, 4);
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- the location rule ---- */

/* Within the territory, or within the territory buffered by the margin in
 * the UTM zone of the territory's centre (metres; scale error < 0.1%). The
 * geometry g is parsed and its validity v computed once each: the
 * subqueries are kept apart (NOFLAT), since flattened into the outer query
 * each use of g parsed the text again (eight parses and two validity tests
 * a proposal); the reason only for an invalid one. */
#define LOCATION_CHECK(NOFLAT)                                                                     \
  "SELECT g IS NOT NULL, v, CASE WHEN v <> 1 THEN IsValidReason(g) END, "                          \
  "CASE WHEN g IS NULL OR v <> 1 THEN 0 "                                                          \
  "WHEN coalesce(kg_point_in_area(t, g) > 0, ST_Within(g, t) = 1) THEN 1 "                         \
  "WHEN ST_Within(ST_Transform(g, z), ST_Buffer(ST_Transform(t, z), ?3)) = 1 THEN 1 ELSE 0 END "   \
  "FROM (SELECT g, t, z, ST_IsValid(g) AS v FROM (SELECT GeomFromText(?2, 4326) AS g, "            \
  "territory AS t, "                                                                               \
  "(CASE WHEN (MbrMinY(territory) + MbrMaxY(territory)) / 2 >= 0 THEN 32600 ELSE 32700 END) "      \
  "+ min(60, max(1, CAST(((MbrMinX(territory) + MbrMaxX(territory)) / 2 + 180) / 6 AS "            \
  "INTEGER) + 1)) AS z FROM discussions WHERE id = ?1" NOFLAT ") AS x" NOFLAT ") AS y"
static const char zLocationCheck[] = LOCATION_CHECK(" LIMIT -1 OFFSET 0");
static const char zLocationCheckPg[] = LOCATION_CHECK(" OFFSET 0");
#undef LOCATION_CHECK

enum kg_err kg_store_comment_location_check(struct kg_store *p, int64_t discussionId,
                                            const char *zWkt, double nMarginM, int *pbOk,
                                            char *zErr, size_t nErr) {
  struct kg_db_stmt *s = NULL;
  *pbOk = 0;
  if (zErr && nErr) zErr[0] = 0;
  enum kg_err rc = kg_store_sql_prepare(p, p->pPg ? zLocationCheckPg : zLocationCheck, &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, discussionId);
  kg_store_bind_text(s, 2, zWkt);
  kg_db_bind_double(s, 3, nMarginM);
  if ((rc = kg_store_sql_row(p, s, "comment location check")) != KG_OK) {
    /* no such discussion, or a failure */
  } else if (!kg_db_col_int(s, 0)) {
    if (zErr && nErr) snprintf(zErr, nErr, "is not a geometry SpatiaLite can read");
    rc = KG_EINVAL;
  } else if (kg_db_col_int(s, 1) != 1) {
    const char *zReason = kg_db_col_text(s, 2);
    if (zErr && nErr) snprintf(zErr, nErr, "%s", zReason ? zReason : "invalid geometry");
    rc = KG_EINVAL;
  } else {
    *pbOk = kg_db_col_int(s, 3) == 1;
  }
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_comment_point_in_territory(struct kg_store *p, int64_t discussionId,
                                                double lon, double lat, int *pbIn) {
  struct kg_db_stmt *s = NULL;
  *pbIn = 0;
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "SELECT ST_Intersects(territory, MakePoint(?2, ?3, 4326)) "
                                        "FROM discussions WHERE id = ?1",
                                        &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, discussionId);
  kg_db_bind_double(s, 2, lon);
  kg_db_bind_double(s, 3, lat);
  if ((rc = kg_store_sql_row(p, s, "comment point in territory")) == KG_OK)
    *pbIn = kg_db_col_int(s, 0) == 1;
  kg_store_sql_done(p, s);
  return rc;
}

/* The discussion of comment id; KG_ENOTFOUND without the comment. */
static enum kg_err comment_discussion(struct kg_store *p, int64_t id, int64_t *pDiscussionId) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, "SELECT discussion_id FROM comments WHERE id = ?1", &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_row(p, s, "comment discussion")) == KG_OK)
    *pDiscussionId = kg_db_col_i64(s, 0);
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- the full-text index ---- */

enum kg_err kg_store_comment_fts_flush(struct kg_store *p) {
  struct kg_db_stmt *s = NULL;
  /* ё is indexed as е (see 0004_comments.sql) */
  enum kg_err rc =
      kg_store_sql_prepare(p,
                           "INSERT INTO comments_fts (rowid, body) SELECT c.id, "
                           "replace(replace(c.body, 'ё', 'е'), 'Ё', 'Е') FROM comments_fts_queue q "
                           "JOIN comments c ON c.id = q.id ORDER BY q.id",
                           &s);
  if (rc == KG_OK) rc = kg_store_sql_run(p, s, "comment fts flush");
  if (rc == KG_OK) rc = kg_store_sql_prepare(p, "DELETE FROM comments_fts_queue", &s);
  if (rc == KG_OK) rc = kg_store_sql_run(p, s, "comment fts queue");
  return rc;
}

/* ---- edit, withdraw, moderate, support ---- */

/* KG_ECONFLICT when comment id exists (its status is not what the update
 * needed), KG_ENOTFOUND when it does not. */
static enum kg_err why_unchanged(struct kg_store *p, int64_t id) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, "SELECT 1 FROM comments WHERE id = ?1", &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_row(p, s, "comment exists")) == KG_OK) rc = KG_ECONFLICT;
  kg_store_sql_done(p, s);
  return rc;
}

/* Starts the transaction of an author's change to comment id: the comment
 * exists and its discussion accepts comments. On failure nothing is open. */
static enum kg_err author_change_begin(struct kg_store *p, int64_t id, struct kg_store_tx *pTx) {
  int64_t discussionId = 0;
  enum kg_err rc = kg_store_tx_begin(p, pTx);
  if (rc == KG_OK) rc = comment_discussion(p, id, &discussionId);
  if (rc == KG_OK) rc = kg_store_comment_accepts(p, discussionId, 0);
  if (rc != KG_OK) kg_store_tx_finish(p, pTx, &rc);
  return rc;
}

/* Ends it: KG_ECONFLICT when the last statement changed nothing (the
 * comment is no longer pending). */
static enum kg_err author_change_end(struct kg_store *p, struct kg_store_tx *pTx, enum kg_err rc) {
  if (rc == KG_OK && kg_db_changes(p) == 0) rc = KG_ECONFLICT;
  kg_store_tx_finish(p, pTx, &rc);
  return rc;
}

enum kg_err kg_store_comment_update(struct kg_store *p, int64_t id,
                                    const struct kg_comment_edit *pE, int64_t tNow) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  int bLoc = pE->zLocationWkt != NULL || pE->bClearLocation;
  enum kg_err rc = author_change_begin(p, id, &tx);
  if (rc) return rc;
  rc = kg_store_sql_prepare(
      p,
      "UPDATE comments SET body = coalesce(?2, body), kind = coalesce(?3, kind), "
      /* pending: its point is in pending_location (0023); a location
       * another program gave it goes, so that one point holds */
      "pending_location = CASE WHEN ?4 THEN GeomFromText(?5, 4326) ELSE pending_location END, "
      "location = CASE WHEN ?4 THEN NULL ELSE location END, "
      "location_geojson = CASE WHEN ?4 THEN ?6 ELSE location_geojson END, "
      "document_id = CASE WHEN ?7 THEN ?8 ELSE document_id END, "
      "page = CASE WHEN ?7 THEN ?9 ELSE page END, updated_at = ?10 "
      "WHERE id = ?1 AND status = 'pending'",
      &s);
  if (rc) return author_change_end(p, &tx, rc);
  kg_db_bind_i64(s, 1, id);
  kg_store_bind_text(s, 2, pE->zBody);
  kg_store_bind_text(s, 3, pE->zKind);
  kg_db_bind_int(s, 4, bLoc);
  kg_store_bind_text(s, 5, pE->zLocationWkt);
  kg_store_bind_text(s, 6, pE->zLocationWkt ? pE->zLocationGeoJson : NULL);
  kg_db_bind_int(s, 7, pE->bDocument);
  kg_store_bind_id(s, 8, pE->documentId);
  kg_store_bind_id(s, 9, pE->page);
  kg_db_bind_i64(s, 10, tNow);
  return author_change_end(p, &tx, kg_store_sql_run(p, s, "comment update"));
}

enum kg_err kg_store_comment_withdraw(struct kg_store *p, int64_t id, int64_t tNow) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = author_change_begin(p, id, &tx);
  if (rc) return rc;
  rc = kg_store_sql_prepare(p,
                            "UPDATE comments SET status = 'withdrawn', updated_at = ?2 "
                            "WHERE id = ?1 AND status = 'pending'",
                            &s);
  if (rc) return author_change_end(p, &tx, rc);
  kg_db_bind_i64(s, 1, id);
  kg_db_bind_i64(s, 2, tNow);
  return author_change_end(p, &tx, kg_store_sql_run(p, s, "comment withdraw"));
}

/* Queues the e-mail in the outbox, inside the caller's transaction. */
static enum kg_err queue_mail(struct kg_store *p, const struct kg_comment_mail *pMail,
                              int64_t tNow) {
  return kg_store_outbox_insert(p, pMail->zTo, pMail->zSubject, pMail->zText, tNow, NULL);
}

enum kg_err kg_store_comment_moderate(struct kg_store *p, int64_t id, int bPublish,
                                      const char *zCode, const char *zReason, int64_t actorId,
                                      const struct kg_comment_mail *pMail, int64_t tNow) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) goto out;
  rc = kg_store_sql_prepare(
      p,
      "UPDATE comments SET status = ?2, moderation_code = ?3, moderation_reason = ?4, "
      "moderated_by = ?5, moderated_at = ?6, updated_at = ?6 "
      "WHERE id = ?1 AND status = 'pending'",
      &s);
  if (rc) goto out;
  kg_db_bind_i64(s, 1, id);
  kg_store_bind_text(s, 2, bPublish ? "published" : "rejected");
  kg_store_bind_text(s, 3, zCode);
  kg_store_bind_text(s, 4, zReason);
  kg_store_bind_id(s, 5, actorId);
  kg_db_bind_i64(s, 6, tNow);
  rc = kg_store_sql_run(p, s, "comment moderate");
  s = NULL;
  if (rc) goto out;
  if (kg_db_changes(p) == 0) {
    rc = why_unchanged(p, id);
    goto out;
  }
  rc = kg_store_modlog_insert(p, actorId, bPublish ? "comment.publish" : "comment.reject",
                              "comment", id, zReason ? zReason : zCode, tNow);
  if (rc) goto out;
  if (pMail && pMail->zTo && pMail->zTo[0]) rc = queue_mail(p, pMail, tNow);
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_comment_support(struct kg_store *p, int64_t id, int64_t accountId,
                                     int64_t tNow, int64_t *pnSupports) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) goto out;
  rc = kg_store_sql_prepare(p,
                            "INSERT INTO comment_supports (comment_id, account_id, created_at) "
                            "VALUES (?1, ?2, ?3)",
                            &s);
  if (rc) goto out;
  kg_db_bind_i64(s, 1, id);
  kg_db_bind_i64(s, 2, accountId);
  kg_db_bind_i64(s, 3, tNow);
  rc = kg_store_sql_run(p, s, "comment support");
  s = NULL;
  if (rc) goto out;
  rc = kg_store_sql_prepare(p, "SELECT count(*) FROM comment_supports WHERE comment_id = ?1", &s);
  if (rc) goto out;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_one(p, s, "comment support count")) == KG_OK && pnSupports)
    *pnSupports = kg_db_col_i64(s, 0);
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

/* ---- full-text query ---- */

/* ---- lists ---- */

/* A list's callback and its argument, for kg_store_sql_each. */
struct comment_walk {
  int (*xRow)(void *pArg, const struct kg_comment *);
  void *pArg;
};

static int comment_each(void *pArg, struct kg_db_stmt *s) {
  struct comment_walk *w = pArg;
  struct kg_comment c;
  comment_row(s, &c, 0);
  return w->xRow(w->pArg, &c);
}

struct modlog_walk {
  int (*xRow)(void *pArg, const struct kg_modlog_entry *);
  void *pArg;
};

static int modlog_each(void *pArg, struct kg_db_stmt *s) {
  struct modlog_walk *w = pArg;
  struct kg_modlog_entry e = {kg_db_col_i64(s, 0),     kg_db_col_i64(s, 1),
                              kg_store_col_text(s, 2), kg_store_col_text(s, 3),
                              kg_store_col_text(s, 4), kg_db_col_i64(s, 5),
                              kg_store_col_text(s, 6), kg_db_col_i64(s, 7)};
  return w->xRow(w->pArg, &e);
}

/* The place filters of kg_store_comment_list: a bbox's box (?10, ?11,
 * ?12, ?14), the R*Tree read directly (SpatiaLite's SpatialIndex virtual
 * table prepares a statement per call and costs several times more;
 * PostGIS's ST_Intersects uses the GiST index itself), and the exact test.
 * A pending proposal's point waits in pending_location, outside the
 * spatial index (0023): when pending proposals are asked for, their points
 * are read through their own partial index too. */
#define LIST_BOX "BuildMbr(?10, ?11, ?12, ?14, 4326)"
#define LIST_RTREE                                                                                 \
  "SELECT pkid FROM idx_comments_location WHERE xmin <= ?12 AND xmax >= ?10 AND ymin <= ?14 AND "  \
  "ymax >= ?11"
static const char zListBoxLite[] =
    " AND c.id IN (" LIST_RTREE ") AND ST_Intersects(c.location, " LIST_BOX ") = 1";
static const char zListBoxLitePending[] =
    " AND c.id IN (" LIST_RTREE " UNION ALL SELECT id FROM comments WHERE pending_location IS NOT "
    "NULL AND MbrIntersects(pending_location, " LIST_BOX ") = 1) AND "
    "ST_Intersects(coalesce(c.location, c.pending_location), " LIST_BOX ") = 1";
static const char zListBoxPg[] = " AND ST_Intersects(c.location, " LIST_BOX ") = 1";
static const char zListBoxPgPending[] =
    " AND (ST_Intersects(c.location, " LIST_BOX
    ") = 1 OR ST_Intersects(c.pending_location, " LIST_BOX ") = 1)";
#undef LIST_RTREE
#undef LIST_BOX

enum kg_err kg_store_comment_list(struct kg_store *p, const struct kg_comment_filter *pF,
                                  int (*xRow)(void *pArg, const struct kg_comment *), void *pArg) {
  struct kg_db_stmt *s = NULL;
  char *zMatch = NULL, *zSql = NULL;
  unsigned mask = pF->statusMask ? pF->statusMask : 1u << KG_CS_PUBLISHED;
  int bPending = (mask & (1u << KG_CS_PENDING)) != 0;
  enum kg_err rc = KG_OK;

  if (pF->zQuery && !(zMatch = kg_store_fts_query(pF->zQuery, p->pPg != NULL))) {
    /* no word to look for: nothing matches */
    return KG_OK;
  }
  /* assembled from constant fragments only; user values are all bound */
  zSql = kg_xasprintf(
      "SELECT " COMMENT_COLS "WHERE c.id > ?1 AND c.status IN (?2, ?3, ?4, ?5)%s%s%s%s%s%s "
      "ORDER BY c.id LIMIT ?13",
      pF->discussionId ? " AND c.discussion_id = ?6" : "",
      pF->authorId ? " AND c.author_id = ?7" : "", pF->zKind ? " AND c.kind = ?8" : "",
      !zMatch  ? ""
      : p->pPg ? " AND c.id IN (SELECT id FROM comments_fts WHERE tsv @@ to_tsquery('russian', ?9))"
               : " AND c.id IN (SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?9)",
      !pF->bLocated && !pF->bBbox ? ""
      : bPending ? " AND (c.location IS NOT NULL OR c.pending_location IS NOT NULL)"
                 : " AND c.location IS NOT NULL",
      !pF->bBbox ? ""
      : p->pPg   ? (bPending ? zListBoxPgPending : zListBoxPg)
                 : (bPending ? zListBoxLitePending : zListBoxLite));
  if ((rc = kg_store_sql_prepare(p, zSql, &s)) != KG_OK) goto out;
  kg_db_bind_i64(s, 1, pF->afterId);
  for (int i = 0, k = 2; i < KG_CS__COUNT; i++)
    if (mask & (1u << i)) kg_store_bind_text(s, k++, azStatus[i]);
  if (pF->discussionId) kg_db_bind_i64(s, 6, pF->discussionId);
  if (pF->authorId) kg_db_bind_i64(s, 7, pF->authorId);
  if (pF->zKind) kg_store_bind_text(s, 8, pF->zKind);
  if (zMatch) kg_store_bind_text(s, 9, zMatch);
  if (pF->bBbox) {
    kg_db_bind_double(s, 10, pF->bbox[0]);
    kg_db_bind_double(s, 11, pF->bbox[1]);
    kg_db_bind_double(s, 12, pF->bbox[2]);
    kg_db_bind_double(s, 14, pF->bbox[3]);
  }
  kg_db_bind_int(s, 13, pF->nLimit > 0 ? pF->nLimit : 50);
  struct comment_walk w = {xRow, pArg};
  rc = kg_store_sql_each(p, s, comment_each, &w, "comment list");
out:
  kg_store_sql_done(p, s);
  free(zSql);
  free(zMatch);
  return rc;
}

enum kg_err kg_store_modlog_list(struct kg_store *p, int64_t beforeId, int nLimit,
                                 int (*xRow)(void *pArg, const struct kg_modlog_entry *),
                                 void *pArg) {
  struct kg_db_stmt *s = NULL;
  struct modlog_walk w = {xRow, pArg};
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "SELECT m.id, m.actor_id, a.full_name, m.action, "
                                      "m.target_type, m.target_id, m.reason, m.at "
                                      "FROM moderation_log m "
                                      "LEFT JOIN accounts a ON a.id = m.actor_id "
                                      "WHERE ?1 = 0 OR m.id < ?1 ORDER BY m.id DESC LIMIT ?2",
                                      "ik", beforeId, nLimit > 0 ? nLimit : 50);
  if (rc == KG_OK) rc = kg_store_sql_each(p, s, modlog_each, &w, "modlog list");
  kg_store_sql_done(p, s);
  return rc;
}

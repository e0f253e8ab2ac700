/* appeals.c: appeals against the rejection of a comment (table
 * comment_appeals): the author's appeal, the decision by another moderator
 * (an upheld appeal publishes the comment with its registration number),
 * with the moderation log and the author's e-mail in the same transaction,
 * and the reads for the console, "my proposals" and the protocol. */
#include "store_int.h"

#include <limits.h>
#include <string.h>

#include "kengash/store_dept.h"

#define APPEAL_COLS                                                                                \
  "a.id, a.comment_id, c.discussion_id, a.author_id, a.body, a.created_at, a.rejected_by, "        \
  "a.rejected_at, a.rejection_reason, a.status, a.decided_by, a.decided_at, a.decision_reason, "   \
  "c.registration_number, c.kind, c.body, c.status, d.title, d.status "                            \
  "FROM comment_appeals a JOIN comments c ON c.id = a.comment_id "                                 \
  "JOIN discussions d ON d.id = c.discussion_id "

/* A row of APPEAL_COLS, borrowed until the next step. */
static void row_of(struct kg_db_stmt *s, struct kg_appeal *a) {
  memset(a, 0, sizeof(*a));
  a->id = kg_db_col_i64(s, 0);
  a->commentId = kg_db_col_i64(s, 1);
  a->discussionId = kg_db_col_i64(s, 2);
  a->authorId = kg_db_col_i64(s, 3);
  a->zBody = kg_store_col_text(s, 4);
  a->createdAt = kg_db_col_i64(s, 5);
  a->rejectedBy = kg_db_col_i64(s, 6);
  a->rejectedAt = kg_db_col_i64(s, 7);
  a->zRejectionReason = kg_store_col_text(s, 8);
  a->zStatus = kg_store_col_text(s, 9);
  a->decidedBy = kg_db_col_i64(s, 10);
  a->decidedAt = kg_db_col_i64(s, 11);
  a->zDecisionReason = kg_store_col_text(s, 12);
  a->zRegNo = kg_store_col_text(s, 13);
  a->zKind = kg_store_col_text(s, 14);
  a->zCommentBody = kg_store_col_text(s, 15);
  a->zCommentStatus = kg_store_col_text(s, 16);
  a->zDiscussionTitle = kg_store_col_text(s, 17);
  a->zDiscussionStatus = kg_store_col_text(s, 18);
}

enum kg_err kg_store_appeal_insert(struct kg_store *p, int64_t commentId, int64_t authorId,
                                   const char *zBody, int64_t tNow, int64_t *pId) {
  struct kg_db_stmt *s = NULL;
  *pId = 0;
  /* the rejection is copied as it is now: an upheld appeal clears it */
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "INSERT INTO comment_appeals (comment_id, author_id, body, created_at, rejected_by, "
      "rejected_at, rejection_reason) SELECT id, author_id, ?3, ?4, moderated_by, moderated_at, "
      "moderation_reason FROM comments WHERE id = ?1 AND author_id = ?2 AND status = 'rejected' "
      "RETURNING id",
      "iiti", commentId, authorId, zBody, tNow);
  if (rc) return rc;
  rc = kg_store_sql_insert(p, s, "appeal insert", pId);
  if (rc == KG_ENOTFOUND) return KG_ECONFLICT; /* no such rejected comment of the author */
  if (rc) return rc;
  return KG_OK;
}

/* The comment and the rejecting moderator of pending appeal id. */
static enum kg_err pending_appeal(struct kg_store *p, int64_t id, int64_t *pCommentId,
                                  int64_t *pRejectedBy) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "SELECT comment_id, rejected_by, status FROM comment_appeals WHERE id = ?1", "i", id);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "appeal read")) == KG_OK) {
    *pCommentId = kg_db_col_i64(s, 0);
    *pRejectedBy = kg_db_col_i64(s, 1);
    const char *zStatus = kg_db_col_text(s, 2);
    if (!zStatus || strcmp(zStatus, "pending") != 0) rc = KG_ECONFLICT;
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* Publishes rejected comment commentId on an upheld appeal: the rejection
 * stays on the appeal; the registration number is not touched. */
static enum kg_err publish_comment(struct kg_store *p, int64_t commentId, int64_t actorId,
                                   int64_t tNow) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "UPDATE comments SET status = 'published', moderation_code = NULL, "
      "moderation_reason = NULL, moderated_by = ?2, moderated_at = ?3, updated_at = ?3 "
      "WHERE id = ?1 AND status = 'rejected'",
      "iii", commentId, actorId, tNow);
  if (rc) return rc;
  if ((rc = kg_store_sql_run(p, s, "appeal publish")) != KG_OK) return rc;
  return kg_db_changes(p) ? KG_OK : KG_ECONFLICT;
}

enum kg_err kg_store_appeal_decide(struct kg_store *p, int64_t id, int64_t actorId, int bUphold,
                                   const char *zReason, const struct kg_appeal_mail *pMail,
                                   int64_t tNow) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  int64_t commentId = 0, rejectedBy = 0;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) goto out;
  if ((rc = pending_appeal(p, id, &commentId, &rejectedBy)) != KG_OK) goto out;
  if (rejectedBy == actorId) {
    rc = KG_EFORBIDDEN;
    goto out;
  }
  rc = kg_store_sql_query(p, &s,
                          "UPDATE comment_appeals SET status = ?2, decided_by = ?3, "
                          "decided_at = ?4, decision_reason = ?5 "
                          "WHERE id = ?1 AND status = 'pending'",
                          "itiit", id, bUphold ? "upheld" : "dismissed", actorId, tNow, zReason);
  if (rc) goto out;
  rc = kg_store_sql_run(p, s, "appeal decide");
  s = NULL;
  if (rc) goto out;
  if (bUphold && (rc = publish_comment(p, commentId, actorId, tNow)) != KG_OK) goto out;
  rc = kg_store_modlog_insert(p, actorId, bUphold ? "appeal.uphold" : "appeal.dismiss", "comment",
                              commentId, zReason, tNow);
  if (rc) goto out;
  if (pMail && pMail->zTo && pMail->zTo[0])
    rc = kg_store_outbox_insert(p, pMail->zTo, pMail->zSubject, pMail->zText, tNow, NULL);
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_appeal_get(struct kg_store *p, int64_t id,
                                int (*xRow)(void *pArg, const struct kg_appeal *), void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(p, &s, "SELECT " APPEAL_COLS "WHERE a.id = ?1", "i", id);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "appeal get")) == KG_OK) {
    struct kg_appeal a;
    row_of(s, &a);
    xRow(pArg, &a);
  }
  kg_store_sql_done(p, s);
  return rc;
}

#define APPEAL_FILTER                                                                              \
  "WHERE (?1 IS NULL OR a.status = ?1 OR (?1 = 'decided' AND a.status <> 'pending')) "             \
  "AND (?2 = 0 OR a.author_id = ?2) AND (?3 = 0 OR c.discussion_id = ?3) "

enum kg_err kg_store_appeal_list(struct kg_store *p, const struct kg_appeal_filter *pF,
                                 int (*xRow)(void *pArg, const struct kg_appeal *), void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p,
      pF->bAscending ? "SELECT " APPEAL_COLS APPEAL_FILTER "AND a.id > ?4 ORDER BY a.id LIMIT ?5"
                     : "SELECT " APPEAL_COLS APPEAL_FILTER
                       "AND (?4 = 0 OR a.id < ?4) ORDER BY a.id DESC "
                       "LIMIT ?5",
      &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, pF->zStatus);
  kg_db_bind_i64(s, 2, pF->authorId);
  kg_db_bind_i64(s, 3, pF->discussionId);
  kg_db_bind_i64(s, 4, pF->cursorId);
  kg_db_bind_int(s, 5, pF->nLimit > 0 ? pF->nLimit : INT_MAX); /* no bound, on both engines */
  while ((rc = kg_store_sql_row(p, s, "appeal list")) == KG_OK) {
    struct kg_appeal a;
    row_of(s, &a);
    if (xRow(pArg, &a)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* notify.c: the store's part of keeping people informed (see
 * kengash/store_notify.h): outbox messages with List-Unsubscribe,
 * confirmation links for e-mail addresses, follows and their unsubscribe
 * tokens, and the cursors of the mail worker's background steps. Never
 * logs addresses, tokens or text. */
#include "kengash/store_notify.h"

#include "store_int.h"

enum kg_err kg_store_outbox_insert_unsub(struct kg_store *p, const char *zTo, const char *zSubject,
                                         const char *zBody, const char *zUnsub, int64_t tNow,
                                         int64_t *pId) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "INSERT INTO outbox (to_addr, subject, body_text, "
                                        "created_at, next_attempt_at, list_unsubscribe) "
                                        "VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
                                        &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, zTo);
  kg_store_bind_text(s, 2, zSubject);
  kg_store_bind_text(s, 3, zBody);
  sqlite3_bind_int64(s, 4, tNow);
  kg_store_bind_text(s, 5, zUnsub);
  rc = kg_store_sql_run(p, s, "outbox insert");
  if (rc == KG_OK && pId) *pId = sqlite3_last_insert_rowid(p->db);
  return rc;
}

/* ---- confirmation of the e-mail address ---- */

enum kg_err kg_store_email_confirm_issue(struct kg_store *p, int64_t accountId,
                                         const unsigned char aHash[32], int64_t tNow,
                                         int64_t expiresAt, const char *zSubject,
                                         const char *zBody) {
  struct kg_store_tx tx = {0, 0};
  sqlite3_stmt *s = NULL;
  char zEmail[256] = "";
  int src;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  rc = kg_store_sql_prepare(p,
                            "SELECT email, email_confirmed_at IS NOT NULL, (SELECT count(*) FROM "
                            "email_confirmations WHERE account_id = ?1 AND created_at > ?2) "
                            "FROM accounts WHERE id = ?1",
                            &s);
  if (rc) goto out;
  sqlite3_bind_int64(s, 1, accountId);
  sqlite3_bind_int64(s, 2, tNow - 3600);
  if ((src = sqlite3_step(s)) == SQLITE_ROW) {
    kg_store_col_copy(s, 0, zEmail, sizeof(zEmail));
    if (sqlite3_column_int(s, 1))
      rc = KG_ECONFLICT;
    else if (sqlite3_column_int(s, 2) >= KG_CONFIRM_PER_HOUR)
      rc = KG_ELIMIT;
  } else {
    rc = src == SQLITE_DONE ? KG_ENOTFOUND : kg_store_dberr(p, src, "confirm account");
  }
  kg_store_sql_done(p, s);
  if (rc) goto out;
  rc = kg_store_sql_prepare(p,
                            "INSERT INTO email_confirmations (token_hash, account_id, created_at, "
                            "expires_at) VALUES (?1, ?2, ?3, ?4)",
                            &s);
  if (rc) goto out;
  sqlite3_bind_blob(s, 1, aHash, 32, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, accountId);
  sqlite3_bind_int64(s, 3, tNow);
  sqlite3_bind_int64(s, 4, expiresAt);
  if ((rc = kg_store_sql_run(p, s, "confirm insert")) != KG_OK) goto out;
  rc = kg_store_outbox_insert(p, zEmail, zSubject, zBody, tNow, NULL);
out:
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_email_confirm_use(struct kg_store *p, const unsigned char aHash[32],
                                       int64_t tNow, int64_t *pAccountId) {
  struct kg_store_tx tx = {0, 0};
  sqlite3_stmt *s = NULL;
  int64_t accountId = 0;
  int src;
  *pAccountId = 0;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  /* the conditional UPDATE is the check: of two racing uses one changes the row */
  rc = kg_store_sql_prepare(p,
                            "UPDATE email_confirmations SET used_at = ?2 WHERE token_hash = ?1 "
                            "AND used_at IS NULL AND expires_at > ?2 RETURNING account_id",
                            &s);
  if (rc) goto out;
  sqlite3_bind_blob(s, 1, aHash, 32, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, tNow);
  while ((src = sqlite3_step(s)) == SQLITE_ROW)
    accountId = sqlite3_column_int64(s, 0);
  kg_store_sql_done(p, s);
  if (src != SQLITE_DONE) {
    rc = kg_store_dberr(p, src, "confirm use");
    goto out;
  }
  if (!accountId) {
    rc = KG_EGONE;
    goto out;
  }
  if ((rc = kg_store_email_mark_confirmed(p, accountId, tNow)) == KG_OK) *pAccountId = accountId;
out:
  kg_store_tx_finish(p, &tx, &rc);
  if (rc) *pAccountId = 0;
  return rc;
}

enum kg_err kg_store_email_mark_confirmed(struct kg_store *p, int64_t accountId, int64_t tNow) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p, "UPDATE accounts SET email_confirmed_at = coalesce(email_confirmed_at, ?2) WHERE id = ?1",
      &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, accountId);
  sqlite3_bind_int64(s, 2, tNow);
  return kg_store_sql_run(p, s, "confirm account");
}

enum kg_err kg_store_email_confirmed_at(struct kg_store *p, int64_t accountId, int64_t *pAt) {
  sqlite3_stmt *s = NULL;
  *pAt = 0;
  enum kg_err rc = kg_store_sql_prepare(
      p, "SELECT coalesce(email_confirmed_at, 0) FROM accounts WHERE id = ?1", &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, accountId);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW)
    *pAt = sqlite3_column_int64(s, 0);
  else
    rc = src == SQLITE_DONE ? KG_ENOTFOUND : kg_store_dberr(p, src, "confirmed at");
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- following discussions ---- */

enum kg_err kg_store_follow_set(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                int bFollow, int64_t tNow) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc;
  if (!bFollow) {
    rc = kg_store_sql_prepare(p, "DELETE FROM follows WHERE account_id = ?1 AND discussion_id = ?2",
                              &s);
    if (rc) return rc;
    sqlite3_bind_int64(s, 1, accountId);
    sqlite3_bind_int64(s, 2, discussionId);
    return kg_store_sql_run(p, s, "unfollow");
  }
  rc =
      kg_store_sql_prepare(p,
                           "INSERT OR IGNORE INTO follows (account_id, discussion_id, created_at) "
                           "SELECT ?1, id, ?3 FROM discussions WHERE id = ?2 AND status <> 'draft'",
                           &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, accountId);
  sqlite3_bind_int64(s, 2, discussionId);
  sqlite3_bind_int64(s, 3, tNow);
  if ((rc = kg_store_sql_run(p, s, "follow")) != KG_OK) return rc;
  if (sqlite3_changes(p->db) > 0) return KG_OK;
  int bFollowing = 0;
  if ((rc = kg_store_follow_get(p, accountId, discussionId, &bFollowing)) != KG_OK) return rc;
  return bFollowing ? KG_OK : KG_ENOTFOUND;
}

enum kg_err kg_store_follow_get(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                int *pbFollowing) {
  sqlite3_stmt *s = NULL;
  *pbFollowing = 0;
  enum kg_err rc = kg_store_sql_prepare(
      p, "SELECT 1 FROM follows WHERE account_id = ?1 AND discussion_id = ?2", &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, accountId);
  sqlite3_bind_int64(s, 2, discussionId);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW)
    *pbFollowing = 1;
  else if (src != SQLITE_DONE)
    rc = kg_store_dberr(p, src, "follow get");
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_follow_list(struct kg_store *p, int64_t accountId,
                                 int (*xRow)(void *pArg, int64_t discussionId, const char *zTitle,
                                             const char *zStatus, int64_t createdAt),
                                 void *pArg) {
  sqlite3_stmt *s = NULL;
  int src;
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "SELECT d.id, d.title, d.status, f.created_at FROM follows "
                                        "f JOIN discussions d ON d.id = f.discussion_id WHERE "
                                        "f.account_id = ?1 ORDER BY f.created_at DESC, d.id DESC "
                                        "LIMIT 1000",
                                        &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, accountId);
  while ((src = sqlite3_step(s)) == SQLITE_ROW)
    if (xRow(pArg, sqlite3_column_int64(s, 0), kg_store_col_text(s, 1), kg_store_col_text(s, 2),
             sqlite3_column_int64(s, 3))) {
      src = SQLITE_DONE;
      break;
    }
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "follow list");
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_follow_token_insert(struct kg_store *p, const unsigned char aHash[32],
                                         int64_t accountId, int64_t discussionId, int64_t tNow) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "INSERT INTO follow_unsubscribes (token_hash, account_id, "
                                        "discussion_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                                        &s);
  if (rc) return rc;
  sqlite3_bind_blob(s, 1, aHash, 32, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, accountId);
  sqlite3_bind_int64(s, 3, discussionId);
  sqlite3_bind_int64(s, 4, tNow);
  return kg_store_sql_run(p, s, "unsubscribe token insert");
}

enum kg_err kg_store_follow_unsubscribe(struct kg_store *p, const unsigned char aHash[32],
                                        int64_t *pDiscussionId) {
  sqlite3_stmt *s = NULL;
  int64_t accountId = 0;
  *pDiscussionId = 0;
  enum kg_err rc = kg_store_sql_prepare(
      p, "SELECT account_id, discussion_id FROM follow_unsubscribes WHERE token_hash = ?1", &s);
  if (rc) return rc;
  sqlite3_bind_blob(s, 1, aHash, 32, SQLITE_TRANSIENT);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW) {
    accountId = sqlite3_column_int64(s, 0);
    *pDiscussionId = sqlite3_column_int64(s, 1);
  } else {
    rc = src == SQLITE_DONE ? KG_EGONE : kg_store_dberr(p, src, "unsubscribe token");
  }
  kg_store_sql_done(p, s);
  if (rc) return rc;
  return kg_store_follow_set(p, accountId, *pDiscussionId, 0, 0);
}

enum kg_err
kg_store_follow_recipients(struct kg_store *p, int64_t discussionId, int64_t exceptAccountId,
                           int (*xRow)(void *pArg, int64_t accountId, const char *zEmail),
                           void *pArg) {
  sqlite3_stmt *s = NULL;
  int src;
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "SELECT a.id, a.email FROM follows f JOIN accounts a ON "
                                        "a.id = f.account_id WHERE f.discussion_id = ?1 AND "
                                        "a.email_confirmed_at IS NOT NULL AND a.id <> ?2 "
                                        "ORDER BY a.id",
                                        &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, discussionId);
  sqlite3_bind_int64(s, 2, exceptAccountId);
  while ((src = sqlite3_step(s)) == SQLITE_ROW)
    if (xRow(pArg, sqlite3_column_int64(s, 0), kg_store_col_text(s, 1))) {
      src = SQLITE_DONE;
      break;
    }
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "follow recipients");
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- the mail worker's background steps ---- */

static enum kg_err cursor_get(struct kg_store *p, const char *zName, int64_t *pLast) {
  sqlite3_stmt *s = NULL;
  *pLast = 0;
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT last_id FROM notify_cursors WHERE name = ?1", &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, zName);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW)
    *pLast = sqlite3_column_int64(s, 0);
  else if (src != SQLITE_DONE)
    rc = kg_store_dberr(p, src, "cursor get");
  kg_store_sql_done(p, s);
  return rc;
}

static enum kg_err cursor_set(struct kg_store *p, const char *zName, int64_t last) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p, "INSERT OR REPLACE INTO notify_cursors (name, last_id) VALUES (?1, ?2)", &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, zName);
  sqlite3_bind_int64(s, 2, last);
  return kg_store_sql_run(p, s, "cursor set");
}

/* The comment columns after c.id (index 0), in the order comment_row reads. */
#define COMMENT_SQL                                                                                \
  "SELECT c.id, c.discussion_id, coalesce(c.author_id, 0), coalesce(c.parent_id, 0), "             \
  "c.created_at, c.official, c.registration_number, c.kind, c.channel, c.body, c.basis, "          \
  "d.title, a.email, pc.registration_number, pa.email, coalesce(pc.author_id, 0) "                 \
  "FROM comments c JOIN discussions d ON d.id = c.discussion_id "                                  \
  "LEFT JOIN accounts a ON a.id = c.author_id "                                                    \
  "LEFT JOIN comments pc ON pc.id = c.parent_id "                                                  \
  "LEFT JOIN accounts pa ON pa.id = pc.author_id "                                                 \
  "WHERE c.id > ?1 ORDER BY c.id LIMIT ?2"

static void comment_row(sqlite3_stmt *s, struct kg_notify_comment *c) {
  c->id = sqlite3_column_int64(s, 0);
  c->discussionId = sqlite3_column_int64(s, 1);
  c->authorId = sqlite3_column_int64(s, 2);
  c->parentId = sqlite3_column_int64(s, 3);
  c->createdAt = sqlite3_column_int64(s, 4);
  c->bOfficial = sqlite3_column_int(s, 5);
  c->zRegNo = kg_store_col_text(s, 6);
  c->zKind = kg_store_col_text(s, 7);
  c->zChannel = kg_store_col_text(s, 8);
  c->zBody = kg_store_col_text(s, 9);
  c->zBasis = kg_store_col_text(s, 10);
  c->zDiscussionTitle = kg_store_col_text(s, 11);
  c->zAuthorEmail = kg_store_col_text(s, 12);
  c->zParentRegNo = kg_store_col_text(s, 13);
  c->zParentAuthorEmail = kg_store_col_text(s, 14);
  c->parentAuthorId = sqlite3_column_int64(s, 15);
}

#define EVENT_SQL                                                                                  \
  "SELECT e.id, e.discussion_id, e.at, e.from_status, e.to_status, e.note, d.title "               \
  "FROM discussion_events e JOIN discussions d ON d.id = e.discussion_id "                         \
  "WHERE e.id > ?1 ORDER BY e.id LIMIT ?2"

static void event_row(sqlite3_stmt *s, struct kg_notify_event *e) {
  e->id = sqlite3_column_int64(s, 0);
  e->discussionId = sqlite3_column_int64(s, 1);
  e->at = sqlite3_column_int64(s, 2);
  e->zFrom = kg_store_col_text(s, 3);
  e->zTo = kg_store_col_text(s, 4);
  e->zNote = kg_store_col_text(s, 5);
  e->zDiscussionTitle = kg_store_col_text(s, 6);
}

/* One step over the rows of zSql after cursor zName: xEach(pArg, p, s)
 * handles the current row and returns its id through *pId. */
static enum kg_err notify_run(struct kg_store *p, const char *zName, const char *zSql, int nMax,
                              enum kg_err (*xEach)(void *pCtx, struct kg_store *p, sqlite3_stmt *s,
                                                   int64_t *pId),
                              void *pCtx, int *pnDone) {
  struct kg_store_tx tx = {0, 0};
  sqlite3_stmt *s = NULL;
  int64_t last = 0, id = 0;
  int n = 0, src = SQLITE_DONE;
  *pnDone = 0;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  if ((rc = cursor_get(p, zName, &last)) != KG_OK) goto out;
  /* not the statement cache: xEach runs other statements meanwhile */
  if (sqlite3_prepare_v2(p->db, zSql, -1, &s, NULL) != SQLITE_OK) {
    rc = kg_store_dberr(p, sqlite3_errcode(p->db), zName);
    goto out;
  }
  sqlite3_bind_int64(s, 1, last);
  sqlite3_bind_int(s, 2, nMax);
  while (rc == KG_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
    rc = xEach(pCtx, p, s, &id);
    if (rc == KG_OK) last = id, n++;
  }
  if (rc == KG_OK && src != SQLITE_DONE) rc = kg_store_dberr(p, src, zName);
  if (rc == KG_OK && n) rc = cursor_set(p, zName, last);
out:
  sqlite3_finalize(s);
  kg_store_tx_finish(p, &tx, &rc);
  if (rc == KG_OK) *pnDone = n;
  return rc;
}

struct comment_ctx {
  enum kg_err (*xRow)(void *pArg, struct kg_store *p, const struct kg_notify_comment *c);
  void *pArg;
};

static enum kg_err each_comment(void *pCtx, struct kg_store *p, sqlite3_stmt *s, int64_t *pId) {
  struct comment_ctx *x = pCtx;
  struct kg_notify_comment c;
  comment_row(s, &c);
  *pId = c.id;
  return x->xRow(x->pArg, p, &c);
}

enum kg_err kg_store_notify_comments(struct kg_store *p, int nMax,
                                     enum kg_err (*xRow)(void *pArg, struct kg_store *p,
                                                         const struct kg_notify_comment *c),
                                     void *pArg, int *pnDone) {
  struct comment_ctx x = {xRow, pArg};
  return notify_run(p, "comments", COMMENT_SQL, nMax, each_comment, &x, pnDone);
}

struct event_ctx {
  enum kg_err (*xRow)(void *pArg, struct kg_store *p, const struct kg_notify_event *e);
  void *pArg;
};

static enum kg_err each_event(void *pCtx, struct kg_store *p, sqlite3_stmt *s, int64_t *pId) {
  struct event_ctx *x = pCtx;
  struct kg_notify_event e;
  event_row(s, &e);
  *pId = e.id;
  return x->xRow(x->pArg, p, &e);
}

enum kg_err kg_store_notify_events(struct kg_store *p, int nMax,
                                   enum kg_err (*xRow)(void *pArg, struct kg_store *p,
                                                       const struct kg_notify_event *e),
                                   void *pArg, int *pnDone) {
  struct event_ctx x = {xRow, pArg};
  return notify_run(p, "follow_events", EVENT_SQL, nMax, each_event, &x, pnDone);
}

enum kg_err kg_store_notify_purge(struct kg_store *p, int64_t tBefore) {
  static const char *const azSql[] = {
      "DELETE FROM follow_unsubscribes WHERE created_at < ?1",
      "DELETE FROM email_confirmations WHERE expires_at < ?1",
  };
  for (size_t i = 0; i < sizeof(azSql) / sizeof(azSql[0]); i++) {
    sqlite3_stmt *s = NULL;
    enum kg_err rc = kg_store_sql_prepare(p, azSql[i], &s);
    if (rc) return rc;
    sqlite3_bind_int64(s, 1, tBefore);
    if ((rc = kg_store_sql_run(p, s, "notify purge")) != KG_OK) return rc;
  }
  return KG_OK;
}

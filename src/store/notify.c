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
  return kg_store_outbox_insert_lang(p, zTo, zSubject, zBody, zUnsub, NULL, tNow, pId);
}

enum kg_err kg_store_outbox_insert_lang(struct kg_store *p, const char *zTo, const char *zSubject,
                                        const char *zBody, const char *zUnsub, const char *zLang,
                                        int64_t tNow, int64_t *pId) {
  /* no language given: the account's of the address, if there is one */
  enum kg_err rc = kg_store_sql_exec_id(p, "outbox insert",
                                        "INSERT INTO outbox (to_addr, subject, body_text, "
                                        "created_at, next_attempt_at, list_unsubscribe, language) "
                                        "VALUES (?1, ?2, ?3, ?4, ?4, ?5, coalesce(?6, (SELECT "
                                        "language FROM accounts WHERE email = ?1))) RETURNING id",
                                        pId, "tttitt", zTo, zSubject, zBody, tNow, zUnsub, zLang);
  return rc;
}

/* ---- confirmation of the e-mail address ---- */

enum kg_err kg_store_email_confirm_issue(struct kg_store *p, int64_t accountId,
                                         const unsigned char aHash[32], int64_t tNow,
                                         int64_t expiresAt, const char *zSubject,
                                         const char *zBody) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  char zEmail[256] = "";
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  rc = kg_store_sql_query(p, &s,
                          "SELECT email, email_confirmed_at IS NOT NULL, (SELECT count(*) FROM "
                          "email_confirmations WHERE account_id = ?1 AND created_at > ?2) "
                          "FROM accounts WHERE id = ?1",
                          "ii", accountId, tNow - 3600);
  if (rc) goto out;
  if ((rc = kg_store_sql_row(p, s, "confirm account")) == KG_OK) {
    kg_store_col_copy(s, 0, zEmail, sizeof(zEmail));
    if (kg_db_col_int(s, 1))
      rc = KG_ECONFLICT;
    else if (kg_db_col_int(s, 2) >= KG_CONFIRM_PER_HOUR)
      rc = KG_ELIMIT;
  }
  kg_store_sql_done(p, s);
  if (rc) goto out;
  rc = kg_store_sql_query(p, &s,
                          "INSERT INTO email_confirmations (token_hash, account_id, created_at, "
                          "expires_at) VALUES (?1, ?2, ?3, ?4)",
                          "hiii", aHash, accountId, tNow, expiresAt);
  if (rc) goto out;
  if ((rc = kg_store_sql_run(p, s, "confirm insert")) != KG_OK) goto out;
  rc = kg_store_outbox_insert(p, zEmail, zSubject, zBody, tNow, NULL);
out:
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_email_confirm_use(struct kg_store *p, const unsigned char aHash[32],
                                       int64_t tNow, int64_t *pAccountId) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  int64_t accountId = 0;
  *pAccountId = 0;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  /* the conditional UPDATE is the check: of two racing uses one changes the row */
  rc = kg_store_sql_query(p, &s,
                          "UPDATE email_confirmations SET used_at = ?2 WHERE token_hash = ?1 "
                          "AND used_at IS NULL AND expires_at > ?2 RETURNING account_id",
                          "hi", aHash, tNow);
  if (rc) goto out;
  while ((rc = kg_store_sql_row(p, s, "confirm use")) == KG_OK)
    accountId = kg_db_col_i64(s, 0);
  kg_store_sql_done(p, s);
  if (rc != KG_ENOTFOUND) goto out;
  rc = KG_OK;
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
  return kg_store_sql_exec(
      p, "confirm account",
      "UPDATE accounts SET email_confirmed_at = coalesce(email_confirmed_at, ?2) WHERE id = ?1",
      "ii", accountId, tNow);
}

enum kg_err kg_store_email_confirmed_at(struct kg_store *p, int64_t accountId, int64_t *pAt) {
  struct kg_db_stmt *s = NULL;
  *pAt = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "SELECT coalesce(email_confirmed_at, 0) FROM accounts WHERE id = ?1", "i", accountId);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "confirmed at")) == KG_OK) *pAt = kg_db_col_i64(s, 0);
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- following discussions ---- */

enum kg_err kg_store_follow_set(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                int bFollow, int64_t tNow) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc;
  if (!bFollow) {
    rc = kg_store_sql_query(p, &s,
                            "DELETE FROM follows WHERE account_id = ?1 AND discussion_id = ?2",
                            "ii", accountId, discussionId);
    if (rc) return rc;
    return kg_store_sql_run(p, s, "unfollow");
  }
  rc =
      kg_store_sql_prepare(p,
                           "INSERT OR IGNORE INTO follows (account_id, discussion_id, created_at) "
                           "SELECT ?1, id, ?3 FROM discussions WHERE id = ?2 AND status <> 'draft'",
                           &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, accountId);
  kg_db_bind_i64(s, 2, discussionId);
  kg_db_bind_i64(s, 3, tNow);
  if ((rc = kg_store_sql_run(p, s, "follow")) != KG_OK) return rc;
  if (kg_db_changes(p) > 0) return KG_OK;
  int bFollowing = 0;
  if ((rc = kg_store_follow_get(p, accountId, discussionId, &bFollowing)) != KG_OK) return rc;
  return bFollowing ? KG_OK : KG_ENOTFOUND;
}

enum kg_err kg_store_follow_get(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                int *pbFollowing) {
  struct kg_db_stmt *s = NULL;
  *pbFollowing = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "SELECT 1 FROM follows WHERE account_id = ?1 AND discussion_id = ?2", "ii", accountId,
      discussionId);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "follow get")) == KG_OK) *pbFollowing = 1;
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_follow_list(struct kg_store *p, int64_t accountId,
                                 int (*xRow)(void *pArg, int64_t discussionId, const char *zTitle,
                                             const char *zStatus, int64_t createdAt),
                                 void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "SELECT d.id, d.title, d.status, f.created_at FROM follows "
                                      "f JOIN discussions d ON d.id = f.discussion_id WHERE "
                                      "f.account_id = ?1 ORDER BY f.created_at DESC, d.id DESC "
                                      "LIMIT 1000",
                                      "i", accountId);
  if (rc) return rc;
  while ((rc = kg_store_sql_row(p, s, "follow list")) == KG_OK)
    if (xRow(pArg, kg_db_col_i64(s, 0), kg_store_col_text(s, 1), kg_store_col_text(s, 2),
             kg_db_col_i64(s, 3)))
      break;
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_follow_token_insert(struct kg_store *p, const unsigned char aHash[32],
                                         int64_t accountId, int64_t discussionId, int64_t tNow) {
  return kg_store_sql_exec(p, "unsubscribe token insert",
                           "INSERT INTO follow_unsubscribes (token_hash, account_id, "
                           "discussion_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                           "hiii", aHash, accountId, discussionId, tNow);
}

enum kg_err kg_store_follow_unsubscribe(struct kg_store *p, const unsigned char aHash[32],
                                        int64_t *pDiscussionId) {
  struct kg_db_stmt *s = NULL;
  int64_t accountId = 0;
  *pDiscussionId = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "SELECT account_id, discussion_id FROM follow_unsubscribes WHERE token_hash = ?1", "h",
      aHash);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "unsubscribe token")) == KG_OK) {
    accountId = kg_db_col_i64(s, 0);
    *pDiscussionId = kg_db_col_i64(s, 1);
  } else if (rc == KG_ENOTFOUND) {
    rc = KG_EGONE;
  }
  kg_store_sql_done(p, s);
  if (rc) return rc;
  return kg_store_follow_set(p, accountId, *pDiscussionId, 0, 0);
}

enum kg_err
kg_store_follow_recipients(struct kg_store *p, int64_t discussionId, int64_t exceptAccountId,
                           int (*xRow)(void *pArg, int64_t accountId, const char *zEmail),
                           void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "SELECT a.id, a.email FROM follows f JOIN accounts a ON "
                                      "a.id = f.account_id WHERE f.discussion_id = ?1 AND "
                                      "a.email_confirmed_at IS NOT NULL AND a.id <> ?2 "
                                      "ORDER BY a.id",
                                      "ii", discussionId, exceptAccountId);
  if (rc) return rc;
  while ((rc = kg_store_sql_row(p, s, "follow recipients")) == KG_OK)
    if (xRow(pArg, kg_db_col_i64(s, 0), kg_store_col_text(s, 1))) break;
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- the mail worker's background steps ---- */

static enum kg_err cursor_get(struct kg_store *p, const char *zName, int64_t *pLast) {
  struct kg_db_stmt *s = NULL;
  *pLast = 0;
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT last_id FROM notify_cursors WHERE name = ?1", &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, zName);
  if ((rc = kg_store_sql_row(p, s, "cursor get")) == KG_OK) *pLast = kg_db_col_i64(s, 0);
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

static enum kg_err cursor_set(struct kg_store *p, const char *zName, int64_t last) {
  return kg_store_sql_exec(p, "cursor set",
                           "INSERT INTO notify_cursors (name, last_id) VALUES (?1, ?2) "
                           "ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id",
                           "ti", zName, last);
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

static void comment_row(struct kg_db_stmt *s, struct kg_notify_comment *c) {
  kg_store_cols(s, "iiiiikttttttttti", &c->id, &c->discussionId, &c->authorId, &c->parentId,
                &c->createdAt, &c->bOfficial, &c->zRegNo, &c->zKind, &c->zChannel, &c->zBody,
                &c->zBasis, &c->zDiscussionTitle, &c->zAuthorEmail, &c->zParentRegNo,
                &c->zParentAuthorEmail, &c->parentAuthorId);
}

#define EVENT_SQL                                                                                  \
  "SELECT e.id, e.discussion_id, e.at, e.from_status, e.to_status, e.note, d.title "               \
  "FROM discussion_events e JOIN discussions d ON d.id = e.discussion_id "                         \
  "WHERE e.id > ?1 ORDER BY e.id LIMIT ?2"

static void event_row(struct kg_db_stmt *s, struct kg_notify_event *e) {
  e->id = kg_db_col_i64(s, 0);
  e->discussionId = kg_db_col_i64(s, 1);
  e->at = kg_db_col_i64(s, 2);
  e->zFrom = kg_store_col_text(s, 3);
  e->zTo = kg_store_col_text(s, 4);
  e->zNote = kg_store_col_text(s, 5);
  e->zDiscussionTitle = kg_store_col_text(s, 6);
}

/* One step over the rows of zSql after cursor zName: xEach(pArg, p, s)
 * handles the current row and returns its id through *pId. */
static enum kg_err notify_run(struct kg_store *p, const char *zName, const char *zSql, int nMax,
                              enum kg_err (*xEach)(void *pCtx, struct kg_store *p,
                                                   struct kg_db_stmt *s, int64_t *pId),
                              void *pCtx, int *pnDone) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  int64_t last = 0, id = 0;
  int n = 0;
  *pnDone = 0;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  if ((rc = cursor_get(p, zName, &last)) != KG_OK) goto out;
  if ((rc = kg_store_sql_prepare(p, zSql, &s)) != KG_OK) goto out;
  kg_db_bind_i64(s, 1, last);
  kg_db_bind_int(s, 2, nMax);
  while ((rc = kg_store_sql_row(p, s, zName)) == KG_OK) {
    if ((rc = xEach(pCtx, p, s, &id)) != KG_OK) goto out;
    last = id, n++;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  if (rc == KG_OK && n) rc = cursor_set(p, zName, last);
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  if (rc == KG_OK) *pnDone = n;
  return rc;
}

struct comment_ctx {
  enum kg_err (*xRow)(void *pArg, struct kg_store *p, const struct kg_notify_comment *c);
  void *pArg;
};

static enum kg_err each_comment(void *pCtx, struct kg_store *p, struct kg_db_stmt *s,
                                int64_t *pId) {
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

static enum kg_err each_event(void *pCtx, struct kg_store *p, struct kg_db_stmt *s, int64_t *pId) {
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
    struct kg_db_stmt *s = NULL;
    enum kg_err rc = kg_store_sql_prepare(p, azSql[i], &s);
    if (rc) return rc;
    kg_db_bind_i64(s, 1, tBefore);
    if ((rc = kg_store_sql_run(p, s, "notify purge")) != KG_OK) return rc;
  }
  return KG_OK;
}

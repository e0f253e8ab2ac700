/* support.c: messages to technical support (table support_messages): the
 * insert, with the e-mail to support queued in the outbox in the same
 * transaction and a per-address rate limit, and the staff's reads. Never
 * logs names, addresses or message text. Moderators' answers (table
 * support_replies, each e-mailed to the sender through the outbox) and
 * closing a message are at the end. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "kengash/store_dept.h"

#define SUPPORT_COLUMNS                                                                            \
  "id, created_at, account_id, name, email, topic, body, page_url, status, outbox_id"

/* A row of SUPPORT_COLUMNS, borrowed until the next step. */
static void row_of(struct kg_db_stmt *s, struct kg_support_message *m) {
  kg_store_cols(s, "iiitttttti", &m->id, &m->createdAt, &m->accountId, &m->zName, &m->zEmail,
                &m->zTopic, &m->zBody, &m->zPageUrl, &m->zStatus, &m->outboxId);
}

/* KG_ELIMIT with *pnRetryAfter when zEmail sent KG_SUPPORT_RATE_MAX
 * messages in the window before tNow. */
static enum kg_err rate_check(struct kg_store *p, const char *zEmail, int64_t tNow,
                              int64_t *pnRetryAfter) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "SELECT count(*), min(created_at) FROM support_messages "
                                      "WHERE created_at > ?2 AND lower(email) = lower(?1)",
                                      "ti", zEmail, tNow - KG_SUPPORT_RATE_WINDOW);
  if (rc) return rc;
  if ((rc = kg_store_sql_one(p, s, "support rate")) == KG_OK &&
      kg_db_col_int(s, 0) >= KG_SUPPORT_RATE_MAX) {
    int64_t nWait = kg_db_col_i64(s, 1) + KG_SUPPORT_RATE_WINDOW - tNow + 1;
    if (pnRetryAfter) *pnRetryAfter = nWait > 0 ? nWait : 1;
    rc = KG_ELIMIT;
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* Composes and queues the e-mail for message m, then records its outbox id
 * on the message; inside the caller's transaction. */
static enum kg_err queue_mail(struct kg_store *p, const struct kg_support_mail *pMail,
                              const struct kg_support_message *m, int64_t tNow,
                              int64_t *pOutboxId) {
  char *zSubject = NULL, *zBody = NULL;
  struct kg_db_stmt *s = NULL;
  enum kg_err rc;
  pMail->xCompose(pMail->pArg, m, &zSubject, &zBody);
  if (!zSubject || !zBody) {
    rc = KG_EINVAL;
    goto out;
  }
  if ((rc = kg_store_outbox_insert(p, pMail->zTo, zSubject, zBody, tNow, pOutboxId)) != KG_OK)
    goto out;
  rc = kg_store_sql_query(p, &s, "UPDATE support_messages SET outbox_id = ?2 WHERE id = ?1", "ii",
                          m->id, *pOutboxId);
  if (rc) goto out;
  rc = kg_store_sql_run(p, s, "support outbox id");
out:
  free(zSubject);
  free(zBody);
  return rc;
}

enum kg_err kg_store_support_insert(struct kg_store *p, const struct kg_support_message *pIn,
                                    const struct kg_support_mail *pMail, int64_t tNow, int64_t *pId,
                                    int64_t *pOutboxId, int64_t *pnRetryAfter) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  int64_t outboxId = 0;
  struct kg_support_message m = *pIn;
  enum kg_err rc;

  *pId = 0;
  if (pOutboxId) *pOutboxId = 0;
  if (pnRetryAfter) *pnRetryAfter = 0;
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) goto out;
  if ((rc = rate_check(p, pIn->zEmail, tNow, pnRetryAfter)) != KG_OK) goto out;
  rc = kg_store_sql_query(p, &s,
                          "INSERT INTO support_messages (created_at, account_id, name, email, "
                          "topic, body, page_url) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                          "inttttt", tNow, pIn->accountId, pIn->zName, pIn->zEmail, pIn->zTopic,
                          pIn->zBody, pIn->zPageUrl);
  if (rc) goto out;
  rc = kg_store_sql_insert(p, s, "support insert", &m.id);
  s = NULL;
  if (rc) goto out;
  m.createdAt = tNow;
  m.zStatus = "new";
  if (pMail && pMail->zTo && pMail->zTo[0] && pMail->xCompose)
    rc = queue_mail(p, pMail, &m, tNow, &outboxId);
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  if (rc == KG_OK) {
    *pId = m.id;
    if (pOutboxId) *pOutboxId = outboxId;
  }
  return rc;
}

enum kg_err kg_store_support_list(struct kg_store *p, int64_t beforeId, int nLimit,
                                  int (*xRow)(void *pArg, const struct kg_support_message *),
                                  void *pArg) {
  return kg_store_support_list_status(p, NULL, beforeId, nLimit, xRow, pArg);
}

enum kg_err kg_store_support_list_status(struct kg_store *p, const char *zStatus, int64_t beforeId,
                                         int nLimit,
                                         int (*xRow)(void *pArg, const struct kg_support_message *),
                                         void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "SELECT " SUPPORT_COLUMNS " FROM support_messages "
                                      "WHERE (?1 = 0 OR id < ?1) AND (?3 IS NULL OR status = ?3) "
                                      "ORDER BY id DESC LIMIT ?2",
                                      "ikt", beforeId, nLimit > 0 ? nLimit : 50, zStatus);
  if (rc) return rc;
  while ((rc = kg_store_sql_row(p, s, "support list")) == KG_OK) {
    struct kg_support_message m;
    row_of(s, &m);
    if (xRow(pArg, &m)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_support_get(struct kg_store *p, int64_t id,
                                 int (*xRow)(void *pArg, const struct kg_support_message *),
                                 void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT " SUPPORT_COLUMNS " FROM support_messages WHERE id = ?1", &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_row(p, s, "support get")) == KG_OK) {
    struct kg_support_message m;
    row_of(s, &m);
    xRow(pArg, &m);
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- answers and status (the console's inbox) ---- */

/* KG_OK when message id exists, else KG_ENOTFOUND. */
static enum kg_err message_exists(struct kg_store *p, int64_t id) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_query(p, &s, "SELECT 1 FROM support_messages WHERE id = ?1", "i", id);
  if (rc) return rc;
  rc = kg_store_sql_row(p, s, "support exists");
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_support_reply(struct kg_store *p, int64_t id, int64_t authorId,
                                   const char *zBody, const char *zTo, const char *zSubject,
                                   const char *zText, int64_t tNow, int64_t *pId) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  int64_t outboxId = 0, replyId = 0;
  enum kg_err rc;
  *pId = 0;
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) goto out;
  if ((rc = message_exists(p, id)) != KG_OK) goto out;
  if ((rc = kg_store_outbox_insert(p, zTo, zSubject, zText, tNow, &outboxId)) != KG_OK) goto out;
  rc = kg_store_sql_query(p, &s,
                          "INSERT INTO support_replies (message_id, author_id, body, "
                          "created_at, outbox_id) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                          "intii", id, authorId, zBody, tNow, outboxId);
  if (rc) goto out;
  rc = kg_store_sql_insert(p, s, "support reply", &replyId);
  s = NULL;
  if (rc) goto out;
  rc = kg_store_modlog_insert(p, authorId, "support.reply", "support_message", id, NULL, tNow);
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  if (rc == KG_OK) *pId = replyId;
  return rc;
}

enum kg_err kg_store_support_set_status(struct kg_store *p, int64_t id, const char *zStatus,
                                        int64_t actorId, int64_t tNow) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  int bClose = strcmp(zStatus, "closed") == 0;
  enum kg_err rc;
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) goto out;
  if ((rc = message_exists(p, id)) != KG_OK) goto out;
  rc = kg_store_sql_query(p, &s,
                          "UPDATE support_messages SET status = ?2, closed_at = ?3, "
                          "closed_by = ?4 WHERE id = ?1 AND status <> ?2",
                          "itnn", id, zStatus, bClose ? tNow : 0, bClose ? actorId : 0);
  if (rc) goto out;
  rc = kg_store_sql_run(p, s, "support status");
  s = NULL;
  if (rc) goto out;
  if (kg_db_changes(p) == 0) {
    rc = KG_ECONFLICT;
    goto out;
  }
  rc = kg_store_modlog_insert(p, actorId, bClose ? "support.close" : "support.reopen",
                              "support_message", id, NULL, tNow);
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_support_replies(struct kg_store *p, int64_t id,
                                     int (*xRow)(void *pArg, const struct kg_support_reply *),
                                     void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT r.id, r.message_id, r.author_id, a.full_name, r.body, r.created_at, r.outbox_id "
      "FROM support_replies r LEFT JOIN accounts a ON a.id = r.author_id "
      "WHERE r.message_id = ?1 ORDER BY r.id",
      "i", id);
  if (rc) return rc;
  while ((rc = kg_store_sql_row(p, s, "support replies")) == KG_OK) {
    struct kg_support_reply m;
    kg_store_cols(s, "iiittii", &m.id, &m.messageId, &m.authorId, &m.zAuthorName, &m.zBody,
                  &m.createdAt, &m.outboxId);
    if (xRow(pArg, &m)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

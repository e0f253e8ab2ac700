/* outbox.c: the outbox of outgoing e-mail (queue, claim, mark sent / retry /
 * failed, purge) and password reset tokens. Messages are queued inside the
 * caller's transaction so that an e-mail exists exactly when the event that
 * causes it was committed. Never logs addresses, subjects or bodies. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ERR_BYTES 500

enum kg_err kg_store_outbox_insert(struct kg_store *p, const char *zTo, const char *zSubject,
                                   const char *zBody, int64_t tNow, int64_t *pId) {
  return kg_store_outbox_insert_unsub(p, zTo, zSubject, zBody, NULL, tNow, pId); /* notify.c */
}

/* A claimed message with its own copies of the strings. */
struct claimed {
  struct kg_outbox_msg m;
  char *zTo, *zSubject, *zBody, *zUnsub, *zLang;
};

static void claimed_free(struct claimed *a, int n) {
  for (int i = 0; i < n; i++) {
    free(a[i].zTo);
    free(a[i].zSubject);
    free(a[i].zBody);
    free(a[i].zUnsub);
    free(a[i].zLang);
  }
  free(a);
}

enum kg_err kg_store_outbox_claim_due(struct kg_store *p, int64_t tNow, int nMax, int nLeaseSec,
                                      int (*xMsg)(void *pArg, const struct kg_outbox_msg *),
                                      void *pArg, int *pnClaimed) {
  struct kg_db_stmt *s = NULL;
  struct kg_store_tx tx;
  struct claimed *a = NULL;
  int n = 0;
  enum kg_err rc;
  if (pnClaimed) *pnClaimed = 0;
  if (nMax <= 0) return KG_OK;
  if (nMax > 1000) nMax = 1000;
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) return rc;
  a = kg_xcalloc((size_t)nMax, sizeof(*a));
  rc = kg_store_sql_query(p, &s,
                          "SELECT id, to_addr, subject, body_text, created_at, attempts, "
                          "list_unsubscribe, language FROM outbox "
                          "WHERE status = 'pending' AND next_attempt_at <= ?1 "
                          "ORDER BY next_attempt_at, id LIMIT ?2",
                          "ik", tNow, nMax);
  if (rc) goto out;
  while (n < nMax && (rc = kg_store_sql_row(p, s, "outbox due")) == KG_OK) {
    struct claimed *c = &a[n++];
    c->m.id = kg_db_col_i64(s, 0);
    c->zTo = kg_store_col_dup(s, 1);
    c->zSubject = kg_store_col_dup(s, 2);
    c->zBody = kg_store_col_dup(s, 3);
    c->m.createdAt = kg_db_col_i64(s, 4);
    c->m.nAttempts = kg_db_col_int(s, 5);
    c->zUnsub = kg_store_col_dup(s, 6);
    c->m.zListUnsubscribe = c->zUnsub;
    c->zLang = kg_store_col_dup(s, 7);
    c->m.zLanguage = c->zLang;
    c->m.zTo = c->zTo ? c->zTo : "";
    c->m.zSubject = c->zSubject ? c->zSubject : "";
    c->m.zBody = c->zBody ? c->zBody : "";
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  if (rc) goto out;
  kg_store_sql_done(p, s);
  s = NULL;
  for (int i = 0; i < n && rc == KG_OK; i++) {
    if ((rc = kg_store_sql_prepare(p, "UPDATE outbox SET next_attempt_at = ?2 WHERE id = ?1",
                                   &s)) != KG_OK)
      goto out;
    kg_db_bind_i64(s, 1, a[i].m.id);
    kg_db_bind_i64(s, 2, tNow + (nLeaseSec > 0 ? nLeaseSec : 0));
    rc = kg_store_sql_run(p, s, "outbox lease");
    s = NULL;
  }
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  if (rc == KG_OK) {
    if (pnClaimed) *pnClaimed = n;
    for (int i = 0; i < n; i++)
      if (xMsg(pArg, &a[i].m)) break;
  }
  claimed_free(a, n);
  return rc;
}

/* Runs a one-row UPDATE on message id (?1) with text ?2 (NULL or an error,
 * truncated) and, when zSql has it, integer ?3; KG_ENOTFOUND when no row
 * changed. */
static enum kg_err outbox_update(struct kg_store *p, const char *zSql, const char *zWhat,
                                 int64_t msgId, const char *zText, int64_t iValue) {
  struct kg_db_stmt *s = NULL;
  char zErr[MAX_ERR_BYTES + 1];
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, msgId);
  if (zText) {
    /* truncate at a UTF-8 boundary */
    size_t n = strlen(zText);
    if (n > MAX_ERR_BYTES) {
      n = MAX_ERR_BYTES;
      while (n > 0 && ((unsigned char)zText[n] & 0xC0) == 0x80)
        n--;
    }
    memcpy(zErr, zText, n);
    zErr[n] = 0;
    kg_store_bind_text(s, 2, zErr);
  } else {
    kg_db_bind_null(s, 2);
  }
  if (kg_db_bind_count(s) >= 3) kg_db_bind_i64(s, 3, iValue);
  return kg_store_sql_change(p, s, zWhat);
}

enum kg_err kg_store_outbox_mark_sent(struct kg_store *p, int64_t id, int64_t tNow) {
  return outbox_update(p,
                       "UPDATE outbox SET status = 'sent', sent_at = ?3, body_text = '', "
                       "attempts = attempts + 1, last_error = ?2 "
                       "WHERE id = ?1 AND status = 'pending'",
                       "outbox mark sent", id, NULL, tNow);
}

enum kg_err kg_store_outbox_mark_retry(struct kg_store *p, int64_t id, int64_t nextAt,
                                       const char *zErr) {
  return outbox_update(p,
                       "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, "
                       "next_attempt_at = ?3 WHERE id = ?1 AND status = 'pending'",
                       "outbox mark retry", id, zErr ? zErr : "", nextAt);
}

enum kg_err kg_store_outbox_mark_failed(struct kg_store *p, int64_t id, const char *zErr) {
  return outbox_update(p,
                       "UPDATE outbox SET status = 'failed', attempts = attempts + 1, "
                       "last_error = ?2, body_text = '' "
                       "WHERE id = ?1 AND status = 'pending'",
                       "outbox mark failed", id, zErr ? zErr : "", 0);
}

enum kg_err kg_store_outbox_status(struct kg_store *p, int64_t id, char zStatus[16],
                                   int *pnAttempts) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_query(p, &s, "SELECT status, attempts FROM outbox WHERE id = ?1", "i", id);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "outbox status")) == KG_OK) {
    kg_store_col_copy(s, 0, zStatus, 16);
    if (pnAttempts) *pnAttempts = kg_db_col_int(s, 1);
  }
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_outbox_stats(struct kg_store *p, struct kg_outbox_stats *pOut) {
  memset(pOut, 0, sizeof(*pOut));
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "SELECT coalesce(sum(status = 'pending'), 0), "
                                        "coalesce(sum(status = 'pending' AND attempts > 0), 0), "
                                        "coalesce(sum(status = 'failed'), 0), "
                                        "coalesce(min(CASE WHEN status = 'pending' "
                                        "THEN created_at END), 0) FROM outbox",
                                        &s);
  if (rc) return rc;
  if ((rc = kg_store_sql_one(p, s, "outbox stats")) == KG_OK) {
    pOut->nPending = kg_db_col_i64(s, 0);
    pOut->nRetrying = kg_db_col_i64(s, 1);
    pOut->nFailed = kg_db_col_i64(s, 2);
    pOut->tOldestPending = kg_db_col_i64(s, 3);
  }
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_outbox_purge(struct kg_store *p, int64_t tBefore, int *pnDeleted) {
  struct kg_db_stmt *s = NULL;
  if (pnDeleted) *pnDeleted = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "DELETE FROM outbox WHERE status IN ('sent', 'failed') AND created_at < ?1", "i",
      tBefore);
  if (rc) return rc;
  rc = kg_store_sql_run(p, s, "outbox purge");
  if (rc == KG_OK && pnDeleted) *pnDeleted = kg_db_changes(p);
  return rc;
}

/* ---- password reset tokens ---- */

enum kg_err kg_store_password_reset_insert(struct kg_store *p, const unsigned char aTokenHash[32],
                                           int64_t accountId, int64_t tNow, int64_t expiresAt) {
  return kg_store_sql_exec(p, "password reset insert",
                           "INSERT INTO password_resets (token_hash, account_id, created_at, "
                           "expires_at) VALUES (?1, ?2, ?3, ?4)",
                           "hiii", aTokenHash, accountId, tNow, expiresAt);
}

enum kg_err kg_store_password_reset_count_since(struct kg_store *p, int64_t accountId,
                                                int64_t tSince, int *pn) {
  struct kg_db_stmt *s = NULL;
  *pn = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "SELECT count(*) FROM password_resets WHERE account_id = ?1 AND created_at >= ?2",
      "ii", accountId, tSince);
  if (rc) return rc;
  if ((rc = kg_store_sql_one(p, s, "password reset count")) == KG_OK) *pn = kg_db_col_int(s, 0);
  kg_store_sql_done(p, s);
  return rc;
}

/* The writer's job for kg_store_password_reset_request_async. */
static enum kg_err reset_request_job(struct kg_store *p, void *pArg) {
  struct kg_reset_request *q = pArg;
  struct kg_store_tx tx = {0, 0};
  struct kg_account acc;
  int nRecent = 0;
  q->accountId = q->outboxId = 0;
  enum kg_err rc = kg_store_account_by_email(p, q->zEmail, &acc, NULL, 0);
  if (rc == KG_ENOTFOUND) return KG_OK;
  if (rc) return rc;
  q->accountId = acc.id;
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) return rc;
  rc = kg_store_password_reset_count_since(p, acc.id, q->tNow - 3600, &nRecent);
  if (rc == KG_OK && nRecent < q->nMaxPerHour) {
    rc = kg_store_password_reset_insert(p, q->aTokenHash, acc.id, q->tNow, q->expiresAt);
    if (rc == KG_OK)
      rc = kg_store_outbox_insert(p, acc.zEmail, q->zSubject, q->zBody, q->tNow, &q->outboxId);
  }
  kg_store_tx_finish(p, &tx, &rc);
  if (rc != KG_OK) q->outboxId = 0;
  return rc;
}

void kg_store_password_reset_request_async(struct kg_store *p, struct kg_reset_request *pReq,
                                           kg_store_done_fn xDone, void *pDoneArg) {
  kg_store_write_async(p, reset_request_job, pReq, xDone, pDoneArg);
}

enum kg_err kg_store_password_reset_peek(struct kg_store *p, const unsigned char aTokenHash[32],
                                         int64_t tNow, int64_t *pAccountId) {
  struct kg_db_stmt *s = NULL;
  *pAccountId = 0;
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "SELECT account_id, used_at IS NOT NULL, expires_at "
                                      "FROM password_resets WHERE token_hash = ?1",
                                      "h", aTokenHash);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "password reset peek")) == KG_OK) {
    if (kg_db_col_int(s, 1) || kg_db_col_i64(s, 2) <= tNow)
      rc = KG_EGONE;
    else
      *pAccountId = kg_db_col_i64(s, 0);
  }
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_password_reset_use(struct kg_store *p, const unsigned char aTokenHash[32],
                                        int64_t tNow, int64_t *pAccountId) {
  struct kg_db_stmt *s = NULL;
  struct kg_store_tx tx;
  int64_t accountId = 0;
  *pAccountId = 0;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  /* the conditional UPDATE is the check: of two racing uses one changes the row */
  rc = kg_store_sql_query(p, &s,
                          "UPDATE password_resets SET used_at = ?2 WHERE token_hash = ?1 "
                          "AND used_at IS NULL AND expires_at > ?2 RETURNING account_id",
                          "hi", aTokenHash, tNow);
  if (rc) goto out;
  while ((rc = kg_store_sql_row(p, s, "password reset use")) == KG_OK)
    accountId = kg_db_col_i64(s, 0);
  if (rc != KG_ENOTFOUND) goto out;
  kg_store_sql_done(p, s);
  s = NULL;
  if (!accountId) {
    int64_t ignored;
    rc = kg_store_password_reset_peek(p, aTokenHash, tNow, &ignored);
    if (rc == KG_OK) rc = KG_EGONE; /* cannot happen inside the transaction */
    goto out;
  }
  rc = kg_store_sql_query(
      p, &s, "UPDATE password_resets SET used_at = ?2 WHERE account_id = ?1 AND used_at IS NULL",
      "ii", accountId, tNow);
  if (rc) goto out;
  rc = kg_store_sql_run(p, s, "password reset revoke");
  s = NULL;
  if (rc == KG_OK) *pAccountId = accountId;
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  if (rc != KG_OK) *pAccountId = 0;
  return rc;
}

enum kg_err kg_store_password_reset_purge(struct kg_store *p, int64_t tBefore) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_query(p, &s, "DELETE FROM password_resets WHERE expires_at < ?1", "i", tBefore);
  if (rc) return rc;
  return kg_store_sql_run(p, s, "password reset purge");
}

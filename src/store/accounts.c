/* accounts.c: accounts and sessions. Session tokens are stored only as
 * their SHA-256; e-mails are unique without regard to ASCII case. */
#include "store_int.h"

#include <string.h>

#define ACCOUNT_COLS "id, email, full_name, role, created_at"

static void account_row(sqlite3_stmt *s, struct kg_account *pOut) {
  memset(pOut, 0, sizeof(*pOut));
  pOut->id = sqlite3_column_int64(s, 0);
  kg_store_col_copy(s, 1, pOut->zEmail, sizeof(pOut->zEmail));
  kg_store_col_copy(s, 2, pOut->zFullName, sizeof(pOut->zFullName));
  kg_store_col_copy(s, 3, pOut->zRole, sizeof(pOut->zRole));
  pOut->createdAt = sqlite3_column_int64(s, 4);
}

enum kg_err kg_store_account_insert(struct kg_store *p, const char *zEmail, const char *zHash,
                                    const char *zFullName, const char *zRole, int64_t consentAt,
                                    int64_t *pId) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_stmt(p, STMT_ACCOUNT_INSERT,
                                 "INSERT INTO accounts (email, password_hash, full_name, role, "
                                 "consent_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                 &s);
  if (rc) goto out;
  kg_store_bind_text(s, 1, zEmail);
  kg_store_bind_text(s, 2, zHash);
  kg_store_bind_text(s, 3, zFullName ? zFullName : "");
  kg_store_bind_text(s, 4, zRole ? zRole : "citizen");
  sqlite3_bind_int64(s, 5, consentAt);
  sqlite3_bind_int64(s, 6, kg_time_now());
  int src = sqlite3_step(s);
  if (src != SQLITE_DONE) {
    rc = kg_store_dberr(p, src, "account insert");
    goto out;
  }
  if (pId) *pId = sqlite3_last_insert_rowid(p->db);
out:
  kg_store_stmt_done(p, STMT_ACCOUNT_INSERT, s);
  return rc;
}

enum kg_err kg_store_account_get(struct kg_store *p, int64_t id, struct kg_account *pOut) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc =
      kg_store_stmt(p, STMT_ACCOUNT_GET, "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = ?1", &s);
  if (rc) goto out;
  sqlite3_bind_int64(s, 1, id);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW)
    account_row(s, pOut);
  else if (src == SQLITE_DONE)
    rc = KG_ENOTFOUND;
  else
    rc = kg_store_dberr(p, src, "account get");
out:
  kg_store_stmt_done(p, STMT_ACCOUNT_GET, s);
  return rc;
}

enum kg_err kg_store_account_by_email(struct kg_store *p, const char *zEmail,
                                      struct kg_account *pOut, char *zHash, size_t nHash) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_stmt(p, STMT_ACCOUNT_BY_EMAIL,
                                 "SELECT " ACCOUNT_COLS ", password_hash FROM accounts "
                                 "WHERE email = ?1",
                                 &s);
  if (rc) goto out;
  kg_store_bind_text(s, 1, zEmail);
  int src = sqlite3_step(s);
  if (src == SQLITE_DONE) {
    rc = KG_ENOTFOUND;
    goto out;
  }
  if (src != SQLITE_ROW) {
    rc = kg_store_dberr(p, src, "account by email");
    goto out;
  }
  account_row(s, pOut);
  if (zHash && nHash) {
    /* a truncated hash would never verify: refuse instead */
    if ((size_t)sqlite3_column_bytes(s, 5) >= nHash) {
      kg_log_error("store password hash longer than the buffer account=%lld", (long long)pOut->id);
      rc = KG_ETOOBIG;
      goto out;
    }
    kg_store_col_copy(s, 5, zHash, nHash);
  }
out:
  kg_store_stmt_done(p, STMT_ACCOUNT_BY_EMAIL, s);
  return rc;
}

/* One-row UPDATE: KG_ENOTFOUND when no row changed. */
static enum kg_err update_one(struct kg_store *p, enum kg_stmt id, const char *zSql,
                              const char *zWhat, int64_t rowId, const char *zValue) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_stmt(p, id, zSql, &s);
  if (rc) goto out;
  kg_store_bind_text(s, 1, zValue);
  sqlite3_bind_int64(s, 2, rowId);
  int src = sqlite3_step(s);
  if (src != SQLITE_DONE)
    rc = kg_store_dberr(p, src, zWhat);
  else if (sqlite3_changes(p->db) == 0)
    rc = KG_ENOTFOUND;
out:
  kg_store_stmt_done(p, id, s);
  return rc;
}

enum kg_err kg_store_account_set_role(struct kg_store *p, int64_t id, const char *zRole) {
  return update_one(p, STMT_ACCOUNT_SET_ROLE, "UPDATE accounts SET role = ?1 WHERE id = ?2",
                    "account set role", id, zRole);
}

enum kg_err kg_store_account_set_password(struct kg_store *p, int64_t id, const char *zHash) {
  return update_one(p, STMT_ACCOUNT_SET_PASSWORD,
                    "UPDATE accounts SET password_hash = ?1 WHERE id = ?2", "account set password",
                    id, zHash);
}

/* ---- sessions ---- */

enum kg_err kg_store_session_insert(struct kg_store *p, const unsigned char aTokenHash[32],
                                    int64_t accountId, const char *zCsrf, int64_t expiresAt) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_stmt(p, STMT_SESSION_INSERT,
                                 "INSERT INTO sessions (token_hash, account_id, csrf, "
                                 "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                                 &s);
  if (rc) goto out;
  sqlite3_bind_blob(s, 1, aTokenHash, 32, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, accountId);
  kg_store_bind_text(s, 3, zCsrf);
  sqlite3_bind_int64(s, 4, kg_time_now());
  sqlite3_bind_int64(s, 5, expiresAt);
  int src = sqlite3_step(s);
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "session insert");
out:
  kg_store_stmt_done(p, STMT_SESSION_INSERT, s);
  return rc;
}

enum kg_err kg_store_session_get(struct kg_store *p, const unsigned char aTokenHash[32],
                                 int64_t tNow, struct kg_session *pOut) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_stmt(p, STMT_SESSION_GET,
                                 "SELECT account_id, csrf, expires_at FROM sessions "
                                 "WHERE token_hash = ?1 AND expires_at > ?2",
                                 &s);
  if (rc) goto out;
  sqlite3_bind_blob(s, 1, aTokenHash, 32, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, tNow);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW) {
    memset(pOut, 0, sizeof(*pOut));
    pOut->accountId = sqlite3_column_int64(s, 0);
    kg_store_col_copy(s, 1, pOut->zCsrf, sizeof(pOut->zCsrf));
    pOut->expiresAt = sqlite3_column_int64(s, 2);
  } else if (src == SQLITE_DONE) {
    rc = KG_ENOTFOUND;
  } else {
    rc = kg_store_dberr(p, src, "session get");
  }
out:
  kg_store_stmt_done(p, STMT_SESSION_GET, s);
  return rc;
}

enum kg_err kg_store_session_touch(struct kg_store *p, const unsigned char aTokenHash[32],
                                   int64_t expiresAt) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_stmt(p, STMT_SESSION_TOUCH,
                                 "UPDATE sessions SET expires_at = ?2 WHERE token_hash = ?1", &s);
  if (rc) goto out;
  sqlite3_bind_blob(s, 1, aTokenHash, 32, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, expiresAt);
  int src = sqlite3_step(s);
  if (src != SQLITE_DONE)
    rc = kg_store_dberr(p, src, "session touch");
  else if (sqlite3_changes(p->db) == 0)
    rc = KG_ENOTFOUND;
out:
  kg_store_stmt_done(p, STMT_SESSION_TOUCH, s);
  return rc;
}

enum kg_err kg_store_session_delete(struct kg_store *p, const unsigned char aTokenHash[32]) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc =
      kg_store_stmt(p, STMT_SESSION_DELETE, "DELETE FROM sessions WHERE token_hash = ?1", &s);
  if (rc) goto out;
  sqlite3_bind_blob(s, 1, aTokenHash, 32, SQLITE_TRANSIENT);
  int src = sqlite3_step(s);
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "session delete");
out:
  kg_store_stmt_done(p, STMT_SESSION_DELETE, s);
  return rc;
}

enum kg_err kg_store_session_delete_account(struct kg_store *p, int64_t accountId) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_stmt(p, STMT_SESSION_DELETE_ACCOUNT,
                                 "DELETE FROM sessions WHERE account_id = ?1", &s);
  if (rc) goto out;
  sqlite3_bind_int64(s, 1, accountId);
  int src = sqlite3_step(s);
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "session delete account");
out:
  kg_store_stmt_done(p, STMT_SESSION_DELETE_ACCOUNT, s);
  return rc;
}

/* ---- roles and the admins' account list ---- */

/* A statement prepared for one call and finalized by the caller: these run
 * rarely (admins' actions), so they stay out of the statement cache. */
static enum kg_err prepare_once(struct kg_store *p, const char *zSql, sqlite3_stmt **ppStmt) {
  int src = sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, NULL);
  if (src != SQLITE_OK) {
    *ppStmt = NULL;
    return kg_store_dberr(p, src, "prepare");
  }
  return KG_OK;
}

/* *pn = the number of admin accounts. */
static enum kg_err count_admins(struct kg_store *p, int64_t *pn) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = prepare_once(p, "SELECT count(*) FROM accounts WHERE role = 'admin'", &s);
  if (rc) return rc;
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW)
    *pn = sqlite3_column_int64(s, 0);
  else
    rc = kg_store_dberr(p, src, "count admins");
  sqlite3_finalize(s);
  return rc;
}

enum kg_err kg_store_account_change_role(struct kg_store *p, int64_t actorId, int64_t id,
                                         const char *zRole, int64_t tNow, int *pbChanged) {
  struct kg_store_tx tx = {0, 0};
  struct kg_account acc;
  int64_t nAdmin = 0;
  if (pbChanged) *pbChanged = 0;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) goto out;
  if ((rc = kg_store_account_get(p, id, &acc)) != KG_OK) goto out;
  if (strcmp(acc.zRole, zRole) == 0) goto out; /* nothing to change, nothing to log */
  if ((rc = kg_store_account_set_role(p, id, zRole)) != KG_OK) goto out;
  /* inside the write transaction, so two admins demoting each other at
   * once cannot both succeed */
  if ((rc = count_admins(p, &nAdmin)) != KG_OK) goto out;
  if (nAdmin == 0) {
    rc = KG_ECONFLICT;
    goto out;
  }
  rc = kg_store_modlog_insert(p, actorId, "account.role", "account", id, zRole, tNow);
  if (rc == KG_OK && pbChanged) *pbChanged = 1;
out:
  if (tx.bActive) {
    enum kg_err rc2 = kg_store_tx_end(p, &tx, rc == KG_OK);
    if (rc == KG_OK) rc = rc2;
  }
  if (rc != KG_OK && pbChanged) *pbChanged = 0;
  return rc;
}

enum kg_err kg_store_account_list(struct kg_store *p, const char *zRole, int64_t afterId,
                                  int nLimit, int (*xRow)(void *pArg, const struct kg_account *),
                                  void *pArg) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = prepare_once(p,
                                "SELECT " ACCOUNT_COLS " FROM accounts WHERE id > ?1 "
                                "AND (?2 IS NULL OR role = ?2) ORDER BY id LIMIT ?3",
                                &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, afterId);
  kg_store_bind_text(s, 2, zRole);
  sqlite3_bind_int(s, 3, nLimit);
  int src;
  struct kg_account acc;
  while ((src = sqlite3_step(s)) == SQLITE_ROW) {
    account_row(s, &acc);
    if (xRow(pArg, &acc)) {
      src = SQLITE_DONE;
      break;
    }
  }
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "account list");
  sqlite3_finalize(s);
  return rc;
}

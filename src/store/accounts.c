/* accounts.c: accounts and sessions. Session tokens are stored only as
 * their SHA-256; e-mails are unique without regard to ASCII case. */
#include "store_int.h"

#include <string.h>

#define ACCOUNT_COLS_OF(T)                                                                         \
  T "id, " T "email, " T "full_name, " T "role, " T "created_at, " T "language"
#define ACCOUNT_COLS ACCOUNT_COLS_OF("")
/* the column after ACCOUNT_COLS */
#define ACCOUNT_NCOLS 6

static void account_row(struct kg_db_stmt *s, struct kg_account *pOut) {
  memset(pOut, 0, sizeof(*pOut));
  pOut->id = kg_db_col_i64(s, 0);
  kg_store_col_copy(s, 1, pOut->zEmail, sizeof(pOut->zEmail));
  kg_store_col_copy(s, 2, pOut->zFullName, sizeof(pOut->zFullName));
  kg_store_col_copy(s, 3, pOut->zRole, sizeof(pOut->zRole));
  pOut->createdAt = kg_db_col_i64(s, 4);
  kg_store_col_copy(s, 5, pOut->zLanguage, sizeof(pOut->zLanguage));
}

enum kg_err kg_store_account_insert(struct kg_store *p, const char *zEmail, const char *zHash,
                                    const char *zFullName, const char *zRole, int64_t consentAt,
                                    int64_t *pId) {
  enum kg_err rc = kg_store_sql_exec_id(p, "account insert",
                                        "INSERT INTO accounts (email, password_hash, full_name, "
                                        "role, consent_at, created_at) "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                                        pId, "ttttii", zEmail, zHash, zFullName ? zFullName : "",
                                        zRole ? zRole : "citizen", consentAt, kg_time_now());
  return rc;
}

enum kg_err kg_store_account_get(struct kg_store *p, int64_t id, struct kg_account *pOut) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = ?1", &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_row(p, s, "account get")) == KG_OK) account_row(s, pOut);
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_account_by_email(struct kg_store *p, const char *zEmail,
                                      struct kg_account *pOut, char *zHash, size_t nHash) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "SELECT " ACCOUNT_COLS ", password_hash FROM accounts WHERE email = ?1", "t", zEmail);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "account by email")) != KG_OK) goto out;
  account_row(s, pOut);
  if (zHash && nHash) {
    /* a truncated hash would never verify: refuse instead */
    if ((size_t)kg_db_col_bytes(s, ACCOUNT_NCOLS) >= nHash) {
      kg_log_error("store password hash longer than the buffer account=%lld", (long long)pOut->id);
      rc = KG_ETOOBIG;
      goto out;
    }
    kg_store_col_copy(s, ACCOUNT_NCOLS, zHash, nHash);
  }
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* One-row UPDATE: KG_ENOTFOUND when no row changed. */
static enum kg_err update_one(struct kg_store *p, const char *zSql, const char *zWhat,
                              int64_t rowId, const char *zValue) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, zValue);
  kg_db_bind_i64(s, 2, rowId);
  return kg_store_sql_change(p, s, zWhat);
}

enum kg_err kg_store_account_set_language(struct kg_store *p, int64_t id, const char *zLang) {
  return kg_store_sql_exec_change(p, "account set language",
                                  "UPDATE accounts SET language = ?2 WHERE id = ?1", "it", id,
                                  zLang);
}

/* The language in the one text column of query s (then finished);
 * Russian without a row. */
static enum kg_lang language_of(struct kg_store *p, struct kg_db_stmt *s, enum kg_err rc) {
  enum kg_lang eLang = KG_LANG_RU;
  if (rc == KG_OK && kg_store_sql_row(p, s, "account language") == KG_OK)
    eLang = kg_lang_parse(kg_db_col_text(s, 0));
  kg_store_sql_done(p, s);
  return eLang;
}

enum kg_lang kg_store_account_language(struct kg_store *p, int64_t id) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_query(p, &s, "SELECT language FROM accounts WHERE id = ?1", "i", id);
  return language_of(p, s, rc);
}

enum kg_lang kg_store_address_language(struct kg_store *p, const char *zEmail) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(p, &s, "SELECT language FROM accounts WHERE email = ?1", "t",
                                      zEmail ? zEmail : "");
  return language_of(p, s, rc);
}

enum kg_err kg_store_account_set_role(struct kg_store *p, int64_t id, const char *zRole) {
  return update_one(p, "UPDATE accounts SET role = ?1 WHERE id = ?2", "account set role", id,
                    zRole);
}

enum kg_err kg_store_account_set_password(struct kg_store *p, int64_t id, const char *zHash) {
  return update_one(p, "UPDATE accounts SET password_hash = ?1 WHERE id = ?2",
                    "account set password", id, zHash);
}

/* ---- sessions ---- */

enum kg_err kg_store_session_insert(struct kg_store *p, const unsigned char aTokenHash[32],
                                    int64_t accountId, const char *zCsrf, int64_t expiresAt) {
  return kg_store_sql_exec(p, "session insert",
                           "INSERT INTO sessions (token_hash, account_id, csrf, "
                           "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                           "hitii", aTokenHash, accountId, zCsrf, kg_time_now(), expiresAt);
}

enum kg_err kg_store_session_get(struct kg_store *p, const unsigned char aTokenHash[32],
                                 int64_t tNow, struct kg_session *pOut,
                                 struct kg_account *pAccount) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT " ACCOUNT_COLS_OF("a.") ", s.csrf, s.expires_at FROM sessions s "
                                      "JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = "
                                      "?1 AND s.expires_at > ?2",
      "hi", aTokenHash, tNow);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "session get")) == KG_OK) {
    memset(pOut, 0, sizeof(*pOut));
    pOut->accountId = kg_db_col_i64(s, 0);
    kg_store_col_copy(s, ACCOUNT_NCOLS, pOut->zCsrf, sizeof(pOut->zCsrf));
    pOut->expiresAt = kg_db_col_i64(s, ACCOUNT_NCOLS + 1);
    if (pAccount) account_row(s, pAccount);
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* Runs zSql (a change keyed by ?1 = a session token's hash, ?2 = iValue
 * when it has one); KG_ENOTFOUND when bOne and no row changed. */
static enum kg_err session_change(struct kg_store *p, const char *zSql, const char *zWhat,
                                  const unsigned char *aTokenHash, int64_t iValue, int bOne) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  if (aTokenHash)
    kg_db_bind_blob(s, 1, aTokenHash, 32);
  else
    kg_db_bind_i64(s, 1, iValue);
  if (aTokenHash && kg_db_bind_count(s) >= 2) kg_db_bind_i64(s, 2, iValue);
  return bOne ? kg_store_sql_change(p, s, zWhat) : kg_store_sql_run(p, s, zWhat);
}

enum kg_err kg_store_session_touch(struct kg_store *p, const unsigned char aTokenHash[32],
                                   int64_t expiresAt) {
  return session_change(p, "UPDATE sessions SET expires_at = ?2 WHERE token_hash = ?1",
                        "session touch", aTokenHash, expiresAt, 1);
}

enum kg_err kg_store_session_delete(struct kg_store *p, const unsigned char aTokenHash[32]) {
  return session_change(p, "DELETE FROM sessions WHERE token_hash = ?1", "session delete",
                        aTokenHash, 0, 0);
}

enum kg_err kg_store_session_delete_account(struct kg_store *p, int64_t accountId) {
  return session_change(p, "DELETE FROM sessions WHERE account_id = ?1", "session delete account",
                        NULL, accountId, 0);
}

/* ---- roles and the admins' account list ---- */

/* *pn = the number of admin accounts. */
static enum kg_err count_admins(struct kg_store *p, int64_t *pn) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT count(*) FROM accounts WHERE role = 'admin'", &s);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "count admins")) == KG_OK) *pn = kg_db_col_i64(s, 0);
  kg_store_sql_done(p, s);
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
  kg_store_tx_finish(p, &tx, &rc);
  if (rc != KG_OK && pbChanged) *pbChanged = 0;
  return rc;
}

/* kg_store_account_list's walk: each row to the caller's xRow. */
struct account_walk {
  int (*xRow)(void *pArg, const struct kg_account *);
  void *pArg;
};
static int account_each(void *pArg, struct kg_db_stmt *s) {
  struct account_walk *w = pArg;
  struct kg_account acc;
  account_row(s, &acc);
  return w->xRow(w->pArg, &acc);
}

enum kg_err kg_store_account_list(struct kg_store *p, const char *zRole, int64_t afterId,
                                  int nLimit, int (*xRow)(void *pArg, const struct kg_account *),
                                  void *pArg) {
  struct kg_db_stmt *s = NULL;
  struct account_walk w = {xRow, pArg};
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "SELECT " ACCOUNT_COLS " FROM accounts WHERE id > ?1 "
                                      "AND (?2 IS NULL OR role = ?2) ORDER BY id LIMIT ?3",
                                      "itk", afterId, zRole, nLimit);
  if (rc) return rc;
  rc = kg_store_sql_each(p, s, account_each, &w, "account list");
  kg_store_sql_done(p, s);
  return rc;
}

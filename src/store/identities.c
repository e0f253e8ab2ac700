/* identities.c: accounts signed in through an identity provider — the
 * (issuer, subject) keys, the secrets of a sign-in in progress, pending
 * links to password accounts, and applying what the provider attests
 * (name, birth date, residence, properties) in one transaction. */
#include "kengash/store_notify.h"
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

enum kg_err kg_store_oidc_login_insert(struct kg_store *p, const unsigned char aStateHash[32],
                                       const struct kg_oidc_login *pIn, int64_t tNow,
                                       int64_t expiresAt) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, "DELETE FROM oidc_logins WHERE expires_at <= ?1", &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, tNow);
  if ((rc = kg_store_sql_run(p, s, "oidc login purge")) != KG_OK) return rc;
  rc = kg_store_sql_prepare(p,
                            "INSERT INTO oidc_logins (state_hash, nonce, verifier, next, "
                            "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                            &s);
  if (rc) return rc;
  sqlite3_bind_blob(s, 1, aStateHash, 32, SQLITE_STATIC);
  kg_store_bind_text(s, 2, pIn->zNonce);
  kg_store_bind_text(s, 3, pIn->zVerifier);
  kg_store_bind_text(s, 4, pIn->zNext);
  sqlite3_bind_int64(s, 5, expiresAt);
  return kg_store_sql_run(p, s, "oidc login insert");
}

enum kg_err kg_store_oidc_login_take(struct kg_store *p, const unsigned char aStateHash[32],
                                     int64_t tNow, struct kg_oidc_login *pOut) {
  sqlite3_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  /* DELETE ... RETURNING: of two callbacks with the same state one wins */
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "DELETE FROM oidc_logins WHERE state_hash = ?1 "
                                        "RETURNING nonce, verifier, next, expires_at",
                                        &s);
  if (rc) return rc;
  sqlite3_bind_blob(s, 1, aStateHash, 32, SQLITE_STATIC);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW) {
    kg_store_col_copy(s, 0, pOut->zNonce, sizeof(pOut->zNonce));
    kg_store_col_copy(s, 1, pOut->zVerifier, sizeof(pOut->zVerifier));
    kg_store_col_copy(s, 2, pOut->zNext, sizeof(pOut->zNext));
    if (sqlite3_column_int64(s, 3) <= tNow) rc = KG_EGONE;
    src = sqlite3_step(s);
  } else if (src == SQLITE_DONE) {
    rc = KG_ENOTFOUND;
  }
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "oidc login take");
  kg_store_sql_done(p, s);
  return rc;
}

/* The account of (issuer, subject) in *pId; KG_ENOTFOUND when none. */
static enum kg_err identity_account(struct kg_store *p, const char *zIssuer, const char *zSubject,
                                    int64_t *pId) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "SELECT account_id FROM account_identities "
                                        "WHERE issuer = ?1 AND subject = ?2",
                                        &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, zIssuer);
  kg_store_bind_text(s, 2, zSubject);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW)
    *pId = sqlite3_column_int64(s, 0);
  else if (src == SQLITE_DONE)
    rc = KG_ENOTFOUND;
  else
    rc = kg_store_dberr(p, src, "identity get");
  kg_store_sql_done(p, s);
  return rc;
}

static enum kg_err identity_insert(struct kg_store *p, const char *zIssuer, const char *zSubject,
                                   int64_t accountId, int64_t tNow) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "INSERT INTO account_identities (issuer, subject, "
                                        "account_id, created_at, last_login_at) "
                                        "VALUES (?1, ?2, ?3, ?4, ?4)",
                                        &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, zIssuer);
  kg_store_bind_text(s, 2, zSubject);
  sqlite3_bind_int64(s, 3, accountId);
  sqlite3_bind_int64(s, 4, tNow);
  return kg_store_sql_run(p, s, "identity insert");
}

/* Applies the attested name and birth date and marks the account. */
static enum kg_err attest_person(struct kg_store *p, int64_t accountId,
                                 const struct kg_identity_signin *pIn, int64_t tNow) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "UPDATE accounts SET full_name = coalesce(nullif(?2, ''), full_name), "
      "birth_date = coalesce(nullif(?3, ''), birth_date), attested_by = ?4, attested_at = ?5 "
      "WHERE id = ?1",
      &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, accountId);
  kg_store_bind_text(s, 2, pIn->zFullName ? pIn->zFullName : "");
  kg_store_bind_text(s, 3, pIn->zBirthDate ? pIn->zBirthDate : "");
  kg_store_bind_text(s, 4, pIn->zIssuer);
  sqlite3_bind_int64(s, 5, tNow);
  return kg_store_sql_run(p, s, "account attest");
}

/* The residence: located -> verified by the provider (and any pending
 * attestation dropped); not located -> queued for a moderator, unless the
 * account already has a residence verified with that same address. */
static enum kg_err attest_residence(struct kg_store *p, int64_t accountId,
                                    const struct kg_identity_signin *pIn, int64_t tNow,
                                    struct kg_identity_result *pOut) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc;
  if (pIn->bLocated) {
    rc = kg_store_residence_put(p, accountId, pIn->zAddress, pIn->lon, pIn->lat, "registry", 1,
                                "identity_provider", NULL, tNow, NULL);
    if (rc) return rc;
    /* saving the same address again keeps an earlier verification: make it
     * the provider's */
    rc = kg_store_sql_prepare(p,
                              "UPDATE residences SET verified = 1, verified_by = "
                              "'identity_provider', verified_at = ?2, verifier_id = NULL, "
                              "rejected_at = NULL, note = NULL WHERE account_id = ?1 AND "
                              "(verified = 0 OR verified_by <> 'identity_provider')",
                              &s);
    if (rc) return rc;
    sqlite3_bind_int64(s, 1, accountId);
    sqlite3_bind_int64(s, 2, tNow);
    if ((rc = kg_store_sql_run(p, s, "residence attest")) != KG_OK) return rc;
    rc = kg_store_sql_prepare(p, "DELETE FROM residence_attestations WHERE account_id = ?1", &s);
    if (rc) return rc;
    sqlite3_bind_int64(s, 1, accountId);
    if ((rc = kg_store_sql_run(p, s, "attestation delete")) != KG_OK) return rc;
    pOut->bResidenceVerified = 1;
    return KG_OK;
  }
  if (!pIn->zAddress || !*pIn->zAddress) return KG_OK;
  rc = kg_store_sql_prepare(
      p,
      "INSERT INTO residence_attestations (account_id, address, issuer, created_at, updated_at) "
      "SELECT ?1, ?2, ?3, ?4, ?4 WHERE NOT EXISTS (SELECT 1 FROM residences WHERE account_id = ?1 "
      "AND verified = 1 AND address = ?2) "
      "ON CONFLICT (account_id) DO UPDATE SET updated_at = CASE WHEN "
      "residence_attestations.address = excluded.address THEN residence_attestations.updated_at "
      "ELSE excluded.updated_at END, rejected_at = CASE WHEN residence_attestations.address = "
      "excluded.address THEN residence_attestations.rejected_at END, note = CASE WHEN "
      "residence_attestations.address = excluded.address THEN residence_attestations.note END, "
      "address = excluded.address, issuer = excluded.issuer",
      &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, accountId);
  kg_store_bind_text(s, 2, pIn->zAddress);
  kg_store_bind_text(s, 3, pIn->zIssuer);
  sqlite3_bind_int64(s, 4, tNow);
  if ((rc = kg_store_sql_run(p, s, "attestation put")) != KG_OK) return rc;
  pOut->bResidencePending = sqlite3_changes(p->db) > 0;
  return KG_OK;
}

enum kg_err kg_store_identity_signin(struct kg_store *p, const struct kg_identity_signin *pIn,
                                     int64_t tNow, struct kg_identity_result *pOut,
                                     int64_t *pLinkAccountId) {
  struct kg_store_tx tx = {0, 0};
  enum kg_err rc;
  int64_t accountId = 0;
  memset(pOut, 0, sizeof(*pOut));
  if (pLinkAccountId) *pLinkAccountId = 0;
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) return rc;
  rc = identity_account(p, pIn->zIssuer, pIn->zSubject, &accountId);
  if (rc == KG_ENOTFOUND) {
    if (pIn->linkAccountId) {
      accountId = pIn->linkAccountId;
    } else {
      struct kg_account acc;
      rc = pIn->zEmail && *pIn->zEmail ? kg_store_account_by_email(p, pIn->zEmail, &acc, NULL, 0)
                                       : KG_ENOTFOUND;
      const char *zEmail = pIn->zEmail;
      if (rc == KG_OK && pIn->bEmailVerified) {
        /* someone else's password account, or theirs: only its password
         * may tell, so nothing is written */
        if (pLinkAccountId) *pLinkAccountId = acc.id;
        rc = KG_ECONFLICT;
        goto out;
      }
      if (rc == KG_OK) {
        /* an address the provider did not verify names nobody */
        zEmail = pIn->zFallbackEmail;
        rc = KG_ENOTFOUND;
      }
      if (rc != KG_ENOTFOUND) goto out;
      /* no password: "!" never verifies as an argon2 hash */
      rc = kg_store_account_insert(p, zEmail, "!", pIn->zFullName, "citizen", tNow, &accountId);
      if (rc) goto out;
      pOut->bCreated = 1;
      /* an address the provider verified needs no confirmation link (notify.c) */
      if (zEmail == pIn->zEmail && pIn->bEmailVerified &&
          (rc = kg_store_email_mark_confirmed(p, accountId, tNow)) != KG_OK)
        goto out;
    }
    if ((rc = identity_insert(p, pIn->zIssuer, pIn->zSubject, accountId, tNow)) != KG_OK) goto out;
  } else if (rc != KG_OK) {
    goto out;
  } else {
    sqlite3_stmt *s = NULL;
    rc = kg_store_sql_prepare(p,
                              "UPDATE account_identities SET last_login_at = ?3 "
                              "WHERE issuer = ?1 AND subject = ?2",
                              &s);
    if (rc) goto out;
    kg_store_bind_text(s, 1, pIn->zIssuer);
    kg_store_bind_text(s, 2, pIn->zSubject);
    sqlite3_bind_int64(s, 3, tNow);
    if ((rc = kg_store_sql_run(p, s, "identity touch")) != KG_OK) goto out;
  }
  pOut->accountId = accountId;
  if ((rc = attest_person(p, accountId, pIn, tNow)) != KG_OK) goto out;
  if ((rc = attest_residence(p, accountId, pIn, tNow, pOut)) != KG_OK) goto out;
  if (pIn->aHolderHash) {
    rc = kg_store_rights_verify_holder(p, accountId, pIn->aHolderHash, tNow,
                                       &pOut->nPropertiesVerified);
    if (rc) goto out;
  }
out:
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_oidc_link_insert(struct kg_store *p, const unsigned char aTokenHash[32],
                                      int64_t accountId, const char *zPerson, const char *zNext,
                                      int64_t tNow, int64_t expiresAt) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, "DELETE FROM oidc_links WHERE expires_at <= ?1", &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, tNow);
  if ((rc = kg_store_sql_run(p, s, "oidc link purge")) != KG_OK) return rc;
  rc = kg_store_sql_prepare(p,
                            "INSERT INTO oidc_links (token_hash, account_id, person, next, "
                            "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                            &s);
  if (rc) return rc;
  sqlite3_bind_blob(s, 1, aTokenHash, 32, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, accountId);
  kg_store_bind_text(s, 3, zPerson);
  kg_store_bind_text(s, 4, zNext);
  sqlite3_bind_int64(s, 5, expiresAt);
  return kg_store_sql_run(p, s, "oidc link insert");
}

enum kg_err kg_store_oidc_link_take(struct kg_store *p, const unsigned char aTokenHash[32],
                                    int64_t tNow, int64_t *pAccountId, char **pzPerson,
                                    char zNext[520]) {
  sqlite3_stmt *s = NULL;
  *pzPerson = NULL;
  *pAccountId = 0;
  zNext[0] = 0;
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "DELETE FROM oidc_links WHERE token_hash = ?1 "
                                        "RETURNING account_id, person, next, expires_at",
                                        &s);
  if (rc) return rc;
  sqlite3_bind_blob(s, 1, aTokenHash, 32, SQLITE_STATIC);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW) {
    if (sqlite3_column_int64(s, 3) > tNow) {
      *pAccountId = sqlite3_column_int64(s, 0);
      *pzPerson = kg_store_col_dup(s, 1);
      kg_store_col_copy(s, 2, zNext, 520);
    } else {
      rc = KG_ENOTFOUND;
    }
    src = sqlite3_step(s);
  } else if (src == SQLITE_DONE) {
    rc = KG_ENOTFOUND;
  }
  if (src != SQLITE_DONE) {
    rc = kg_store_dberr(p, src, "oidc link take");
    free(*pzPerson);
    *pzPerson = NULL;
  }
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_residence_attestation_get(struct kg_store *p, int64_t accountId,
                                               struct kg_attestation *pOut) {
  sqlite3_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "SELECT address, updated_at, rejected_at IS NOT NULL, note "
                                        "FROM residence_attestations WHERE account_id = ?1",
                                        &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, accountId);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW) {
    kg_store_col_copy(s, 0, pOut->zAddress, sizeof(pOut->zAddress));
    pOut->updatedAt = sqlite3_column_int64(s, 1);
    pOut->bRejected = sqlite3_column_int(s, 2);
    kg_store_col_copy(s, 3, pOut->zNote, sizeof(pOut->zNote));
  } else if (src == SQLITE_DONE) {
    rc = KG_ENOTFOUND;
  } else {
    rc = kg_store_dberr(p, src, "attestation get");
  }
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_residence_attestation_decide(struct kg_store *p, int64_t accountId,
                                                  int bVerified, double lon, double lat,
                                                  const char *zNote, int64_t actorId,
                                                  int64_t tNow) {
  struct kg_store_tx tx = {0, 0};
  struct kg_attestation *pAtt = kg_xmalloc(sizeof(*pAtt));
  sqlite3_stmt *s = NULL;
  if (!tNow) tNow = kg_time_now();
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) goto out;
  rc = kg_store_residence_attestation_get(p, accountId, pAtt);
  if (rc == KG_OK && pAtt->bRejected) rc = KG_ENOTFOUND;
  if (rc) goto out;
  if (bVerified) {
    rc = kg_store_residence_put(p, accountId, pAtt->zAddress, lon, lat, "point", 1,
                                "identity_provider", NULL, tNow, NULL);
    if (rc) goto out;
    /* the address is the provider's, the point the moderator's */
    rc = kg_store_sql_prepare(p,
                              "UPDATE residences SET verified = 1, verified_by = "
                              "'identity_provider', verified_at = ?2, verifier_id = ?3, "
                              "rejected_at = NULL, note = ?4 WHERE account_id = ?1",
                              &s);
    if (rc) goto out;
    sqlite3_bind_int64(s, 1, accountId);
    sqlite3_bind_int64(s, 2, tNow);
    kg_store_bind_id(s, 3, actorId);
    kg_store_bind_text(s, 4, zNote);
    if ((rc = kg_store_sql_run(p, s, "attestation place")) != KG_OK) goto out;
    rc = kg_store_sql_prepare(p, "DELETE FROM residence_attestations WHERE account_id = ?1", &s);
    if (rc) goto out;
    sqlite3_bind_int64(s, 1, accountId);
    if ((rc = kg_store_sql_run(p, s, "attestation delete")) != KG_OK) goto out;
  } else {
    rc = kg_store_sql_prepare(p,
                              "UPDATE residence_attestations SET rejected_at = ?2, "
                              "verifier_id = ?3, note = ?4 WHERE account_id = ?1",
                              &s);
    if (rc) goto out;
    sqlite3_bind_int64(s, 1, accountId);
    sqlite3_bind_int64(s, 2, tNow);
    kg_store_bind_id(s, 3, actorId);
    kg_store_bind_text(s, 4, zNote);
    if ((rc = kg_store_sql_run(p, s, "attestation refuse")) != KG_OK) goto out;
  }
  rc = kg_store_modlog_insert(p, actorId, bVerified ? "residence.place" : "residence.reject",
                              "residence", accountId, zNote, tNow);
out:
  kg_store_tx_finish(p, &tx, &rc);
  free(pAtt);
  return rc;
}

enum kg_err kg_store_account_attested(struct kg_store *p, int64_t accountId, char zIssuer[256],
                                      int *pbProvider) {
  sqlite3_stmt *s = NULL;
  zIssuer[0] = 0;
  *pbProvider = 0;
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "SELECT attested_by, EXISTS (SELECT 1 FROM account_identities WHERE account_id = ?1) "
      "FROM accounts WHERE id = ?1",
      &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, accountId);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW) {
    kg_store_col_copy(s, 0, zIssuer, 256);
    *pbProvider = sqlite3_column_int(s, 1);
  } else if (src == SQLITE_DONE) {
    rc = KG_ENOTFOUND;
  } else {
    rc = kg_store_dberr(p, src, "account attested");
  }
  kg_store_sql_done(p, s);
  return rc;
}

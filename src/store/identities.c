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
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_query(p, &s, "DELETE FROM oidc_logins WHERE expires_at <= ?1", "i", tNow);
  if (rc) return rc;
  if ((rc = kg_store_sql_run(p, s, "oidc login purge")) != KG_OK) return rc;
  rc = kg_store_sql_query(p, &s,
                          "INSERT INTO oidc_logins (state_hash, nonce, verifier, next, "
                          "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                          "httti", aStateHash, pIn->zNonce, pIn->zVerifier, pIn->zNext, expiresAt);
  if (rc) return rc;
  return kg_store_sql_run(p, s, "oidc login insert");
}

enum kg_err kg_store_oidc_login_take(struct kg_store *p, const unsigned char aStateHash[32],
                                     int64_t tNow, struct kg_oidc_login *pOut) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  /* DELETE ... RETURNING: of two callbacks with the same state one wins */
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "DELETE FROM oidc_logins WHERE state_hash = ?1 "
                                      "RETURNING nonce, verifier, next, expires_at",
                                      "h", aStateHash);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "oidc login take")) == KG_OK) {
    kg_store_col_copy(s, 0, pOut->zNonce, sizeof(pOut->zNonce));
    kg_store_col_copy(s, 1, pOut->zVerifier, sizeof(pOut->zVerifier));
    kg_store_col_copy(s, 2, pOut->zNext, sizeof(pOut->zNext));
    int bExpired = kg_db_col_i64(s, 3) <= tNow;
    /* step to the end: the DELETE completes */
    if ((rc = kg_store_sql_row(p, s, "oidc login take")) == KG_ENOTFOUND)
      rc = bExpired ? KG_EGONE : KG_OK;
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* The account of (issuer, subject) in *pId; KG_ENOTFOUND when none. */
static enum kg_err identity_account(struct kg_store *p, const char *zIssuer, const char *zSubject,
                                    int64_t *pId) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "SELECT account_id FROM account_identities "
                                      "WHERE issuer = ?1 AND subject = ?2",
                                      "tt", zIssuer, zSubject);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "identity get")) == KG_OK) *pId = kg_db_col_i64(s, 0);
  kg_store_sql_done(p, s);
  return rc;
}

static enum kg_err identity_insert(struct kg_store *p, const char *zIssuer, const char *zSubject,
                                   int64_t accountId, int64_t tNow) {
  return kg_store_sql_exec(p, "identity insert",
                           "INSERT INTO account_identities (issuer, subject, "
                           "account_id, created_at, last_login_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?4)",
                           "ttii", zIssuer, zSubject, accountId, tNow);
}

/* Applies the attested name and birth date and marks the account. */
static enum kg_err attest_person(struct kg_store *p, int64_t accountId,
                                 const struct kg_identity_signin *pIn, int64_t tNow) {
  return kg_store_sql_exec(
      p, "account attest",
      "UPDATE accounts SET full_name = coalesce(nullif(?2, ''), full_name), "
      "birth_date = coalesce(nullif(?3, ''), birth_date), attested_by = ?4, attested_at = ?5 "
      "WHERE id = ?1",
      "ittti", accountId, pIn->zFullName ? pIn->zFullName : "",
      pIn->zBirthDate ? pIn->zBirthDate : "", pIn->zIssuer, tNow);
}

/* The residence: located -> verified by the provider (and any pending
 * attestation dropped); not located -> queued for a moderator, unless the
 * account already has a residence verified with that same address. */
static enum kg_err attest_residence(struct kg_store *p, int64_t accountId,
                                    const struct kg_identity_signin *pIn, int64_t tNow,
                                    struct kg_identity_result *pOut) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc;
  if (pIn->bLocated) {
    rc = kg_store_residence_put(p, accountId, pIn->zAddress, pIn->lon, pIn->lat, "registry", 1,
                                "identity_provider", NULL, tNow, NULL);
    if (rc) return rc;
    /* saving the same address again keeps an earlier verification: make it
     * the provider's */
    rc = kg_store_sql_query(p, &s,
                            "UPDATE residences SET verified = 1, verified_by = "
                            "'identity_provider', verified_at = ?2, verifier_id = NULL, "
                            "rejected_at = NULL, note = NULL WHERE account_id = ?1 AND "
                            "(verified = 0 OR verified_by <> 'identity_provider')",
                            "ii", accountId, tNow);
    if (rc) return rc;
    if ((rc = kg_store_sql_run(p, s, "residence attest")) != KG_OK) return rc;
    rc = kg_store_sql_query(p, &s, "DELETE FROM residence_attestations WHERE account_id = ?1", "i",
                            accountId);
    if (rc) return rc;
    if ((rc = kg_store_sql_run(p, s, "attestation delete")) != KG_OK) return rc;
    pOut->bResidenceVerified = 1;
    return KG_OK;
  }
  if (!pIn->zAddress || !*pIn->zAddress) return KG_OK;
  rc = kg_store_sql_query(
      p, &s,
      "INSERT INTO residence_attestations (account_id, address, issuer, created_at, updated_at) "
      "SELECT ?1, ?2, ?3, ?4, ?4 WHERE NOT EXISTS (SELECT 1 FROM residences WHERE account_id = ?1 "
      "AND verified = 1 AND address = ?2) "
      "ON CONFLICT (account_id) DO UPDATE SET updated_at = CASE WHEN "
      "residence_attestations.address = excluded.address THEN residence_attestations.updated_at "
      "ELSE excluded.updated_at END, rejected_at = CASE WHEN residence_attestations.address = "
      "excluded.address THEN residence_attestations.rejected_at END, note = CASE WHEN "
      "residence_attestations.address = excluded.address THEN residence_attestations.note END, "
      "address = excluded.address, issuer = excluded.issuer",
      "itti", accountId, pIn->zAddress, pIn->zIssuer, tNow);
  if (rc) return rc;
  if ((rc = kg_store_sql_run(p, s, "attestation put")) != KG_OK) return rc;
  pOut->bResidencePending = kg_db_changes(p) > 0;
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
    struct kg_db_stmt *s = NULL;
    rc = kg_store_sql_query(p, &s,
                            "UPDATE account_identities SET last_login_at = ?3 "
                            "WHERE issuer = ?1 AND subject = ?2",
                            "tti", pIn->zIssuer, pIn->zSubject, tNow);
    if (rc) goto out;
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
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_query(p, &s, "DELETE FROM oidc_links WHERE expires_at <= ?1", "i", tNow);
  if (rc) return rc;
  if ((rc = kg_store_sql_run(p, s, "oidc link purge")) != KG_OK) return rc;
  rc = kg_store_sql_query(p, &s,
                          "INSERT INTO oidc_links (token_hash, account_id, person, next, "
                          "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                          "hitti", aTokenHash, accountId, zPerson, zNext, expiresAt);
  if (rc) return rc;
  return kg_store_sql_run(p, s, "oidc link insert");
}

enum kg_err kg_store_oidc_link_take(struct kg_store *p, const unsigned char aTokenHash[32],
                                    int64_t tNow, int64_t *pAccountId, char **pzPerson,
                                    char zNext[520]) {
  struct kg_db_stmt *s = NULL;
  *pzPerson = NULL;
  *pAccountId = 0;
  zNext[0] = 0;
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "DELETE FROM oidc_links WHERE token_hash = ?1 "
                                      "RETURNING account_id, person, next, expires_at",
                                      "h", aTokenHash);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "oidc link take")) == KG_OK) {
    int bExpired = kg_db_col_i64(s, 3) <= tNow;
    if (!bExpired) {
      *pAccountId = kg_db_col_i64(s, 0);
      *pzPerson = kg_store_col_dup(s, 1);
      kg_store_col_copy(s, 2, zNext, 520);
    }
    /* step to the end: the DELETE completes */
    if ((rc = kg_store_sql_row(p, s, "oidc link take")) == KG_ENOTFOUND)
      rc = bExpired ? KG_ENOTFOUND : KG_OK;
    else {
      free(*pzPerson);
      *pzPerson = NULL;
    }
  }
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_residence_attestation_get(struct kg_store *p, int64_t accountId,
                                               struct kg_attestation *pOut) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "SELECT address, updated_at, rejected_at IS NOT NULL, note "
                                      "FROM residence_attestations WHERE account_id = ?1",
                                      "i", accountId);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "attestation get")) == KG_OK) {
    kg_store_col_copy(s, 0, pOut->zAddress, sizeof(pOut->zAddress));
    pOut->updatedAt = kg_db_col_i64(s, 1);
    pOut->bRejected = kg_db_col_int(s, 2);
    kg_store_col_copy(s, 3, pOut->zNote, sizeof(pOut->zNote));
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
  struct kg_db_stmt *s = NULL;
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
    rc = kg_store_sql_query(p, &s,
                            "UPDATE residences SET verified = 1, verified_by = "
                            "'identity_provider', verified_at = ?2, verifier_id = ?3, "
                            "rejected_at = NULL, note = ?4 WHERE account_id = ?1",
                            "iint", accountId, tNow, actorId, zNote);
    if (rc) goto out;
    if ((rc = kg_store_sql_run(p, s, "attestation place")) != KG_OK) goto out;
    rc = kg_store_sql_query(p, &s, "DELETE FROM residence_attestations WHERE account_id = ?1", "i",
                            accountId);
    if (rc) goto out;
    if ((rc = kg_store_sql_run(p, s, "attestation delete")) != KG_OK) goto out;
  } else {
    rc = kg_store_sql_query(p, &s,
                            "UPDATE residence_attestations SET rejected_at = ?2, "
                            "verifier_id = ?3, note = ?4 WHERE account_id = ?1",
                            "iint", accountId, tNow, actorId, zNote);
    if (rc) goto out;
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
  struct kg_db_stmt *s = NULL;
  zIssuer[0] = 0;
  *pbProvider = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT attested_by, EXISTS (SELECT 1 FROM account_identities WHERE account_id = ?1) "
      "FROM accounts WHERE id = ?1",
      "i", accountId);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "account attested")) == KG_OK) {
    kg_store_col_copy(s, 0, zIssuer, 256);
    *pbProvider = kg_db_col_int(s, 1);
  }
  kg_store_sql_done(p, s);
  return rc;
}

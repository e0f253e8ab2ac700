/* store_identities.h: sign-in through an identity provider (identities.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_IDENTITIES_H
#define KENGASH_STORE_IDENTITIES_H

/* ---- sign-in through an identity provider (identities.c) ----
 * Accounts are keyed by (issuer, subject). Tokens are stored only as their
 * SHA-256. */

/* The first leg of a sign-in, kept until the provider sends the browser
 * back. Expired rows are purged on insert. */
struct kg_oidc_login {
  char zNonce[44]; /* base64url of 32 bytes (KG_AUTH_TOKEN_SIZE) */
  char zVerifier[44];
  char zNext[520];
};
enum kg_err kg_store_oidc_login_insert(struct kg_store *p, const unsigned char aStateHash[32],
                                       const struct kg_oidc_login *pIn, int64_t tNow,
                                       int64_t expiresAt);
/* Takes (deletes) the sign-in of aStateHash: single use. KG_ENOTFOUND when
 * unknown or already taken, KG_EGONE when expired at tNow. */
enum kg_err kg_store_oidc_login_take(struct kg_store *p, const unsigned char aStateHash[32],
                                     int64_t tNow, struct kg_oidc_login *pOut /* OUT */);

/* What a provider attested, to apply to an account. Strings "" when not
 * given. */
struct kg_identity_signin {
  const char *zIssuer;
  const char *zSubject;
  const char *zEmail; /* the account's e-mail on creation */
  int bEmailVerified; /* the provider verified zEmail: only then may it name an account to link */
  const char *zFallbackEmail; /* used instead of an unverified zEmail another account has */
  const char *zFullName;      /* attested; replaces the account's when not "" */
  const char *zBirthDate;     /* attested YYYY-MM-DD; replaces the account's when not "" */
  /* residence: bLocated with the register's spelling and point, else the
   * attested text only (zAddress "" for none) */
  int bLocated;
  const char *zAddress;
  double lon, lat;
  /* holder identifier's keyed hash (kg_auth_holder_hash), NULL for none */
  const unsigned char *aHolderHash;
  /* nonzero: link this account (its owner proved it with the password) */
  int64_t linkAccountId;
};
struct kg_identity_result {
  int64_t accountId;
  int bCreated;            /* a new account was made */
  int bResidenceVerified;  /* the residence is located and verified by the provider */
  int bResidencePending;   /* attested but not located: waits for a moderator */
  int nPropertiesVerified; /* properties verified from the rights register */
};
/* Signs in (issuer, subject) in one transaction: finds its account, or
 * links linkAccountId, or creates a citizen account (consent at tNow,
 * no password); then applies the attested data — full name and birth date,
 * the residence (located: verified_by identity_provider; not located:
 * queued for a moderator to place), properties from the rights register.
 * KG_ECONFLICT when the subject is new and zEmail, verified by the
 * provider, belongs to another account (*pLinkAccountId gets it; nothing
 * is written); an unverified zEmail that another account has is replaced
 * by zFallbackEmail. */
enum kg_err kg_store_identity_signin(struct kg_store *p, const struct kg_identity_signin *pIn,
                                     int64_t tNow, struct kg_identity_result *pOut /* OUT */,
                                     int64_t *pLinkAccountId /* OUT */);

/* A pending link to an existing account (see kg_store_identity_signin):
 * zPerson is the attested data as JSON. Expired rows are purged on
 * insert. */
enum kg_err kg_store_oidc_link_insert(struct kg_store *p, const unsigned char aTokenHash[32],
                                      int64_t accountId, const char *zPerson, const char *zNext,
                                      int64_t tNow, int64_t expiresAt);
/* Takes (deletes) a usable pending link: *pAccountId, the attested data
 * (*pzPerson, heap, free()) and zNext. KG_ENOTFOUND when unknown or
 * expired. */
enum kg_err kg_store_oidc_link_take(struct kg_store *p, const unsigned char aTokenHash[32],
                                    int64_t tNow, int64_t *pAccountId /* OUT */,
                                    char **pzPerson /* OUT */, char zNext[520] /* OUT */);
/* An address of residence the provider attested but the register could
 * not place (see kg_store_identity_signin). */
struct kg_attestation {
  char zAddress[2048];
  int64_t updatedAt;
  int bRejected;    /* a moderator refused it */
  char zNote[1024]; /* the moderator's reason; "" when none */
};
/* The account's attested, not located address; KG_ENOTFOUND when none. */
enum kg_err kg_store_residence_attestation_get(struct kg_store *p, int64_t accountId,
                                               struct kg_attestation *pOut /* OUT */);
/* A moderator's decision on it: bVerified places it at lon, lat (it
 * becomes the account's residence, verified_by identity_provider, with the
 * moderator as verifier; log residence.place), 0 refuses it with zNote
 * (log residence.reject), in one transaction. KG_ENOTFOUND when the account
 * has no attested address waiting. */
enum kg_err kg_store_residence_attestation_decide(struct kg_store *p, int64_t accountId,
                                                  int bVerified, double lon, double lat,
                                                  const char *zNote, int64_t actorId, int64_t tNow);
/* Whether the account signs in through a provider, and whether its full
 * name and birth date are attested (zIssuer "" when not). */
enum kg_err kg_store_account_attested(struct kg_store *p, int64_t accountId,
                                      char zIssuer[256] /* OUT */, int *pbProvider /* OUT */);

#endif

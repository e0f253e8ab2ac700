/* store_accounts.h: accounts and sessions (accounts.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/i18n.h"
#include "kengash/store.h"

#ifndef KENGASH_STORE_ACCOUNTS_H
#define KENGASH_STORE_ACCOUNTS_H

/* ---- accounts and sessions ---- */

struct kg_account {
  int64_t id;
  char zEmail[256];
  char zFullName[256];
  char zRole[16]; /* citizen | moderator | admin */
  int64_t createdAt;
  char zLanguage[4]; /* ru | tt | en: its e-mails' and pages' language */
};
/* Inserts an account; KG_ECONFLICT when the e-mail is taken. */
enum kg_err kg_store_account_insert(struct kg_store *p, const char *zEmail, const char *zHash,
                                    const char *zFullName, const char *zRole, int64_t consentAt,
                                    int64_t *pId /* OUT */);
enum kg_err kg_store_account_get(struct kg_store *p, int64_t id, struct kg_account *pOut /* OUT */);
/* By e-mail (case-insensitive); also returns the stored hash (zHash, nHash bytes). */
enum kg_err kg_store_account_by_email(struct kg_store *p, const char *zEmail,
                                      struct kg_account *pOut /* OUT */, char *zHash, size_t nHash);
enum kg_err kg_store_account_set_role(struct kg_store *p, int64_t id, const char *zRole);
/* zLang: "ru", "tt" or "en" (the table refuses others: KG_ECONSTRAINT or
 * the like); KG_ENOTFOUND without the account. */
enum kg_err kg_store_account_set_language(struct kg_store *p, int64_t id, const char *zLang);
/* The language of account id; Russian when there is none (or on error). */
enum kg_lang kg_store_account_language(struct kg_store *p, int64_t id);
/* The language of the account with address zEmail (case-insensitive);
 * Russian when there is none: the language e-mails to zEmail are written
 * in (what kg_store_outbox_insert_lang assumes without one). */
enum kg_lang kg_store_address_language(struct kg_store *p, const char *zEmail);
enum kg_err kg_store_account_set_password(struct kg_store *p, int64_t id, const char *zHash);
/* Gives account id the role zRole (valid) for admin actorId, in one
 * transaction with the moderation log entry (action "account.role", target
 * the account, reason the new role). KG_ENOTFOUND without the account;
 * KG_ECONFLICT when the change would leave no admin. Setting the role the
 * account already has changes and logs nothing; *pbChanged (may be NULL)
 * tells which happened. */
enum kg_err kg_store_account_change_role(struct kg_store *p, int64_t actorId, int64_t id,
                                         const char *zRole, int64_t tNow,
                                         int *pbChanged /* OUT, may be NULL */);
/* Accounts with id > afterId (ascending), only those with role zRole when
 * not NULL, at most nLimit; xRow gets a borrowed row and stops the walk by
 * returning nonzero. Never the password hash. */
enum kg_err kg_store_account_list(struct kg_store *p, const char *zRole, int64_t afterId,
                                  int nLimit, int (*xRow)(void *pArg, const struct kg_account *),
                                  void *pArg);

struct kg_session {
  int64_t accountId;
  char zCsrf[65];
  int64_t expiresAt;
};
/* aTokenHash is the SHA-256 of the cookie token (never store the token). */
enum kg_err kg_store_session_insert(struct kg_store *p, const unsigned char aTokenHash[32],
                                    int64_t accountId, const char *zCsrf, int64_t expiresAt);
/* The session and its account (pAccount may be NULL), read together:
 * every signed-in request asks for both. KG_ENOTFOUND when absent or
 * expired at tNow. */
enum kg_err kg_store_session_get(struct kg_store *p, const unsigned char aTokenHash[32],
                                 int64_t tNow, struct kg_session *pOut /* OUT */,
                                 struct kg_account *pAccount /* OUT */);
enum kg_err kg_store_session_touch(struct kg_store *p, const unsigned char aTokenHash[32],
                                   int64_t expiresAt);
enum kg_err kg_store_session_delete(struct kg_store *p, const unsigned char aTokenHash[32]);
enum kg_err kg_store_session_delete_account(struct kg_store *p, int64_t accountId);

#endif

/* store_notify.h: the store's part of "people hear about what concerns
 * them" (src/store/notify.c): outbox messages with a List-Unsubscribe
 * link, confirmation of e-mail addresses, following discussions with their
 * unsubscribe tokens, the cursors of the mail worker's background steps
 * (receipts, official answers, stage changes) and the moderators' news.
 * Tokens are kept as their SHA-256 only. Never logs addresses or text. */
#include "kengash/store.h"

#ifndef KENGASH_STORE_NOTIFY_H
#define KENGASH_STORE_NOTIFY_H

#include <stdint.h>

/* kg_store_outbox_insert with a List-Unsubscribe URL (zUnsub, may be NULL). */
enum kg_err kg_store_outbox_insert_unsub(struct kg_store *p, const char *zTo, const char *zSubject,
                                         const char *zBody, const char *zUnsub, int64_t tNow,
                                         int64_t *pId /* OUT, may be NULL */);
/* The same with the language the message is written in (zLang "ru", "tt",
 * "en"; NULL: the language of the account with address zTo, or none), for
 * its Content-Language header. */
enum kg_err kg_store_outbox_insert_lang(struct kg_store *p, const char *zTo, const char *zSubject,
                                        const char *zBody, const char *zUnsub, const char *zLang,
                                        int64_t tNow, int64_t *pId /* OUT, may be NULL */);

/* ---- confirmation of the e-mail address ---- */

/* Links sent per account per hour; more requests are refused (KG_ELIMIT). */
#define KG_CONFIRM_PER_HOUR 3

/* In one transaction: stores the token's hash (valid until expiresAt) and
 * queues zSubject/zBody to the account's address. KG_ECONFLICT when the
 * address is confirmed already; KG_ELIMIT after KG_CONFIRM_PER_HOUR links
 * in the last hour; KG_ENOTFOUND without the account. */
enum kg_err kg_store_email_confirm_issue(struct kg_store *p, int64_t accountId,
                                         const unsigned char aHash[32], int64_t tNow,
                                         int64_t expiresAt, const char *zSubject,
                                         const char *zBody);
/* Spends a token and marks its account's address confirmed (one
 * transaction). KG_EGONE when the token is unknown, used or expired. */
enum kg_err kg_store_email_confirm_use(struct kg_store *p, const unsigned char aHash[32],
                                       int64_t tNow, int64_t *pAccountId /* OUT */);
/* Marks the account's address confirmed at tNow (kept when it was already):
 * e.g. an account made from an identity provider that verified it. */
enum kg_err kg_store_email_mark_confirmed(struct kg_store *p, int64_t accountId, int64_t tNow);
/* When the account's address was confirmed (*pAt, 0: not confirmed). */
enum kg_err kg_store_email_confirmed_at(struct kg_store *p, int64_t accountId,
                                        int64_t *pAt /* OUT */);

/* ---- following discussions ---- */

/* Follows (bFollow) or stops following. Following a discussion that does
 * not exist or is a draft: KG_ENOTFOUND. Idempotent. */
enum kg_err kg_store_follow_set(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                int bFollow, int64_t tNow);
enum kg_err kg_store_follow_get(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                int *pbFollowing /* OUT */);
/* The account's follows, newest first; xRow's strings are borrowed for the
 * call; a non-zero return stops. */
enum kg_err kg_store_follow_list(struct kg_store *p, int64_t accountId,
                                 int (*xRow)(void *pArg, int64_t discussionId, const char *zTitle,
                                             const char *zStatus, int64_t createdAt),
                                 void *pArg);
/* Remembers an unsubscribe token (its hash) sent to accountId about
 * discussionId. */
enum kg_err kg_store_follow_token_insert(struct kg_store *p, const unsigned char aHash[32],
                                         int64_t accountId, int64_t discussionId, int64_t tNow);
/* Ends the follow the token was sent for (the token stays usable, so a
 * repeated click is answered the same). KG_EGONE for an unknown token.
 * *pDiscussionId gets the discussion. */
enum kg_err kg_store_follow_unsubscribe(struct kg_store *p, const unsigned char aHash[32],
                                        int64_t *pDiscussionId /* OUT */);
/* The followers of discussionId with a confirmed address, except
 * exceptAccountId; a non-zero return from xRow stops. */
enum kg_err
kg_store_follow_recipients(struct kg_store *p, int64_t discussionId, int64_t exceptAccountId,
                           int (*xRow)(void *pArg, int64_t accountId, const char *zEmail),
                           void *pArg);

/* ---- the mail worker's background steps ---- */

/* A comment after the "comments" cursor. Strings borrowed for the call. */
struct kg_notify_comment {
  int64_t id, discussionId, authorId, parentId, createdAt;
  int bOfficial;
  const char *zRegNo; /* NULL for official answers */
  const char *zKind, *zChannel, *zBody, *zBasis, *zDiscussionTitle;
  const char *zAuthorEmail;       /* NULL: no account (entered on someone's behalf) */
  const char *zParentRegNo;       /* the comment answered; NULL when none */
  const char *zParentAuthorEmail; /* its author's address; NULL when none */
  int64_t parentAuthorId;
};
/* A stage change after the "follow_events" cursor. */
struct kg_notify_event {
  int64_t id, discussionId, at;
  const char *zFrom, *zTo, *zNote, *zDiscussionTitle;
};
/* Each runs one transaction: calls xRow for up to nMax rows after the
 * cursor, in id order (xRow queues mail on p inside the transaction), then
 * moves the cursor past them. A non-OK return from xRow rolls everything
 * back (the rows come again next time). *pnDone counts the rows. */
enum kg_err kg_store_notify_comments(struct kg_store *p, int nMax,
                                     enum kg_err (*xRow)(void *pArg, struct kg_store *p,
                                                         const struct kg_notify_comment *c),
                                     void *pArg, int *pnDone /* OUT */);
enum kg_err kg_store_notify_events(struct kg_store *p, int nMax,
                                   enum kg_err (*xRow)(void *pArg, struct kg_store *p,
                                                       const struct kg_notify_event *e),
                                   void *pArg, int *pnDone /* OUT */);
/* Deletes unsubscribe tokens and confirmation links older than tBefore. */
enum kg_err kg_store_notify_purge(struct kg_store *p, int64_t tBefore);

#endif

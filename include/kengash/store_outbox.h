/* store_outbox.h: outgoing e-mail and password reset tokens (outbox.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_OUTBOX_H
#define KENGASH_STORE_OUTBOX_H

/* ---- outbox: outgoing e-mail (outbox.c) ----
 * A message is queued with kg_store_outbox_insert inside the same
 * transaction as the event that causes it, and delivered later by the
 * sender thread (mail.h), which claims due messages, sends them and marks
 * each sent, or schedules a retry, or gives up (failed). */

struct kg_outbox_msg {
  int64_t id;
  const char *zTo;      /* recipient address */
  const char *zSubject; /* UTF-8 text */
  const char *zBody;    /* UTF-8 plain text, lines ending in \n */
  int64_t createdAt;
  int nAttempts;                /* attempts made before this one */
  const char *zListUnsubscribe; /* NULL, or the List-Unsubscribe URL */
  const char *zLanguage;        /* NULL, or "ru", "tt", "en": the text's language */
};

/* Queues a message (status pending, due at tNow). *pId (may be NULL) gets
 * its id. */
enum kg_err kg_store_outbox_insert(struct kg_store *p, const char *zTo, const char *zSubject,
                                   const char *zBody, int64_t tNow, int64_t *pId /* OUT */);
/* Claims up to nMax pending messages due at tNow (oldest due first): in one
 * transaction their next attempt is pushed to tNow + nLeaseSec, so another
 * sender (or this one after a crash) does not pick them up meanwhile; then,
 * after the commit, xMsg is called for each (the message is borrowed for the
 * call). xMsg returning nonzero skips the rest, which stay claimed until the
 * lease ends. *pnClaimed (may be NULL) counts the claimed messages. */
enum kg_err kg_store_outbox_claim_due(struct kg_store *p, int64_t tNow, int nMax, int nLeaseSec,
                                      int (*xMsg)(void *pArg, const struct kg_outbox_msg *),
                                      void *pArg, int *pnClaimed /* OUT */);
/* The SMTP server accepted message id: status sent, sent_at tNow, the body
 * cleared. KG_ENOTFOUND when it is not pending (already sent or failed). */
enum kg_err kg_store_outbox_mark_sent(struct kg_store *p, int64_t id, int64_t tNow);
/* Attempt failed: counts it, keeps zErr (no personal data; truncated to 500
 * bytes) and makes it due again at nextAt. */
enum kg_err kg_store_outbox_mark_retry(struct kg_store *p, int64_t id, int64_t nextAt,
                                       const char *zErr);
/* Last attempt failed, or the message cannot be sent: counts the attempt,
 * keeps zErr, status failed, the body cleared. */
enum kg_err kg_store_outbox_mark_failed(struct kg_store *p, int64_t id, const char *zErr);
/* Status of message id ("pending" | "sent" | "failed" into zStatus, 16
 * bytes) and its attempts so far (may be NULL). For tools and tests. */
enum kg_err kg_store_outbox_status(struct kg_store *p, int64_t id, char zStatus[16] /* OUT */,
                                   int *pnAttempts /* OUT */);
/* The outbox for metrics: messages waiting (pending), of those already
 * tried and failed at least once (retrying), given up (failed; kept until
 * purged), and the creation time of the oldest waiting one (0: none). */
struct kg_outbox_stats {
  int64_t nPending, nRetrying, nFailed;
  int64_t tOldestPending;
};
enum kg_err kg_store_outbox_stats(struct kg_store *p, struct kg_outbox_stats *pOut /* OUT */);
/* Deletes sent and failed messages created before tBefore (retention of
 * addresses). *pnDeleted may be NULL. */
enum kg_err kg_store_outbox_purge(struct kg_store *p, int64_t tBefore, int *pnDeleted /* OUT */);

/* ---- password reset tokens (outbox.c) ----
 * Only the SHA-256 of a token is stored (kg_auth_token_hash). */

enum kg_err kg_store_password_reset_insert(struct kg_store *p, const unsigned char aTokenHash[32],
                                           int64_t accountId, int64_t tNow, int64_t expiresAt);
/* How many reset links accountId was sent since tSince (throttling). */
enum kg_err kg_store_password_reset_count_since(struct kg_store *p, int64_t accountId,
                                                int64_t tSince, int *pn /* OUT */);
/* The account of a usable token (not used, expires_at > tNow), without
 * spending it. KG_ENOTFOUND when unknown; KG_EGONE when used or expired. */
enum kg_err kg_store_password_reset_peek(struct kg_store *p, const unsigned char aTokenHash[32],
                                         int64_t tNow, int64_t *pAccountId /* OUT */);
/* Spends a usable token (atomically: of two concurrent calls one wins) and
 * every other unused token of the same account. KG_ENOTFOUND when unknown,
 * KG_EGONE when used or expired. Call inside the transaction that sets the
 * new password. */
enum kg_err kg_store_password_reset_use(struct kg_store *p, const unsigned char aTokenHash[32],
                                        int64_t tNow, int64_t *pAccountId /* OUT */);
/* A request for a reset link to zEmail, done by the writer (group commit)
 * after the caller has answered, so that the answer takes the same time
 * whether or not the address is registered: the writer looks the account
 * up and, when there is one that was sent fewer than nMaxPerHour links in
 * the hour before tNow, stores aTokenHash (usable until expiresAt) and
 * queues the e-mail (zSubject, zBody) to the account's address, in one
 * transaction. Then xDone(pDoneArg, rc) runs, on the writer thread (or on
 * this one, before the call returns, when there is no writer), with
 * accountId (0: no such account) and outboxId (0: nothing queued) set. The
 * struct and its strings must live until xDone. */
struct kg_reset_request {
  const char *zEmail;
  unsigned char aTokenHash[32];
  int64_t tNow, expiresAt;
  int nMaxPerHour;
  const char *zSubject, *zBody;
  int64_t accountId, outboxId; /* OUT */
};
void kg_store_password_reset_request_async(struct kg_store *p, struct kg_reset_request *pReq,
                                           kg_store_done_fn xDone, void *pDoneArg);
/* Deletes tokens that expired before tBefore. */
enum kg_err kg_store_password_reset_purge(struct kg_store *p, int64_t tBefore);

#endif

/* store_support.h: messages to technical support (support.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_SUPPORT_H
#define KENGASH_STORE_SUPPORT_H

/* ---- messages to technical support (support.c) ----
 * Sent by anyone from the support form; read by moderators and admins.
 * name and email are personal data: never logged. */

/* Messages one e-mail address may send in KG_SUPPORT_RATE_WINDOW seconds. */
#define KG_SUPPORT_RATE_MAX 5
#define KG_SUPPORT_RATE_WINDOW 3600

/* One message; strings borrowed (from the caller on insert, for the
 * callback's duration on reads). */
struct kg_support_message {
  int64_t id;
  int64_t createdAt;
  int64_t accountId; /* the sender's account; 0 when sent without logging in */
  const char *zName;
  const char *zEmail;
  const char *zTopic;
  const char *zBody;
  const char *zPageUrl; /* NULL when not given */
  const char *zStatus;  /* new | closed (reads only) */
  int64_t outboxId;     /* the e-mail to support; 0 when none was queued (reads only) */
};

/* The e-mail to queue for a new message. xCompose is called inside the
 * transaction, once the message has its id and time, and writes the
 * subject and body as heap strings (freed by the store). */
struct kg_support_mail {
  const char *zTo; /* support address; NULL or "": no e-mail */
  void (*xCompose)(void *pArg, const struct kg_support_message *pMsg, char **pzSubject /* OUT */,
                   char **pzBody /* OUT */);
  void *pArg;
};

/* Stores message pIn (created at tNow) and, when pMail has an address,
 * queues the e-mail to support in the outbox, in one transaction. Refuses
 * with KG_ELIMIT (*pnRetryAfter seconds, may be NULL) when the sender's
 * e-mail (compared without case) sent KG_SUPPORT_RATE_MAX messages in the
 * last KG_SUPPORT_RATE_WINDOW seconds. *pId gets the message's id and
 * *pOutboxId (may be NULL) the e-mail's, 0 when none was queued. */
enum kg_err kg_store_support_insert(struct kg_store *p, const struct kg_support_message *pIn,
                                    const struct kg_support_mail *pMail, int64_t tNow,
                                    int64_t *pId /* OUT */, int64_t *pOutboxId /* OUT */,
                                    int64_t *pnRetryAfter /* OUT */);
/* Messages newest first: those with id < beforeId (0: from the newest), at
 * most nLimit; xRow gets a borrowed row and stops the walk by returning
 * nonzero. */
enum kg_err kg_store_support_list(struct kg_store *p, int64_t beforeId, int nLimit,
                                  int (*xRow)(void *pArg, const struct kg_support_message *),
                                  void *pArg);
/* Message id through xRow; KG_ENOTFOUND when there is none. */
enum kg_err kg_store_support_get(struct kg_store *p, int64_t id,
                                 int (*xRow)(void *pArg, const struct kg_support_message *),
                                 void *pArg);

#endif

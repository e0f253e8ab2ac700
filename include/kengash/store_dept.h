/* store_dept.h: the store's part for the department's console (appeals.c,
 * support.c, dept.c): appeals against rejections, answers to support
 * messages and closing them, and the accounts' overview for admins.
 * Declared apart from store.h, which it extends. */
#include "kengash/store.h"

#ifndef KENGASH_STORE_DEPT_H
#define KENGASH_STORE_DEPT_H

#include <stdint.h>

/* ---- appeals against a rejection (appeals.c) ---- */

/* One appeal with its comment; strings borrowed for the callback's
 * duration. */
struct kg_appeal {
  int64_t id;
  int64_t commentId;
  int64_t discussionId;
  int64_t authorId;  /* 0 when the account is gone */
  const char *zBody; /* the author's text */
  int64_t createdAt;
  int64_t rejectedBy; /* the moderator who rejected the comment; 0 unknown */
  int64_t rejectedAt;
  const char *zRejectionReason;
  const char *zStatus; /* pending | upheld | dismissed */
  int64_t decidedBy, decidedAt;
  const char *zDecisionReason;
  const char *zRegNo;         /* the comment's registration number */
  const char *zKind;          /* the comment's kind */
  const char *zCommentBody;   /* the comment's text */
  const char *zCommentStatus; /* the comment's status now */
  const char *zDiscussionTitle;
  const char *zDiscussionStatus;
};

/* Which appeals a list walks: all when every field is 0/NULL. */
struct kg_appeal_filter {
  const char *zStatus; /* pending | upheld | dismissed | decided (not pending) */
  int64_t authorId;
  int64_t discussionId;
  int bAscending;   /* oldest first (afterId) instead of newest first (beforeId) */
  int64_t cursorId; /* 0: from the start */
  int nLimit;
};

/* The e-mail queued with a decision; NULL zTo: none. */
struct kg_appeal_mail {
  const char *zTo;
  const char *zSubject;
  const char *zText;
};

/* Records authorId's appeal zBody against the rejection of comment
 * commentId (the rejection's moderator, time and reason are copied).
 * KG_ECONFLICT when the comment is no longer rejected by then, is not
 * authorId's, or has an appeal already. *pId gets the appeal's id. */
enum kg_err kg_store_appeal_insert(struct kg_store *p, int64_t commentId, int64_t authorId,
                                   const char *zBody, int64_t tNow, int64_t *pId /* OUT */);
/* Decides pending appeal id in one transaction: the appeal's outcome, an
 * upheld appeal's comment published (its registration number kept), the
 * moderation log (appeal.uphold | appeal.dismiss, target the comment, the
 * reason) and pMail (may be NULL) queued. KG_ECONFLICT when it is decided
 * already or the comment changed; KG_EFORBIDDEN when actorId rejected the
 * comment; KG_ENOTFOUND when there is no such appeal. */
enum kg_err kg_store_appeal_decide(struct kg_store *p, int64_t id, int64_t actorId, int bUphold,
                                   const char *zReason, const struct kg_appeal_mail *pMail,
                                   int64_t tNow);
/* Appeal id through xRow; KG_ENOTFOUND when there is none. */
enum kg_err kg_store_appeal_get(struct kg_store *p, int64_t id,
                                int (*xRow)(void *pArg, const struct kg_appeal *), void *pArg);
/* Appeals matching pF; xRow stops the walk by returning nonzero. */
enum kg_err kg_store_appeal_list(struct kg_store *p, const struct kg_appeal_filter *pF,
                                 int (*xRow)(void *pArg, const struct kg_appeal *), void *pArg);

/* ---- answers to support messages (support.c) ---- */

/* One answer; strings borrowed for the callback's duration. */
struct kg_support_reply {
  int64_t id;
  int64_t messageId;
  int64_t authorId;
  const char *zAuthorName;
  const char *zBody;
  int64_t createdAt;
  int64_t outboxId;
};

/* Messages newest first as kg_store_support_list, only those with status
 * zStatus (new | closed; NULL: all). */
enum kg_err kg_store_support_list_status(struct kg_store *p, const char *zStatus, int64_t beforeId,
                                         int nLimit,
                                         int (*xRow)(void *pArg, const struct kg_support_message *),
                                         void *pArg);
/* Stores authorId's answer zBody to message id and queues it to the
 * sender (zTo, zSubject, zText) in the outbox, with a moderation log entry
 * (support.reply), in one transaction. *pId gets the answer's id.
 * KG_ENOTFOUND when there is no such message. */
enum kg_err kg_store_support_reply(struct kg_store *p, int64_t id, int64_t authorId,
                                   const char *zBody, const char *zTo, const char *zSubject,
                                   const char *zText, int64_t tNow, int64_t *pId /* OUT */);
/* Sets message id's status to zStatus (new | closed) by actorId, logged as
 * support.close | support.reopen. KG_ECONFLICT when it has that status
 * already; KG_ENOTFOUND when there is no such message. */
enum kg_err kg_store_support_set_status(struct kg_store *p, int64_t id, const char *zStatus,
                                        int64_t actorId, int64_t tNow);
/* The answers to message id, oldest first. */
enum kg_err kg_store_support_replies(struct kg_store *p, int64_t id,
                                     int (*xRow)(void *pArg, const struct kg_support_reply *),
                                     void *pArg);

/* ---- accounts' overview for admins (dept.c) ---- */

/* One account as admins see it; strings borrowed for the callback's
 * duration. */
struct kg_account_overview {
  int64_t id;
  const char *zEmail;
  const char *zFullName;
  const char *zRole;
  int64_t createdAt;
  const char *zResidence; /* none | pending | verified | rejected */
  int nPropVerified, nPropPending, nPropRejected;
  int64_t nComments;   /* registered submissions, every status */
  int64_t lastLoginAt; /* the newest session's start; 0 none kept */
};

/* Accounts whose name or e-mail contains zQuery (NULL: all; case-folded
 * for ASCII), with role zRole (NULL: any), ascending id after afterId, at
 * most nLimit. */
enum kg_err kg_store_account_overview(struct kg_store *p, const char *zQuery, const char *zRole,
                                      int64_t afterId, int nLimit,
                                      int (*xRow)(void *pArg, const struct kg_account_overview *),
                                      void *pArg);

#endif

/* mail.h: outgoing e-mail. Every message's subject and text is written
 * here (kg_mail_compose_*, from plain data). A message is queued in the
 * outbox table (kg_store_outbox_insert, store.h) inside the same
 * transaction as the event that causes it; a background sender thread,
 * started by `kengash serve` when --smtp is set, delivers it with libcurl
 * over SMTP and marks it sent.
 *
 * Delivery guarantees: a queued message is never lost while the SMTP server
 * is down — a failed attempt is retried with exponential backoff
 * (kg_mail_backoff) and given up (status failed) only after
 * KG_MAIL_MAX_ATTEMPTS attempts. A message is marked sent in the database
 * right after the SMTP server accepted it, so a restart never sends it
 * again; the one at-least-once window is a crash (or a failed database
 * write) between the server's acceptance and that mark. Such a repeat
 * carries the same Message-ID, which lets mail systems drop it.
 *
 * Logs name outbox ids only, never addresses, subjects or bodies. */
#ifndef KENGASH_MAIL_H
#define KENGASH_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "kengash/config.h"
#include "kengash/core.h"
#include "kengash/i18n.h"

/* Attempts after which a message is given up (status failed). */
#define KG_MAIL_MAX_ATTEMPTS 20
/* Longest wait between attempts, seconds. */
#define KG_MAIL_BACKOFF_CAP_SEC 3600
/* First wait after a failed attempt when the configuration gives none. */
#define KG_MAIL_RETRY_SEC_DEFAULT 5

/* Seconds to wait after failed attempt number nAttempt (1 for the first):
 * nBaseSec * 2^(nAttempt-1), at most KG_MAIL_BACKOFF_CAP_SEC (nBaseSec < 1
 * counts as 1). */
int64_t kg_mail_backoff(int nAttempt, int nBaseSec);

/* ---- message formatting (pure functions, exposed for tests) ---- */

/* Appends zText as a header field body: printable ASCII as is; anything
 * else (non-ASCII, or text that contains "=?") as RFC 2047 "B" encoded-words
 * in UTF-8, each at most 64 characters, split only between characters and
 * folded with CRLF SP. KG_EINVAL when zText is not valid UTF-8 or has
 * control characters (CR, LF, ...): header injection is impossible. */
enum kg_err kg_mail_header_encode(struct kg_buf *pOut, const char *zText);

/* The addr-spec of a From value: "Name <a@b.example>" or "a@b.example"
 * gives "a@b.example" (into zOut, nOut bytes). KG_EINVAL when there is no
 * plausible printable-ASCII address. */
enum kg_err kg_mail_addr_spec(const char *zFrom, char *zOut /* OUT */, size_t nOut);

struct kg_mail_message {
  const char *zFrom;      /* "a@b" or "Display Name <a@b>" (name may be UTF-8) */
  const char *zTo;        /* printable-ASCII address */
  const char *zSubject;   /* UTF-8 text */
  const char *zBody;      /* UTF-8 text; \n or \r\n line ends */
  int64_t date;           /* Date: header, seconds since the epoch */
  const char *zMessageId; /* without <>, e.g. "kengash.12.1700000000@b" */
};

/* Formats an RFC 5322 message: Date, Message-ID, From, To, Subject
 * (kg_mail_header_encode), MIME-Version, Content-Type text/plain;
 * charset=utf-8, Content-Transfer-Encoding base64, then the body with CRLF
 * line ends, base64 in lines of 76. Appends to pOut. KG_EINVAL when a field
 * is malformed (control characters, non-ASCII address, invalid UTF-8). */
enum kg_err kg_mail_format(const struct kg_mail_message *pMsg, struct kg_buf *pOut);
/* The same with zListUnsubscribe: NULL (none), or an absolute http(s) URL
 * of printable ASCII without spaces or <> (else KG_EINVAL), which adds
 * List-Unsubscribe: <URL> and List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click (RFC 8058). */
enum kg_err kg_mail_format_unsub(const struct kg_mail_message *pMsg, const char *zListUnsubscribe,
                                 struct kg_buf *pOut);
/* The same with zLanguage: NULL (none) or "ru", "tt", "en" (else
 * KG_EINVAL), which adds Content-Language (RFC 3282). */
enum kg_err kg_mail_format_lang(const struct kg_mail_message *pMsg, const char *zListUnsubscribe,
                                const char *zLanguage, struct kg_buf *pOut);

/* ---- the e-mails' texts (templates.c, templates_account.c) ----
 * One kg_mail_compose_* function per message: it takes the plain data the
 * message shows and fills *pOut with its subject and text (UTF-8, \n line
 * ends) in eLang, the recipient's language: every fixed text is a key of
 * src/core/lang/<lang>/mail.txt (kengash/i18n.h), the user's own text is
 * put in unchanged. Queue it with kg_store_outbox_insert_lang and the same
 * language, for the Content-Language header. zBaseUrl is the site's URL as configured (--base-url;
 * NULL counts as ""): links are built on it without its trailing slashes. The callers gather the
 * data and queue the result (kg_store_outbox_insert). */
struct kg_mail_text {
  char *zSubject;         /* heap */
  char *zBody;            /* heap */
  char *zListUnsubscribe; /* heap; NULL, or the RFC 8058 URL for List-Unsubscribe */
};
/* Wipes (the texts may carry tokens) and frees the strings; *p is zeroed. */
void kg_mail_text_clear(struct kg_mail_text *p);

/* An entry of a discussion as its e-mails show it: the registered
 * proposal (receipt) or an official answer (zParentRegNo: the entry
 * answered, NULL when none). */
struct kg_mail_entry {
  int64_t discussionId, createdAt;
  const char *zDiscussionTitle; /* NULL as "" */
  const char *zKind;            /* proposal | remark | question */
  const char *zRegNo;
  const char *zBasis; /* resident | rightholder */
  const char *zBody;  /* NULL as "" */
  const char *zParentRegNo;
};
/* The receipt for a registered entry, to its author. */
void kg_mail_compose_receipt(enum kg_lang eLang, const char *zBaseUrl,
                             const struct kg_mail_entry *e, struct kg_mail_text *pOut /* OUT */);
/* An official answer, to the author of the entry answered (zParentRegNo set). */
void kg_mail_compose_answer_author(enum kg_lang eLang, const char *zBaseUrl,
                                   const struct kg_mail_entry *e,
                                   struct kg_mail_text *pOut /* OUT */);
/* An official answer, to the discussion's followers (see
 * kg_mail_compose_for_follower). */
void kg_mail_compose_answer_followers(enum kg_lang eLang, const char *zBaseUrl,
                                      const struct kg_mail_entry *e,
                                      struct kg_mail_text *pOut /* OUT */);
/* A discussion moved to stage zStatus at time t (zNote may be NULL), to
 * its followers (see kg_mail_compose_for_follower). */
void kg_mail_compose_stage(enum kg_lang eLang, const char *zBaseUrl, int64_t discussionId,
                           const char *zTitle, const char *zStatus, int64_t t, const char *zNote,
                           struct kg_mail_text *pOut /* OUT */);
/* pIn for one follower: its text with the unsubscribe links of zToken
 * (the follower's one-click unsubscribe token), and List-Unsubscribe. */
void kg_mail_compose_for_follower(enum kg_lang eLang, const char *zBaseUrl,
                                  const struct kg_mail_text *pIn, int64_t discussionId,
                                  const char *zToken, struct kg_mail_text *pOut /* OUT */);
/* A moderator's decision on entry zRegNo of discussion discussionId:
 * published, or rejected with zReason (may be NULL); nAppealDays > 0 adds
 * how to appeal a rejection. */
void kg_mail_compose_moderation(enum kg_lang eLang, const char *zBaseUrl, int64_t discussionId,
                                const char *zTitle, const char *zRegNo, int bPublish,
                                const char *zReason, int nAppealDays,
                                struct kg_mail_text *pOut /* OUT */);
/* The outcome of an appeal against the rejection of entry zRegNo. */
void kg_mail_compose_appeal_outcome(enum kg_lang eLang, const char *zBaseUrl, const char *zRegNo,
                                    int bUphold, const char *zReason,
                                    struct kg_mail_text *pOut /* OUT */);
/* A decision on a residence (zCadastral NULL) or on the property
 * zCadastral; zNote may be NULL; zProvider: the state identity provider's
 * sign-in button text, NULL when the site has none. KG_ETOOBIG (nothing
 * filled) when the text would pass 32 KB. */
enum kg_err kg_mail_compose_verification(enum kg_lang eLang, const char *zBaseUrl,
                                         const char *zCadastral, int bVerified, const char *zNote,
                                         const char *zProvider,
                                         struct kg_mail_text *pOut /* OUT */);
/* The conclusion of discussion discussionId published (version nVersion,
 * zSha its SHA-256 in hex), to its participants. */
void kg_mail_compose_conclusion(enum kg_lang eLang, const char *zBaseUrl, int64_t discussionId,
                                const char *zTitle, int nVersion, const char *zSha,
                                struct kg_mail_text *pOut /* OUT */);

/* A message to technical support as the support address receives it. */
struct kg_mail_support_message {
  int64_t id, createdAt;
  int64_t accountId; /* 0: sent without logging in */
  const char *zName, *zEmail, *zTopic, *zBody;
  const char *zPageUrl; /* NULL when not given; a path is put after the base URL */
};
void kg_mail_compose_support_message(enum kg_lang eLang, const char *zBaseUrl,
                                     const struct kg_mail_support_message *m,
                                     struct kg_mail_text *pOut /* OUT */);
/* A moderator's answer zAnswer to support message m (its id, createdAt,
 * zTopic and zBody are quoted), to the sender. */
void kg_mail_compose_support_answer(enum kg_lang eLang, const char *zBaseUrl,
                                    const struct kg_mail_support_message *m, const char *zAnswer,
                                    struct kg_mail_text *pOut /* OUT */);

/* Messages with a secret link: zToken is the token in clear (only its hash
 * is stored); kg_mail_text_clear wipes it. */
/* Confirm the account's e-mail address (the link lasts 7 days). */
void kg_mail_compose_email_confirm(enum kg_lang eLang, const char *zBaseUrl, const char *zToken,
                                   struct kg_mail_text *pOut /* OUT */);
/* A password reset link lasting nTtlSec seconds. */
void kg_mail_compose_password_reset(enum kg_lang eLang, const char *zBaseUrl, const char *zToken,
                                    int nTtlSec, struct kg_mail_text *pOut /* OUT */);
/* Confirm a new area alert subscription (double opt-in). */
void kg_mail_compose_alert_confirm(enum kg_lang eLang, const char *zBaseUrl, const char *zToken,
                                   struct kg_mail_text *pOut /* OUT */);
/* A discussion event in an alert's area. */
struct kg_mail_alert_item {
  int64_t discussionId;
  const char *zTitle;
  const char *zStatus; /* announced | open | concluded */
};
/* An instant alert (nItem 1) or, bDigest, the weekly digest of nItem
 * items; zToken is the subscription's fresh manage token (links and
 * List-Unsubscribe). KG_ETOOBIG (nothing filled) past 1 MB. */
enum kg_err kg_mail_compose_alert(enum kg_lang eLang, const char *zBaseUrl, const char *zToken,
                                  const struct kg_mail_alert_item *aItem, int nItem, int bDigest,
                                  struct kg_mail_text *pOut /* OUT */);

/* ---- the sender thread ---- */

/* Starts the sender for pCfg->zSmtp (smtp://host:port or smtps://...),
 * with its own connection to pCfg->zDb, sender pCfg->zMailFrom and first
 * retry delay pCfg->nMailRetrySec. It polls the outbox every second and at
 * once after kg_mail_wake(). When zSmtp is empty nothing starts (mail stays
 * queued) and KG_OK is returned. KG_EINVAL for a malformed URL or sender. */
enum kg_err kg_mail_start(const struct kg_config *pCfg);
/* Asks the sender to look at the outbox now (call after committing a
 * transaction that queued mail). Cheap; a no-op when no sender runs. */
void kg_mail_wake(void);
/* Stops the sender: an SMTP transaction in flight is aborted (the message
 * stays pending), the thread is joined. Safe when none was started. */
void kg_mail_stop(void);

/* A background step the sender thread runs on its own store connection
 * before every look at the outbox (each poll, and at once after
 * kg_mail_wake): it queues mail from new rows of other tables, e.g. with a
 * persisted cursor. Register before kg_mail_start; at most
 * KG_MAIL_MAX_STEPS (later ones are refused with KG_ETOOBIG). */
#define KG_MAIL_MAX_STEPS 4
struct kg_store;
typedef void (*kg_mail_step_fn)(struct kg_store *p, void *pArg);
enum kg_err kg_mail_add_step(kg_mail_step_fn xStep, void *pArg);

#endif

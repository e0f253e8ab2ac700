/* mail.h: outgoing e-mail. A message is queued in the outbox table
 * (kg_store_outbox_insert, store.h) inside the same transaction as the event
 * that causes it; a background sender thread, started by `kengash serve`
 * when --smtp is set, delivers it with libcurl over SMTP and marks it sent.
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

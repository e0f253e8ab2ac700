/* alerts.h: area alerts' background work, run by `kengash serve` on every
 * tick and by `kengash alerts digest` (src/api/alerts_mail.c). The HTTP
 * side is in the route table (src/api/alerts.c). */
#ifndef KENGASH_ALERTS_H
#define KENGASH_ALERTS_H

#include <stdint.h>

#include "kengash/config.h"
#include "kengash/core.h"
#include "kengash/store.h"

/* One tick of the server: handles new discussion events (instant alerts
 * queued, weekly ones kept for the digest), purges stale subscriptions and
 * tokens hourly, and once a week (Monday 08:00 UTC) works through the
 * digest for at most a few seconds per tick until it is done. Errors are
 * logged; wakes the mail sender when mail was queued. */
void kg_alerts_tick(struct kg_store *p, const struct kg_config *pCfg);

/* Sends the digest now: every subscription with items pending since before
 * tBefore gets one e-mail, each in its own transaction with the deletion
 * of its items (a kill in the middle and a new run send each digest once).
 * nHoldAfter > 0 (tests): after that many digests print "alerts digest:
 * held" on stdout and wait forever. *pnSent counts the e-mails queued. */
enum kg_err kg_alerts_digest(struct kg_store *p, const struct kg_config *pCfg, int64_t tBefore,
                             int nHoldAfter, int *pnSent /* OUT */);

#endif

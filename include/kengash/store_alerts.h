/* store_alerts.h: the store's area alerts (src/store/alerts.c), part of the
 * store's public surface kept in its own header. Subscriptions of an
 * e-mail address to an area (a polygon in EPSG:4326 with an R*Tree index),
 * their tokens (only SHA-256 hashes are stored), matching new discussion
 * events against them, and the resumable weekly digest. Migration 0016. */
#include "kengash/store.h"

#ifndef KENGASH_STORE_ALERTS_H
#define KENGASH_STORE_ALERTS_H

#include <stddef.h>
#include <stdint.h>

/* Events a subscription asks for (bit mask). */
#define KG_ALERT_ANNOUNCED 1
#define KG_ALERT_OPEN 2
#define KG_ALERT_CONCLUDED 4
#define KG_ALERT_ALL 7
/* Lifetimes of the links' tokens, seconds. */
#define KG_ALERT_CONFIRM_TTL (7 * 86400)
#define KG_ALERT_MANAGE_TTL (180 * 86400)

/* One subscription as read back. */
struct kg_alert_sub {
  int64_t id;
  char zEmail[256];
  char zKind[16];   /* address | point | polygon */
  char zLabel[512]; /* the register's address (kind address), else "" */
  double centerLon, centerLat;
  int nRadiusM;     /* 0 for a polygon */
  int events;       /* KG_ALERT_* mask */
  char zRhythm[16]; /* instant | weekly */
  int64_t createdAt, confirmedAt;
  char *zAreaGeoJson; /* heap: free() */
};

/* A new subscription (unconfirmed) with its confirmation token and e-mail. */
struct kg_alert_new {
  const char *zEmail, *zKind, *zLabel; /* zLabel may be NULL */
  double centerLon, centerLat;         /* kinds address and point */
  int nRadiusM;                        /* kinds address and point, else 0 */
  const char *zAreaWkt;                /* POLYGON in EPSG:4326 */
  double minx, miny, maxx, maxy;
  int events;
  const char *zRhythm;
  unsigned char aConfirmHash[32];
  int64_t tNow;
  int nMaxPerEmail;             /* subscriptions an address may have, confirmed or not */
  const char *zSubject, *zBody; /* the confirmation e-mail */
  int64_t id, outboxId;         /* OUT */
  const char *zLanguage;        /* ru | tt | en: its e-mails' language (NULL: ru) */
};
/* Stores q's subscription, its confirmation token and the confirmation
 * e-mail in one transaction. KG_EINVAL when the area is not a valid
 * polygon (self-intersection...); KG_ELIMIT when the address already has
 * nMaxPerEmail subscriptions (nothing stored). */
enum kg_err kg_store_alert_create(struct kg_store *p, struct kg_alert_new *q);
/* Spends confirmation token aHash: confirms its subscription and stores
 * the manage token aManageHash, in one transaction. *pId gets the
 * subscription. KG_EGONE for an unknown, used or expired token. */
enum kg_err kg_store_alert_confirm(struct kg_store *p, const unsigned char aHash[32],
                                   const unsigned char aManageHash[32], int64_t tNow,
                                   int64_t *pId /* OUT */);
/* The subscription of manage token aHash into *pOut (free zAreaGeoJson with
 * kg_alert_sub_clear). KG_EGONE for an unknown or expired token. */
enum kg_err kg_store_alert_by_token(struct kg_store *p, const unsigned char aHash[32], int64_t tNow,
                                    struct kg_alert_sub *pOut /* OUT */);
void kg_alert_sub_clear(struct kg_alert_sub *p);
/* The address register's entry id: its spelling into zLabel (nLabel
 * bytes) and its point. KG_ENOTFOUND when there is none. */
enum kg_err kg_store_alert_address(struct kg_store *p, int64_t id, char *zLabel /* OUT */,
                                   size_t nLabel, double *pLon /* OUT */, double *pLat /* OUT */);
/* Changes the events and rhythm of subscription id. */
enum kg_err kg_store_alert_update(struct kg_store *p, int64_t id, int events, const char *zRhythm);
/* Deletes subscription id with its tokens and pending items (the e-mail
 * address goes with it). KG_ENOTFOUND when already gone. */
enum kg_err kg_store_alert_delete(struct kg_store *p, int64_t id);
/* Deletes unconfirmed subscriptions created before tBefore and expired tokens. */
enum kg_err kg_store_alert_purge(struct kg_store *p, int64_t tNow, int64_t tBefore);

/* ---- matching and sending ---- */

/* One subscription matched by a discussion event (borrowed for a call). */
struct kg_alert_item {
  int64_t eventId, discussionId;
  const char *zStatus; /* announced | open | concluded */
  const char *zTitle;  /* the discussion's title */
};
/* The e-mail the caller composes for a subscription: the hash of the fresh
 * manage token its links carry, and heap strings (the store frees them). */
struct kg_alert_mail {
  unsigned char aTokenHash[32];
  char *zSubject, *zBody, *zListUnsubscribe;
};
/* Composes the mail to zEmail about nItem items: an instant alert (one
 * item) or, bDigest, the weekly digest, in the subscription's language
 * zLanguage (ru, tt, en; NULL for older subscriptions: ru). Returns KG_OK
 * with *pOut filled, or an error that rolls the step back. */
typedef enum kg_err (*kg_alert_compose_fn)(void *pArg, const char *zEmail, const char *zLanguage,
                                           const struct kg_alert_item *aItem, int nItem,
                                           int bDigest, struct kg_alert_mail *pOut);

/* Confirmed subscriptions asking for event bit nMask, confirmed before
 * discussion event eventId was written, whose area meets discussion discussionId's territory: the
 * R*Tree gives candidates by bounding box, then ST_Intersects decides.
 * xRow(pArg, subscriptionId, zEmail, bWeekly) for each, by id; nonzero
 * stops. *pnMatch (may be NULL) counts them. */
enum kg_err
kg_store_alert_match(struct kg_store *p, int64_t discussionId, int nMask, int64_t eventId,
                     int (*xRow)(void *pArg, int64_t subId, const char *zEmail, int bWeekly),
                     void *pArg, int *pnMatch /* OUT */);
/* Handles up to nMaxEvents discussion events after the persisted cursor,
 * in one transaction with the cursor's move: for each matched instant
 * subscription an e-mail (xCompose) and its manage token are queued; a
 * weekly one gets an alert_pending row. *pnEvents and *pnMail count what
 * was done (0 events: nothing new). */
enum kg_err kg_store_alert_events_step(struct kg_store *p, int nMaxEvents, int64_t tNow,
                                       kg_alert_compose_fn xCompose, void *pArg,
                                       int *pnEvents /* OUT */, int *pnMail /* OUT */);
/* One subscription's digest: the first subscription after afterId with
 * items pending since before tBefore gets one e-mail (xCompose, at most 50
 * items listed) and those items are deleted, in one transaction. *pSubId
 * gets the subscription (0: none left). */
enum kg_err kg_store_alert_digest_one(struct kg_store *p, int64_t afterId, int64_t tBefore,
                                      int64_t tNow, kg_alert_compose_fn xCompose, void *pArg,
                                      int64_t *pSubId /* OUT */);
/* A persisted integer of the alerts' state (events_cursor, digest_week);
 * *pv 0 when unset. */
enum kg_err kg_store_alert_state_get(struct kg_store *p, const char *zKey, int64_t *pv /* OUT */);
enum kg_err kg_store_alert_state_set(struct kg_store *p, const char *zKey, int64_t v);

#endif

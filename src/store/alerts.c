/* alerts.c: area alerts in the store (store_alerts.h, migration 0016):
 * subscriptions and their hashed tokens, matching discussion events against
 * the subscriptions' areas (R*Tree, then ST_Intersects), the events step
 * with its persisted cursor and the resumable weekly digest. Never logs
 * e-mail addresses or tokens. */
#include <stdlib.h>
#include <string.h>

#include "kengash/store_alerts.h"
#include "kengash/store_notify.h"
#include "store_int.h"

#define DIGEST_MAX_ITEMS 50

void kg_alert_sub_clear(struct kg_alert_sub *p) {
  free(p->zAreaGeoJson);
  memset(p, 0, sizeof(*p));
}

/* Runs zSql (prepared through the SQL cache) with ?1 blob aHash (32 bytes,
 * may be NULL) then integers a2, a3 bound when the statement has them. */
static enum kg_err run3(struct kg_store *p, const char *zSql, const unsigned char *aHash,
                        int64_t a2, int64_t a3, const char *zWhat) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  int n = kg_db_bind_count(s);
  if (aHash)
    kg_db_bind_blob(s, 1, aHash, 32);
  else
    kg_db_bind_i64(s, 1, a2);
  if (n >= 2) kg_db_bind_i64(s, 2, aHash ? a2 : a3);
  if (n >= 3) kg_db_bind_i64(s, 3, a3);
  return kg_store_sql_run(p, s, zWhat);
}

static enum kg_err token_insert(struct kg_store *p, const unsigned char aHash[32], int64_t subId,
                                const char *zPurpose, int64_t tNow, int64_t tExpires) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p,
                           "INSERT INTO alert_tokens (token_hash, subscription_id, "
                           "purpose, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                           &s);
  if (rc) return rc;
  kg_db_bind_blob(s, 1, aHash, 32);
  kg_db_bind_i64(s, 2, subId);
  kg_store_bind_text(s, 3, zPurpose);
  kg_db_bind_i64(s, 4, tNow);
  kg_db_bind_i64(s, 5, tExpires);
  return kg_store_sql_run(p, s, "alert token insert");
}

/* KG_OK when zWkt is a valid polygon; KG_EINVAL otherwise. */
static enum kg_err area_valid(struct kg_store *p, const char *zWkt) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p,
                           /* SpatiaLite: 1/0/-1, NULL for bad WKT; PostGIS: boolean
                            * (pg-compat's boolean = integer) */
                           "SELECT CASE WHEN ST_IsValid(GeomFromText(?1, 4326)) = 1 THEN 1 "
                           "ELSE 0 END",
                           &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, zWkt);
  if ((rc = kg_store_sql_one(p, s, "alert area check")) == KG_OK && !kg_db_col_int(s, 0))
    rc = KG_EINVAL;
  kg_store_sql_done(p, s);
  return rc;
}

static enum kg_err count_for_email(struct kg_store *p, const char *zEmail, int *pn) {
  struct kg_db_stmt *s = NULL;
  *pn = 0;
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT count(*) FROM alert_subscriptions WHERE email = ?1", &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, zEmail);
  if ((rc = kg_store_sql_one(p, s, "alert count")) == KG_OK) *pn = kg_db_col_int(s, 0);
  kg_store_sql_done(p, s);
  return rc;
}

static enum kg_err sub_insert(struct kg_store *p, struct kg_alert_new *q) {
  struct kg_db_stmt *s = NULL;
  int bCircle = q->nRadiusM > 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "INSERT INTO alert_subscriptions (email, kind, label, center_lon, center_lat, radius_m, "
      "minx, miny, maxx, maxy, events, rhythm, created_at, area, language) VALUES (?1, ?2, ?3, "
      "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, GeomFromText(?14, 4326), ?15) RETURNING id",
      "ttt", q->zEmail, q->zKind, q->zLabel);
  if (rc) return rc;
  if (bCircle) {
    kg_db_bind_double(s, 4, q->centerLon);
    kg_db_bind_double(s, 5, q->centerLat);
    kg_db_bind_int(s, 6, q->nRadiusM);
  }
  kg_db_bind_double(s, 7, q->minx);
  kg_db_bind_double(s, 8, q->miny);
  kg_db_bind_double(s, 9, q->maxx);
  kg_db_bind_double(s, 10, q->maxy);
  kg_db_bind_int(s, 11, q->events);
  kg_store_bind_text(s, 12, q->zRhythm);
  kg_db_bind_i64(s, 13, q->tNow);
  kg_store_bind_text(s, 14, q->zAreaWkt);
  kg_store_bind_text(s, 15, q->zLanguage);
  rc = kg_store_sql_insert(p, s, "alert insert", &q->id);
  return rc;
}

enum kg_err kg_store_alert_create(struct kg_store *p, struct kg_alert_new *q) {
  struct kg_store_tx tx = {0, 0};
  int n = 0;
  q->id = q->outboxId = 0;
  enum kg_err rc = area_valid(p, q->zAreaWkt);
  if (rc) return rc;
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) return rc;
  if ((rc = count_for_email(p, q->zEmail, &n)) != KG_OK) goto out;
  if (n >= q->nMaxPerEmail) {
    rc = KG_ELIMIT;
    goto out;
  }
  if ((rc = sub_insert(p, q)) != KG_OK) goto out;
  rc = token_insert(p, q->aConfirmHash, q->id, "confirm", q->tNow, q->tNow + KG_ALERT_CONFIRM_TTL);
  if (rc == KG_OK)
    rc = kg_store_outbox_insert_lang(p, q->zEmail, q->zSubject, q->zBody, NULL, q->zLanguage,
                                     q->tNow, &q->outboxId);
out:
  kg_store_tx_finish(p, &tx, &rc);
  if (rc != KG_OK) q->id = q->outboxId = 0;
  return rc;
}

enum kg_err kg_store_alert_confirm(struct kg_store *p, const unsigned char aHash[32],
                                   const unsigned char aManageHash[32], int64_t tNow,
                                   int64_t *pId) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  int64_t id = 0;
  *pId = 0;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  /* deleting the token is the check: of two racing uses one gets the row */
  rc = kg_store_sql_query(p, &s,
                          "DELETE FROM alert_tokens WHERE token_hash = ?1 AND purpose = "
                          "'confirm' AND expires_at > ?2 RETURNING subscription_id",
                          "hi", aHash, tNow);
  if (rc) goto out;
  while ((rc = kg_store_sql_row(p, s, "alert confirm")) == KG_OK)
    id = kg_db_col_i64(s, 0);
  kg_store_sql_done(p, s);
  if (rc != KG_ENOTFOUND) goto out;
  rc = KG_OK;
  if (!id) {
    rc = KG_EGONE;
    goto out;
  }
  rc = run3(p,
            "UPDATE alert_subscriptions SET confirmed_at = coalesce(confirmed_at, ?2), "
            "confirmed_event = coalesce(confirmed_event, (SELECT coalesce(max(id), 0) FROM "
            "discussion_events)) WHERE id = ?1",
            NULL, id, tNow, "alert confirmed");
  if (rc == KG_OK)
    rc = token_insert(p, aManageHash, id, "manage", tNow, tNow + KG_ALERT_MANAGE_TTL);
  if (rc == KG_OK) *pId = id;
out:
  kg_store_tx_finish(p, &tx, &rc);
  if (rc != KG_OK) *pId = 0;
  return rc;
}

enum kg_err kg_store_alert_by_token(struct kg_store *p, const unsigned char aHash[32], int64_t tNow,
                                    struct kg_alert_sub *pOut) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT s.id, s.email, s.kind, s.label, s.center_lon, s.center_lat, s.radius_m, s.events, "
      "s.rhythm, s.created_at, s.confirmed_at, AsGeoJSON(s.area, 9) FROM alert_tokens t JOIN "
      "alert_subscriptions s ON s.id = t.subscription_id WHERE t.token_hash = ?1 AND "
      "t.purpose = 'manage' AND t.expires_at > ?2",
      "hi", aHash, tNow);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "alert by token")) == KG_OK) {
    pOut->id = kg_db_col_i64(s, 0);
    kg_store_col_copy(s, 1, pOut->zEmail, sizeof(pOut->zEmail));
    kg_store_col_copy(s, 2, pOut->zKind, sizeof(pOut->zKind));
    kg_store_col_copy(s, 3, pOut->zLabel, sizeof(pOut->zLabel));
    pOut->centerLon = kg_db_col_double(s, 4);
    pOut->centerLat = kg_db_col_double(s, 5);
    pOut->nRadiusM = kg_db_col_int(s, 6);
    pOut->events = kg_db_col_int(s, 7);
    kg_store_col_copy(s, 8, pOut->zRhythm, sizeof(pOut->zRhythm));
    pOut->createdAt = kg_db_col_i64(s, 9);
    pOut->confirmedAt = kg_db_col_i64(s, 10);
    pOut->zAreaGeoJson = kg_store_col_dup(s, 11);
  } else if (rc == KG_ENOTFOUND) {
    rc = KG_EGONE;
  }
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_alert_address(struct kg_store *p, int64_t id, char *zLabel, size_t nLabel,
                                   double *pLon, double *pLat) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "SELECT address, X(geometry), Y(geometry) FROM address_registry WHERE id = ?1", "i",
      id);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "alert address")) == KG_OK) {
    kg_store_col_copy(s, 0, zLabel, nLabel);
    *pLon = kg_db_col_double(s, 1);
    *pLat = kg_db_col_double(s, 2);
  }
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_alert_update(struct kg_store *p, int64_t id, int events, const char *zRhythm) {
  enum kg_err rc = kg_store_sql_exec(
      p, "alert update", "UPDATE alert_subscriptions SET events = ?2, rhythm = ?3 WHERE id = ?1",
      "ikt", id, events, zRhythm);
  if (rc == KG_OK && kg_db_changes(p) == 0) rc = KG_ENOTFOUND;
  return rc;
}

enum kg_err kg_store_alert_delete(struct kg_store *p, int64_t id) {
  enum kg_err rc =
      run3(p, "DELETE FROM alert_subscriptions WHERE id = ?1", NULL, id, 0, "alert delete");
  if (rc == KG_OK && kg_db_changes(p) == 0) rc = KG_ENOTFOUND;
  return rc;
}

enum kg_err kg_store_alert_purge(struct kg_store *p, int64_t tNow, int64_t tBefore) {
  enum kg_err rc = run3(p,
                        "DELETE FROM alert_subscriptions WHERE confirmed_at IS NULL AND "
                        "created_at < ?1",
                        NULL, tBefore, 0, "alert purge unconfirmed");
  if (rc == KG_OK)
    rc = run3(p, "DELETE FROM alert_tokens WHERE expires_at <= ?1", NULL, tNow, 0,
              "alert purge tokens");
  return rc;
}

/* ---- state ---- */

enum kg_err kg_store_alert_state_get(struct kg_store *p, const char *zKey, int64_t *pv) {
  struct kg_db_stmt *s = NULL;
  *pv = 0;
  enum kg_err rc =
      kg_store_sql_query(p, &s, "SELECT value FROM alert_state WHERE key = ?1", "t", zKey);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "alert state get")) == KG_OK) *pv = kg_db_col_i64(s, 0);
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_alert_state_set(struct kg_store *p, const char *zKey, int64_t v) {
  return kg_store_sql_exec(p, "alert state set",
                           "INSERT INTO alert_state (key, value) VALUES (?1, ?2) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           "ti", zKey, v);
}

/* ---- the events step (matching itself: alerts_match.c) ---- */

/* A match collected before anything is written. */
struct hit {
  int64_t subId;
  char *zEmail;
  int bWeekly;
};
struct hits {
  struct hit *a;
  int n, nAlloc;
};

static int collect(void *pArg, int64_t subId, const char *zEmail, int bWeekly) {
  struct hits *h = pArg;
  if (h->n == h->nAlloc) {
    h->nAlloc = h->nAlloc ? 2 * h->nAlloc : 64;
    h->a = kg_xrealloc(h->a, (size_t)h->nAlloc * sizeof(*h->a));
  }
  h->a[h->n].subId = subId;
  h->a[h->n].zEmail = kg_xstrdup(zEmail ? zEmail : "");
  h->a[h->n].bWeekly = bWeekly;
  h->n++;
  return 0;
}

static void hits_free(struct hits *h) {
  for (int i = 0; i < h->n; i++)
    free(h->a[i].zEmail);
  free(h->a);
  memset(h, 0, sizeof(*h));
}

static int status_bit(const char *z) {
  if (strcmp(z, "announced") == 0) return KG_ALERT_ANNOUNCED;
  if (strcmp(z, "open") == 0) return KG_ALERT_OPEN;
  if (strcmp(z, "concluded") == 0) return KG_ALERT_CONCLUDED;
  return 0;
}

/* Composes and queues one e-mail to zEmail with its manage token. */
static enum kg_err queue_mail(struct kg_store *p, int64_t subId, const char *zEmail,
                              const struct kg_alert_item *aItem, int nItem, int bDigest,
                              int64_t tNow, kg_alert_compose_fn xCompose, void *pArg) {
  struct kg_alert_mail m;
  char zLang[4] = "";
  memset(&m, 0, sizeof(m));
  /* the subscription's language (issue 20) */
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "SELECT language FROM alert_subscriptions WHERE id = ?1", "i", subId);
  if (rc == KG_OK && (rc = kg_store_sql_row(p, s, "alert language")) == KG_OK)
    kg_store_col_copy(s, 0, zLang, sizeof(zLang));
  kg_store_sql_done(p, s);
  if (rc == KG_OK) rc = xCompose(pArg, zEmail, zLang[0] ? zLang : NULL, aItem, nItem, bDigest, &m);
  if (rc == KG_OK)
    rc = token_insert(p, m.aTokenHash, subId, "manage", tNow, tNow + KG_ALERT_MANAGE_TTL);
  if (rc == KG_OK)
    rc = kg_store_outbox_insert_lang(p, zEmail, m.zSubject, m.zBody, m.zListUnsubscribe,
                                     zLang[0] ? zLang : "ru", tNow, NULL);
  free(m.zSubject);
  free(m.zBody);
  free(m.zListUnsubscribe);
  return rc;
}

static enum kg_err pending_insert(struct kg_store *p, int64_t subId, const struct kg_alert_item *e,
                                  int64_t tNow) {
  return kg_store_sql_exec(p, "alert pending insert",
                           "INSERT OR IGNORE INTO alert_pending (subscription_id, "
                           "event_id, discussion_id, to_status, created_at) VALUES "
                           "(?1, ?2, ?3, ?4, ?5)",
                           "iiiti", subId, e->eventId, e->discussionId, e->zStatus, tNow);
}

/* Matches one event and queues what it causes; *pnMail counts e-mails. */
static enum kg_err handle_event(struct kg_store *p, const struct kg_alert_item *e, int64_t tNow,
                                kg_alert_compose_fn xCompose, void *pArg, int *pnMail) {
  struct hits h = {NULL, 0, 0};
  int nBit = status_bit(e->zStatus);
  if (!nBit) return KG_OK;
  enum kg_err rc = kg_store_alert_match(p, e->discussionId, nBit, e->eventId, collect, &h, NULL);
  for (int i = 0; rc == KG_OK && i < h.n; i++) {
    if (h.a[i].bWeekly) {
      rc = pending_insert(p, h.a[i].subId, e, tNow);
    } else {
      rc = queue_mail(p, h.a[i].subId, h.a[i].zEmail, e, 1, 0, tNow, xCompose, pArg);
      if (rc == KG_OK) (*pnMail)++;
    }
  }
  hits_free(&h);
  return rc;
}

/* An event read from discussion_events, with its own copies. */
struct event_row {
  struct kg_alert_item item;
  int64_t at;
  char zStatus[16];
  char *zTitle;
};

static enum kg_err read_events(struct kg_store *p, int64_t afterId, int nMax, struct event_row *a,
                               int *pn) {
  struct kg_db_stmt *s = NULL;
  *pn = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT e.id, e.discussion_id, e.to_status, e.at, d.title FROM discussion_events e JOIN "
      "discussions d ON d.id = e.discussion_id WHERE e.id > ?1 ORDER BY e.id LIMIT ?2",
      "ik", afterId, nMax);
  if (rc) return rc;
  while (*pn < nMax && (rc = kg_store_sql_row(p, s, "alert events read")) == KG_OK) {
    struct event_row *r = &a[(*pn)++];
    r->item.eventId = kg_db_col_i64(s, 0);
    r->item.discussionId = kg_db_col_i64(s, 1);
    kg_store_col_copy(s, 2, r->zStatus, sizeof(r->zStatus));
    r->at = kg_db_col_i64(s, 3);
    r->zTitle = kg_store_col_dup(s, 4);
    r->item.zStatus = r->zStatus;
    r->item.zTitle = r->zTitle ? r->zTitle : "";
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_alert_events_step(struct kg_store *p, int nMaxEvents, int64_t tNow,
                                       kg_alert_compose_fn xCompose, void *pArg, int *pnEvents,
                                       int *pnMail) {
  struct kg_store_tx tx = {0, 0};
  struct event_row *a = NULL;
  int64_t cursor = 0;
  int n = 0, nMail = 0;
  *pnEvents = *pnMail = 0;
  if (nMaxEvents < 1) nMaxEvents = 1;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  a = kg_xcalloc((size_t)nMaxEvents, sizeof(*a));
  if ((rc = kg_store_alert_state_get(p, "events_cursor", &cursor)) != KG_OK) goto out;
  if ((rc = read_events(p, cursor, nMaxEvents, a, &n)) != KG_OK || n == 0) goto out;
  for (int i = 0; rc == KG_OK && i < n; i++)
    rc = handle_event(p, &a[i].item, tNow, xCompose, pArg, &nMail);
  if (rc == KG_OK) rc = kg_store_alert_state_set(p, "events_cursor", a[n - 1].item.eventId);
out:
  kg_store_tx_finish(p, &tx, &rc);
  for (int i = 0; i < n; i++)
    free(a[i].zTitle);
  free(a);
  if (rc == KG_OK) {
    *pnEvents = n;
    *pnMail = nMail;
  }
  return rc;
}

/* ---- the weekly digest ---- */

static enum kg_err digest_next(struct kg_store *p, int64_t afterId, int64_t tBefore,
                               int64_t *pSubId, char *zEmail, size_t nEmail) {
  struct kg_db_stmt *s = NULL;
  *pSubId = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT s.id, s.email FROM alert_subscriptions s WHERE s.id = (SELECT min(subscription_id) "
      "FROM alert_pending WHERE subscription_id > ?1 AND created_at < ?2)",
      "ii", afterId, tBefore);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "alert digest next")) == KG_OK) {
    *pSubId = kg_db_col_i64(s, 0);
    kg_store_col_copy(s, 1, zEmail, nEmail);
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

static enum kg_err digest_items(struct kg_store *p, int64_t subId, int64_t tBefore,
                                struct event_row *a, int *pn) {
  struct kg_db_stmt *s = NULL;
  *pn = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT a.event_id, a.discussion_id, a.to_status, d.title FROM alert_pending a JOIN "
      "discussions d ON d.id = a.discussion_id WHERE a.subscription_id = ?1 AND a.created_at < "
      "?2 ORDER BY a.event_id LIMIT ?3",
      "iik", subId, tBefore, DIGEST_MAX_ITEMS);
  if (rc) return rc;
  while (*pn < DIGEST_MAX_ITEMS && (rc = kg_store_sql_row(p, s, "alert digest")) == KG_OK) {
    struct event_row *r = &a[(*pn)++];
    r->item.eventId = kg_db_col_i64(s, 0);
    r->item.discussionId = kg_db_col_i64(s, 1);
    kg_store_col_copy(s, 2, r->zStatus, sizeof(r->zStatus));
    r->zTitle = kg_store_col_dup(s, 3);
    r->item.zStatus = r->zStatus;
    r->item.zTitle = r->zTitle ? r->zTitle : "";
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_alert_digest_one(struct kg_store *p, int64_t afterId, int64_t tBefore,
                                      int64_t tNow, kg_alert_compose_fn xCompose, void *pArg,
                                      int64_t *pSubId) {
  struct kg_store_tx tx = {0, 0};
  struct event_row a[DIGEST_MAX_ITEMS];
  struct kg_alert_item aItem[DIGEST_MAX_ITEMS];
  char zEmail[256];
  int64_t subId = 0;
  int n = 0;
  *pSubId = 0;
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) return rc;
  if ((rc = digest_next(p, afterId, tBefore, &subId, zEmail, sizeof(zEmail))) != KG_OK || !subId)
    goto out;
  if ((rc = digest_items(p, subId, tBefore, a, &n)) != KG_OK) goto out;
  for (int i = 0; i < n; i++)
    aItem[i] = a[i].item;
  /* items of discussions deleted meanwhile went with them: no mail then */
  if (n > 0) rc = queue_mail(p, subId, zEmail, aItem, n, 1, tNow, xCompose, pArg);
  if (rc == KG_OK)
    rc = run3(p, "DELETE FROM alert_pending WHERE subscription_id = ?1 AND created_at < ?2", NULL,
              subId, tBefore, "alert digest done");
out:
  kg_store_tx_finish(p, &tx, &rc);
  for (int i = 0; i < n; i++)
    free(a[i].zTitle);
  if (rc == KG_OK) *pSubId = subId;
  return rc;
}

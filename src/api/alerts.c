/* alerts.c: area alerts over HTTP, for anyone with or without an account.
 * POST /api/v1/alerts subscribes an e-mail address to an area (a circle of
 * 200 m to 5 km around an address of the register or a point, or a drawn
 * polygon) and mails a confirmation link (double opt-in); nothing is sent
 * to the address before it is confirmed. Every later e-mail carries a
 * fresh manage token (only its SHA-256 is stored) in its manage link and
 * in its RFC 8058 one-click unsubscribe URL. Never logs e-mail addresses
 * or tokens. The background side is alerts_mail.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_alerts.h"
#include "api_auth.h"
#include "api_common.h"
#include "kengash/auth.h"
#include "kengash/mail.h"
#include "kengash/store_alerts.h"

#define MIN_RADIUS_M 200
#define MAX_RADIUS_M 5000
#define CIRCLE_VERTICES 32
#define MAX_POLYGON_VERTICES 200
#define MIN_AREA_M2 1e4 /* 1 ha */
#define MAX_AREA_M2 1e8 /* 100 km2, a circle of 5 km is 78.5 */
#define MAX_PER_EMAIL 10

static const char *const azEvent[] = {"announced", "open", "concluded"};

static void reply_gone(struct kg_req *r) {
  kg_reply_code(r, KG_P_LINK_EXPIRED,
                "this link is not valid or has expired; the subscription may have been "
                "deleted");
}

/* ---- the area ---- */

/* radius_m: required for circles, 200..5000. */
static int read_radius(struct kg_req *r, json_t *v, int *pn) {
  if (!json_is_integer(v) || json_integer_value(v) < MIN_RADIUS_M ||
      json_integer_value(v) > MAX_RADIUS_M) {
    kg_reply_limit(r, 422, KG_R_OUT_OF_RANGE, "radius_m",
                   "must be a whole number of metres from 200 to 5000", 200, 5000);
    return 0;
  }
  *pn = (int)json_integer_value(v);
  return 1;
}

/* center: [lon, lat] in the plausible range. */
static int read_center(struct kg_req *r, json_t *v, double *pLon, double *pLat) {
  json_t *x = json_array_get(v, 0), *y = json_array_get(v, 1);
  if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_number(x) || !json_is_number(y) ||
      fabs(json_number_value(x)) > 180 || fabs(json_number_value(y)) > 85) {
    kg_reply_bad(r, KG_R_INVALID_FORMAT, "center",
                 "must be [longitude, latitude] in degrees (EPSG:4326)");
    return 0;
  }
  *pLon = json_number_value(x);
  *pLat = json_number_value(y);
  return 1;
}

/* polygon: a GeoJSON Polygon of at most 200 vertices, 1 ha to 100 km2. */
static int read_polygon(struct kg_req *r, json_t *pPolygon, struct kg_geom *g) {
  struct kg_geo_limits lim = {MAX_POLYGON_VERTICES, KG_GEOM_POLYGON};
  char zErr[300], zMsg[400];
  enum kg_err rc = kg_geo_parse(kg_api_geo(), pPolygon, NULL, &lim, g, zErr, sizeof(zErr));
  if (rc == KG_ETOOBIG) {
    kg_reply_limit(r, 422, KG_R_TOO_MANY, "polygon",
                   "has more than 200 vertices; draw a simpler outline", 0, 200);
    return 0;
  }
  if (rc != KG_OK) {
    snprintf(zMsg, sizeof(zMsg), "must be a GeoJSON Polygon in lon/lat: %s", zErr);
    kg_reply_bad(r, KG_R_INVALID_GEOMETRY, "polygon", zMsg);
    return 0;
  }
  double a = kg_geom_area_m2(g);
  if (a < MIN_AREA_M2 || a > MAX_AREA_M2) {
    kg_reply_bad(r, KG_R_INVALID_GEOMETRY, "polygon",
                 "must cover from 1 hectare to 100 square kilometres");
    kg_geom_clear(g);
    return 0;
  }
  return 1;
}

/* The members of a subscription's body (NULL when absent). */
struct alert_body {
  char zEmail[256];
  json_t *pAddress, *pCenter, *pRadius, *pPolygon, *pEvents, *pRhythm;
};

/* The area from address_id, center or polygon (exactly one) into q and g;
 * the register's address into zLabel. 0 after replying. */
static int read_area(struct kg_req *r, struct kg_store *pStore, const struct alert_body *b,
                     struct kg_alert_new *q, struct kg_geom *g, char *zLabel, size_t nLabel) {
  json_t *pAddr = b->pAddress;
  if ((pAddr != NULL) + (b->pCenter != NULL) + (b->pPolygon != NULL) != 1) {
    kg_reply_bad(r, KG_R_NEEDS_OTHER, "area", "give exactly one of address_id, center or polygon");
    return 0;
  }
  if (b->pPolygon) {
    if (b->pRadius) {
      kg_reply_bad(r, KG_R_NEEDS_OTHER, "radius_m",
                   "is for a circle around an address or a point only");
      return 0;
    }
    if (!read_polygon(r, b->pPolygon, g)) return 0;
    q->zKind = "polygon";
    return 1;
  }
  if (!read_radius(r, b->pRadius, &q->nRadiusM)) return 0;
  if (pAddr) {
    if (!json_is_integer(pAddr) || json_integer_value(pAddr) < 1) {
      kg_reply_bad(r, KG_R_UNKNOWN_REFERENCE, "address_id",
                   "must be the id of an address from GET /api/v1/addresses");
      return 0;
    }
    enum kg_err rc = kg_store_alert_address(pStore, json_integer_value(pAddr), zLabel, nLabel,
                                            &q->centerLon, &q->centerLat);
    if (rc == KG_ENOTFOUND) {
      kg_reply_bad(r, KG_R_UNKNOWN_REFERENCE, "address_id", "is not an address of the register");
      return 0;
    }
    if (rc) {
      kg_reply_err(r, rc, "cannot read the address register right now; try again");
      return 0;
    }
    q->zKind = "address";
    q->zLabel = zLabel;
  } else {
    if (!read_center(r, b->pCenter, &q->centerLon, &q->centerLat)) return 0;
    q->zKind = "point";
  }
  kg_geom_circle(q->centerLon, q->centerLat, q->nRadiusM, CIRCLE_VERTICES, g);
  return 1;
}

/* events (array of announced | open | concluded, at least one; absent: all)
 * and rhythm (instant | weekly; absent: instant). 0 after replying. */
static int read_choice(struct kg_req *r, json_t *pEv, json_t *pR, int bRequired, int *pEvents,
                       const char **pzRhythm) {
  json_t *v;
  size_t i;
  *pEvents = 0;
  if (!pEv && !bRequired) {
    *pEvents = KG_ALERT_ALL;
  } else {
    if (!json_is_array(pEv) || json_array_size(pEv) == 0 || json_array_size(pEv) > 3) {
      kg_reply_bad(r, KG_R_NOT_ALLOWED, "events",
                   "must list one or more of announced, open, concluded");
      return 0;
    }
    json_array_foreach(pEv, i, v) {
      int bit = 0;
      for (int k = 0; k < 3; k++)
        if (json_is_string(v) && strcmp(json_string_value(v), azEvent[k]) == 0) bit = 1 << k;
      if (!bit) {
        kg_reply_bad(r, KG_R_NOT_ALLOWED, "events",
                     "must list one or more of announced, open, concluded");
        return 0;
      }
      *pEvents |= bit;
    }
  }
  *pzRhythm = "instant";
  if (!pR && bRequired) {
    kg_reply_bad(r, KG_R_REQUIRED, "rhythm", "is required: instant or weekly");
    return 0;
  }
  if (pR) {
    if (!json_is_string(pR) || (strcmp(json_string_value(pR), "instant") != 0 &&
                                strcmp(json_string_value(pR), "weekly") != 0)) {
      kg_reply_bad(r, KG_R_NOT_ALLOWED, "rhythm",
                   "must be instant (an e-mail per event) or weekly (a digest)");
      return 0;
    }
    *pzRhythm = strcmp(json_string_value(pR), "weekly") == 0 ? "weekly" : "instant";
  }
  return 1;
}

/* xCheck: email is a plain ASCII address (the SMTP envelope carries it). */
static int email_check(const struct kg_api_field *pF, char *zReason, size_t nReason) {
  for (const char *z = pF->pOut; *z; z++)
    if ((unsigned char)*z >= 0x80) {
      snprintf(zReason, nReason, "must be an e-mail address in Latin letters");
      return 0;
    }
  return kg_api_email_check(pF, zReason, nReason);
}

/* Reads the body of POST /api/v1/alerts into *b. 0 after replying. */
static int read_body(struct kg_req *r, struct alert_body *b) {
  const struct kg_api_field aField[] = {
      {.zName = "email",
       .eType = KG_API_TRIM,
       .fFlags = KG_API_REQUIRED,
       .nMax = 254,
       .pOut = b->zEmail,
       .nOut = sizeof(b->zEmail),
       .xCheck = email_check},
      KG_API_F_JSON("address_id", 0, &b->pAddress),
      KG_API_F_JSON("center", 0, &b->pCenter),
      KG_API_F_JSON("radius_m", 0, &b->pRadius),
      KG_API_F_JSON("polygon", 0, &b->pPolygon),
      KG_API_F_JSON("events", 0, &b->pEvents),
      KG_API_F_JSON("rhythm", 0, &b->pRhythm),
  };
  return kg_api_body(r, aField, KG_API_NFIELD(aField));
}

/* POST /api/v1/alerts */
void kg_api_alerts_create(struct kg_req *r) {
  struct alert_body b;
  struct kg_alert_new q;
  struct kg_geom g;
  struct kg_mail_text m = {0};
  char zLabel[512] = "", zToken[KG_AUTH_TOKEN_SIZE];
  char *zWkt = NULL;
  memset(&q, 0, sizeof(q));
  memset(&g, 0, sizeof(g));
  if (!read_body(r, &b) || !read_choice(r, b.pEvents, b.pRhythm, 0, &q.events, &q.zRhythm)) return;
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore || !read_area(r, pStore, &b, &q, &g, zLabel, sizeof(zLabel))) goto out;
  const struct kg_config *pCfg = kg_api_cfg(r);
  int64_t nWait = kg_api_ip_limit(r, 'a', pCfg ? pCfg->nAlertsLimit : 0, 3600);
  if (nWait > 0) {
    kg_api_reply_retry(r, nWait, "too many subscriptions from this address");
    goto out;
  }
  zWkt = kg_geom_to_wkt(&g, 0);
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, q.aConfirmHash);
  /* the subscription speaks the page's language (issue 20) */
  enum kg_lang eLang = kg_api_request_lang(r);
  kg_mail_compose_alert_confirm(eLang, pCfg ? pCfg->zBaseUrl : NULL, zToken, &m);
  q.zLanguage = kg_lang_tag(eLang);
  q.zEmail = b.zEmail;
  q.zAreaWkt = zWkt;
  q.minx = g.minx, q.miny = g.miny, q.maxx = g.maxx, q.maxy = g.maxy;
  q.tNow = kg_time_now();
  q.nMaxPerEmail = MAX_PER_EMAIL;
  q.zSubject = m.zSubject;
  q.zBody = m.zBody;
  enum kg_err rc = kg_store_alert_create(pStore, &q);
  if (rc == KG_EINVAL) {
    kg_reply_bad(r, KG_R_INVALID_GEOMETRY, "polygon",
                 "must be a simple polygon: its edges must not cross");
  } else if (rc == KG_ELIMIT) {
    kg_reply_limit(r, 422, KG_R_TOO_MANY, "email",
                   "already has 10 subscriptions; delete one through the link in its e-mails", 0,
                   10);
  } else if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot save the subscription right now; try again");
  } else {
    kg_log_info("alert subscribed id=%lld kind=%s outbox=%lld", (long long)q.id, q.zKind,
                (long long)q.outboxId);
    kg_mail_wake();
    kg_reply_header(r, "Cache-Control", "no-store");
    kg_reply_json(r, 202, json_pack("{s:s}", "status", "confirmation_sent"));
  }
out:
  kg_auth_memzero(zToken, sizeof(zToken));
  kg_mail_text_clear(&m);
  free(zWkt);
  kg_geom_clear(&g);
}

/* ---- with a token ---- */

static json_t *events_json(int events) {
  json_t *a = json_array();
  for (int k = 0; k < 3; k++)
    if (events & (1 << k)) json_array_append_new(a, json_string(azEvent[k]));
  return a;
}

/* Replies 200 with subscription s (and zToken when given: a new manage
 * token for the page). */
static void reply_sub(struct kg_req *r, const struct kg_alert_sub *s, const char *zToken) {
  struct kg_api_raw raw = {NULL, 0, 0};
  json_t *o = json_pack(
      "{s:I, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o}", "id", (json_int_t)s->id, "email", s->zEmail,
      "kind", s->zKind, "label", s->zLabel[0] ? json_string(s->zLabel) : json_null(), "radius_m",
      s->nRadiusM ? json_integer(s->nRadiusM) : json_null(), "events", events_json(s->events),
      "rhythm", s->zRhythm, "created_at", kg_api_time_json(s->createdAt), "confirmed_at",
      kg_api_time_json(s->confirmedAt));
  json_object_set_new(o, "area", kg_api_raw_add(&raw, s->zAreaGeoJson));
  if (s->nRadiusM) json_object_set_new(o, "center", json_pack("[f,f]", s->centerLon, s->centerLat));
  if (zToken) json_object_set_new(o, "token", json_string(zToken));
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_api_reply_raw(r, 200, o, &raw);
}

/* The subscription of the {token} segment, or 0 after replying. */
static int sub_of_token(struct kg_req *r, struct kg_store **ppStore, struct kg_alert_sub *s) {
  const char *zToken = kg_req_param(r, "token");
  unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES];
  memset(s, 0, sizeof(*s));
  if (!zToken || !kg_auth_token_well_formed(zToken)) {
    reply_gone(r);
    return 0;
  }
  if (!(*ppStore = kg_api_store(r))) return 0;
  kg_auth_token_hash(zToken, aHash);
  enum kg_err rc = kg_store_alert_by_token(*ppStore, aHash, kg_time_now(), s);
  if (rc == KG_EGONE) {
    reply_gone(r);
    return 0;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot read the subscription right now; try again");
    return 0;
  }
  return 1;
}

/* POST /api/v1/alert-confirmations/{token} */
void kg_api_alerts_confirm(struct kg_req *r) {
  const char *zToken = kg_req_param(r, "token");
  unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES], aManage[KG_AUTH_TOKEN_HASH_BYTES];
  char zManage[KG_AUTH_TOKEN_SIZE];
  struct kg_alert_sub s;
  int64_t id = 0;
  struct kg_store *pStore;
  if (!zToken || !kg_auth_token_well_formed(zToken)) {
    reply_gone(r);
    return;
  }
  if (!(pStore = kg_api_store(r))) return;
  kg_auth_token_hash(zToken, aHash);
  kg_auth_token_new(zManage);
  kg_auth_token_hash(zManage, aManage);
  enum kg_err rc = kg_store_alert_confirm(pStore, aHash, aManage, kg_time_now(), &id);
  if (rc == KG_OK) rc = kg_store_alert_by_token(pStore, aManage, kg_time_now(), &s);
  if (rc == KG_EGONE || rc == KG_ENOTFOUND) {
    reply_gone(r);
  } else if (rc) {
    kg_reply_err(r, rc, "cannot confirm the subscription right now; try again");
  } else {
    kg_log_info("alert confirmed id=%lld", (long long)id);
    reply_sub(r, &s, zManage);
    kg_alert_sub_clear(&s);
  }
  kg_auth_memzero(zManage, sizeof(zManage));
}

/* GET /api/v1/alerts/{token} */
void kg_api_alerts_get(struct kg_req *r) {
  struct kg_store *pStore = NULL;
  struct kg_alert_sub s;
  if (!sub_of_token(r, &pStore, &s)) return;
  reply_sub(r, &s, NULL);
  kg_alert_sub_clear(&s);
}

/* PUT /api/v1/alerts/{token} {events, rhythm} */
void kg_api_alerts_update(struct kg_req *r) {
  struct kg_store *pStore = NULL;
  struct kg_alert_sub s;
  const char *zRhythm;
  int events;
  json_t *pEvents, *pRhythm;
  const struct kg_api_field aField[] = {KG_API_F_JSON("events", 0, &pEvents),
                                        KG_API_F_JSON("rhythm", 0, &pRhythm)};
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) ||
      !read_choice(r, pEvents, pRhythm, 1, &events, &zRhythm))
    return;
  if (!sub_of_token(r, &pStore, &s)) return;
  enum kg_err rc = kg_store_alert_update(pStore, s.id, events, zRhythm);
  if (rc == KG_ENOTFOUND) {
    reply_gone(r);
  } else if (rc) {
    kg_reply_err(r, rc, "cannot change the subscription right now; try again");
  } else {
    s.events = events;
    snprintf(s.zRhythm, sizeof(s.zRhythm), "%s", zRhythm);
    reply_sub(r, &s, NULL);
  }
  kg_alert_sub_clear(&s);
}

/* Deletes the token's subscription; bOneClick: RFC 8058 (any body). */
static void delete_sub(struct kg_req *r, int bOneClick) {
  struct kg_store *pStore = NULL;
  struct kg_alert_sub s;
  if (!sub_of_token(r, &pStore, &s)) return;
  enum kg_err rc = kg_store_alert_delete(pStore, s.id);
  if (rc == KG_ENOTFOUND) {
    reply_gone(r);
  } else if (rc) {
    kg_reply_err(r, rc, "cannot delete the subscription right now; try again");
  } else {
    kg_log_info("alert deleted id=%lld one_click=%d", (long long)s.id, bOneClick);
    kg_reply_header(r, "Cache-Control", "no-store");
    if (bOneClick)
      kg_reply_json(r, 200, json_pack("{s:s}", "status", "unsubscribed"));
    else
      kg_reply_empty(r, 204);
  }
  kg_alert_sub_clear(&s);
}

/* DELETE /api/v1/alerts/{token} */
void kg_api_alerts_delete(struct kg_req *r) {
  delete_sub(r, 0);
}

/* POST /api/v1/alerts/{token}/unsubscribe: the List-Unsubscribe URL; mail
 * providers post "List-Unsubscribe=One-Click" (form-encoded), our page an
 * empty body: either is accepted. */
void kg_api_alerts_unsubscribe(struct kg_req *r) {
  delete_sub(r, 1);
}

/* GET /api/v1/alerts/{token}/unsubscribe: a mail client that opens the
 * List-Unsubscribe URL in a browser gets the page with the button; a GET
 * changes nothing. */
void kg_api_alerts_unsubscribe_page(struct kg_req *r) {
  const char *zToken = kg_req_param(r, "token");
  if (!zToken || !kg_auth_token_well_formed(zToken)) {
    reply_gone(r);
    return;
  }
  char *zLoc = kg_xasprintf("/alerts.html#unsubscribe=%s", zToken);
  kg_reply_header(r, "Location", zLoc);
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_header(r, "Referrer-Policy", "no-referrer");
  free(zLoc);
  kg_reply_empty(r, 303);
}

/* round.c: running a round from the console — the moderator approves a
 * draft's notice and the schedule publishes it at announce_at; every view
 * of a discussion says what happens next and when; the department-wide
 * list of reasons the conclusion editor offers. */
#include <stdio.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_round.h"

#define MAX_REASON_CHARS 1000

/* ---- scheduling ---- */

static void schedule(struct kg_req *r, int bSchedule) {
  int64_t id;
  struct kg_store *pStore = kg_api_open_id(r, "id", "no such discussion", &id);
  if (!pStore) return;
  int64_t tNow = kg_time_now();
  enum kg_err rc = kg_store_discussion_schedule(pStore, id, bSchedule, kg_api_account(r)->id, tNow);
  if (rc == KG_ECONFLICT) {
    kg_reply_code(r, KG_P_WRONG_STATUS,
                  "only a draft's notice can be scheduled: this discussion is already "
                  "announced, or ended");
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such discussion" : "cannot schedule the notice");
    return;
  }
  struct kg_discussion d = {0};
  if ((rc = kg_store_discussion_get(pStore, id, &d)) != KG_OK) {
    kg_reply_err(r, rc, "cannot read the discussion");
    return;
  }
  json_t *pView = json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", kg_status_name(d.status));
  json_t *pTimeline = json_object();
  kg_api_round_next(pStore, &d, pView, pTimeline);
  json_object_set_new(pView, "next", json_incref(json_object_get(pTimeline, "next")));
  json_decref(pTimeline);
  kg_discussion_clear(&d);
  kg_reply_json(r, 200, pView);
}

void kg_api_discussion_schedule(struct kg_req *r) {
  schedule(r, 1);
}

void kg_api_discussion_unschedule(struct kg_req *r) {
  schedule(r, 0);
}

void kg_api_round_next(struct kg_store *pStore, const struct kg_discussion *d, json_t *pView,
                       json_t *pTimeline) {
  int64_t tScheduled = 0;
  if (kg_store_discussion_scheduled(pStore, d->id, &tScheduled, NULL) != KG_OK) tScheduled = 0;
  json_object_set_new(pView, "scheduled_at", kg_api_time_json(tScheduled));
  /* The next move: by the schedule at a date, or by a moderator's action
   * ("needs" says which). */
  enum kg_status to = KG_ST_CANCELLED;
  int64_t at = 0;
  const char *zBy = "moderator", *zNeeds = NULL, *zTitle = NULL;
  switch (d->status) {
  case KG_ST_DRAFT:
    to = KG_ST_ANNOUNCED, at = d->announceAt;
    zTitle = "Публикация оповещения";
    if (tScheduled)
      zBy = "schedule";
    else
      zNeeds = "schedule";
    break;
  case KG_ST_ANNOUNCED:
    to = KG_ST_OPEN, at = d->opensAt, zBy = "schedule";
    zTitle = "Открытие экспозиции и приём предложений";
    break;
  case KG_ST_OPEN:
    to = KG_ST_CLOSED, at = d->closesAt, zBy = "schedule";
    zTitle = "Окончание приёма предложений";
    break;
  case KG_ST_CLOSED:
    to = KG_ST_PROTOCOL, zNeeds = "protocol";
    zTitle = "Подписание протокола";
    break;
  case KG_ST_PROTOCOL:
    to = KG_ST_CONCLUDED, zNeeds = "conclusion";
    zTitle = "Публикация заключения";
    break;
  default:
    break;
  }
  if (to == KG_ST_CANCELLED) {
    json_object_set_new(pTimeline, "next", json_null());
    return;
  }
  json_object_set_new(pTimeline, "next",
                      json_pack("{s:s, s:s, s:o, s:s, s:s?}", "status", kg_status_name(to), "title",
                                zTitle, "at", kg_api_time_json(at), "by", zBy, "needs", zNeeds));
}

/* ---- reasons ---- */

static int reason_row(void *pArg, int64_t id, const char *zText) {
  json_array_append_new(pArg, json_pack("{s:I, s:s}", "id", (json_int_t)id, "text", zText));
  return 0;
}

void kg_api_reasons_list(struct kg_req *r) {
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;
  json_t *pItems = json_array();
  enum kg_err rc = kg_store_reason_list(pStore, reason_row, pItems);
  if (rc) {
    json_decref(pItems);
    kg_reply_err(r, rc, "cannot list the reasons");
    return;
  }
  kg_reply_json(r, 200, json_pack("{s:o, s:n}", "items", pItems, "next"));
}

void kg_api_reasons_add(struct kg_req *r) {
  struct kg_store *pStore;
  const char *zText;
  const struct kg_api_field aField[] = {
      KG_API_F_STR("text", KG_API_REQUIRED, MAX_REASON_CHARS, &zText)};
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) || !(pStore = kg_api_store(r))) return;
  int64_t id = 0;
  int bCreated = 0;
  enum kg_err rc =
      kg_store_reason_add(pStore, zText, kg_api_account(r)->id, kg_time_now(), &id, &bCreated);
  if (rc) {
    kg_reply_err(r, rc, "cannot add the reason");
    return;
  }
  kg_reply_json(r, bCreated ? 201 : 200,
                json_pack("{s:I, s:s}", "id", (json_int_t)id, "text", zText));
}

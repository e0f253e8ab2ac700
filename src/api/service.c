/* service.c: service endpoints — health check and public statistics. */
#include "api_common.h"
#include "api_handlers.h"

void kg_api_healthz(struct kg_req *r) {
  struct kg_store *pStore = kg_store_thread();
  if (!pStore || kg_store_health(pStore) != KG_OK) {
    kg_reply_static(r, 503, "application/json; charset=utf-8",
                    "{\"status\":\"unavailable\",\"detail\":\"the database is not readable\"}");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_static(r, 200, "application/json; charset=utf-8", "{\"status\":\"ok\"}");
}

void kg_api_stats(struct kg_req *r) {
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;
  struct kg_stats st;
  enum kg_err rc = kg_store_stats(pStore, &st);
  if (rc) {
    kg_reply_err(r, rc, "cannot compute the statistics");
    return;
  }
  struct kg_stats_month aMonth[KG_STATS_MONTHS];
  rc = kg_store_stats_by_month(pStore, kg_time_now(), aMonth);
  if (rc) {
    kg_reply_err(r, rc, "cannot compute the statistics");
    return;
  }
  json_t *pMonths = json_array();
  for (int i = 0; i < KG_STATS_MONTHS; i++)
    json_array_append_new(pMonths, json_pack("{s:s, s:I, s:I}", "month", aMonth[i].zMonth,
                                             "discussions_opened", (json_int_t)aMonth[i].nOpened,
                                             "comments", (json_int_t)aMonth[i].nComments));
  json_t *pBy = json_object();
  for (int i = 0; i < KG_ST__COUNT; i++)
    json_object_set_new(pBy, kg_status_name((enum kg_status)i), json_integer(st.aDiscussions[i]));
  kg_reply_json(r, 200,
                json_pack("{s:{s:I, s:o}, s:I, s:{s:I}, s:I, s:o}", "discussions", "total",
                          (json_int_t)st.nDiscussions, "by_status", pBy, "participants",
                          (json_int_t)st.nParticipants, "comments", "published",
                          (json_int_t)st.nComments, "projects", (json_int_t)st.nProjects,
                          "by_month", pMonths));
}

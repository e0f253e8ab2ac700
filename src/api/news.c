/* news.c: short news items published by moderators (title, text, an
 * optional link to a discussion), listed on the home page and the news
 * page and in the news feed (feeds.c). Publishing and deleting are logged
 * in the moderation log. */
#include <stdio.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_notify.h"
#include "kengash/store_feeds.h"

static json_t *news_json(const struct kg_news *m) {
  json_t *pDisc = m->discussionId
                      ? json_pack("{s:I, s:s}", "id", (json_int_t)m->discussionId, "title",
                                  m->zDiscussionTitle ? m->zDiscussionTitle : "")
                      : json_null();
  return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)m->id, "title", m->zTitle,
                   "body", m->zBody, "discussion", pDisc, "published_at",
                   kg_api_time_json(m->publishedAt), "updated_at", kg_api_time_json(m->updatedAt));
}

static int news_row(void *pArg, const struct kg_news *m) {
  json_array_append_new(pArg, news_json(m));
  return 0;
}

/* GET /api/v1/news?limit=&cursor= : newest first. */
void kg_api_news_list(struct kg_req *r) {
  int nLimit;
  int64_t afterId;
  struct kg_store *p;
  if (!kg_api_page(r, &nLimit, &afterId) || !(p = kg_api_store(r))) return;
  json_t *pItems = json_array();
  /* newest first: the cursor is the last id shown, the next page is below it */
  enum kg_err rc = kg_store_news_list(p, 0, afterId, nLimit + 1, news_row, pItems);
  if (rc) {
    json_decref(pItems);
    kg_reply_err(r, rc, "cannot read the news");
    return;
  }
  /* a moderator who has just published must see the item: no stale copies */
  kg_reply_header(r, "Cache-Control", "no-cache");
  kg_reply_json(r, 200, kg_api_page_json(pItems, nLimit));
}

/* News item id as JSON into *ppItem (KG_ENOTFOUND when there is none). */
static enum kg_err news_item(struct kg_store *p, int64_t id, json_t **ppItem) {
  json_t *pItems = json_array();
  enum kg_err rc = kg_store_news_list(p, id, 0, 1, news_row, pItems);
  *ppItem = rc == KG_OK ? json_incref(json_array_get(pItems, 0)) : NULL;
  json_decref(pItems);
  if (rc == KG_OK && !*ppItem) rc = KG_ENOTFOUND;
  return rc;
}

/* GET /api/v1/news/{id} */
void kg_api_news_get(struct kg_req *r) {
  int64_t id;
  json_t *pItem;
  struct kg_store *p = kg_api_open_id(r, "id", "no such news item", &id);
  if (!p) return;
  enum kg_err rc = news_item(p, id, &pItem);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such news item" : "cannot read the news");
    return;
  }
  kg_reply_json(r, 200, pItem);
}

/* xCheck: the title is one line. */
static int one_line_check(const struct kg_api_field *pF, char *zReason, size_t nReason) {
  if (!strchr(pF->pOut, '\n') && !strchr(pF->pOut, '\r')) return 1;
  snprintf(zReason, nReason, "must be one line");
  return 0;
}

/* POST /api/v1/news {title, body, discussion_id?} (moderators) */
void kg_api_news_create(struct kg_req *r) {
  const char *zBody;
  char zTitle[KG_NEWS_TITLE_MAX * 4 + 1];
  int64_t discussionId = 0, id = 0;
  struct kg_store *p;
  json_t *pItem;
  const struct kg_api_field aField[] = {
      {.zName = "title",
       .eType = KG_API_TRIM,
       .fFlags = KG_API_REQUIRED,
       .nMax = KG_NEWS_TITLE_MAX,
       .pOut = zTitle,
       .nOut = sizeof(zTitle),
       .xCheck = one_line_check},
      KG_API_F_STR("body", KG_API_REQUIRED, KG_NEWS_BODY_MAX, &zBody),
      {.zName = "discussion_id",
       .eType = KG_API_ID,
       .fFlags = KG_API_RULE_ALL,
       .pOut = &discussionId,
       .zRule = "must be the id of a published discussion"}};
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) || !(p = kg_api_store(r))) return;
  enum kg_err rc = kg_store_news_insert(p, zTitle, zBody, discussionId, kg_api_account(r)->id,
                                        kg_time_now(), &id);
  if (rc == KG_ENOTFOUND) {
    kg_reply_bad(r, KG_R_UNKNOWN_REFERENCE, "discussion_id",
                 "must be the id of a published discussion");
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot publish the news item");
    return;
  }
  kg_log_info("news published id=%lld", (long long)id);
  if ((rc = news_item(p, id, &pItem)) != KG_OK) {
    kg_reply_err(r, rc, "cannot read the news item");
    return;
  }
  char zLoc[48];
  snprintf(zLoc, sizeof(zLoc), "/api/v1/news/%lld", (long long)id);
  kg_reply_header(r, "Location", zLoc);
  kg_reply_json(r, 201, pItem);
}

/* DELETE /api/v1/news/{id} (moderators) */
void kg_api_news_delete(struct kg_req *r) {
  int64_t id;
  struct kg_store *p = kg_api_open_id(r, "id", "no such news item", &id);
  if (!p) return;
  enum kg_err rc = kg_store_news_delete(p, id, kg_api_account(r)->id, kg_time_now());
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such news item" : "cannot delete the news item");
    return;
  }
  kg_log_info("news deleted id=%lld", (long long)id);
  kg_reply_empty(r, 204);
}

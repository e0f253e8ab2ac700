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

/* GET /api/v1/news/{id} */
void kg_api_news_get(struct kg_req *r) {
  int64_t id = kg_req_param_id(r, "id");
  struct kg_store *p = kg_api_store(r);
  if (!p) return;
  json_t *pItems = json_array();
  enum kg_err rc = id ? kg_store_news_list(p, id, 0, 1, news_row, pItems) : KG_ENOTFOUND;
  if (rc) {
    json_decref(pItems);
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such news item" : "cannot read the news");
    return;
  }
  json_t *pItem = json_incref(json_array_get(pItems, 0));
  json_decref(pItems);
  kg_reply_json(r, 200, pItem);
}

/* POST /api/v1/news {title, body, discussion_id?} (moderators) */
void kg_api_news_create(struct kg_req *r) {
  static const char *const azKnown[] = {"title", "body", "discussion_id", NULL};
  json_t *pBody = kg_req_json(r);
  const char *zBody;
  char zTitle[KG_NEWS_TITLE_MAX * 4 + 1];
  struct kg_store *p;
  if (!pBody || !kg_api_known_fields(r, pBody, azKnown) ||
      !kg_api_str_trim(r, pBody, "title", 1, KG_NEWS_TITLE_MAX, zTitle, sizeof(zTitle)) ||
      !kg_api_str(r, pBody, "body", 1, KG_NEWS_BODY_MAX, &zBody))
    return;
  if (strchr(zTitle, '\n') || strchr(zTitle, '\r')) {
    kg_reply_invalid(r, "title", "must be one line");
    return;
  }
  json_t *pDisc = json_object_get(pBody, "discussion_id");
  int64_t discussionId = 0;
  if (pDisc && !json_is_null(pDisc)) {
    if (!json_is_integer(pDisc) || json_integer_value(pDisc) < 1) {
      kg_reply_invalid(r, "discussion_id", "must be the id of a published discussion");
      return;
    }
    discussionId = json_integer_value(pDisc);
  }
  if (!(p = kg_api_store(r))) return;
  int64_t id = 0;
  enum kg_err rc = kg_store_news_insert(p, zTitle, zBody, discussionId, kg_api_account(r)->id,
                                        kg_time_now(), &id);
  if (rc == KG_ENOTFOUND) {
    kg_reply_invalid(r, "discussion_id", "must be the id of a published discussion");
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot publish the news item");
    return;
  }
  kg_log_info("news published id=%lld", (long long)id);
  json_t *pItems = json_array();
  if ((rc = kg_store_news_list(p, id, 0, 1, news_row, pItems)) != KG_OK) {
    json_decref(pItems);
    kg_reply_err(r, rc, "cannot read the news item");
    return;
  }
  json_t *pItem = json_incref(json_array_get(pItems, 0));
  json_decref(pItems);
  char zLoc[48];
  snprintf(zLoc, sizeof(zLoc), "/api/v1/news/%lld", (long long)id);
  kg_reply_header(r, "Location", zLoc);
  kg_reply_json(r, 201, pItem);
}

/* DELETE /api/v1/news/{id} (moderators) */
void kg_api_news_delete(struct kg_req *r) {
  int64_t id = kg_req_param_id(r, "id");
  struct kg_store *p = kg_api_store(r);
  if (!p) return;
  enum kg_err rc =
      id ? kg_store_news_delete(p, id, kg_api_account(r)->id, kg_time_now()) : KG_ENOTFOUND;
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such news item" : "cannot delete the news item");
    return;
  }
  kg_log_info("news deleted id=%lld", (long long)id);
  kg_reply_empty(r, 204);
}

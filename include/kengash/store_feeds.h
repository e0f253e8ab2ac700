/* store_feeds.h: the store's reads for the Atom feeds and the moderators'
 * news (src/store/feeds.c): public discussions newest first (filtered by
 * status, a bbox or a distance from a point, through the territory's
 * spatial index), a discussion's published comments and official answers,
 * and news items. No personal data: comments carry the public display
 * name only. */
#include "kengash/store.h"

#ifndef KENGASH_STORE_FEEDS_H
#define KENGASH_STORE_FEEDS_H

#include <stdint.h>

/* Strings are borrowed for the call of xRow. */
struct kg_feed_discussion {
  int64_t id, createdAt, updatedAt, announceAt, opensAt, closesAt;
  const char *zTitle, *zStatus, *zProjectTitle, *zProjectKind, *zNotice;
};
struct kg_feed_filter {
  const char *zStatus; /* NULL: any but draft */
  int bBbox;
  double bbox[4]; /* minlon, minlat, maxlon, maxlat: the territory intersects it */
  int bNear;
  double lon, lat, radiusM; /* the territory lies within radiusM metres (geodesic) */
  int nLimit;
};
/* Public discussions (not drafts) by updatedAt, newest first. */
enum kg_err kg_store_feed_discussions(struct kg_store *p, const struct kg_feed_filter *pF,
                                      int (*xRow)(void *pArg, const struct kg_feed_discussion *),
                                      void *pArg);

struct kg_feed_comment {
  int64_t id, createdAt, updatedAt;
  int bOfficial;
  const char *zRegNo; /* NULL for official answers */
  const char *zKind, *zBody, *zDisplayName;
  const char *zParentRegNo; /* the entry an answer replies to; NULL */
};
/* The published comments and official answers of a public discussion,
 * newest first (at most nLimit). KG_ENOTFOUND for an unknown or draft
 * discussion (*pzTitle is not set then); *pzTitle: heap, free(). */
enum kg_err kg_store_feed_comments(struct kg_store *p, int64_t discussionId, int nLimit,
                                   char **pzTitle /* OUT */,
                                   int (*xRow)(void *pArg, const struct kg_feed_comment *),
                                   void *pArg);

/* ---- news ---- */

#define KG_NEWS_TITLE_MAX 200
#define KG_NEWS_BODY_MAX 5000

struct kg_news {
  int64_t id, discussionId, publishedAt, updatedAt; /* discussionId 0: none */
  const char *zTitle, *zBody;
  const char *zDiscussionTitle; /* NULL without a link */
};
/* Publishes an item; KG_ENOTFOUND when discussionId (nonzero) is unknown or
 * a draft. The moderation log records it (news.publish). */
enum kg_err kg_store_news_insert(struct kg_store *p, const char *zTitle, const char *zBody,
                                 int64_t discussionId, int64_t authorId, int64_t tNow,
                                 int64_t *pId /* OUT */);
/* Deletes an item (logged as news.delete); KG_ENOTFOUND when none. */
enum kg_err kg_store_news_delete(struct kg_store *p, int64_t id, int64_t actorId, int64_t tNow);
/* Items newest first with id < beforeId (0: from the newest), at most
 * nLimit; id > 0 instead reads that one item (KG_ENOTFOUND when none). */
enum kg_err kg_store_news_list(struct kg_store *p, int64_t id, int64_t beforeId, int nLimit,
                               int (*xRow)(void *pArg, const struct kg_news *), void *pArg);

#endif

/* feeds.c: Atom feeds (RFC 4287) of the public discussions (all, by area:
 * bbox= or near=lon,lat&r=, by stage), of one discussion's published
 * comments and official answers, and of the news. Entry ids are the
 * entries' permanent addresses under --base-url, so they do not change;
 * updated is when the object last changed. Every text is XML-escaped;
 * nothing personal is in a feed (authors by their public display name). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_common.h"
#include "api_notify.h"
#include "kengash/store_feeds.h"

#define FEED_ENTRIES 100
#define FEED_MAX_BYTES (8 * 1024 * 1024)
#define NEAR_MAX_M 50000
#define ATOM_TYPE "application/atom+xml; charset=utf-8"

/* A feed being built: the entries first (newest first), then the head,
 * whose updated is the newest entry's. */
struct atom {
  struct kg_buf entries;
  const char *zBase;
  int nBase;
  int64_t tUpdated;
};

static void atom_init(struct kg_req *r, struct atom *a) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  const char *z = pCfg && pCfg->zBaseUrl ? pCfg->zBaseUrl : "";
  size_t n = strlen(z);
  while (n && z[n - 1] == '/')
    n--;
  a->zBase = z;
  a->nBase = (int)n;
  a->tUpdated = 0;
  kg_buf_init(&a->entries, FEED_MAX_BYTES);
}

static void put_time(struct kg_buf *b, const char *zTag, int64_t t) {
  char z[21];
  kg_time_format(t, z);
  kg_buf_printf(b, "<%s>%s</%s>\n", zTag, z, zTag);
}

static void put_text(struct kg_buf *b, const char *zTag, const char *zText) {
  kg_buf_printf(b, "<%s>", zTag);
  kg_buf_html_escape(b, zText ? zText : "");
  kg_buf_printf(b, "</%s>\n", zTag);
}

/* One entry; zPath (site-relative, already safe) is its id and its link. */
struct entry {
  const char *zPath;
  const char *zTitle;
  const char *zAuthor; /* NULL: the feed's */
  const char *zContent;
  const char *zCategory; /* NULL: none */
  int64_t published, updated;
};

static void atom_entry(struct atom *a, const struct entry *e) {
  struct kg_buf *b = &a->entries;
  if (e->updated > a->tUpdated) a->tUpdated = e->updated;
  kg_buf_puts(b, "<entry>\n<id>");
  kg_buf_printf(b, "%.*s", a->nBase, a->zBase);
  kg_buf_html_escape(b, e->zPath);
  kg_buf_puts(b, "</id>\n");
  put_text(b, "title", e->zTitle);
  kg_buf_printf(b, "<link rel=\"alternate\" type=\"text/html\" href=\"%.*s", a->nBase, a->zBase);
  kg_buf_html_escape(b, e->zPath);
  kg_buf_puts(b, "\"/>\n");
  put_time(b, "published", e->published);
  put_time(b, "updated", e->updated);
  if (e->zAuthor) {
    kg_buf_puts(b, "<author>");
    put_text(b, "name", e->zAuthor);
    kg_buf_puts(b, "</author>\n");
  }
  if (e->zCategory) {
    kg_buf_puts(b, "<category term=\"");
    kg_buf_html_escape(b, e->zCategory);
    kg_buf_puts(b, "\"/>\n");
  }
  kg_buf_puts(b, "<content type=\"text\">");
  kg_buf_html_escape(b, e->zContent ? e->zContent : "");
  kg_buf_puts(b, "</content>\n</entry>\n");
}

/* Replies with the feed: zSelf is the feed's own path and query (its id),
 * zAlt the page it belongs to. */
static void atom_reply(struct kg_req *r, struct atom *a, const char *zTitle, const char *zSelf,
                       const char *zAlt) {
  struct kg_buf b;
  kg_buf_init(&b, FEED_MAX_BYTES + 64 * 1024);
  kg_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                  "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ru\">\n<id>");
  kg_buf_printf(&b, "%.*s", a->nBase, a->zBase);
  kg_buf_html_escape(&b, zSelf);
  kg_buf_puts(&b, "</id>\n");
  put_text(&b, "title", zTitle);
  kg_buf_printf(&b, "<link rel=\"self\" type=\"application/atom+xml\" href=\"%.*s", a->nBase,
                a->zBase);
  kg_buf_html_escape(&b, zSelf);
  kg_buf_printf(&b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"%.*s", a->nBase,
                a->zBase);
  kg_buf_html_escape(&b, zAlt);
  kg_buf_puts(&b, "\"/>\n<author><name>Кенгаш</name></author>\n"
                  "<generator>Kengash</generator>\n");
  /* an empty feed has changed "now" as far as anyone can tell */
  put_time(&b, "updated", a->tUpdated ? a->tUpdated : kg_time_now());
  kg_buf_append(&b, a->entries.a, a->entries.n);
  kg_buf_puts(&b, "</feed>\n");
  int bFailed = kg_buf_failed(&b) || kg_buf_failed(&a->entries);
  kg_buf_free(&a->entries);
  if (bFailed) {
    kg_buf_free(&b);
    kg_reply_code(r, KG_P_INTERNAL_ERROR, "the feed is too large");
    return;
  }
  size_t n = 0;
  char *z = kg_buf_detach(&b, &n);
  kg_reply_header(r, "Cache-Control", "public, max-age=60");
  kg_reply_text(r, 200, ATOM_TYPE, z, n);
}

/* ---- parameters ---- */

struct feed_params {
  struct kg_req *r;
  struct kg_feed_filter f;
  const char *zBbox, *zNear, *zR, *zStatus;
  int bBad; /* replied */
};

static int feed_arg(void *pArg, const char *zName, const char *zValue) {
  struct feed_params *q = pArg;
  const char **pz = strcmp(zName, "bbox") == 0     ? &q->zBbox
                    : strcmp(zName, "near") == 0   ? &q->zNear
                    : strcmp(zName, "r") == 0      ? &q->zR
                    : strcmp(zName, "status") == 0 ? &q->zStatus
                                                   : NULL;
  if (!pz) {
    kg_reply_bad_status(q->r, 400, KG_R_UNKNOWN_FIELD, zName,
                        "is not a parameter of this feed (bbox, near, r, status)");
    q->bBad = 1;
    return 1;
  }
  if (*pz) {
    kg_reply_bad_status(q->r, 400, KG_R_NEEDS_OTHER, zName, "is given twice");
    q->bBad = 1;
    return 1;
  }
  *pz = zValue ? zValue : "";
  return 0;
}

/* A strict decimal in [lo, hi]; 0 when it is one. */
static int parse_number(const char *z, size_t n, double lo, double hi, double *pv) {
  char zBuf[48];
  if (n == 0 || n >= sizeof(zBuf) || strspn(z, "0123456789+-.") < n) return -1;
  memcpy(zBuf, z, n);
  zBuf[n] = 0;
  char *zEnd = NULL;
  errno = 0;
  double v = strtod(zBuf, &zEnd);
  if (zEnd != zBuf + n || errno || !isfinite(v) || v < lo || v > hi) return -1;
  *pv = v;
  return 0;
}

/* Validates bbox / near+r / status into q->f; 0 after replying 400. */
static int feed_filter(struct feed_params *q) {
  char zErr[200];
  struct kg_req *r = q->r;
  if (q->zBbox && q->zNear) {
    kg_reply_bad_status(r, 400, KG_R_NEEDS_OTHER, "near",
                        "cannot be combined with bbox: give one area");
    return 0;
  }
  if (q->zBbox) {
    if (kg_geo_parse_bbox(q->zBbox, q->f.bbox, zErr, sizeof(zErr)) != KG_OK) {
      kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, "bbox", zErr);
      return 0;
    }
    q->f.bBbox = 1;
  }
  if (q->zR && !q->zNear) {
    kg_reply_bad_status(r, 400, KG_R_NEEDS_OTHER, "r",
                        "is the radius around near=lon,lat: give near too");
    return 0;
  }
  if (q->zNear) {
    const char *zComma = strchr(q->zNear, ',');
    if (!zComma || parse_number(q->zNear, (size_t)(zComma - q->zNear), -180, 180, &q->f.lon) ||
        parse_number(zComma + 1, strlen(zComma + 1), -90, 90, &q->f.lat)) {
      kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, "near",
                          "must be lon,lat: two decimal numbers, lon -180..180, lat -90..90");
      return 0;
    }
    if (!q->zR || parse_number(q->zR, strlen(q->zR), 1, NEAR_MAX_M, &q->f.radiusM) ||
        strchr(q->zR, '.')) {
      kg_reply_limit(r, 400, KG_R_OUT_OF_RANGE, "r",
                     "must be a whole number of metres from 1 to 50000", 1, 50000);
      return 0;
    }
    q->f.bNear = 1;
  }
  if (q->zStatus) {
    enum kg_status st;
    if (kg_status_parse(q->zStatus, &st) != KG_OK || st == KG_ST_DRAFT) {
      kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, "status",
                          "must be one of announced, open, closed, protocol, concluded, cancelled");
      return 0;
    }
    q->f.zStatus = q->zStatus;
  }
  return 1;
}

/* ---- the feeds ---- */

static const char *stage_title(const char *zStatus) {
  static const char *const az[][2] = {
      {"announced", "оповещение"}, {"open", "приём предложений"}, {"closed", "приём завершён"},
      {"protocol", "протокол"},    {"concluded", "заключение"},   {"cancelled", "отменено"},
  };
  for (size_t i = 0; i < sizeof(az) / sizeof(az[0]); i++)
    if (zStatus && strcmp(zStatus, az[i][0]) == 0) return az[i][1];
  return zStatus ? zStatus : "";
}

static int discussion_entry(void *pArg, const struct kg_feed_discussion *d) {
  struct atom *a = pArg;
  char zPath[64], zOpen[21], zClose[21];
  snprintf(zPath, sizeof(zPath), "/discussion.html?id=%lld", (long long)d->id);
  kg_time_format(d->opensAt, zOpen);
  kg_time_format(d->closesAt, zClose);
  char *zTitle = kg_xasprintf("%s — %s", d->zTitle ? d->zTitle : "", stage_title(d->zStatus));
  char *zContent =
      kg_xasprintf("Проект: %s.\nЭтап: %s.\nПриём предложений: с %.10s по %.10s.%s%s",
                   d->zProjectTitle ? d->zProjectTitle : "", stage_title(d->zStatus), zOpen, zClose,
                   d->zNotice ? "\n\n" : "", d->zNotice ? d->zNotice : "");
  struct entry e = {zPath, zTitle, NULL, zContent, d->zStatus, d->createdAt, d->updatedAt};
  atom_entry(a, &e);
  free(zTitle);
  free(zContent);
  return 0;
}

void kg_api_feed_discussions(struct kg_req *r) {
  struct feed_params q = {.r = r};
  struct atom a;
  struct kg_store *p;
  if (kg_req_query_each(r, feed_arg, &q) || q.bBad || !feed_filter(&q) || !(p = kg_api_store(r)))
    return;
  q.f.nLimit = FEED_ENTRIES;
  atom_init(r, &a);
  enum kg_err rc = kg_store_feed_discussions(p, &q.f, discussion_entry, &a);
  if (rc) {
    kg_buf_free(&a.entries);
    kg_reply_err(r, rc, "cannot read the discussions");
    return;
  }
  /* the feed's id is its canonical address: the parameters in a fixed order */
  struct kg_buf self;
  kg_buf_init(&self, 1024);
  kg_buf_puts(&self, "/feeds/discussions.atom");
  char sep = '?';
  if (q.f.bBbox)
    kg_buf_printf(&self, "%cbbox=%.7f,%.7f,%.7f,%.7f", sep, q.f.bbox[0], q.f.bbox[1], q.f.bbox[2],
                  q.f.bbox[3]),
        sep = '&';
  if (q.f.bNear)
    kg_buf_printf(&self, "%cnear=%.7f,%.7f&r=%d", sep, q.f.lon, q.f.lat, (int)q.f.radiusM),
        sep = '&';
  if (q.f.zStatus) kg_buf_printf(&self, "%cstatus=%s", sep, q.f.zStatus);
  char *zSelf = kg_buf_detach(&self, NULL);
  atom_reply(r, &a, "Общественные обсуждения", zSelf ? zSelf : "/feeds/discussions.atom", "/");
  free(zSelf);
}

static int comment_entry(void *pArg, const struct kg_feed_comment *c) {
  void **ap = pArg;
  struct atom *a = ap[0];
  int64_t did = *(int64_t *)ap[1];
  char zPath[96];
  snprintf(zPath, sizeof(zPath), "/discussion.html?id=%lld#comment-%lld", (long long)did,
           (long long)c->id);
  char *zTitle = c->bOfficial
                     ? kg_xasprintf("Официальный ответ%s%s", c->zParentRegNo ? " на № " : "",
                                    c->zParentRegNo ? c->zParentRegNo : "")
                     : kg_xasprintf("%s № %s",
                                    c->zKind && strcmp(c->zKind, "remark") == 0 ? "Замечание"
                                    : c->zKind && strcmp(c->zKind, "question") == 0 ? "Вопрос"
                                                                                    : "Предложение",
                                    c->zRegNo ? c->zRegNo : "");
  struct entry e = {zPath,
                    zTitle,
                    c->bOfficial
                        ? "Организатор"
                        : (c->zDisplayName && *c->zDisplayName ? c->zDisplayName : "Участник"),
                    c->zBody,
                    c->bOfficial ? "official" : c->zKind,
                    c->createdAt,
                    c->updatedAt};
  atom_entry(a, &e);
  free(zTitle);
  return 0;
}

void kg_api_feed_comments(struct kg_req *r) {
  int64_t id;
  struct kg_store *p = kg_api_open_id(r, "id", "no such discussion", &id);
  struct atom a;
  char *zTitle = NULL;
  if (!p) return;
  atom_init(r, &a);
  void *ap[2] = {&a, &id};
  enum kg_err rc = kg_store_feed_comments(p, id, FEED_ENTRIES, &zTitle, comment_entry, ap);
  if (rc) {
    kg_buf_free(&a.entries);
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such discussion" : "cannot read the comments");
    return;
  }
  char zSelf[80], zAlt[64];
  snprintf(zSelf, sizeof(zSelf), "/feeds/discussions/%lld/comments.atom", (long long)id);
  snprintf(zAlt, sizeof(zAlt), "/discussion.html?id=%lld", (long long)id);
  char *zFeedTitle = kg_xasprintf("Предложения и ответы: %s", zTitle ? zTitle : "");
  atom_reply(r, &a, zFeedTitle, zSelf, zAlt);
  free(zFeedTitle);
  free(zTitle);
}

static int news_entry(void *pArg, const struct kg_news *m) {
  char zPath[48];
  snprintf(zPath, sizeof(zPath), "/news.html#news-%lld", (long long)m->id);
  char *zContent = m->discussionId
                       ? kg_xasprintf("%s\n\nОбсуждение «%s»: %.*s/discussion.html?id=%lld",
                                      m->zBody, m->zDiscussionTitle, ((struct atom *)pArg)->nBase,
                                      ((struct atom *)pArg)->zBase, (long long)m->discussionId)
                       : kg_xstrdup(m->zBody);
  struct entry e = {zPath, m->zTitle, NULL, zContent, NULL, m->publishedAt, m->updatedAt};
  atom_entry(pArg, &e);
  free(zContent);
  return 0;
}

void kg_api_feed_news(struct kg_req *r) {
  struct kg_store *p = kg_api_store(r);
  struct atom a;
  if (!p) return;
  atom_init(r, &a);
  enum kg_err rc = kg_store_news_list(p, 0, 0, FEED_ENTRIES, news_entry, &a);
  if (rc) {
    kg_buf_free(&a.entries);
    kg_reply_err(r, rc, "cannot read the news");
    return;
  }
  atom_reply(r, &a, "Новости общественных обсуждений", "/feeds/news.atom", "/news.html");
}

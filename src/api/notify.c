/* notify.c: people hear about what concerns them. The mail worker's
 * background step (kg_api_notify_step) turns new rows into e-mail through
 * the outbox, each batch in one transaction with its persisted cursor:
 * a receipt for every registered proposal with an author's account, an
 * e-mail to the author of a proposal that gets an official answer, and to
 * the followers of a discussion on every stage change and official answer
 * (with RFC 8058 one-click unsubscribe). Also the confirmation of e-mail
 * addresses, following, and the personal-data policy. Never logs
 * addresses, tokens or text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_notify.h"
#include "kengash/api.h"
#include "kengash/mail.h"
#include "kengash/store_notify.h"

#define CONFIRM_TTL_SEC (7 * 86400)
/* unsubscribe tokens older than this are forgotten (the link then says so) */
#define UNSUB_TTL_SEC (365 * 86400)
#define STEP_ROWS 200
/* rows older than this are passed over unmailed (e.g. mail switched on late) */
#define STALE_SEC (3 * 86400)
#define POLICY_MAX_BYTES (256 * 1024)

/* ---- the background step ---- */

struct step_ctx {
  const char *zBaseUrl;
  int64_t tNow;
  int nMails;
};

/* The text for one follower, in its language (a stage change or an
 * official answer); kg_mail_compose_for_follower adds the unsubscribe
 * links. */
typedef void (*follower_text_fn)(enum kg_lang eLang, const char *zBaseUrl, const void *pArg,
                                 struct kg_mail_text *pOut);

/* Queues the text of xText to a follower, in the follower's language,
 * with a fresh unsubscribe token: the List-Unsubscribe URL and the links
 * in the text. */
struct follower_ctx {
  struct step_ctx *x;
  struct kg_store *p;
  int64_t discussionId, exceptAccountId;
  follower_text_fn xText;
  const void *pTextArg;
  enum kg_err rc;
};

static int follower_row(void *pArg, int64_t accountId, const char *zEmail) {
  struct follower_ctx *f = pArg;
  char zToken[KG_AUTH_TOKEN_SIZE];
  unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES];
  struct kg_mail_text t, m;
  if (accountId == f->exceptAccountId || !zEmail || !*zEmail) return 0;
  enum kg_lang eLang = kg_store_account_language(f->p, accountId);
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, aHash);
  f->xText(eLang, f->x->zBaseUrl, f->pTextArg, &t);
  kg_mail_compose_for_follower(eLang, f->x->zBaseUrl, &t, f->discussionId, zToken, &m);
  kg_mail_text_clear(&t);
  f->rc = kg_store_follow_token_insert(f->p, aHash, accountId, f->discussionId, f->x->tNow);
  if (f->rc == KG_OK)
    f->rc = kg_store_outbox_insert_lang(f->p, zEmail, m.zSubject, m.zBody, m.zListUnsubscribe,
                                        kg_lang_tag(eLang), f->x->tNow, NULL);
  if (f->rc == KG_OK) f->x->nMails++;
  kg_auth_memzero(zToken, sizeof(zToken));
  kg_mail_text_clear(&m);
  return f->rc != KG_OK;
}

/* Queues the text of xText to the followers of discussionId but
 * exceptAccountId. */
static enum kg_err to_followers(struct step_ctx *x, struct kg_store *p, int64_t discussionId,
                                int64_t exceptAccountId, follower_text_fn xText,
                                const void *pTextArg) {
  struct follower_ctx f = {x, p, discussionId, exceptAccountId, xText, pTextArg, KG_OK};
  enum kg_err rc = kg_store_follow_recipients(p, discussionId, 0, follower_row, &f);
  return rc ? rc : f.rc;
}

/* Queues pText (then cleared), written in eLang, to zTo. */
static enum kg_err to_one(struct step_ctx *x, struct kg_store *p, const char *zTo,
                          enum kg_lang eLang, struct kg_mail_text *pText) {
  enum kg_err rc = kg_store_outbox_insert_lang(p, zTo, pText->zSubject, pText->zBody, NULL,
                                               kg_lang_tag(eLang), x->tNow, NULL);
  if (rc == KG_OK) x->nMails++;
  kg_mail_text_clear(pText);
  return rc;
}

static struct kg_mail_entry entry_of(const struct kg_notify_comment *c) {
  struct kg_mail_entry e = {c->discussionId, c->createdAt, c->zDiscussionTitle, c->zKind, c->zRegNo,
                            c->zBasis,       c->zBody,     c->zParentRegNo};
  return e;
}

static void answer_text(enum kg_lang eLang, const char *zBaseUrl, const void *pArg,
                        struct kg_mail_text *pOut) {
  kg_mail_compose_answer_followers(eLang, zBaseUrl, pArg, pOut);
}

/* An official answer: its text to the author of the entry answered and to
 * the discussion's followers, each in their language. */
static enum kg_err official_answer(struct step_ctx *x, struct kg_store *p,
                                   const struct kg_notify_comment *c) {
  struct kg_mail_entry e = entry_of(c);
  struct kg_mail_text m;
  enum kg_err rc;
  if (c->zParentRegNo && c->zParentAuthorEmail && *c->zParentAuthorEmail) {
    enum kg_lang eLang = kg_store_account_language(p, c->parentAuthorId);
    kg_mail_compose_answer_author(eLang, x->zBaseUrl, &e, &m);
    if ((rc = to_one(x, p, c->zParentAuthorEmail, eLang, &m)) != KG_OK) return rc;
  }
  /* the author answered has had the letter above */
  return to_followers(x, p, c->discussionId, c->zParentAuthorEmail ? c->parentAuthorId : 0,
                      answer_text, &e);
}

static enum kg_err comment_row(void *pArg, struct kg_store *p, const struct kg_notify_comment *c) {
  struct step_ctx *x = pArg;
  if (x->tNow - c->createdAt > STALE_SEC) return KG_OK;
  if (c->bOfficial) return official_answer(x, p, c);
  if (c->zRegNo && *c->zRegNo && c->zAuthorEmail && *c->zAuthorEmail) {
    /* the receipt: what was recorded, as recorded */
    struct kg_mail_entry e = entry_of(c);
    struct kg_mail_text m;
    enum kg_lang eLang = kg_store_account_language(p, c->authorId);
    kg_mail_compose_receipt(eLang, x->zBaseUrl, &e, &m);
    return to_one(x, p, c->zAuthorEmail, eLang, &m);
  }
  return KG_OK;
}

static void stage_text(enum kg_lang eLang, const char *zBaseUrl, const void *pArg,
                       struct kg_mail_text *pOut) {
  const struct kg_notify_event *e = pArg;
  kg_mail_compose_stage(eLang, zBaseUrl, e->discussionId, e->zDiscussionTitle, e->zTo, e->at,
                        e->zNote, pOut);
}

static enum kg_err event_row(void *pArg, struct kg_store *p, const struct kg_notify_event *e) {
  struct step_ctx *x = pArg;
  if (x->tNow - e->at > STALE_SEC) return KG_OK;
  return to_followers(x, p, e->discussionId, 0, stage_text, e);
}

void kg_api_notify_step(struct kg_store *p, void *pArg) {
  static int64_t tPurged;
  struct step_ctx x = {0};
  const struct kg_config *pCfg = pArg;
  int n = 0;
  x.zBaseUrl = pCfg ? pCfg->zBaseUrl : NULL;
  x.tNow = kg_time_now();
  enum kg_err rc = kg_store_notify_comments(p, STEP_ROWS, comment_row, &x, &n);
  if (rc != KG_OK) kg_log_warn("notify comments step failed err=%s", kg_err_name(rc));
  rc = kg_store_notify_events(p, STEP_ROWS, event_row, &x, &n);
  if (rc != KG_OK) kg_log_warn("notify events step failed err=%s", kg_err_name(rc));
  if (x.nMails) kg_log_info("notify queued mails=%d", x.nMails);
  if (x.tNow - tPurged >= 3600) {
    if (kg_store_notify_purge(p, x.tNow - UNSUB_TTL_SEC) != KG_OK)
      kg_log_warn("notify purge failed");
    tPurged = x.tNow;
  }
}

/* ---- confirmation of the e-mail address ---- */

/* Issues a link for accountId; the store's error (KG_ECONFLICT confirmed
 * already, KG_ELIMIT too many) is returned. */
static enum kg_err confirmation_issue(struct kg_req *r, struct kg_store *p, int64_t accountId) {
  char zToken[KG_AUTH_TOKEN_SIZE];
  unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES];
  const struct kg_config *pCfg = kg_api_cfg(r);
  struct kg_mail_text m;
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, aHash);
  kg_mail_compose_email_confirm(kg_store_account_language(p, accountId),
                                pCfg ? pCfg->zBaseUrl : NULL, zToken, &m);
  int64_t tNow = kg_time_now();
  enum kg_err rc = kg_store_email_confirm_issue(p, accountId, aHash, tNow, tNow + CONFIRM_TTL_SEC,
                                                m.zSubject, m.zBody);
  kg_auth_memzero(zToken, sizeof(zToken));
  kg_mail_text_clear(&m);
  if (rc == KG_OK) {
    kg_log_info("email confirmation sent account=%lld", (long long)accountId);
    kg_mail_wake();
  }
  return rc;
}

void kg_api_email_confirmation_send(struct kg_req *r, struct kg_store *p, int64_t accountId) {
  enum kg_err rc = confirmation_issue(r, p, accountId);
  if (rc != KG_OK)
    kg_log_warn("email confirmation not sent account=%lld err=%s", (long long)accountId,
                kg_err_name(rc));
}

void kg_api_email_confirmed_add(struct kg_store *p, int64_t accountId, json_t *pAccount) {
  int64_t tAt = 0;
  if (kg_store_email_confirmed_at(p, accountId, &tAt) != KG_OK) tAt = 0;
  json_object_set_new(pAccount, "email_confirmed", json_boolean(tAt != 0));
}

void kg_api_email_confirmation_resend(struct kg_req *r) {
  struct kg_store *p = kg_api_store(r);
  if (!p) return;
  enum kg_err rc = confirmation_issue(r, p, kg_api_account(r)->id);
  if (rc == KG_ECONFLICT) {
    kg_reply_code(r, KG_P_ALREADY_DONE, "the e-mail address is confirmed already");
  } else if (rc == KG_ELIMIT) {
    char zWhat[80];
    snprintf(zWhat, sizeof(zWhat), "at most %d confirmation links an hour", KG_CONFIRM_PER_HOUR);
    kg_api_reply_retry(r, 3600, zWhat);
  } else if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot send the link right now; try again");
  } else {
    kg_reply_json(r, 202, json_pack("{s:s}", "status", "sent"));
  }
}

void kg_api_email_confirmation_use(struct kg_req *r) {
  const char *zToken = kg_req_param(r, "token");
  unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES];
  int64_t accountId = 0;
  struct kg_store *p;
  enum kg_err rc = KG_EGONE;
  if (!(p = kg_api_store(r))) return;
  if (zToken && kg_auth_token_well_formed(zToken)) {
    kg_auth_token_hash(zToken, aHash);
    rc = kg_store_email_confirm_use(p, aHash, kg_time_now(), &accountId);
  }
  if (rc == KG_EGONE || rc == KG_ENOTFOUND) {
    kg_reply_code(r, KG_P_LINK_EXPIRED,
                  "this link is not valid, was used or has expired; ask for a new one after "
                  "logging in");
    return;
  }
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot confirm the address right now; try again");
    return;
  }
  kg_log_info("email confirmed account=%lld", (long long)accountId);
  kg_reply_json(r, 200, json_pack("{s:b}", "email_confirmed", 1));
}

/* ---- following ---- */

static void reply_follow(struct kg_req *r, struct kg_store *p, int64_t discussionId) {
  int bFollowing = 0;
  int64_t tConfirmed = 0;
  int64_t accountId = kg_api_account(r)->id;
  enum kg_err rc = kg_store_follow_get(p, accountId, discussionId, &bFollowing);
  if (rc == KG_OK) rc = kg_store_email_confirmed_at(p, accountId, &tConfirmed);
  if (rc) {
    kg_reply_err(r, rc, "cannot read the subscription");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200,
                json_pack("{s:I, s:b, s:b}", "discussion_id", (json_int_t)discussionId, "following",
                          bFollowing, "email_confirmed", tConfirmed != 0));
}

/* The store, with the discussion of the path in *pId when the caller may
 * see it; else NULL after replying (404 for a draft or none). */
static struct kg_store *visible_discussion(struct kg_req *r, int64_t *pId) {
  struct kg_discussion d = {0};
  struct kg_store *p = kg_api_open_id(r, "id", "no such discussion", pId);
  if (!p) return NULL;
  enum kg_err rc = kg_store_discussion_get(p, *pId, &d);
  int bOk = rc == KG_OK && d.status != KG_ST_DRAFT;
  kg_discussion_clear(&d);
  if (rc != KG_OK && rc != KG_ENOTFOUND) {
    kg_reply_err(r, rc, "cannot read the discussion");
    return NULL;
  }
  if (!bOk) {
    kg_reply_code(r, KG_P_NOT_FOUND, "no such discussion");
    return NULL;
  }
  return p;
}

void kg_api_follow_get(struct kg_req *r) {
  int64_t id;
  struct kg_store *p = visible_discussion(r, &id);
  if (p) reply_follow(r, p, id);
}

static void follow_set(struct kg_req *r, int bFollow) {
  int64_t id;
  struct kg_store *p = visible_discussion(r, &id);
  if (!p) return;
  enum kg_err rc = kg_store_follow_set(p, kg_api_account(r)->id, id, bFollow, kg_time_now());
  if (rc == KG_ENOTFOUND) {
    kg_reply_code(r, KG_P_NOT_FOUND, "no such discussion");
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot save the subscription");
    return;
  }
  kg_log_info("follow account=%lld discussion=%lld on=%d", (long long)kg_api_account(r)->id,
              (long long)id, bFollow);
  reply_follow(r, p, id);
}

void kg_api_follow_put(struct kg_req *r) {
  follow_set(r, 1);
}

void kg_api_follow_delete(struct kg_req *r) {
  follow_set(r, 0);
}

static int follows_row(void *pArg, int64_t discussionId, const char *zTitle, const char *zStatus,
                       int64_t createdAt) {
  json_array_append_new(pArg,
                        json_pack("{s:I, s:s, s:s, s:o}", "discussion_id", (json_int_t)discussionId,
                                  "title", zTitle ? zTitle : "", "status", zStatus ? zStatus : "",
                                  "since", kg_api_time_json(createdAt)));
  return 0;
}

void kg_api_me_follows(struct kg_req *r) {
  struct kg_store *p = kg_api_store(r);
  if (!p) return;
  json_t *pItems = json_array();
  enum kg_err rc = kg_store_follow_list(p, kg_api_account(r)->id, follows_row, pItems);
  if (rc) {
    json_decref(pItems);
    kg_reply_err(r, rc, "cannot read the subscriptions");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, json_pack("{s:o, s:n}", "items", pItems, "next"));
}

/* RFC 8058: a POST to the List-Unsubscribe URL ends the follow, with no
 * login and no confirmation; a GET only shows the page with a button. */
void kg_api_unsubscribe_post(struct kg_req *r) {
  const char *zToken = kg_req_param(r, "token");
  unsigned char aHash[KG_AUTH_TOKEN_HASH_BYTES];
  int64_t discussionId = 0;
  struct kg_store *p = kg_api_store(r);
  enum kg_err rc = KG_EGONE;
  if (!p) return;
  if (zToken && kg_auth_token_well_formed(zToken)) {
    kg_auth_token_hash(zToken, aHash);
    rc = kg_store_follow_unsubscribe(p, aHash, &discussionId);
  }
  if (rc == KG_EGONE || rc == KG_ENOTFOUND) {
    kg_reply_code(r, KG_P_LINK_EXPIRED, "this unsubscribe link is not valid or has expired");
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot unsubscribe right now; try again");
    return;
  }
  kg_log_info("unsubscribed discussion=%lld", (long long)discussionId);
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200,
                json_pack("{s:I, s:b}", "discussion_id", (json_int_t)discussionId, "following", 0));
}

void kg_api_unsubscribe_get(struct kg_req *r) {
  const char *zToken = kg_req_param(r, "token");
  if (!zToken || !kg_auth_token_well_formed(zToken)) {
    kg_reply_code(r, KG_P_LINK_EXPIRED, "this unsubscribe link is not valid or has expired");
    return;
  }
  char *zLoc = kg_xasprintf("/unsubscribe.html#token=%s", zToken);
  kg_reply_header(r, "Location", zLoc);
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_header(r, "Referrer-Policy", "no-referrer");
  free(zLoc);
  kg_reply_empty(r, 303);
}

/* ---- the personal-data policy ---- */

/* {text, lang}: the page's language's policy file (--privacy-policy-tt,
 * -en) or else the Russian one (--privacy-policy), as UTF-8 text (null when
 * not set); lang is the language of the text, so that a page in another
 * language says the text is only in Russian. */
void kg_api_privacy_policy(struct kg_req *r) {
  static const char *const azOpt[] = {[KG_LANG_RU] = "privacy-policy",
                                      [KG_LANG_TT] = "privacy-policy-tt",
                                      [KG_LANG_EN] = "privacy-policy-en"};
  enum kg_lang eLang = kg_api_page_lang(r);
  const char *zPath = kg_config_get(kg_api_cfg(r), azOpt[eLang]);
  if (!zPath || !*zPath) {
    eLang = KG_LANG_RU;
    zPath = kg_config_get(kg_api_cfg(r), azOpt[eLang]);
  }
  kg_reply_header(r, "Vary", "Cookie, Accept-Language");
  if (!zPath || !*zPath) {
    kg_reply_header(r, "Cache-Control", "public, max-age=300");
    kg_reply_json(r, 200, json_pack("{s:n, s:s}", "text", "lang", kg_lang_tag(eLang)));
    return;
  }
  FILE *f = fopen(zPath, "rb");
  char *a = kg_xmalloc(POLICY_MAX_BYTES + 1);
  size_t n = f ? fread(a, 1, POLICY_MAX_BYTES + 1, f) : 0;
  int bErr = !f || ferror(f) || n > POLICY_MAX_BYTES;
  if (f) fclose(f);
  a[n > POLICY_MAX_BYTES ? POLICY_MAX_BYTES : n] = 0;
  if (bErr || !kg_utf8_valid_text(a, strlen(a)) || strlen(a) != n) {
    free(a);
    kg_log_error("privacy policy file unreadable, over 256 KB or not UTF-8 text");
    kg_reply_code(r, KG_P_UNAVAILABLE, "the personal-data policy cannot be read right now");
    return;
  }
  kg_reply_header(r, "Cache-Control", "public, max-age=300");
  kg_reply_json(r, 200, json_pack("{s:s, s:s}", "text", a, "lang", kg_lang_tag(eLang)));
  free(a);
}

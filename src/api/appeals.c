/* appeals.c: appeals against the rejection of a proposal. The author of a
 * rejected comment may appeal within --appeal-days of the rejection
 * (POST /api/v1/comments/{id}/appeal {text}); a moderator other than the
 * one who rejected it decides (POST /api/v1/appeals/{id}/decision
 * {decision: uphold|dismiss, reason}); an upheld appeal publishes the
 * comment with its registration number. The decision is logged and
 * e-mailed to the author in one transaction. Logs name ids only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_dept.h"
#include "kengash/config.h"
#include "kengash/mail.h"
#include "kengash/store_dept.h"

#define MAX_APPEAL_CHARS 2000
#define MAX_REASON_CHARS 2000
#define DAY_SEC 86400
#define NO_APPEAL "there is no such appeal"

/* The appeal as the API shows it; bModerator adds who rejected and who
 * decided (account ids). */
static json_t *appeal_json(const struct kg_appeal *a, int bModerator) {
  json_t *p = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:{s:o, s:s?}}",
                        "id", (json_int_t)a->id, "comment_id", (json_int_t)a->commentId,
                        "discussion_id", (json_int_t)a->discussionId, "discussion_title",
                        a->zDiscussionTitle ? a->zDiscussionTitle : "", "registration_number",
                        a->zRegNo ? a->zRegNo : "", "kind", a->zKind ? a->zKind : "",
                        "comment_body", a->zCommentBody ? a->zCommentBody : "", "comment_status",
                        a->zCommentStatus ? a->zCommentStatus : "", "text",
                        a->zBody ? a->zBody : "", "created_at", kg_api_time_json(a->createdAt),
                        "status", a->zStatus ? a->zStatus : "pending", "rejection", "at",
                        kg_api_time_json(a->rejectedAt), "reason", a->zRejectionReason);
  json_t *pDecision = a->decidedAt ? json_pack("{s:o, s:s?}", "at", kg_api_time_json(a->decidedAt),
                                               "reason", a->zDecisionReason)
                                   : json_null();
  if (bModerator) {
    json_object_set_new(json_object_get(p, "rejection"), "by",
                        a->rejectedBy ? json_integer(a->rejectedBy) : json_null());
    if (a->decidedAt)
      json_object_set_new(pDecision, "by", a->decidedBy ? json_integer(a->decidedBy) : json_null());
    json_object_set_new(p, "author_id", a->authorId ? json_integer(a->authorId) : json_null());
  }
  json_object_set_new(p, "decision", pDecision);
  return p;
}

struct one_ctx {
  json_t *pJson;
  int bModerator;
  int64_t rejectedBy, authorId;
  char zStatus[16], zDiscussionStatus[16], zRegNo[64];
};

static int one_row(void *pArg, const struct kg_appeal *a) {
  struct one_ctx *c = pArg;
  c->pJson = appeal_json(a, c->bModerator);
  c->rejectedBy = a->rejectedBy;
  c->authorId = a->authorId;
  snprintf(c->zStatus, sizeof(c->zStatus), "%s", a->zStatus ? a->zStatus : "");
  snprintf(c->zDiscussionStatus, sizeof(c->zDiscussionStatus), "%s",
           a->zDiscussionStatus ? a->zDiscussionStatus : "");
  snprintf(c->zRegNo, sizeof(c->zRegNo), "%s", a->zRegNo ? a->zRegNo : "");
  return 1;
}

/* Reads appeal id into *c (moderator view when bModerator). Returns 1, or 0
 * after replying. */
static int read_appeal(struct kg_req *r, struct kg_store *pStore, int64_t id, int bModerator,
                       struct one_ctx *c) {
  memset(c, 0, sizeof(*c));
  c->bModerator = bModerator;
  enum kg_err rc = kg_store_appeal_get(pStore, id, one_row, c);
  if (rc == KG_ENOTFOUND) {
    kg_reply_code(r, KG_P_NOT_FOUND, NO_APPEAL);
    return 0;
  }
  if (rc != KG_OK || !c->pJson) {
    json_decref(c->pJson);
    kg_reply_err(r, rc ? rc : KG_EDB, "cannot read the appeal");
    return 0;
  }
  return 1;
}

static int final_status(const char *zDiscussionStatus) {
  return strcmp(zDiscussionStatus, "concluded") == 0 || strcmp(zDiscussionStatus, "cancelled") == 0;
}

/* 409 unless comment c may be appealed now; returns 1 when it may. */
static int appealable(struct kg_req *r, struct kg_store *pStore, const struct kg_comment *c) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  int nDays = pCfg ? pCfg->nAppealDays : 3;
  struct kg_discussion d = {0};
  char zMsg[160];
  if (c->status != KG_CS_REJECTED) {
    snprintf(zMsg, sizeof(zMsg), "the proposal is %s: only a rejected proposal may be appealed",
             kg_comment_status_name(c->status));
    kg_reply_code(r, KG_P_WRONG_STATUS, zMsg);
    return 0;
  }
  if (nDays == 0) {
    kg_reply_code(r, KG_P_APPEAL_CLOSED, "appeals are not accepted on this site");
    return 0;
  }
  int64_t tEnd = c->moderatedAt + (int64_t)nDays * DAY_SEC;
  if (kg_time_now() > tEnd) {
    char zEnd[21];
    kg_time_format(tEnd, zEnd);
    snprintf(zMsg, sizeof(zMsg), "the period to appeal (%d days after the rejection) ended at %s",
             nDays, zEnd);
    kg_reply_code(r, KG_P_APPEAL_CLOSED, zMsg);
    return 0;
  }
  enum kg_err rc = kg_store_discussion_get(pStore, c->discussionId, &d);
  int bFinal = rc == KG_OK && (d.status == KG_ST_CONCLUDED || d.status == KG_ST_CANCELLED);
  kg_discussion_clear(&d);
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot read the discussion");
    return 0;
  }
  if (bFinal) {
    kg_reply_code(r, KG_P_DISCUSSION_FINAL,
                  "the discussion is concluded or cancelled: no more appeals");
    return 0;
  }
  return 1;
}

void kg_api_appeal_create(struct kg_req *r) {
  int64_t commentId, id = 0;
  const struct kg_account *pAcc = kg_api_account(r);
  struct kg_store *pStore;
  struct kg_comment c = {0};
  const char *zText;
  const struct kg_api_field aField[] = {
      KG_API_F_STR("text", KG_API_REQUIRED, MAX_APPEAL_CHARS, &zText)};
  if (!(commentId = kg_api_param_id(r, "id", "no such comment")) ||
      !kg_api_body(r, aField, KG_API_NFIELD(aField)) || !(pStore = kg_api_store(r)))
    return;
  enum kg_err rc = kg_store_comment_get(pStore, commentId, &c);
  if (rc == KG_OK && (!c.authorId || c.authorId != pAcc->id)) rc = KG_ENOTFOUND;
  if (rc) {
    kg_reply_err(r, rc,
                 rc == KG_ENOTFOUND ? "no such comment of yours" : "cannot read the comment");
    goto out;
  }
  if (!appealable(r, pStore, &c)) goto out;
  rc = kg_store_appeal_insert(pStore, commentId, pAcc->id, zText, kg_time_now(), &id);
  if (rc == KG_ECONFLICT) {
    kg_reply_code(r, KG_P_ALREADY_DONE, "the proposal has been appealed already");
    goto out;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot save the appeal");
    goto out;
  }
  kg_log_info("appeal stored id=%lld comment=%lld", (long long)id, (long long)commentId);
  struct one_ctx oc;
  if (!read_appeal(r, pStore, id, 0, &oc)) goto out;
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 201, oc.pJson);
out:
  kg_comment_clear(&c);
}

struct list_ctx {
  json_t *pItems;
  int bModerator;
};

static int list_row(void *pArg, const struct kg_appeal *a) {
  struct list_ctx *c = pArg;
  json_array_append_new(c->pItems, appeal_json(a, c->bModerator));
  return 0;
}

/* Replies with the page of appeals f selects. */
static void reply_list(struct kg_req *r, struct kg_store *pStore, struct kg_appeal_filter *f,
                       int bModerator, json_t *pExtra) {
  struct list_ctx c = {json_array(), bModerator};
  int nLimit = f->nLimit;
  f->nLimit = nLimit + 1; /* one more row tells there is a next page */
  enum kg_err rc = kg_store_appeal_list(pStore, f, list_row, &c);
  if (rc) {
    json_decref(c.pItems);
    json_decref(pExtra);
    kg_reply_err(r, rc, "cannot read the appeals");
    return;
  }
  json_t *p = kg_api_page_json(c.pItems, nLimit);
  if (pExtra) json_object_update_new(p, pExtra);
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, p);
}

void kg_api_me_appeals(struct kg_req *r) {
  struct kg_appeal_filter f = {0};
  struct kg_store *pStore;
  const struct kg_config *pCfg = kg_api_cfg(r);
  if (!kg_api_page(r, &f.nLimit, &f.cursorId) || !(pStore = kg_api_store(r))) return;
  f.authorId = kg_api_account(r)->id;
  reply_list(r, pStore, &f, 0, json_pack("{s:i}", "appeal_days", pCfg ? pCfg->nAppealDays : 3));
}

void kg_api_appeals_list(struct kg_req *r) {
  static const char *const azStatus[] = {"pending", "decided", "upheld", "dismissed", "all", NULL};
  struct kg_appeal_filter f = {0};
  struct kg_store *pStore;
  const char *z = kg_req_query(r, "status");
  if (!kg_api_page(r, &f.nLimit, &f.cursorId)) return;
  if (z) {
    int i = 0;
    while (azStatus[i] && strcmp(azStatus[i], z) != 0)
      i++;
    if (!azStatus[i]) {
      kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, "status",
                          "must be pending, decided, upheld, dismissed or all");
      return;
    }
    f.zStatus = strcmp(z, "all") == 0 ? NULL : z;
  }
  if (!(pStore = kg_api_store(r))) return;
  reply_list(r, pStore, &f, 1, NULL);
}

void kg_api_appeals_get(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore = kg_api_open_id(r, "id", NO_APPEAL, &id);
  struct one_ctx oc;
  if (!pStore || !read_appeal(r, pStore, id, 1, &oc)) return;
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, oc.pJson);
}

/* Reads {decision, reason}: 1 with *pbUphold and *pzReason, or 0 after
 * replying 422. */
static int read_decision(struct kg_req *r, int *pbUphold, const char **pzReason) {
  static const char *const azDecision[] = {"uphold", "dismiss", NULL};
  const char *zDecision;
  const struct kg_api_field aField[] = {
      {.zName = "decision",
       .eType = KG_API_STR,
       .fFlags = KG_API_REQUIRED,
       .nMax = 20,
       .pOut = &zDecision,
       .azOneOf = azDecision,
       .zRule = "must be uphold or dismiss"},
      KG_API_F_STR("reason", KG_API_REQUIRED, MAX_REASON_CHARS, pzReason)};
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField))) return 0;
  *pbUphold = strcmp(zDecision, "uphold") == 0;
  return 1;
}

void kg_api_appeal_decide(struct kg_req *r) {
  int64_t id;
  const struct kg_account *pAcc = kg_api_account(r);
  struct kg_store *pStore;
  struct kg_account author;
  struct one_ctx oc;
  const char *zReason;
  struct kg_mail_text m = {0};
  int bUphold;
  if (!read_decision(r, &bUphold, &zReason) ||
      !(pStore = kg_api_open_id(r, "id", NO_APPEAL, &id)) || !read_appeal(r, pStore, id, 1, &oc))
    return;
  json_decref(oc.pJson);
  if (oc.rejectedBy == pAcc->id) {
    kg_reply_code(r, KG_P_OWN_REJECTION,
                  "you rejected this proposal: a different moderator must decide the appeal");
    return;
  }
  if (strcmp(oc.zStatus, "pending") != 0) {
    kg_reply_code(r, KG_P_ALREADY_DONE, "the appeal has been decided already");
    return;
  }
  if (final_status(oc.zDiscussionStatus)) {
    kg_reply_code(r, KG_P_DISCUSSION_FINAL, "the discussion is concluded or cancelled");
    return;
  }
  struct kg_appeal_mail mail = {0};
  if (oc.authorId && kg_store_account_get(pStore, oc.authorId, &author) == KG_OK) {
    const struct kg_config *pCfg = kg_api_cfg(r);
    kg_mail_compose_appeal_outcome(kg_lang_parse(author.zLanguage), pCfg ? pCfg->zBaseUrl : NULL,
                                   oc.zRegNo, bUphold, zReason, &m);
    mail.zTo = author.zEmail;
    mail.zSubject = m.zSubject;
    mail.zText = m.zBody;
  }
  enum kg_err rc = kg_store_appeal_decide(pStore, id, pAcc->id, bUphold, zReason,
                                          mail.zTo ? &mail : NULL, kg_time_now());
  if (rc == KG_EFORBIDDEN)
    kg_reply_code(r, KG_P_OWN_REJECTION,
                  "you rejected this proposal: a different moderator must decide the appeal");
  else if (rc == KG_ECONFLICT)
    kg_reply_code(r, KG_P_CHANGED_MEANWHILE, "the appeal or the proposal changed meanwhile");
  else if (rc)
    kg_reply_err(r, rc, "cannot save the decision");
  if (rc) goto out;
  kg_log_info("appeal decided id=%lld decision=%s", (long long)id, bUphold ? "uphold" : "dismiss");
  if (mail.zTo) kg_mail_wake();
  if (!read_appeal(r, pStore, id, 1, &oc)) goto out;
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, oc.pJson);
out:
  kg_mail_text_clear(&m);
}

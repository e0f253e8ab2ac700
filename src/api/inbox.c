/* inbox.c: the support inbox of the console. Moderators answer a message
 * (POST /api/v1/support-messages/{id}/replies {body}: stored and e-mailed
 * to the sender through the outbox in one transaction), read the answers
 * (GET .../replies) and close or reopen it (PUT .../status {status}).
 * Every answer and change is in the moderation log. Logs name ids only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_dept.h"
#include "api_support.h"
#include "kengash/config.h"
#include "kengash/mail.h"
#include "kengash/store_dept.h"

#define MAX_REPLY_CHARS 5000
#define NO_MESSAGE "there is no such support message"

/* What the answer's e-mail needs of the message (heap strings, free()). */
struct msg_copy {
  char *zEmail, *zTopic, *zBody;
  int64_t createdAt;
};

static int copy_row(void *pArg, const struct kg_support_message *m) {
  struct msg_copy *c = pArg;
  c->zEmail = kg_xstrdup(m->zEmail ? m->zEmail : "");
  c->zTopic = kg_xstrdup(m->zTopic ? m->zTopic : "");
  c->zBody = kg_xstrdup(m->zBody ? m->zBody : "");
  c->createdAt = m->createdAt;
  return 1;
}

static void msg_copy_free(struct msg_copy *c) {
  free(c->zEmail);
  free(c->zTopic);
  free(c->zBody);
}

/* Reads message id into *c; 1, or 0 after replying 404/5xx. */
static int read_message(struct kg_req *r, struct kg_store *pStore, int64_t id, struct msg_copy *c) {
  memset(c, 0, sizeof(*c));
  enum kg_err rc = kg_store_support_get(pStore, id, copy_row, c);
  if (rc == KG_ENOTFOUND) {
    kg_reply_code(r, KG_P_NOT_FOUND, NO_MESSAGE);
    return 0;
  }
  if (rc) {
    msg_copy_free(c);
    kg_reply_err(r, rc, "cannot read the support message");
    return 0;
  }
  return 1;
}

static json_t *reply_json(const struct kg_support_reply *m) {
  return json_pack("{s:I, s:I, s:o, s:s, s:s, s:o, s:b}", "id", (json_int_t)m->id, "message_id",
                   (json_int_t)m->messageId, "author_id",
                   m->authorId ? json_integer(m->authorId) : json_null(), "author_name",
                   m->zAuthorName ? m->zAuthorName : "", "body", m->zBody ? m->zBody : "",
                   "created_at", kg_api_time_json(m->createdAt), "mailed", m->outboxId != 0);
}

static int replies_row(void *pArg, const struct kg_support_reply *m) {
  json_array_append_new(pArg, reply_json(m));
  return 0;
}

void kg_api_support_replies(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore = kg_api_open_id(r, "id", NO_MESSAGE, &id);
  struct msg_copy c;
  if (!pStore || !read_message(r, pStore, id, &c)) return;
  msg_copy_free(&c);
  json_t *pItems = json_array();
  enum kg_err rc = kg_store_support_replies(pStore, id, replies_row, pItems);
  if (rc) {
    json_decref(pItems);
    kg_reply_err(r, rc, "cannot read the answers");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, json_pack("{s:o, s:n}", "items", pItems, "next"));
}

void kg_api_support_reply(struct kg_req *r) {
  int64_t id, replyId = 0;
  const struct kg_account *pAcc = kg_api_account(r);
  const struct kg_config *pCfg = kg_api_cfg(r);
  struct kg_store *pStore;
  struct msg_copy c;
  const char *zBody;
  const struct kg_api_field aField[] = {
      KG_API_F_STR("body", KG_API_REQUIRED, MAX_REPLY_CHARS, &zBody)};
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) ||
      !(pStore = kg_api_open_id(r, "id", NO_MESSAGE, &id)) || !read_message(r, pStore, id, &c))
    return;
  struct kg_mail_support_message q = {
      .id = id, .createdAt = c.createdAt, .zTopic = c.zTopic, .zBody = c.zBody};
  struct kg_mail_text t;
  kg_mail_compose_support_answer(kg_store_address_language(pStore, c.zEmail),
                                 pCfg ? pCfg->zBaseUrl : NULL, &q, zBody, &t);
  enum kg_err rc = kg_store_support_reply(pStore, id, pAcc->id, zBody, c.zEmail, t.zSubject,
                                          t.zBody, kg_time_now(), &replyId);
  kg_mail_text_clear(&t);
  msg_copy_free(&c);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? NO_MESSAGE : "cannot save the answer");
    return;
  }
  kg_log_info("support answer stored message=%lld answer=%lld", (long long)id, (long long)replyId);
  kg_mail_wake();
  struct kg_support_reply m = {replyId, id, pAcc->id, pAcc->zFullName, zBody, kg_time_now(), 1};
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 201, reply_json(&m));
}

void kg_api_support_status(struct kg_req *r) {
  static const char *const azStatus[] = {"new", "closed", NULL};
  int64_t id;
  struct kg_store *pStore;
  const char *zStatus;
  const struct kg_api_field aField[] = {{.zName = "status",
                                         .eType = KG_API_STR,
                                         .fFlags = KG_API_REQUIRED,
                                         .nMax = 10,
                                         .pOut = &zStatus,
                                         .azOneOf = azStatus,
                                         .zRule = "must be new or closed"}};
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) ||
      !(pStore = kg_api_open_id(r, "id", NO_MESSAGE, &id)))
    return;
  enum kg_err rc =
      kg_store_support_set_status(pStore, id, zStatus, kg_api_account(r)->id, kg_time_now());
  if (rc == KG_ECONFLICT) {
    char zMsg[80];
    snprintf(zMsg, sizeof(zMsg), "the message is %s already", zStatus);
    kg_reply_code(r, KG_P_ALREADY_DONE, zMsg);
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? NO_MESSAGE : "cannot change the message");
    return;
  }
  kg_log_info("support message status id=%lld status=%s", (long long)id, zStatus);
  kg_api_support_get(r);
}

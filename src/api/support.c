/* support.c: messages to technical support. POST /api/v1/support-messages
 * {name, email, topic, body, page_url?} is open to anyone; for a logged-in
 * sender (CSRF checked by the session layer) name and email default to the
 * account's and the message is linked to it. The message is stored and, in
 * the same transaction, an e-mail with it is queued to the support address
 * of the configuration (support_email); without one the message is only
 * stored. An address may send KG_SUPPORT_RATE_MAX messages an hour.
 * Moderators and admins read them: GET /api/v1/support-messages (newest
 * first) and GET /api/v1/support-messages/{id}. Names, e-mails and texts
 * are never logged: only ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_support.h"
#include "kengash/config.h"
#include "kengash/mail.h"
#include "kengash/store_dept.h"

#define MAX_NAME_CHARS 200
#define MAX_EMAIL_CHARS 254
#define MAX_TOPIC_CHARS 200
#define MAX_BODY_CHARS 5000
#define MAX_PAGE_URL_CHARS 2000

/* ---- input ---- */

/* xCheck: a KG_API_TRIM value is one line (no tab, CR or LF). */
static int one_line_check(const struct kg_api_field *pF, char *zReason, size_t nReason) {
  if (!strpbrk(pF->pOut, "\t\r\n")) return 1;
  snprintf(zReason, nReason, "must be a single line of text");
  return 0;
}

/* xCheck: page_url is one line, and a same-site path
 * ("/discussion.html?id=1") or an http(s) address. */
static int page_url_check(const struct kg_api_field *pF, char *zReason, size_t nReason) {
  const char *z = pF->pOut;
  if (!one_line_check(pF, zReason, nReason)) return 0;
  if (z[0] == '/' ? z[1] != '/' && z[1] != '\\'
                  : (strncasecmp(z, "https://", 8) == 0 && z[8]) ||
                        (strncasecmp(z, "http://", 7) == 0 && z[7]))
    return 1;
  snprintf(zReason, nReason,
           "must be a web address such as https://example.org/page or a path such as "
           "/discussion.html?id=1");
  return 0;
}

/* zBody with CR LF and lone CR turned into LF (heap, free()). */
static char *unix_lines(const char *zBody) {
  size_t n = strlen(zBody), j = 0;
  char *z = kg_xmalloc(n + 1);
  for (size_t i = 0; i < n; i++) {
    if (zBody[i] != '\r') {
      z[j++] = zBody[i];
    } else {
      z[j++] = '\n';
      if (zBody[i + 1] == '\n') i++;
    }
  }
  z[j] = 0;
  return z;
}

/* ---- the e-mail to support ---- */

/* kg_support_mail's xCompose; pArg: the site's base URL. */
static void compose(void *pArg, const struct kg_support_message *m, char **pzSubject,
                    char **pzBody) {
  struct kg_mail_support_message q = {m->id,     m->createdAt, m->accountId, m->zName,
                                      m->zEmail, m->zTopic,    m->zBody,     m->zPageUrl};
  struct kg_mail_text t;
  /* to the support address: the staff read Russian */
  kg_mail_compose_support_message(KG_LANG_RU, pArg, &q, &t);
  *pzSubject = t.zSubject;
  *pzBody = t.zBody;
}

/* ---- handlers ---- */

void kg_api_support_create(struct kg_req *r) {
  const struct kg_account *pAcc = kg_api_account(r);
  char zName[4 * MAX_NAME_CHARS + 1], zEmail[MAX_EMAIL_CHARS + 2];
  char zTopic[4 * MAX_TOPIC_CHARS + 1], zPage[4 * MAX_PAGE_URL_CHARS + 1];
  const char *zBodyIn = NULL;
  char *zBody = NULL;
  /* a logged-in sender may leave out name and e-mail: the account's are used */
  unsigned fSender = pAcc ? 0u : KG_API_REQUIRED;
  const struct kg_api_field aField[] = {
      {.zName = "name",
       .eType = KG_API_TRIM,
       .fFlags = fSender,
       .nMax = MAX_NAME_CHARS,
       .pOut = zName,
       .nOut = sizeof(zName),
       .xCheck = one_line_check},
      KG_API_F_EMAIL("email", fSender, zEmail),
      {.zName = "topic",
       .eType = KG_API_TRIM,
       .fFlags = KG_API_REQUIRED,
       .nMax = MAX_TOPIC_CHARS,
       .pOut = zTopic,
       .nOut = sizeof(zTopic),
       .xCheck = one_line_check},
      KG_API_F_STR("body", KG_API_REQUIRED, MAX_BODY_CHARS, &zBodyIn),
      {.zName = "page_url",
       .eType = KG_API_TRIM,
       .nMax = MAX_PAGE_URL_CHARS,
       .pOut = zPage,
       .nOut = sizeof(zPage),
       .xCheck = page_url_check},
  };
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField))) return;
  if (pAcc) {
    if (!zName[0]) snprintf(zName, sizeof(zName), "%s", pAcc->zFullName[0] ? pAcc->zFullName : "-");
    if (!zEmail[0]) snprintf(zEmail, sizeof(zEmail), "%s", pAcc->zEmail);
  }
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;

  const struct kg_config *pCfg = kg_api_cfg(r);
  /* per client address, beside the store's limit per e-mail address
   * (which one sender with many addresses gets around) */
  int64_t nWait = kg_api_ip_limit(r, 's', pCfg ? pCfg->nSupportLimit : 0, 3600);
  if (nWait) {
    char zWhat[80];
    snprintf(zWhat, sizeof(zWhat), "at most %d messages an hour from one address",
             pCfg->nSupportLimit);
    kg_api_reply_retry(r, nWait, zWhat);
    return;
  }
  zBody = unix_lines(zBodyIn);
  struct kg_support_message m = {0};
  m.accountId = pAcc ? pAcc->id : 0;
  m.zName = zName;
  m.zEmail = zEmail;
  m.zTopic = zTopic;
  m.zBody = zBody;
  m.zPageUrl = zPage[0] ? zPage : NULL;
  struct kg_support_mail mail = {pCfg ? pCfg->zSupportEmail : NULL, compose,
                                 pCfg ? pCfg->zBaseUrl : NULL};
  int64_t tNow = kg_time_now(), id = 0, outboxId = 0, nRetry = 0;
  enum kg_err rc = kg_store_support_insert(pStore, &m, &mail, tNow, &id, &outboxId, &nRetry);
  if (rc == KG_ELIMIT) {
    char zWhat[80];
    snprintf(zWhat, sizeof(zWhat), "at most %d messages an hour from one e-mail address",
             KG_SUPPORT_RATE_MAX);
    kg_log_info("support message refused reason=rate_limit");
    kg_api_reply_retry(r, nRetry, zWhat);
    goto out;
  }
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot save the message right now; try again");
    goto out;
  }
  kg_log_info("support message stored id=%lld outbox=%lld", (long long)id, (long long)outboxId);
  if (outboxId) kg_mail_wake();
  char zLoc[64];
  snprintf(zLoc, sizeof(zLoc), "/api/v1/support-messages/%lld", (long long)id);
  kg_reply_header(r, "Location", zLoc);
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 201,
                json_pack("{s:I, s:o, s:s}", "id", (json_int_t)id, "created_at",
                          kg_api_time_json(tNow), "status", "new"));
out:
  free(zBody);
}

/* The message as moderators see it. */
static json_t *message_json(const struct kg_support_message *m) {
  return json_pack("{s:I, s:o, s:o, s:s, s:s, s:s, s:s, s:s?, s:s, s:b}", "id", (json_int_t)m->id,
                   "created_at", kg_api_time_json(m->createdAt), "account_id",
                   m->accountId ? json_integer(m->accountId) : json_null(), "name",
                   m->zName ? m->zName : "", "email", m->zEmail ? m->zEmail : "", "topic",
                   m->zTopic ? m->zTopic : "", "body", m->zBody ? m->zBody : "", "page_url",
                   m->zPageUrl, "status", m->zStatus ? m->zStatus : "new", "mailed",
                   m->outboxId != 0);
}

static int list_row(void *pArg, const struct kg_support_message *m) {
  json_array_append_new(pArg, message_json(m));
  return 0;
}

void kg_api_support_list(struct kg_req *r) {
  int nLimit;
  int64_t beforeId;
  struct kg_store *pStore;
  const char *zStatus = kg_req_query(r, "status");
  if (!kg_api_page(r, &nLimit, &beforeId)) return;
  if (zStatus && strcmp(zStatus, "new") != 0 && strcmp(zStatus, "closed") != 0) {
    kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, "status", "must be new or closed");
    return;
  }
  if (!(pStore = kg_api_store(r))) return;
  json_t *pItems = json_array();
  /* one extra row tells whether there is a next page */
  enum kg_err rc =
      kg_store_support_list_status(pStore, zStatus, beforeId, nLimit + 1, list_row, pItems);
  if (rc) {
    json_decref(pItems);
    kg_reply_err(r, rc, "cannot read the support messages");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, kg_api_page_json(pItems, nLimit));
}

static int get_row(void *pArg, const struct kg_support_message *m) {
  *(json_t **)pArg = message_json(m);
  return 1;
}

void kg_api_support_get(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore = kg_api_open_id(r, "id", "there is no such support message", &id);
  if (!pStore) return;
  json_t *p = NULL;
  enum kg_err rc = kg_store_support_get(pStore, id, get_row, &p);
  if (rc == KG_ENOTFOUND) {
    kg_reply_code(r, KG_P_NOT_FOUND, "there is no such support message");
    return;
  }
  if (rc != KG_OK || !p) {
    json_decref(p);
    kg_reply_err(r, rc != KG_OK ? rc : KG_EDB, "cannot read the support message");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, p);
}

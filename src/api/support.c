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

/* Replies 422 unless z is one line (no tab, CR or LF). */
static int one_line(struct kg_req *r, const char *zField, const char *z) {
  if (!strpbrk(z, "\t\r\n")) return 1;
  kg_reply_invalid(r, zField, "must be a single line of text");
  return 0;
}

/* A same-site path ("/discussion.html?id=1") or an http(s) address. */
static int page_url_ok(const char *z) {
  if (z[0] == '/') return z[1] != '/' && z[1] != '\\';
  return (strncasecmp(z, "https://", 8) == 0 && z[8]) ||
         (strncasecmp(z, "http://", 7) == 0 && z[7]);
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

static const char zSubjectFmt[] = "Обращение в техподдержку №%lld: %s";
static const char zBodyFmt[] = "Новое обращение в техническую поддержку портала общественных "
                               "обсуждений.\n"
                               "\n"
                               "Номер обращения: %lld\n"
                               "Получено: %s\n"
                               "Тема: %s\n"
                               "Имя: %s\n"
                               "Электронная почта: %s\n"
                               "Учётная запись: %s\n"
                               "Страница: %s\n"
                               "\n"
                               "Сообщение:\n"
                               "\n"
                               "%s\n"
                               "\n"
                               "-- \n"
                               "Письмо отправлено автоматически. Чтобы ответить, напишите "
                               "отправителю на адрес %s.\n";

/* pArg: the site's base URL, put before a page given as a path. */
static void compose(void *pArg, const struct kg_support_message *m, char **pzSubject,
                    char **pzBody) {
  const char *zBase = pArg ? pArg : "";
  size_t nBase = strlen(zBase);
  while (nBase && zBase[nBase - 1] == '/')
    nBase--;
  char zTime[21], zAccount[40];
  char *zPage = !m->zPageUrl            ? kg_xstrdup("не указана")
                : m->zPageUrl[0] == '/' ? kg_xasprintf("%.*s%s", (int)nBase, zBase, m->zPageUrl)
                                        : kg_xstrdup(m->zPageUrl);
  kg_time_format(m->createdAt, zTime);
  if (m->accountId)
    snprintf(zAccount, sizeof(zAccount), "№%lld", (long long)m->accountId);
  else
    snprintf(zAccount, sizeof(zAccount), "нет (без входа)");
  *pzSubject = kg_xasprintf(zSubjectFmt, (long long)m->id, m->zTopic);
  *pzBody = kg_xasprintf(zBodyFmt, (long long)m->id, zTime, m->zTopic, m->zName, m->zEmail,
                         zAccount, zPage, m->zBody, m->zEmail);
  free(zPage);
}

/* ---- handlers ---- */

void kg_api_support_create(struct kg_req *r) {
  static const char *const azKnown[] = {"name", "email", "topic", "body", "page_url", NULL};
  const struct kg_account *pAcc = kg_api_account(r);
  char zName[4 * MAX_NAME_CHARS + 1], zEmail[MAX_EMAIL_CHARS + 2];
  char zTopic[4 * MAX_TOPIC_CHARS + 1], zPage[4 * MAX_PAGE_URL_CHARS + 1];
  const char *zBodyIn = NULL;
  char *zBody = NULL;
  json_t *pBody = kg_req_json(r);
  if (!pBody || !kg_api_known_fields(r, pBody, azKnown)) return;

  /* a logged-in sender may leave out name and e-mail: the account's are used */
  if (!kg_api_str_trim(r, pBody, "name", !pAcc, MAX_NAME_CHARS, zName, sizeof(zName)) ||
      !one_line(r, "name", zName))
    return;
  if (!kg_api_str_trim(r, pBody, "email", !pAcc, MAX_EMAIL_CHARS, zEmail, sizeof(zEmail))) return;
  if (zEmail[0] && !kg_auth_email_valid(zEmail)) {
    kg_reply_invalid(r, "email", "must be an e-mail address such as name@example.org");
    return;
  }
  if (!kg_api_str_trim(r, pBody, "topic", 1, MAX_TOPIC_CHARS, zTopic, sizeof(zTopic)) ||
      !one_line(r, "topic", zTopic))
    return;
  if (!kg_api_str(r, pBody, "body", 1, MAX_BODY_CHARS, &zBodyIn)) return;
  if (!kg_api_str_trim(r, pBody, "page_url", 0, MAX_PAGE_URL_CHARS, zPage, sizeof(zPage)) ||
      !one_line(r, "page_url", zPage))
    return;
  if (zPage[0] && !page_url_ok(zPage)) {
    kg_reply_invalid(r, "page_url",
                     "must be a web address such as https://example.org/page or a path such as "
                     "/discussion.html?id=1");
    return;
  }
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
    kg_reply_invalid_status(r, 400, "status", "must be new or closed");
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
  int64_t id = kg_req_param_id(r, "id");
  struct kg_store *pStore;
  if (!id) {
    kg_reply_problem(r, 404, NULL, "there is no such support message");
    return;
  }
  if (!(pStore = kg_api_store(r))) return;
  json_t *p = NULL;
  enum kg_err rc = kg_store_support_get(pStore, id, get_row, &p);
  if (rc == KG_ENOTFOUND) {
    kg_reply_problem(r, 404, NULL, "there is no such support message");
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

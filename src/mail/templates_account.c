/* templates_account.c: the texts of the e-mails about a person's address
 * rather than a discussion — confirmation and password reset links, area
 * alerts and their confirmation, and the technical support's messages.
 * Pure functions of plain data (kengash/mail.h); every fixed text is a key
 * of src/core/lang/<lang>/mail.txt (kengash/i18n.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/mail.h"
#include "templates_int.h"

/* Longest alert or digest text. */
#define ALERT_MAX_BYTES (1024 * 1024)

/* ---- links with a token ---- */

void kg_mail_compose_email_confirm(enum kg_lang eLang, const char *zBaseUrl, const char *zToken,
                                   struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xstrdup(kg_tr(eLang, "mail.email_confirm.subject"));
  pOut->zBody = kg_trf(eLang, "mail.email_confirm.body", "base", zBase, "token", zToken, "auto",
                       kg_tr(eLang, "mail.auto"), NULL);
  free(zBase);
}

/* "1 час", "2 часа", "30 минут"...: the lifetime in words (heap). */
static char *ttl_words(enum kg_lang eLang, int nSec) {
  int bHours = nSec % 3600 == 0;
  int n = bHours ? nSec / 3600 : (nSec + 59) / 60;
  char zN[16];
  snprintf(zN, sizeof(zN), "%d", n);
  return kg_tr_fill(bHours ? kg_tr_plural(eLang, "mail.ttl.hours", n)
                           : kg_tr_plural(eLang, "mail.ttl.minutes", n),
                    "n", zN, NULL);
}

void kg_mail_compose_password_reset(enum kg_lang eLang, const char *zBaseUrl, const char *zToken,
                                    int nTtlSec, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), *zTtl = ttl_words(eLang, nTtlSec);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xstrdup(kg_tr(eLang, "mail.password_reset.subject"));
  pOut->zBody = kg_trf(eLang, "mail.password_reset.body", "ttl", zTtl, "base", zBase, "token",
                       zToken, "auto", kg_tr(eLang, "mail.auto"), NULL);
  free(zTtl);
  free(zBase);
}

/* ---- area alerts ---- */

void kg_mail_compose_alert_confirm(enum kg_lang eLang, const char *zBaseUrl, const char *zToken,
                                   struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xstrdup(kg_tr(eLang, "mail.alert_confirm.subject"));
  pOut->zBody = kg_trf(eLang, "mail.alert_confirm.body", "base", zBase, "token", zToken, "auto",
                       kg_tr(eLang, "mail.auto"), NULL);
  free(zBase);
}

/* i18n-prefix: mail.alert.status. */
static const char *alert_status_words(enum kg_lang eLang, const char *zStatus) {
  return kg_mail_tr_name(eLang, "mail.alert.status.", zStatus);
}

enum kg_err kg_mail_compose_alert(enum kg_lang eLang, const char *zBaseUrl, const char *zToken,
                                  const struct kg_mail_alert_item *aItem, int nItem, int bDigest,
                                  struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  struct kg_buf b;
  memset(pOut, 0, sizeof(*pOut));
  kg_buf_init(&b, ALERT_MAX_BYTES);
  kg_buf_puts(&b,
              bDigest ? kg_tr(eLang, "mail.alert.intro_digest") : kg_tr(eLang, "mail.alert.intro"));
  for (int i = 0; i < nItem; i++)
    kg_buf_printf(&b, "- %s: %s\n  %s/discussion.html?id=%lld\n\n", aItem[i].zTitle,
                  alert_status_words(eLang, aItem[i].zStatus), zBase,
                  (long long)aItem[i].discussionId);
  char *zFooter = kg_trf(eLang, "mail.alert.footer", "base", zBase, "token", zToken, "auto",
                         kg_tr(eLang, "mail.auto"), NULL);
  kg_buf_puts(&b, zFooter);
  free(zFooter);
  if (kg_buf_failed(&b)) {
    free(zBase);
    return KG_ETOOBIG;
  }
  char zN[16];
  snprintf(zN, sizeof(zN), "%d", nItem);
  if (!bDigest)
    pOut->zSubject =
        kg_xasprintf("%s: %s", aItem[0].zTitle, alert_status_words(eLang, aItem[0].zStatus));
  else
    pOut->zSubject = kg_trf(eLang, "mail.alert.subject_digest", "n", zN, NULL);
  pOut->zBody = kg_buf_detach(&b, NULL);
  pOut->zListUnsubscribe = kg_xasprintf("%s/api/v1/alerts/%s/unsubscribe", zBase, zToken);
  free(zBase);
  return KG_OK;
}

/* ---- technical support ---- */

void kg_mail_compose_support_message(enum kg_lang eLang, const char *zBaseUrl,
                                     const struct kg_mail_support_message *m,
                                     struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zTime[21], zId[24];
  char *zPage = !m->zPageUrl            ? kg_xstrdup(kg_tr(eLang, "mail.support.page_none"))
                : m->zPageUrl[0] == '/' ? kg_xasprintf("%s%s", zBase, m->zPageUrl)
                                        : kg_xstrdup(m->zPageUrl);
  kg_time_format(m->createdAt, zTime);
  snprintf(zId, sizeof(zId), "%lld", (long long)m->accountId);
  char *zAccount = m->accountId ? kg_trf(eLang, "mail.support.account", "id", zId, NULL)
                                : kg_xstrdup(kg_tr(eLang, "mail.support.account_none"));
  snprintf(zId, sizeof(zId), "%lld", (long long)m->id);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_trf(eLang, "mail.support.subject", "id", zId, "topic", m->zTopic, NULL);
  pOut->zBody = kg_trf(eLang, "mail.support.body", "id", zId, "time", zTime, "topic", m->zTopic,
                       "name", m->zName, "email", m->zEmail, "account", zAccount, "page", zPage,
                       "text", m->zBody, NULL);
  free(zAccount);
  free(zPage);
  free(zBase);
}

void kg_mail_compose_support_answer(enum kg_lang eLang, const char *zBaseUrl,
                                    const struct kg_mail_support_message *m, const char *zAnswer,
                                    struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zCreated[21], zId[24];
  kg_time_format(m->createdAt, zCreated);
  snprintf(zId, sizeof(zId), "%lld", (long long)m->id);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_trf(eLang, "mail.support_answer.subject", "id", zId, "topic",
                          m->zTopic ? m->zTopic : "", NULL);
  pOut->zBody = kg_trf(eLang, "mail.support_answer.body", "answer", zAnswer, "base", zBase, "id",
                       zId, "time", zCreated, "text", m->zBody ? m->zBody : "", NULL);
  free(zBase);
}

/* templates_account.c: the texts of the e-mails about a person's address
 * rather than a discussion — confirmation and password reset links, area
 * alerts and their confirmation, and the technical support's messages.
 * Pure functions of plain data (kengash/mail.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/mail.h"
#include "templates_int.h"

/* Longest alert or digest text. */
#define ALERT_MAX_BYTES (1024 * 1024)

/* ---- links with a token ---- */

void kg_mail_compose_email_confirm(const char *zBaseUrl, const char *zToken,
                                   struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xstrdup("Подтвердите электронную почту на портале общественных обсуждений");
  pOut->zBody = kg_xasprintf("Здравствуйте!\n\n"
                             "Подтвердите адрес электронной почты на портале общественных "
                             "обсуждений: перейдите по ссылке (она действует 7 дней и только "
                             "один раз):\n\n%s/confirm-email.html#token=%s\n\n"
                             "Без подтверждения вы можете участвовать в обсуждениях и получать "
                             "квитанции о своих предложениях, но не уведомления об "
                             "обсуждениях, за которыми следите.\n"
                             "Если вы не регистрировались, ничего не делайте.\n\n%s",
                             zBase, zToken, kg_mail_auto_line);
  free(zBase);
}

/* "1 час", "2 часа", "30 минут"...: the lifetime in plain Russian. */
static void ttl_words(int nSec, char *zOut, size_t nOut) {
  int n = nSec % 3600 == 0 ? nSec / 3600 : (nSec + 59) / 60;
  const char *const *az;
  static const char *const azHour[] = {"час", "часа", "часов"};
  static const char *const azMin[] = {"минуту", "минуты", "минут"};
  az = nSec % 3600 == 0 ? azHour : azMin;
  int n10 = n % 10, n100 = n % 100;
  const char *zWord = n10 == 1 && n100 != 11                             ? az[0]
                      : n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14) ? az[1]
                                                                         : az[2];
  snprintf(zOut, nOut, "%d %s", n, zWord);
}

void kg_mail_compose_password_reset(const char *zBaseUrl, const char *zToken, int nTtlSec,
                                    struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zTtl[40];
  ttl_words(nTtlSec, zTtl, sizeof(zTtl));
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xstrdup("Восстановление пароля на портале общественных обсуждений");
  pOut->zBody = kg_xasprintf(
      "Здравствуйте!\n"
      "\n"
      "Вы запросили восстановление пароля на портале общественных обсуждений.\n"
      "Чтобы задать новый пароль, перейдите по ссылке (она действует %s и только один раз):\n"
      "\n"
      "%s/reset.html#token=%s\n"
      "\n"
      "Если вы не запрашивали восстановление, ничего не делайте: пароль останется прежним.\n"
      "\n"
      "%s",
      zTtl, zBase, zToken, kg_mail_auto_line);
  free(zBase);
}

/* ---- area alerts ---- */

void kg_mail_compose_alert_confirm(const char *zBaseUrl, const char *zToken,
                                   struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xstrdup("Подтвердите подписку на оповещения об обсуждениях");
  pOut->zBody = kg_xasprintf(
      "Здравствуйте!\n"
      "\n"
      "На портале общественных обсуждений оформлена подписка этого адреса на\n"
      "оповещения об обсуждениях в выбранном районе. Чтобы получать письма,\n"
      "подтвердите подписку по ссылке (она действует 7 дней):\n"
      "\n"
      "%s/alerts.html#confirm=%s\n"
      "\n"
      "Если вы не подписывались, ничего не делайте: без подтверждения писем не будет.\n"
      "\n"
      "%s",
      zBase, zToken, kg_mail_auto_line);
  free(zBase);
}

static const char *alert_status_words(const char *zStatus) {
  if (strcmp(zStatus, "announced") == 0) return "объявлено обсуждение";
  if (strcmp(zStatus, "open") == 0) return "открыта экспозиция, принимаются предложения";
  if (strcmp(zStatus, "concluded") == 0) return "опубликовано заключение";
  return zStatus;
}

enum kg_err kg_mail_compose_alert(const char *zBaseUrl, const char *zToken,
                                  const struct kg_mail_alert_item *aItem, int nItem, int bDigest,
                                  struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  struct kg_buf b;
  memset(pOut, 0, sizeof(*pOut));
  kg_buf_init(&b, ALERT_MAX_BYTES);
  if (!bDigest)
    kg_buf_puts(&b, "Здравствуйте!\n\nВ районе, на который вы подписаны:\n\n");
  else
    kg_buf_puts(&b, "Здравствуйте!\n\nЗа неделю в районе, на который вы подписаны:\n\n");
  for (int i = 0; i < nItem; i++)
    kg_buf_printf(&b, "- %s: %s\n  %s/discussion.html?id=%lld\n\n", aItem[i].zTitle,
                  alert_status_words(aItem[i].zStatus), zBase, (long long)aItem[i].discussionId);
  kg_buf_printf(&b,
                "Изменить подписку: %s/alerts.html#manage=%s\n"
                "Отписаться: %s/alerts.html#unsubscribe=%s\n"
                "\n"
                "%s",
                zBase, zToken, zBase, zToken, kg_mail_auto_line);
  if (kg_buf_failed(&b)) {
    free(zBase);
    return KG_ETOOBIG;
  }
  if (!bDigest)
    pOut->zSubject = kg_xasprintf("%s: %s", aItem[0].zTitle, alert_status_words(aItem[0].zStatus));
  else
    pOut->zSubject = kg_xasprintf("Обсуждения в вашем районе за неделю: %d", nItem);
  pOut->zBody = kg_buf_detach(&b, NULL);
  pOut->zListUnsubscribe = kg_xasprintf("%s/api/v1/alerts/%s/unsubscribe", zBase, zToken);
  free(zBase);
  return KG_OK;
}

/* ---- technical support ---- */

void kg_mail_compose_support_message(const char *zBaseUrl, const struct kg_mail_support_message *m,
                                     struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zTime[21], zAccount[40];
  char *zPage = !m->zPageUrl            ? kg_xstrdup("не указана")
                : m->zPageUrl[0] == '/' ? kg_xasprintf("%s%s", zBase, m->zPageUrl)
                                        : kg_xstrdup(m->zPageUrl);
  kg_time_format(m->createdAt, zTime);
  if (m->accountId)
    snprintf(zAccount, sizeof(zAccount), "№%lld", (long long)m->accountId);
  else
    snprintf(zAccount, sizeof(zAccount), "нет (без входа)");
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xasprintf("Обращение в техподдержку №%lld: %s", (long long)m->id, m->zTopic);
  pOut->zBody = kg_xasprintf("Новое обращение в техническую поддержку портала общественных "
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
                             "отправителю на адрес %s.\n",
                             (long long)m->id, zTime, m->zTopic, m->zName, m->zEmail, zAccount,
                             zPage, m->zBody, m->zEmail);
  free(zPage);
  free(zBase);
}

void kg_mail_compose_support_answer(const char *zBaseUrl, const struct kg_mail_support_message *m,
                                    const char *zAnswer, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zCreated[21];
  kg_time_format(m->createdAt, zCreated);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject =
      kg_xasprintf("Ответ на обращение №%lld: %s", (long long)m->id, m->zTopic ? m->zTopic : "");
  pOut->zBody = kg_xasprintf(
      "Здравствуйте!\n\n%s\n\n-- \nТехническая поддержка портала общественных обсуждений, %s\n\n"
      "Ваше обращение №%lld от %s:\n\n%s\n",
      zAnswer, zBase, (long long)m->id, zCreated, m->zBody ? m->zBody : "");
  free(zBase);
}

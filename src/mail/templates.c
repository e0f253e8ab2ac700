/* templates.c: the texts of the e-mails about discussions and
 * participation — receipts, official answers, stage changes for
 * followers, moderation and appeal decisions, verification decisions and
 * the published conclusion. Pure functions of plain data (kengash/mail.h);
 * the api layer gathers the data and queues the result. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/mail.h"
#include "templates_int.h"

/* Longest verification text (the note is at most 1000 characters). */
#define VERIFICATION_MAX_BYTES (32 * 1024)

const char kg_mail_auto_line[] =
    "Это письмо отправлено автоматически, отвечать на него не нужно.\n";

char *kg_mail_base(const char *zBaseUrl) {
  const char *z = zBaseUrl ? zBaseUrl : "";
  size_t n = strlen(z);
  while (n && z[n - 1] == '/')
    n--;
  return kg_xstrndup(z, n);
}

static void wipe_free(char *z) {
  if (!z) return;
  sodium_memzero(z, strlen(z));
  free(z);
}

void kg_mail_text_clear(struct kg_mail_text *p) {
  wipe_free(p->zSubject);
  wipe_free(p->zBody);
  wipe_free(p->zListUnsubscribe);
  memset(p, 0, sizeof(*p));
}

static const char *or_empty(const char *z) {
  return z ? z : "";
}

static const char *kind_words(const char *zKind) {
  if (zKind && strcmp(zKind, "remark") == 0) return "замечание";
  if (zKind && strcmp(zKind, "question") == 0) return "вопрос";
  return "предложение";
}

static const char *basis_words(const char *zBasis) {
  if (zBasis && strcmp(zBasis, "rightholder") == 0)
    return "правообладатель земельного участка, здания или помещения на территории";
  return "постоянно проживающий на территории";
}

static const char *stage_words(const char *zStatus) {
  static const struct {
    const char *zName, *zWords;
  } a[] = {
      {"announced", "оповещение о начале общественных обсуждений"},
      {"open", "экспозиция открыта, принимаются предложения и замечания"},
      {"closed", "приём предложений окончен"},
      {"protocol", "подготовлен протокол общественных обсуждений"},
      {"concluded", "опубликовано заключение о результатах общественных обсуждений"},
      {"cancelled", "общественные обсуждения отменены"},
      {"draft", "черновик"},
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
    if (zStatus && strcmp(zStatus, a[i].zName) == 0) return a[i].zWords;
  return zStatus ? zStatus : "";
}

/* "2026-12-01 09:00 UTC" */
static void time_words(int64_t t, char zOut[32]) {
  char z[21];
  kg_time_format(t, z);
  snprintf(zOut, 32, "%.10s %.5s UTC", z, z + 11);
}

/* ---- entries and their followers ---- */

void kg_mail_compose_receipt(const char *zBaseUrl, const struct kg_mail_entry *e,
                             struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zAt[32];
  const char *zTitle = or_empty(e->zDiscussionTitle);
  time_words(e->createdAt, zAt);
  memset(pOut, 0, sizeof(*pOut));
  /* the number is in the text: subjects that name it are the status e-mails' */
  pOut->zSubject =
      kg_xasprintf("Квитанция: ваше обращение по обсуждению «%s» зарегистрировано", zTitle);
  pOut->zBody =
      kg_xasprintf("Здравствуйте!\n\n"
                   "Ваше %s по общественным обсуждениям «%s» зарегистрировано.\n\n"
                   "Регистрационный номер: %s\n"
                   "Время регистрации: %s\n"
                   "Основание участия: %s\n"
                   "Текст в том виде, в каком он записан:\n"
                   "----------\n%s\n----------\n\n"
                   "Проверить, что обращение записано полно и точно, и следить за его состоянием "
                   "можно на странице «Мои предложения»: %s/my-comments.html\n"
                   "Обсуждение: %s/discussion.html?id=%lld\n\n"
                   "После модерации мы сообщим, опубликовано обращение или отклонено.\n\n%s",
                   kind_words(e->zKind), zTitle, or_empty(e->zRegNo), zAt, basis_words(e->zBasis),
                   or_empty(e->zBody), zBase, zBase, (long long)e->discussionId, kg_mail_auto_line);
  free(zBase);
}

void kg_mail_compose_answer_author(const char *zBaseUrl, const struct kg_mail_entry *e,
                                   struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  const char *zTitle = or_empty(e->zDiscussionTitle);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xasprintf("Официальный ответ на ваше обращение по обсуждению «%s»", zTitle);
  pOut->zBody = kg_xasprintf("Здравствуйте!\n\n"
                             "Организатор общественных обсуждений «%s» официально ответил на "
                             "ваше обращение № %s:\n"
                             "----------\n%s\n----------\n\n"
                             "Ответ в обсуждении: %s/discussion.html?id=%lld\n"
                             "Все ваши предложения и их состояние: %s/my-comments.html\n\n%s",
                             zTitle, or_empty(e->zParentRegNo), or_empty(e->zBody), zBase,
                             (long long)e->discussionId, zBase, kg_mail_auto_line);
  free(zBase);
}

void kg_mail_compose_answer_followers(const char *zBaseUrl, const struct kg_mail_entry *e,
                                      struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  const char *zTitle = or_empty(e->zDiscussionTitle);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xasprintf("Обсуждение «%s»: официальный ответ", zTitle);
  pOut->zBody =
      kg_xasprintf("Здравствуйте!\n\n"
                   "В общественных обсуждениях «%s» опубликован официальный ответ "
                   "организатора%s%s:\n"
                   "----------\n%s\n----------\n\n"
                   "Обсуждение: %s/discussion.html?id=%lld\n",
                   zTitle, e->zParentRegNo ? " на обращение № " : "", or_empty(e->zParentRegNo),
                   or_empty(e->zBody), zBase, (long long)e->discussionId);
  free(zBase);
}

void kg_mail_compose_stage(const char *zBaseUrl, int64_t discussionId, const char *zTitle,
                           const char *zStatus, int64_t t, const char *zNote,
                           struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zAt[32];
  time_words(t, zAt);
  zTitle = or_empty(zTitle);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xasprintf("Обсуждение «%s»: %s", zTitle, stage_words(zStatus));
  pOut->zBody = kg_xasprintf("Здравствуйте!\n\n"
                             "Общественные обсуждения «%s» перешли на новый этап: %s (%s).\n"
                             "%s%s%s"
                             "\nОбсуждение: %s/discussion.html?id=%lld\n",
                             zTitle, stage_words(zStatus), zAt, zNote ? "Примечание: " : "",
                             or_empty(zNote), zNote ? "\n" : "", zBase, (long long)discussionId);
  free(zBase);
}

void kg_mail_compose_for_follower(const char *zBaseUrl, const struct kg_mail_text *pIn,
                                  int64_t discussionId, const char *zToken,
                                  struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xstrdup(or_empty(pIn->zSubject));
  pOut->zListUnsubscribe = kg_xasprintf("%s/unsubscribe/%s", zBase, zToken);
  pOut->zBody = kg_xasprintf("%s\n"
                             "Вы получили это письмо, потому что следите за обсуждением.\n"
                             "Отписаться одним нажатием: %s\n"
                             "Управлять подпиской: %s/discussion.html?id=%lld\n\n%s",
                             or_empty(pIn->zBody), pOut->zListUnsubscribe, zBase,
                             (long long)discussionId, kg_mail_auto_line);
  free(zBase);
}

/* ---- decisions ---- */

void kg_mail_compose_moderation(const char *zBaseUrl, int64_t discussionId, const char *zTitle,
                                const char *zRegNo, int bPublish, const char *zReason,
                                int nAppealDays, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  const char *zNo = or_empty(zRegNo);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xasprintf(
      bPublish ? "Ваше предложение %s опубликовано" : "Ваше предложение %s отклонено", zNo);
  /* the appeal button is on "my proposals" (api/appeals.c) */
  char *zAppeal = !bPublish && nAppealDays > 0
                      ? kg_xasprintf("\nРешение можно обжаловать в течение %d дн. на странице "
                                     "«Мои предложения» (кнопка «Обжаловать»).\n",
                                     nAppealDays)
                      : kg_xstrdup("");
  pOut->zBody = kg_xasprintf(
      "Здравствуйте!\n\n"
      "Ваше предложение (замечание) № %s по общественным обсуждениям «%s» %s.\n"
      "%s%s%s%s"
      "\nВсе ваши предложения и их состояние: %s/my-comments.html\n"
      "Обсуждение: %s/discussion.html?id=%lld\n\n"
      "Это письмо отправлено автоматически, отвечать на него не нужно.\n",
      zNo, or_empty(zTitle), bPublish ? "прошло модерацию и опубликовано" : "отклонено",
      zReason ? "Причина: " : "", or_empty(zReason), zReason ? "\n" : "", zAppeal, zBase, zBase,
      (long long)discussionId);
  free(zAppeal);
  free(zBase);
}

void kg_mail_compose_appeal_outcome(const char *zBaseUrl, const char *zRegNo, int bUphold,
                                    const char *zReason, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xasprintf(bUphold ? "Жалоба удовлетворена: предложение %s опубликовано"
                                        : "Жалоба отклонена: предложение %s",
                                or_empty(zRegNo));
  pOut->zBody = kg_xasprintf(
      "Здравствуйте!\n\n"
      "Ваша жалоба на отклонение предложения (замечания) № %s рассмотрена другим модератором.\n"
      "Решение: %s.\n"
      "Обоснование: %s\n"
      "\nВсе ваши предложения и их состояние: %s/my-comments.html\n\n"
      "Это письмо отправлено автоматически, отвечать на него не нужно.\n",
      or_empty(zRegNo),
      bUphold ? "жалоба удовлетворена, предложение опубликовано под прежним регистрационным номером"
              : "жалоба отклонена, предложение остаётся отклонённым",
      or_empty(zReason), zBase);
  free(zBase);
}

/* What to do after a refusal of a verification; every %s is the base URL.
 * Links end their lines, so no mail program takes punctuation for a part
 * of them. */
static const char zNextSteps[] =
    "Что можно сделать:\n"
    "— исправить адрес места жительства, и модератор проверит его снова: %s/residence.html\n"
    "— участвовать как правообладатель, если у вас есть земельный участок, здание или помещение "
    "на территории обсуждения: укажите его кадастровый номер на странице %s/properties.html\n";
/* The step through the state identity provider, when the site has one:
 * the sign-in button's text, then the base URL. */
static const char zProviderStep[] =
    "— войти через государственную учётную запись (кнопка «%s» на странице входа), и адрес "
    "регистрации и права на недвижимость, известные государству, подтвердятся без модератора: "
    "%s/login.html\n";

/* The first paragraph of a verification decision. */
static void verification_lead(struct kg_buf *b, const char *zCadastral, int bVerified) {
  if (bVerified && !zCadastral)
    kg_buf_puts(b, "Модератор портала общественных обсуждений подтвердил ваш адрес места "
                   "жительства. Теперь вы можете подавать предложения и замечания в "
                   "обсуждениях проектов, в границы которых входит этот адрес.\n");
  else if (bVerified)
    kg_buf_printf(b,
                  "Модератор портала общественных обсуждений подтвердил ваше право на объект "
                  "недвижимости с кадастровым номером %s. Теперь вы можете участвовать как "
                  "правообладатель в обсуждениях проектов, территория которых включает этот "
                  "объект.\n",
                  zCadastral);
  else if (!zCadastral)
    kg_buf_puts(b, "Модератор портала общественных обсуждений не подтвердил ваш адрес места "
                   "жительства, поэтому пока вы не можете участвовать в обсуждениях как "
                   "житель.\n");
  else
    kg_buf_printf(b,
                  "Модератор портала общественных обсуждений не подтвердил ваше право на объект "
                  "недвижимости с кадастровым номером %s, поэтому пока вы не можете участвовать "
                  "как его правообладатель.\n",
                  zCadastral);
}

enum kg_err kg_mail_compose_verification(const char *zBaseUrl, const char *zCadastral,
                                         int bVerified, const char *zNote, const char *zProvider,
                                         struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  struct kg_buf b;
  memset(pOut, 0, sizeof(*pOut));
  kg_buf_init(&b, VERIFICATION_MAX_BYTES);
  kg_buf_puts(&b, "Здравствуйте!\n\n");
  verification_lead(&b, zCadastral, bVerified);
  if (zNote && *zNote)
    kg_buf_printf(&b, "\n%s: %s\n", bVerified ? "Комментарий модератора" : "Причина", zNote);
  kg_buf_puts(&b, "\n");
  if (!bVerified) kg_buf_printf(&b, zNextSteps, zBase, zBase);
  if (!bVerified && zProvider) kg_buf_printf(&b, zProviderStep, zProvider, zBase);
  kg_buf_printf(&b, "%sВаш адрес и его состояние: %s/residence.html\n", bVerified ? "" : "\n",
                zBase);
  kg_buf_printf(&b, "Ваша недвижимость и её состояние: %s/properties.html\n", zBase);
  kg_buf_printf(&b,
                "\nЭто письмо отправлено автоматически, отвечать на него не нужно. Вопрос можно "
                "задать в технической поддержке: %s/support.html\n",
                zBase);
  free(zBase);
  if (kg_buf_failed(&b)) return KG_ETOOBIG;
  if (!zCadastral)
    pOut->zSubject = kg_xstrdup(bVerified ? "Ваш адрес места жительства подтверждён"
                                          : "Ваш адрес места жительства не подтверждён");
  else
    pOut->zSubject = kg_xasprintf(bVerified ? "Ваш объект недвижимости %s подтверждён"
                                            : "Ваш объект недвижимости %s не подтверждён",
                                  zCadastral);
  pOut->zBody = kg_buf_detach(&b, NULL);
  return KG_OK;
}

void kg_mail_compose_conclusion(const char *zBaseUrl, int64_t discussionId, const char *zTitle,
                                int nVersion, const char *zSha, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  long long id = (long long)discussionId;
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xasprintf(
      "Опубликовано заключение о результатах общественных обсуждений «%s»", or_empty(zTitle));
  pOut->zBody = kg_xasprintf(
      "Здравствуйте!\n\n"
      "Вы участвовали в общественных обсуждениях «%s». Организатор опубликовал заключение о "
      "результатах общественных обсуждений с рекомендациями по каждому предложению и "
      "замечанию.\n\n"
      "Заключение: %s/api/v1/discussions/%lld/conclusion.html\n"
      "PDF: %s/api/v1/discussions/%lld/conclusion.pdf\n"
      "Выписка ваших предложений: %s/api/v1/me/extract.pdf?discussion=%lld\n\n"
      "SHA-256 заключения (версия %d): %s\n\n"
      "Это письмо отправлено автоматически, отвечать на него не нужно.\n",
      or_empty(zTitle), zBase, id, zBase, id, zBase, id, nVersion, or_empty(zSha));
  free(zBase);
}

/* test_i18n.c: unit tests for src/core/i18n.c — language tags,
 * Accept-Language, lookup, plural forms, placeholders and dates; then
 * tests/unit/i18n_keys.py (every key used exists, every key is used, and
 * the embed script refuses bad tables). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/core.h"
#include "kengash/i18n.h"
#include "kengash/mail.h"

#include "test.h"

static void tags_parse_to_a_language_or_russian(void) {
  CHECK(kg_lang_parse("ru") == KG_LANG_RU);
  CHECK(kg_lang_parse("tt") == KG_LANG_TT);
  CHECK(kg_lang_parse("en") == KG_LANG_EN);
  CHECK(kg_lang_parse("tt-RU") == KG_LANG_TT);
  CHECK(kg_lang_parse("EN_gb") == KG_LANG_EN);
  CHECK(kg_lang_parse("fr") == KG_LANG_RU);
  CHECK(kg_lang_parse("ttx") == KG_LANG_RU);
  CHECK(kg_lang_parse("") == KG_LANG_RU);
  CHECK(kg_lang_parse(NULL) == KG_LANG_RU);
  CHECK(strcmp(kg_lang_tag(KG_LANG_TT), "tt") == 0);
  CHECK(strcmp(kg_lang_tag(KG_LANG_EN), "en") == 0);
  CHECK(strcmp(kg_lang_tag((enum kg_lang)7), "ru") == 0);
  enum kg_lang e = KG_LANG_RU;
  CHECK(kg_lang_from_tag("en", &e) && e == KG_LANG_EN);
  CHECK(!kg_lang_from_tag("EN", &e) && !kg_lang_from_tag("fr", &e) && !kg_lang_from_tag(NULL, &e));
}

static void accept_language_follows_q_values(void) {
  CHECK(kg_lang_negotiate(NULL) == KG_LANG_RU);
  CHECK(kg_lang_negotiate("") == KG_LANG_RU);
  CHECK(kg_lang_negotiate("de-DE, fr;q=0.9") == KG_LANG_RU);
  CHECK(kg_lang_negotiate("tt-RU,tt;q=0.9,ru;q=0.8") == KG_LANG_TT);
  CHECK(kg_lang_negotiate("en-US,en;q=0.9") == KG_LANG_EN);
  CHECK(kg_lang_negotiate("de, en;q=0.5, tt;q=0.7") == KG_LANG_TT);
  CHECK(kg_lang_negotiate("ru;q=0.5, en;q=0.5") == KG_LANG_RU); /* first of equals */
  CHECK(kg_lang_negotiate("en;q=0, tt;q=0.1") == KG_LANG_TT);
  CHECK(kg_lang_negotiate("en;q=0") == KG_LANG_RU);
  CHECK(kg_lang_negotiate("en;q=1.000") == KG_LANG_EN);
  CHECK(kg_lang_negotiate("en;q=7, tt") == KG_LANG_TT); /* malformed q skips the item */
  CHECK(kg_lang_negotiate("*") == KG_LANG_RU);
  /* only the first 32 items are read */
  char z[600] = "";
  for (int i = 0; i < 40; i++)
    strcat(z, "de,");
  strcat(z, "en");
  CHECK(kg_lang_negotiate(z) == KG_LANG_RU);
}

static void keys_look_up_per_language(void) {
  CHECK(strcmp(kg_tr(KG_LANG_RU, "mail.receipt.kind.remark"), "замечание") == 0);
  CHECK(strcmp(kg_tr(KG_LANG_EN, "mail.receipt.kind.remark"), "remark") == 0);
  CHECK(strcmp(kg_tr(KG_LANG_TT, "mail.receipt.kind.remark"), "искәрмәгез") == 0);
  /* an unknown key is itself, never NULL */
  CHECK(strcmp(kg_tr(KG_LANG_EN, "no.such.key"), "no.such.key") == 0);
  CHECK(strcmp(kg_tr(KG_LANG_EN, NULL), "") == 0);
  CHECK(strcmp(kg_tr((enum kg_lang)9, "mail.receipt.kind.remark"), "замечание") == 0);
}

static void placeholders_are_filled_once(void) {
  char *z = kg_tr_fill("{a} and {b}, {c}{a}", "a", "1", "b", "{a}", NULL);
  CHECK(strcmp(z, "1 and {a}, {c}1") == 0); /* values are not scanned again */
  free(z);
  z = kg_tr_fill("{x", "x", "1", NULL);
  CHECK(strcmp(z, "{x") == 0);
  free(z);
  z = kg_tr_fill("", NULL);
  CHECK(strcmp(z, "") == 0);
  free(z);
  z = kg_trf(KG_LANG_EN, "mail.ttl.hours.other", "n", "3", NULL);
  CHECK(strcmp(z, "3 hours") == 0);
  free(z);
}

static void russian_plurals_follow_cldr(void) {
  static const struct {
    int64_t n;
    const char *z;
  } a[] = {{1, "{n} час"},   {2, "{n} часа"},   {5, "{n} часов"},  {11, "{n} часов"},
           {21, "{n} час"},  {22, "{n} часа"},  {25, "{n} часов"}, {111, "{n} часов"},
           {0, "{n} часов"}, {12, "{n} часов"}, {104, "{n} часа"}, {-1, "{n} час"}};
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
    if (strcmp(kg_tr_plural(KG_LANG_RU, "mail.ttl.hours", a[i].n), a[i].z) != 0)
      FAIL("ru %lld: %s", (long long)a[i].n, kg_tr_plural(KG_LANG_RU, "mail.ttl.hours", a[i].n));
}

static void tatar_and_english_plurals(void) {
  CHECK(strcmp(kg_tr_plural(KG_LANG_TT, "mail.ttl.hours", 1), "{n} сәгать") == 0);
  CHECK(strcmp(kg_tr_plural(KG_LANG_TT, "mail.ttl.hours", 5), "{n} сәгать") == 0);
  CHECK(strcmp(kg_tr_plural(KG_LANG_EN, "mail.ttl.hours", 1), "{n} hour") == 0);
  CHECK(strcmp(kg_tr_plural(KG_LANG_EN, "mail.ttl.hours", 2), "{n} hours") == 0);
  CHECK(strcmp(kg_tr_plural(KG_LANG_EN, "mail.ttl.hours", 21), "{n} hours") == 0);
  CHECK(strcmp(kg_tr_plural(KG_LANG_EN, "mail.ttl.hours", 0), "{n} hours") == 0);
  CHECK(strcmp(kg_tr_plural(KG_LANG_EN, "no.such", 2), "no.such") == 0);
}

static void dates_have_month_names_in_moscow_time(void) {
  char z[KG_TR_DATE_MAX];
  /* 2026-12-05 12:00 UTC */
  int64_t t = 1796472000;
  CHECK(strcmp(kg_tr_date(KG_LANG_RU, t, z), "5 декабря 2026 г.") == 0);
  CHECK(strcmp(kg_tr_date(KG_LANG_TT, t, z), "5 декабрь, 2026 ел") == 0);
  CHECK(strcmp(kg_tr_date(KG_LANG_EN, t, z), "5 December 2026") == 0);
  /* 2026-12-31 22:30 UTC is 1 January in Moscow */
  t = 1798756200;
  CHECK(strcmp(kg_tr_date(KG_LANG_RU, t, z), "1 января 2027 г.") == 0);
  CHECK(strcmp(kg_tr_date(KG_LANG_TT, t, z), "1 гыйнвар, 2027 ел") == 0);
  CHECK(strcmp(kg_tr_date(KG_LANG_EN, t, z), "1 January 2027") == 0);
  /* 2026-03-05 00:00 UTC */
  CHECK(strcmp(kg_tr_date(KG_LANG_RU, 1772668800, z), "5 марта 2026 г.") == 0);
}

/* ---- every e-mail in every language ---- */

static void show(struct kg_buf *b, const char *zWhat, struct kg_mail_text *m) {
  kg_buf_printf(b, "=== %s\nS: %s\nU: %s\n%s\n", zWhat, m->zSubject,
                m->zListUnsubscribe ? m->zListUnsubscribe : "-", m->zBody);
  kg_mail_text_clear(m);
}

static void entry_mails(struct kg_buf *b, enum kg_lang L, const char *B) {
  static const char *const azKind[] = {"proposal", "remark", "question"};
  struct kg_mail_text m, f;
  for (int k = 0; k < 3; k++) {
    struct kg_mail_entry e = {7,
                              1796472000,
                              "Сквер на Баумана",
                              azKind[k],
                              "ОО-7-12",
                              k == 1 ? "rightholder" : "resident",
                              "Текст\nвторой",
                              k == 2 ? "ОО-7-3" : NULL};
    kg_mail_compose_receipt(L, B, &e, &m);
    show(b, "receipt", &m);
    kg_mail_compose_answer_author(L, B, &e, &m);
    show(b, "answer_author", &m);
    kg_mail_compose_answer_followers(L, B, &e, &m);
    kg_mail_compose_for_follower(L, B, &m, 7, "TOKEN", &f);
    kg_mail_text_clear(&m);
    show(b, "answer_followers+follower", &f);
  }
  static const char *const azStage[] = {"announced", "open",  "closed", "protocol", "concluded",
                                        "cancelled", "draft", "weird",  NULL};
  for (int i = 0; i < 9; i++) {
    kg_mail_compose_stage(L, B, 7, "Т", azStage[i], 1796472000, i % 2 ? "примечание" : NULL, &m);
    show(b, "stage", &m);
  }
  static const int aDays[] = {0, 1, 14};
  for (int p = 0; p < 2; p++)
    for (int d = 0; d < 3; d++) {
      kg_mail_compose_moderation(L, B, 7, "Т", "ОО-1", p, d ? "причина" : NULL, aDays[d], &m);
      show(b, "moderation", &m);
    }
  kg_mail_compose_appeal_outcome(L, B, "ОО-1", 1, "обоснование", &m);
  show(b, "appeal1", &m);
  kg_mail_compose_appeal_outcome(L, B, "ОО-1", 0, NULL, &m);
  show(b, "appeal0", &m);
  for (int i = 0; i < 16; i++) {
    kg_mail_compose_verification(L, B, i & 8 ? "16:50:1:2" : NULL, i & 4, i & 2 ? "заметка" : NULL,
                                 i & 1 ? "Госуслуги" : NULL, &m);
    show(b, "verification", &m);
  }
  kg_mail_compose_conclusion(L, B, 7, "Т", 2, "abcdef", &m);
  show(b, "conclusion", &m);
}

static void account_mails(struct kg_buf *b, enum kg_lang L, const char *B) {
  struct kg_mail_text m;
  kg_mail_compose_email_confirm(L, B, "TOK", &m);
  show(b, "email_confirm", &m);
  static const int aTtl[] = {3600, 7200, 5 * 3600, 21 * 3600, 60, 120, 300, 1800, 90, 11 * 3600};
  for (int i = 0; i < 10; i++) {
    kg_mail_compose_password_reset(L, B, "TOK", aTtl[i], &m);
    show(b, "reset", &m);
  }
  kg_mail_compose_alert_confirm(L, B, "TOK", &m);
  show(b, "alert_confirm", &m);
  struct kg_mail_alert_item aIt[] = {
      {1, "А", "announced"}, {2, "Б", "open"}, {3, "В", "concluded"}, {4, "Г", "other"}};
  kg_mail_compose_alert(L, B, "TOK", aIt, 1, 0, &m);
  show(b, "alert", &m);
  kg_mail_compose_alert(L, B, "TOK", aIt, 4, 1, &m);
  show(b, "digest", &m);
  struct kg_mail_support_message s1 = {5, 1796472000, 0, "Имя", "a@b.c", "Тема", "Тело", NULL};
  struct kg_mail_support_message s2 = {5, 1796472000, 9, "Имя", "a@b.c", "Тема", "Тело", "/x.html"};
  struct kg_mail_support_message s3 = {5,       1796472000, 9,      "Имя",
                                       "a@b.c", "Тема",     "Тело", "https://y/z"};
  kg_mail_compose_support_message(L, B, &s1, &m);
  show(b, "support1", &m);
  kg_mail_compose_support_message(L, B, &s2, &m);
  show(b, "support2", &m);
  kg_mail_compose_support_message(L, B, &s3, &m);
  show(b, "support3", &m);
  kg_mail_compose_support_answer(L, B, &s2, "Ответ", &m);
  show(b, "answer", &m);
}

/* Every e-mail text in eLang over a spread of inputs (heap). */
static char *all_mails(enum kg_lang eLang) {
  struct kg_buf b;
  kg_buf_init(&b, 1 << 22);
  entry_mails(&b, eLang, "https://k.example/");
  account_mails(&b, eLang, "https://k.example/");
  return kg_buf_detach(&b, NULL);
}

/* Russian e-mails are byte for byte those before the string tables
 * (tests/unit/mail_ru.golden was written by the templates of then). After
 * a deliberate change of a Russian text, KG_WRITE_GOLDEN=1 rewrites the
 * file (review its diff). */
static void russian_mails_are_unchanged(void) {
  const char *zSrc = getenv("KENGASH_SRC");
  REQUIRE(zSrc);
  char *zPath = kg_xasprintf("%s/tests/unit/mail_ru.golden", zSrc);
  if (getenv("KG_WRITE_GOLDEN")) {
    char *zAll = all_mails(KG_LANG_RU);
    FILE *w = fopen(zPath, "wb");
    CHECK(w && fputs(zAll, w) >= 0 && fclose(w) == 0);
    free(zAll);
  }
  FILE *f = fopen(zPath, "rb");
  free(zPath);
  REQUIRE(f);
  struct kg_buf want;
  kg_buf_init(&want, 1 << 22);
  char a[4096];
  size_t n;
  while ((n = fread(a, 1, sizeof(a), f)) > 0)
    kg_buf_append(&want, a, n);
  fclose(f);
  char *zGot = all_mails(KG_LANG_RU);
  CHECK(want.a && strcmp(zGot, want.a) == 0);
  free(zGot);
  kg_buf_free(&want);
}

/* In Tatar and English no placeholder is left unfilled, no key shows
 * raw, and the fixed texts have no Russian words of the Russian mails. */
static void tatar_and_english_mails_are_filled(void) {
  for (enum kg_lang e = KG_LANG_TT; e <= KG_LANG_EN; e++) {
    char *z = all_mails(e);
    CHECK(!strstr(z, "{") && !strstr(z, "}"));
    CHECK(!strstr(z, " mail.") && !strstr(z, "\nmail."));
    static const char *const azRu[] = {
        "Здравствуйте", "зарегистрировано", "Обсуждение:", "Это письмо", "подписку", "Причина"};
    for (size_t i = 0; i < sizeof(azRu) / sizeof(azRu[0]); i++)
      if (strstr(z, azRu[i])) FAIL("%s: %s", kg_lang_tag(e), azRu[i]);
    free(z);
  }
}

/* tests/unit/i18n_keys.py: used keys exist, every key is used, the embed
 * script refuses missing keys, differing placeholders and markup. */
static void every_key_is_used_and_every_used_key_exists(void) {
  const char *zSrc = getenv("KENGASH_SRC");
  REQUIRE(zSrc);
  char *zCmd = kg_xasprintf("/usr/bin/env python3 '%s/tests/unit/i18n_keys.py' '%s'", zSrc, zSrc);
  CHECK(system(zCmd) == 0);
  free(zCmd);
}

int main(void) {
  harness_begin();
  RUN(tags_parse_to_a_language_or_russian);
  RUN(accept_language_follows_q_values);
  RUN(keys_look_up_per_language);
  RUN(placeholders_are_filled_once);
  RUN(russian_plurals_follow_cldr);
  RUN(tatar_and_english_plurals);
  RUN(dates_have_month_names_in_moscow_time);
  RUN(russian_mails_are_unchanged);
  RUN(tatar_and_english_mails_are_filled);
  RUN(every_key_is_used_and_every_used_key_exists);
  return harness_end();
}

/* i18n.c: language tags, Accept-Language, and the lookup of the server's
 * texts in the table src/core/embed_strings.py generates (see
 * kengash/i18n.h). */
#define _GNU_SOURCE
#include "kengash/i18n.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kengash/core.h"

/* The generated table (strings.c), sorted by key in byte order. */
struct kg_i18n_entry {
  const char *zKey;
  const char *az[KG_LANG_COUNT]; /* ru, tt, en; NULL: a plural form the language has not */
};
extern const struct kg_i18n_entry kg_i18n_aEntry[];
extern const int kg_i18n_nEntry;

static const char *const azTag[KG_LANG_COUNT] = {"ru", "tt", "en"};

/* Moscow time has been UTC+3 all year since 2014. */
#define MOSCOW_OFFSET_SEC (3 * 3600)
#define ACCEPT_LANGUAGE_MAX 1024
#define ACCEPT_LANGUAGE_ITEMS 32
/* Longest filled text (a digest of alerts may be long). */
#define FILL_MAX (4 * 1024 * 1024)

const char *kg_lang_tag(enum kg_lang eLang) {
  return (unsigned)eLang < KG_LANG_COUNT ? azTag[eLang] : azTag[KG_LANG_RU];
}

/* The language of the primary subtag z[0..n) (any case); -1 if none. */
static int primary_lang(const char *z, size_t n) {
  size_t k = 0;
  while (k < n && isalpha((unsigned char)z[k]))
    k++;
  if (k != 2 || (k < n && z[k] != '-' && z[k] != '_')) return -1;
  for (int i = 0; i < KG_LANG_COUNT; i++)
    if (tolower((unsigned char)z[0]) == azTag[i][0] && tolower((unsigned char)z[1]) == azTag[i][1])
      return i;
  return -1;
}

enum kg_lang kg_lang_parse(const char *zTag) {
  int i = zTag ? primary_lang(zTag, strlen(zTag)) : -1;
  return i < 0 ? KG_LANG_RU : (enum kg_lang)i;
}

int kg_lang_from_tag(const char *zTag, enum kg_lang *pLang) {
  for (int i = 0; zTag && i < KG_LANG_COUNT; i++)
    if (strcmp(zTag, azTag[i]) == 0) {
      *pLang = (enum kg_lang)i;
      return 1;
    }
  return 0;
}

/* The q-value in thousandths of the parameters z[0..n) of one item
 * (";q=0.8"); 1000 when none, -1 when malformed. */
static int item_q(const char *z, size_t n) {
  const char *zEnd = z + n;
  while (z < zEnd) {
    while (z < zEnd && (*z == ';' || *z == ' ' || *z == '\t'))
      z++;
    if (zEnd - z >= 2 && (z[0] == 'q' || z[0] == 'Q') && z[1] == '=') {
      z += 2;
      if (z >= zEnd || (*z != '0' && *z != '1')) return -1;
      int q = (*z++ - '0') * 1000, nScale = 100;
      if (z < zEnd && *z == '.')
        for (z++; z < zEnd && isdigit((unsigned char)*z) && nScale; z++, nScale /= 10)
          q += (*z - '0') * nScale;
      return q > 1000 ? -1 : q;
    }
    while (z < zEnd && *z != ';')
      z++;
  }
  return 1000;
}

enum kg_lang kg_lang_negotiate(const char *zAcceptLanguage) {
  int iBest = KG_LANG_RU, qBest = 0;
  if (!zAcceptLanguage) return KG_LANG_RU;
  const char *z = zAcceptLanguage;
  size_t nAll = strnlen(z, ACCEPT_LANGUAGE_MAX);
  const char *zEnd = z + nAll;
  for (int nItem = 0; z < zEnd && nItem < ACCEPT_LANGUAGE_ITEMS; nItem++) {
    while (z < zEnd && (*z == ' ' || *z == '\t' || *z == ','))
      z++;
    const char *zItem = z;
    while (z < zEnd && *z != ',')
      z++;
    size_t nItemLen = (size_t)(z - zItem), nTag = 0;
    while (nTag < nItemLen && zItem[nTag] != ';' && zItem[nTag] != ' ')
      nTag++;
    int iLang = primary_lang(zItem, nTag);
    int q = item_q(zItem + nTag, nItemLen - nTag);
    if (iLang >= 0 && q > qBest) {
      iBest = iLang;
      qBest = q;
    }
  }
  return (enum kg_lang)iBest;
}

static const struct kg_i18n_entry *find(const char *zKey) {
  int lo = 0, hi = kg_i18n_nEntry - 1;
  while (zKey && lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    int c = strcmp(zKey, kg_i18n_aEntry[mid].zKey);
    if (c == 0) return &kg_i18n_aEntry[mid];
    if (c < 0)
      hi = mid - 1;
    else
      lo = mid + 1;
  }
  return NULL;
}

const char *kg_tr(enum kg_lang eLang, const char *zKey) {
  const struct kg_i18n_entry *e = find(zKey);
  const char *z = e ? e->az[(unsigned)eLang < KG_LANG_COUNT ? eLang : KG_LANG_RU] : NULL;
  return z ? z : zKey ? zKey : "";
}

/* CLDR's plural category of the integer n: "one", "few", "many" or "other". */
static const char *plural_form(enum kg_lang eLang, int64_t n) {
  uint64_t a = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
  if (eLang == KG_LANG_EN) return a == 1 ? "one" : "other";
  if (eLang == KG_LANG_TT) return "other";
  uint64_t n10 = a % 10, n100 = a % 100;
  if (n10 == 1 && n100 != 11) return "one";
  if (n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14)) return "few";
  return "many";
}

const char *kg_tr_plural(enum kg_lang eLang, const char *zKey, int64_t n) {
  char zFull[200];
  if (!zKey) return "";
  snprintf(zFull, sizeof(zFull), "%s.%s", zKey, plural_form(eLang, n));
  const char *z = kg_tr(eLang, zFull);
  if (z != zFull) return z;
  snprintf(zFull, sizeof(zFull), "%s.other", zKey);
  z = kg_tr(eLang, zFull);
  return z != zFull ? z : zKey;
}

/* The value of placeholder z[0..n) among the pairs of ap; NULL when none. */
static const char *pair_value(const char *z, size_t n, va_list ap) {
  va_list aq;
  const char *zName, *zValue = NULL;
  int bFound = 0;
  va_copy(aq, ap);
  while (!bFound && (zName = va_arg(aq, const char *)) != NULL) {
    zValue = va_arg(aq, const char *);
    bFound = strlen(zName) == n && memcmp(zName, z, n) == 0;
  }
  va_end(aq);
  return bFound ? (zValue ? zValue : "") : NULL;
}

static char *fill_v(const char *zText, va_list ap) {
  struct kg_buf b;
  kg_buf_init(&b, FILL_MAX);
  for (const char *z = zText ? zText : ""; *z;) {
    const char *zClose = *z == '{' ? strchr(z, '}') : NULL;
    const char *zValue = zClose ? pair_value(z + 1, (size_t)(zClose - z - 1), ap) : NULL;
    if (zValue) {
      kg_buf_puts(&b, zValue);
      z = zClose + 1;
    } else {
      kg_buf_append(&b, z, 1);
      z++;
    }
  }
  char *zOut = kg_buf_failed(&b) ? NULL : kg_buf_detach(&b, NULL);
  kg_buf_free(&b);
  return zOut ? zOut : kg_xstrdup("");
}

char *kg_tr_fill(const char *zText, ...) {
  va_list ap;
  va_start(ap, zText);
  char *z = fill_v(zText, ap);
  va_end(ap);
  return z;
}

char *kg_trf(enum kg_lang eLang, const char *zKey, ...) {
  va_list ap;
  va_start(ap, zKey);
  char *z = fill_v(kg_tr(eLang, zKey), ap);
  va_end(ap);
  return z;
}

char *kg_tr_date(enum kg_lang eLang, int64_t t, char zOut[KG_TR_DATE_MAX]) {
  time_t tt = (time_t)(t + MOSCOW_OFFSET_SEC);
  struct tm tm;
  char zDay[8], zYear[16], zMonth[48];
  gmtime_r(&tt, &tm);
  /* date.months: the twelve names, comma-separated, in the form a date takes */
  const char *zMonths = kg_tr(eLang, "date.months");
  for (int i = 0; i < tm.tm_mon && zMonths; i++) {
    zMonths = strchr(zMonths, ',');
    if (zMonths) zMonths++;
  }
  size_t nMonth = zMonths ? strcspn(zMonths, ",") : 0;
  snprintf(zMonth, sizeof(zMonth), "%.*s", (int)nMonth, zMonths ? zMonths : "");
  snprintf(zDay, sizeof(zDay), "%d", tm.tm_mday);
  snprintf(zYear, sizeof(zYear), "%d", tm.tm_year + 1900);
  char *z = kg_trf(eLang, "date.format", "day", zDay, "month", zMonth, "year", zYear, NULL);
  snprintf(zOut, KG_TR_DATE_MAX, "%s", z);
  free(z);
  return zOut;
}

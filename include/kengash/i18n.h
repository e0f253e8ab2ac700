/* i18n.h: the server's texts in Russian, Tatar and English (issue 20).
 * One source of strings per language: src/core/lang/<lang>/<domain>.txt,
 * lines `key = text` with {name} placeholders, embedded at build time by
 * src/core/embed_strings.py into a sorted table; the build fails when a
 * key is missing in a language, placeholders differ between languages or
 * a text has markup. Texts are plain UTF-8: whoever outputs HTML escapes
 * them. tests/unit/i18n_keys.py checks that every key the code uses exists
 * and every key is used (dynamic keys: a comment "i18n-prefix: a.b." in
 * the file that builds them declares the prefix).
 *
 * Plural forms are keys "<key>.one", ".few", ".many", ".other" with the
 * forms of CLDR's rule for each language (ru: one few many other; tt:
 * other; en: one other); kg_tr_plural picks one. */
#ifndef KENGASH_I18N_H
#define KENGASH_I18N_H

#include <stdint.h>

enum kg_lang { KG_LANG_RU, KG_LANG_TT, KG_LANG_EN };
#define KG_LANG_COUNT 3

/* "ru", "tt", "en", "tt-RU", "EN_gb"...: the language of a tag's primary
 * subtag (any case); anything else (NULL too) is KG_LANG_RU. */
enum kg_lang kg_lang_parse(const char *zTag);
/* 1 and *pLang when zTag is exactly "ru", "tt" or "en" (an account's
 * language as the API takes it); 0 otherwise. */
int kg_lang_from_tag(const char *zTag, enum kg_lang *pLang /* OUT */);
/* "ru", "tt" or "en" (an out of range value gives "ru"). */
const char *kg_lang_tag(enum kg_lang eLang);
/* The supported language an Accept-Language header (RFC 9110) prefers:
 * the highest q-value, the first of equals; q=0 and unsupported tags are
 * skipped; NULL, empty or nothing supported gives KG_LANG_RU. Only the
 * first 1024 bytes and 32 items are read. */
enum kg_lang kg_lang_negotiate(const char *zAcceptLanguage);

/* The text of zKey in eLang; never NULL: an unknown key gives zKey itself
 * (the unit test proves no key the code uses is unknown). */
const char *kg_tr(enum kg_lang eLang, const char *zKey);
/* The plural form of zKey for the count n in eLang ("<zKey>.few"...). */
const char *kg_tr_plural(enum kg_lang eLang, const char *zKey, int64_t n);
/* zText with its {name} placeholders replaced: the variadic arguments are
 * name, value pairs ending with NULL (value NULL counts as ""); a
 * placeholder without a pair stays as it is. Heap (free()). */
char *kg_tr_fill(const char *zText, ...) __attribute__((sentinel));
/* kg_tr_fill(kg_tr(eLang, zKey), ...). */
char *kg_trf(enum kg_lang eLang, const char *zKey, ...) __attribute__((sentinel));

/* Room kg_tr_date needs. */
#define KG_TR_DATE_MAX 64
/* The date of t in Moscow time (UTC+3, the time the site's discussions
 * run on) with the month's name in eLang: "5 декабря 2026 г.",
 * "5 декабрь, 2026 ел", "5 December 2026". Returns zOut. */
char *kg_tr_date(enum kg_lang eLang, int64_t t, char zOut[KG_TR_DATE_MAX]);

#endif

/* templates_int.h: what the two template files of src/mail/ share
 * (internal to src/mail/). */
#ifndef KENGASH_MAIL_TEMPLATES_INT_H
#define KENGASH_MAIL_TEMPLATES_INT_H

#include "kengash/i18n.h"

/* zBaseUrl (NULL as "") without its trailing slashes (heap, free()). */
char *kg_mail_base(const char *zBaseUrl);

/* The text of key zPrefix + zName in eLang (a stage's or status's name);
 * zName itself when there is no such key, "" when zName is NULL. The
 * caller declares the prefix for tests/unit/i18n_keys.py. */
const char *kg_mail_tr_name(enum kg_lang eLang, const char *zPrefix, const char *zName);

#endif

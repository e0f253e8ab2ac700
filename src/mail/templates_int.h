/* templates_int.h: what the two template files of src/mail/ share
 * (internal to src/mail/). */
#ifndef KENGASH_MAIL_TEMPLATES_INT_H
#define KENGASH_MAIL_TEMPLATES_INT_H

/* The last line of every automatic e-mail. */
extern const char kg_mail_auto_line[];

/* zBaseUrl (NULL as "") without its trailing slashes (heap, free()). */
char *kg_mail_base(const char *zBaseUrl);

#endif

/* store_modlog.h: the moderation log (written by reference.c, listed by
 * comments.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_MODLOG_H
#define KENGASH_STORE_MODLOG_H

/* ---- moderation log ---- */
enum kg_err kg_store_modlog_insert(struct kg_store *p, int64_t actorId, const char *zAction,
                                   const char *zTargetType, int64_t targetId, const char *zReason,
                                   int64_t tNow);

struct kg_modlog_entry {
  int64_t id;
  int64_t actorId;
  const char *zActorName; /* the moderator's full name; NULL when deleted */
  const char *zAction;
  const char *zTargetType;
  int64_t targetId;
  const char *zReason;
  int64_t at;
};
/* The moderation log newest first: entries with id < beforeId (0: from the
 * newest), at most nLimit. */
enum kg_err kg_store_modlog_list(struct kg_store *p, int64_t beforeId, int nLimit,
                                 int (*xRow)(void *pArg, const struct kg_modlog_entry *),
                                 void *pArg);

#endif

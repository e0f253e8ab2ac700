/* demo_int.h: the story of `kengash demo` (internal to src/cli/): a
 * deterministic generator of Russian texts and people (demo_text.c) and
 * the round it tells through the store calls the API uses — residents and
 * right holders, proposals and remarks with their places, moderation,
 * threads, supports, official answers, paper entries, the conclusion's
 * recommendations and findings, support messages (demo_story.c). */
#ifndef KENGASH_DEMO_INT_H
#define KENGASH_DEMO_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "kengash/store.h"

/* ---- deterministic randomness (splitmix64, as bench/ uses) ---- */
struct demo_rng {
  uint64_t s;
};
void demo_rng_seed(struct demo_rng *r, uint64_t seed);
/* A number in 0..n-1 (n >= 1). */
int demo_rng_below(struct demo_rng *r, int n);

/* ---- texts and people (demo_text.c) ---- */

/* Participant number i (from 0): full name surname first, as in the
 * passport ("Нуриев Марат Ильдарович"), and the birth date YYYY-MM-DD. */
void demo_person(int i, char *zFullName /* OUT */, size_t nFullName, char zBirth[11] /* OUT */);
/* The body of a proposal, remark or question (zKind); bPage adds a
 * reference to the explanatory note's page 1. Heap string (free()). */
char *demo_text_comment(struct demo_rng *r, const char *zKind, int bPage);
/* A participant's reply in a thread. Static string. */
const char *demo_text_reply(struct demo_rng *r);
/* The organizer's official answer to a comment of kind zKind. Static. */
const char *demo_text_answer(struct demo_rng *r, const char *zKind);
/* The reasoning of a recommendation: bTake 1 "take into account", 0
 * "reject". Static. */
const char *demo_text_reasoning(struct demo_rng *r, int bTake);
/* The conclusion's findings. Heap string (free()). */
char *demo_text_findings(const char *zTitle, int nEntries, int nParticipants, int nTaken);

/* ---- the story (demo_story.c) ---- */

struct demo_ctx {
  struct kg_store *pStore;
  const char *zBaseUrl;   /* the documents' links */
  const char *zHash;      /* every demo account's password hash */
  json_t *pAddresses;     /* the address registry file (borrowed) */
  json_t *pParcels;       /* the parcels file (borrowed) */
  int64_t idModerator;    /* who moderates, answers and issues */
  const char *zModerator; /* the moderator's full name */
  int64_t tNow;
  int nPeople; /* participants' accounts made so far */
  struct demo_rng rng;
};
#define DEMO_PARTICIPANT_EMAIL "participant%02d@kengash.local"

/* The exposition of open discussion id: its participants (residents at
 * the register's addresses and right holders of parcels inside the
 * territory, all verified, each checked eligible), their proposals,
 * remarks and questions dated between tFrom and tTo, moderated (one
 * rejected with its reason; the last left pending when bPending), with
 * places, document pages, threads, supports, official answers and paper
 * entries. idDoc is the project's document. Returns 1, or 0 after a
 * message. */
int demo_story_exposition(struct demo_ctx *c, int64_t id, int64_t idDoc, int64_t tFrom, int64_t tTo,
                          int bPending);
/* The conclusion's draft of discussion id (in protocol): a recommendation
 * on every registered comment and the findings, dated from tFrom to tTo. */
int demo_story_conclusion(struct demo_ctx *c, int64_t id, int64_t tFrom, int64_t tTo);
/* Residents and right holders waiting for verification, and messages in
 * the support inbox. */
int demo_story_extras(struct demo_ctx *c, int64_t idCentral);

#endif

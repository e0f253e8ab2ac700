/* submit_int.h: private to src/store/. What the submission of a comment
 * (comment_submit.c) shares with comments.c (author's changes),
 * participants.c (the eligibility facts it confirms at commit) and
 * bench_support.c (registration numbers for generated comments). */
#ifndef KENGASH_SUBMIT_INT_H
#define KENGASH_SUBMIT_INT_H

#include "store_int.h"

/* What an online proposal's eligibility rests on: its basis (the
 * qualifying property's id for a rightholder) and the account's
 * eligibility version it was computed under (struct kg_elig_versions),
 * which the writer confirms at commit. */
struct kg_elig_fact {
  enum kg_basis basis; /* KG_BASIS_NONE: nothing qualifies */
  int64_t propertyId;
  int64_t version;
};
void kg_elig_fact_clear(struct kg_elig_fact *pFact);
/* The fact of eligibility answer e (basis KG_BASIS_NONE unless eligible). */
void kg_elig_fact_of(const struct kg_eligibility *e, struct kg_elig_fact *pFact /* OUT */);

/* kg_store_eligibility that also fills *pFact (may be NULL). */
enum kg_err kg_store_eligibility_fact(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                      struct kg_eligibility *pOut /* OUT */,
                                      struct kg_elig_fact *pFact /* OUT */);
/* One lookup by key: KG_OK while the fact still holds (accountId's
 * eligibility version is unchanged: any change of its residence,
 * properties or attestation, a revocation included, bumps it), else
 * KG_ENOTFOUND. */
enum kg_err kg_store_elig_fact_holds(struct kg_store *p, int64_t accountId,
                                     const struct kg_elig_fact *pFact);

/* Whether discussion discussionId accepts a comment now, read inside the
 * caller's transaction: KG_OK, KG_ECONFLICT (kg_comment_accepting says no)
 * or KG_ENOTFOUND. */
enum kg_err kg_store_comment_accepts(struct kg_store *p, int64_t discussionId, int bOfficial);

/* Numbers the next comment of discussion discussionId, inside the
 * caller's transaction (so numbers are unique and without gaps): its
 * sequence number into *pSeq and its registration number ("D-<id>/0042")
 * into zRegNo. */
enum kg_err kg_store_comment_number(struct kg_store *p, int64_t discussionId,
                                    int64_t *pSeq /* OUT */, char zRegNo[KG_REGNO_SIZE] /* OUT */);

#endif

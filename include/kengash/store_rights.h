/* store_rights.h: the rights register (rights.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_RIGHTS_H
#define KENGASH_STORE_RIGHTS_H

/* ---- the rights register (rights.c) ----
 * Who holds which land plot or building, by cadastral number and the
 * holder identifier's keyed hash (kg_auth_holder_hash; the identifier is
 * never stored). Loaded whole by `kengash import --layer rights`. */

#define KG_STORE_HOLDER_HASH_BYTES 32

/* Empties the register and records a new load at tNow, hashed with the key
 * whose check value (kg_auth_holder_key_check) is aKeyCheck. Call inside
 * the transaction that inserts the new rows. Properties verified from the
 * old register stay verified. */
enum kg_err kg_store_rights_reset(struct kg_store *p,
                                  const unsigned char aKeyCheck[KG_STORE_HOLDER_HASH_BYTES],
                                  int64_t tNow);
/* Adds one (cadastral number, holder) pair; *pbAdded (may be NULL) is 0
 * when the pair was there already (a repeated row). */
enum kg_err kg_store_rights_insert(struct kg_store *p, const char *zCadastral,
                                   const unsigned char aHolderHash[KG_STORE_HOLDER_HASH_BYTES],
                                   int64_t tNow, int *pbAdded /* OUT, may be NULL */);
/* The last load: its key check, when, rows, and rows whose cadastral
 * number is not in the parcels layer (they verify nothing until it is).
 * KG_ENOTFOUND when no register was ever loaded. */
struct kg_rights_info {
  unsigned char aKeyCheck[KG_STORE_HOLDER_HASH_BYTES];
  int64_t loadedAt;
  int64_t nRows;
  int64_t nNoParcel;
};
enum kg_err kg_store_rights_info(struct kg_store *p, struct kg_rights_info *pOut /* OUT */);
/* Verifies accountId's properties from the register: for every cadastral
 * number registered to aHolderHash that has a parcel in the parcels layer,
 * the account's property with that number is inserted, or updated, as
 * verified (verified_by "register", verified_at tNow, no verifier), with
 * the parcel's geometry (source "registry"); an earlier refusal is
 * cleared, since the register is the authority on rights. A property
 * already verified that way is not written again. *pnVerified (may be
 * NULL) gets how many of the account's properties the register verifies
 * (0 when the holder is not in it). Runs in the caller's transaction when
 * there is one (as a savepoint), else in its own; tNow 0 means now.
 * Numbers the register has but the parcels layer lacks are skipped. */
enum kg_err kg_store_rights_verify_holder(struct kg_store *p, int64_t accountId,
                                          const unsigned char aHolderHash[32], int64_t tNow,
                                          int *pnVerified /* OUT */);

#endif

/* rights.c: the rights register (migration 0011) — an extract of who holds
 * which land plot or building, keyed by the holder identifier's keyed hash
 * (never the identifier) — and verifying an account's properties from it.
 * Loaded by `kengash import --layer rights`; read at sign-in through an
 * identity provider that attests a holder identifier. */
#include "store_int.h"

#include <string.h>

enum kg_err kg_store_rights_reset(struct kg_store *p,
                                  const unsigned char aKeyCheck[KG_STORE_HOLDER_HASH_BYTES],
                                  int64_t tNow) {
  struct kg_db_stmt *s = NULL;
  struct kg_store_tx tx = {0, 0};
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) goto out;
  if ((rc = kg_store_sql_prepare(p, "DELETE FROM rights_register", &s)) != KG_OK ||
      (rc = kg_store_sql_run(p, s, "rights reset")) != KG_OK)
    goto out;
  /* an upsert rather than INSERT OR REPLACE: one text for both engines
   * (nothing refers to the row, so replacing it was no different) */
  rc = kg_store_sql_prepare(p,
                            "INSERT INTO rights_register_load (id, key_check, loaded_at) "
                            "VALUES (1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET "
                            "key_check = excluded.key_check, loaded_at = excluded.loaded_at",
                            &s);
  if (rc) goto out;
  kg_db_bind_blob(s, 1, aKeyCheck, KG_STORE_HOLDER_HASH_BYTES);
  kg_db_bind_i64(s, 2, tNow);
  rc = kg_store_sql_run(p, s, "rights load");
out:
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_rights_insert(struct kg_store *p, const char *zCadastral,
                                   const unsigned char aHolderHash[KG_STORE_HOLDER_HASH_BYTES],
                                   int64_t tNow, int *pbAdded) {
  struct kg_db_stmt *s = NULL;
  if (pbAdded) *pbAdded = 0;
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "INSERT OR IGNORE INTO rights_register (cadastral_number, "
                                        "holder_hash, loaded_at) VALUES (?1, ?2, ?3)",
                                        &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, zCadastral);
  kg_db_bind_blob(s, 2, aHolderHash, KG_STORE_HOLDER_HASH_BYTES);
  kg_db_bind_i64(s, 3, tNow);
  if ((rc = kg_store_sql_run(p, s, "rights insert")) == KG_OK && pbAdded)
    *pbAdded = kg_db_changes(p) > 0;
  return rc;
}

enum kg_err kg_store_rights_info(struct kg_store *p, struct kg_rights_info *pOut) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "SELECT l.key_check, l.loaded_at, (SELECT count(*) FROM rights_register), "
      "(SELECT count(*) FROM rights_register r WHERE NOT EXISTS (SELECT 1 FROM parcels pa "
      "WHERE pa.cadastral_number = r.cadastral_number)) FROM rights_register_load l WHERE l.id = 1",
      &s);
  if (rc) return rc;
  rc = kg_store_sql_row(p, s, "rights info");
  if (rc == KG_OK && kg_db_col_bytes(s, 0) == KG_STORE_HOLDER_HASH_BYTES) {
    memcpy(pOut->aKeyCheck, kg_db_col_blob(s, 0), KG_STORE_HOLDER_HASH_BYTES);
    pOut->loadedAt = kg_db_col_i64(s, 1);
    pOut->nRows = kg_db_col_i64(s, 2);
    pOut->nNoParcel = kg_db_col_i64(s, 3);
  } else if (rc == KG_OK) {
    rc = KG_ENOTFOUND;
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* One statement for all of the holder's plots: the register's numbers
 * joined to the parcels layer (both by index), each inserted as a verified
 * property of the account or, when the account declared it already,
 * updated to verified by the register with the parcel's geometry (a
 * moderator's refusal included: the register is the authority on rights).
 * A property that already says exactly that is left alone, so a repeated
 * sign-in writes nothing. (The SELECT needs its WHERE clause for the
 * parser to read ON CONFLICT as the upsert's.) */
static const char zVerifySql[] =
    "INSERT INTO properties (account_id, cadastral_number, source, verified, verified_by, "
    "verified_at, created_at, updated_at, geometry) "
    "SELECT ?1, r.cadastral_number, 'registry', 1, 'register', ?3, ?3, ?3, pa.geometry "
    "FROM rights_register r JOIN parcels pa ON pa.cadastral_number = r.cadastral_number "
    "WHERE r.holder_hash = ?2 "
    "ON CONFLICT (account_id, cadastral_number) DO UPDATE SET verified = 1, "
    "verified_by = 'register', verified_at = excluded.verified_at, verifier_id = NULL, "
    "rejected_at = NULL, note = NULL, source = 'registry', geometry = excluded.geometry, "
    "updated_at = excluded.updated_at "
    "WHERE NOT (properties.verified = 1 AND properties.verified_by = 'register' AND "
    "properties.source = 'registry' AND properties.rejected_at IS NULL AND "
    "properties.geometry = excluded.geometry)";

enum kg_err kg_store_rights_verify_holder(struct kg_store *p, int64_t accountId,
                                          const unsigned char aHolderHash[32], int64_t tNow,
                                          int *pnVerified) {
  struct kg_db_stmt *s = NULL;
  struct kg_store_tx tx = {0, 0};
  if (pnVerified) *pnVerified = 0;
  if (!tNow) tNow = kg_time_now();
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc) goto out;
  if ((rc = kg_store_sql_prepare(p, zVerifySql, &s)) != KG_OK) goto out;
  kg_db_bind_i64(s, 1, accountId);
  kg_db_bind_blob(s, 2, aHolderHash, KG_STORE_HOLDER_HASH_BYTES);
  kg_db_bind_i64(s, 3, tNow);
  rc = kg_store_sql_run(p, s, "rights verify");
  if (rc || !pnVerified) goto out;
  rc = kg_store_sql_prepare(p,
                            "SELECT count(*) FROM rights_register r JOIN parcels pa "
                            "ON pa.cadastral_number = r.cadastral_number WHERE r.holder_hash = ?1",
                            &s);
  if (rc) goto out;
  kg_db_bind_blob(s, 1, aHolderHash, KG_STORE_HOLDER_HASH_BYTES);
  if ((rc = kg_store_sql_one(p, s, "rights verify count")) == KG_OK)
    *pnVerified = kg_db_col_int(s, 0);
  kg_store_sql_done(p, s);
out:
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

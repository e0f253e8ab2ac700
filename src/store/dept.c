/* dept.c: the accounts' overview for admins: search by name or e-mail and
 * role, with each account's residence and property verification states,
 * its registered submissions and its last sign-in (the newest session kept). */
#include "store_int.h"

#include "kengash/store_dept.h"

enum kg_err kg_store_account_overview(struct kg_store *p, const char *zQuery, const char *zRole,
                                      int64_t afterId, int nLimit,
                                      int (*xRow)(void *pArg, const struct kg_account_overview *),
                                      void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT a.id, a.email, a.full_name, a.role, a.created_at, "
      "CASE WHEN r.account_id IS NULL THEN 'none' WHEN r.verified = 1 THEN 'verified' "
      "WHEN r.rejected_at IS NOT NULL THEN 'rejected' ELSE 'pending' END, "
      "(SELECT count(*) FROM properties p WHERE p.account_id = a.id AND p.verified = 1), "
      "(SELECT count(*) FROM properties p WHERE p.account_id = a.id AND p.verified = 0 "
      "AND p.rejected_at IS NULL), "
      "(SELECT count(*) FROM properties p WHERE p.account_id = a.id AND p.verified = 0 "
      "AND p.rejected_at IS NOT NULL), "
      "(SELECT count(*) FROM comments c WHERE c.author_id = a.id AND c.official = 0), "
      "(SELECT max(created_at) FROM sessions s WHERE s.account_id = a.id) "
      "FROM accounts a LEFT JOIN residences r ON r.account_id = a.id "
      "WHERE a.id > ?1 AND (?2 IS NULL OR a.role = ?2) AND (?3 IS NULL OR "
      "instr(lower(a.email), lower(?3)) > 0 OR instr(lower(a.full_name), lower(?3)) > 0) "
      "ORDER BY a.id LIMIT ?4",
      "ittk", afterId, zRole, zQuery, nLimit > 0 ? nLimit : 50);
  if (rc) return rc;
  while ((rc = kg_store_sql_row(p, s, "account overview")) == KG_OK) {
    struct kg_account_overview o;
    kg_store_cols(s, "itttitkkkii", &o.id, &o.zEmail, &o.zFullName, &o.zRole, &o.createdAt,
                  &o.zResidence, &o.nPropVerified, &o.nPropPending, &o.nPropRejected, &o.nComments,
                  &o.lastLoginAt);
    if (xRow(pArg, &o)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* dept.c: the accounts' overview for admins: search by name or e-mail and
 * role, with each account's residence and property verification states,
 * its registered submissions and its last sign-in (the newest session kept). */
#include "store_int.h"

#include "kengash/store_dept.h"

enum kg_err kg_store_account_overview(struct kg_store *p, const char *zQuery, const char *zRole,
                                      int64_t afterId, int nLimit,
                                      int (*xRow)(void *pArg, const struct kg_account_overview *),
                                      void *pArg) {
  sqlite3_stmt *s = NULL;
  int src;
  enum kg_err rc = kg_store_sql_prepare(
      p,
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
      &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, afterId);
  kg_store_bind_text(s, 2, zRole);
  kg_store_bind_text(s, 3, zQuery);
  sqlite3_bind_int(s, 4, nLimit > 0 ? nLimit : 50);
  while ((src = sqlite3_step(s)) == SQLITE_ROW) {
    struct kg_account_overview o;
    o.id = sqlite3_column_int64(s, 0);
    o.zEmail = kg_store_col_text(s, 1);
    o.zFullName = kg_store_col_text(s, 2);
    o.zRole = kg_store_col_text(s, 3);
    o.createdAt = sqlite3_column_int64(s, 4);
    o.zResidence = kg_store_col_text(s, 5);
    o.nPropVerified = sqlite3_column_int(s, 6);
    o.nPropPending = sqlite3_column_int(s, 7);
    o.nPropRejected = sqlite3_column_int(s, 8);
    o.nComments = sqlite3_column_int64(s, 9);
    o.lastLoginAt = sqlite3_column_int64(s, 10);
    if (xRow(pArg, &o)) goto out;
  }
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "account overview");
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* admin.c: the accounts' overview for admins (GET /api/v1/admin/accounts
 * ?q=&role=&limit=&cursor=): name, e-mail, role, the residence's and the
 * properties' verification states, registered submissions and the last
 * sign-in. Roles are changed through PUT /api/v1/accounts/{id}/role
 * (accounts.c). */
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_dept.h"
#include "kengash/store_dept.h"

#define MAX_QUERY_CHARS 200

static int overview_row(void *pArg, const struct kg_account_overview *o) {
  json_array_append_new(
      pArg,
      json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:{s:i, s:i, s:i}, s:I, s:o}", "id",
                (json_int_t)o->id, "email", o->zEmail ? o->zEmail : "", "full_name",
                o->zFullName ? o->zFullName : "", "role", o->zRole ? o->zRole : "", "created_at",
                kg_api_time_json(o->createdAt), "residence", o->zResidence ? o->zResidence : "none",
                "properties", "verified", o->nPropVerified, "pending", o->nPropPending, "rejected",
                o->nPropRejected, "comments", (json_int_t)o->nComments, "last_login_at",
                kg_api_time_json(o->lastLoginAt)));
  return 0;
}

void kg_api_admin_accounts(struct kg_req *r) {
  const char *zRole = kg_req_query(r, "role"), *zQuery = kg_req_query(r, "q");
  struct kg_store *pStore;
  int64_t afterId;
  int nLimit;
  if (!kg_api_page(r, &nLimit, &afterId)) return;
  if (zRole && strcmp(zRole, "citizen") != 0 && strcmp(zRole, "moderator") != 0 &&
      strcmp(zRole, "admin") != 0) {
    kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, "role", "must be citizen, moderator or admin");
    return;
  }
  if (zQuery &&
      (!kg_utf8_valid_text(zQuery, strlen(zQuery)) || kg_utf8_len(zQuery) > MAX_QUERY_CHARS)) {
    kg_reply_limit(r, 400, KG_R_TOO_LONG, "q", "must be text of at most 200 characters", 0, 200);
    return;
  }
  if (zQuery && !zQuery[0]) zQuery = NULL;
  if (!(pStore = kg_api_store(r))) return;
  json_t *pItems = json_array();
  enum kg_err rc =
      kg_store_account_overview(pStore, zQuery, zRole, afterId, nLimit + 1, overview_row, pItems);
  if (rc) {
    json_decref(pItems);
    kg_reply_err(r, rc, "cannot read the accounts");
    return;
  }
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, 200, kg_api_page_json(pItems, nLimit));
}

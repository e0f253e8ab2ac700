/* appeals.c: the appeals of a discussion as the protocol records them
 * (member "appeals"): each appeal against a rejection, in the order they
 * came, with its outcome. No personal data: the entry's registration
 * number, the texts and the dates. */
#include "kengash/store_dept.h"
#include "report_int.h"

static int appeal_row(void *pArg, const struct kg_appeal *a) {
  char zAt[21], zDecided[21];
  kg_time_format(a->createdAt, zAt);
  if (a->decidedAt) kg_time_format(a->decidedAt, zDecided);
  json_array_append_new(
      pArg,
      json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?}", "comment_id",
                (json_int_t)a->commentId, "registration_number", a->zRegNo ? a->zRegNo : "",
                "submitted_at", zAt, "text", a->zBody ? a->zBody : "", "rejection_reason",
                a->zRejectionReason, "status", a->zStatus ? a->zStatus : "pending", "decided_at",
                a->decidedAt ? zDecided : NULL, "decision_reason", a->zDecisionReason));
  return 0;
}

enum kg_err rpt_appeals_json(struct kg_store *p, int64_t discussionId, json_t **ppOut) {
  struct kg_appeal_filter f = {0};
  f.discussionId = discussionId;
  f.bAscending = 1;
  *ppOut = json_array();
  enum kg_err rc = kg_store_appeal_list(p, &f, appeal_row, *ppOut);
  if (rc) {
    json_decref(*ppOut);
    *ppOut = NULL;
  }
  return rc;
}

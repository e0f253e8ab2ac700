/* test_store_dept.c: unit tests for the store's part of the department's console
 * against real SpatiaLite files: appeals (src/store/appeals.c: who may
 * appeal, the rejecting moderator refused, the upheld comment published
 * with its number, the log and the e-mail in one transaction, rollback on
 * refusal), answers to support messages and their status
 * (src/store/support.c) and the accounts' overview (src/store/dept.c).
 * Prints one line per test and "N passed, M failed". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/store_dept.h"
#include "store_harness.h"

/* A comment of authorId rejected by modId at t=100; its id. */
static int64_t rejected_comment(struct kg_store *p, int64_t did, int64_t authorId, int64_t modId,
                                const char *zRegNo) {
  char *zSql = kg_xasprintf(
      "INSERT INTO comments (discussion_id, author_id, registration_number, kind, body, status, "
      "moderation_reason, moderated_by, moderated_at, created_at, updated_at) VALUES "
      "(%lld, %lld, '%s', 'proposal', 'Текст', 'rejected', 'Не по теме', %lld, 100, 50, 100) "
      "RETURNING id",
      (long long)did, (long long)authorId, zRegNo, (long long)modId);
  int64_t id = q_int(p, zSql); /* through the seam: either engine */
  CHECK(id > 0);
  free(zSql);
  return id;
}

static int count_row(void *pArg, const struct kg_appeal *a) {
  (void)a;
  ++*(int *)pArg;
  return 0;
}

static void appeal_rules_and_an_upheld_comment_keeps_its_number(void) {
  struct kg_store *p = fresh();
  int64_t did = add_draft(p, KAZAN_SQUARE_WKT, 1, 2, 4000000000),
          author = add_account_role(p, "a@example.org", "citizen");
  int64_t other = add_account_role(p, "o@example.org", "citizen");
  int64_t mod1 = add_account_role(p, "m1@example.org", "moderator");
  int64_t mod2 = add_account_role(p, "m2@example.org", "moderator");
  int64_t cid = rejected_comment(p, did, author, mod1, "D-1/0001"), aid = 0, x = 0;
  CHECK(kg_store_appeal_insert(p, cid, other, "чужое", 200, &x) == KG_ECONFLICT && x == 0);
  CHECK(kg_store_appeal_insert(p, cid, author, "Прошу пересмотреть", 200, &aid) == KG_OK && aid);
  CHECK(kg_store_appeal_insert(p, cid, author, "ещё раз", 201, &x) == KG_ECONFLICT);
  CHECK(q_int(p, "SELECT rejected_by FROM comment_appeals") == mod1);
  int64_t nLog = q_int(p, "SELECT count(*) FROM moderation_log");
  int64_t nMail = q_int(p, "SELECT count(*) FROM outbox");
  struct kg_appeal_mail mail = {"a@example.org", "Тема", "Текст"};
  /* the rejecting moderator: refused, nothing changes */
  CHECK(kg_store_appeal_decide(p, aid, mod1, 1, "сам", &mail, 300) == KG_EFORBIDDEN);
  CHECK(q_int(p, "SELECT count(*) FROM comment_appeals WHERE status = 'pending'") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log") == nLog);
  CHECK(q_int(p, "SELECT count(*) FROM outbox") == nMail);
  CHECK(kg_store_appeal_decide(p, 999, mod2, 1, "нет", NULL, 300) == KG_ENOTFOUND);
  CHECK(kg_store_appeal_decide(p, aid, mod2, 1, "Обоснованно", &mail, 300) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM comments WHERE status = 'published' AND "
                 "registration_number = 'D-1/0001' AND moderation_reason IS NULL") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM comment_appeals WHERE status = 'upheld' AND decided_by = "
                 "(SELECT id FROM accounts WHERE email = 'm2@example.org') AND "
                 "rejection_reason = 'Не по теме'") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log WHERE action = 'appeal.uphold' AND "
                 "target_type = 'comment' AND reason = 'Обоснованно'") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM outbox") == nMail + 1);
  CHECK(kg_store_appeal_decide(p, aid, mod2, 0, "снова", NULL, 400) == KG_ECONFLICT);
  /* a dismissed one keeps the rejection */
  int64_t cid2 = rejected_comment(p, did, author, mod1, "D-1/0002"), aid2 = 0;
  CHECK(kg_store_appeal_insert(p, cid2, author, "И это", 200, &aid2) == KG_OK);
  CHECK(kg_store_appeal_decide(p, aid2, mod2, 0, "Нет оснований", NULL, 300) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM comments WHERE status = 'rejected'") == 1);
  int n = 0;
  struct kg_appeal_filter f = {"decided", 0, did, 1, 0, 0};
  CHECK(kg_store_appeal_list(p, &f, count_row, &n) == KG_OK && n == 2);
  n = 0;
  f.zStatus = "pending";
  CHECK(kg_store_appeal_list(p, &f, count_row, &n) == KG_OK && n == 0);
  n = 0;
  struct kg_appeal_filter g = {NULL, other, 0, 0, 0, 0};
  CHECK(kg_store_appeal_list(p, &g, count_row, &n) == KG_OK && n == 0);
  kg_store_close(p);
}

static void support_answers_and_status(void) {
  struct kg_store *p = fresh();
  int64_t mod = add_account_role(p, "m@example.org", "moderator"), id = 0, rid = 0;
  struct kg_support_message m = {0};
  m.zName = "Имя";
  m.zEmail = "s@example.org";
  m.zTopic = "Тема";
  m.zBody = "Текст";
  CHECK(kg_store_support_insert(p, &m, NULL, 10, &id, NULL, NULL) == KG_OK);
  int64_t nMail = q_int(p, "SELECT count(*) FROM outbox");
  CHECK(kg_store_support_reply(p, 999, mod, "x", "s@example.org", "S", "T", 20, &rid) ==
        KG_ENOTFOUND);
  CHECK(q_int(p, "SELECT count(*) FROM outbox") == nMail); /* rolled back */
  CHECK(kg_store_support_reply(p, id, mod, "Ответ", "s@example.org", "S", "T", 20, &rid) == KG_OK);
  CHECK(rid && q_int(p, "SELECT count(*) FROM outbox WHERE to_addr = 's@example.org'") == 1);
  CHECK(kg_store_support_set_status(p, id, "closed", mod, 30) == KG_OK);
  CHECK(kg_store_support_set_status(p, id, "closed", mod, 31) == KG_ECONFLICT);
  CHECK(q_int(p, "SELECT closed_at FROM support_messages") == 30);
  CHECK(kg_store_support_set_status(p, id, "new", mod, 40) == KG_OK);
  CHECK(q_int(p, "SELECT closed_at IS NULL FROM support_messages") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM moderation_log WHERE target_type = 'support_message'") == 3);
  kg_store_close(p);
}

/* Keeps the first row's numbers (its strings are borrowed: not kept). */
static int first_row(void *pArg, const struct kg_account_overview *o) {
  struct kg_account_overview *pOut = pArg;
  pOut->id = o->id;
  pOut->nComments = o->nComments;
  pOut->nPropPending = o->nPropPending;
  pOut->lastLoginAt = o->lastLoginAt;
  return 1;
}

static void overview_counts_and_searches(void) {
  struct kg_store *p = fresh();
  int64_t a = add_account_role(p, "Zarina@Example.org", "citizen");
  int64_t did = add_draft(p, KAZAN_SQUARE_WKT, 1, 2, 4000000000);
  add_account_role(p, "b@example.org", "moderator");
  rejected_comment(p, did, a, a, "D-1/0009");
  struct kg_account_overview o = {0};
  CHECK(kg_store_account_overview(p, "zarina@", NULL, 0, 10, first_row, &o) == KG_OK);
  CHECK(o.id == a && o.nComments == 1 && o.nPropPending == 0 && o.lastLoginAt == 0);
  memset(&o, 0, sizeof(o));
  CHECK(kg_store_account_overview(p, NULL, "moderator", 0, 10, first_row, &o) == KG_OK);
  CHECK(o.id != 0 && o.id != a);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(appeal_rules_and_an_upheld_comment_keeps_its_number);
  RUN(support_answers_and_status);
  RUN(overview_counts_and_searches);
  return harness_end();
}

/* test_store_support.c: unit tests for src/store/support.c against real
 * SpatiaLite files in a temporary directory: a support message and its
 * e-mail to the department commit together or not at all. (Answers and
 * status: test_store_dept.c.) Prints one line per test and "N passed, M
 * failed". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_harness.h"

/* xCompose for the tests: pArg non-NULL makes it fail (no body). */
static void support_compose(void *pArg, const struct kg_support_message *m, char **pzSubject,
                            char **pzBody) {
  *pzSubject = kg_xasprintf("support %lld", (long long)m->id);
  *pzBody = pArg ? NULL : kg_xasprintf("%s\n%s\n", m->zTopic, m->zBody);
}

static int support_collect(void *pArg, const struct kg_support_message *m) {
  int64_t *a = pArg;
  a[++a[0]] = m->id;
  return a[0] >= 8;
}

static void support_message_and_its_mail_commit_together_or_not_at_all(void) {
  struct kg_store *p = fresh();
  struct kg_support_message m = {0};
  struct kg_support_mail mail = {"help@example.org", support_compose, NULL};
  int64_t t = 1800000000, id = 0, outboxId = 0, nRetry = 0, aId[10] = {0};
  m.zName = "Имя";
  m.zEmail = "Sender@Example.org";
  m.zTopic = "Тема";
  m.zBody = "Текст";
  CHECK(kg_store_support_insert(p, &m, &mail, t, &id, &outboxId, &nRetry) == KG_OK);
  CHECK(id > 0 && outboxId > 0);
  CHECK(q_int(p, "SELECT count(*) FROM outbox WHERE to_addr = 'help@example.org' AND "
                 "body_text = 'Тема\nТекст\n'") == 1);
  CHECK(q_int(p, "SELECT outbox_id = (SELECT max(id) FROM outbox) FROM support_messages") == 1);
  /* the e-mail cannot be made: the message is not stored either */
  mail.pArg = &m;
  CHECK(kg_store_support_insert(p, &m, &mail, t, &id, &outboxId, &nRetry) == KG_EINVAL);
  CHECK(id == 0 && outboxId == 0);
  CHECK(q_int(p, "SELECT count(*) FROM support_messages") == 1);
  CHECK(q_int(p, "SELECT count(*) FROM outbox") == 1);
  /* no support address: stored, no e-mail */
  mail.zTo = "";
  CHECK(kg_store_support_insert(p, &m, &mail, t + 1, &id, &outboxId, &nRetry) == KG_OK);
  CHECK(id > 0 && outboxId == 0);
  CHECK(q_int(p, "SELECT count(*) FROM outbox") == 1);
  /* five an hour per address, compared without case */
  m.zEmail = "sender@example.ORG";
  for (int i = 0; i < 3; i++)
    CHECK(kg_store_support_insert(p, &m, NULL, t + 2, &id, NULL, NULL) == KG_OK);
  CHECK(kg_store_support_insert(p, &m, NULL, t + 10, &id, NULL, &nRetry) == KG_ELIMIT);
  CHECK(id == 0 && nRetry == KG_SUPPORT_RATE_WINDOW - 9);
  CHECK(kg_store_support_insert(p, &m, NULL, t + KG_SUPPORT_RATE_WINDOW, &id, NULL, NULL) == KG_OK);
  m.zEmail = "other@example.org";
  CHECK(kg_store_support_insert(p, &m, NULL, t + 10, &id, NULL, NULL) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM support_messages") == 7);
  /* newest first, then from a cursor. Ids compared with the full list, not
   * as numbers: PostgreSQL's sequences skip the id of the insert rolled
   * back above, SQLite's rowids do not. */
  int64_t aAll[10] = {0};
  CHECK(kg_store_support_list(p, 0, 50, support_collect, aAll) == KG_OK && aAll[0] == 7);
  CHECK(aAll[1] == q_int(p, "SELECT max(id) FROM support_messages") && aAll[7] == 1);
  for (int i = 2; i <= 7; i++)
    CHECK(aAll[i] < aAll[i - 1]);
  CHECK(kg_store_support_list(p, 0, 3, support_collect, aId) == KG_OK);
  CHECK(aId[0] == 3 && aId[1] == aAll[1] && aId[2] == aAll[2] && aId[3] == aAll[3]);
  aId[0] = 0;
  CHECK(kg_store_support_list(p, aAll[5], 50, support_collect, aId) == KG_OK);
  CHECK(aId[0] == 2 && aId[1] == aAll[6] && aId[2] == aAll[7]);
  aId[0] = 0;
  CHECK(kg_store_support_get(p, 1, support_collect, aId) == KG_OK && aId[0] == 1 && aId[1] == 1);
  CHECK(kg_store_support_get(p, 99, support_collect, aId) == KG_ENOTFOUND);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(support_message_and_its_mail_commit_together_or_not_at_all);
  return harness_end();
}

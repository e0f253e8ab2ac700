/* test_store_outbox.c: unit tests for src/store/outbox.c against real
 * SpatiaLite files in a temporary directory: the mail outbox (claim, lease,
 * retry, sent, a callback that stops the claim, rollback with the caller's
 * transaction) and password reset tokens (peek, use once, expiry). Prints
 * one line per test and "N passed, M failed". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_harness.h"

/* ---- outbox ---- */

struct seen {
  int n;
  int64_t aId[8];
  char zTo[64];
  char zBody[256];
  int nAttempts;
};
static int collect(void *pArg, const struct kg_outbox_msg *m) {
  struct seen *s = pArg;
  if (s->n < 8) s->aId[s->n] = m->id;
  s->n++;
  snprintf(s->zTo, sizeof(s->zTo), "%s", m->zTo);
  snprintf(s->zBody, sizeof(s->zBody), "%s", m->zBody);
  s->nAttempts = m->nAttempts;
  return 0;
}

static void outbox_claim_lease_retry_and_sent(void) {
  struct kg_store *p = fresh();
  int64_t id1 = 0, id2 = 0;
  int nClaimed = -1;
  struct seen s = {0};
  char zStatus[16];
  int nAttempts = -1;
  CHECK(kg_store_outbox_insert(p, "a@b.example", "Тема", "Тело", 1000, &id1) == KG_OK);
  CHECK(kg_store_outbox_insert(p, "c@d.example", "S2", "B2", 1001, &id2) == KG_OK);
  CHECK(id1 > 0 && id2 > id1);
  /* not yet due */
  CHECK(kg_store_outbox_claim_due(p, 999, 10, 120, collect, &s, &nClaimed) == KG_OK);
  CHECK(nClaimed == 0 && s.n == 0);
  /* one at a time, oldest first */
  CHECK(kg_store_outbox_claim_due(p, 1001, 1, 120, collect, &s, &nClaimed) == KG_OK);
  CHECK(nClaimed == 1 && s.n == 1 && s.aId[0] == id1);
  CHECK(strcmp(s.zTo, "a@b.example") == 0 && strcmp(s.zBody, "Тело") == 0 && s.nAttempts == 0);
  /* claimed: leased until 1121, so the next claim gets the other one
   * (leased here until 11002) */
  s.n = 0;
  CHECK(kg_store_outbox_claim_due(p, 1002, 10, 10000, collect, &s, &nClaimed) == KG_OK);
  CHECK(nClaimed == 1 && s.aId[0] == id2);
  /* a failed attempt: due again at 2000 */
  CHECK(kg_store_outbox_mark_retry(p, id1, 2000, "Couldn't connect to server (curl 7, smtp 0)") ==
        KG_OK);
  CHECK(kg_store_outbox_status(p, id1, zStatus, &nAttempts) == KG_OK);
  CHECK(strcmp(zStatus, "pending") == 0 && nAttempts == 1);
  s.n = 0;
  CHECK(kg_store_outbox_claim_due(p, 1999, 10, 120, collect, &s, &nClaimed) == KG_OK);
  CHECK(nClaimed == 0);
  CHECK(kg_store_outbox_claim_due(p, 2000, 10, 120, collect, &s, &nClaimed) == KG_OK);
  CHECK(nClaimed == 1 && s.aId[0] == id1 && s.nAttempts == 1);
  /* sent: the body is cleared and it is never claimed again */
  CHECK(kg_store_outbox_mark_sent(p, id1, 2001) == KG_OK);
  CHECK(kg_store_outbox_mark_sent(p, id1, 2002) == KG_ENOTFOUND);
  CHECK(kg_store_outbox_mark_retry(p, id1, 2002, "x") == KG_ENOTFOUND);
  CHECK(kg_store_outbox_status(p, id1, zStatus, &nAttempts) == KG_OK);
  CHECK(strcmp(zStatus, "sent") == 0 && nAttempts == 2);
  CHECK(q_int(p, "SELECT length(body_text) FROM outbox WHERE status = 'sent'") == 0);
  s.n = 0;
  CHECK(kg_store_outbox_claim_due(p, 1000000, 10, 120, collect, &s, &nClaimed) == KG_OK);
  CHECK(nClaimed == 1 && s.aId[0] == id2);
  /* failed */
  CHECK(kg_store_outbox_mark_failed(p, id2, "given up") == KG_OK);
  CHECK(kg_store_outbox_status(p, id2, zStatus, NULL) == KG_OK && strcmp(zStatus, "failed") == 0);
  s.n = 0;
  CHECK(kg_store_outbox_claim_due(p, 2000000, 10, 120, collect, &s, &nClaimed) == KG_OK);
  CHECK(nClaimed == 0);
  CHECK(kg_store_outbox_status(p, 12345, zStatus, NULL) == KG_ENOTFOUND);
  /* long error texts are cut, not refused */
  int64_t id3 = 0;
  char zLong[2000];
  memset(zLong, 'e', sizeof(zLong) - 1);
  zLong[sizeof(zLong) - 1] = 0;
  CHECK(kg_store_outbox_insert(p, "e@f.example", "S", "B", 3000, &id3) == KG_OK);
  CHECK(kg_store_outbox_mark_retry(p, id3, 3001, zLong) == KG_OK);
  CHECK(q_int(p, "SELECT max(length(last_error)) FROM outbox") == 500);
  /* purge removes old sent and failed messages, keeps pending ones */
  int nDeleted = -1;
  CHECK(kg_store_outbox_purge(p, 1000000, &nDeleted) == KG_OK && nDeleted == 2);
  CHECK(q_int(p, "SELECT count(*) FROM outbox") == 1);
  kg_store_close(p);
}

static int stop_at_once(void *pArg, const struct kg_outbox_msg *m) {
  (void)m;
  ++*(int *)pArg;
  return 1;
}

static void outbox_claim_stops_when_the_callback_asks(void) {
  struct kg_store *p = fresh();
  for (int i = 0; i < 3; i++)
    CHECK(kg_store_outbox_insert(p, "a@b.example", "S", "B", 10, NULL) == KG_OK);
  int nCalls = 0, nClaimed = 0;
  CHECK(kg_store_outbox_claim_due(p, 10, 3, 60, stop_at_once, &nCalls, &nClaimed) == KG_OK);
  CHECK(nCalls == 1 && nClaimed == 3);
  /* all three stay leased until 70 */
  CHECK(q_int(p, "SELECT count(*) FROM outbox WHERE next_attempt_at = 70") == 3);
  kg_store_close(p);
}

static void outbox_insert_rolls_back_with_its_transaction(void) {
  struct kg_store *p = fresh();
  CHECK(kg_store_begin(p) == KG_OK);
  CHECK(kg_store_outbox_insert(p, "a@b.example", "S", "B", 10, NULL) == KG_OK);
  kg_store_rollback(p);
  CHECK(q_int(p, "SELECT count(*) FROM outbox") == 0);
  kg_store_close(p);
}

/* ---- password reset tokens ---- */

static void reset_token_peek_use_once_and_expiry(void) {
  struct kg_store *p = fresh();
  int64_t acc = 0, got = 0, other = 0;
  int n = -1;
  unsigned char a1[32], a2[32], a3[32], aUnknown[32];
  memset(a1, 1, 32);
  memset(a2, 2, 32);
  memset(a3, 3, 32);
  memset(aUnknown, 9, 32);
  CHECK(kg_store_account_insert(p, "r@example.org", "$argon2id$x", "R", "citizen", 1, &acc) ==
        KG_OK);
  CHECK(kg_store_account_insert(p, "o@example.org", "$argon2id$x", "O", "citizen", 1, &other) ==
        KG_OK);
  CHECK(kg_store_password_reset_insert(p, a1, acc, 100, 200) == KG_OK);
  CHECK(kg_store_password_reset_insert(p, a2, acc, 150, 250) == KG_OK);
  CHECK(kg_store_password_reset_insert(p, a3, other, 150, 250) == KG_OK);
  CHECK(kg_store_password_reset_insert(p, a1, acc, 100, 200) == KG_ECONFLICT);
  CHECK(kg_store_password_reset_count_since(p, acc, 100, &n) == KG_OK && n == 2);
  CHECK(kg_store_password_reset_count_since(p, acc, 120, &n) == KG_OK && n == 1);
  CHECK(kg_store_password_reset_peek(p, a1, 150, &got) == KG_OK && got == acc);
  CHECK(kg_store_password_reset_peek(p, a1, 200, &got) == KG_EGONE && got == 0); /* expired */
  CHECK(kg_store_password_reset_peek(p, aUnknown, 150, &got) == KG_ENOTFOUND);
  CHECK(kg_store_password_reset_use(p, a1, 200, &got) == KG_EGONE && got == 0);
  CHECK(kg_store_password_reset_use(p, aUnknown, 150, &got) == KG_ENOTFOUND);
  /* using one spends every other link of the account, not other accounts' */
  CHECK(kg_store_password_reset_use(p, a2, 160, &got) == KG_OK && got == acc);
  CHECK(kg_store_password_reset_use(p, a2, 161, &got) == KG_EGONE);
  CHECK(kg_store_password_reset_peek(p, a1, 150, &got) == KG_EGONE);
  CHECK(kg_store_password_reset_peek(p, a3, 160, &got) == KG_OK && got == other);
  /* inside the caller's transaction: rolled back with it */
  CHECK(kg_store_begin(p) == KG_OK);
  CHECK(kg_store_password_reset_use(p, a3, 160, &got) == KG_OK && got == other);
  kg_store_rollback(p);
  CHECK(kg_store_password_reset_peek(p, a3, 160, &got) == KG_OK);
  /* tokens go with their account */
  CHECK(exec_ok(p, "DELETE FROM accounts WHERE email = 'o@example.org'"));
  CHECK(kg_store_password_reset_peek(p, a3, 160, &got) == KG_ENOTFOUND);
  CHECK(kg_store_password_reset_purge(p, 1000) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM password_resets") == 0);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(outbox_claim_lease_retry_and_sent);
  RUN(outbox_claim_stops_when_the_callback_asks);
  RUN(outbox_insert_rolls_back_with_its_transaction);
  RUN(reset_token_peek_use_once_and_expiry);
  return harness_end();
}

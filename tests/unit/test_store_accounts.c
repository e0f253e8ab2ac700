/* test_store_accounts.c: unit tests for src/store/accounts.c (accounts and
 * sessions) against real SpatiaLite files in a temporary directory. Prints
 * one line per test and "N passed, M failed". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_harness.h"

static void account_duplicate_email_in_other_case_conflicts(void) {
  struct kg_store *p = fresh();
  int64_t id = 0, id2 = 0;
  struct kg_account a;
  char zHash[128];
  CHECK(kg_store_account_insert(p, "Anna@Example.org", "$argon2id$h1", "Анна Иванова", "citizen",
                                100, &id) == KG_OK);
  CHECK(id > 0);
  CHECK(kg_store_account_insert(p, "anna@example.ORG", "$argon2id$h2", "X", "citizen", 100, &id2) ==
        KG_ECONFLICT);
  CHECK(kg_store_account_by_email(p, "ANNA@example.org", &a, zHash, sizeof(zHash)) == KG_OK);
  CHECK(a.id == id && strcmp(zHash, "$argon2id$h1") == 0);
  CHECK(strcmp(a.zFullName, "Анна Иванова") == 0 && strcmp(a.zRole, "citizen") == 0);
  CHECK(kg_store_account_by_email(p, "nobody@example.org", &a, NULL, 0) == KG_ENOTFOUND);
  CHECK(kg_store_account_by_email(p, "anna@example.org", &a, zHash, 5) == KG_ETOOBIG);
  CHECK(kg_store_account_set_role(p, id, "moderator") == KG_OK);
  CHECK(kg_store_account_set_role(p, id, "emperor") == KG_EINVAL);
  CHECK(kg_store_account_set_role(p, id + 100, "admin") == KG_ENOTFOUND);
  CHECK(kg_store_account_set_password(p, id, "$argon2id$h3") == KG_OK);
  CHECK(kg_store_account_get(p, id, &a) == KG_OK && strcmp(a.zRole, "moderator") == 0);
  CHECK(kg_store_account_by_email(p, "anna@example.org", &a, zHash, sizeof(zHash)) == KG_OK &&
        strcmp(zHash, "$argon2id$h3") == 0);
  CHECK(kg_store_account_get(p, id + 100, &a) == KG_ENOTFOUND);
  CHECK(kg_store_account_insert(p, "b@example.org", "h", "B", "root", 1, &id2) == KG_EINVAL);
  kg_store_close(p);
}

static void session_insert_get_expire_delete(void) {
  struct kg_store *p = fresh();
  unsigned char aTok[32], aTok2[32];
  struct kg_session ses;
  struct kg_account who;
  int64_t acc = 0;
  memset(aTok, 0xab, sizeof(aTok));
  memset(aTok2, 0xcd, sizeof(aTok2));
  CHECK(kg_store_account_insert(p, "s@example.org", "h", "S", "citizen", 1, &acc) == KG_OK);
  CHECK(kg_store_session_insert(p, aTok, acc, "csrf-1", 1000) == KG_OK);
  CHECK(kg_store_session_insert(p, aTok, acc, "csrf-x", 1000) == KG_ECONFLICT);
  CHECK(kg_store_session_insert(p, aTok2, acc, "csrf-2", 1000) == KG_OK);
  CHECK(kg_store_session_get(p, aTok, 999, &ses, &who) == KG_OK);
  CHECK(ses.accountId == acc && strcmp(ses.zCsrf, "csrf-1") == 0 && ses.expiresAt == 1000);
  /* the account with it, in the same read */
  CHECK(who.id == acc && strcmp(who.zEmail, "s@example.org") == 0 &&
        strcmp(who.zRole, "citizen") == 0);
  CHECK(kg_store_session_get(p, aTok, 1000, &ses, NULL) == KG_ENOTFOUND); /* expired */
  CHECK(kg_store_session_touch(p, aTok, 2000) == KG_OK);
  CHECK(kg_store_session_get(p, aTok, 1500, &ses, NULL) == KG_OK && ses.expiresAt == 2000);
  CHECK(kg_store_session_delete(p, aTok) == KG_OK);
  CHECK(kg_store_session_get(p, aTok, 1, &ses, NULL) == KG_ENOTFOUND);
  CHECK(kg_store_session_touch(p, aTok, 2000) == KG_ENOTFOUND);
  CHECK(kg_store_session_delete_account(p, acc) == KG_OK);
  CHECK(kg_store_session_get(p, aTok2, 1, &ses, NULL) == KG_ENOTFOUND);
  /* unknown account: foreign key */
  CHECK(kg_store_session_insert(p, aTok, acc + 50, "c", 1000) == KG_EINVAL);
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(account_duplicate_email_in_other_case_conflicts);
  RUN(session_insert_get_expire_delete);
  return harness_end();
}

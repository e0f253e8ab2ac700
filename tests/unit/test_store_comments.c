/* test_store_comments.c: unit tests for src/store/comments.c against real
 * SpatiaLite files in a temporary directory: the full-text query builder
 * (Russian endings), registration numbers, the status gate, the rate limit,
 * the location rule, moderation, supports, lists and the moderation log.
 * Prints one line per test and "N passed, M failed". */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_harness.h"
#include "../../src/store/submit_int.h"

/* An open discussion on KAZAN_SQUARE_WKT. */

static int64_t open_discussion(struct kg_store *p) {
  int64_t id = add_draft(p, KAZAN_SQUARE_WKT, 1, 2, 4000000000);
  move_to(p, id, KG_ST_OPEN, 10);
  return id;
}

/* A proposal and who submits it. */
struct proposal {
  struct kg_comment_proposal in;
  struct kg_comment_author author;
};

static struct proposal comment(int64_t discussionId, int64_t authorId) {
  struct proposal n = {{0}, {authorId, 0}};
  n.in.discussionId = discussionId;
  n.in.zKind = "proposal";
  n.in.zBody = "Сохранить деревья";
  n.in.zDisplayName = "Имя Ф.";
  return n;
}

/* A citizen with a verified residence in KAZAN_SQUARE_WKT; its id. */
static int64_t citizen(struct kg_store *p, const char *zEmail) {
  int64_t id = add_account(p, zEmail);
  CHECK(kg_store_residence_put(p, id, "Казань, ул. Баумана, 1", 49.12, 55.79, "point", 1,
                               "moderator", NULL, 1, NULL) == KG_OK);
  return id;
}

/* kg_store_comment_submit: the new comment's id and registration number
 * ("" for an official answer or a refusal), the refusal's Retry-After. */
static enum kg_err insert(struct kg_store *p, const struct proposal *n, int64_t t, int64_t *pId,
                          char zNo[KG_REGNO_SIZE], int64_t *pnRetry) {
  struct kg_comment_submission sub;
  enum kg_err rc = kg_store_comment_submit(p, &n->in, &n->author, t, &sub);
  *pId = sub.comment.id;
  snprintf(zNo, KG_REGNO_SIZE, "%s", sub.comment.zRegNo ? sub.comment.zRegNo : "");
  if (pnRetry) *pnRetry = sub.refusal.retryAfter;
  kg_comment_submission_clear(&sub);
  return rc;
}

/* ---- tests ---- */

/* the words stay whole: the index's tokenizer stems them (search.c); the
 * same words in FTS5's spelling and in to_tsquery's */
static void fts_query_folds_and_quotes_words(void) {
  static const struct {
    const char *zIn, *zWant, *zWantPg;
  } a[] = {
      {"деревья", "\"деревья\"*", "'деревья':*"},
      {"ДЕРЕВЬЯМИ", "\"деревьями\"*", "'деревьями':*"},
      {"ёлками", "\"елками\"*", "'елками':*"},
      {"парк", "\"парк\"*", "'парк':*"},
      {"Tree-lined, «аллея»", "\"tree\"* \"lined\"* \"аллея\"*",
       "'tree':* & 'lined':* & 'аллея':*"},
      {"\"*(NEAR", "\"near\"*", "'near':*"},
      {"дом", "\"дом\"*", "'дом':*"},
      {"O'Neil & !x:*", "\"o\"* \"neil\"* \"x\"*", "'o':* & 'neil':* & 'x':*"},
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    for (int bPg = 0; bPg < 2; bPg++) {
      const char *zWant = bPg ? a[i].zWantPg : a[i].zWant;
      char *z = kg_store_fts_query(a[i].zIn, bPg);
      CHECK(z && strcmp(z, zWant) == 0);
      if (!z || strcmp(z, zWant) != 0) fprintf(stderr, "  %s -> %s\n", a[i].zIn, z ? z : "NULL");
      free(z);
    }
  }
  CHECK(kg_store_fts_query(" ,.;", 0) == NULL && kg_store_fts_query(" ,.;", 1) == NULL);
  CHECK(kg_store_fts_query(NULL, 0) == NULL);
}

static void registration_numbers_are_sequential_per_discussion(void) {
  struct kg_store *p = fresh();
  int64_t d1 = open_discussion(p), d2 = open_discussion(p), a = citizen(p, "a@x.org");
  char zNo[KG_REGNO_SIZE], zWant[KG_REGNO_SIZE];
  int64_t id = 0;
  for (int i = 1; i <= 3; i++) {
    struct proposal n = comment(d1, a);
    CHECK(insert(p, &n, 100, &id, zNo, NULL) == KG_OK);
    snprintf(zWant, sizeof(zWant), "D-%lld/%04d", (long long)d1, i);
    CHECK(strcmp(zNo, zWant) == 0);
  }
  struct proposal n = comment(d2, a);
  CHECK(insert(p, &n, 100, &id, zNo, NULL) == KG_OK);
  snprintf(zWant, sizeof(zWant), "D-%lld/0001", (long long)d2);
  CHECK(strcmp(zNo, zWant) == 0);
  /* official answers are not registered and do not take a number */
  n = comment(d1, a);
  n.author.bModerator = 1;
  CHECK(insert(p, &n, 100, &id, zNo, NULL) == KG_OK && zNo[0] == 0);
  struct kg_comment c;
  CHECK(kg_store_comment_get(p, id, &c) == KG_OK);
  CHECK(c.status == KG_CS_PUBLISHED && c.bOfficial && c.zRegNo == NULL);
  kg_comment_clear(&c);
  kg_store_close(p);
}

static void closed_discussion_and_rate_limit_refuse(void) {
  struct kg_store *p = fresh();
  int64_t d = open_discussion(p), a = citizen(p, "a@x.org"), retry = 0, id = 0;
  char zNo[KG_REGNO_SIZE];
  struct proposal n = comment(d, a);
  for (int i = 0; i < KG_COMMENT_RATE_MAX; i++)
    CHECK(insert(p, &n, 1000 + i, &id, zNo, &retry) == KG_OK);
  CHECK(insert(p, &n, 1020, &id, zNo, &retry) == KG_ELIMIT);
  CHECK(retry == 1000 + KG_COMMENT_RATE_WINDOW - 1020 && zNo[0] == 0);
  CHECK(insert(p, &n, 1000 + KG_COMMENT_RATE_WINDOW, &id, zNo, &retry) == KG_OK);
  /* the refused attempt took no number */
  char zWant[KG_REGNO_SIZE];
  snprintf(zWant, sizeof(zWant), "D-%lld/%04d", (long long)d, KG_COMMENT_RATE_MAX + 1);
  CHECK(strcmp(zNo, zWant) == 0);
  CHECK(kg_store_discussion_transition(p, d, KG_ST_CLOSED, 0, NULL, 10, NULL) == KG_OK);
  CHECK(insert(p, &n, 5000, &id, zNo, NULL) == KG_ECONFLICT);
  n.author.bModerator = 1; /* answers still go in */
  CHECK(insert(p, &n, 5000, &id, zNo, NULL) == KG_OK);
  kg_store_close(p);
}

static void location_rule_allows_a_100_m_margin(void) {
  struct kg_store *p = fresh();
  int64_t d = open_discussion(p);
  int bOk = -1;
  char zErr[200];
  CHECK(kg_store_comment_location_check(p, d, "POINT(49.12 55.79)", 100, &bOk, zErr,
                                        sizeof(zErr)) == KG_OK &&
        bOk == 1);
  /* 0.0012 deg of longitude at 55.79N is about 75 m; 0.002 about 125 m */
  CHECK(kg_store_comment_location_check(p, d, "POINT(49.1242 55.79)", 100, &bOk, zErr,
                                        sizeof(zErr)) == KG_OK &&
        bOk == 1);
  CHECK(kg_store_comment_location_check(p, d, "POINT(49.125 55.79)", 100, &bOk, zErr,
                                        sizeof(zErr)) == KG_OK &&
        bOk == 0);
  CHECK(kg_store_comment_location_check(p, d, "LINESTRING(49.12 55.79,49.14 55.79)", 100, &bOk,
                                        zErr, sizeof(zErr)) == KG_OK &&
        bOk == 0);
  CHECK(kg_store_comment_location_check(
            p, d, "POLYGON((49.119 55.788,49.121 55.79,49.121 55.788,49.119 55.79,49.119 55.788))",
            100, &bOk, zErr, sizeof(zErr)) == KG_EINVAL);
  CHECK(strstr(zErr, "Self-intersection") != NULL);
  CHECK(kg_store_comment_location_check(p, 999, "POINT(49.12 55.79)", 100, &bOk, zErr,
                                        sizeof(zErr)) == KG_ENOTFOUND);
  int bIn = -1;
  CHECK(kg_store_comment_point_in_territory(p, d, 49.12, 55.79, &bIn) == KG_OK && bIn == 1);
  CHECK(kg_store_comment_point_in_territory(p, d, 49.13, 55.79, &bIn) == KG_OK && bIn == 0);
  kg_store_close(p);
}

static int count_row(void *pArg, const struct kg_comment *c) {
  (void)c;
  ++*(int *)pArg;
  return 0;
}

static int log_row(void *pArg, const struct kg_modlog_entry *e) {
  char *z = pArg;
  strcat(z, e->zAction);
  strcat(z, ";");
  return 0;
}

static void moderation_supports_lists_and_log(void) {
  struct kg_store *p = fresh();
  int64_t d = open_discussion(p), a = citizen(p, "a@x.org"), b = add_account(p, "b@x.org");
  int64_t m = add_account(p, "m@x.org"), id = 0, id2 = 0, nSup = 0;
  char zNo[KG_REGNO_SIZE], zLog[256] = "";
  struct proposal n = comment(d, a);
  CHECK(insert(p, &n, 100, &id, zNo, NULL) == KG_OK);
  n.in.zBody = "Снести гаражи";
  CHECK(insert(p, &n, 100, &id2, zNo, NULL) == KG_OK);
  struct kg_comment_filter f = {0};
  int nRow = 0;
  f.discussionId = d;
  CHECK(kg_store_comment_list(p, &f, count_row, &nRow) == KG_OK && nRow == 0);
  struct kg_comment_mail mail = {"a@x.org", "Тема", "Текст\n"};
  CHECK(kg_store_comment_moderate(p, id, 1, NULL, NULL, m, &mail, 200) == KG_OK);
  CHECK(kg_store_comment_moderate(p, id, 0, "duplicate", "Повтор", m, NULL, 200) == KG_ECONFLICT);
  CHECK(kg_store_comment_moderate(p, id2, 0, "offensive", NULL, m, NULL, 200) == KG_OK);
  CHECK(kg_store_comment_moderate(p, 999, 1, NULL, NULL, m, NULL, 200) == KG_ENOTFOUND);
  nRow = 0;
  CHECK(kg_store_comment_list(p, &f, count_row, &nRow) == KG_OK && nRow == 1);
  f.statusMask = 1u << KG_CS_REJECTED;
  nRow = 0;
  CHECK(kg_store_comment_list(p, &f, count_row, &nRow) == KG_OK && nRow == 1);
  f.statusMask = 0;
  f.zQuery = "деревьями";
  nRow = 0;
  CHECK(kg_store_comment_list(p, &f, count_row, &nRow) == KG_OK && nRow == 1);
  f.zQuery = "гаражи"; /* rejected: not in the published list */
  nRow = 0;
  CHECK(kg_store_comment_list(p, &f, count_row, &nRow) == KG_OK && nRow == 0);
  CHECK(kg_store_comment_support(p, id, b, 300, &nSup) == KG_OK && nSup == 1);
  CHECK(kg_store_comment_support(p, id, b, 300, &nSup) == KG_ECONFLICT);
  CHECK(kg_store_comment_withdraw(p, id, 400) == KG_ECONFLICT);
  struct kg_comment_edit e = {0};
  e.zBody = "x";
  CHECK(kg_store_comment_update(p, id, &e, 400) == KG_ECONFLICT);
  CHECK(kg_store_comment_update(p, 999, &e, 400) == KG_ENOTFOUND);
  CHECK(kg_store_modlog_list(p, 0, 10, log_row, zLog) == KG_OK);
  CHECK(strcmp(zLog, "comment.reject;comment.publish;") == 0);
  kg_store_close(p);
}

/* ---- the submission's refusals ---- */

/* Submits n; 1 when it is refused as kind, naming zField (NULL: none),
 * with a reason that starts with zReason (printed when not). */
static int refused(struct kg_store *p, const struct proposal *n, enum kg_refusal_kind kind,
                   const char *zField, const char *zReason) {
  struct kg_comment_submission sub;
  enum kg_err rc = kg_store_comment_submit(p, &n->in, &n->author, 1000, &sub);
  const struct kg_refusal *f = &sub.refusal;
  int ok = rc != KG_OK && rc == f->rc && f->kind == kind && sub.comment.id == 0 &&
           (zField ? f->zField && strcmp(f->zField, zField) == 0 : f->zField == NULL) &&
           strncmp(f->zReason, zReason, strlen(zReason)) == 0;
  if (!ok)
    fprintf(stderr, "  refused: rc=%s kind=%d field=%s reason=%s\n", kg_err_name(rc), f->kind,
            f->zField ? f->zField : "-", f->zReason);
  kg_comment_submission_clear(&sub);
  return ok;
}

/* The stored comment id equals what the submission answered. */
static int same_as_stored(struct kg_store *p, const struct kg_comment *a) {
  struct kg_comment b;
  if (kg_store_comment_get(p, a->id, &b) != KG_OK) return 0;
#define SAME_STR(x) ((a->x == NULL && b.x == NULL) || (a->x && b.x && strcmp(a->x, b.x) == 0))
  int ok = a->discussionId == b.discussionId && a->projectId == b.projectId &&
           a->authorId == b.authorId && a->enteredBy == b.enteredBy && a->parentId == b.parentId &&
           a->documentId == b.documentId && a->page == b.page && SAME_STR(zRegNo) &&
           SAME_STR(zKind) && SAME_STR(zChannel) && SAME_STR(zBody) && SAME_STR(zLocation) &&
           a->status == b.status && SAME_STR(zBasis) && a->bOfficial == b.bOfficial &&
           SAME_STR(zDisplayName) && SAME_STR(zModerationCode) && SAME_STR(zModerationReason) &&
           a->moderatedAt == b.moderatedAt && a->nSupports == b.nSupports &&
           a->createdAt == b.createdAt && a->updatedAt == b.updatedAt;
#undef SAME_STR
  kg_comment_clear(&b);
  return ok;
}

/* Each refusal names what is wrong (the api maps it to the status and
 * detail it has always replied); an accepted submission answers the
 * comment exactly as stored, without reading it back. */
static void submission_refusals_name_the_field(void) {
  struct kg_store *p = fresh();
  int64_t d = open_discussion(p), dOther = open_discussion(p), dClosed = open_discussion(p);
  int64_t dDraft = add_draft(p, KAZAN_SQUARE_WKT, 1, 2, 4000000000), projectId = 0, otherId = 0;
  int64_t a = citizen(p, "a@x.org"), nobody = add_account(p, "n@x.org");
  int64_t m = add_account_role(p, "m@x.org", "moderator");
  enum kg_status st;
  CHECK(kg_store_discussion_transition(p, dClosed, KG_ST_CLOSED, 0, NULL, 10, NULL) == KG_OK);
  CHECK(kg_store_discussion_status(p, d, &st, &projectId) == KG_OK);
  CHECK(kg_store_discussion_status(p, dOther, &st, &otherId) == KG_OK);
  struct kg_document doc = {0, otherId, "plan.pdf", "application/pdf", 10, {0}, 1, 0};
  memset(doc.zSha256, 'a', 64);
  CHECK(kg_store_document_insert(p, &doc) == KG_OK);
  struct kg_document own = doc;
  own.id = 0;
  own.projectId = projectId;
  CHECK(kg_store_document_insert(p, &own) == KG_OK);
  struct proposal n = comment(999, a);
  CHECK(refused(p, &n, KG_REFUSAL_NOT_FOUND, NULL, "no such discussion"));
  n.in.discussionId = dDraft;
  CHECK(refused(p, &n, KG_REFUSAL_NOT_FOUND, NULL, "no such discussion"));
  n.in.discussionId = dClosed;
  CHECK(refused(p, &n, KG_REFUSAL_CONFLICT, NULL,
                "comments are accepted only while the discussion is open; it is closed"));
  n = comment(dDraft, m);
  n.author.bModerator = 1;
  CHECK(refused(p, &n, KG_REFUSAL_CONFLICT, NULL, "the discussion is draft: answers are not"));
  n = comment(d, nobody);
  CHECK(refused(p, &n, KG_REFUSAL_ELIGIBILITY, NULL, ""));
  struct kg_comment_submission sub;
  CHECK(kg_store_comment_submit(p, &n.in, &n.author, 1000, &sub) == KG_EFORBIDDEN &&
        sub.refusal.elig.reason == KG_ELIG_NO_RESIDENCE);
  kg_comment_submission_clear(&sub);
  n = comment(d, a);
  n.in.documentId = doc.id;
  CHECK(refused(p, &n, KG_REFUSAL_INVALID, "document_id", "is not a document of this"));
  n.in.documentId = 0;
  n.in.zLocationWkt = "POINT(49.2 55.9)";
  CHECK(refused(p, &n, KG_REFUSAL_INVALID, "location", "must lie within the discussion's"));
  n.in.zLocationWkt =
      "POLYGON((49.119 55.788,49.121 55.79,49.121 55.788,49.119 55.79,49.119 55.788))";
  CHECK(refused(p, &n, KG_REFUSAL_INVALID, "location", "is not a valid geometry: Self-inter"));
  n.in.zLocationWkt = NULL;
  n.in.parentId = 999;
  CHECK(refused(p, &n, KG_REFUSAL_INVALID, "parent_id", "must be a published comment of this"));
  /* an entry on someone's behalf: the address, the point, the land plot */
  n = comment(d, m);
  n.author.bModerator = 1;
  n.in.zChannel = "paper";
  n.in.offline = (struct kg_offline_author){"Иванов Иван", "1970-01-01", "нет такого", 0, 0, 0};
  CHECK(refused(p, &n, KG_REFUSAL_INVALID, "on_behalf_of.address", "is not in the address"));
  n.in.offline.bLocation = 1;
  n.in.offline.lon = 49.2;
  n.in.offline.lat = 55.9;
  CHECK(refused(p, &n, KG_REFUSAL_FORBIDDEN, NULL, "Адрес участника находится за пределами"));
  n.in.zOfflineCadastral = "16:50:000000:1";
  CHECK(refused(p, &n, KG_REFUSAL_INVALID, "on_behalf_of.cadastral_number",
                "is not in the parcels layer"));
  /* accepted: the answer is the comment as stored */
  n.in.zOfflineCadastral = NULL;
  n.in.offline.lon = 49.12;
  n.in.offline.lat = 55.79;
  n.in.documentId = own.id;
  n.in.page = 3;
  CHECK(kg_store_comment_submit(p, &n.in, &n.author, 1000, &sub) == KG_OK);
  CHECK(sub.comment.authorId == 0 && sub.comment.enteredBy == m && sub.bOffline &&
        strcmp(sub.comment.zBasis, "resident") == 0 && same_as_stored(p, &sub.comment));
  kg_comment_submission_clear(&sub);
  n = comment(d, a);
  n.in.zLocationWkt = "POINT(49.1201 55.7901)";
  n.in.zLocationGeoJson = "{\"type\":\"Point\",\"coordinates\":[49.1201,55.7901]}";
  CHECK(kg_store_comment_submit(p, &n.in, &n.author, 1000, &sub) == KG_OK);
  int64_t parentId = sub.comment.id;
  CHECK(same_as_stored(p, &sub.comment) && sub.comment.status == KG_CS_PENDING);
  kg_comment_clear(&sub.comment);
  n.in.zLocationWkt = NULL;
  n.in.parentId = parentId; /* pending: not yet a comment to reply to */
  CHECK(refused(p, &n, KG_REFUSAL_INVALID, "parent_id", "must be a published comment of this"));
  n = comment(d, m);
  n.author.bModerator = 1;
  n.in.zKind = NULL;
  CHECK(kg_store_comment_submit(p, &n.in, &n.author, 1000, &sub) == KG_OK);
  CHECK(same_as_stored(p, &sub.comment) && sub.comment.bOfficial &&
        strcmp(sub.comment.zDisplayName, "Комитет") == 0 && sub.comment.zRegNo == NULL);
  kg_comment_submission_clear(&sub);
  /* the rate limit: Retry-After from the oldest submission in the window */
  n = comment(d, a);
  for (int i = 0; i < KG_COMMENT_RATE_MAX - 1; i++)
    CHECK(kg_store_comment_submit(p, &n.in, &n.author, 1000, &sub) == KG_OK &&
          (kg_comment_submission_clear(&sub), 1));
  CHECK(refused(p, &n, KG_REFUSAL_RATE, NULL, "at most 10 comments a minute"));
  CHECK(kg_store_comment_submit(p, &n.in, &n.author, 1010, &sub) == KG_ELIMIT &&
        sub.refusal.retryAfter == 50);
  kg_comment_submission_clear(&sub);
  kg_store_close(p);
}

/* The fact an eligibility rests on holds while the account's eligibility
 * version does: any write to its residence (even the same point saved
 * again, or a verification) bumps it; a property, a revocation too. */
static void eligibility_fact_holds_only_while_unchanged(void) {
  struct kg_store *p = fresh();
  int64_t d = open_discussion(p), a = citizen(p, "f@x.org");
  struct kg_eligibility e;
  struct kg_elig_fact fact;
  CHECK(kg_store_eligibility_fact(p, a, d, &e, &fact) == KG_OK && e.bEligible);
  CHECK(fact.basis == KG_BASIS_RESIDENT && fact.version > 0 && fact.version == e.v.account);
  CHECK(kg_store_elig_fact_holds(p, a, &fact) == KG_OK);
  struct kg_elig_versions v;
  CHECK(kg_store_elig_versions(p, a, &v) == KG_OK && v.account == e.v.account &&
        v.catalogue == e.v.catalogue);
  CHECK(kg_store_residence_put(p, a, "Казань, ул. Баумана, 1", 49.12, 55.79, "point", 1,
                               "moderator", NULL, 2, NULL) == KG_OK);
  CHECK(kg_store_elig_fact_holds(p, a, &fact) == KG_ENOTFOUND);
  CHECK(kg_store_eligibility_fact(p, a, d, &e, &fact) == KG_OK && e.bEligible);
  CHECK(kg_store_elig_fact_holds(p, a, &fact) == KG_OK);
  CHECK(kg_store_verification_decide(p, a, 0, 0, "нет", 0, 4) == KG_OK);
  CHECK(kg_store_elig_fact_holds(p, a, &fact) == KG_ENOTFOUND);
  CHECK(kg_store_eligibility_fact(p, a, d, &e, &fact) == KG_OK && !e.bEligible &&
        fact.basis == KG_BASIS_NONE);
  /* a property of another account does not touch this one's version */
  int64_t b = citizen(p, "g@x.org");
  CHECK(kg_store_elig_versions(p, a, &v) == KG_OK && v.account == e.v.account);
  CHECK(kg_store_property_insert(p, b, "16:50:1:1",
                                 "POLYGON((49.1 55.7,49.2 55.7,49.2 55.8,49.1 55.8,49.1 55.7))",
                                 "geometry", 0, NULL, 5, NULL, NULL, 0) == KG_OK);
  struct kg_elig_versions w;
  CHECK(kg_store_elig_versions(p, a, &w) == KG_OK && w.account == v.account);
  CHECK(kg_store_elig_versions(p, b, &w) == KG_OK && w.account > 0);
  kg_store_close(p);
}

/* A proposal carrying its author's eligibility (as the api's cache gives
 * it): accepted without computing it again while the account's version
 * holds; with a stale one (revoked since) refused with the current
 * reason, nothing stored. */
static void known_eligibility_is_confirmed_by_version(void) {
  struct kg_store *p = fresh();
  int64_t d = open_discussion(p), a = citizen(p, "k@x.org");
  struct kg_eligibility e;
  struct kg_comment_submission sub;
  CHECK(kg_store_eligibility(p, a, d, &e) == KG_OK && e.bEligible);
  struct proposal n = comment(d, a);
  n.in.pElig = &e;
  CHECK(kg_store_comment_submit(p, &n.in, &n.author, 1000, &sub) == KG_OK && sub.comment.id > 0 &&
        strcmp(sub.comment.zBasis, "resident") == 0);
  kg_comment_submission_clear(&sub);
  CHECK(kg_store_verification_decide(p, a, 0, 0, "нет", 0, 1001) == KG_OK);
  CHECK(refused(p, &n, KG_REFUSAL_ELIGIBILITY, NULL, "not_verified"));
  kg_store_close(p);
}

/* ---- group commit ---- */

/* On pLock, which holds the write lock while n proposals wait for the
 * writer: revokes the residence of every fourth one's author (the
 * proposals are nSize bytes apart from pFirst) and commits. */
static void revoke_every_fourth(struct kg_store *pLock, const struct proposal *pFirst, size_t nSize,
                                int n) {
  for (int i = 3; i < n; i += 4) {
    const struct proposal *pN = (const void *)((const char *)pFirst + (size_t)i * nSize);
    char zSql[120];
    snprintf(zSql, sizeof(zSql), "UPDATE residences SET verified = 0 WHERE account_id = %lld",
             (long long)pN->author.id);
    CHECK(exec_ok(pLock, zSql));
  }
  CHECK(kg_store_commit(pLock) == KG_OK);
}

#define GROUP_N 16
struct submitter {
  struct kg_store *p;
  struct proposal n;
  enum kg_err rc;
  char zNo[KG_REGNO_SIZE];
};
static void *submit(void *pArg) {
  struct submitter *s = pArg;
  int64_t id = 0;
  s->rc = insert(s->p, &s->n, 100, &id, s->zNo, NULL);
  return NULL;
}

static void group_commit_answers_each_proposal_after_one_commit(void) {
  char *zPath = kg_xasprintf("%s/group.sqlite", g_zDir);
  struct kg_store *p = NULL, *pLock = NULL;
  CHECK(kg_store_open(zPath, &p) == KG_OK && kg_store_migrate(p, NULL) == KG_OK);
  int64_t d = open_discussion(p);
  struct submitter a[GROUP_N];
  memset(a, 0, sizeof(a));
  for (int i = 0; i < GROUP_N; i++) {
    char zEmail[32];
    snprintf(zEmail, sizeof(zEmail), "g%d@x.org", i);
    a[i].n = comment(d, citizen(p, zEmail));
    CHECK(kg_store_open(zPath, &a[i].p) == KG_OK);
  }
  /* another connection holds the write lock, so the writer's first group
   * waits in BEGIN IMMEDIATE while the rest queue up behind it */
  CHECK(kg_store_open(zPath, &pLock) == KG_OK && kg_store_begin(pLock) == KG_OK);
  CHECK(kg_store_writer_start(zPath) == KG_OK);
  /* operators find the writer, the checkpointer and the syncer by name (top -H, perf) */
  CHECK(thread_named("kg-writer") && thread_named("kg-checkpoint") && thread_named("kg-syncer"));
  pthread_t at[GROUP_N];
  for (int i = 0; i < GROUP_N; i++)
    CHECK(pthread_create(&at[i], NULL, submit, &a[i]) == 0);
  struct kg_store_writer_stats st = {0};
  for (int k = 0; k < 2000; k++) { /* up to 2 s, under the 5 s busy timeout */
    kg_store_writer_stats(&st);
    if (st.nQueued + st.nRunning == GROUP_N) break;
    usleep(1000);
  }
  CHECK(st.nQueued + st.nRunning == GROUP_N);
  /* every fourth author's residence is revoked while the proposals wait:
   * refused in its savepoint, with the eligibility reason */
  revoke_every_fourth(pLock, &a[0].n, sizeof(a[0]), GROUP_N);
  for (int i = 0; i < GROUP_N; i++)
    pthread_join(at[i], NULL);
  kg_store_writer_stats(&st);
  CHECK(st.nJob == GROUP_N && st.nGroup >= 1 && st.nGroup <= 2 && st.nQueued == 0);
  /* the accepted ones have the numbers 1..12 once each, durable; the
   * refused ones took none */
  int aSeen[GROUP_N + 1] = {0}, nOk = 0;
  for (int i = 0; i < GROUP_N; i++) {
    if (i % 4 == 3) {
      CHECK(a[i].rc == KG_EFORBIDDEN && a[i].zNo[0] == 0);
      continue;
    }
    CHECK(a[i].rc == KG_OK);
    long long dd = 0;
    int seq = 0;
    CHECK(sscanf(a[i].zNo, "D-%lld/%d", &dd, &seq) == 2 && dd == d && seq >= 1 && seq <= GROUP_N);
    if (seq >= 1 && seq <= GROUP_N) aSeen[seq]++;
    nOk++;
  }
  CHECK(nOk == GROUP_N * 3 / 4);
  for (int k = 1; k <= nOk; k++)
    CHECK(aSeen[k] == 1);
  /* the group's comments were indexed for full-text search by its commit
   * (one statement for all of them), and nothing is left queued */
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts_queue") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'деревья'") == nOk);
  kg_store_writer_stop();
  /* after stop, a proposal commits on its own connection */
  struct proposal n = comment(d, a[0].n.author.id);
  char zNo[KG_REGNO_SIZE];
  int64_t id = 0;
  CHECK(insert(a[0].p, &n, 200, &id, zNo, NULL) == KG_OK);
  char zWant[KG_REGNO_SIZE];
  snprintf(zWant, sizeof(zWant), "D-%lld/%04d", (long long)d, nOk + 1);
  CHECK(strcmp(zNo, zWant) == 0);
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts_queue") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'деревья'") ==
        nOk + 1);
  for (int i = 0; i < GROUP_N; i++)
    kg_store_close(a[i].p);
  kg_store_close(pLock);
  kg_store_close(p);
  free(zPath);
}

/* The async submission (what the HTTP handler uses): 300 proposals queued
 * while another connection holds the write lock make groups of up to 256,
 * every fourth refused (its author's residence revoked meanwhile). The
 * accepted comments of all groups but the last are fewer than the
 * writer's full-text batch, so with jobs waiting behind them those groups
 * leave them queued and the last indexes all: one FTS5 segment, nothing
 * left queued. */
#define ASYNC_N 300
struct async_slot {
  struct proposal n;
  struct kg_comment_submission sub;
  int64_t id;
  char zNo[KG_REGNO_SIZE];
  enum kg_err rc;
};
static atomic_int g_nAsyncDone;
static void async_done(void *pArg, enum kg_err rc) {
  struct async_slot *a = pArg;
  a->rc = rc;
  a->id = a->sub.comment.id;
  snprintf(a->zNo, sizeof(a->zNo), "%s", a->sub.comment.zRegNo ? a->sub.comment.zRegNo : "");
  kg_comment_submission_clear(&a->sub);
  atomic_fetch_add(&g_nAsyncDone, 1);
}

static void async_inserts_share_one_full_text_flush_under_load(void) {
  char *zPath = kg_xasprintf("%s/async.sqlite", g_zDir);
  struct kg_store *p = NULL, *pLock = NULL, *pReq = NULL;
  CHECK(kg_store_open(zPath, &p) == KG_OK && kg_store_migrate(p, NULL) == KG_OK);
  int64_t d = open_discussion(p);
  struct async_slot *a = kg_xcalloc(ASYNC_N, sizeof(*a));
  for (int i = 0; i < ASYNC_N; i++) {
    char zEmail[32];
    snprintf(zEmail, sizeof(zEmail), "a%d@x.org", i);
    a[i].n = comment(d, citizen(p, zEmail));
  }
  CHECK(kg_store_open(zPath, &pReq) == KG_OK);
  CHECK(kg_store_open(zPath, &pLock) == KG_OK && kg_store_begin(pLock) == KG_OK);
  CHECK(kg_store_writer_start(zPath) == KG_OK);
  atomic_store(&g_nAsyncDone, 0);
  for (int i = 0; i < ASYNC_N; i++)
    kg_store_comment_submit_async(pReq, &a[i].n.in, &a[i].n.author, 100, &a[i].sub, async_done,
                                  &a[i]);
  struct kg_store_writer_stats st = {0};
  for (int k = 0; k < 2000; k++) {
    kg_store_writer_stats(&st);
    if (st.nQueued + st.nRunning == ASYNC_N) break;
    usleep(1000);
  }
  CHECK(st.nQueued + st.nRunning == ASYNC_N && atomic_load(&g_nAsyncDone) == 0);
  revoke_every_fourth(pLock, &a[0].n, sizeof(a[0]), ASYNC_N);
  for (int k = 0; k < 5000 && atomic_load(&g_nAsyncDone) < ASYNC_N; k++)
    usleep(1000);
  CHECK(atomic_load(&g_nAsyncDone) == ASYNC_N);
  kg_store_writer_stats(&st);
  /* 256 + 44, or 1 + 256 + 43 when the writer took the first job alone
   * while the others were still being checked on this thread */
  CHECK(st.nGroup >= 2 && st.nGroup <= 3 && st.nJob == ASYNC_N);
  int nOk = 0, nBad = 0;
  for (int i = 0; i < ASYNC_N; i++) {
    if (i % 4 == 3)
      nBad += a[i].rc != KG_EFORBIDDEN || a[i].zNo[0];
    else
      nOk += a[i].rc == KG_OK && a[i].id > 0 && a[i].zNo[0] == 'D';
  }
  CHECK(nOk == ASYNC_N * 3 / 4 && nBad == 0);
  CHECK(q_int(p, "SELECT count(DISTINCT registration_number) FROM comments") == nOk);
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts_queue") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'деревья'") == nOk);
  CHECK(q_int(p, "SELECT count(DISTINCT segid) FROM comments_fts_idx") == 1);
  kg_store_writer_stop();
  kg_store_close(pLock);
  kg_store_close(pReq);
  kg_store_close(p);
  free(a);
  free(zPath);
}

/* The writer leaves checkpoints to the checkpointer thread (its own
 * connection), here at every 100 WAL frames: under a stream of proposals
 * (some 5 frames each) the WAL is copied back into the database and
 * started over, so it stays within twice that instead of growing with
 * every commit. */
#define CKPT_N 600
static void writer_wal_stays_bounded_under_a_stream_of_proposals(void) {
  char *zPath = kg_xasprintf("%s/ckpt.sqlite", g_zDir);
  char *zWal = kg_xasprintf("%s-wal", zPath);
  struct kg_store *p = NULL, *pReq = NULL;
  CHECK(kg_store_open(zPath, &p) == KG_OK && kg_store_migrate(p, NULL) == KG_OK);
  int64_t d = open_discussion(p), a = citizen(p, "w@x.org");
  CHECK(kg_store_open(zPath, &pReq) == KG_OK);
  /* the set-up's frames out of the way: the WAL file starts empty */
  CHECK(sqlite3_exec(p->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) == SQLITE_OK);
  CHECK(kg_store_writer_start_ex(zPath, 100) == KG_OK);
  int nOk = 0;
  for (int i = 0; i < CKPT_N; i++) {
    struct proposal n = comment(d, a);
    char zNo[KG_REGNO_SIZE];
    int64_t id = 0;
    /* 7 s apart: under the rate limit of one author */
    nOk += insert(pReq, &n, 100 + 7 * i, &id, zNo, NULL) == KG_OK;
  }
  CHECK(nOk == CKPT_N);
  struct kg_store_writer_stats st = {0};
  kg_store_writer_stats(&st);
  CHECK(st.nGroup == CKPT_N); /* one at a time: a commit each, some 10 frames */
  struct stat sb;
  CHECK(stat(zWal, &sb) == 0);
  /* without a restart it would hold every frame: about 3,000 of 4 KiB */
  CHECK(sb.st_size < (off_t)300 * 4096);
  CHECK(q_int(p, "SELECT count(*) FROM comments") == CKPT_N);
  kg_store_writer_stop();
  kg_store_close(pReq);
  kg_store_close(p);
  free(zWal);
  free(zPath);
}

/* How many comments the spatial index holds at (x y): SpatiaLite's R*Tree
 * read directly, or PostgreSQL's GiST index through &&. */
static int indexed_at(struct kg_store *p, const char *zX, const char *zY) {
  char zSql[300];
  if (p->pPg)
    snprintf(zSql, sizeof(zSql),
             "SELECT count(*) FROM comments WHERE location && "
             "ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
             zX, zY, zX, zY);
  else
    snprintf(zSql, sizeof(zSql),
             "SELECT count(*) FROM idx_comments_location WHERE "
             "xmin <= %s AND xmax >= %s AND ymin <= %s AND ymax >= %s",
             zX, zX, zY, zY);
  return q_int(p, zSql);
}

/* How many comments kg_store_comment_list finds in a small box around
 * (x y) among those of statuses mask. */
static int listed_at(struct kg_store *p, unsigned mask, double x, double y) {
  struct kg_comment_filter f = {0};
  int n = 0;
  f.statusMask = mask;
  f.bBbox = 1;
  f.bbox[0] = x - 1e-4;
  f.bbox[1] = y - 1e-4;
  f.bbox[2] = x + 1e-4;
  f.bbox[3] = y + 1e-4;
  CHECK(kg_store_comment_list(p, &f, count_row, &n) == KG_OK);
  return n;
}

/* A proposal's point waits outside the spatial index while it is pending
 * and enters it when moderation decides it (migration 0023): the index
 * stays whole for GDAL and QGIS, and the writer does not pay for it per
 * proposal. Moderators' lists still find pending proposals by place;
 * editing moves the waiting point; migration 0009's triggers keep the
 * index without SpatiaLite's RTreeAlign. */
static void spatial_index_takes_a_point_when_moderation_decides(void) {
  struct kg_store *p = fresh();
  int64_t d = open_discussion(p), a = citizen(p, "r@x.org"), m = add_account(p, "m@x.org");
  int64_t id = 0, id2 = 0;
  unsigned pending = 1u << KG_CS_PENDING, published = 1u << KG_CS_PUBLISHED;
  struct proposal n = comment(d, a);
  char zNo[KG_REGNO_SIZE];
  n.in.zLocationWkt = "POINT(49.1201 55.7901)";
  n.in.zLocationGeoJson = "{\"type\":\"Point\",\"coordinates\":[49.1201,55.7901]}";
  CHECK(insert(p, &n, 100, &id, zNo, NULL) == KG_OK);
  CHECK(indexed_at(p, "49.1201", "55.7901") == 0);
  CHECK(q_int(p, "SELECT count(*) FROM comments WHERE location IS NULL AND "
                 "pending_location IS NOT NULL") == 1);
  CHECK(listed_at(p, pending, 49.1201, 55.7901) == 1);
  CHECK(listed_at(p, pending | published, 49.1201, 55.7901) == 1);
  CHECK(listed_at(p, published, 49.1201, 55.7901) == 0);
  CHECK(listed_at(p, pending, 49.1222, 55.7911) == 0);
  struct kg_comment_filter f = {0};
  int nRow = 0;
  f.statusMask = pending;
  f.bLocated = 1;
  CHECK(kg_store_comment_list(p, &f, count_row, &nRow) == KG_OK && nRow == 1);

  struct kg_comment_edit e = {0};
  e.zLocationWkt = "POINT(49.1222 55.7911)";
  e.zLocationGeoJson = "{\"type\":\"Point\",\"coordinates\":[49.1222,55.7911]}";
  CHECK(kg_store_comment_update(p, id, &e, 101) == KG_OK);
  CHECK(listed_at(p, pending, 49.1201, 55.7901) == 0);
  CHECK(listed_at(p, pending, 49.1222, 55.7911) == 1);
  CHECK(indexed_at(p, "49.1222", "55.7911") == 0);

  /* published: the edited point is indexed, and listed as published */
  CHECK(kg_store_comment_moderate(p, id, 1, NULL, NULL, m, NULL, 102) == KG_OK);
  CHECK(indexed_at(p, "49.1222", "55.7911") == 1);
  CHECK(indexed_at(p, "49.1201", "55.7901") == 0);
  CHECK(listed_at(p, published, 49.1222, 55.7911) == 1);
  CHECK(listed_at(p, pending, 49.1222, 55.7911) == 0);
  CHECK(q_int(p, "SELECT count(*) FROM comments WHERE pending_location IS NOT NULL") == 0);

  /* withdrawn is decided too: its point is indexed; a cleared one is gone */
  n.in.zLocationWkt = "POINT(49.1211 55.7905)";
  n.in.zLocationGeoJson = "{\"type\":\"Point\",\"coordinates\":[49.1211,55.7905]}";
  CHECK(insert(p, &n, 103, &id2, zNo, NULL) == KG_OK);
  CHECK(kg_store_comment_withdraw(p, id2, 104) == KG_OK);
  CHECK(indexed_at(p, "49.1211", "55.7905") == 1);
  CHECK(insert(p, &n, 105, &id2, zNo, NULL) == KG_OK);
  memset(&e, 0, sizeof(e));
  e.bClearLocation = 1;
  CHECK(kg_store_comment_update(p, id2, &e, 106) == KG_OK);
  CHECK(kg_store_comment_moderate(p, id2, 0, "offensive", NULL, m, NULL, 107) == KG_OK);
  CHECK(q_int(p, "SELECT count(*) FROM comments WHERE location IS NOT NULL") == 2);
  CHECK(q_int(p, "SELECT count(*) FROM comments WHERE pending_location IS NOT NULL") == 0);

  if (!p->pPg) {
    /* whole for SpatiaLite's own check, and without its own triggers */
    CHECK(q_int(p, "SELECT CheckSpatialIndex('comments', 'location')") == 1);
    CHECK(q_int(p, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND "
                   "tbl_name = 'comments' AND sql LIKE '%RTreeAlign%'") == 0);
  }
  kg_store_close(p);
}

int main(void) {
  harness_begin();
  RUN(fts_query_folds_and_quotes_words);
  RUN(registration_numbers_are_sequential_per_discussion);
  RUN(closed_discussion_and_rate_limit_refuse);
  RUN(location_rule_allows_a_100_m_margin);
  RUN(moderation_supports_lists_and_log);
  RUN(submission_refusals_name_the_field);
  RUN(eligibility_fact_holds_only_while_unchanged);
  RUN(known_eligibility_is_confirmed_by_version);
  RUN(group_commit_answers_each_proposal_after_one_commit);
  RUN(async_inserts_share_one_full_text_flush_under_load);
  RUN(spatial_index_takes_a_point_when_moderation_decides);
  RUN(writer_wal_stays_bounded_under_a_stream_of_proposals);
  return harness_end();
}

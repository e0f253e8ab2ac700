/* comment_submit.c: the submission of a comment as one store call. Every
 * rule a proposal must meet is checked here and holds at commit: the
 * discussion accepts comments (the one rule, kg_comment_accepting),
 * eligibility and its basis, the document and page, the parent, the
 * location against the territory, an offline entry's territory or land
 * plot, and the rate limit.
 *
 * Two halves keep the group-commit writer (the throughput limit) lean:
 * the request thread runs the expensive geometry tests on its own
 * connection and records what the eligibility rests on (the account's
 * eligibility version it was computed under, or that of the answer the
 * caller already had: pIn->pElig); the writer's job then
 * confirms it with one lookup by key inside the transaction that inserts,
 * with the discussion's status, the parent, the document and the rate
 * limit.
 * Territories and documents never change once stored (the store has no
 * UPDATE or DELETE for them), so the location rule and the offline
 * territory checks made on the request thread still hold at commit. When
 * a fact has gone stale (a verification revoked while the proposal waited
 * in the writer's queue) the job computes the eligibility again, on the
 * writer's connection in its transaction, so the refusal carries the
 * current reason. */
#define _GNU_SOURCE
#include "submit_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char zLocationRule[] =
    "must lie within the discussion's territory or within 100 m of it";
#define LOCATION_MARGIN_M 100.0

/* ---- the one rule for "accepting comments" ---- */

/* Proposals, and authors' changes to them, only while the discussion is
 * open: once it has closed the registered record is final, so the
 * protocol and every reissue of it list the same entries. Official
 * answers are not proposals and may come in every stage but draft and
 * cancelled. */
int kg_comment_accepting(enum kg_status st, int bOfficial) {
  return bOfficial ? st != KG_ST_DRAFT && st != KG_ST_CANCELLED : st == KG_ST_OPEN;
}

enum kg_err kg_store_comment_accepts(struct kg_store *p, int64_t discussionId, int bOfficial) {
  enum kg_status st = KG_ST_DRAFT;
  enum kg_err rc = kg_store_discussion_status(p, discussionId, &st, NULL);
  if (rc) return rc;
  return kg_comment_accepting(st, bOfficial) ? KG_OK : KG_ECONFLICT;
}

/* ---- refusals ---- */

static const enum kg_err aKindErr[] = {[KG_REFUSAL_NONE] = KG_EDB,
                                       [KG_REFUSAL_NOT_FOUND] = KG_ENOTFOUND,
                                       [KG_REFUSAL_CONFLICT] = KG_ECONFLICT,
                                       [KG_REFUSAL_FORBIDDEN] = KG_EFORBIDDEN,
                                       [KG_REFUSAL_INVALID] = KG_EINVAL,
                                       [KG_REFUSAL_RATE] = KG_ELIMIT,
                                       [KG_REFUSAL_ELIGIBILITY] = KG_EFORBIDDEN};

/* Fills *f: the kind's error, or rc for a failure (KG_REFUSAL_NONE), the
 * field (static) and the reason. Returns f->rc. */
static enum kg_err refuse(struct kg_refusal *f, enum kg_refusal_kind kind, enum kg_err rc,
                          const char *zField, const char *zFmt, ...)
    __attribute__((format(printf, 5, 6)));
static enum kg_err refuse(struct kg_refusal *f, enum kg_refusal_kind kind, enum kg_err rc,
                          const char *zField, const char *zFmt, ...) {
  va_list ap;
  f->kind = kind;
  f->rc = kind == KG_REFUSAL_NONE ? rc : aKindErr[kind];
  f->zField = zField;
  va_start(ap, zFmt);
  vsnprintf(f->zReason, sizeof(f->zReason), zFmt, ap);
  va_end(ap);
  return f->rc;
}

/* ---- one submission ---- */

struct submit {
  const struct kg_comment_proposal *pIn;
  struct kg_comment_author author;
  int64_t tNow;
  struct kg_comment_submission *pOut;
  int bOfficial;
  int64_t projectId;
  const char *zBasis;       /* static */
  struct kg_elig_fact fact; /* what the eligibility rests on (online proposals) */
  char zDisplay[256];
  int64_t id;
  char zRegNo[KG_REGNO_SIZE];
  kg_store_done_fn xDone;
  void *pDoneArg;
};

static struct submit *submit_new(const struct kg_comment_proposal *pIn,
                                 const struct kg_comment_author *pAuthor, int64_t tNow,
                                 struct kg_comment_submission *pOut) {
  struct submit *x = kg_xcalloc(1, sizeof(*x));
  memset(pOut, 0, sizeof(*pOut));
  x->pIn = pIn;
  x->author = *pAuthor;
  x->tNow = tNow;
  x->pOut = pOut;
  x->bOfficial = pAuthor->bModerator && !pIn->zChannel;
  return x;
}

static void submit_free(struct submit *x) {
  kg_elig_fact_clear(&x->fact);
  free(x);
}

/* The eligibility of an online proposal's author and its fact: pKnown
 * when given (an answer the caller had, under its versions), else computed
 * on p. */
static enum kg_err check_eligible(struct kg_store *p, struct submit *x,
                                  const struct kg_eligibility *pKnown) {
  struct kg_refusal *f = &x->pOut->refusal;
  struct kg_eligibility e;
  enum kg_err rc = KG_OK;
  kg_elig_fact_clear(&x->fact);
  if (pKnown) {
    e = *pKnown;
    kg_elig_fact_of(&e, &x->fact);
  } else {
    rc = kg_store_eligibility_fact(p, x->author.id, x->pIn->discussionId, &e, &x->fact);
  }
  if (rc) return refuse(f, KG_REFUSAL_NONE, rc, NULL, "cannot check the eligibility");
  if (!e.bEligible) {
    f->elig = e;
    refuse(f, KG_REFUSAL_ELIGIBILITY, KG_OK, NULL, "%s", kg_elig_reason_name(e.reason));
    if (e.reason == KG_ELIG_NOT_OPEN) f->rc = KG_ECONFLICT;
    return f->rc;
  }
  x->zBasis = kg_basis_name(e.basis);
  return KG_OK;
}

/* Whether the row of zSql (?1 id, ?2 other) says yes; KG_ENOTFOUND
 * without the row. */
static enum kg_err lookup(struct kg_store *p, const char *zSql, int64_t id, int64_t other,
                          int *pbYes, const char *zWhat) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p, zSql, &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  kg_db_bind_i64(s, 2, other);
  if ((rc = kg_store_sql_row(p, s, zWhat)) == KG_OK) *pbYes = kg_db_col_int(s, 0) == 1;
  kg_store_sql_done(p, s);
  return rc;
}

/* The document belongs to the discussion's project. */
static enum kg_err check_document(struct kg_store *p, int64_t projectId, int64_t documentId,
                                  struct kg_refusal *f) {
  int bOk = 0;
  if (!documentId) return KG_OK;
  enum kg_err rc = lookup(p, "SELECT project_id = ?2 FROM documents WHERE id = ?1", documentId,
                          projectId, &bOk, "comment document");
  if (rc == KG_ENOTFOUND || (rc == KG_OK && !bOk))
    return refuse(f, KG_REFUSAL_INVALID, KG_OK, "document_id",
                  "is not a document of this discussion's project");
  if (rc) return refuse(f, KG_REFUSAL_NONE, rc, NULL, "cannot read the document");
  return KG_OK;
}

/* The parent is a published comment of the same discussion. */
static enum kg_err check_parent(struct kg_store *p, struct submit *x) {
  struct kg_refusal *f = &x->pOut->refusal;
  int bOk = 0;
  if (!x->pIn->parentId) return KG_OK;
  enum kg_err rc =
      lookup(p, "SELECT discussion_id = ?2 AND status = 'published' FROM comments WHERE id = ?1",
             x->pIn->parentId, x->pIn->discussionId, &bOk, "comment parent");
  if (rc == KG_ENOTFOUND || (rc == KG_OK && !bOk))
    return refuse(f, KG_REFUSAL_INVALID, KG_OK, "parent_id",
                  "must be a published comment of this discussion");
  if (rc) return refuse(f, KG_REFUSAL_NONE, rc, NULL, "cannot read the comment replied to");
  return KG_OK;
}

/* The location rule (the territory and 100 m around it). */
static enum kg_err check_location(struct kg_store *p, int64_t discussionId, const char *zWkt,
                                  struct kg_refusal *f) {
  char zErr[300];
  int bOk = 0;
  if (!zWkt) return KG_OK;
  enum kg_err rc = kg_store_comment_location_check(p, discussionId, zWkt, LOCATION_MARGIN_M, &bOk,
                                                   zErr, sizeof(zErr));
  if (rc == KG_EINVAL)
    return refuse(f, KG_REFUSAL_INVALID, KG_OK, "location", "is not a valid geometry: %s", zErr);
  if (rc) return refuse(f, KG_REFUSAL_NONE, rc, NULL, "cannot check the location");
  if (!bOk) return refuse(f, KG_REFUSAL_INVALID, KG_OK, "location", "%s", zLocationRule);
  return KG_OK;
}

enum kg_err kg_store_comment_place_check(struct kg_store *p, int64_t discussionId,
                                         int64_t projectId, int64_t documentId, const char *zWkt,
                                         struct kg_refusal *f) {
  memset(f, 0, sizeof(*f));
  enum kg_err rc = check_document(p, projectId, documentId, f);
  return rc ? rc : check_location(p, discussionId, zWkt, f);
}

/* An entry on someone's behalf: where the author lives (the point given,
 * or the address geocoded through the address registry) lies in the
 * territory, or the land plot named (a right holder) intersects it. */
static enum kg_err check_offline(struct kg_store *p, struct submit *x) {
  struct kg_refusal *f = &x->pOut->refusal;
  struct kg_offline_author *o = &x->pOut->offline;
  const char *zCad = x->pIn->zOfflineCadastral;
  int bIn = 0, bFound = 1;
  enum kg_err rc;
  *o = x->pIn->offline;
  x->pOut->bOffline = 1;
  if (!o->bLocation && !zCad) {
    rc = kg_store_address_geocode(p, o->zAddress, &o->lon, &o->lat, NULL, 0);
    if (rc == KG_ENOTFOUND)
      return refuse(f, KG_REFUSAL_INVALID, KG_OK, "on_behalf_of.address",
                    "is not in the address registry: give on_behalf_of.location, the point of "
                    "the residence");
    if (rc) return refuse(f, KG_REFUSAL_NONE, rc, NULL, "cannot look the address up");
    o->bLocation = 1;
  }
  rc = zCad ? kg_store_parcel_in_territory(p, x->pIn->discussionId, zCad, &bFound, &bIn)
            : kg_store_comment_point_in_territory(p, x->pIn->discussionId, o->lon, o->lat, &bIn);
  if (rc) return refuse(f, KG_REFUSAL_NONE, rc, NULL, "cannot check the eligibility");
  if (zCad && !bIn)
    return refuse(f, KG_REFUSAL_INVALID, KG_OK, "on_behalf_of.cadastral_number", "%s",
                  bFound ? "the land plot lies outside the territory of this discussion"
                         : "is not in the parcels layer");
  if (!bIn)
    return refuse(f, KG_REFUSAL_FORBIDDEN, KG_OK, NULL,
                  "Адрес участника находится за пределами территории этого обсуждения");
  x->zBasis = zCad ? "rightholder" : "resident";
  return KG_OK;
}

/* The public name: an official answer is signed by the project's
 * organizer (the moderator who wrote it is in the moderation log), cut at
 * a character boundary. */
static enum kg_err sign(struct kg_store *p, struct submit *x) {
  struct kg_project pr = {0};
  const char *z = x->pIn->zDisplayName ? x->pIn->zDisplayName : "";
  if (x->bOfficial) {
    enum kg_err rc = kg_store_project_get(p, x->projectId, &pr);
    if (rc) return refuse(&x->pOut->refusal, KG_REFUSAL_NONE, rc, NULL, "cannot read the project");
    z = pr.zOrganizer ? pr.zOrganizer : "";
  }
  size_t n = strlen(z);
  if (n >= sizeof(x->zDisplay)) {
    n = sizeof(x->zDisplay) - 1;
    while (n && ((unsigned char)z[n] & 0xC0) == 0x80)
      n--;
  }
  memcpy(x->zDisplay, z, n);
  x->zDisplay[n] = 0;
  kg_project_clear(&pr);
  return KG_OK;
}

/* The request thread's half, on its own connection: everything but what
 * the writer confirms, in the order the refusals have always come. */
static enum kg_err request_checks(struct kg_store *p, struct submit *x) {
  struct kg_refusal *f = &x->pOut->refusal;
  enum kg_status st = KG_ST_DRAFT;
  enum kg_err rc = kg_store_discussion_status(p, x->pIn->discussionId, &st, &x->projectId);
  if (rc == KG_OK && st == KG_ST_DRAFT && !x->author.bModerator) rc = KG_ENOTFOUND;
  if (rc == KG_ENOTFOUND) return refuse(f, KG_REFUSAL_NOT_FOUND, KG_OK, NULL, "no such discussion");
  if (rc) return refuse(f, KG_REFUSAL_NONE, rc, NULL, "cannot read the discussion");
  if (!kg_comment_accepting(st, x->bOfficial))
    return refuse(f, KG_REFUSAL_CONFLICT, KG_OK, NULL,
                  x->bOfficial
                      ? "the discussion is %s: answers are not accepted"
                      : "comments are accepted only while the discussion is open; it is %s",
                  kg_status_name(st));
  if (!x->author.bModerator && (rc = check_eligible(p, x, x->pIn->pElig)) != KG_OK) return rc;
  const struct kg_comment_proposal *pIn = x->pIn;
  if ((rc = kg_store_comment_place_check(p, pIn->discussionId, x->projectId, pIn->documentId,
                                         pIn->zLocationWkt, f)) != KG_OK ||
      (rc = check_parent(p, x)) != KG_OK)
    return rc;
  if (x->pIn->zChannel && (rc = check_offline(p, x)) != KG_OK) return rc;
  return sign(p, x);
}

/* ---- the writer's half ---- */

/* KG_ELIMIT (with *pnRetry) when accountId made KG_COMMENT_RATE_MAX
 * submissions in the last KG_COMMENT_RATE_WINDOW seconds. */
static enum kg_err rate_check(struct kg_store *p, int64_t accountId, int64_t tNow,
                              int64_t *pnRetry) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(p,
                                        "SELECT count(*), min(created_at) FROM comments "
                                        "WHERE author_id = ?1 AND created_at > ?2",
                                        &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, accountId);
  kg_db_bind_i64(s, 2, tNow - KG_COMMENT_RATE_WINDOW);
  if ((rc = kg_store_sql_one(p, s, "comment rate")) == KG_OK &&
      kg_db_col_i64(s, 0) >= KG_COMMENT_RATE_MAX) {
    int64_t nRetry = kg_db_col_i64(s, 1) + KG_COMMENT_RATE_WINDOW - tNow;
    *pnRetry = nRetry < 1 ? 1 : nRetry;
    rc = KG_ELIMIT;
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* The checks that must hold at commit, in the writer's transaction: the
 * discussion still accepts comments, the eligibility's fact still holds
 * (else the eligibility again, for its current reason), the parent (and
 * document) and the rate limit. One lookup by key each. */
static enum kg_err writer_checks(struct kg_store *p, struct submit *x) {
  struct kg_refusal *f = &x->pOut->refusal;
  enum kg_err rc = kg_store_comment_accepts(p, x->pIn->discussionId, x->bOfficial);
  if (rc == KG_ECONFLICT)
    return refuse(f, KG_REFUSAL_CONFLICT, KG_OK, NULL,
                  "the discussion is not accepting comments now");
  if (rc) return refuse(f, KG_REFUSAL_NONE, rc, NULL, "cannot save the comment");
  if (x->fact.basis != KG_BASIS_NONE) {
    rc = kg_store_elig_fact_holds(p, x->author.id, &x->fact);
    if (rc == KG_ENOTFOUND) rc = check_eligible(p, x, NULL); /* stale: the rare path */
    if (rc)
      return rc == f->rc ? rc : refuse(f, KG_REFUSAL_NONE, rc, NULL, "cannot save the comment");
  }
  if ((rc = check_document(p, x->projectId, x->pIn->documentId, f)) != KG_OK ||
      (rc = check_parent(p, x)) != KG_OK)
    return rc;
  if (!x->author.bModerator && x->author.id) {
    rc = rate_check(p, x->author.id, x->tNow, &f->retryAfter);
    if (rc == KG_ELIMIT)
      return refuse(f, KG_REFUSAL_RATE, KG_OK, NULL, "at most %d comments a minute",
                    KG_COMMENT_RATE_MAX);
    if (rc) return refuse(f, KG_REFUSAL_NONE, rc, NULL, "cannot save the comment");
  }
  return KG_OK;
}

/* The counter lives in the discussion's content_versions row (0022),
 * which the comment's insert changes anyway, not in its wide discussions
 * row. */
enum kg_err kg_store_comment_number(struct kg_store *p, int64_t id, int64_t *pSeq,
                                    char zRegNo[KG_REGNO_SIZE]) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "INSERT INTO content_versions (scope, v, comment_seq) VALUES (?1, 1, 1) ON CONFLICT "
      "(scope) DO UPDATE SET comment_seq = content_versions.comment_seq + 1 RETURNING comment_seq",
      &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  /* the upsert is done by the first step; the reset ends it */
  if ((rc = kg_store_sql_one(p, s, "comment sequence")) == KG_OK) {
    *pSeq = kg_db_col_i64(s, 0);
    snprintf(zRegNo, KG_REGNO_SIZE, "D-%lld/%04lld", (long long)id, (long long)*pSeq);
  }
  kg_store_sql_done(p, s);
  return rc;
}

/* The identification data of an entry on someone's behalf. */
static enum kg_err insert_offline(struct kg_store *p, struct submit *x) {
  const struct kg_offline_author *o = &x->pOut->offline;
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "INSERT INTO comment_offline_authors (comment_id, full_name, birth_date, address, "
      "lon, lat, cadastral_number) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, x->id);
  kg_store_bind_text(s, 2, o->zFullName);
  kg_store_bind_text(s, 3, o->zBirthDate);
  kg_store_bind_text(s, 4, o->zAddress);
  if (o->bLocation) {
    kg_db_bind_double(s, 5, o->lon);
    kg_db_bind_double(s, 6, o->lat);
  }
  kg_store_bind_text(s, 7, x->pIn->zOfflineCadastral);
  return kg_store_sql_run(p, s, "comment offline author");
}

/* The proposal's row. RETURNING only on PostgreSQL: SQLite's gathers the
 * returned rows in a temporary table opened and closed per statement (a
 * tenth of this INSERT in the writer), and kg_store_sql_insert takes the
 * rowid there. A pending proposal's point goes to pending_location (?21),
 * an official answer's, published at once, to location (?20): the spatial
 * index takes a point when moderation decides it (migration 0023). */
#define INSERT_COMMENT(RETURNING)                                                                  \
  "INSERT INTO comments (discussion_id, author_id, registration_number, kind, channel, "           \
  "body, parent_id, document_id, page, status, basis, created_at, updated_at, official, "          \
  "display_name, location_geojson, seq, entered_by, moderated_by, moderated_at, "                  \
  "location, pending_location) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, "   \
  "?13, ?14, ?15, ?16, ?17, ?18, ?19, GeomFromText(?20, 4326), GeomFromText(?21, 4326))" RETURNING
static const char zInsert[] = INSERT_COMMENT("");
static const char zInsertPg[] = INSERT_COMMENT(" RETURNING id");
#undef INSERT_COMMENT

/* The rows: the comment with its registration number (not for official
 * answers), the offline author, the moderation log for moderators'
 * entries and answers. */
static enum kg_err insert_rows(struct kg_store *p, struct submit *x) {
  const struct kg_comment_proposal *pIn = x->pIn;
  struct kg_db_stmt *s = NULL;
  int64_t seq = 0;
  enum kg_err rc;
  if (!x->bOfficial) {
    if ((rc = kg_store_comment_number(p, pIn->discussionId, &seq, x->zRegNo)) != KG_OK) return rc;
  }
  rc = kg_store_sql_prepare(p, p->pPg ? zInsertPg : zInsert, &s);
  if (rc) return rc;
  int64_t authorId = pIn->zChannel ? 0 : x->author.id;
  kg_store_bind_id(s, 1, pIn->discussionId);
  kg_store_bind_id(s, 2, authorId);
  kg_store_bind_text(s, 3, x->bOfficial ? NULL : x->zRegNo);
  kg_store_bind_text(s, 4, pIn->zKind ? pIn->zKind : "remark");
  kg_store_bind_text(s, 5, pIn->zChannel ? pIn->zChannel : "online");
  kg_store_bind_text(s, 6, pIn->zBody);
  kg_store_bind_id(s, 7, pIn->parentId);
  kg_store_bind_id(s, 8, pIn->documentId);
  kg_store_bind_id(s, 9, pIn->page);
  kg_store_bind_text(s, 10, x->bOfficial ? "published" : "pending");
  kg_store_bind_text(s, 11, x->zBasis);
  kg_db_bind_i64(s, 12, x->tNow);
  kg_db_bind_int(s, 13, x->bOfficial);
  kg_store_bind_text(s, 14, x->zDisplay);
  kg_store_bind_text(s, 15, pIn->zLocationWkt ? pIn->zLocationGeoJson : NULL);
  kg_store_bind_id(s, 16, seq);
  kg_store_bind_id(s, 17, pIn->zChannel ? x->author.id : 0);
  kg_store_bind_id(s, 18, x->bOfficial ? authorId : 0);
  kg_store_bind_id(s, 19, x->bOfficial ? x->tNow : 0);
  kg_store_bind_text(s, 20, x->bOfficial ? pIn->zLocationWkt : NULL);
  kg_store_bind_text(s, 21, x->bOfficial ? NULL : pIn->zLocationWkt);
  if ((rc = kg_store_sql_insert(p, s, "comment insert", &x->id)) != KG_OK) return rc;
  p->nFtsTx++; /* the trigger queued it for the full-text index */
  if (pIn->zChannel && (rc = insert_offline(p, x)) != KG_OK) return rc;
  if (x->bOfficial)
    rc = kg_store_modlog_insert(p, authorId, "comment.answer", "comment", x->id, NULL, x->tNow);
  else if (pIn->zChannel)
    rc = kg_store_modlog_insert(p, x->author.id, "comment.offline_entry", "comment", x->id,
                                pIn->zChannel, x->tNow);
  return rc;
}

/* The writer's job (or the caller's, without a writer): one transaction,
 * a savepoint of the writer's group. */
static enum kg_err submit_job(struct kg_store *p, void *pArg) {
  struct submit *x = pArg;
  struct kg_store_tx tx = {0, 0};
  enum kg_err rc = kg_store_tx_begin(p, &tx);
  if (rc == KG_OK) rc = writer_checks(p, x);
  if (rc == KG_OK) rc = insert_rows(p, x);
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

/* ---- the answer ---- */

static char *dup_or_null(const char *z) {
  return z ? kg_xstrdup(z) : NULL;
}

/* Fills the submission's answer once the job's group is committed (rc
 * KG_OK: the comment as stored, for the reply) or refused. */
static void submit_finish(struct submit *x, enum kg_err rc) {
  struct kg_comment_submission *pOut = x->pOut;
  const struct kg_comment_proposal *pIn = x->pIn;
  struct kg_comment *c = &pOut->comment;
  if (rc != KG_OK) {
    if (pOut->refusal.rc == KG_OK)
      refuse(&pOut->refusal, KG_REFUSAL_NONE, rc, NULL, "cannot save the comment");
    return;
  }
  c->id = x->id;
  c->discussionId = pIn->discussionId;
  c->projectId = x->projectId;
  c->authorId = pIn->zChannel ? 0 : x->author.id;
  c->enteredBy = pIn->zChannel ? x->author.id : 0;
  c->parentId = pIn->parentId;
  c->documentId = pIn->documentId;
  c->page = pIn->page;
  c->zRegNo = x->bOfficial ? NULL : kg_xstrdup(x->zRegNo);
  c->zKind = kg_xstrdup(pIn->zKind ? pIn->zKind : "remark");
  c->zChannel = kg_xstrdup(pIn->zChannel ? pIn->zChannel : "online");
  c->zBody = kg_xstrdup(pIn->zBody);
  c->zLocation = pIn->zLocationWkt ? dup_or_null(pIn->zLocationGeoJson) : NULL;
  c->status = x->bOfficial ? KG_CS_PUBLISHED : KG_CS_PENDING;
  c->zBasis = dup_or_null(x->zBasis);
  c->bOfficial = x->bOfficial;
  c->zDisplayName = kg_xstrdup(x->zDisplay);
  c->moderatedAt = x->bOfficial ? x->tNow : 0;
  c->createdAt = c->updatedAt = x->tNow;
}

void kg_comment_submission_clear(struct kg_comment_submission *pSub) {
  if (!pSub) return;
  kg_comment_clear(&pSub->comment);
  memset(pSub, 0, sizeof(*pSub));
}

enum kg_err kg_store_comment_submit(struct kg_store *p, const struct kg_comment_proposal *pIn,
                                    const struct kg_comment_author *pAuthor, int64_t tNow,
                                    struct kg_comment_submission *pOut) {
  struct submit *x = submit_new(pIn, pAuthor, tNow, pOut);
  enum kg_err rc = request_checks(p, x);
  if (rc == KG_OK) rc = kg_store_write(p, submit_job, x);
  submit_finish(x, rc);
  submit_free(x);
  return rc;
}

/* The writer's answer (its thread, or the caller's when refused early). */
static void submit_done(void *pArg, enum kg_err rc) {
  struct submit *x = pArg;
  kg_store_done_fn xDone = x->xDone;
  void *pDoneArg = x->pDoneArg;
  submit_finish(x, rc);
  submit_free(x);
  xDone(pDoneArg, rc);
}

void kg_store_comment_submit_async(struct kg_store *p, const struct kg_comment_proposal *pIn,
                                   const struct kg_comment_author *pAuthor, int64_t tNow,
                                   struct kg_comment_submission *pOut, kg_store_done_fn xDone,
                                   void *pDoneArg) {
  struct submit *x = submit_new(pIn, pAuthor, tNow, pOut);
  x->xDone = xDone;
  x->pDoneArg = pDoneArg;
  enum kg_err rc = request_checks(p, x);
  if (rc != KG_OK)
    submit_done(x, rc);
  else
    kg_store_write_async(p, submit_job, x, submit_done, x);
}

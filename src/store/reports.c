/* reports.c: what the official outputs of a discussion are made of and
 * where they are kept — the registered comments as the protocol records
 * them, the annex of participants (identification data, moderators only),
 * the recipients of the conclusion, issued documents (immutable versions
 * with their SHA-256) and the organizer's draft of the conclusion
 * (recommendations, merged groups, findings).
 *
 * Statements are cached per connection by their SQL text. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

/* A comment the protocol records: registered, not an answer, not withdrawn. */
#define REGISTERED                                                                                 \
  "c.registration_number IS NOT NULL AND c.official = 0 AND c.status <> 'withdrawn'"

/* ---- what the protocol records ---- */

enum kg_err kg_store_report_entries(struct kg_store *p, int64_t discussionId, int64_t authorId,
                                    int (*xRow)(void *pArg, const struct kg_report_entry *),
                                    void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT c.id, coalesce(c.author_id, 0), c.registration_number, c.kind, c.body, c.channel, "
      "c.location_geojson, c.status, c.basis, c.moderation_reason, "
      "CASE WHEN c.author_id IS NOT NULL THEN 'a' || c.author_id "
      "WHEN o.comment_id IS NOT NULL THEN 'o' || o.full_name || '|' || o.birth_date || '|' || "
      "o.address ELSE 'c' || c.id END, c.created_at "
      "FROM comments c LEFT JOIN comment_offline_authors o ON o.comment_id = c.id "
      "WHERE c.discussion_id = ?1 AND " REGISTERED " AND (?2 = 0 OR c.author_id = ?2) "
      "ORDER BY c.seq, c.id",
      "ii", discussionId, authorId);
  if (rc) return rc;
  while ((rc = kg_store_sql_row(p, s, "report entries")) == KG_OK) {
    struct kg_report_entry e = {
        kg_db_col_i64(s, 0),     kg_db_col_i64(s, 1),      kg_store_col_text(s, 2),
        kg_store_col_text(s, 3), kg_store_col_text(s, 4),  kg_store_col_text(s, 5),
        kg_store_col_text(s, 6), kg_store_col_text(s, 7),  kg_store_col_text(s, 8),
        kg_store_col_text(s, 9), kg_store_col_text(s, 10), kg_db_col_i64(s, 11)};
    if (xRow(pArg, &e)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_report_participants(struct kg_store *p, int64_t discussionId,
                                         int (*xRow)(void *pArg,
                                                     const struct kg_report_participant *),
                                         void *pArg) {
  struct kg_db_stmt *s = NULL;
  /* accounts, then people whose entries a moderator made (one row per
   * identical name, birth date and address); registration numbers in
   * registration order */
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "WITH c AS (SELECT c.* FROM comments c WHERE c.discussion_id = ?1 AND " REGISTERED
      " ORDER BY c.seq) "
      "SELECT a.id, a.full_name, a.birth_date, r.address, group_concat(DISTINCT c.basis), "
      "(SELECT group_concat(pr.cadastral_number, ', ') FROM properties pr, discussions d "
      "WHERE d.id = ?1 AND pr.account_id = a.id AND pr.verified = 1 AND "
      "ST_Intersects(pr.geometry, d.territory) = 1), group_concat(DISTINCT c.channel), "
      "group_concat(c.registration_number, ', ') "
      "FROM c JOIN accounts a ON a.id = c.author_id LEFT JOIN residences r ON r.account_id = a.id "
      "GROUP BY a.id, r.address " /* one residence per account */
      "UNION ALL "
      "SELECT 0, o.full_name, o.birth_date, o.address, group_concat(DISTINCT c.basis), "
      "group_concat(DISTINCT o.cadastral_number), "
      "group_concat(DISTINCT c.channel), group_concat(c.registration_number, ', ') "
      "FROM c JOIN comment_offline_authors o ON o.comment_id = c.id "
      "GROUP BY o.full_name, o.birth_date, o.address "
      "ORDER BY 2, 1",
      "i", discussionId);
  if (rc) return rc;
  while ((rc = kg_store_sql_row(p, s, "report participants")) == KG_OK) {
    struct kg_report_participant e = {kg_db_col_i64(s, 0),     kg_store_col_text(s, 1),
                                      kg_store_col_text(s, 2), kg_store_col_text(s, 3),
                                      kg_store_col_text(s, 4), kg_store_col_text(s, 5),
                                      kg_store_col_text(s, 6), kg_store_col_text(s, 7)};
    if (xRow(pArg, &e)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_report_recipients(struct kg_store *p, int64_t discussionId,
                                       int (*xRow)(void *pArg, const char *zEmail,
                                                   const char *zFullName),
                                       void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT a.email, a.full_name FROM accounts a WHERE a.id IN "
      "(SELECT c.author_id FROM comments c WHERE c.discussion_id = ?1 AND " REGISTERED
      ") ORDER BY a.id",
      "i", discussionId);
  if (rc) return rc;
  while ((rc = kg_store_sql_row(p, s, "report recipients")) == KG_OK)
    if (xRow(pArg, kg_store_col_text(s, 0), kg_store_col_text(s, 1))) goto out;
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- issued documents ---- */

void kg_report_doc_clear(struct kg_report_doc *p) {
  if (!p) return;
  free(p->zBody);
  memset(p, 0, sizeof(*p));
}

enum kg_err kg_store_report_latest(struct kg_store *p, int64_t discussionId, const char *zKind,
                                   int *pnVersion) {
  struct kg_db_stmt *s = NULL;
  *pnVersion = 0;
  enum kg_err rc = kg_store_sql_query(p, &s,
                                      "SELECT coalesce(max(version), 0) FROM report_documents "
                                      "WHERE discussion_id = ?1 AND kind = ?2",
                                      "it", discussionId, zKind);
  if (rc) return rc;
  if ((rc = kg_store_sql_one(p, s, "report latest")) == KG_OK) *pnVersion = kg_db_col_int(s, 0);
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_report_insert(struct kg_store *p, int64_t discussionId, const char *zKind,
                                   int nVersion, const char *zBody, size_t nBody,
                                   const char *zSha256, int64_t issuedAt, int64_t issuedBy,
                                   const char *zNote) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_prepare(
      p,
      "INSERT INTO report_documents (discussion_id, kind, version, body, sha256, "
      "issued_at, issued_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, discussionId);
  kg_store_bind_text(s, 2, zKind);
  kg_db_bind_int(s, 3, nVersion);
  kg_db_bind_blob(s, 4, zBody, (int)nBody);
  kg_store_bind_text(s, 5, zSha256);
  kg_db_bind_i64(s, 6, issuedAt);
  kg_store_bind_id(s, 7, issuedBy);
  kg_store_bind_text(s, 8, zNote);
  return kg_store_sql_run(p, s, "report insert");
}

/* Fills *pOut from (discussion_id, kind, version, sha256, issued_at,
 * issued_by[, body]). */
static void doc_row(struct kg_db_stmt *s, struct kg_report_doc *pOut, int bBody) {
  memset(pOut, 0, sizeof(*pOut));
  pOut->discussionId = kg_db_col_i64(s, 0);
  kg_store_col_copy(s, 1, pOut->zKind, sizeof(pOut->zKind));
  pOut->nVersion = kg_db_col_int(s, 2);
  kg_store_col_copy(s, 3, pOut->zSha256, sizeof(pOut->zSha256));
  pOut->issuedAt = kg_db_col_i64(s, 4);
  pOut->issuedBy = kg_db_col_i64(s, 5);
  if (bBody) {
    size_t n = (size_t)kg_db_col_bytes(s, 6);
    const void *pBlob = kg_db_col_blob(s, 6);
    pOut->zBody = kg_xmalloc(n + 1);
    if (n) memcpy(pOut->zBody, pBlob, n);
    pOut->zBody[n] = 0;
    pOut->nBody = n;
  }
}

enum kg_err kg_store_report_get(struct kg_store *p, int64_t discussionId, const char *zKind,
                                int nVersion, struct kg_report_doc *pOut) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc =
      kg_store_sql_query(p, &s,
                         "SELECT discussion_id, kind, version, sha256, issued_at, issued_by, body "
                         "FROM report_documents WHERE discussion_id = ?1 AND kind = ?2 AND "
                         "(?3 = 0 OR version = ?3) ORDER BY version DESC LIMIT 1",
                         "itk", discussionId, zKind, nVersion);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "report get")) == KG_OK) doc_row(s, pOut, 1);
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_report_versions(struct kg_store *p, int64_t discussionId, const char *zKind,
                                     int (*xRow)(void *pArg, const struct kg_report_doc *),
                                     void *pArg) {
  struct kg_db_stmt *s = NULL;
  struct kg_report_doc d;
  enum kg_err rc =
      kg_store_sql_prepare(p,
                           "SELECT discussion_id, kind, version, sha256, issued_at, issued_by "
                           "FROM report_documents WHERE discussion_id = ?1 AND kind = ?2 "
                           "ORDER BY version",
                           &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, discussionId);
  kg_store_bind_text(s, 2, zKind);
  while ((rc = kg_store_sql_row(p, s, "report versions")) == KG_OK) {
    doc_row(s, &d, 0);
    if (xRow(pArg, &d)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- the conclusion's draft ---- */

/* KG_OK when discussion id is in status protocol, KG_ECONFLICT when in
 * another, KG_ENOTFOUND without it. */
static enum kg_err require_protocol(struct kg_store *p, int64_t id) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT status = 'protocol' FROM discussions WHERE id = ?1", &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_row(p, s, "conclusion status")) == KG_OK && !kg_db_col_int(s, 0))
    rc = KG_ECONFLICT;
  kg_store_sql_done(p, s);
  return rc;
}

/* KG_OK when comment id is a registered comment of the discussion that the
 * protocol records, else KG_EINVAL. */
static enum kg_err require_registered(struct kg_store *p, int64_t discussionId, int64_t id) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p,
                           "SELECT 1 FROM comments c WHERE c.id = ?1 AND c.discussion_id = ?2 AND "
                           "" REGISTERED,
                           &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  kg_db_bind_i64(s, 2, discussionId);
  if ((rc = kg_store_sql_row(p, s, "conclusion comment")) == KG_ENOTFOUND) rc = KG_EINVAL;
  kg_store_sql_done(p, s);
  return rc;
}

static int in_group(int64_t id, int64_t leadId, const int64_t *aMember, int nMember) {
  if (id == leadId) return 1;
  for (int i = 0; i < nMember; i++)
    if (aMember[i] == id) return 1;
  return 0;
}

/* KG_ECONFLICT when member m leads a group with a member outside the new
 * group (merging it would orphan them). */
static enum kg_err check_not_lead(struct kg_store *p, int64_t m, int64_t leadId,
                                  const int64_t *aMember, int nMember) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p,
                           "SELECT comment_id FROM conclusion_items WHERE group_id = ?1 AND "
                           "comment_id <> ?1",
                           &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, m);
  while ((rc = kg_store_sql_row(p, s, "conclusion group")) == KG_OK) {
    if (!in_group(kg_db_col_i64(s, 0), leadId, aMember, nMember)) {
      rc = KG_ECONFLICT;
      goto out;
    }
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

static enum kg_err item_upsert(struct kg_store *p, int64_t discussionId, int64_t id, int64_t leadId,
                               const char *zRec, const char *zReasoning, int64_t actorId,
                               int64_t tNow) {
  return kg_store_sql_exec(
      p, "conclusion item",
      "INSERT INTO conclusion_items (comment_id, discussion_id, group_id, recommendation, "
      "reasoning, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT (comment_id) DO UPDATE SET group_id = excluded.group_id, recommendation = "
      "excluded.recommendation, reasoning = excluded.reasoning, updated_by = excluded.updated_by, "
      "updated_at = excluded.updated_at",
      "iiittni", id, discussionId, leadId, zRec, zReasoning, actorId, tNow);
}

enum kg_err kg_store_conclusion_item_put(struct kg_store *p, int64_t discussionId, int64_t leadId,
                                         const int64_t *aMember, int nMember,
                                         const char *zRecommendation, const char *zReasoning,
                                         int64_t actorId, int64_t tNow, int *piBad) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  enum kg_err rc;
  *piBad = -1;
  if (nMember < 0 || nMember > KG_CONCLUSION_MAX_MERGE) return KG_ETOOBIG;
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) goto out;
  if ((rc = require_protocol(p, discussionId)) != KG_OK) goto out;
  if ((rc = require_registered(p, discussionId, leadId)) != KG_OK) goto out;
  for (int i = 0; i < nMember; i++) {
    *piBad = i;
    if ((rc = require_registered(p, discussionId, aMember[i])) != KG_OK) goto out;
    if (aMember[i] != leadId &&
        (rc = check_not_lead(p, aMember[i], leadId, aMember, nMember)) != KG_OK)
      goto out;
  }
  *piBad = -1;
  /* the group's previous membership gives way to the new one */
  rc = kg_store_sql_query(
      p, &s, "DELETE FROM conclusion_items WHERE group_id = ?1 AND comment_id <> ?1", "i", leadId);
  if (rc) goto out;
  rc = kg_store_sql_run(p, s, "conclusion regroup");
  s = NULL;
  if (rc) goto out;
  if ((rc = item_upsert(p, discussionId, leadId, leadId, zRecommendation, zReasoning, actorId,
                        tNow)) != KG_OK)
    goto out;
  for (int i = 0; i < nMember; i++)
    if (aMember[i] != leadId &&
        (rc = item_upsert(p, discussionId, aMember[i], leadId, zRecommendation, zReasoning, actorId,
                          tNow)) != KG_OK)
      goto out;
  rc = kg_store_modlog_insert(p, actorId, "conclusion.item", "comment", leadId, zRecommendation,
                              tNow);
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_conclusion_items(struct kg_store *p, int64_t discussionId,
                                      int (*xRow)(void *pArg, const struct kg_conclusion_item *),
                                      void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p,
                           "SELECT comment_id, group_id, recommendation, reasoning, updated_at "
                           "FROM conclusion_items WHERE discussion_id = ?1 "
                           "ORDER BY group_id, comment_id",
                           &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, discussionId);
  while ((rc = kg_store_sql_row(p, s, "conclusion items")) == KG_OK) {
    struct kg_conclusion_item e = {kg_db_col_i64(s, 0), kg_db_col_i64(s, 1),
                                   kg_store_col_text(s, 2), kg_store_col_text(s, 3),
                                   kg_db_col_i64(s, 4)};
    if (xRow(pArg, &e)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_conclusion_findings_put(struct kg_store *p, int64_t discussionId,
                                             const char *zFindings, int64_t actorId, int64_t tNow) {
  struct kg_store_tx tx = {0, 0};
  struct kg_db_stmt *s = NULL;
  enum kg_err rc;
  if ((rc = kg_store_tx_begin(p, &tx)) != KG_OK) goto out;
  if ((rc = require_protocol(p, discussionId)) != KG_OK) goto out;
  rc = kg_store_sql_query(
      p, &s,
      "INSERT INTO conclusion_findings (discussion_id, findings, updated_by, updated_at) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (discussion_id) DO UPDATE SET findings = "
      "excluded.findings, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
      "itni", discussionId, zFindings, actorId, tNow);
  if (rc) goto out;
  rc = kg_store_sql_run(p, s, "conclusion findings");
  s = NULL;
  if (rc) goto out;
  rc = kg_store_modlog_insert(p, actorId, "conclusion.findings", "discussion", discussionId, NULL,
                              tNow);
out:
  kg_store_sql_done(p, s);
  kg_store_tx_finish(p, &tx, &rc);
  return rc;
}

enum kg_err kg_store_conclusion_findings_get(struct kg_store *p, int64_t discussionId, char **pz) {
  struct kg_db_stmt *s = NULL;
  *pz = NULL;
  enum kg_err rc =
      kg_store_sql_query(p, &s, "SELECT findings FROM conclusion_findings WHERE discussion_id = ?1",
                         "i", discussionId);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "conclusion findings get")) == KG_OK)
    *pz = kg_store_col_dup(s, 0);
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- renderings of issued documents ---- */

enum kg_err kg_store_rendering_get(struct kg_store *p, const struct kg_rendering_key *pKey,
                                   char zSha256[65], int64_t *pnSize) {
  struct kg_db_stmt *s = NULL;
  zSha256[0] = 0;
  *pnSize = 0;
  enum kg_err rc = kg_store_sql_query(
      p, &s,
      "SELECT sha256, size FROM report_renderings WHERE kind = ?1 AND discussion_id = ?2 AND "
      "version = ?3 AND state = ?4 AND language = ?5 AND format = ?6",
      "tikttt", pKey->zKind, pKey->discussionId, pKey->nVersion, pKey->zState, pKey->zLang,
      pKey->zFormat);
  if (rc) return rc;
  if ((rc = kg_store_sql_row(p, s, "rendering get")) == KG_OK) {
    kg_store_col_copy(s, 0, zSha256, 65);
    *pnSize = kg_db_col_i64(s, 1);
  }
  kg_store_sql_done(p, s);
  return rc;
}

struct rendering_put {
  const struct kg_rendering_key *pKey;
  const char *zSha256;
  int64_t nSize, tNow;
};

static enum kg_err rendering_put_job(struct kg_store *p, void *pArg) {
  const struct rendering_put *x = pArg;
  return kg_store_sql_exec(
      p, "rendering put",
      "INSERT INTO report_renderings (kind, discussion_id, version, "
      "state, language, format, sha256, size, rendered_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (kind, discussion_id, version, state, language, format) DO UPDATE SET "
      "sha256 = excluded.sha256, size = excluded.size, rendered_at = excluded.rendered_at",
      "tikttttii", x->pKey->zKind, x->pKey->discussionId, x->pKey->nVersion, x->pKey->zState,
      x->pKey->zLang, x->pKey->zFormat, x->zSha256, x->nSize, x->tNow);
}

enum kg_err kg_store_rendering_put(struct kg_store *p, const struct kg_rendering_key *pKey,
                                   const char *zSha256, int64_t nSize, int64_t tNow) {
  struct rendering_put x = {pKey, zSha256, nSize, tNow};
  return kg_store_write(p, rendering_put_job, &x);
}

/* projects.c: project kinds (statutory durations as settings), projects and
 * their documents' metadata (the files live on disk by SHA-256). */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

void kg_project_clear(struct kg_project *p) {
  if (!p) return;
  free(p->zTitle);
  free(p->zKind);
  free(p->zDescription);
  free(p->zOrganizer);
  memset(p, 0, sizeof(*p));
}

/* ---- kinds ---- */

int kg_store_project_kind_exists(struct kg_store *p, const char *zKind) {
  struct kg_db_stmt *s = NULL;
  int bFound = 0;
  if (!zKind || kg_store_sql_prepare(p, "SELECT 1 FROM project_kinds WHERE kind = ?1", &s))
    return 0;
  kg_store_bind_text(s, 1, zKind);
  bFound = kg_store_sql_row(p, s, "project kind exists") == KG_OK;
  kg_store_sql_done(p, s);
  return bFound;
}

#define KIND_COLS "kind, title_ru, notice_days, min_days, max_days"

static void kind_row(struct kg_db_stmt *s, struct kg_project_kind *pOut) {
  memset(pOut, 0, sizeof(*pOut));
  kg_store_col_copy(s, 0, pOut->zKind, sizeof(pOut->zKind));
  kg_store_col_copy(s, 1, pOut->zTitleRu, sizeof(pOut->zTitleRu));
  pOut->nNoticeDays = kg_db_col_int(s, 2);
  pOut->nMinDays = kg_db_col_int(s, 3);
  pOut->nMaxDays = kg_db_col_int(s, 4);
}

enum kg_err kg_store_project_kind_get(struct kg_store *p, const char *zKind,
                                      struct kg_project_kind *pOut) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT " KIND_COLS " FROM project_kinds WHERE kind = ?1", &s);
  if (rc) return rc;
  kg_store_bind_text(s, 1, zKind);
  if ((rc = kg_store_sql_row(p, s, "project kind get")) == KG_OK) kind_row(s, pOut);
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_project_kind_each(struct kg_store *p,
                                       int (*xRow)(void *pArg, const struct kg_project_kind *),
                                       void *pArg) {
  struct kg_db_stmt *s = NULL;
  struct kg_project_kind k;
  enum kg_err rc = kg_store_sql_prepare(
      p, "SELECT " KIND_COLS " FROM project_kinds ORDER BY position, kind", &s);
  if (rc) goto out;
  while ((rc = kg_store_sql_row(p, s, "project kind each")) == KG_OK) {
    kind_row(s, &k);
    if (xRow(pArg, &k)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- projects ---- */

enum kg_err kg_store_project_insert(struct kg_store *p, const struct kg_project *pIn,
                                    int64_t createdBy, int64_t *pId) {
  enum kg_err rc = kg_store_sql_exec_id(p, "project insert",
                                        "INSERT INTO projects (title, kind, description, "
                                        "organizer, created_by, created_at) "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                                        pId, "ttttni", pIn->zTitle, pIn->zKind,
                                        pIn->zDescription ? pIn->zDescription : "", pIn->zOrganizer,
                                        createdBy, pIn->createdAt ? pIn->createdAt : kg_time_now());
  return rc;
}

#define PROJECT_COLS "id, title, kind, description, organizer, created_at"

enum kg_err kg_store_project_get(struct kg_store *p, int64_t id, struct kg_project *pOut) {
  struct kg_db_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT " PROJECT_COLS " FROM projects WHERE id = ?1", &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_row(p, s, "project get")) == KG_OK) {
    pOut->id = kg_db_col_i64(s, 0);
    pOut->zTitle = kg_store_col_dup(s, 1);
    pOut->zKind = kg_store_col_dup(s, 2);
    pOut->zDescription = kg_store_col_dup(s, 3);
    pOut->zOrganizer = kg_store_col_dup(s, 4);
    pOut->createdAt = kg_db_col_i64(s, 5);
  }
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_project_list(struct kg_store *p, int64_t afterId, int nLimit,
                                  int (*xRow)(void *pArg, const struct kg_project *), void *pArg) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "SELECT " PROJECT_COLS " FROM projects WHERE id > ?1 ORDER BY id LIMIT ?2", "ik",
      afterId, nLimit);
  if (rc) goto out;
  while ((rc = kg_store_sql_row(p, s, "project list")) == KG_OK) {
    /* borrowed for the call: point into SQLite's row */
    struct kg_project pr = {kg_db_col_i64(s, 0),     kg_store_col_text(s, 1),
                            kg_store_col_text(s, 2), kg_store_col_text(s, 3),
                            kg_store_col_text(s, 4), kg_db_col_i64(s, 5)};
    if (xRow(pArg, &pr)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

/* ---- documents ---- */

enum kg_err kg_store_document_insert(struct kg_store *p, struct kg_document *pDoc) {
  if (!pDoc->createdAt) pDoc->createdAt = kg_time_now();
  enum kg_err rc =
      kg_store_sql_exec_id(p, "document insert",
                           "INSERT INTO documents (project_id, filename, media_type, "
                           "size, sha256, created_at, created_by) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                           &pDoc->id, "ittitin", pDoc->projectId, pDoc->zFilename, pDoc->zMediaType,
                           pDoc->nSize, pDoc->zSha256, pDoc->createdAt, pDoc->createdBy);
  return rc;
}

#define DOCUMENT_COLS "id, project_id, filename, media_type, size, sha256, created_at, created_by"

static void document_row(struct kg_db_stmt *s, struct kg_document *pOut) {
  memset(pOut, 0, sizeof(*pOut));
  pOut->id = kg_db_col_i64(s, 0);
  pOut->projectId = kg_db_col_i64(s, 1);
  kg_store_col_copy(s, 2, pOut->zFilename, sizeof(pOut->zFilename));
  kg_store_col_copy(s, 3, pOut->zMediaType, sizeof(pOut->zMediaType));
  pOut->nSize = kg_db_col_i64(s, 4);
  kg_store_col_copy(s, 5, pOut->zSha256, sizeof(pOut->zSha256));
  pOut->createdAt = kg_db_col_i64(s, 6);
  pOut->createdBy = kg_db_col_i64(s, 7);
}

enum kg_err kg_store_document_get(struct kg_store *p, int64_t id, struct kg_document *pOut) {
  struct kg_db_stmt *s = NULL;
  enum kg_err rc =
      kg_store_sql_prepare(p, "SELECT " DOCUMENT_COLS " FROM documents WHERE id = ?1", &s);
  if (rc) return rc;
  kg_db_bind_i64(s, 1, id);
  if ((rc = kg_store_sql_row(p, s, "document get")) == KG_OK) document_row(s, pOut);
  kg_store_sql_done(p, s);
  return rc;
}

enum kg_err kg_store_document_list(struct kg_store *p, int64_t projectId,
                                   int (*xRow)(void *pArg, const struct kg_document *),
                                   void *pArg) {
  struct kg_db_stmt *s = NULL;
  struct kg_document d;
  enum kg_err rc = kg_store_sql_query(
      p, &s, "SELECT " DOCUMENT_COLS " FROM documents WHERE project_id = ?1 ORDER BY id", "i",
      projectId);
  if (rc) goto out;
  while ((rc = kg_store_sql_row(p, s, "document list")) == KG_OK) {
    document_row(s, &d);
    if (xRow(pArg, &d)) goto out;
  }
  if (rc == KG_ENOTFOUND) rc = KG_OK;
out:
  kg_store_sql_done(p, s);
  return rc;
}

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
  sqlite3_stmt *s = NULL;
  int bFound = 0;
  if (!zKind || kg_store_stmt(p, STMT_KIND_EXISTS, "SELECT 1 FROM project_kinds WHERE kind = ?1",
                              &s) != KG_OK)
    goto out;
  kg_store_bind_text(s, 1, zKind);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW)
    bFound = 1;
  else if (src != SQLITE_DONE)
    kg_store_dberr(p, src, "project kind exists");
out:
  kg_store_stmt_done(p, STMT_KIND_EXISTS, s);
  return bFound;
}

#define KIND_COLS "kind, title_ru, notice_days, min_days, max_days"

static void kind_row(sqlite3_stmt *s, struct kg_project_kind *pOut) {
  memset(pOut, 0, sizeof(*pOut));
  kg_store_col_copy(s, 0, pOut->zKind, sizeof(pOut->zKind));
  kg_store_col_copy(s, 1, pOut->zTitleRu, sizeof(pOut->zTitleRu));
  pOut->nNoticeDays = sqlite3_column_int(s, 2);
  pOut->nMinDays = sqlite3_column_int(s, 3);
  pOut->nMaxDays = sqlite3_column_int(s, 4);
}

enum kg_err kg_store_project_kind_get(struct kg_store *p, const char *zKind,
                                      struct kg_project_kind *pOut) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_stmt(p, STMT_KIND_GET,
                                 "SELECT " KIND_COLS " FROM project_kinds WHERE kind = ?1", &s);
  if (rc) goto out;
  kg_store_bind_text(s, 1, zKind);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW)
    kind_row(s, pOut);
  else if (src == SQLITE_DONE)
    rc = KG_ENOTFOUND;
  else
    rc = kg_store_dberr(p, src, "project kind get");
out:
  kg_store_stmt_done(p, STMT_KIND_GET, s);
  return rc;
}

enum kg_err kg_store_project_kind_each(struct kg_store *p,
                                       int (*xRow)(void *pArg, const struct kg_project_kind *),
                                       void *pArg) {
  sqlite3_stmt *s = NULL;
  struct kg_project_kind k;
  int src;
  enum kg_err rc = kg_store_stmt(
      p, STMT_KIND_EACH, "SELECT " KIND_COLS " FROM project_kinds ORDER BY position, kind", &s);
  if (rc) goto out;
  while ((src = sqlite3_step(s)) == SQLITE_ROW) {
    kind_row(s, &k);
    if (xRow(pArg, &k)) goto out;
  }
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "project kind each");
out:
  kg_store_stmt_done(p, STMT_KIND_EACH, s);
  return rc;
}

/* ---- projects ---- */

enum kg_err kg_store_project_insert(struct kg_store *p, const struct kg_project *pIn,
                                    int64_t createdBy, int64_t *pId) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_stmt(p, STMT_PROJECT_INSERT,
                                 "INSERT INTO projects (title, kind, description, organizer, "
                                 "created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                 &s);
  if (rc) goto out;
  kg_store_bind_text(s, 1, pIn->zTitle);
  kg_store_bind_text(s, 2, pIn->zKind);
  kg_store_bind_text(s, 3, pIn->zDescription ? pIn->zDescription : "");
  kg_store_bind_text(s, 4, pIn->zOrganizer);
  kg_store_bind_id(s, 5, createdBy);
  sqlite3_bind_int64(s, 6, pIn->createdAt ? pIn->createdAt : kg_time_now());
  int src = sqlite3_step(s);
  if (src != SQLITE_DONE) {
    rc = kg_store_dberr(p, src, "project insert");
    goto out;
  }
  if (pId) *pId = sqlite3_last_insert_rowid(p->db);
out:
  kg_store_stmt_done(p, STMT_PROJECT_INSERT, s);
  return rc;
}

#define PROJECT_COLS "id, title, kind, description, organizer, created_at"

enum kg_err kg_store_project_get(struct kg_store *p, int64_t id, struct kg_project *pOut) {
  sqlite3_stmt *s = NULL;
  memset(pOut, 0, sizeof(*pOut));
  enum kg_err rc =
      kg_store_stmt(p, STMT_PROJECT_GET, "SELECT " PROJECT_COLS " FROM projects WHERE id = ?1", &s);
  if (rc) goto out;
  sqlite3_bind_int64(s, 1, id);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW) {
    pOut->id = sqlite3_column_int64(s, 0);
    pOut->zTitle = kg_store_col_dup(s, 1);
    pOut->zKind = kg_store_col_dup(s, 2);
    pOut->zDescription = kg_store_col_dup(s, 3);
    pOut->zOrganizer = kg_store_col_dup(s, 4);
    pOut->createdAt = sqlite3_column_int64(s, 5);
  } else if (src == SQLITE_DONE) {
    rc = KG_ENOTFOUND;
  } else {
    rc = kg_store_dberr(p, src, "project get");
  }
out:
  kg_store_stmt_done(p, STMT_PROJECT_GET, s);
  return rc;
}

enum kg_err kg_store_project_list(struct kg_store *p, int64_t afterId, int nLimit,
                                  int (*xRow)(void *pArg, const struct kg_project *), void *pArg) {
  sqlite3_stmt *s = NULL;
  int src;
  enum kg_err rc = kg_store_stmt(p, STMT_PROJECT_LIST,
                                 "SELECT " PROJECT_COLS " FROM projects WHERE id > ?1 "
                                 "ORDER BY id LIMIT ?2",
                                 &s);
  if (rc) goto out;
  sqlite3_bind_int64(s, 1, afterId);
  sqlite3_bind_int(s, 2, nLimit);
  while ((src = sqlite3_step(s)) == SQLITE_ROW) {
    /* borrowed for the call: point into SQLite's row */
    struct kg_project pr = {sqlite3_column_int64(s, 0), kg_store_col_text(s, 1),
                            kg_store_col_text(s, 2),    kg_store_col_text(s, 3),
                            kg_store_col_text(s, 4),    sqlite3_column_int64(s, 5)};
    if (xRow(pArg, &pr)) goto out;
  }
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "project list");
out:
  kg_store_stmt_done(p, STMT_PROJECT_LIST, s);
  return rc;
}

/* ---- documents ---- */

enum kg_err kg_store_document_insert(struct kg_store *p, struct kg_document *pDoc) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_stmt(p, STMT_DOCUMENT_INSERT,
                                 "INSERT INTO documents (project_id, filename, media_type, size, "
                                 "sha256, created_at, created_by) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                 &s);
  if (rc) goto out;
  if (!pDoc->createdAt) pDoc->createdAt = kg_time_now();
  sqlite3_bind_int64(s, 1, pDoc->projectId);
  kg_store_bind_text(s, 2, pDoc->zFilename);
  kg_store_bind_text(s, 3, pDoc->zMediaType);
  sqlite3_bind_int64(s, 4, pDoc->nSize);
  kg_store_bind_text(s, 5, pDoc->zSha256);
  sqlite3_bind_int64(s, 6, pDoc->createdAt);
  kg_store_bind_id(s, 7, pDoc->createdBy);
  int src = sqlite3_step(s);
  if (src != SQLITE_DONE) {
    rc = kg_store_dberr(p, src, "document insert");
    goto out;
  }
  pDoc->id = sqlite3_last_insert_rowid(p->db);
out:
  kg_store_stmt_done(p, STMT_DOCUMENT_INSERT, s);
  return rc;
}

#define DOCUMENT_COLS "id, project_id, filename, media_type, size, sha256, created_at, created_by"

static void document_row(sqlite3_stmt *s, struct kg_document *pOut) {
  memset(pOut, 0, sizeof(*pOut));
  pOut->id = sqlite3_column_int64(s, 0);
  pOut->projectId = sqlite3_column_int64(s, 1);
  kg_store_col_copy(s, 2, pOut->zFilename, sizeof(pOut->zFilename));
  kg_store_col_copy(s, 3, pOut->zMediaType, sizeof(pOut->zMediaType));
  pOut->nSize = sqlite3_column_int64(s, 4);
  kg_store_col_copy(s, 5, pOut->zSha256, sizeof(pOut->zSha256));
  pOut->createdAt = sqlite3_column_int64(s, 6);
  pOut->createdBy = sqlite3_column_int64(s, 7);
}

enum kg_err kg_store_document_get(struct kg_store *p, int64_t id, struct kg_document *pOut) {
  sqlite3_stmt *s = NULL;
  enum kg_err rc = kg_store_stmt(p, STMT_DOCUMENT_GET,
                                 "SELECT " DOCUMENT_COLS " FROM documents WHERE id = ?1", &s);
  if (rc) goto out;
  sqlite3_bind_int64(s, 1, id);
  int src = sqlite3_step(s);
  if (src == SQLITE_ROW)
    document_row(s, pOut);
  else if (src == SQLITE_DONE)
    rc = KG_ENOTFOUND;
  else
    rc = kg_store_dberr(p, src, "document get");
out:
  kg_store_stmt_done(p, STMT_DOCUMENT_GET, s);
  return rc;
}

enum kg_err kg_store_document_list(struct kg_store *p, int64_t projectId,
                                   int (*xRow)(void *pArg, const struct kg_document *),
                                   void *pArg) {
  sqlite3_stmt *s = NULL;
  struct kg_document d;
  int src;
  enum kg_err rc = kg_store_stmt(p, STMT_DOCUMENT_LIST,
                                 "SELECT " DOCUMENT_COLS " FROM documents WHERE project_id = ?1 "
                                 "ORDER BY id",
                                 &s);
  if (rc) goto out;
  sqlite3_bind_int64(s, 1, projectId);
  while ((src = sqlite3_step(s)) == SQLITE_ROW) {
    document_row(s, &d);
    if (xRow(pArg, &d)) goto out;
  }
  if (src != SQLITE_DONE) rc = kg_store_dberr(p, src, "document list");
out:
  kg_store_stmt_done(p, STMT_DOCUMENT_LIST, s);
  return rc;
}

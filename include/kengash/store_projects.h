/* store_projects.h: projects, their kinds and documents (projects.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_PROJECTS_H
#define KENGASH_STORE_PROJECTS_H

/* ---- projects and documents ---- */

struct kg_project {
  int64_t id;
  char *zTitle;
  char *zKind;
  char *zDescription;
  char *zOrganizer;
  int64_t createdAt;
};
void kg_project_clear(struct kg_project *p);

/* 1 when zKind is a known project kind (table project_kinds). */
int kg_store_project_kind_exists(struct kg_store *p, const char *zKind);
struct kg_project_kind {
  char zKind[48];
  char zTitleRu[160];
  int nNoticeDays; /* notification at least this many days before opening */
  int nMinDays;    /* exposition length bounds, in days */
  int nMaxDays;
};
enum kg_err kg_store_project_kind_get(struct kg_store *p, const char *zKind,
                                      struct kg_project_kind *pOut /* OUT */);
/* Calls xRow for each kind in order; stops early when xRow returns nonzero. */
enum kg_err kg_store_project_kind_each(struct kg_store *p,
                                       int (*xRow)(void *pArg, const struct kg_project_kind *),
                                       void *pArg);

enum kg_err kg_store_project_insert(struct kg_store *p, const struct kg_project *pIn,
                                    int64_t createdBy, int64_t *pId /* OUT */);
/* Fills *pOut (free with kg_project_clear). */
enum kg_err kg_store_project_get(struct kg_store *p, int64_t id, struct kg_project *pOut /* OUT */);
/* Projects with id > afterId, ascending, at most nLimit; xRow per row. */
enum kg_err kg_store_project_list(struct kg_store *p, int64_t afterId, int nLimit,
                                  int (*xRow)(void *pArg, const struct kg_project *), void *pArg);

struct kg_document {
  int64_t id;
  int64_t projectId;
  char zFilename[256];
  char zMediaType[128];
  int64_t nSize;
  char zSha256[65];
  int64_t createdAt; /* 0 on insert: now */
  int64_t createdBy; /* account that uploaded it; 0 when unknown */
};
enum kg_err kg_store_document_insert(struct kg_store *p, struct kg_document *pDoc /* IN/OUT id */);
enum kg_err kg_store_document_get(struct kg_store *p, int64_t id,
                                  struct kg_document *pOut /* OUT */);
enum kg_err kg_store_document_list(struct kg_store *p, int64_t projectId,
                                   int (*xRow)(void *pArg, const struct kg_document *), void *pArg);

#endif

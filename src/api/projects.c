/* projects.c: planning projects, their kinds and their documents (upload
 * stored by SHA-256 on disk, download with ETag and Range). */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_handlers.h"
#include "kengash/files.h"

static json_t *project_json(const struct kg_project *p) {
  return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)p->id, "title", p->zTitle,
                   "kind", p->zKind, "description", p->zDescription ? p->zDescription : "",
                   "organizer", p->zOrganizer ? p->zOrganizer : "", "created_at",
                   kg_api_time_json(p->createdAt));
}

static json_t *document_json(const struct kg_document *d) {
  return json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:o}", "id", (json_int_t)d->id, "project_id",
                   (json_int_t)d->projectId, "filename", d->zFilename, "media_type", d->zMediaType,
                   "size", (json_int_t)d->nSize, "sha256", d->zSha256, "created_at",
                   kg_api_time_json(d->createdAt));
}

static json_t *document_json_url(const struct kg_document *d) {
  json_t *p = document_json(d);
  char zUrl[64];
  snprintf(zUrl, sizeof(zUrl), "/api/v1/documents/%lld", (long long)d->id);
  json_object_set_new(p, "url", json_string(zUrl));
  return p;
}

/* ---- kinds ---- */

static int kind_row(void *pArg, const struct kg_project_kind *k) {
  json_array_append_new(pArg, json_pack("{s:s, s:s, s:i, s:i, s:i}", "kind", k->zKind, "title",
                                        k->zTitleRu, "notice_days", k->nNoticeDays, "min_days",
                                        k->nMinDays, "max_days", k->nMaxDays));
  return 0;
}

void kg_api_project_kinds(struct kg_req *r) {
  struct kg_store *pStore = kg_api_store(r);
  if (!pStore) return;
  json_t *pItems = json_array();
  enum kg_err rc = kg_store_project_kind_each(pStore, kind_row, pItems);
  if (rc) {
    json_decref(pItems);
    kg_reply_err(r, rc, "cannot list project kinds");
    return;
  }
  kg_reply_json(r, 200, json_pack("{s:o}", "items", pItems));
}

/* ---- projects ---- */

void kg_api_projects_create(struct kg_req *r) {
  struct kg_store *pStore;
  struct kg_project pr = {0};
  const char *zTitle, *zKind, *zDesc, *zOrg;
  const struct kg_api_field aField[] = {
      KG_API_F_STR("title", KG_API_REQUIRED, 300, &zTitle),
      KG_API_F_STR("kind", KG_API_REQUIRED, 48, &zKind),
      KG_API_F_STR("description", 0, 20000, &zDesc),
      KG_API_F_STR("organizer", KG_API_REQUIRED, 300, &zOrg),
  };
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) || !(pStore = kg_api_store(r))) return;
  if (!kg_store_project_kind_exists(pStore, zKind)) {
    kg_reply_bad(r, KG_R_NOT_ALLOWED, "kind",
                 "is not a known project kind (see /api/v1/project-kinds)");
    return;
  }
  pr.zTitle = (char *)zTitle;
  pr.zKind = (char *)zKind;
  pr.zDescription = (char *)(zDesc ? zDesc : "");
  pr.zOrganizer = (char *)zOrg;
  int64_t id = 0;
  enum kg_err rc = kg_store_project_insert(pStore, &pr, kg_api_account(r)->id, &id);
  if (rc) {
    kg_reply_err(r, rc, "cannot create the project");
    return;
  }
  struct kg_project out = {0};
  if ((rc = kg_store_project_get(pStore, id, &out)) != KG_OK) {
    kg_reply_err(r, rc, "cannot read the new project");
    return;
  }
  char zLoc[64];
  snprintf(zLoc, sizeof(zLoc), "/api/v1/projects/%lld", (long long)id);
  kg_reply_header(r, "Location", zLoc);
  json_t *p = project_json(&out);
  json_object_set_new(p, "documents", json_array());
  kg_project_clear(&out);
  kg_reply_json(r, 201, p);
}

struct list_ctx {
  json_t *pItems;
  int64_t lastId;
  int n;
};

static int project_row(void *pArg, const struct kg_project *p) {
  struct list_ctx *c = pArg;
  json_array_append_new(c->pItems, project_json(p));
  c->lastId = p->id;
  c->n++;
  return 0;
}

void kg_api_projects_list(struct kg_req *r) {
  int nLimit;
  int64_t afterId;
  struct kg_store *pStore;
  if (!kg_api_page(r, &nLimit, &afterId) || !(pStore = kg_api_store(r))) return;
  struct list_ctx c = {json_array(), 0, 0};
  /* one extra row tells whether there is a next page */
  enum kg_err rc = kg_store_project_list(pStore, afterId, nLimit + 1, project_row, &c);
  if (rc) {
    json_decref(c.pItems);
    kg_reply_err(r, rc, "cannot list projects");
    return;
  }
  kg_reply_json(r, 200, kg_api_page_json(c.pItems, nLimit));
}

static int document_row(void *pArg, const struct kg_document *d) {
  json_array_append_new(pArg, document_json_url(d));
  return 0;
}

void kg_api_projects_get(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore = kg_api_open_id(r, "id", "no such project", &id);
  if (!pStore) return;
  struct kg_project pr = {0};
  enum kg_err rc = kg_store_project_get(pStore, id, &pr);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such project" : "cannot read the project");
    return;
  }
  json_t *p = project_json(&pr);
  kg_project_clear(&pr);
  json_t *pDocs = json_array();
  if ((rc = kg_store_document_list(pStore, id, document_row, pDocs)) != KG_OK) {
    json_decref(pDocs);
    json_decref(p);
    kg_reply_err(r, rc, "cannot list the documents");
    return;
  }
  json_object_set_new(p, "documents", pDocs);
  kg_reply_json(r, 200, p);
}

/* ---- documents ---- */

/* Accepts "type/subtype" tokens (RFC 9110) and lowercases into zOut. */
static int media_type_ok(const char *z, char *zOut, size_t nOut) {
  static const char *zTspecial = "()<>@,;:\\\"/[]?={} \t";
  size_t n = 0, nSlash = 0;
  for (; z[n] && z[n] != ';'; n++) {
    unsigned char c = (unsigned char)z[n];
    if (c == '/') {
      if (nSlash++ || n == 0) return 0;
      continue;
    }
    if (c <= 32 || c >= 127 || strchr(zTspecial, c)) return 0;
  }
  if (nSlash != 1 || n >= nOut || z[n - 1] == '/') return 0;
  for (size_t i = 0; i < n; i++)
    zOut[i] = (char)tolower((unsigned char)z[i]);
  zOut[n] = 0;
  return 1;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Takes the file name from Content-Disposition: filename*=UTF-8''pct or
 * filename="quoted". Returns 1 with a safe name in zOut. */
static int disposition_filename(const char *z, char *zOut, size_t nOut) {
  const char *p = strcasestr(z, "filename*=");
  size_t n = 0;
  if (p) {
    p += 10;
    if (strncasecmp(p, "UTF-8''", 7) != 0) return 0;
    for (p += 7; *p && *p != ';' && *p != ' '; p++) {
      int c = (unsigned char)*p;
      if (c == '%') {
        int h = hexval(p[1]), l = h < 0 ? -1 : hexval(p[2]);
        if (l < 0) return 0;
        c = h * 16 + l;
        p += 2;
      }
      if (n + 1 >= nOut) return 0;
      zOut[n++] = (char)c;
    }
  } else if ((p = strcasestr(z, "filename=")) != NULL) {
    p += 9;
    if (*p == '"') {
      for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1]) p++;
        if (n + 1 >= nOut) return 0;
        zOut[n++] = *p;
      }
      if (*p != '"') return 0;
    } else {
      for (; *p && *p != ';' && *p != ' '; p++) {
        if (n + 1 >= nOut) return 0;
        zOut[n++] = *p;
      }
    }
  } else {
    return 0;
  }
  zOut[n] = 0;
  if (n == 0 || !kg_utf8_valid_text(zOut, n) || strpbrk(zOut, "/\\\t\r\n") ||
      strcmp(zOut, ".") == 0 || strcmp(zOut, "..") == 0)
    return 0;
  return 1;
}

void kg_api_documents_upload(struct kg_req *r) {
  int64_t projectId;
  struct kg_store *pStore = kg_api_open_id(r, "id", "no such project", &projectId);
  if (!pStore) return;
  const struct kg_config *pCfg = kg_api_cfg(r);
  struct kg_document d = {0};
  struct kg_project pr = {0};
  enum kg_err rc;
  if ((rc = kg_store_project_get(pStore, projectId, &pr)) == KG_ENOTFOUND) {
    kg_reply_code(r, KG_P_NOT_FOUND, "no such project");
    return;
  }
  kg_project_clear(&pr);
  if (rc) {
    kg_reply_err(r, rc, "cannot read the project");
    return;
  }
  const char *zType = kg_req_header(r, "Content-Type");
  if (!zType || !media_type_ok(zType, d.zMediaType, sizeof(d.zMediaType))) {
    kg_reply_bad_status(r, 415, KG_R_INVALID_FORMAT, "Content-Type",
                        "must give the document's media type, e.g. application/pdf");
    return;
  }
  const char *zDisp = kg_req_header(r, "Content-Disposition");
  if (!zDisp || !disposition_filename(zDisp, d.zFilename, sizeof(d.zFilename))) {
    kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, "Content-Disposition",
                        "must be attachment; filename=\"name.pdf\" with a plain file name of "
                        "at most 255 bytes");
    return;
  }
  uint64_t nSize = 0;
  const unsigned char *aSha = NULL;
  const char *zTmp = kg_req_body_file(r, &nSize, &aSha);
  if (!zTmp || nSize == 0) {
    kg_reply_bad(r, KG_R_REQUIRED, "body", "the file is empty");
    return;
  }
  if (strcmp(d.zMediaType, "application/pdf") == 0) {
    char aMagic[5] = {0};
    int fd = open(zTmp, O_RDONLY | O_CLOEXEC);
    ssize_t k = fd >= 0 ? read(fd, aMagic, 5) : -1;
    if (fd >= 0) close(fd);
    if (k != 5 || memcmp(aMagic, "%PDF-", 5) != 0) {
      kg_reply_bad(r, KG_R_INVALID_FORMAT, "body",
                   "is not a PDF file although Content-Type says application/pdf");
      return;
    }
  }
  kg_hex_encode(aSha, 32, d.zSha256);
  if ((rc = kg_files_adopt(pCfg->zFiles, zTmp, d.zSha256)) != KG_OK) {
    kg_reply_err(r, rc, "cannot store the file");
    return;
  }
  kg_req_body_file_taken(r);
  d.projectId = projectId;
  d.nSize = (int64_t)nSize;
  if ((rc = kg_store_document_insert(pStore, &d)) != KG_OK) {
    kg_reply_err(r, rc, "cannot record the document");
    return;
  }
  char zLoc[64];
  snprintf(zLoc, sizeof(zLoc), "/api/v1/documents/%lld", (long long)d.id);
  kg_reply_header(r, "Location", zLoc);
  if (!d.createdAt) d.createdAt = kg_time_now();
  kg_reply_json(r, 201, document_json_url(&d));
}

static int inline_type(const char *zType) {
  return strcmp(zType, "application/pdf") == 0 || strcmp(zType, "image/png") == 0 ||
         strcmp(zType, "image/jpeg") == 0 || strcmp(zType, "text/plain") == 0;
}

void kg_api_documents_get(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore = kg_api_open_id(r, "id", "no such document", &id);
  if (!pStore) return;
  struct kg_document d;
  enum kg_err rc = kg_store_document_get(pStore, id, &d);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such document" : "cannot read the document");
    return;
  }
  char zPath[1200];
  struct stat st;
  int fd = -1;
  if (kg_files_path(kg_api_cfg(r)->zFiles, d.zSha256, zPath, sizeof(zPath)) != KG_OK ||
      (fd = open(zPath, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
    if (fd >= 0) close(fd);
    kg_log_error("document file missing id=%lld", (long long)id);
    kg_reply_code(r, KG_P_INTERNAL_ERROR, "the document's file is missing");
    return;
  }
  /* RFC 6266 / 8187: the name percent-encoded as UTF-8. */
  struct kg_buf b;
  kg_buf_init(&b, 2048);
  kg_buf_printf(&b, "%s; filename*=UTF-8''", inline_type(d.zMediaType) ? "inline" : "attachment");
  for (const unsigned char *p = (const unsigned char *)d.zFilename; *p; p++) {
    if (isalnum(*p) || strchr("-._~", *p))
      kg_buf_append(&b, p, 1);
    else
      kg_buf_printf(&b, "%%%02X", *p);
  }
  if (!kg_buf_failed(&b)) kg_reply_header(r, "Content-Disposition", b.a);
  kg_buf_free(&b);
  kg_reply_header(r, "Content-Security-Policy", "sandbox");
  kg_reply_file_cond(r, fd, (uint64_t)st.st_size, d.zMediaType, d.zSha256,
                     "public, max-age=31536000, immutable");
}

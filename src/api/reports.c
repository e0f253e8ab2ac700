/* reports.c: the official outputs of a discussion over HTTP. The protocol
 * is issued when a moderator moves a closed discussion to protocol (and
 * re-issued as a new version on request); the conclusion is drafted by
 * moderators (a recommendation per registered proposal, merged groups,
 * findings) and published by the move to concluded, with an e-mail to every
 * participant who has an account. Issued documents are immutable: each
 * version is served from its stored canonical JSON, as JSON, printable HTML
 * or PDF, always with the SHA-256 of that JSON (field sha256, header
 * X-Content-SHA256, ETag, the footer of the page). The annex of
 * participants (identification data) is for moderators only. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"
#include "api_reports.h"
#include "reports_render.h"
#include "kengash/mail.h"
#include "kengash/report.h"

#define MAX_VERSION 1000000
#define MAX_REASONING_CHARS 5000
#define MAX_FINDINGS_CHARS 20000
#define MAX_NOTE_CHARS 2000

enum fmt { FMT_AUTO, FMT_JSON, FMT_HTML, FMT_PDF };

static const char *base_url(struct kg_req *r) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  return pCfg && pCfg->zBaseUrl ? pCfg->zBaseUrl : "";
}

/* ?version= (1..MAX_VERSION; 0 when absent). Returns 1, or 0 after 400. */
static int read_version(struct kg_req *r, int *pnVersion) {
  const char *z = kg_req_query(r, "version");
  *pnVersion = 0;
  if (!z) return 1;
  char *zEnd;
  long v = strtol(z, &zEnd, 10);
  if (!*z || *zEnd || v < 1 || v > MAX_VERSION) {
    kg_reply_bad_status(r, 400, KG_R_INVALID_FORMAT, "version", "must be a version number from 1");
    return 0;
  }
  *pnVersion = (int)v;
  return 1;
}

/* ?lang= of a printable page or PDF: ru (the default, the official
 * version), tt or en (translations). Returns 1, or 0 after 422. */
static int read_lang(struct kg_req *r, enum kg_lang *peLang) {
  const char *z = kg_req_query(r, "lang");
  *peLang = KG_LANG_RU;
  if (!z || kg_lang_from_tag(z, peLang)) return 1;
  kg_reply_bad(r, KG_R_NOT_ALLOWED, "lang", "must be ru, tt or en");
  return 0;
}

/* The format asked for: the route's, else ?format=, else Accept. Returns
 * FMT_AUTO after replying 400 for an unknown ?format=. */
static enum fmt pick_format(struct kg_req *r, enum fmt f) {
  const char *z;
  if (f != FMT_AUTO) return f;
  if ((z = kg_req_query(r, "format")) != NULL) {
    if (strcmp(z, "json") == 0) return FMT_JSON;
    if (strcmp(z, "html") == 0) return FMT_HTML;
    if (strcmp(z, "pdf") == 0) return FMT_PDF;
    kg_reply_bad_status(r, 400, KG_R_NOT_ALLOWED, "format", "must be json, html or pdf");
    return FMT_AUTO;
  }
  z = kg_req_header(r, "Accept");
  if (z && strstr(z, "text/html")) return FMT_HTML;
  if (z && strstr(z, "application/pdf") && !strstr(z, "application/json")) return FMT_PDF;
  return FMT_JSON;
}

/* GET a document of kind zKind in format f. */
static void serve_doc(struct kg_req *r, const char *zKind, enum fmt f) {
  int64_t id;
  int nVersion;
  enum kg_lang eLang;
  struct kg_store *pStore;
  struct kg_report_doc d = {0};
  if (!(id = kg_api_param_id(r, "id", "no such discussion"))) return;
  if (!read_version(r, &nVersion) || !read_lang(r, &eLang) || (f = pick_format(r, f)) == FMT_AUTO ||
      !(pStore = kg_api_store(r)))
    return;
  enum kg_err rc = kg_store_report_get(pStore, id, zKind, nVersion, &d);
  if (rc == KG_ENOTFOUND) {
    char zMsg[160];
    if (nVersion)
      snprintf(zMsg, sizeof(zMsg), "the %s of discussion %lld has no version %d", zKind,
               (long long)id, nVersion);
    else
      snprintf(zMsg, sizeof(zMsg), "the %s of discussion %lld has not been issued yet", zKind,
               (long long)id);
    kg_reply_code(r, KG_P_NOT_FOUND, zMsg);
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot read the document");
    return;
  }
  char zEtag[96], zVersion[16], zName[64];
  /* a numbered version never changes; "the latest" may */
  const char *zCache = nVersion ? "public, max-age=31536000, immutable" : "public, no-cache";
  snprintf(zVersion, sizeof(zVersion), "%d", d.nVersion);
  kg_reply_header(r, "X-Document-Version", zVersion);
  kg_reply_header(r, "Vary", "Accept");
  if (f != FMT_JSON) {
    /* ETag: the SHA-256 of the rendered bytes, kept once rendered */
    snprintf(zName, sizeof(zName), "%s-%lld-v%d", zKind, (long long)id, d.nVersion);
    const struct kg_render_req q = {.zKind = zKind,
                                    .discussionId = id,
                                    .nVersion = d.nVersion,
                                    .bPdf = f == FMT_PDF,
                                    .eLang = eLang,
                                    .zDocSha = d.zSha256,
                                    .zShaHeader = "X-Content-SHA256",
                                    .zCache = zCache,
                                    .zName = zName};
    kg_api_render_serve(r, &q, NULL, d.zBody, d.nBody);
    goto out;
  }
  snprintf(zEtag, sizeof(zEtag), "\"%s\"", d.zSha256);
  kg_reply_header(r, "X-Content-SHA256", d.zSha256);
  kg_reply_header(r, "ETag", zEtag);
  kg_reply_header(r, "Cache-Control", zCache);
  if (kg_req_etag_matches(r, zEtag)) {
    kg_reply_empty(r, 304);
    goto out;
  }
  const char *zCanon = kg_req_query(r, "canonical");
  if (zCanon && strcmp(zCanon, "1") == 0) {
    /* exactly the hashed bytes */
    kg_reply_text(r, 200, "application/json; charset=utf-8", d.zBody, d.nBody);
    d.zBody = NULL;
    goto out;
  }
  size_t n;
  char *z = kg_report_served_json(d.zBody, d.nBody, d.zSha256, &n);
  kg_reply_text(r, 200, "application/json; charset=utf-8", z, n);
out:
  kg_report_doc_clear(&d);
}

void kg_api_protocol_get(struct kg_req *r) {
  serve_doc(r, "protocol", FMT_AUTO);
}
void kg_api_protocol_json(struct kg_req *r) {
  serve_doc(r, "protocol", FMT_JSON);
}
void kg_api_protocol_html(struct kg_req *r) {
  serve_doc(r, "protocol", FMT_HTML);
}
void kg_api_protocol_pdf(struct kg_req *r) {
  serve_doc(r, "protocol", FMT_PDF);
}
void kg_api_conclusion_get(struct kg_req *r) {
  serve_doc(r, "conclusion", FMT_AUTO);
}
void kg_api_conclusion_json(struct kg_req *r) {
  serve_doc(r, "conclusion", FMT_JSON);
}
void kg_api_conclusion_html(struct kg_req *r) {
  serve_doc(r, "conclusion", FMT_HTML);
}
void kg_api_conclusion_pdf(struct kg_req *r) {
  serve_doc(r, "conclusion", FMT_PDF);
}

/* ---- versions and links ---- */

struct versions_ctx {
  json_t *pItems;
  json_t *pLast; /* borrowed */
};

static json_t *version_json(const struct kg_report_doc *d) {
  char zBase[96];
  snprintf(zBase, sizeof(zBase), "/api/v1/discussions/%lld/%s", (long long)d->discussionId,
           d->zKind);
  char *zJson = kg_xasprintf("%s?version=%d", zBase, d->nVersion);
  char *zHtml = kg_xasprintf("%s.html?version=%d", zBase, d->nVersion);
  char *zPdf = kg_xasprintf("%s.pdf?version=%d", zBase, d->nVersion);
  json_t *p = json_pack("{s:i, s:s, s:o, s:s, s:s, s:s}", "version", d->nVersion, "sha256",
                        d->zSha256, "issued_at", kg_api_time_json(d->issuedAt), "url", zJson,
                        "html", zHtml, "pdf", zPdf);
  free(zJson);
  free(zHtml);
  free(zPdf);
  return p;
}

static int version_row(void *pArg, const struct kg_report_doc *d) {
  struct versions_ctx *c = pArg;
  c->pLast = version_json(d);
  json_array_append_new(c->pItems, c->pLast);
  return 0;
}

static void serve_versions(struct kg_req *r, const char *zKind) {
  int64_t id;
  struct kg_store *pStore = kg_api_open_id(r, "id", "no such discussion", &id);
  if (!pStore) return;
  struct versions_ctx c = {json_array(), NULL};
  enum kg_err rc = kg_store_report_versions(pStore, id, zKind, version_row, &c);
  if (rc) {
    json_decref(c.pItems);
    kg_reply_err(r, rc, "cannot list the versions");
    return;
  }
  if (json_array_size(c.pItems) == 0) {
    json_decref(c.pItems);
    char zMsg[120];
    snprintf(zMsg, sizeof(zMsg), "the %s of discussion %lld has not been issued yet", zKind,
             (long long)id);
    kg_reply_code(r, KG_P_NOT_FOUND, zMsg);
    return;
  }
  kg_reply_json(r, 200, json_pack("{s:o, s:n}", "items", c.pItems, "next"));
}

void kg_api_protocol_versions(struct kg_req *r) {
  serve_versions(r, "protocol");
}
void kg_api_conclusion_versions(struct kg_req *r) {
  serve_versions(r, "conclusion");
}

json_t *kg_api_reports_links(struct kg_store *p, int64_t id) {
  static const char *const azKind[] = {"protocol", "conclusion"};
  json_t *pOut = json_object();
  for (int i = 0; i < 2; i++) {
    struct versions_ctx c = {json_array(), NULL};
    json_t *pLink = json_null();
    if (kg_store_report_versions(p, id, azKind[i], version_row, &c) == KG_OK && c.pLast) {
      pLink = json_deep_copy(c.pLast);
      char *zVersions =
          kg_xasprintf("/api/v1/discussions/%lld/%s/versions", (long long)id, azKind[i]);
      json_object_set_new(pLink, "versions", json_string(zVersions));
      free(zVersions);
    }
    json_decref(c.pItems);
    json_object_set_new(pOut, azKind[i], pLink);
  }
  return pOut;
}

/* ---- issuing ---- */

/* Builds, hashes and stores version latest+1 of the protocol inside the
 * caller's transaction. *pnVersion gets the version. */
static enum kg_err issue_protocol(struct kg_store *p, int64_t id, int64_t actorId,
                                  const char *zNote, int64_t tNow, const char *zBase,
                                  int *pnVersion) {
  json_t *pDoc = NULL;
  char *zCanon = NULL, zSha[65];
  size_t nCanon = 0;
  int nLatest = 0;
  enum kg_err rc;
  if ((rc = kg_store_report_latest(p, id, "protocol", &nLatest)) != KG_OK) goto out;
  if ((rc = kg_report_protocol_build(p, id, nLatest + 1, tNow, zBase, &pDoc)) != KG_OK) goto out;
  if ((rc = kg_report_canonical(pDoc, &zCanon, &nCanon, zSha)) != KG_OK) goto out;
  rc = kg_store_report_insert(p, id, "protocol", nLatest + 1, zCanon, nCanon, zSha, tNow, actorId,
                              zNote);
  if (rc == KG_OK) {
    *pnVersion = nLatest + 1;
    kg_log_info("protocol issued discussion=%lld version=%d sha256=%s", (long long)id, nLatest + 1,
                zSha);
  }
out:
  json_decref(pDoc);
  free(zCanon);
  return rc;
}

struct mail_ctx {
  struct kg_store *p;
  const struct kg_mail_text *aText; /* by enum kg_lang: the recipient's language */
  int64_t tNow;
  enum kg_err rc;
  int n;
};

static int recipient_row(void *pArg, const char *zEmail, const char *zFullName) {
  struct mail_ctx *c = pArg;
  (void)zFullName;
  if (!zEmail || !zEmail[0]) return 0;
  enum kg_lang eLang = kg_store_address_language(c->p, zEmail);
  c->rc = kg_store_outbox_insert_lang(c->p, zEmail, c->aText[eLang].zSubject, c->aText[eLang].zBody,
                                      NULL, kg_lang_tag(eLang), c->tNow, NULL);
  if (c->rc == KG_OK) c->n++;
  return c->rc != KG_OK;
}

/* Publishes the conclusion inside the caller's transaction: builds it from
 * the latest protocol (issuing one first when there is none), stores it and
 * queues the participants' e-mail. KG_ECONFLICT with pWhy filled when the
 * draft is incomplete. */
static enum kg_err publish_conclusion(struct kg_store *p, int64_t id, int64_t actorId,
                                      const char *zNote, int64_t tNow, const char *zBase, int bMail,
                                      struct kg_buf *pWhy, int *pnMails) {
  struct kg_report_doc prot = {0};
  struct kg_discussion d = {0};
  json_t *pDoc = NULL;
  struct kg_mail_text m[KG_LANG_COUNT] = {{0}};
  char *zCanon = NULL, zSha[65];
  size_t nCanon = 0;
  int nLatest = 0, nMissing = 0, nProt = 0;
  enum kg_err rc = kg_store_report_get(p, id, "protocol", 0, &prot);
  if (rc == KG_ENOTFOUND) {
    if ((rc = issue_protocol(p, id, actorId, NULL, tNow, zBase, &nProt)) != KG_OK) goto out;
    rc = kg_store_report_get(p, id, "protocol", 0, &prot);
  }
  if (rc) goto out;
  if ((rc = kg_store_report_latest(p, id, "conclusion", &nLatest)) != KG_OK) goto out;
  rc = kg_report_conclusion_build(p, id, nLatest + 1, tNow, zBase, &prot, &pDoc, &nMissing, pWhy);
  if (rc) goto out;
  if ((rc = kg_report_canonical(pDoc, &zCanon, &nCanon, zSha)) != KG_OK) goto out;
  if ((rc = kg_store_report_insert(p, id, "conclusion", nLatest + 1, zCanon, nCanon, zSha, tNow,
                                   actorId, zNote)) != KG_OK)
    goto out;
  if (!bMail) goto out;
  if ((rc = kg_store_discussion_get(p, id, &d)) != KG_OK) goto out;
  for (int i = 0; i < KG_LANG_COUNT; i++)
    kg_mail_compose_conclusion((enum kg_lang)i, zBase, id, d.zTitle ? d.zTitle : "", nLatest + 1,
                               zSha, &m[i]);
  struct mail_ctx mc = {p, m, tNow, KG_OK, 0};
  rc = kg_store_report_recipients(p, id, recipient_row, &mc);
  if (rc == KG_OK) rc = mc.rc;
  *pnMails = mc.n;
  if (rc == KG_OK)
    kg_log_info("conclusion published discussion=%lld version=%d sha256=%s mails=%d", (long long)id,
                nLatest + 1, zSha, mc.n);
out:
  kg_report_doc_clear(&prot);
  kg_discussion_clear(&d);
  json_decref(pDoc);
  free(zCanon);
  for (int i = 0; i < KG_LANG_COUNT; i++)
    kg_mail_text_clear(&m[i]);
  return rc;
}

enum kg_err kg_api_reports_move(struct kg_store *p, int64_t id, enum kg_status to, int64_t actorId,
                                const char *zNote, int64_t tNow, const char *zBaseUrl, int bMail,
                                struct kg_buf *pWhy, int *pnMails, enum kg_status *pFrom) {
  enum kg_status from = KG_ST_DRAFT;
  int nVersion = 0;
  *pnMails = 0;
  if (to != KG_ST_PROTOCOL && to != KG_ST_CONCLUDED)
    return kg_store_discussion_transition(p, id, to, actorId, zNote, tNow, pFrom);
  /* out of order is told before anything is built; the store refuses the
   * move itself unless the document was issued first, at tNow */
  enum kg_err rc = kg_store_discussion_status(p, id, &from, NULL);
  if (rc) return rc;
  if (!kg_status_transition_allowed(from, to)) {
    if (pFrom) *pFrom = from;
    return KG_ECONFLICT;
  }
  rc = to == KG_ST_PROTOCOL
           ? issue_protocol(p, id, actorId, zNote, tNow, zBaseUrl, &nVersion)
           : publish_conclusion(p, id, actorId, zNote, tNow, zBaseUrl, bMail, pWhy, pnMails);
  if (rc == KG_OK) rc = kg_store_discussion_transition(p, id, to, actorId, zNote, tNow, pFrom);
  return rc;
}

enum kg_err kg_api_reports_transition(struct kg_req *r, struct kg_store *p, int64_t id,
                                      enum kg_status to, int64_t actorId, const char *zNote,
                                      int64_t tNow, enum kg_status *pFrom) {
  if (to != KG_ST_PROTOCOL && to != KG_ST_CONCLUDED)
    return kg_store_discussion_transition(p, id, to, actorId, zNote, tNow, pFrom);
  struct kg_buf why;
  int nMails = 0;
  enum kg_err rc = kg_store_begin(p);
  if (rc) return rc;
  kg_buf_init(&why, 4096);
  rc = kg_api_reports_move(p, id, to, actorId, zNote, tNow, base_url(r), 1, &why, &nMails, pFrom);
  if (rc == KG_OK) rc = kg_store_commit(p);
  if (rc != KG_OK) kg_store_rollback(p);
  if (rc == KG_ECONFLICT && why.n > 0) {
    char *zDetail = kg_xasprintf("the conclusion cannot be published: %s", why.a);
    kg_reply_code(r, KG_P_CONFLICT, zDetail);
    free(zDetail);
  }
  kg_buf_free(&why);
  if (rc == KG_OK && nMails > 0) kg_mail_wake();
  return rc;
}

void kg_api_protocol_reissue(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore;
  struct kg_discussion d = {0};
  const char *zNote = NULL;
  size_t nBody = 0;
  int nVersion = 0;
  const struct kg_api_field aField[] = {KG_API_F_STR("note", 0, MAX_NOTE_CHARS, &zNote)};
  if (!(id = kg_api_param_id(r, "id", "no such discussion"))) return;
  kg_req_body(r, &nBody);
  /* the body is optional */
  if ((nBody > 0 && !kg_api_body(r, aField, KG_API_NFIELD(aField))) || !(pStore = kg_api_store(r)))
    return;
  int64_t tNow = kg_time_now(), actorId = kg_api_account(r)->id;
  enum kg_err rc = kg_store_begin(pStore);
  if (rc) {
    kg_reply_err(r, rc, "cannot issue the protocol");
    return;
  }
  rc = kg_store_discussion_get(pStore, id, &d);
  if (rc == KG_OK && d.status != KG_ST_PROTOCOL) {
    char zMsg[200];
    snprintf(zMsg, sizeof(zMsg),
             "a new version of the protocol is issued only while the discussion's status is "
             "protocol; it is %s",
             kg_status_name(d.status));
    kg_reply_code(r, KG_P_WRONG_STATUS, zMsg);
    rc = KG_ECONFLICT;
  }
  if (rc == KG_OK) rc = issue_protocol(pStore, id, actorId, zNote, tNow, base_url(r), &nVersion);
  if (rc == KG_OK)
    rc = kg_store_modlog_insert(pStore, actorId, "protocol.reissue", "discussion", id, zNote, tNow);
  if (rc == KG_OK) rc = kg_store_commit(pStore);
  if (rc != KG_OK) kg_store_rollback(pStore);
  kg_discussion_clear(&d);
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such discussion" : "cannot issue the protocol");
    return;
  }
  struct kg_report_doc doc = {0};
  if ((rc = kg_store_report_get(pStore, id, "protocol", nVersion, &doc)) != KG_OK) {
    kg_reply_err(r, rc, "cannot read the protocol");
    return;
  }
  char zLoc[96];
  size_t n;
  snprintf(zLoc, sizeof(zLoc), "/api/v1/discussions/%lld/protocol?version=%d", (long long)id,
           nVersion);
  kg_reply_header(r, "Location", zLoc);
  kg_reply_header(r, "X-Content-SHA256", doc.zSha256);
  char *z = kg_report_served_json(doc.zBody, doc.nBody, doc.zSha256, &n);
  kg_reply_text(r, 201, "application/json; charset=utf-8", z, n);
  kg_report_doc_clear(&doc);
}

/* ---- the annex (moderators) ---- */

/* "a, b" -> ["a", "b"]; z may be NULL. */
static json_t *split_list(const char *z, const char *zSep) {
  json_t *p = json_array();
  size_t nSep = strlen(zSep);
  while (z && *z) {
    const char *zEnd = strstr(z, zSep);
    size_t n = zEnd ? (size_t)(zEnd - z) : strlen(z);
    json_array_append_new(p, json_stringn(z, n));
    z = zEnd ? zEnd + nSep : NULL;
  }
  return p;
}

static int participant_row(void *pArg, const struct kg_report_participant *e) {
  json_array_append_new(
      pArg,
      json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "account_id",
                e->accountId ? json_integer(e->accountId) : json_null(), "full_name",
                e->zFullName ? e->zFullName : "", "birth_date",
                e->zBirthDate ? json_string(e->zBirthDate) : json_null(), "address",
                e->zAddress ? json_string(e->zAddress) : json_null(), "basis",
                split_list(e->zBasis, ","), "cadastral_numbers", split_list(e->zCadastral, ", "),
                "channels", split_list(e->zChannels, ","), "registration_numbers",
                split_list(e->zRegNos, ", "), "source", e->accountId ? "account" : "on_behalf_of"));
  return 0;
}

/* The latest protocol of the {id} discussion into *pDoc; replies 404 when
 * none and returns 0. */
static int latest_protocol(struct kg_req *r, struct kg_store *pStore, int64_t id,
                           struct kg_report_doc *pDoc) {
  enum kg_err rc = kg_store_report_get(pStore, id, "protocol", 0, pDoc);
  if (rc == KG_ENOTFOUND) {
    kg_reply_code(r, KG_P_NOT_FOUND, "the protocol has not been issued yet");
    return 0;
  }
  if (rc) {
    kg_reply_err(r, rc, "cannot read the protocol");
    return 0;
  }
  return 1;
}

/* The participants annex of the {id} discussion in format f (moderators
 * only: personal data, never cached). */
static void serve_participants(struct kg_req *r, enum fmt f) {
  int64_t id;
  struct kg_store *pStore;
  struct kg_report_doc prot = {0};
  struct kg_discussion d = {0};
  json_t *pItems = NULL;
  enum kg_lang eLang;
  if (!(id = kg_api_param_id(r, "id", "no such discussion"))) return;
  if (!read_lang(r, &eLang) || (f = pick_format(r, f)) == FMT_AUTO || !(pStore = kg_api_store(r)) ||
      !latest_protocol(r, pStore, id, &prot))
    return;
  pItems = json_array();
  enum kg_err rc = kg_store_report_participants(pStore, id, participant_row, pItems);
  if (rc == KG_OK) rc = kg_store_discussion_get(pStore, id, &d);
  if (rc) {
    json_decref(pItems);
    kg_report_doc_clear(&prot);
    kg_discussion_clear(&d);
    kg_reply_err(r, rc, "cannot list the participants");
    return;
  }
  json_t *pDoc = json_pack("{s:s, s:I, s:s, s:s, s:{s:i, s:s}, s:I, s:o}", "document",
                           "participants", "discussion_id", (json_int_t)id, "title",
                           "Перечень принявших участие в рассмотрении проекта участников "
                           "общественных обсуждений (приложение к протоколу)",
                           "discussion_title", d.zTitle ? d.zTitle : "", "protocol", "version",
                           prot.nVersion, "sha256", prot.zSha256, "count",
                           (json_int_t)json_array_size(pItems), "items", pItems);
  if (f == FMT_JSON) {
    kg_reply_header(r, "Cache-Control", "private, no-store");
    kg_reply_json(r, 200, pDoc);
  } else {
    char zName[48];
    snprintf(zName, sizeof(zName), "participants-%lld", (long long)id);
    const struct kg_render_req q = {.zKind = "participants",
                                    .discussionId = id,
                                    .nVersion = prot.nVersion,
                                    .bPdf = f == FMT_PDF,
                                    .eLang = eLang,
                                    .zDocSha = prot.zSha256,
                                    .zShaHeader = "X-Protocol-SHA256",
                                    .zCache = "private, no-store",
                                    .zName = zName};
    kg_api_render_serve(r, &q, pDoc, NULL, 0);
  }
  kg_report_doc_clear(&prot);
  kg_discussion_clear(&d);
}

void kg_api_protocol_participants(struct kg_req *r) {
  serve_participants(r, FMT_AUTO);
}
void kg_api_protocol_participants_html(struct kg_req *r) {
  serve_participants(r, FMT_HTML);
}
void kg_api_protocol_participants_pdf(struct kg_req *r) {
  serve_participants(r, FMT_PDF);
}

/* ---- the conclusion's draft (moderators) ---- */

void kg_api_conclusion_draft(struct kg_req *r) {
  int64_t id;
  struct kg_store *pStore = kg_api_open_id(r, "id", "no such discussion", &id);
  struct kg_report_doc prot = {0};
  json_t *pDraft = NULL;
  if (!pStore || !latest_protocol(r, pStore, id, &prot)) return;
  enum kg_err rc = kg_report_conclusion_draft(pStore, id, &prot, &pDraft);
  kg_report_doc_clear(&prot);
  if (rc) {
    kg_reply_err(r, rc, "cannot read the draft");
    return;
  }
  kg_reply_json(r, 200, pDraft);
}

static void reply_not_protocol(struct kg_req *r, struct kg_store *pStore, int64_t id) {
  struct kg_discussion d = {0};
  char zMsg[200];
  if (kg_store_discussion_get(pStore, id, &d) != KG_OK) {
    kg_reply_code(r, KG_P_NOT_FOUND, "no such discussion");
    return;
  }
  snprintf(zMsg, sizeof(zMsg),
           "the conclusion is drafted only while the discussion's status is protocol; it is %s",
           kg_status_name(d.status));
  kg_discussion_clear(&d);
  kg_reply_code(r, KG_P_WRONG_STATUS, zMsg);
}

/* Reads merge_with (an array or NULL): comment ids, none twice and not
 * cid, into aMember. Returns 1, or 0 after replying. */
static int read_merge(struct kg_req *r, json_t *pMerge, int64_t cid, int64_t *aMember,
                      int *pnMember) {
  size_t i;
  json_t *v;
  json_array_foreach(pMerge, i, v) {
    char zField[40];
    snprintf(zField, sizeof(zField), "merge_with[%zu]", i);
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
      kg_reply_bad(r, KG_R_INVALID_FORMAT, zField, "must be a comment id (a positive integer)");
      return 0;
    }
    int64_t m = json_integer_value(v);
    int bDup = m == cid;
    for (int k = 0; k < *pnMember; k++)
      if (aMember[k] == m) bDup = 1;
    if (bDup) {
      kg_reply_bad(r, KG_R_INVALID, zField, "repeats a comment of the group");
      return 0;
    }
    aMember[(*pnMember)++] = m;
  }
  return 1;
}

void kg_api_conclusion_item_put(struct kg_req *r) {
  static const char *const azRec[] = {"take_into_account", "reject", NULL};
  int64_t id = kg_req_param_id(r, "id"), cid = kg_req_param_id(r, "cid");
  int64_t aMember[KG_CONCLUSION_MAX_MERGE];
  int nMember = 0, iBad = -1;
  const char *zRec, *zReasoning;
  json_t *pMerge;
  struct kg_store *pStore;
  const struct kg_api_field aField[] = {
      {.zName = "recommendation",
       .eType = KG_API_STR,
       .fFlags = KG_API_REQUIRED,
       .nMax = 40,
       .pOut = &zRec,
       .azOneOf = azRec,
       .zRule = "must be take_into_account or reject"},
      KG_API_F_STR("reasoning", KG_API_REQUIRED, MAX_REASONING_CHARS, &zReasoning),
      {.zName = "merge_with",
       .eType = KG_API_ARRAY,
       .fFlags = KG_API_RULE_ALL,
       .nMax = KG_CONCLUSION_MAX_MERGE,
       .zRule = "must be an array of at most 100 comment ids",
       .pOut = &pMerge},
  };
  if (!id || !cid) {
    kg_reply_code(r, KG_P_NOT_FOUND, id ? "no such comment" : "no such discussion");
    return;
  }
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField)) ||
      !read_merge(r, pMerge, cid, aMember, &nMember) || !(pStore = kg_api_store(r)))
    return;
  enum kg_err rc = kg_store_conclusion_item_put(pStore, id, cid, aMember, nMember, zRec, zReasoning,
                                                kg_api_account(r)->id, kg_time_now(), &iBad);
  if (rc == KG_ECONFLICT && iBad < 0) {
    reply_not_protocol(r, pStore, id);
    return;
  }
  if ((rc == KG_ECONFLICT || rc == KG_EINVAL) && iBad >= 0) {
    char zField[40];
    snprintf(zField, sizeof(zField), "merge_with[%d]", iBad);
    kg_reply_bad(r, KG_R_UNKNOWN_REFERENCE, zField,
                 rc == KG_EINVAL
                     ? "is not a registered comment of this discussion"
                     : "leads a merged group of its own: record that group again first");
    return;
  }
  if (rc == KG_EINVAL) {
    kg_reply_code(r, KG_P_NOT_FOUND, "no registered comment of this discussion has that id");
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such discussion" : "cannot save the item");
    return;
  }
  json_t *pMerged = json_array();
  for (int k = 0; k < nMember; k++)
    json_array_append_new(pMerged, json_integer(aMember[k]));
  kg_reply_json(r, 200,
                json_pack("{s:I, s:I, s:o, s:s, s:s}", "discussion_id", (json_int_t)id,
                          "comment_id", (json_int_t)cid, "merge_with", pMerged, "recommendation",
                          zRec, "reasoning", zReasoning));
}

void kg_api_conclusion_put(struct kg_req *r) {
  int64_t id;
  const char *zFindings;
  struct kg_store *pStore;
  const struct kg_api_field aField[] = {
      KG_API_F_STR("findings", KG_API_REQUIRED, MAX_FINDINGS_CHARS, &zFindings)};
  if (!(id = kg_api_param_id(r, "id", "no such discussion")) ||
      !kg_api_body(r, aField, KG_API_NFIELD(aField)) || !(pStore = kg_api_store(r)))
    return;
  enum kg_err rc =
      kg_store_conclusion_findings_put(pStore, id, zFindings, kg_api_account(r)->id, kg_time_now());
  if (rc == KG_ECONFLICT) {
    reply_not_protocol(r, pStore, id);
    return;
  }
  if (rc) {
    kg_reply_err(r, rc, rc == KG_ENOTFOUND ? "no such discussion" : "cannot save the findings");
    return;
  }
  kg_reply_json(r, 200,
                json_pack("{s:I, s:s}", "discussion_id", (json_int_t)id, "findings", zFindings));
}

/* ---- the participant's extract ---- */

struct ids_ctx {
  int64_t *a;
  size_t n, nAlloc;
};

static int id_row(void *pArg, const struct kg_report_entry *e) {
  struct ids_ctx *c = pArg;
  if (c->n == c->nAlloc) {
    c->nAlloc = c->nAlloc ? c->nAlloc * 2 : 16;
    c->a = kg_xrealloc(c->a, c->nAlloc * sizeof(int64_t));
  }
  c->a[c->n++] = e->commentId;
  return 0;
}

/* The hash of the state an extract shows: its model without its date
 * (the participant, the entries, the protocol and conclusion it cites), so
 * that its rendering is kept until one of them changes. The date printed is
 * then the day of the first rendering. */
static enum kg_err extract_state(json_t *pDoc, char zState[65]) {
  json_t *pAt = json_incref(json_object_get(pDoc, "generated_at"));
  char *z = NULL;
  size_t n;
  json_object_del(pDoc, "generated_at");
  enum kg_err rc = kg_report_canonical(pDoc, &z, &n, zState);
  free(z);
  if (pAt) json_object_set_new(pDoc, "generated_at", pAt);
  return rc;
}

static void serve_extract(struct kg_req *r, enum fmt f) {
  const struct kg_account *pAcc = kg_api_account(r);
  const char *z = kg_req_query(r, "discussion");
  struct kg_store *pStore;
  struct kg_report_doc prot = {0}, conc = {0};
  struct ids_ctx ids = {NULL, 0, 0};
  json_t *pDoc = NULL;
  enum kg_lang eLang;
  char *zEnd;
  long long id = z ? strtoll(z, &zEnd, 10) : 0;
  if (!z || !*z || *zEnd || id <= 0) {
    kg_reply_bad_status(r, 400, KG_R_REQUIRED, "discussion", "is required: the discussion's id");
    return;
  }
  if (!read_lang(r, &eLang) || (f = pick_format(r, f)) == FMT_AUTO || !(pStore = kg_api_store(r)) ||
      !latest_protocol(r, pStore, id, &prot))
    return;
  enum kg_err rc = kg_store_report_get(pStore, id, "conclusion", 0, &conc);
  int bConc = rc == KG_OK;
  if (rc == KG_ENOTFOUND) rc = KG_OK;
  if (rc == KG_OK) rc = kg_store_report_entries(pStore, id, pAcc->id, id_row, &ids);
  if (rc == KG_OK)
    rc = kg_report_extract_build(&prot, bConc ? &conc : NULL, ids.a, ids.n, pAcc->zFullName,
                                 kg_time_now(), &pDoc);
  if (rc) {
    kg_reply_err(r, rc, "cannot make the extract");
    goto out;
  }
  if (f == FMT_JSON) {
    kg_reply_header(r, "Cache-Control", "private, no-store");
    kg_reply_header(r, "X-Protocol-SHA256", prot.zSha256);
    kg_reply_json(r, 200, pDoc);
  } else {
    char zName[48], zState[65];
    snprintf(zName, sizeof(zName), "extract-%lld", id);
    const struct kg_render_req q = {.zKind = "extract",
                                    .zState = extract_state(pDoc, zState) == KG_OK ? zState : NULL,
                                    .discussionId = id,
                                    .nVersion = prot.nVersion,
                                    .bPdf = f == FMT_PDF,
                                    .eLang = eLang,
                                    .zDocSha = prot.zSha256,
                                    .zShaHeader = "X-Protocol-SHA256",
                                    .zCache = "private, no-store",
                                    .zName = zName};
    kg_api_render_serve(r, &q, pDoc, NULL, 0);
  }
  pDoc = NULL;
out:
  json_decref(pDoc);
  free(ids.a);
  kg_report_doc_clear(&prot);
  kg_report_doc_clear(&conc);
}

void kg_api_me_extract(struct kg_req *r) {
  serve_extract(r, FMT_AUTO);
}
void kg_api_me_extract_pdf(struct kg_req *r) {
  serve_extract(r, FMT_PDF);
}
void kg_api_me_extract_html(struct kg_req *r) {
  serve_extract(r, FMT_HTML);
}

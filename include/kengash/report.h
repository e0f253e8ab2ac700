/* report.h: the official outputs of a public discussion — the protocol,
 * the conclusion and a participant's extract. A document is first a JSON
 * model built from the store (kg_report_*_build); the model is what is
 * issued: its canonical bytes (kg_report_canonical) are stored with their
 * SHA-256 and never change. The same model renders as a printable HTML page
 * (kg_report_html) and as a paginated A4 PDF drawn with cairo and pango
 * (kg_report_pdf), each showing the SHA-256 of the canonical JSON.
 *
 * Canonical JSON: UTF-8 without a byte order mark, object keys sorted by
 * their bytes, no white space outside strings (separators "," and ":"),
 * non-ASCII characters as themselves (not \u escapes), only "\"", "\\" and
 * control characters escaped; numbers are integers only (decimal values
 * such as coordinates are strings). It is what Python's
 * json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
 * gives. The JSON served to clients is the canonical bytes with the member
 * "sha256":"<hex>", inserted right after the opening brace. */
#ifndef KENGASH_REPORT_H
#define KENGASH_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "kengash/core.h"
#include "kengash/i18n.h"
#include "kengash/store.h"

/* Largest canonical document, PDF or HTML rendering, bytes. */
#define KG_REPORT_MAX_BYTES ((size_t)128 * 1024 * 1024)
/* How many registration numbers the "missing recommendations" text names. */
#define KG_REPORT_MISSING_NAMED 20

/* The protocol of discussionId as the store has it now, as version
 * nVersion issued at tIssued. zBaseUrl makes the links (the platform's
 * public URL). *ppDoc is a new reference (json_decref). KG_ENOTFOUND
 * without the discussion. */
enum kg_err kg_report_protocol_build(struct kg_store *p, int64_t discussionId, int nVersion,
                                     int64_t tIssued, const char *zBaseUrl,
                                     json_t **ppDoc /* OUT */);

/* The conclusion, version nVersion issued at tIssued, from the issued
 * protocol pProtocol (its entries and split, referenced by version and
 * SHA-256) and the organizer's draft in the store. Every proposal and
 * remark of the protocol needs a recommendation (questions may have one):
 * otherwise KG_ECONFLICT with *pnMissing the number of entries without one
 * and pWhy (may be NULL) naming them. Findings not recorded are "". */
enum kg_err kg_report_conclusion_build(struct kg_store *p, int64_t discussionId, int nVersion,
                                       int64_t tIssued, const char *zBaseUrl,
                                       const struct kg_report_doc *pProtocol,
                                       json_t **ppDoc /* OUT */, int *pnMissing /* OUT */,
                                       struct kg_buf *pWhy /* OUT, may be NULL */);

/* The draft of the conclusion for moderators: the protocol's entries with
 * their recommendation (or null), the groups and the findings, plus
 * "missing": the registration numbers still without a recommendation. */
enum kg_err kg_report_conclusion_draft(struct kg_store *p, int64_t discussionId,
                                       const struct kg_report_doc *pProtocol,
                                       json_t **ppDraft /* OUT */);

/* A participant's extract: the entries of the issued protocol that
 * commentIds (the participant's own comments, nIds of them) name, with the
 * protocol's reference, and the recommendations when a conclusion
 * (pConclusion, may be NULL) was published. zFullName is the participant's
 * name. New reference in *ppDoc. */
enum kg_err kg_report_extract_build(const struct kg_report_doc *pProtocol,
                                    const struct kg_report_doc *pConclusion,
                                    const int64_t *aCommentId, size_t nIds, const char *zFullName,
                                    int64_t tNow, json_t **ppDoc /* OUT */);

/* The canonical bytes of pDoc (heap, free()) with their length and the
 * lowercase hex SHA-256 over exactly those bytes. KG_EINVAL when pDoc holds
 * a real number; KG_ETOOBIG over KG_REPORT_MAX_BYTES. */
enum kg_err kg_report_canonical(const json_t *pDoc, char **pzOut /* OUT */, size_t *pnOut /* OUT */,
                                char zSha256[65] /* OUT */);
/* Lowercase hex SHA-256 of n bytes. */
void kg_report_sha256(const void *p, size_t n, char zSha256[65] /* OUT */);
/* The served JSON of a canonical document: "sha256" inserted after the
 * opening brace. Heap string (free()), length in *pnOut. */
char *kg_report_served_json(const char *zCanon, size_t nCanon, const char *zSha256,
                            size_t *pnOut /* OUT */);

/* A printable HTML page (A4 print CSS, everything escaped) of a protocol,
 * conclusion, extract or participants model; zSha256 (may be NULL) goes in
 * the footer. The labels are eLang's (src/core/lang/<lang>/report.txt):
 * Russian is the official version; a Tatar or English page says under its
 * title that it is a translation. Appends to pOut. */
enum kg_err kg_report_html(const json_t *pDoc, const char *zSha256, enum kg_lang eLang,
                           struct kg_buf *pOut);

/* A PDF of the same model in eLang: A4, DejaVu Sans, a header on every
 * page, the footer "стр. N из M" (in eLang) with zSha256, tables that break
 * across pages (a row taller than a page is split between lines), /Lang
 * eLang's tag. *ppPdf is heap memory (free()), *pnPdf its size, *pnPages
 * (may be NULL) the page count. */
enum kg_err kg_report_pdf(const json_t *pDoc, const char *zSha256, enum kg_lang eLang,
                          char **ppPdf /* OUT */, size_t *pnPdf /* OUT */,
                          int *pnPages /* OUT, may be NULL */);

#endif

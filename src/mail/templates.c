/* templates.c: the texts of the e-mails about discussions and
 * participation — receipts, official answers, stage changes for
 * followers, moderation and appeal decisions, verification decisions and
 * the published conclusion. Pure functions of plain data (kengash/mail.h);
 * the api layer gathers the data and queues the result. Every fixed text
 * is a key of src/core/lang/<lang>/mail.txt (kengash/i18n.h); the user's
 * own text is put in unchanged. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/mail.h"
#include "templates_int.h"

/* Longest verification text (the note is at most 1000 characters). */
#define VERIFICATION_MAX_BYTES (32 * 1024)

char *kg_mail_base(const char *zBaseUrl) {
  const char *z = zBaseUrl ? zBaseUrl : "";
  size_t n = strlen(z);
  while (n && z[n - 1] == '/')
    n--;
  return kg_xstrndup(z, n);
}

static void wipe_free(char *z) {
  if (!z) return;
  sodium_memzero(z, strlen(z));
  free(z);
}

void kg_mail_text_clear(struct kg_mail_text *p) {
  wipe_free(p->zSubject);
  wipe_free(p->zBody);
  wipe_free(p->zListUnsubscribe);
  memset(p, 0, sizeof(*p));
}

static const char *or_empty(const char *z) {
  return z ? z : "";
}

const char *kg_mail_tr_name(enum kg_lang eLang, const char *zPrefix, const char *zName) {
  char zKey[128];
  if (!zName) return "";
  snprintf(zKey, sizeof(zKey), "%s%s", zPrefix, zName);
  const char *z = kg_tr(eLang, zKey);
  return z == zKey ? zName : z;
}

static const char *kind_words(enum kg_lang eLang, const char *zKind) {
  if (zKind && strcmp(zKind, "remark") == 0) return kg_tr(eLang, "mail.receipt.kind.remark");
  if (zKind && strcmp(zKind, "question") == 0) return kg_tr(eLang, "mail.receipt.kind.question");
  return kg_tr(eLang, "mail.receipt.kind.proposal");
}

static const char *basis_words(enum kg_lang eLang, const char *zBasis) {
  if (zBasis && strcmp(zBasis, "rightholder") == 0)
    return kg_tr(eLang, "mail.receipt.basis.rightholder");
  return kg_tr(eLang, "mail.receipt.basis.resident");
}

/* i18n-prefix: mail.stage.name. */
static const char *stage_words(enum kg_lang eLang, const char *zStatus) {
  return kg_mail_tr_name(eLang, "mail.stage.name.", zStatus);
}

/* "2026-12-01 09:00 UTC" */
static void time_words(int64_t t, char zOut[32]) {
  char z[21];
  kg_time_format(t, z);
  snprintf(zOut, 32, "%.10s %.5s UTC", z, z + 11);
}

/* ---- entries and their followers ---- */

void kg_mail_compose_receipt(enum kg_lang eLang, const char *zBaseUrl,
                             const struct kg_mail_entry *e, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zAt[32], zId[24];
  const char *zTitle = or_empty(e->zDiscussionTitle);
  time_words(e->createdAt, zAt);
  snprintf(zId, sizeof(zId), "%lld", (long long)e->discussionId);
  memset(pOut, 0, sizeof(*pOut));
  /* the number is in the text: subjects that name it are the status e-mails' */
  pOut->zSubject = kg_trf(eLang, "mail.receipt.subject", "title", zTitle, NULL);
  pOut->zBody = kg_trf(eLang, "mail.receipt.body", "kind", kind_words(eLang, e->zKind), "title",
                       zTitle, "regno", or_empty(e->zRegNo), "time", zAt, "basis",
                       basis_words(eLang, e->zBasis), "text", or_empty(e->zBody), "base", zBase,
                       "id", zId, "auto", kg_tr(eLang, "mail.auto"), NULL);
  free(zBase);
}

void kg_mail_compose_answer_author(enum kg_lang eLang, const char *zBaseUrl,
                                   const struct kg_mail_entry *e, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zId[24];
  const char *zTitle = or_empty(e->zDiscussionTitle);
  snprintf(zId, sizeof(zId), "%lld", (long long)e->discussionId);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_trf(eLang, "mail.answer_author.subject", "title", zTitle, NULL);
  pOut->zBody = kg_trf(eLang, "mail.answer_author.body", "title", zTitle, "regno",
                       or_empty(e->zParentRegNo), "text", or_empty(e->zBody), "base", zBase, "id",
                       zId, "auto", kg_tr(eLang, "mail.auto"), NULL);
  free(zBase);
}

void kg_mail_compose_answer_followers(enum kg_lang eLang, const char *zBaseUrl,
                                      const struct kg_mail_entry *e, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zId[24];
  const char *zTitle = or_empty(e->zDiscussionTitle);
  snprintf(zId, sizeof(zId), "%lld", (long long)e->discussionId);
  char *zTo = e->zParentRegNo
                  ? kg_trf(eLang, "mail.answer_followers.to", "regno", e->zParentRegNo, NULL)
                  : kg_xstrdup("");
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_trf(eLang, "mail.answer_followers.subject", "title", zTitle, NULL);
  pOut->zBody = kg_trf(eLang, "mail.answer_followers.body", "title", zTitle, "to", zTo, "text",
                       or_empty(e->zBody), "base", zBase, "id", zId, NULL);
  free(zTo);
  free(zBase);
}

void kg_mail_compose_stage(enum kg_lang eLang, const char *zBaseUrl, int64_t discussionId,
                           const char *zTitle, const char *zStatus, int64_t t, const char *zNote,
                           struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zAt[32], zId[24];
  time_words(t, zAt);
  snprintf(zId, sizeof(zId), "%lld", (long long)discussionId);
  zTitle = or_empty(zTitle);
  char *zNoteLine = zNote ? kg_trf(eLang, "mail.stage.note", "note", zNote, NULL) : kg_xstrdup("");
  const char *zStage = stage_words(eLang, zStatus);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_trf(eLang, "mail.stage.subject", "title", zTitle, "stage", zStage, NULL);
  pOut->zBody = kg_trf(eLang, "mail.stage.body", "title", zTitle, "stage", zStage, "time", zAt,
                       "note", zNoteLine, "base", zBase, "id", zId, NULL);
  free(zNoteLine);
  free(zBase);
}

void kg_mail_compose_for_follower(enum kg_lang eLang, const char *zBaseUrl,
                                  const struct kg_mail_text *pIn, int64_t discussionId,
                                  const char *zToken, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zId[24];
  snprintf(zId, sizeof(zId), "%lld", (long long)discussionId);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_xstrdup(or_empty(pIn->zSubject));
  pOut->zListUnsubscribe = kg_xasprintf("%s/unsubscribe/%s", zBase, zToken);
  pOut->zBody = kg_trf(eLang, "mail.follower.footer", "body", or_empty(pIn->zBody), "unsub",
                       pOut->zListUnsubscribe, "base", zBase, "id", zId, "auto",
                       kg_tr(eLang, "mail.auto"), NULL);
  free(zBase);
}

/* ---- decisions ---- */

void kg_mail_compose_moderation(enum kg_lang eLang, const char *zBaseUrl, int64_t discussionId,
                                const char *zTitle, const char *zRegNo, int bPublish,
                                const char *zReason, int nAppealDays, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zId[24], zDays[16];
  const char *zNo = or_empty(zRegNo);
  snprintf(zId, sizeof(zId), "%lld", (long long)discussionId);
  snprintf(zDays, sizeof(zDays), "%d", nAppealDays);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = bPublish ? kg_trf(eLang, "mail.moderation.subject_published", "regno", zNo, NULL)
                            : kg_trf(eLang, "mail.moderation.subject_rejected", "regno", zNo, NULL);
  /* the appeal button is on "my proposals" (api/appeals.c) */
  char *zAppeal = !bPublish && nAppealDays > 0
                      ? kg_tr_fill(kg_tr_plural(eLang, "mail.moderation.appeal", nAppealDays),
                                   "days", zDays, NULL)
                      : kg_xstrdup("");
  char *zReasonLine =
      zReason ? kg_trf(eLang, "mail.moderation.reason", "reason", zReason, NULL) : kg_xstrdup("");
  pOut->zBody =
      kg_trf(eLang, "mail.moderation.body", "regno", zNo, "title", or_empty(zTitle), "decision",
             bPublish ? kg_tr(eLang, "mail.moderation.published")
                      : kg_tr(eLang, "mail.moderation.rejected"),
             "reason", zReasonLine, "appeal", zAppeal, "base", zBase, "id", zId, "auto",
             kg_tr(eLang, "mail.auto"), NULL);
  free(zReasonLine);
  free(zAppeal);
  free(zBase);
}

void kg_mail_compose_appeal_outcome(enum kg_lang eLang, const char *zBaseUrl, const char *zRegNo,
                                    int bUphold, const char *zReason, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  const char *zNo = or_empty(zRegNo);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = bUphold ? kg_trf(eLang, "mail.appeal.subject_upheld", "regno", zNo, NULL)
                           : kg_trf(eLang, "mail.appeal.subject_dismissed", "regno", zNo, NULL);
  pOut->zBody =
      kg_trf(eLang, "mail.appeal.body", "regno", zNo, "decision",
             bUphold ? kg_tr(eLang, "mail.appeal.upheld") : kg_tr(eLang, "mail.appeal.dismissed"),
             "reason", or_empty(zReason), "base", zBase, "auto", kg_tr(eLang, "mail.auto"), NULL);
  free(zBase);
}

/* Appends z (heap, a filled text) to b and frees it. */
static void put(struct kg_buf *b, char *z) {
  kg_buf_puts(b, z);
  free(z);
}

/* The first paragraph of a verification decision. */
static void verification_lead(enum kg_lang eLang, struct kg_buf *b, const char *zCadastral,
                              int bVerified) {
  if (bVerified && !zCadastral)
    kg_buf_puts(b, kg_tr(eLang, "mail.verification.residence_verified"));
  else if (bVerified)
    put(b, kg_trf(eLang, "mail.verification.property_verified", "cadastral", zCadastral, NULL));
  else if (!zCadastral)
    kg_buf_puts(b, kg_tr(eLang, "mail.verification.residence_refused"));
  else
    put(b, kg_trf(eLang, "mail.verification.property_refused", "cadastral", zCadastral, NULL));
}

static char *verification_subject(enum kg_lang eLang, const char *zCadastral, int bVerified) {
  if (!zCadastral)
    return kg_xstrdup(bVerified ? kg_tr(eLang, "mail.verification.subject_residence_verified")
                                : kg_tr(eLang, "mail.verification.subject_residence_refused"));
  if (bVerified)
    return kg_trf(eLang, "mail.verification.subject_property_verified", "cadastral", zCadastral,
                  NULL);
  return kg_trf(eLang, "mail.verification.subject_property_refused", "cadastral", zCadastral, NULL);
}

enum kg_err kg_mail_compose_verification(enum kg_lang eLang, const char *zBaseUrl,
                                         const char *zCadastral, int bVerified, const char *zNote,
                                         const char *zProvider, struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl);
  struct kg_buf b;
  memset(pOut, 0, sizeof(*pOut));
  kg_buf_init(&b, VERIFICATION_MAX_BYTES);
  kg_buf_puts(&b, kg_tr(eLang, "mail.verification.hello"));
  verification_lead(eLang, &b, zCadastral, bVerified);
  if (zNote && *zNote) {
    if (bVerified)
      put(&b, kg_trf(eLang, "mail.verification.note_verified", "note", zNote, NULL));
    else
      put(&b, kg_trf(eLang, "mail.verification.note_refused", "note", zNote, NULL));
  }
  kg_buf_puts(&b, "\n");
  /* links end their lines, so no mail program takes punctuation for a part of them */
  if (!bVerified) put(&b, kg_trf(eLang, "mail.verification.next_steps", "base", zBase, NULL));
  if (!bVerified && zProvider)
    put(&b, kg_trf(eLang, "mail.verification.provider_step", "provider", zProvider, "base", zBase,
                   NULL));
  if (!bVerified) kg_buf_puts(&b, "\n");
  put(&b, kg_trf(eLang, "mail.verification.residence_link", "base", zBase, NULL));
  put(&b, kg_trf(eLang, "mail.verification.property_link", "base", zBase, NULL));
  put(&b, kg_trf(eLang, "mail.verification.footer", "base", zBase, NULL));
  free(zBase);
  if (kg_buf_failed(&b)) return KG_ETOOBIG;
  pOut->zSubject = verification_subject(eLang, zCadastral, bVerified);
  pOut->zBody = kg_buf_detach(&b, NULL);
  return KG_OK;
}

void kg_mail_compose_conclusion(enum kg_lang eLang, const char *zBaseUrl, int64_t discussionId,
                                const char *zTitle, int nVersion, const char *zSha,
                                struct kg_mail_text *pOut) {
  char *zBase = kg_mail_base(zBaseUrl), zId[24], zVersion[16];
  snprintf(zId, sizeof(zId), "%lld", (long long)discussionId);
  snprintf(zVersion, sizeof(zVersion), "%d", nVersion);
  memset(pOut, 0, sizeof(*pOut));
  pOut->zSubject = kg_trf(eLang, "mail.conclusion.subject", "title", or_empty(zTitle), NULL);
  pOut->zBody =
      kg_trf(eLang, "mail.conclusion.body", "title", or_empty(zTitle), "base", zBase, "id", zId,
             "version", zVersion, "sha", or_empty(zSha), "auto", kg_tr(eLang, "mail.auto"), NULL);
  free(zBase);
}

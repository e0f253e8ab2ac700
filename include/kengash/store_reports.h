/* store_reports.h: the rows the report module builds documents from and
 * the issued documents (reports.c). These are the store's row shapes,
 * so they live here, not in report.h: the store must not depend on
 * report.
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_REPORTS_H
#define KENGASH_STORE_REPORTS_H

/* ---- reports: protocol, conclusion, the conclusion's draft (reports.c) ----
 * Issued documents are immutable rows: the canonical JSON bytes, their
 * SHA-256 and a version per (discussion, kind). Strings in row structs are
 * borrowed for the callback unless said otherwise. */

/* One registered comment as the protocol records it: not an official
 * answer, not withdrawn. zParticipant is an opaque key telling participants
 * apart (never shown: it may hold identification data). */
struct kg_report_entry {
  int64_t commentId;
  int64_t authorId; /* 0 for entries made on someone's behalf */
  const char *zRegNo;
  const char *zKind;
  const char *zBody;
  const char *zChannel;
  const char *zLocation; /* GeoJSON geometry text, NULL when none */
  const char *zStatus;   /* pending | published | rejected */
  const char *zBasis;    /* resident | rightholder; NULL when unknown */
  const char *zModerationReason;
  const char *zParticipant;
  int64_t createdAt;
};
/* The registered comments of discussionId in registration order (only
 * those of authorId when nonzero). xRow stops the walk by returning nonzero. */
enum kg_err kg_store_report_entries(struct kg_store *p, int64_t discussionId, int64_t authorId,
                                    int (*xRow)(void *pArg, const struct kg_report_entry *),
                                    void *pArg);

/* One person of the protocol's annex (moderators only): an account, or
 * the identification data given for an entry made on someone's behalf. */
struct kg_report_participant {
  int64_t accountId; /* 0 for entries made on someone's behalf */
  const char *zFullName;
  const char *zBirthDate; /* YYYY-MM-DD or NULL */
  const char *zAddress;   /* residence address or NULL */
  const char *zBasis;     /* "resident", "rightholder" or both, comma-separated */
  const char *zCadastral; /* verified properties' cadastral numbers, comma-separated, or NULL */
  const char *zChannels;  /* channels used, comma-separated */
  const char *zRegNos;    /* registration numbers, comma-separated, in order */
};
enum kg_err kg_store_report_participants(struct kg_store *p, int64_t discussionId,
                                         int (*xRow)(void *pArg,
                                                     const struct kg_report_participant *),
                                         void *pArg);
/* Accounts (e-mail, full name) that authored the registered comments of
 * discussionId, each once. */
enum kg_err kg_store_report_recipients(struct kg_store *p, int64_t discussionId,
                                       int (*xRow)(void *pArg, const char *zEmail,
                                                   const char *zFullName),
                                       void *pArg);

struct kg_report_doc {
  int64_t discussionId;
  char zKind[16]; /* protocol | conclusion */
  int nVersion;
  char *zBody; /* canonical JSON (heap, kg_report_doc_clear); NULL in version lists */
  size_t nBody;
  char zSha256[65];
  int64_t issuedAt;
  int64_t issuedBy;
};
void kg_report_doc_clear(struct kg_report_doc *p);
/* The latest issued version of zKind (0 when none). */
enum kg_err kg_store_report_latest(struct kg_store *p, int64_t discussionId, const char *zKind,
                                   int *pnVersion /* OUT */);
/* Stores version nVersion of zKind for discussionId (the caller read the
 * latest in the same transaction and adds one). KG_ECONFLICT when that
 * version exists. */
enum kg_err kg_store_report_insert(struct kg_store *p, int64_t discussionId, const char *zKind,
                                   int nVersion, const char *zBody, size_t nBody,
                                   const char *zSha256, int64_t issuedAt, int64_t issuedBy,
                                   const char *zNote);
/* Version nVersion (0: the latest) into *pOut (kg_report_doc_clear).
 * KG_ENOTFOUND when not issued. */
enum kg_err kg_store_report_get(struct kg_store *p, int64_t discussionId, const char *zKind,
                                int nVersion, struct kg_report_doc *pOut /* OUT */);
/* The issued versions, oldest first (zBody NULL). */
enum kg_err kg_store_report_versions(struct kg_store *p, int64_t discussionId, const char *zKind,
                                     int (*xRow)(void *pArg, const struct kg_report_doc *),
                                     void *pArg);

/* Maximum number of comments one conclusion item may merge. */
#define KG_CONCLUSION_MAX_MERGE 100
struct kg_conclusion_item {
  int64_t commentId;
  int64_t groupId;             /* the group's lead (commentId when not merged) */
  const char *zRecommendation; /* take_into_account | reject */
  const char *zReasoning;
  int64_t updatedAt;
};
/* Records the recommendation of the group led by leadId with aMember[]
 * merged into it (the lead need not be listed), replacing the group's
 * previous membership, with the moderation log, in one transaction.
 * KG_ECONFLICT unless the discussion's status is protocol, or when a member
 * leads another group that has further members (*piBad its index in
 * aMember); KG_EINVAL when a comment is not a registered, not withdrawn
 * comment of the discussion (*piBad its index, -1 for the lead). */
enum kg_err kg_store_conclusion_item_put(struct kg_store *p, int64_t discussionId, int64_t leadId,
                                         const int64_t *aMember, int nMember,
                                         const char *zRecommendation, const char *zReasoning,
                                         int64_t actorId, int64_t tNow, int *piBad /* OUT */);
/* The items of discussionId ordered by group, then comment. */
enum kg_err kg_store_conclusion_items(struct kg_store *p, int64_t discussionId,
                                      int (*xRow)(void *pArg, const struct kg_conclusion_item *),
                                      void *pArg);
/* Sets the findings (KG_ECONFLICT unless the status is protocol), with the
 * moderation log. */
enum kg_err kg_store_conclusion_findings_put(struct kg_store *p, int64_t discussionId,
                                             const char *zFindings, int64_t actorId, int64_t tNow);
/* The findings as a heap string (free()), NULL in *pz when none yet. */
enum kg_err kg_store_conclusion_findings_get(struct kg_store *p, int64_t discussionId,
                                             char **pz /* OUT */);

/* ---- renderings of issued documents (reports.c, migration 0020) ----
 * Which bytes in the files directory are the printable page or the PDF of
 * one version of a document in one language: (zKind
 * protocol|conclusion|extract, discussionId, nVersion, zState, zLang
 * ru|tt|en, zFormat html|pdf) -> SHA-256 and size of the bytes. zState is
 * "" but for extracts (the hash of the state the extract shows). */
struct kg_rendering_key {
  const char *zKind;
  int64_t discussionId;
  int nVersion;
  const char *zState;
  const char *zLang;
  const char *zFormat;
};
/* The rendering of *pKey: its SHA-256 into zSha256 and its size into
 * *pnSize. KG_ENOTFOUND when none is kept. */
enum kg_err kg_store_rendering_get(struct kg_store *p, const struct kg_rendering_key *pKey,
                                   char zSha256[65] /* OUT */, int64_t *pnSize /* OUT */);
/* Records the rendering of *pKey (through the group-commit writer, so it
 * waits for its group), replacing the row of a file found missing or
 * damaged. */
enum kg_err kg_store_rendering_put(struct kg_store *p, const struct kg_rendering_key *pKey,
                                   const char *zSha256, int64_t nSize, int64_t tNow);

#endif

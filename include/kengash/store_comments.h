/* store_comments.h: comments, their moderation and supports (comments.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_COMMENTS_H
#define KENGASH_STORE_COMMENTS_H

/* ---- comments (comments.c) ----
 * Proposals, remarks and questions on a discussion, their moderation,
 * supports and the moderation log. Strings in struct kg_comment are owned
 * (kg_comment_clear) when filled by kg_store_comment_get, borrowed for the
 * call in list callbacks. */

enum kg_comment_status {
  KG_CS_PENDING,
  KG_CS_PUBLISHED,
  KG_CS_REJECTED,
  KG_CS_WITHDRAWN,
  KG_CS__COUNT
};
const char *kg_comment_status_name(enum kg_comment_status s);
/* KG_EINVAL for an unknown name. */
enum kg_err kg_comment_status_parse(const char *z, enum kg_comment_status *pOut /* OUT */);

/* Submissions one account may make in KG_COMMENT_RATE_WINDOW seconds. */
#define KG_COMMENT_RATE_MAX 10
#define KG_COMMENT_RATE_WINDOW 60
/* Longest registration number ("D-17/0042"), with the NUL. */
#define KG_REGNO_SIZE 32

struct kg_comment {
  int64_t id;
  int64_t discussionId;
  int64_t projectId;  /* the discussion's project */
  int64_t authorId;   /* 0: entered on someone's behalf (or the account is gone) */
  int64_t enteredBy;  /* the moderator who entered it on someone's behalf; 0 */
  int64_t parentId;   /* 0 when not a reply */
  int64_t documentId; /* 0 when none */
  int page;           /* 0 when none */
  char *zRegNo;       /* "D-17/0042"; NULL for official answers */
  char *zKind;        /* proposal | remark | question */
  char *zChannel;     /* online | paper | email | exposition_book */
  char *zBody;
  char *zLocation; /* GeoJSON geometry text (EPSG:4326), NULL when none */
  enum kg_comment_status status;
  char *zBasis; /* resident | rightholder; NULL for official answers */
  int bOfficial;
  char *zDisplayName; /* the public author name, e.g. "Гульнара Х." */
  char *zModerationCode;
  char *zModerationReason;
  int64_t moderatedAt;
  int64_t nSupports;
  int64_t createdAt, updatedAt;
};
void kg_comment_clear(struct kg_comment *p);

/* KG_ENOTFOUND when there is no comment id. Fills *pOut (kg_comment_clear). */
enum kg_err kg_store_comment_get(struct kg_store *p, int64_t id, struct kg_comment *pOut /* OUT */);

/* The identification data of a proposal entered on someone's behalf
 * (moderators only; never public). */
struct kg_offline_author {
  const char *zFullName;
  const char *zBirthDate; /* YYYY-MM-DD */
  const char *zAddress;
  int bLocation; /* lon/lat given (or geocoded) */
  double lon, lat;
};

/* A published comment's row for bulk loading (the benchmark's data
 * generator, src/store/bench_support.h); submissions use
 * struct kg_comment_proposal. */
struct kg_comment_new {
  int64_t discussionId;
  int64_t authorId;
  const char *zKind;
  const char *zBody;
  const char *zLocationWkt;     /* EPSG:4326; NULL when none */
  const char *zLocationGeoJson; /* the same geometry as GeoJSON text */
  const char *zBasis;           /* resident | rightholder */
  const char *zDisplayName;
};

/* ---- submission (comment_submit.c) ---- */

/* The one rule for accepting comments: a proposal, or an author's change
 * to one, only while the discussion is open (once it has closed the
 * registered record is final); an official answer (bOfficial) in every
 * stage but draft and cancelled. */
int kg_comment_accepting(enum kg_status st, int bOfficial);

/* Who submits, as the session has it. A moderator answers officially (no
 * channel) or enters a proposal on someone's behalf (a channel); neither
 * needs eligibility or counts against the rate limit. */
struct kg_comment_author {
  int64_t id;
  int bModerator;
};

/* A whole submission as the request gives it, parsed and checked for form
 * (types, lengths, enums): an online proposal, a moderator's official
 * answer, or an entry on someone's behalf. Everything it points to is
 * borrowed until the call returns (kg_store_comment_submit) or xDone runs
 * (kg_store_comment_submit_async). */
struct kg_comment_proposal {
  int64_t discussionId;
  const char *zKind;    /* proposal | remark | question; NULL: remark (answers) */
  const char *zChannel; /* NULL: online; paper | email | exposition_book */
  const char *zBody;
  const char *zLocationWkt;     /* EPSG:4326, parsed and valid as GeoJSON; NULL when none */
  const char *zLocationGeoJson; /* the same geometry as GeoJSON text */
  int64_t parentId, documentId; /* 0 when none */
  int page;                     /* 0 when none; needs documentId */
  /* the public name: the account's, or (with zChannel) the author's; an
   * official answer is signed by the project's organizer instead */
  const char *zDisplayName;
  /* with zChannel: the author; bLocation 0 geocodes zAddress through the
   * address registry, unless zOfflineCadastral names the author's land
   * plot (basis rightholder) */
  struct kg_offline_author offline;
  const char *zOfflineCadastral;
  /* an online proposal: the author's eligibility in the discussion when
   * the caller has it (e.g. from the api's eligibility cache), with the
   * versions it was computed under (the writer confirms the account's
   * version at commit); NULL: computed by the submission */
  const struct kg_eligibility *pElig;
};

/* Why a submission was refused, free of HTTP: the api maps kind to a
 * status (not found 404, conflict 409, forbidden 403, invalid field 422,
 * rate 429 with Retry-After, eligibility 403 or 409 when not open). */
enum kg_refusal_kind {
  KG_REFUSAL_NONE, /* accepted, or rc a failure of the store (zReason: what failed) */
  KG_REFUSAL_NOT_FOUND,
  KG_REFUSAL_CONFLICT,
  KG_REFUSAL_FORBIDDEN,
  KG_REFUSAL_INVALID,    /* zField is wrong: zReason says why */
  KG_REFUSAL_RATE,       /* retryAfter seconds */
  KG_REFUSAL_ELIGIBILITY /* elig says why (elig.reason) */
};
struct kg_refusal {
  enum kg_err rc; /* KG_OK when accepted */
  enum kg_refusal_kind kind;
  const char *zField; /* static: "parent_id", "on_behalf_of.cadastral_number", ...; or NULL */
  char zReason[400];
  int64_t retryAfter;
  struct kg_eligibility elig;
};

/* The answer: accepted (refusal.rc KG_OK) with the comment as stored,
 * everything the reply shows without reading it back; else the refusal.
 * With a channel, offline is the author as stored (the point geocoded);
 * its strings are the proposal's. Free with kg_comment_submission_clear. */
struct kg_comment_submission {
  struct kg_refusal refusal;
  struct kg_comment comment;
  int bOffline;
  struct kg_offline_author offline;
};
void kg_comment_submission_clear(struct kg_comment_submission *pSub);

/* Submits pIn by pAuthor at tNow: every check holds at commit (the
 * discussion accepts it, eligibility and basis, document and page,
 * parent, location within the territory or 100 m of it, an offline
 * entry's territory or land plot, the rate limit KG_COMMENT_RATE_MAX),
 * then one transaction (through the group-commit writer when it runs)
 * registers it (the next number of the discussion, none for official
 * answers), stores the offline author and logs moderators' entries and
 * answers. Returns pOut->refusal.rc. */
enum kg_err kg_store_comment_submit(struct kg_store *p, const struct kg_comment_proposal *pIn,
                                    const struct kg_comment_author *pAuthor, int64_t tNow,
                                    struct kg_comment_submission *pOut /* OUT */);
/* The same without waiting for the group commit: the checks that need the
 * territory run on this thread (p), then the job is queued and the call
 * returns; xDone(pDoneArg, rc) reports the result with *pOut filled — on
 * the writer thread once the comment is durable (or refused), or on this
 * thread before the call returns when it is refused early or there is no
 * writer. */
void kg_store_comment_submit_async(struct kg_store *p, const struct kg_comment_proposal *pIn,
                                   const struct kg_comment_author *pAuthor, int64_t tNow,
                                   struct kg_comment_submission *pOut /* OUT */,
                                   kg_store_done_fn xDone, void *pDoneArg);

/* The checks a submission shares with an author's edit: documentId (0:
 * none) is a document of projectId, the discussion's project; zWkt (NULL:
 * none) lies within the territory or 100 m of it. KG_OK, or the refusal
 * in *pRefusal (field "document_id" or "location") and its rc. */
enum kg_err kg_store_comment_place_check(struct kg_store *p, int64_t discussionId,
                                         int64_t projectId, int64_t documentId, const char *zWkt,
                                         struct kg_refusal *pRefusal /* OUT */);

/* Does the geometry zWkt (EPSG:4326) lie within discussion discussionId's
 * territory or within nMarginM metres of it (the whole geometry)? *pbOk
 * gets the answer. KG_EINVAL with the reason in zErr when the geometry is
 * not valid (self-intersection, ...); KG_ENOTFOUND without the discussion. */
enum kg_err kg_store_comment_location_check(struct kg_store *p, int64_t discussionId,
                                            const char *zWkt, double nMarginM, int *pbOk /* OUT */,
                                            char *zErr /* OUT */, size_t nErr);
/* Does the point lie in the territory (boundary included)? */
enum kg_err kg_store_comment_point_in_territory(struct kg_store *p, int64_t discussionId,
                                                double lon, double lat, int *pbIn /* OUT */);

/* The author's edit of a pending comment: body, kind, location (both NULL
 * keeps it; bClearLocation removes it), document and page (bDocument: set
 * both, 0 clears). KG_ECONFLICT unless pending and the discussion accepts
 * comments (kg_comment_accepting). */
struct kg_comment_edit {
  const char *zBody; /* NULL keeps */
  const char *zKind; /* NULL keeps */
  const char *zLocationWkt, *zLocationGeoJson;
  int bClearLocation;
  int bDocument;
  int64_t documentId;
  int page;
};
enum kg_err kg_store_comment_update(struct kg_store *p, int64_t id,
                                    const struct kg_comment_edit *pE, int64_t tNow);
/* Pending -> withdrawn; KG_ECONFLICT unless pending and the discussion
 * accepts comments (kg_comment_accepting): once it has closed, the record is final. */
enum kg_err kg_store_comment_withdraw(struct kg_store *p, int64_t id, int64_t tNow);

/* An e-mail to queue in the outbox with a moderation decision. */
struct kg_comment_mail {
  const char *zTo;
  const char *zSubject;
  const char *zText;
};
/* A moderator's decision on a pending comment (publish, or reject with
 * zCode and/or zReason), the moderation log and the author's e-mail (pMail,
 * may be NULL) in one transaction. KG_ECONFLICT unless pending. */
enum kg_err kg_store_comment_moderate(struct kg_store *p, int64_t id, int bPublish,
                                      const char *zCode, const char *zReason, int64_t actorId,
                                      const struct kg_comment_mail *pMail, int64_t tNow);
/* One support by accountId; KG_ECONFLICT the second time. *pnSupports gets
 * the comment's count after. */
enum kg_err kg_store_comment_support(struct kg_store *p, int64_t id, int64_t accountId,
                                     int64_t tNow, int64_t *pnSupports /* OUT */);

/* The identification data of an offline entry; KG_ENOTFOUND when the
 * comment has none. Strings are copied into the caller's buffers. */
struct kg_offline_author_row {
  char zFullName[512];
  char zBirthDate[11];
  char zAddress[2048];
  int bLocation;
  double lon, lat;
};
enum kg_err kg_store_comment_offline_get(struct kg_store *p, int64_t id,
                                         struct kg_offline_author_row *pOut /* OUT */);

struct kg_comment_filter {
  int64_t discussionId; /* 0: any */
  int64_t authorId;     /* 0: any */
  unsigned statusMask;  /* bits 1 << enum kg_comment_status; 0 means published */
  const char *zKind;    /* NULL: any */
  const char *zQuery;   /* full-text words (Russian endings folded); NULL: none */
  int bLocated;         /* only comments with a location */
  int bBbox;
  double bbox[4]; /* location intersects it, through the spatial index */
  int64_t afterId;
  int nLimit;
};
/* Comments ascending by id; xRow gets a borrowed row and stops the walk by
 * returning nonzero. */
enum kg_err kg_store_comment_list(struct kg_store *p, const struct kg_comment_filter *pF,
                                  int (*xRow)(void *pArg, const struct kg_comment *), void *pArg);

#endif

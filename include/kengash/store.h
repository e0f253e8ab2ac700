/* store.h: the embedded spatial store (SQLite + SpatiaLite, one file). The
 * only module that speaks SQL. Each thread uses its own connection
 * (kg_store_thread), in WAL mode with a busy timeout; the schema is applied
 * by versioned migrations embedded at build time. Geometries are stored in
 * EPSG:4326 with a spatial index on every geometry column. */
#ifndef KENGASH_STORE_H
#define KENGASH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "kengash/core.h"

struct kg_store; /* one connection; not shared between threads */

/* ---- connections ---- */

/* Opens (creating if needed) the database at zPath, sets pragmas and
 * initialises SpatiaLite on the connection. Does not migrate. */
enum kg_err kg_store_open(const char *zPath, struct kg_store **ppStore /* OUT */);
void kg_store_close(struct kg_store *p);
/* Applies pending migrations (creates the spatial metadata on a new file).
 * Idempotent. *pnVersion gets the schema version after. */
enum kg_err kg_store_migrate(struct kg_store *p, int *pnVersion /* OUT, may be NULL */);
/* Remembers zPath for kg_store_thread(); call once before serving. */
void kg_store_pool_init(const char *zPath);
/* This thread's connection, opened on first use; closed when the thread
 * exits or at kg_store_pool_shutdown(). NULL if it cannot be opened. */
struct kg_store *kg_store_thread(void);
void kg_store_pool_shutdown(void);
/* KG_OK when the database answers a read. */
enum kg_err kg_store_health(struct kg_store *p);
/* Online, consistent copy to zTo through SQLite's backup API. */
enum kg_err kg_store_backup(struct kg_store *p, const char *zTo);
/* Transactions for multi-step work (BEGIN IMMEDIATE / COMMIT / ROLLBACK). */
enum kg_err kg_store_begin(struct kg_store *p);
enum kg_err kg_store_commit(struct kg_store *p);
void kg_store_rollback(struct kg_store *p);

/* ---- accounts and sessions ---- */

struct kg_account {
  int64_t id;
  char zEmail[256];
  char zFullName[256];
  char zRole[16]; /* citizen | moderator | admin */
  int64_t createdAt;
};
/* Inserts an account; KG_ECONFLICT when the e-mail is taken. */
enum kg_err kg_store_account_insert(struct kg_store *p, const char *zEmail, const char *zHash,
                                    const char *zFullName, const char *zRole, int64_t consentAt,
                                    int64_t *pId /* OUT */);
enum kg_err kg_store_account_get(struct kg_store *p, int64_t id, struct kg_account *pOut /* OUT */);
/* By e-mail (case-insensitive); also returns the stored hash (zHash, nHash bytes). */
enum kg_err kg_store_account_by_email(struct kg_store *p, const char *zEmail,
                                      struct kg_account *pOut /* OUT */, char *zHash, size_t nHash);
enum kg_err kg_store_account_set_role(struct kg_store *p, int64_t id, const char *zRole);
enum kg_err kg_store_account_set_password(struct kg_store *p, int64_t id, const char *zHash);

struct kg_session {
  int64_t accountId;
  char zCsrf[65];
  int64_t expiresAt;
};
/* aTokenHash is the SHA-256 of the cookie token (never store the token). */
enum kg_err kg_store_session_insert(struct kg_store *p, const unsigned char aTokenHash[32],
                                    int64_t accountId, const char *zCsrf, int64_t expiresAt);
/* KG_ENOTFOUND when absent or expired at tNow. */
enum kg_err kg_store_session_get(struct kg_store *p, const unsigned char aTokenHash[32],
                                 int64_t tNow, struct kg_session *pOut /* OUT */);
enum kg_err kg_store_session_touch(struct kg_store *p, const unsigned char aTokenHash[32],
                                   int64_t expiresAt);
enum kg_err kg_store_session_delete(struct kg_store *p, const unsigned char aTokenHash[32]);
enum kg_err kg_store_session_delete_account(struct kg_store *p, int64_t accountId);

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
enum kg_err kg_store_document_get(struct kg_store *p, int64_t id, struct kg_document *pOut /* OUT */);
enum kg_err kg_store_document_list(struct kg_store *p, int64_t projectId,
                                   int (*xRow)(void *pArg, const struct kg_document *), void *pArg);

/* ---- discussions ---- */

enum kg_status {
  KG_ST_DRAFT,
  KG_ST_ANNOUNCED,
  KG_ST_OPEN,
  KG_ST_CLOSED,
  KG_ST_PROTOCOL,
  KG_ST_CONCLUDED,
  KG_ST_CANCELLED,
  KG_ST__COUNT
};
const char *kg_status_name(enum kg_status s);
/* KG_EINVAL for an unknown name. */
enum kg_err kg_status_parse(const char *z, enum kg_status *pOut /* OUT */);
/* 1 when a moderator may move a discussion from a to b. */
int kg_status_transition_allowed(enum kg_status a, enum kg_status b);

struct kg_discussion {
  int64_t id;
  int64_t projectId;
  char *zTitle;
  enum kg_status status;
  int64_t announceAt, opensAt, closesAt;
  int64_t protocolAt, concludedAt; /* 0 when not yet */
  double areaM2;
  char *zTerritory; /* GeoJSON MultiPolygon text, EPSG:4326 */
  double bbox[4];
  char *zNotice;       /* notification text, may be NULL */
  char *zProjectTitle; /* joined from the project */
  char *zProjectKind;
  int64_t createdAt, updatedAt;
};
void kg_discussion_clear(struct kg_discussion *p);

struct kg_exposition {
  char *zPlace;   /* address / room */
  char *zHours;   /* opening hours, free text */
  int64_t opensAt, closesAt;
};

/* Inserts a discussion in status draft. zTerritoryWkt is a MULTIPOLYGON in
 * EPSG:4326; it is checked with SpatiaLite's ST_IsValid: on failure returns
 * KG_EINVAL and writes the reason (IsValidReason) into zErr. */
enum kg_err kg_store_discussion_insert(struct kg_store *p, const struct kg_discussion *pIn,
                                       const char *zTerritoryWkt,
                                       const struct kg_exposition *aExpo, int nExpo,
                                       int64_t createdBy, int64_t *pId /* OUT */, char *zErr,
                                       size_t nErr);
/* Fills *pOut (free with kg_discussion_clear). */
enum kg_err kg_store_discussion_get(struct kg_store *p, int64_t id,
                                    struct kg_discussion *pOut /* OUT */);

struct kg_discussion_filter {
  int bStatus; /* filter on status when nonzero */
  enum kg_status status;
  int bBbox;
  double bbox[4]; /* minlon, minlat, maxlon, maxlat: territory intersects it */
  const char *zQuery; /* full-text over title, project title and description; may be NULL */
  const char *zKind;  /* project kind; may be NULL */
  int bPublicOnly;    /* leave out drafts (not yet published) */
  int64_t afterId;    /* cursor: id > afterId */
  int nLimit;
};
/* Rows ascending by id; xRow gets a filled discussion (borrowed for the call). */
enum kg_err kg_store_discussion_list(struct kg_store *p, const struct kg_discussion_filter *pF,
                                     int (*xRow)(void *pArg, const struct kg_discussion *),
                                     void *pArg);

struct kg_timeline_event {
  enum kg_status from, to;
  int64_t at;
  int64_t actorId; /* 0 when moved by the schedule */
  const char *zNote;
};
enum kg_err kg_store_discussion_timeline(struct kg_store *p, int64_t id,
                                         int (*xRow)(void *pArg, const struct kg_timeline_event *),
                                         void *pArg);
enum kg_err kg_store_discussion_expositions(struct kg_store *p, int64_t id,
                                            int (*xRow)(void *pArg, const struct kg_exposition *),
                                            void *pArg);

/* Moves discussion id to status to, if allowed from its current status
 * (in one transaction; logs the event, and the moderator action when
 * actorId != 0). KG_ENOTFOUND, or KG_ECONFLICT with *pFrom set to the
 * current status when not allowed. */
enum kg_err kg_store_discussion_transition(struct kg_store *p, int64_t id, enum kg_status to,
                                           int64_t actorId, const char *zNote, int64_t tNow,
                                           enum kg_status *pFrom /* OUT */);
/* Scheduled moves due at tNow: announced -> open at opens_at, open -> closed
 * at closes_at. *pnMoved counts the moves made. */
enum kg_err kg_store_discussion_advance_due(struct kg_store *p, int64_t tNow,
                                            int *pnMoved /* OUT */);

/* ---- moderation log ---- */
enum kg_err kg_store_modlog_insert(struct kg_store *p, int64_t actorId, const char *zAction,
                                   const char *zTargetType, int64_t targetId, const char *zReason,
                                   int64_t tNow);

/* ---- reference layers (import and demo) ---- */
/* zWkt in EPSG:4326. Addresses are POINTs; parcels and districts MULTIPOLYGONs. */
enum kg_err kg_store_address_insert(struct kg_store *p, const char *zAddress,
                                    const char *zDistrict, const char *zWkt);
enum kg_err kg_store_parcel_insert(struct kg_store *p, const char *zCadastral, const char *zUse,
                                   const char *zWkt);
enum kg_err kg_store_district_insert(struct kg_store *p, const char *zName, const char *zOsmId,
                                     const char *zWkt);

/* ---- statistics ---- */
struct kg_stats {
  int64_t aDiscussions[KG_ST__COUNT]; /* by status */
  int64_t nDiscussions;
  int64_t nParticipants; /* distinct accounts that commented */
  int64_t nComments;     /* published */
  int64_t nProjects;
};
enum kg_err kg_store_stats(struct kg_store *p, struct kg_stats *pOut /* OUT */);

#endif

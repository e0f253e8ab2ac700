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
/* Group commit: starts the single writer thread with its own connection
 * to zPath. From then on proposals (kg_store_comment_insert) from many
 * threads are committed together, one transaction and one fsync per group,
 * each caller answered after its group is durable. Stop drains the queue;
 * without a writer every call commits on its own. */
enum kg_err kg_store_writer_start(const char *zPath);
void kg_store_writer_stop(void);
/* Jobs waiting now, jobs in the group being committed, and jobs and
 * groups done so far; histograms (counts per bucket, not cumulative; the
 * last bucket is above the last bound) of the jobs per group and of the
 * time of a group's transaction, BEGIN to durable COMMIT. Recorded by the
 * writer with relaxed atomics. */
#define KG_STORE_WRITER_NSIZE 9    /* group size bounds: 1, 2, 4, ... 256 */
#define KG_STORE_WRITER_NCOMMIT 12 /* commit time bounds, kg_store_writer_commit_bounds_us */
extern const int64_t kg_store_writer_commit_bounds_us[KG_STORE_WRITER_NCOMMIT];
struct kg_store_writer_stats {
  int nQueued, nRunning;
  int64_t nJob, nGroup;
  int64_t aGroupSize[KG_STORE_WRITER_NSIZE + 1]; /* bucket i: at most 1 << i jobs */
  int64_t aCommit[KG_STORE_WRITER_NCOMMIT + 1];
  int64_t nCommitUsSum; /* total commit time, microseconds */
};
void kg_store_writer_stats(struct kg_store_writer_stats *pOut /* OUT */);
/* The content versions a cached response depends on (bumped by triggers
 * on every write): aV[0] for the catalogue (projects, documents,
 * discussions, their stages, expositions and reports), aV[1] for the
 * comments of discussionId (0 when discussionId is 0 or has none). */
enum kg_err kg_store_content_versions(struct kg_store *p, int64_t discussionId,
                                      int64_t aV[2] /* OUT */);
/* KG_OK when the database answers a read. */
enum kg_err kg_store_health(struct kg_store *p);
/* Caps every connection opened afterwards at nPages database pages
 * (PRAGMA max_page_count; 0: no cap). For tests of a full disk: the
 * database then cannot grow and writes fail with KG_EFULL. */
void kg_store_set_max_pages(int64_t nPages);
/* Online, consistent copy to zTo through SQLite's backup API. */
enum kg_err kg_store_backup(struct kg_store *p, const char *zTo);
/* What checking a database copy found (src/store/backup.c). */
struct kg_store_check {
  char zMsg[512];   /* the first failed check in plain words; "" when all passed */
  int nTables;      /* ordinary tables whose rows were counted */
  int64_t nRows;    /* rows in them, in the copy */
  int nIndexes;     /* spatial indexes checked (CheckSpatialIndex) */
  int64_t nInvalid; /* geometries ST_IsValid calls invalid: reported, not a failure */
};
/* kg_store_backup, then checks the copy: PRAGMA integrity_check, every
 * geometry decodes, CheckSpatialIndex on every indexed geometry column, and
 * the row count of every ordinary table equals the source's, counted in the
 * read transaction the copy is taken from (the same snapshot). KG_OK when
 * all pass; KG_EINVAL with pCheck->zMsg when a check fails (the copy is
 * kept for inspection); other errors as kg_store_backup. */
enum kg_err kg_store_backup_verified(struct kg_store *p, const char *zTo,
                                     struct kg_store_check *pCheck /* OUT */);
/* The same checks on a database alone (no row counts to compare); it is
 * opened read-write (SpatiaLite's index check writes its history). */
enum kg_err kg_store_copy_check(const char *zCopy, struct kg_store_check *pCheck /* OUT */);
/* Writes a new database zTo (must not exist) from the copy zCopy through
 * the backup API, leaving zCopy as it was. */
enum kg_err kg_store_restore_db(const char *zCopy, const char *zTo);
/* Calls xEach(pArg, id, sha256, size) for every document row, by id, until
 * it returns non-zero. */
enum kg_err kg_store_document_each(struct kg_store *p,
                                   int (*xEach)(void *pArg, int64_t id, const char *zSha256,
                                                int64_t nSize),
                                   void *pArg);
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
/* Gives account id the role zRole (valid) for admin actorId, in one
 * transaction with the moderation log entry (action "account.role", target
 * the account, reason the new role). KG_ENOTFOUND without the account;
 * KG_ECONFLICT when the change would leave no admin. Setting the role the
 * account already has changes and logs nothing; *pbChanged (may be NULL)
 * tells which happened. */
enum kg_err kg_store_account_change_role(struct kg_store *p, int64_t actorId, int64_t id,
                                         const char *zRole, int64_t tNow,
                                         int *pbChanged /* OUT, may be NULL */);
/* Accounts with id > afterId (ascending), only those with role zRole when
 * not NULL, at most nLimit; xRow gets a borrowed row and stops the walk by
 * returning nonzero. Never the password hash. */
enum kg_err kg_store_account_list(struct kg_store *p, const char *zRole, int64_t afterId,
                                  int nLimit, int (*xRow)(void *pArg, const struct kg_account *),
                                  void *pArg);

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
enum kg_err kg_store_document_get(struct kg_store *p, int64_t id,
                                  struct kg_document *pOut /* OUT */);
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
  char *zPlace; /* address / room */
  char *zHours; /* opening hours, free text */
  int64_t opensAt, closesAt;
};

/* Inserts a discussion in status draft. zTerritoryWkt is a MULTIPOLYGON in
 * EPSG:4326; it is checked with SpatiaLite's ST_IsValid: on failure returns
 * KG_EINVAL and writes the reason (IsValidReason) into zErr. */
enum kg_err kg_store_discussion_insert(struct kg_store *p, const struct kg_discussion *pIn,
                                       const char *zTerritoryWkt, const struct kg_exposition *aExpo,
                                       int nExpo, int64_t createdBy, int64_t *pId /* OUT */,
                                       char *zErr, size_t nErr);
/* Only the status and the project of discussion id (no territory: for the
 * checks on hot paths); KG_ENOTFOUND without it. pProjectId may be NULL. */
enum kg_err kg_store_discussion_status(struct kg_store *p, int64_t id,
                                       enum kg_status *pStatus /* OUT */,
                                       int64_t *pProjectId /* OUT */);
/* Fills *pOut (free with kg_discussion_clear). */
enum kg_err kg_store_discussion_get(struct kg_store *p, int64_t id,
                                    struct kg_discussion *pOut /* OUT */);

struct kg_discussion_filter {
  int bStatus; /* filter on status when nonzero */
  enum kg_status status;
  int bBbox;
  double bbox[4];     /* minlon, minlat, maxlon, maxlat: territory intersects it */
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
 * current status when not allowed. Entering protocol or concluded also
 * needs that document (kind protocol | conclusion) issued at tNow, in the
 * same transaction before the call: KG_ECONFLICT otherwise. */
enum kg_err kg_store_discussion_transition(struct kg_store *p, int64_t id, enum kg_status to,
                                           int64_t actorId, const char *zNote, int64_t tNow,
                                           enum kg_status *pFrom /* OUT */);
/* Scheduled moves due at tNow: an approved draft -> announced at
 * announce_at (kg_store_discussion_schedule), announced -> open at
 * opens_at, open -> closed at closes_at. *pnMoved counts the moves made. */
enum kg_err kg_store_discussion_advance_due(struct kg_store *p, int64_t tNow,
                                            int *pnMoved /* OUT */);

/* ---- moderation log ---- */
enum kg_err kg_store_modlog_insert(struct kg_store *p, int64_t actorId, const char *zAction,
                                   const char *zTargetType, int64_t targetId, const char *zReason,
                                   int64_t tNow);

/* ---- reference layers (import and demo) ---- */
/* zWkt in EPSG:4326. Addresses are POINTs; parcels and districts MULTIPOLYGONs. */
enum kg_err kg_store_address_insert(struct kg_store *p, const char *zAddress, const char *zDistrict,
                                    const char *zWkt);
enum kg_err kg_store_parcel_insert(struct kg_store *p, const char *zCadastral, const char *zUse,
                                   const char *zWkt);
enum kg_err kg_store_district_insert(struct kg_store *p, const char *zName, const char *zOsmId,
                                     const char *zWkt);

/* ---- the address register and its search (addresses.c) ----
 * Every lookup works on canonical tokens (kg_store_address_key), indexed
 * in FTS5; rows put into address_registry by other tools are indexed by
 * the next lookup (kg_store_address_index). */

/* Writes the canonical tokens of zAddress into zKey, joined by spaces (nKey
 * bytes, truncated at a UTF-8 boundary). Latin and Cyrillic (with the
 * Tatar letters) lower-cased, ё as е, punctuation splits words, and:
 * street types spelled one way (ул, улица -> улица; пр, пр-т, просп ->
 * проспект; пер, наб, пл, б-р, ш, пр-д, тракт, туп, мкр, ...); г/город,
 * settlement types, д/дом, postcodes (6 digits), regions ("Респ
 * Татарстан", "Вахитовский р-н"), Россия and flats ("кв. 5") dropped; a
 * letter of the house number glued on ("19 А" -> 19а); корпус, строение
 * and литера as к1, с2, ла, right after the house number. So "д. 19, корп.
 * 1", "19к1", "19 к 1" and "19 корп 1" all give "19 к1". The same for the
 * register and for what people type. */
void kg_store_address_key(const char *zAddress, char *zKey /* OUT */, size_t nKey);
/* The flat, room, office or premises part of zAddress as "кв. 12",
 * "комн. 3", "оф. 5", "пом. 2а" into zOut; "" when there is none. The
 * register knows buildings, so a resolved address gets this back from what
 * the person (or the identity provider) wrote. */
void kg_store_address_unit(const char *zAddress, char *zOut /* OUT */, size_t nOut);

/* One address of the register. */
struct kg_address_hit {
  int64_t id;
  char zAddress[2048]; /* the register's spelling */
  char zDistrict[512]; /* "" when none */
  char zExtId[64];     /* the register's own id (GAR/FIAS GUID); "" when none */
  double lon, lat;     /* EPSG:4326 */
};
#define KG_ADDRESS_SEARCH_MAX 20

/* Suggestions for zQuery as typed: up to nLimit (at most
 * KG_ADDRESS_SEARCH_MAX) addresses into aHit, best first, their count in
 * *pnHit. Ranked: the same canonical tokens; every token with the same
 * house number ("19" before "19 к1", never "119"); every token; the last
 * word as a prefix ("Бау" -> Баумана); a different street type. A query
 * without tokens gives none. */
enum kg_err kg_store_address_search(struct kg_store *p, const char *zQuery, int nLimit,
                                    struct kg_address_hit *aHit /* OUT */, int *pnHit /* OUT */);
/* The one address zText clearly means, into *pOut: the only one with the
 * same canonical tokens, else the only one with all of zText's tokens and
 * the same house number with its parts. KG_ENOTFOUND otherwise (none, or
 * several). For an address given in full (a form, an identity provider). */
enum kg_err kg_store_address_resolve(struct kg_store *p, const char *zText,
                                     struct kg_address_hit *pOut /* OUT */);
/* The address with the register's own id zExtId. KG_ENOTFOUND when none. */
enum kg_err kg_store_address_by_ext_id(struct kg_store *p, const char *zExtId,
                                       struct kg_address_hit *pOut /* OUT */);
/* kg_store_address_resolve giving the point in *pLon, *pLat and the
 * register's spelling in zFound (nFound bytes; may be NULL). */
enum kg_err kg_store_address_geocode(struct kg_store *p, const char *zAddress,
                                     double *pLon /* OUT */, double *pLat /* OUT */,
                                     char *zFound /* OUT */, size_t nFound);
/* Inserts an address (zWkt a POINT in EPSG:4326; zDistrict and zExtId may
 * be NULL). KG_ECONFLICT when the address or the id is already there,
 * KG_EINVAL for a bad point. Indexed by the next kg_store_address_index. */
enum kg_err kg_store_address_insert_ext(struct kg_store *p, const char *zAddress,
                                        const char *zDistrict, const char *zExtId,
                                        const char *zWkt);
/* Indexes the register rows added or changed since the last call (by this
 * program or any other) in one transaction (a savepoint inside the
 * caller's). Every lookup above calls it; an importer calls it before
 * committing, so the first lookup after it does not pay. */
enum kg_err kg_store_address_index(struct kg_store *p);

/* ---- statistics ---- */
struct kg_stats {
  int64_t aDiscussions[KG_ST__COUNT]; /* by status */
  int64_t nDiscussions;
  int64_t nParticipants; /* distinct accounts that commented */
  int64_t nComments;     /* published */
  int64_t nProjects;
};
enum kg_err kg_store_stats(struct kg_store *p, struct kg_stats *pOut /* OUT */);

/* ---- participants: residences, properties, eligibility (participants.c) ----
 * Geometries are WKT in EPSG:4326; reads give GeoJSON text. verified_by is
 * one of "moderator", "identity_provider", "self_declared" and, for
 * properties, "register" (kg_store_rights_verify_holder). */

/* Addresses are geocoded through the address register (its own section
 * above: kg_store_address_geocode, kg_store_address_resolve). */
/* The geometry of the parcel with that cadastral number as WKT (heap,
 * free()). KG_ENOTFOUND when absent. */
enum kg_err kg_store_parcel_wkt(struct kg_store *p, const char *zCadastral,
                                char **pzWkt /* OUT, free() */);

struct kg_verification {
  int bVerified;
  int bRejected;        /* refused by a moderator (bVerified 0) */
  char zVerifiedBy[24]; /* moderator | identity_provider | self_declared | register */
  int64_t verifiedAt;   /* 0 when not verified */
  int64_t verifierId;   /* moderator's account; 0 when none */
  char zNote[1024];     /* the moderator's note; "" when none */
};

struct kg_residence {
  int64_t accountId;
  char zAddress[2048];
  char zSource[16]; /* registry | point | both */
  double lon, lat;
  char zBirthDate[11]; /* from the account; "" when not given */
  struct kg_verification v;
  int64_t createdAt, updatedAt;
};
/* Creates or replaces the account's residence. A new address or point
 * resets the verification (to bVerified/zVerifiedBy: 0 and "self_declared"
 * for self-declared data, 1 and "identity_provider" for attested data);
 * saving the same address and point again keeps it. zBirthDate, when not
 * NULL, is saved on the account in the same transaction. *pbReset (may be
 * NULL) tells whether a verification was reset. */
enum kg_err kg_store_residence_put(struct kg_store *p, int64_t accountId, const char *zAddress,
                                   double lon, double lat, const char *zSource, int bVerified,
                                   const char *zVerifiedBy, const char *zBirthDate, int64_t tNow,
                                   int *pbReset /* OUT, may be NULL */);
/* KG_ENOTFOUND when the account declared none. */
enum kg_err kg_store_residence_get(struct kg_store *p, int64_t accountId,
                                   struct kg_residence *pOut /* OUT */);

struct kg_property {
  int64_t id;
  int64_t accountId;
  char zCadastral[64];
  char zSource[16]; /* registry | geometry | both */
  char *zGeometry;  /* GeoJSON MultiPolygon (heap; kg_property_clear) */
  struct kg_verification v;
  int64_t createdAt, updatedAt;
};
void kg_property_clear(struct kg_property *p);
/* Adds a property (unverified unless bVerified). zWkt is checked with
 * ST_IsValid: KG_EINVAL with the reason in zErr when invalid; KG_ECONFLICT
 * when the account already has that cadastral number. */
enum kg_err kg_store_property_insert(struct kg_store *p, int64_t accountId, const char *zCadastral,
                                     const char *zWkt, const char *zSource, int bVerified,
                                     const char *zVerifiedBy, int64_t tNow, int64_t *pId /* OUT */,
                                     char *zErr /* OUT */, size_t nErr);
/* Fills *pOut (free with kg_property_clear); KG_ENOTFOUND unless property id
 * belongs to accountId. */
enum kg_err kg_store_property_get(struct kg_store *p, int64_t accountId, int64_t id,
                                  struct kg_property *pOut /* OUT */);
/* The account's properties by id; xRow gets a borrowed row. */
enum kg_err kg_store_property_list(struct kg_store *p, int64_t accountId,
                                   int (*xRow)(void *pArg, const struct kg_property *), void *pArg);

/* A moderator's decision on a residence (propertyId 0) or on property
 * propertyId of accountId: bVerified 1 verifies (verified_by "moderator"),
 * 0 refuses; zNote may be NULL. Writes the moderation log (residence.verify,
 * residence.reject, property.verify, property.reject) in the same
 * transaction. KG_ENOTFOUND when there is nothing to decide on. */
enum kg_err kg_store_verification_decide(struct kg_store *p, int64_t accountId, int64_t propertyId,
                                         int bVerified, const char *zNote, int64_t actorId,
                                         int64_t tNow);

/* One entry of the moderators' queue of pending verifications. Strings are
 * borrowed for the call. */
struct kg_pending_verification {
  const char *zType; /* "residence" | "property" */
  int64_t accountId;
  int64_t propertyId; /* 0 for a residence */
  const char *zFullName;
  const char *zEmail;
  const char *zBirthDate; /* may be NULL */
  const char *zAddress;   /* the residence's address; NULL for a property */
  const char *zCadastral; /* NULL for a residence */
  const char *zSource;
  const char *zGeometry; /* GeoJSON */
  int64_t updatedAt;
};
/* Pending (neither verified nor refused) residences and properties, oldest
 * change first, skipping nOffset, at most nLimit. An address attested by
 * the identity provider that the register could not place comes as a
 * residence with zSource "identity_provider" and no geometry: placing it is
 * kg_store_residence_attestation_decide. */
enum kg_err kg_store_verification_queue(struct kg_store *p, int64_t nOffset, int nLimit,
                                        int (*xRow)(void *pArg,
                                                    const struct kg_pending_verification *),
                                        void *pArg);

enum kg_basis { KG_BASIS_NONE, KG_BASIS_RESIDENT, KG_BASIS_RIGHTHOLDER };
enum kg_elig_reason {
  KG_ELIG_OK,           /* eligible on basis */
  KG_ELIG_NO_RESIDENCE, /* neither residence nor property declared */
  KG_ELIG_NOT_VERIFIED, /* the residence is waiting for (or was refused) verification */
  KG_ELIG_OUTSIDE,      /* everything verified lies outside the territory */
  KG_ELIG_NOT_OPEN,     /* would qualify (basis says how) or not; the discussion is not open */
  /* nothing qualifies, and what waits for (or was refused) verification is
   * a property, not the residence: e.g. a verified residence outside and a
   * pending property inside (KG_ELIG_NOT_VERIFIED when the residence waits,
   * unless only a waiting property lies in the territory) */
  KG_ELIG_PROPERTY_NOT_VERIFIED
};
const char *kg_basis_name(enum kg_basis b); /* "resident", "rightholder" or NULL */
/* "eligible", "no_residence", "not_verified", "outside", "not_open",
 * "property_not_verified" */
const char *kg_elig_reason_name(enum kg_elig_reason r);

struct kg_eligibility {
  int bEligible;
  enum kg_basis basis; /* what the account qualifies as (also when not open) */
  enum kg_elig_reason reason;
  enum kg_status status; /* the discussion's */
  int64_t propertyId;    /* the qualifying property (rightholder) */
};
/* May accountId take part in discussion discussionId now? Resident when a
 * verified residence point lies in the territory (boundary included);
 * else rightholder when a verified property shares interior with it
 * (touching the boundary is not enough); both through the spatial index on
 * the territory, then the exact predicate. Eligible only while the
 * discussion is open; otherwise reason KG_ELIG_NOT_OPEN with basis what the
 * account would have. KG_ENOTFOUND when there is no such discussion. */
enum kg_err kg_store_eligibility(struct kg_store *p, int64_t accountId, int64_t discussionId,
                                 struct kg_eligibility *pOut /* OUT */);

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

struct kg_comment_new {
  int64_t discussionId;
  int64_t authorId;  /* 0 for offline entries */
  int64_t enteredBy; /* the moderator entering an offline entry; else 0 */
  const char *zKind;
  const char *zChannel; /* NULL: online */
  const char *zBody;
  const char *zLocationWkt;     /* EPSG:4326; NULL when none */
  const char *zLocationGeoJson; /* the same geometry as GeoJSON text */
  int64_t parentId, documentId; /* 0 when none */
  int page;                     /* 0 when none */
  const char *zBasis;           /* resident | rightholder; NULL for official answers */
  int bOfficial;                /* a moderator's answer: published at once, not registered */
  const char *zDisplayName;
  const struct kg_offline_author *pOffline; /* NULL unless entered on someone's behalf */
  int bRateLimit;                           /* apply KG_COMMENT_RATE_MAX to authorId */
  const char *zOfflineCadastral;            /* pOffline is a right holder of this plot (issue 14) */
};
/* Inserts a comment in one transaction: checks the discussion's status
 * (open; official answers: anything but draft and cancelled) else
 * KG_ECONFLICT, applies the rate limit (KG_ELIMIT with *pnRetryAfter
 * seconds), gives out the next registration number of the discussion
 * (zRegNo, "" for official answers), stores the offline author and writes
 * the moderation log for moderators' entries and answers. */
enum kg_err kg_store_comment_insert(struct kg_store *p, const struct kg_comment_new *pIn,
                                    int64_t tNow, int64_t *pId /* OUT */,
                                    char zRegNo[KG_REGNO_SIZE] /* OUT */,
                                    int64_t *pnRetryAfter /* OUT, may be NULL */);
/* The same without waiting for the group commit: returns at once and
 * xDone(pDoneArg, rc) reports the result — on the writer thread once the
 * comment is durable (or refused), or on this thread before the call
 * returns when there is no writer. pIn, what it points to and the OUT
 * buffers must live until xDone. */
typedef void (*kg_store_done_fn)(void *pDoneArg, enum kg_err rc);
void kg_store_comment_insert_async(struct kg_store *p, const struct kg_comment_new *pIn,
                                   int64_t tNow, int64_t *pId /* OUT */,
                                   char zRegNo[KG_REGNO_SIZE] /* OUT */,
                                   int64_t *pnRetryAfter /* OUT, may be NULL */,
                                   kg_store_done_fn xDone, void *pDoneArg);

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
 * comments (open). */
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
 * accepts comments (open): once it has closed, the record is final. */
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
/* The FTS5 query for zQuery (each word lower-cased, ё as е, as a prefix
 * phrase, all AND-ed; the index's tokenizer reduces it to its stem, see
 * src/store/search.c); NULL when no word. Heap string (free()); exposed
 * for unit tests. */
char *kg_store_comment_fts_query(const char *zQuery);

struct kg_modlog_entry {
  int64_t id;
  int64_t actorId;
  const char *zActorName; /* the moderator's full name; NULL when deleted */
  const char *zAction;
  const char *zTargetType;
  int64_t targetId;
  const char *zReason;
  int64_t at;
};
/* The moderation log newest first: entries with id < beforeId (0: from the
 * newest), at most nLimit. */
enum kg_err kg_store_modlog_list(struct kg_store *p, int64_t beforeId, int nLimit,
                                 int (*xRow)(void *pArg, const struct kg_modlog_entry *),
                                 void *pArg);

/* ---- outbox: outgoing e-mail (outbox.c) ----
 * A message is queued with kg_store_outbox_insert inside the same
 * transaction as the event that causes it, and delivered later by the
 * sender thread (mail.h), which claims due messages, sends them and marks
 * each sent, or schedules a retry, or gives up (failed). */

struct kg_outbox_msg {
  int64_t id;
  const char *zTo;      /* recipient address */
  const char *zSubject; /* UTF-8 text */
  const char *zBody;    /* UTF-8 plain text, lines ending in \n */
  int64_t createdAt;
  int nAttempts;                /* attempts made before this one */
  const char *zListUnsubscribe; /* NULL, or the List-Unsubscribe URL */
};

/* Queues a message (status pending, due at tNow). *pId (may be NULL) gets
 * its id. */
enum kg_err kg_store_outbox_insert(struct kg_store *p, const char *zTo, const char *zSubject,
                                   const char *zBody, int64_t tNow, int64_t *pId /* OUT */);
/* Claims up to nMax pending messages due at tNow (oldest due first): in one
 * transaction their next attempt is pushed to tNow + nLeaseSec, so another
 * sender (or this one after a crash) does not pick them up meanwhile; then,
 * after the commit, xMsg is called for each (the message is borrowed for the
 * call). xMsg returning nonzero skips the rest, which stay claimed until the
 * lease ends. *pnClaimed (may be NULL) counts the claimed messages. */
enum kg_err kg_store_outbox_claim_due(struct kg_store *p, int64_t tNow, int nMax, int nLeaseSec,
                                      int (*xMsg)(void *pArg, const struct kg_outbox_msg *),
                                      void *pArg, int *pnClaimed /* OUT */);
/* The SMTP server accepted message id: status sent, sent_at tNow, the body
 * cleared. KG_ENOTFOUND when it is not pending (already sent or failed). */
enum kg_err kg_store_outbox_mark_sent(struct kg_store *p, int64_t id, int64_t tNow);
/* Attempt failed: counts it, keeps zErr (no personal data; truncated to 500
 * bytes) and makes it due again at nextAt. */
enum kg_err kg_store_outbox_mark_retry(struct kg_store *p, int64_t id, int64_t nextAt,
                                       const char *zErr);
/* Last attempt failed, or the message cannot be sent: counts the attempt,
 * keeps zErr, status failed, the body cleared. */
enum kg_err kg_store_outbox_mark_failed(struct kg_store *p, int64_t id, const char *zErr);
/* Status of message id ("pending" | "sent" | "failed" into zStatus, 16
 * bytes) and its attempts so far (may be NULL). For tools and tests. */
enum kg_err kg_store_outbox_status(struct kg_store *p, int64_t id, char zStatus[16] /* OUT */,
                                   int *pnAttempts /* OUT */);
/* The outbox for metrics: messages waiting (pending), of those already
 * tried and failed at least once (retrying), given up (failed; kept until
 * purged), and the creation time of the oldest waiting one (0: none). */
struct kg_outbox_stats {
  int64_t nPending, nRetrying, nFailed;
  int64_t tOldestPending;
};
enum kg_err kg_store_outbox_stats(struct kg_store *p, struct kg_outbox_stats *pOut /* OUT */);
/* Deletes sent and failed messages created before tBefore (retention of
 * addresses). *pnDeleted may be NULL. */
enum kg_err kg_store_outbox_purge(struct kg_store *p, int64_t tBefore, int *pnDeleted /* OUT */);

/* ---- password reset tokens (outbox.c) ----
 * Only the SHA-256 of a token is stored (kg_auth_token_hash). */

enum kg_err kg_store_password_reset_insert(struct kg_store *p, const unsigned char aTokenHash[32],
                                           int64_t accountId, int64_t tNow, int64_t expiresAt);
/* How many reset links accountId was sent since tSince (throttling). */
enum kg_err kg_store_password_reset_count_since(struct kg_store *p, int64_t accountId,
                                                int64_t tSince, int *pn /* OUT */);
/* The account of a usable token (not used, expires_at > tNow), without
 * spending it. KG_ENOTFOUND when unknown; KG_EGONE when used or expired. */
enum kg_err kg_store_password_reset_peek(struct kg_store *p, const unsigned char aTokenHash[32],
                                         int64_t tNow, int64_t *pAccountId /* OUT */);
/* Spends a usable token (atomically: of two concurrent calls one wins) and
 * every other unused token of the same account. KG_ENOTFOUND when unknown,
 * KG_EGONE when used or expired. Call inside the transaction that sets the
 * new password. */
enum kg_err kg_store_password_reset_use(struct kg_store *p, const unsigned char aTokenHash[32],
                                        int64_t tNow, int64_t *pAccountId /* OUT */);
/* A request for a reset link to zEmail, done by the writer (group commit)
 * after the caller has answered, so that the answer takes the same time
 * whether or not the address is registered: the writer looks the account
 * up and, when there is one that was sent fewer than nMaxPerHour links in
 * the hour before tNow, stores aTokenHash (usable until expiresAt) and
 * queues the e-mail (zSubject, zBody) to the account's address, in one
 * transaction. Then xDone(pDoneArg, rc) runs, on the writer thread (or on
 * this one, before the call returns, when there is no writer), with
 * accountId (0: no such account) and outboxId (0: nothing queued) set. The
 * struct and its strings must live until xDone. */
struct kg_reset_request {
  const char *zEmail;
  unsigned char aTokenHash[32];
  int64_t tNow, expiresAt;
  int nMaxPerHour;
  const char *zSubject, *zBody;
  int64_t accountId, outboxId; /* OUT */
};
void kg_store_password_reset_request_async(struct kg_store *p, struct kg_reset_request *pReq,
                                           kg_store_done_fn xDone, void *pDoneArg);
/* Deletes tokens that expired before tBefore. */
enum kg_err kg_store_password_reset_purge(struct kg_store *p, int64_t tBefore);

/* ---- open data: OGC API - Features layers and exports (ogc.c) ----
 * Read-only public layers. Each has a fixed public schema (no personal
 * data); rows come ascending by id, through the layer's R*Tree when a bbox
 * is given (then refined with the exact predicate), with bounded batches so
 * a caller can stream any number of rows. Geometries are GeoJSON text in
 * EPSG:4326 lon/lat (OGC CRS84). */

enum kg_ogc_layer {
  KG_OGC_DISTRICTS,       /* districts: name, osm_id */
  KG_OGC_TERRITORIES,     /* discussions that are not drafts; temporal: opens_at..closes_at */
  KG_OGC_COMMENTS,        /* published comments with a location; temporal: created_at */
  KG_OGC_PARCELS,         /* cadastral parcels (only where a deployment publishes them) */
  KG_OGC_COMMENTS_EXPORT, /* published comments of one discussion, located or not (CSV export);
                             the geometry is WKT */
  KG_OGC__COUNT
};

enum kg_ogc_type { KG_OGC_TEXT, KG_OGC_INT, KG_OGC_REAL, KG_OGC_TIME, KG_OGC_BOOL };
struct kg_ogc_field {
  const char *zName;
  enum kg_ogc_type type;
};
/* Most properties a layer has. */
#define KG_OGC_MAX_FIELDS 12
/* The layer's properties in order (static; *pnField gets their number). */
const struct kg_ogc_field *kg_store_ogc_fields(enum kg_ogc_layer e, int *pnField /* OUT */);

/* One feature, borrowed for the row callback. aValue[i] belongs to field i
 * of kg_store_ogc_fields(); TIME values are epoch seconds in i. */
struct kg_ogc_row {
  int64_t id;
  const char *zGeometry; /* GeoJSON (WKT for KG_OGC_COMMENTS_EXPORT); NULL when none */
  struct {
    int bNull;
    int64_t i;
    double r;
    const char *z;
  } aValue[KG_OGC_MAX_FIELDS];
};

struct kg_ogc_filter {
  int bBbox;
  double bbox[4];       /* minlon, minlat, maxlon, maxlat: the geometry intersects it */
  int64_t tFrom, tTo;   /* temporal property intersects [tFrom, tTo]; use INT64_MIN and
                           INT64_MAX for open ends; ignored by layers without one */
  int64_t discussionId; /* KG_OGC_COMMENTS_EXPORT: the discussion (required) */
  int64_t afterId;      /* keyset: id > afterId */
  int64_t nOffset;      /* rows to skip after that */
  int nLimit;           /* rows at most (1..10000) */
};
/* Rows matching pF; xRow returns nonzero to stop the walk. Each call runs
 * and resets its statement, so nothing stays open between calls. */
enum kg_err kg_store_ogc_items(struct kg_store *p, enum kg_ogc_layer e,
                               const struct kg_ogc_filter *pF,
                               int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg);
/* How many rows match pF (afterId, nOffset and nLimit ignored). */
enum kg_err kg_store_ogc_count(struct kg_store *p, enum kg_ogc_layer e,
                               const struct kg_ogc_filter *pF, int64_t *pn /* OUT */);
/* Feature id of layer e through xRow; KG_ENOTFOUND when absent or not public. */
enum kg_err kg_store_ogc_get(struct kg_store *p, enum kg_ogc_layer e, int64_t id,
                             int (*xRow)(void *pArg, const struct kg_ogc_row *), void *pArg);
/* The layer's extent: bbox (aBox, lon/lat) and temporal interval (*ptFrom,
 * *ptTo; 0 when the layer has no temporal property). *pbEmpty is 1 when the
 * layer has no rows (then the rest is zero). */
enum kg_err kg_store_ogc_extent(struct kg_store *p, enum kg_ogc_layer e, double aBox[4] /* OUT */,
                                int64_t *ptFrom /* OUT */, int64_t *ptTo /* OUT */,
                                int *pbEmpty /* OUT */);

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

/* ---- statistics by month (stats.c) ---- */
#define KG_STATS_MONTHS 12
struct kg_stats_month {
  char zMonth[8];    /* "YYYY-MM", UTC */
  int64_t nOpened;   /* discussions that entered the open status */
  int64_t nComments; /* comments submitted (any status) */
};
/* The KG_STATS_MONTHS calendar months (UTC) ending with the month of tNow,
 * oldest first, in aOut. */
enum kg_err kg_store_stats_by_month(struct kg_store *p, int64_t tNow,
                                    struct kg_stats_month aOut[KG_STATS_MONTHS] /* OUT */);

/* ---- messages to technical support (support.c) ----
 * Sent by anyone from the support form; read by moderators and admins.
 * name and email are personal data: never logged. */

/* Messages one e-mail address may send in KG_SUPPORT_RATE_WINDOW seconds. */
#define KG_SUPPORT_RATE_MAX 5
#define KG_SUPPORT_RATE_WINDOW 3600

/* One message; strings borrowed (from the caller on insert, for the
 * callback's duration on reads). */
struct kg_support_message {
  int64_t id;
  int64_t createdAt;
  int64_t accountId; /* the sender's account; 0 when sent without logging in */
  const char *zName;
  const char *zEmail;
  const char *zTopic;
  const char *zBody;
  const char *zPageUrl; /* NULL when not given */
  const char *zStatus;  /* new | closed (reads only) */
  int64_t outboxId;     /* the e-mail to support; 0 when none was queued (reads only) */
};

/* The e-mail to queue for a new message. xCompose is called inside the
 * transaction, once the message has its id and time, and writes the
 * subject and body as heap strings (freed by the store). */
struct kg_support_mail {
  const char *zTo; /* support address; NULL or "": no e-mail */
  void (*xCompose)(void *pArg, const struct kg_support_message *pMsg, char **pzSubject /* OUT */,
                   char **pzBody /* OUT */);
  void *pArg;
};

/* Stores message pIn (created at tNow) and, when pMail has an address,
 * queues the e-mail to support in the outbox, in one transaction. Refuses
 * with KG_ELIMIT (*pnRetryAfter seconds, may be NULL) when the sender's
 * e-mail (compared without case) sent KG_SUPPORT_RATE_MAX messages in the
 * last KG_SUPPORT_RATE_WINDOW seconds. *pId gets the message's id and
 * *pOutboxId (may be NULL) the e-mail's, 0 when none was queued. */
enum kg_err kg_store_support_insert(struct kg_store *p, const struct kg_support_message *pIn,
                                    const struct kg_support_mail *pMail, int64_t tNow,
                                    int64_t *pId /* OUT */, int64_t *pOutboxId /* OUT */,
                                    int64_t *pnRetryAfter /* OUT */);
/* Messages newest first: those with id < beforeId (0: from the newest), at
 * most nLimit; xRow gets a borrowed row and stops the walk by returning
 * nonzero. */
enum kg_err kg_store_support_list(struct kg_store *p, int64_t beforeId, int nLimit,
                                  int (*xRow)(void *pArg, const struct kg_support_message *),
                                  void *pArg);
/* Message id through xRow; KG_ENOTFOUND when there is none. */
enum kg_err kg_store_support_get(struct kg_store *p, int64_t id,
                                 int (*xRow)(void *pArg, const struct kg_support_message *),
                                 void *pArg);

/* ---- sign-in through an identity provider (identities.c) ----
 * Accounts are keyed by (issuer, subject). Tokens are stored only as their
 * SHA-256. */

/* The first leg of a sign-in, kept until the provider sends the browser
 * back. Expired rows are purged on insert. */
struct kg_oidc_login {
  char zNonce[44]; /* base64url of 32 bytes (KG_AUTH_TOKEN_SIZE) */
  char zVerifier[44];
  char zNext[520];
};
enum kg_err kg_store_oidc_login_insert(struct kg_store *p, const unsigned char aStateHash[32],
                                       const struct kg_oidc_login *pIn, int64_t tNow,
                                       int64_t expiresAt);
/* Takes (deletes) the sign-in of aStateHash: single use. KG_ENOTFOUND when
 * unknown or already taken, KG_EGONE when expired at tNow. */
enum kg_err kg_store_oidc_login_take(struct kg_store *p, const unsigned char aStateHash[32],
                                     int64_t tNow, struct kg_oidc_login *pOut /* OUT */);

/* What a provider attested, to apply to an account. Strings "" when not
 * given. */
struct kg_identity_signin {
  const char *zIssuer;
  const char *zSubject;
  const char *zEmail; /* the account's e-mail on creation */
  int bEmailVerified; /* the provider verified zEmail: only then may it name an account to link */
  const char *zFallbackEmail; /* used instead of an unverified zEmail another account has */
  const char *zFullName;      /* attested; replaces the account's when not "" */
  const char *zBirthDate;     /* attested YYYY-MM-DD; replaces the account's when not "" */
  /* residence: bLocated with the register's spelling and point, else the
   * attested text only (zAddress "" for none) */
  int bLocated;
  const char *zAddress;
  double lon, lat;
  /* holder identifier's keyed hash (kg_auth_holder_hash), NULL for none */
  const unsigned char *aHolderHash;
  /* nonzero: link this account (its owner proved it with the password) */
  int64_t linkAccountId;
};
struct kg_identity_result {
  int64_t accountId;
  int bCreated;            /* a new account was made */
  int bResidenceVerified;  /* the residence is located and verified by the provider */
  int bResidencePending;   /* attested but not located: waits for a moderator */
  int nPropertiesVerified; /* properties verified from the rights register */
};
/* Signs in (issuer, subject) in one transaction: finds its account, or
 * links linkAccountId, or creates a citizen account (consent at tNow,
 * no password); then applies the attested data — full name and birth date,
 * the residence (located: verified_by identity_provider; not located:
 * queued for a moderator to place), properties from the rights register.
 * KG_ECONFLICT when the subject is new and zEmail, verified by the
 * provider, belongs to another account (*pLinkAccountId gets it; nothing
 * is written); an unverified zEmail that another account has is replaced
 * by zFallbackEmail. */
enum kg_err kg_store_identity_signin(struct kg_store *p, const struct kg_identity_signin *pIn,
                                     int64_t tNow, struct kg_identity_result *pOut /* OUT */,
                                     int64_t *pLinkAccountId /* OUT */);

/* A pending link to an existing account (see kg_store_identity_signin):
 * zPerson is the attested data as JSON. Expired rows are purged on
 * insert. */
enum kg_err kg_store_oidc_link_insert(struct kg_store *p, const unsigned char aTokenHash[32],
                                      int64_t accountId, const char *zPerson, const char *zNext,
                                      int64_t tNow, int64_t expiresAt);
/* Takes (deletes) a usable pending link: *pAccountId, the attested data
 * (*pzPerson, heap, free()) and zNext. KG_ENOTFOUND when unknown or
 * expired. */
enum kg_err kg_store_oidc_link_take(struct kg_store *p, const unsigned char aTokenHash[32],
                                    int64_t tNow, int64_t *pAccountId /* OUT */,
                                    char **pzPerson /* OUT */, char zNext[520] /* OUT */);
/* An address of residence the provider attested but the register could
 * not place (see kg_store_identity_signin). */
struct kg_attestation {
  char zAddress[2048];
  int64_t updatedAt;
  int bRejected;    /* a moderator refused it */
  char zNote[1024]; /* the moderator's reason; "" when none */
};
/* The account's attested, not located address; KG_ENOTFOUND when none. */
enum kg_err kg_store_residence_attestation_get(struct kg_store *p, int64_t accountId,
                                               struct kg_attestation *pOut /* OUT */);
/* A moderator's decision on it: bVerified places it at lon, lat (it
 * becomes the account's residence, verified_by identity_provider, with the
 * moderator as verifier; log residence.place), 0 refuses it with zNote
 * (log residence.reject), in one transaction. KG_ENOTFOUND when the account
 * has no attested address waiting. */
enum kg_err kg_store_residence_attestation_decide(struct kg_store *p, int64_t accountId,
                                                  int bVerified, double lon, double lat,
                                                  const char *zNote, int64_t actorId, int64_t tNow);
/* Whether the account signs in through a provider, and whether its full
 * name and birth date are attested (zIssuer "" when not). */
enum kg_err kg_store_account_attested(struct kg_store *p, int64_t accountId,
                                      char zIssuer[256] /* OUT */, int *pbProvider /* OUT */);

/* ---- the rights register (rights.c) ----
 * Who holds which land plot or building, by cadastral number and the
 * holder identifier's keyed hash (kg_auth_holder_hash; the identifier is
 * never stored). Loaded whole by `kengash import --layer rights`. */

#define KG_STORE_HOLDER_HASH_BYTES 32

/* Empties the register and records a new load at tNow, hashed with the key
 * whose check value (kg_auth_holder_key_check) is aKeyCheck. Call inside
 * the transaction that inserts the new rows. Properties verified from the
 * old register stay verified. */
enum kg_err kg_store_rights_reset(struct kg_store *p,
                                  const unsigned char aKeyCheck[KG_STORE_HOLDER_HASH_BYTES],
                                  int64_t tNow);
/* Adds one (cadastral number, holder) pair; *pbAdded (may be NULL) is 0
 * when the pair was there already (a repeated row). */
enum kg_err kg_store_rights_insert(struct kg_store *p, const char *zCadastral,
                                   const unsigned char aHolderHash[KG_STORE_HOLDER_HASH_BYTES],
                                   int64_t tNow, int *pbAdded /* OUT, may be NULL */);
/* The last load: its key check, when, rows, and rows whose cadastral
 * number is not in the parcels layer (they verify nothing until it is).
 * KG_ENOTFOUND when no register was ever loaded. */
struct kg_rights_info {
  unsigned char aKeyCheck[KG_STORE_HOLDER_HASH_BYTES];
  int64_t loadedAt;
  int64_t nRows;
  int64_t nNoParcel;
};
enum kg_err kg_store_rights_info(struct kg_store *p, struct kg_rights_info *pOut /* OUT */);
/* Verifies accountId's properties from the register: for every cadastral
 * number registered to aHolderHash that has a parcel in the parcels layer,
 * the account's property with that number is inserted, or updated, as
 * verified (verified_by "register", verified_at tNow, no verifier), with
 * the parcel's geometry (source "registry"); an earlier refusal is
 * cleared, since the register is the authority on rights. A property
 * already verified that way is not written again. *pnVerified (may be
 * NULL) gets how many of the account's properties the register verifies
 * (0 when the holder is not in it). Runs in the caller's transaction when
 * there is one (as a savepoint), else in its own; tNow 0 means now.
 * Numbers the register has but the parcels layer lacks are skipped. */
enum kg_err kg_store_rights_verify_holder(struct kg_store *p, int64_t accountId,
                                          const unsigned char aHolderHash[32], int64_t tNow,
                                          int *pnVerified /* OUT */);

/* ---- base-map tiles from an MBTiles file (tiles.c) ----
 * The file is opened read-only (SQLITE_OPEN_READONLY), never through the
 * writer or the database's pool: its own connections, one per thread that
 * reads at the same time, are kept in a small pool. */
struct kg_tiles; /* an open MBTiles file; safe to share between threads */

struct kg_tiles_info {
  char zFormat[8];    /* "png", "jpg" or "webp" (metadata "format") */
  const char *zMime;  /* its Content-Type */
  int nMinZoom;       /* metadata minzoom (else the tiles table's), 0..30 */
  int nMaxZoom;       /* metadata maxzoom (else the tiles table's), 0..30 */
  int bBounds;        /* aBounds is set (metadata "bounds") */
  double aBounds[4];  /* west, south, east, north in degrees */
  char *zAttribution; /* metadata "attribution", may be "" (owned by the handle) */
  int64_t nFileSize;  /* the file's size and modification time (ns) at opening */
  int64_t nFileMtimeNs;
};

/* Opens zPath read-only and checks that it is a usable MBTiles file: a
 * SQLite file whose header's page count matches its size (a truncated copy
 * is refused), tables tiles and metadata, a raster format, readable
 * metadata and one readable tile; small files (up to 64 MiB) also pass
 * PRAGMA quick_check. On failure writes a sentence into zErr and returns
 * KG_EIO (unreadable), KG_EINVAL (not MBTiles) or KG_EDB. On success the
 * handle is freed with kg_tiles_close. */
enum kg_err kg_tiles_open(const char *zPath, struct kg_tiles **ppTiles /* OUT */, char *zErr,
                          size_t nErr);
/* Borrowed; valid until kg_tiles_close. */
const struct kg_tiles_info *kg_tiles_info(const struct kg_tiles *p);
/* The tile at zoom z, column x and XYZ row y (the TMS row flip is done
 * here: the file stores 2^z - 1 - y). The caller checks 0 <= x, y < 2^z.
 * *paData (free() it) and *pnData get its bytes; KG_ENOTFOUND when the
 * file has no such tile; KG_EDB when the read fails. */
enum kg_err kg_tiles_get(struct kg_tiles *p, int z, int64_t x, int64_t y,
                         unsigned char **paData /* OUT */, size_t *pnData /* OUT */);
/* Closes every connection; no reader may be running. NULL is fine. */
void kg_tiles_close(struct kg_tiles *p);

/* ---- running a round (round.c) ---- */
/* Approves (bSchedule) or withdraws the approval of draft id's notice: the
 * schedule publishes an approved draft at its announce_at. Logged in the
 * moderation log. KG_ENOTFOUND; KG_ECONFLICT when not a draft. */
enum kg_err kg_store_discussion_schedule(struct kg_store *p, int64_t id, int bSchedule,
                                         int64_t actorId, int64_t tNow);
/* When (0: not approved) and by whom draft id's notice was approved. */
enum kg_err kg_store_discussion_scheduled(struct kg_store *p, int64_t id, int64_t *pAt /* OUT */,
                                          int64_t *pBy /* OUT, may be NULL */);
/* Whether the parcel zCadastral of the parcels layer exists (*pbFound) and
 * intersects discussion id's territory (*pbInside). */
enum kg_err kg_store_parcel_in_territory(struct kg_store *p, int64_t id, const char *zCadastral,
                                         int *pbFound /* OUT */, int *pbInside /* OUT */);
/* The department-wide reasons for recommendations, by text (at most
 * 1000); zText is borrowed for the call. */
enum kg_err kg_store_reason_list(struct kg_store *p,
                                 int (*xRow)(void *pArg, int64_t id, const char *zText),
                                 void *pArg);
/* Adds zText to the reasons unless it is there: *pId is its id either way,
 * *pbCreated 1 when added (logged as conclusion.reason). */
enum kg_err kg_store_reason_add(struct kg_store *p, const char *zText, int64_t actorId,
                                int64_t tNow, int64_t *pId /* OUT */, int *pbCreated /* OUT */);

#endif

/* store_discussions.h: discussions: statuses, territories, expositions, the
 * timeline and scheduled moves (discussions.c).
 * One part of the store's public surface (see kengash/store.h). */
#include "kengash/store.h"

#ifndef KENGASH_STORE_DISCUSSIONS_H
#define KENGASH_STORE_DISCUSSIONS_H

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

#endif

/* api_common.h: helpers shared by the api handlers (internal to src/api/):
 * the field-spec reader every handler reads its JSON body with (one 422
 * shape naming the field), the id openings (404 / 503), pagination, time
 * rendering, the per-thread store and geo context. */
#ifndef KENGASH_API_COMMON_H
#define KENGASH_API_COMMON_H

#include <jansson.h>
#include <stdint.h>

#include "kengash/api.h"
#include "kengash/geo.h"
#include "kengash/http.h"
#include "kengash/i18n.h"
#include "kengash/store.h"

/* This thread's store connection for r; replies 503 (Retry-After) and
 * returns NULL when the database cannot be reached. With --db-replica, a
 * public read (decided once per request by kg_api_before: GET or HEAD
 * without a session, and not within seconds of this browser's own write)
 * gets a replica's. */
struct kg_store *kg_api_store(struct kg_req *r);
/* The same, always the database's: for a GET that writes (the sign-in
 * callback, the address lookup that indexes new addresses first). */
struct kg_store *kg_api_store_primary(struct kg_req *r);
/* This thread's geo context (PROJ); never NULL. */
struct kg_geo_ctx *kg_api_geo(void);
const struct kg_config *kg_api_cfg(struct kg_req *r);
/* The language of a reply made for a page: ?lang= (ru, tt, en), else the
 * page's `lang` cookie, else Accept-Language (kg_api_request_lang). */
enum kg_lang kg_api_page_lang(struct kg_req *r);

/* ---- the field-spec reader ----
 * A handler describes its JSON body as a table of fields and reads it with
 * one call: every member is checked against its spec, its value lands in
 * the caller's variable, a member the table does not name is refused, and
 * every refusal is a 422 problem naming the field (dotted for a nested
 * object: on_behalf_of.address) with the same detail texts as before:
 * "is required", "must be a string", "must be text without control
 * characters", "must not be empty", "must be at most N characters", "is
 * too long", "is not a known field", "must be an RFC 3339 date-time such
 * as 2026-12-01T09:00:00Z", ... A member that is JSON null counts as
 * absent. Fields are read in table order, so the first refusal names
 * the first bad field of the table. */
enum kg_api_ftype {
  /* const char * borrowed from the body (lives as long as the request):
   * control characters refused, at most nMax code points; when required,
   * white space only is "must not be empty" (the value is not trimmed). */
  KG_API_STR,
  /* char[nOut] (pOut): white space trimmed at both ends, then copied;
   * "" when absent or, not required, white space only; over nOut - 1
   * bytes is "is too long"; at most nMax code points. */
  KG_API_TRIM,
  /* const char * taken as typed (passwords): only a string with a NUL
   * inside is refused ("must be text without control characters"), and
   * over nMax bytes when nMax is not 0. */
  KG_API_TEXT,
  /* int64_t: an integer from nMin to nMax; the default refusal is "must be
   * an integer from nMin to nMax". 0 when absent. */
  KG_API_INT,
  /* int64_t: a positive integer (nMax, when not 0, the largest); the
   * default refusal is "must be a positive integer". 0 when absent. */
  KG_API_ID,
  /* int: 1 for true, 0 for false or absent; "must be true or false". */
  KG_API_BOOL,
  /* int64_t: an RFC 3339 date-time string of at most 40 characters (read
   * as KG_API_STR first); 0 when absent. */
  KG_API_TIME,
  /* json_t * borrowed: an object ("must be an object"); NULL when absent.
   * With aSub, its members are read by that table in turn (refusals name
   * zName.member), unknown members refused. */
  KG_API_OBJECT,
  /* json_t * borrowed: an array of at most nMax items ("must be an array
   * of at most N items"); NULL when absent. */
  KG_API_ARRAY,
  /* json_t * borrowed: any JSON value but null, checked by the handler (or
   * xCheck); NULL when absent. */
  KG_API_JSON,
};

#define KG_API_REQUIRED 0x1u /* absent (or null) is refused: "is required" */
/* zRule replaces every refusal of this field but the control character
 * ones: missing (when required), wrong type, out of range. Without it
 * zRule is only the refusal for a value not in azOneOf. */
#define KG_API_RULE_ALL 0x2u

struct kg_api_field {
  const char *zName; /* member name */
  enum kg_api_ftype eType;
  unsigned fFlags; /* KG_API_REQUIRED, KG_API_RULE_ALL */
  int64_t nMin;    /* KG_API_INT: smallest value */
  int64_t nMax;    /* STR/TRIM/TEXT: most code points (TEXT: bytes);
                    * INT/ID: largest value; ARRAY: most items */
  void *pOut;      /* where the value goes, typed as eType says */
  size_t nOut;     /* KG_API_TRIM: size of the char buffer at pOut */
  int *pbGiven;    /* optional OUT: 1 when the member is present, not null */
  /* optional, with KG_API_REQUIRED: the field is required only while
   * *pbOptionalIf is 0 when it is read (e.g. the OUT of an earlier
   * KG_API_BOOL field: a note required unless verified is true) */
  const int *pbOptionalIf;
  /* optional, strings: the value must be one of these (NULL-terminated),
   * else the refusal is zRule */
  const char *const *azOneOf;
  const char *zRule; /* see KG_API_RULE_ALL and azOneOf */
  /* optional normaliser, called with the field after its value is stored
   * (not when absent): may rewrite *pOut; returns 1, or 0 with the refusal
   * detail written into zReason (nReason bytes). */
  int (*xCheck)(const struct kg_api_field *pF, char *zReason, size_t nReason);
  void *pArg;                      /* for xCheck */
  const struct kg_api_field *aSub; /* KG_API_OBJECT: the nested table */
  int nSub;
};

#define KG_API_NFIELD(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* Shorthands for the common specs; fl is 0 or KG_API_REQUIRED. */
#define KG_API_F_STR(name, fl, nMaxChars, pz)                                                      \
  { .zName = (name), .eType = KG_API_STR, .fFlags = (fl), .nMax = (nMaxChars), .pOut = (pz) }
#define KG_API_F_TRIM(name, fl, nMaxChars, zBuf)                                                   \
  {                                                                                                \
    .zName = (name), .eType = KG_API_TRIM, .fFlags = (fl), .nMax = (nMaxChars), .pOut = (zBuf),    \
    .nOut = sizeof(zBuf)                                                                           \
  }
#define KG_API_F_TIME(name, fl, pt)                                                                \
  { .zName = (name), .eType = KG_API_TIME, .fFlags = (fl), .pOut = (pt) }
#define KG_API_F_ID(name, fl, pId)                                                                 \
  { .zName = (name), .eType = KG_API_ID, .fFlags = (fl), .pOut = (pId) }
#define KG_API_F_BOOL(name, fl, pb)                                                                \
  { .zName = (name), .eType = KG_API_BOOL, .fFlags = (fl), .pOut = (pb) }
#define KG_API_F_JSON(name, fl, pp)                                                                \
  { .zName = (name), .eType = KG_API_JSON, .fFlags = (fl), .pOut = (pp) }

/* An e-mail address, trimmed into zBuf (char[256]): at most 254
 * characters, kg_auth_email_valid ("must be an e-mail address such as
 * name@example.org"). */
#define KG_API_F_EMAIL(name, fl, zBuf)                                                             \
  {                                                                                                \
    .zName = (name), .eType = KG_API_TRIM, .fFlags = (fl), .nMax = 254, .pOut = (zBuf),            \
    .nOut = sizeof(zBuf), .xCheck = kg_api_email_check                                             \
  }

/* xChecks for common rules. kg_api_email_check: a KG_API_TRIM or STR
 * field holds an e-mail address. kg_api_true_check: a KG_API_BOOL field is
 * true, else the refusal is the field's zRule. */
int kg_api_email_check(const struct kg_api_field *pF, char *zReason, size_t nReason);
int kg_api_true_check(const struct kg_api_field *pF, char *zReason, size_t nReason);

/* Reads pObj (a JSON object) by the table aField[nField]: refuses members
 * it does not name, then reads the fields in order. Returns 1, or 0 after
 * replying 422 naming the first bad field. */
int kg_api_fields(struct kg_req *r, json_t *pObj, const struct kg_api_field *aField, int nField);
/* kg_api_fields for an object inside the body that is not a member of a
 * table (an item of an array): refusals name zPrefix + member, e.g. with
 * zPrefix "expositions[2]." the field "expositions[2].place". */
int kg_api_fields_at(struct kg_req *r, json_t *pObj, const char *zPrefix,
                     const struct kg_api_field *aField, int nField);
/* kg_api_fields on the request's JSON body (kg_req_json; it replies when
 * the body is not a JSON object). Returns 1, or 0 after replying. */
int kg_api_body(struct kg_req *r, const struct kg_api_field *aField, int nField);

/* The password rule, in one place: zPassword (taken as typed) must be
 * acceptable for the account of e-mail zEmail (kg_auth_password_acceptable).
 * Returns 1, or 0 after replying 422 naming "password". */
int kg_api_password_ok(struct kg_req *r, const char *zPassword, const char *zEmail);
/* The same rule as an xCheck for a KG_API_TEXT "password" field; pArg is
 * the e-mail (a string read by an earlier field of the same table). */
int kg_api_password_check(const struct kg_api_field *pF, char *zReason, size_t nReason);

/* ---- openings ---- */
/* Path parameter zParam as an id: replies 404 with the detail zNoSuch
 * (e.g. "no such discussion") and returns NULL when it is not a positive
 * integer; else returns this thread's store (replying 503 and returning
 * NULL when there is none) with *pId set. */
struct kg_store *kg_api_open_id(struct kg_req *r, const char *zParam, const char *zNoSuch,
                                int64_t *pId /* OUT */);
/* The id half of kg_api_open_id, for handlers that read their body before
 * opening the store: returns the id, or 0 after replying 404 zNoSuch. */
int64_t kg_api_param_id(struct kg_req *r, const char *zParam, const char *zNoSuch);

/* Appends ", <flat>" (kg_store_address_unit of zTyped) to the register's
 * spelling zAddress (nAddress bytes) when zTyped names a flat, room,
 * office or premises; truncation keeps zAddress as it was. */
void kg_api_address_with_unit(char *zAddress, size_t nAddress, const char *zTyped);

/* ?limit= (default 50, 1..500) and ?cursor= (opaque). Return 1 or 0 after
 * replying 400. */
int kg_api_page(struct kg_req *r, int *pnLimit /* OUT */, int64_t *pAfterId /* OUT */);
/* The opaque cursor for the next page after lastId (json string). */
json_t *kg_api_cursor_json(int64_t lastId);
/* 429 with Retry-After: nSeconds and the detail "<zWhat>; try again in N
 * seconds". */
void kg_api_reply_retry(struct kg_req *r, int64_t nSeconds, const char *zWhat);
/* {items, next} from pItems (stolen) holding up to nLimit + 1 rows, each
 * with an "id": the extra row only tells that there is a next page, whose
 * cursor is the id of the last row kept. */
json_t *kg_api_page_json(json_t *pItems, int nLimit);

/* RFC 3339 string, or JSON null when t == 0. */
json_t *kg_api_time_json(int64_t t);
/* Pre-rendered JSON (stored GeoJSON) spliced into a reply without parsing
 * and printing it again. kg_api_raw_add() copies zJson (trusted JSON text
 * made by this program) and returns a placeholder to put in the reply
 * object (JSON null when zJson is NULL); kg_api_reply_raw() dumps pJson
 * (stealing it), replaces the placeholders and frees the copies. */
struct kg_api_raw {
  char **azJson;
  size_t n, nAlloc;
};
json_t *kg_api_raw_add(struct kg_api_raw *p, const char *zJson);
void kg_api_reply_raw(struct kg_req *r, unsigned status, json_t *pJson, struct kg_api_raw *p);
/* The text kg_api_reply_raw would send (malloc'd, length in *pn), or NULL
 * when it cannot be encoded; steals pJson and frees p's copies. */
char *kg_api_raw_render(json_t *pJson, struct kg_api_raw *p, size_t *pn /* OUT */);
void kg_api_raw_free(struct kg_api_raw *p);

#endif

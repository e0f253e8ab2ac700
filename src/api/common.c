/* common.c: helpers shared by the api handlers (see api_common.h). */
#define _GNU_SOURCE
#include "api_common.h"
#include "api_auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kengash/auth.h"

/* ---- per-thread state ---- */

static pthread_key_t g_geoKey;
static pthread_once_t g_geoOnce = PTHREAD_ONCE_INIT;

static void geo_free(void *p) {
  kg_geo_ctx_free(p);
}
static void geo_key_init(void) {
  pthread_key_create(&g_geoKey, geo_free);
}

struct kg_geo_ctx *kg_api_geo(void) {
  pthread_once(&g_geoOnce, geo_key_init);
  struct kg_geo_ctx *p = pthread_getspecific(g_geoKey);
  if (!p) {
    p = kg_geo_ctx_new();
    pthread_setspecific(g_geoKey, p);
  }
  return p;
}

void kg_api_thread_cleanup(void) {
  pthread_once(&g_geoOnce, geo_key_init);
  struct kg_geo_ctx *p = pthread_getspecific(g_geoKey);
  if (p) {
    kg_geo_ctx_free(p);
    pthread_setspecific(g_geoKey, NULL);
  }
}

struct kg_store *kg_api_store(struct kg_req *r) {
  const struct kg_api_session *s = kg_api_session(r);
  struct kg_store *p = s && s->bReplicaRead ? kg_store_thread_replica() : NULL;
  return p ? p : kg_api_store_primary(r); /* also when the replica cannot be reached */
}

struct kg_store *kg_api_store_primary(struct kg_req *r) {
  struct kg_store *p = kg_store_thread();
  if (!p) kg_reply_err(r, KG_EDOWN, NULL); /* 503, Retry-After */
  return p;
}

const struct kg_config *kg_api_cfg(struct kg_req *r) {
  return ((const struct kg_app *)kg_req_app(r))->pCfg;
}

enum kg_lang kg_api_page_lang(struct kg_req *r) {
  enum kg_lang eLang;
  return kg_lang_from_tag(kg_req_query(r, "lang"), &eLang) ? eLang : kg_api_request_lang(r);
}

void kg_api_address_with_unit(char *zAddress, size_t nAddress, const char *zTyped) {
  char zUnit[96];
  kg_store_address_unit(zTyped, zUnit, sizeof(zUnit));
  size_t n = strlen(zAddress);
  if (zUnit[0] && n + 2 + strlen(zUnit) < nAddress)
    snprintf(zAddress + n, nAddress - n, ", %s", zUnit);
}

/* ---- the field-spec reader ---- */

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Replies 422 naming zPrefix zName (a member name is cut at 64 bytes) with
 * the refusal zMsg and why it is refused (*pW: reason and limits). */
static void refuse(struct kg_req *r, const char *zPrefix, const char *zName, const char *zMsg,
                   const struct kg_field_error *pW) {
  char zField[160];
  snprintf(zField, sizeof(zField), "%s%.64s", zPrefix, zName);
  struct kg_field_error e = *pW;
  e.zField = zField;
  e.zMessage = zMsg;
  kg_reply_field(r, 422, &e);
}

/* Sets why a value is refused: eReason, with the limits it names. */
static void why(struct kg_field_error *pW, enum kg_reason eReason, long long nMin, long long nMax) {
  pW->eReason = eReason;
  pW->nMin = nMin;
  pW->nMax = nMax;
  pW->bRange = eReason == KG_R_OUT_OF_RANGE;
}

/* The field's own rule when it replaces every refusal, else zDefault. */
static const char *rule_or(const struct kg_api_field *pF, const char *zDefault) {
  return (pF->fFlags & KG_API_RULE_ALL) && pF->zRule ? pF->zRule : zDefault;
}

/* The string value of p with no NUL inside and valid text, or NULL with
 * *pzBad set. */
static const char *text_of(json_t *p, const struct kg_api_field *pF, const char **pzBad,
                           struct kg_field_error *pW) {
  if (!json_is_string(p)) {
    why(pW, KG_R_WRONG_TYPE, 0, 0);
    *pzBad = rule_or(pF, "must be a string");
    return NULL;
  }
  const char *z = json_string_value(p);
  size_t n = json_string_length(p);
  if (strlen(z) != n || !kg_utf8_valid_text(z, n)) {
    why(pW, KG_R_NOT_TEXT, 0, 0);
    *pzBad = "must be text without control characters";
    return NULL;
  }
  return z;
}

static const char *too_many_chars(const struct kg_api_field *pF, char *zMsg, size_t nMsg,
                                  struct kg_field_error *pW) {
  why(pW, KG_R_TOO_LONG, 0, pF->nMax);
  snprintf(zMsg, nMsg, "must be at most %lld characters", (long long)pF->nMax);
  return rule_or(pF, zMsg);
}

/* KG_API_STR: required means not white space only; the value is kept as
 * given. */
static const char *read_str(json_t *p, const struct kg_api_field *pF, char *zMsg, size_t nMsg,
                            struct kg_field_error *pW) {
  const char *zBad = NULL, *z = text_of(p, pF, &zBad, pW);
  if (!z) return zBad;
  size_t i = 0;
  while (is_space(z[i]))
    i++;
  if ((pF->fFlags & KG_API_REQUIRED) && !z[i]) {
    why(pW, KG_R_REQUIRED, 0, 0);
    return rule_or(pF, "must not be empty");
  }
  if (kg_utf8_len(z) > (size_t)pF->nMax) return too_many_chars(pF, zMsg, nMsg, pW);
  *(const char **)pF->pOut = z;
  return NULL;
}

/* KG_API_TRIM: trimmed, then copied. Sets *pbEmpty when the trimmed value
 * is empty (allowed when not required). */
static const char *read_trim(json_t *p, const struct kg_api_field *pF, int *pbEmpty, char *zMsg,
                             size_t nMsg, struct kg_field_error *pW) {
  const char *zBad = NULL, *z = text_of(p, pF, &zBad, pW);
  char *zOut = pF->pOut;
  if (!z) return zBad;
  size_t n = strlen(z);
  while (n && is_space(*z))
    z++, n--;
  while (n && is_space(z[n - 1]))
    n--;
  if (n == 0) {
    *pbEmpty = 1;
    why(pW, KG_R_REQUIRED, 0, 0);
    return (pF->fFlags & KG_API_REQUIRED) ? rule_or(pF, "must not be empty") : NULL;
  }
  if (n >= pF->nOut) {
    why(pW, KG_R_TOO_LONG, 0, pF->nMax);
    return rule_or(pF, "is too long");
  }
  memcpy(zOut, z, n);
  zOut[n] = 0;
  if (kg_utf8_len(zOut) > (size_t)pF->nMax) {
    zOut[0] = 0;
    return too_many_chars(pF, zMsg, nMsg, pW);
  }
  return NULL;
}

/* KG_API_TEXT: as typed; only a NUL inside is refused. */
static const char *read_text(json_t *p, const struct kg_api_field *pF, char *zMsg, size_t nMsg,
                             struct kg_field_error *pW) {
  if (!json_is_string(p)) {
    why(pW, KG_R_WRONG_TYPE, 0, 0);
    return rule_or(pF, "must be a string");
  }
  if (strlen(json_string_value(p)) != json_string_length(p)) {
    why(pW, KG_R_NOT_TEXT, 0, 0);
    return "must be text without control characters";
  }
  if (pF->nMax && json_string_length(p) > (size_t)pF->nMax) {
    why(pW, KG_R_TOO_LONG_BYTES, 0, pF->nMax);
    snprintf(zMsg, nMsg, "must be at most %lld bytes", (long long)pF->nMax);
    return rule_or(pF, zMsg);
  }
  *(const char **)pF->pOut = json_string_value(p);
  return NULL;
}

static const char *read_int(json_t *p, const struct kg_api_field *pF, char *zMsg, size_t nMsg,
                            struct kg_field_error *pW) {
  int64_t nMin = pF->eType == KG_API_ID ? 1 : pF->nMin;
  int64_t nMax = pF->eType == KG_API_ID && !pF->nMax ? INT64_MAX : pF->nMax;
  if (!json_is_integer(p) || json_integer_value(p) < nMin || json_integer_value(p) > nMax) {
    if (!json_is_integer(p))
      why(pW, KG_R_NOT_A_NUMBER, 0, 0);
    else if (pF->eType == KG_API_ID)
      why(pW, KG_R_INVALID_FORMAT, 0, 0);
    else
      why(pW, KG_R_OUT_OF_RANGE, nMin, nMax);
    if (pF->eType == KG_API_ID) return rule_or(pF, "must be a positive integer");
    snprintf(zMsg, nMsg, "must be an integer from %lld to %lld", (long long)nMin, (long long)nMax);
    return rule_or(pF, zMsg);
  }
  *(int64_t *)pF->pOut = json_integer_value(p);
  return NULL;
}

static const char *read_time(json_t *p, const struct kg_api_field *pF, char *zMsg, size_t nMsg,
                             struct kg_field_error *pW) {
  struct kg_api_field f = *pF;
  const char *z = NULL;
  f.nMax = 40;
  f.pOut = &z;
  const char *zBad = read_str(p, &f, zMsg, nMsg, pW);
  if (zBad) return zBad;
  if (kg_time_parse(z, pF->pOut) != KG_OK) {
    why(pW, KG_R_INVALID_DATE, 0, 0);
    return rule_or(pF, "must be an RFC 3339 date-time such as 2026-12-01T09:00:00Z");
  }
  return NULL;
}

/* The value as a kind of JSON container (object, array, any). */
static const char *read_json(json_t *p, const struct kg_api_field *pF, char *zMsg, size_t nMsg,
                             struct kg_field_error *pW) {
  if (pF->eType == KG_API_OBJECT && !json_is_object(p)) {
    why(pW, KG_R_WRONG_TYPE, 0, 0);
    return rule_or(pF, "must be an object");
  }
  if (pF->eType == KG_API_ARRAY &&
      (!json_is_array(p) || (pF->nMax && json_array_size(p) > (size_t)pF->nMax))) {
    if (json_is_array(p))
      why(pW, KG_R_TOO_MANY, 0, pF->nMax);
    else
      why(pW, KG_R_WRONG_TYPE, 0, 0);
    snprintf(zMsg, nMsg, "must be an array of at most %lld items", (long long)pF->nMax);
    return rule_or(pF, zMsg);
  }
  *(json_t **)pF->pOut = p;
  return NULL;
}

static void clear_out(const struct kg_api_field *pF) {
  if (pF->pbGiven) *pF->pbGiven = 0;
  if (!pF->pOut) return;
  switch (pF->eType) {
  case KG_API_TRIM:
    if (pF->nOut) ((char *)pF->pOut)[0] = 0;
    break;
  case KG_API_STR:
  case KG_API_TEXT:
    *(const char **)pF->pOut = NULL;
    break;
  case KG_API_INT:
  case KG_API_ID:
  case KG_API_TIME:
    *(int64_t *)pF->pOut = 0;
    break;
  case KG_API_BOOL:
    *(int *)pF->pOut = 0;
    break;
  case KG_API_OBJECT:
  case KG_API_ARRAY:
  case KG_API_JSON:
    *(json_t **)pF->pOut = NULL;
    break;
  }
}

/* A string value must be one of azOneOf. */
static int one_of(const struct kg_api_field *pF) {
  const char *z = pF->eType == KG_API_TRIM ? pF->pOut : *(const char **)pF->pOut;
  for (int i = 0; pF->azOneOf[i]; i++)
    if (strcmp(z, pF->azOneOf[i]) == 0) return 1;
  return 0;
}

static int read_fields(struct kg_req *r, json_t *pObj, const char *zPrefix,
                       const struct kg_api_field *aField, int nField);

/* The value of p by pF's type; NULL, or the refusal (*pbEmpty: an empty
 * trimmed string where that counts as absent). */
static const char *read_value(json_t *p, const struct kg_api_field *pF, int *pbEmpty, char *zMsg,
                              size_t nMsg, struct kg_field_error *pW) {
  switch (pF->eType) {
  case KG_API_STR:
    return read_str(p, pF, zMsg, nMsg, pW);
  case KG_API_TRIM:
    return read_trim(p, pF, pbEmpty, zMsg, nMsg, pW);
  case KG_API_TEXT:
    return read_text(p, pF, zMsg, nMsg, pW);
  case KG_API_INT:
  case KG_API_ID:
    return read_int(p, pF, zMsg, nMsg, pW);
  case KG_API_BOOL:
    if (!json_is_boolean(p)) {
      why(pW, KG_R_WRONG_TYPE, 0, 0);
      return rule_or(pF, "must be true or false");
    }
    *(int *)pF->pOut = json_is_true(p);
    return NULL;
  case KG_API_TIME:
    return read_time(p, pF, zMsg, nMsg, pW);
  case KG_API_OBJECT:
  case KG_API_ARRAY:
  case KG_API_JSON:
    return read_json(p, pF, zMsg, nMsg, pW);
  }
  why(pW, KG_R_UNKNOWN_FIELD, 0, 0);
  return "is not a known field";
}

/* Why a field's xCheck refused it: the shared checks say; any other is
 * KG_R_INVALID (its message explains). */
static enum kg_reason check_reason(const struct kg_api_field *pF) {
  if (pF->xCheck == kg_api_email_check) return KG_R_INVALID_EMAIL;
  if (pF->xCheck == kg_api_password_check) return KG_R_WEAK_PASSWORD;
  if (pF->xCheck == kg_api_true_check) return KG_R_MUST_ACCEPT;
  return KG_R_INVALID;
}

/* The checks after the value is read: one of azOneOf, then xCheck. */
static const char *check_value(const struct kg_api_field *pF, char *zMsg, size_t nMsg,
                               struct kg_field_error *pW) {
  if (pF->azOneOf && !one_of(pF)) {
    pW->eReason = KG_R_NOT_ALLOWED;
    pW->azAllowed = pF->azOneOf;
    return pF->zRule ? pF->zRule : "is not an allowed value";
  }
  if (pF->xCheck && !pF->xCheck(pF, zMsg, nMsg)) {
    pW->eReason = check_reason(pF);
    return zMsg;
  }
  return NULL;
}

/* Reads one field of pObj into its OUT. Returns 1, or 0 after replying. */
static int read_field(struct kg_req *r, json_t *pObj, const char *zPrefix,
                      const struct kg_api_field *pF) {
  json_t *p = json_object_get(pObj, pF->zName);
  char zMsg[256];
  const char *zBad = NULL;
  int bEmpty = 0;
  struct kg_field_error w = {.eReason = KG_R_INVALID};
  struct kg_api_field f = *pF;
  if (f.pbOptionalIf && *f.pbOptionalIf) f.fFlags &= ~KG_API_REQUIRED;
  pF = &f;
  clear_out(pF);
  if (!p || json_is_null(p)) {
    if (!(pF->fFlags & KG_API_REQUIRED)) return 1;
    w.eReason = KG_R_REQUIRED;
    zBad = rule_or(pF, "is required");
  } else {
    zBad = read_value(p, pF, &bEmpty, zMsg, sizeof(zMsg), &w);
  }
  if (!zBad && !bEmpty) {
    if (pF->pbGiven) *pF->pbGiven = 1;
    zBad = check_value(pF, zMsg, sizeof(zMsg), &w);
  }
  if (zBad) {
    refuse(r, zPrefix, pF->zName, zBad, &w);
    return 0;
  }
  if (pF->eType != KG_API_OBJECT || !pF->aSub) return 1;
  char zSub[160];
  snprintf(zSub, sizeof(zSub), "%s%.64s.", zPrefix, pF->zName);
  return read_fields(r, p, zSub, pF->aSub, pF->nSub);
}

static int read_fields(struct kg_req *r, json_t *pObj, const char *zPrefix,
                       const struct kg_api_field *aField, int nField) {
  const char *zKey;
  json_t *pVal;
  json_object_foreach(pObj, zKey, pVal) {
    int bKnown = 0;
    for (int i = 0; i < nField && !bKnown; i++)
      bKnown = strcmp(zKey, aField[i].zName) == 0;
    if (!bKnown) {
      refuse(r, zPrefix, zKey, "is not a known field",
             &(struct kg_field_error){.eReason = KG_R_UNKNOWN_FIELD});
      return 0;
    }
  }
  for (int i = 0; i < nField; i++)
    if (!read_field(r, pObj, zPrefix, &aField[i])) return 0;
  return 1;
}

int kg_api_fields(struct kg_req *r, json_t *pObj, const struct kg_api_field *aField, int nField) {
  return read_fields(r, pObj, "", aField, nField);
}

int kg_api_fields_at(struct kg_req *r, json_t *pObj, const char *zPrefix,
                     const struct kg_api_field *aField, int nField) {
  return read_fields(r, pObj, zPrefix, aField, nField);
}

int kg_api_body(struct kg_req *r, const struct kg_api_field *aField, int nField) {
  json_t *pBody = kg_req_json(r);
  return pBody && kg_api_fields(r, pBody, aField, nField);
}

int kg_api_email_check(const struct kg_api_field *pF, char *zReason, size_t nReason) {
  const char *z = pF->eType == KG_API_TRIM ? pF->pOut : *(const char **)pF->pOut;
  if (kg_auth_email_valid(z)) return 1;
  snprintf(zReason, nReason, "must be an e-mail address such as name@example.org");
  return 0;
}

int kg_api_true_check(const struct kg_api_field *pF, char *zReason, size_t nReason) {
  if (*(int *)pF->pOut) return 1;
  snprintf(zReason, nReason, "%s", pF->zRule ? pF->zRule : "must be true");
  return 0;
}

int kg_api_password_check(const struct kg_api_field *pF, char *zReason, size_t nReason) {
  const char *zEmail = pF->pArg ? pF->pArg : "";
  return kg_auth_password_acceptable(*(const char **)pF->pOut, zEmail, zReason, nReason);
}

int kg_api_password_ok(struct kg_req *r, const char *zPassword, const char *zEmail) {
  char zReason[200];
  if (kg_auth_password_acceptable(zPassword, zEmail, zReason, sizeof(zReason))) return 1;
  kg_reply_bad(r, KG_R_WEAK_PASSWORD, "password", zReason);
  return 0;
}

/* ---- openings ---- */

int64_t kg_api_param_id(struct kg_req *r, const char *zParam, const char *zNoSuch) {
  int64_t id = kg_req_param_id(r, zParam);
  if (!id) kg_reply_code(r, KG_P_NOT_FOUND, zNoSuch);
  return id;
}

struct kg_store *kg_api_open_id(struct kg_req *r, const char *zParam, const char *zNoSuch,
                                int64_t *pId) {
  *pId = kg_api_param_id(r, zParam, zNoSuch);
  return *pId ? kg_api_store(r) : NULL;
}

/* ---- pagination ---- */

int kg_api_page(struct kg_req *r, int *pnLimit, int64_t *pAfterId) {
  const char *z = kg_req_query(r, "limit");
  *pnLimit = 50;
  *pAfterId = 0;
  if (z) {
    char *zEnd;
    long v = strtol(z, &zEnd, 10);
    if (!*z || *zEnd || v < 1 || v > 500) {
      kg_reply_limit(r, 400, KG_R_OUT_OF_RANGE, "limit", "must be an integer from 1 to 500", 1,
                     500);
      return 0;
    }
    *pnLimit = (int)v;
  }
  z = kg_req_query(r, "cursor");
  if (z && *z) {
    unsigned char a[16];
    size_t n = 0;
    if (strlen(z) > 24 ||
        sodium_base642bin(a, sizeof(a), z, strlen(z), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n != 9 || a[0] != 'c') {
      kg_reply_bad_status(r, 400, KG_R_UNKNOWN_REFERENCE, "cursor",
                          "is not a cursor this server made");
      return 0;
    }
    /* unsigned: a shift into the sign bit is undefined for int64_t */
    uint64_t v = 0;
    for (int i = 1; i < 9; i++)
      v = (v << 8) | a[i];
    if (v > (uint64_t)INT64_MAX) {
      kg_reply_bad_status(r, 400, KG_R_UNKNOWN_REFERENCE, "cursor",
                          "is not a cursor this server made");
      return 0;
    }
    *pAfterId = (int64_t)v;
  }
  return 1;
}

json_t *kg_api_cursor_json(int64_t lastId) {
  unsigned char a[9];
  a[0] = 'c';
  for (int i = 8; i >= 1; i--) {
    a[i] = (unsigned char)(lastId & 0xff);
    lastId >>= 8;
  }
  char z[32];
  sodium_bin2base64(z, sizeof(z), a, sizeof(a), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return json_string(z);
}

void kg_api_reply_retry(struct kg_req *r, int64_t nSeconds, const char *zWhat) {
  char zRetry[24], zMsg[256];
  snprintf(zRetry, sizeof(zRetry), "%lld", (long long)nSeconds);
  snprintf(zMsg, sizeof(zMsg), "%s; try again in %lld seconds", zWhat, (long long)nSeconds);
  kg_reply_header(r, "Retry-After", zRetry);
  kg_reply_code(r, KG_P_RATE_LIMITED, zMsg);
}

json_t *kg_api_page_json(json_t *pItems, int nLimit) {
  json_t *pNext = json_null();
  if (json_array_size(pItems) > (size_t)nLimit) {
    json_array_remove(pItems, (size_t)nLimit);
    json_t *pLast = json_array_get(pItems, (size_t)nLimit - 1);
    pNext = kg_api_cursor_json(json_integer_value(json_object_get(pLast, "id")));
  }
  return json_pack("{s:o, s:o}", "items", pItems, "next", pNext);
}

/* ---- rendering ---- */

json_t *kg_api_time_json(int64_t t) {
  if (!t) return json_null();
  char z[21];
  kg_time_format(t, z);
  return json_string(z);
}

json_t *kg_api_raw_add(struct kg_api_raw *p, const char *zJson) {
  if (!zJson) return json_null();
  if (p->n == p->nAlloc) {
    p->nAlloc = p->nAlloc ? p->nAlloc * 2 : 8;
    p->azJson = kg_xrealloc(p->azJson, p->nAlloc * sizeof(char *));
  }
  p->azJson[p->n] = kg_xstrdup(zJson);
  /* Control characters never reach stored strings (kg_api_fields refuses
   * them), so "\u0001N\u0001" can only be a placeholder. */
  return json_sprintf("\x01%zu\x01", p->n++);
}

void kg_api_raw_free(struct kg_api_raw *p) {
  for (size_t i = 0; i < p->n; i++)
    free(p->azJson[i]);
  free(p->azJson);
  memset(p, 0, sizeof(*p));
}

char *kg_api_raw_render(json_t *pJson, struct kg_api_raw *p, size_t *pn) {
  static const char zOpen[] = "\"\\u0001";
  char *zDump = json_dumps(pJson, JSON_COMPACT | JSON_REAL_PRECISION(12));
  json_decref(pJson);
  if (!zDump) {
    kg_api_raw_free(p);
    return NULL;
  }
  struct kg_buf b;
  size_t nTotal = strlen(zDump);
  for (size_t i = 0; i < p->n; i++)
    nTotal += strlen(p->azJson[i]);
  kg_buf_init(&b, nTotal + 1);
  const char *z = zDump, *zHit;
  while ((zHit = strstr(z, zOpen)) != NULL) {
    char *zEnd;
    unsigned long long i = strtoull(zHit + sizeof(zOpen) - 1, &zEnd, 10);
    if (i >= p->n || strncmp(zEnd, "\\u0001\"", 7) != 0) break; /* cannot happen */
    kg_buf_append(&b, z, (size_t)(zHit - z));
    kg_buf_puts(&b, p->azJson[i]);
    z = zEnd + 7;
  }
  kg_buf_puts(&b, z);
  free(zDump);
  kg_api_raw_free(p);
  if (kg_buf_failed(&b)) {
    kg_buf_free(&b);
    return NULL;
  }
  return kg_buf_detach(&b, pn);
}

void kg_api_reply_raw(struct kg_req *r, unsigned status, json_t *pJson, struct kg_api_raw *p) {
  size_t n;
  char *zOut = kg_api_raw_render(pJson, p, &n);
  if (!zOut) {
    kg_reply_code(r, KG_P_INTERNAL_ERROR, "could not encode the response");
    return;
  }
  kg_reply_text(r, status, "application/json; charset=utf-8", zOut, n);
}

/* common.c: helpers shared by the api handlers (see api_common.h). */
#define _GNU_SOURCE
#include "api_common.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  struct kg_store *p = kg_store_thread();
  if (!p) kg_reply_problem(r, 503, NULL, "the database is not available");
  return p;
}

const struct kg_config *kg_api_cfg(struct kg_req *r) {
  return ((const struct kg_app *)kg_req_app(r))->pCfg;
}

void kg_api_address_with_unit(char *zAddress, size_t nAddress, const char *zTyped) {
  char zUnit[96];
  kg_store_address_unit(zTyped, zUnit, sizeof(zUnit));
  size_t n = strlen(zAddress);
  if (zUnit[0] && n + 2 + strlen(zUnit) < nAddress)
    snprintf(zAddress + n, nAddress - n, ", %s", zUnit);
}

/* ---- field readers ---- */

int kg_api_str(struct kg_req *r, json_t *pObj, const char *zField, int bRequired, size_t nMaxChars,
               const char **pz) {
  json_t *p = json_object_get(pObj, zField);
  *pz = NULL;
  if (!p || json_is_null(p)) {
    if (!bRequired) return 1;
    kg_reply_invalid(r, zField, "is required");
    return 0;
  }
  if (!json_is_string(p)) {
    kg_reply_invalid(r, zField, "must be a string");
    return 0;
  }
  const char *z = json_string_value(p);
  size_t n = json_string_length(p);
  if (strlen(z) != n || !kg_utf8_valid_text(z, n)) {
    kg_reply_invalid(r, zField, "must be text without control characters");
    return 0;
  }
  size_t i = 0;
  while (z[i] == ' ' || z[i] == '\t' || z[i] == '\n' || z[i] == '\r')
    i++;
  if (bRequired && !z[i]) {
    kg_reply_invalid(r, zField, "must not be empty");
    return 0;
  }
  if (kg_utf8_len(z) > nMaxChars) {
    char zMsg[80];
    snprintf(zMsg, sizeof(zMsg), "must be at most %zu characters", nMaxChars);
    kg_reply_invalid(r, zField, zMsg);
    return 0;
  }
  *pz = z;
  return 1;
}

int kg_api_time(struct kg_req *r, json_t *pObj, const char *zField, int bRequired, int64_t *pt) {
  const char *z = NULL;
  *pt = 0;
  if (!kg_api_str(r, pObj, zField, bRequired, 40, &z)) return 0;
  if (!z) return 1;
  if (kg_time_parse(z, pt) != KG_OK) {
    kg_reply_invalid(r, zField, "must be an RFC 3339 date-time such as 2026-12-01T09:00:00Z");
    return 0;
  }
  return 1;
}

int kg_api_known_fields(struct kg_req *r, json_t *pObj, const char *const *azKnown) {
  const char *zKey;
  json_t *pVal;
  json_object_foreach(pObj, zKey, pVal) {
    int bKnown = 0;
    for (int i = 0; azKnown[i]; i++)
      if (strcmp(zKey, azKnown[i]) == 0) bKnown = 1;
    if (!bKnown) {
      char zField[80];
      snprintf(zField, sizeof(zField), "%.64s", zKey);
      kg_reply_invalid(r, zField, "is not a known field");
      return 0;
    }
  }
  return 1;
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
      kg_reply_invalid_status(r, 400, "limit", "must be an integer from 1 to 500");
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
      kg_reply_invalid_status(r, 400, "cursor", "is not a cursor this server made");
      return 0;
    }
    /* unsigned: a shift into the sign bit is undefined for int64_t */
    uint64_t v = 0;
    for (int i = 1; i < 9; i++)
      v = (v << 8) | a[i];
    if (v > (uint64_t)INT64_MAX) {
      kg_reply_invalid_status(r, 400, "cursor", "is not a cursor this server made");
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
  kg_reply_problem(r, 429, NULL, zMsg);
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
  /* Control characters never reach stored strings (kg_api_str refuses
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
    kg_reply_problem(r, 500, NULL, "could not encode the response");
    return;
  }
  kg_reply_text(r, status, "application/json; charset=utf-8", zOut, n);
}

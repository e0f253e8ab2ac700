/* core.c: allocation, bounded buffers, logging, time and text helpers. */
#define _GNU_SOURCE
#include "kengash/core.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *kg_err_name(enum kg_err err) {
  switch (err) {
  case KG_OK:
    return "ok";
  case KG_EINVAL:
    return "invalid";
  case KG_ENOTFOUND:
    return "not_found";
  case KG_ECONFLICT:
    return "conflict";
  case KG_EFORBIDDEN:
    return "forbidden";
  case KG_EUNAUTH:
    return "unauthenticated";
  case KG_ETOOBIG:
    return "too_big";
  case KG_EDB:
    return "database";
  case KG_EIO:
    return "io";
  case KG_ENOMEM:
    return "no_memory";
  case KG_EGONE:
    return "gone";
  case KG_ELIMIT:
    return "rate_limited";
  case KG_EFULL:
    return "storage_full";
  case KG_EDOWN:
    return "database_down";
  }
  return "unknown";
}

static void oom(void) {
  fputs("kengash: out of memory\n", stderr);
  abort();
}

void *kg_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom();
  return p;
}

void *kg_xcalloc(size_t nmemb, size_t n) {
  void *p = calloc(nmemb ? nmemb : 1, n ? n : 1);
  if (!p) oom();
  return p;
}

void *kg_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom();
  return q;
}

char *kg_xstrdup(const char *z) {
  char *p = strdup(z ? z : "");
  if (!p) oom();
  return p;
}

char *kg_xstrndup(const char *z, size_t n) {
  char *p = strndup(z, n);
  if (!p) oom();
  return p;
}

char *kg_xasprintf(const char *zFmt, ...) {
  va_list ap;
  char *z = NULL;
  va_start(ap, zFmt);
  int rc = vasprintf(&z, zFmt, ap);
  va_end(ap);
  if (rc < 0) oom();
  return z;
}

/* ---- bounded buffer ---- */

void kg_buf_init(struct kg_buf *p, size_t nMax) {
  memset(p, 0, sizeof(*p));
  p->nMax = nMax;
}

static enum kg_err buf_fail(struct kg_buf *p) {
  free(p->a);
  p->a = NULL;
  p->n = p->cap = 0;
  p->failed = 1;
  return KG_ETOOBIG;
}

/* Room for nMore bytes more and the NUL: the capacity doubles (from 256)
 * up to nMax + 1, or becomes exactly what is needed when bExact. */
static enum kg_err buf_grow(struct kg_buf *p, size_t nMore, int bExact) {
  if (p->failed) return KG_ETOOBIG;
  if (nMore > p->nMax || p->n > p->nMax - nMore) return buf_fail(p);
  size_t need = p->n + nMore + 1;
  if (need <= p->cap) return KG_OK;
  size_t cap = bExact ? need : p->cap ? p->cap : 256;
  while (cap < need)
    cap *= 2;
  if (cap > p->nMax + 1) cap = p->nMax + 1;
  char *a = realloc(p->a, cap);
  if (!a) {
    buf_fail(p);
    return KG_ENOMEM;
  }
  p->a = a;
  p->cap = cap;
  return KG_OK;
}

static enum kg_err buf_reserve(struct kg_buf *p, size_t nMore) {
  return buf_grow(p, nMore, 0);
}

enum kg_err kg_buf_reserve(struct kg_buf *p, size_t nMore) {
  return buf_grow(p, nMore, 1);
}

enum kg_err kg_buf_i64(struct kg_buf *p, int64_t v) {
  char z[24], *e = z + sizeof(z), *q = e;
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do {
    *--q = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *--q = '-';
  return kg_buf_append(p, q, (size_t)(e - q));
}

enum kg_err kg_buf_append(struct kg_buf *p, const void *pData, size_t n) {
  enum kg_err rc = buf_reserve(p, n);
  if (rc) return rc;
  if (n) memcpy(p->a + p->n, pData, n);
  p->n += n;
  p->a[p->n] = 0;
  return KG_OK;
}

enum kg_err kg_buf_puts(struct kg_buf *p, const char *z) {
  return kg_buf_append(p, z, strlen(z));
}

enum kg_err kg_buf_printf(struct kg_buf *p, const char *zFmt, ...) {
  char aSmall[256];
  va_list ap;
  va_start(ap, zFmt);
  int n = vsnprintf(aSmall, sizeof(aSmall), zFmt, ap);
  va_end(ap);
  if (n < 0) return KG_EINVAL;
  if ((size_t)n < sizeof(aSmall)) return kg_buf_append(p, aSmall, (size_t)n);
  enum kg_err rc = buf_reserve(p, (size_t)n);
  if (rc) return rc;
  va_start(ap, zFmt);
  vsnprintf(p->a + p->n, (size_t)n + 1, zFmt, ap);
  va_end(ap);
  p->n += (size_t)n;
  return KG_OK;
}

enum kg_err kg_buf_json_escape(struct kg_buf *p, const char *z) {
  const char *zStart = z;
  for (; *z; z++) {
    unsigned char c = (unsigned char)*z;
    const char *zEsc = NULL;
    char aU[8];
    if (c == '"')
      zEsc = "\\\"";
    else if (c == '\\')
      zEsc = "\\\\";
    else if (c == '\n')
      zEsc = "\\n";
    else if (c == '\r')
      zEsc = "\\r";
    else if (c == '\t')
      zEsc = "\\t";
    else if (c < 0x20) {
      snprintf(aU, sizeof(aU), "\\u%04x", c);
      zEsc = aU;
    }
    if (zEsc) {
      kg_buf_append(p, zStart, (size_t)(z - zStart));
      kg_buf_puts(p, zEsc);
      zStart = z + 1;
    }
  }
  return kg_buf_append(p, zStart, (size_t)(z - zStart));
}

enum kg_err kg_buf_html_escape(struct kg_buf *p, const char *z) {
  const char *zStart = z;
  for (; *z; z++) {
    const char *zEsc = NULL;
    switch (*z) {
    case '&':
      zEsc = "&amp;";
      break;
    case '<':
      zEsc = "&lt;";
      break;
    case '>':
      zEsc = "&gt;";
      break;
    case '"':
      zEsc = "&quot;";
      break;
    case '\'':
      zEsc = "&#39;";
      break;
    default:
      break;
    }
    if (zEsc) {
      kg_buf_append(p, zStart, (size_t)(z - zStart));
      kg_buf_puts(p, zEsc);
      zStart = z + 1;
    }
  }
  return kg_buf_append(p, zStart, (size_t)(z - zStart));
}

char *kg_buf_detach(struct kg_buf *p, size_t *pnOut) {
  char *a = p->a ? p->a : kg_xstrdup("");
  if (pnOut) *pnOut = p->n;
  p->a = NULL;
  p->n = p->cap = 0;
  return a;
}

void kg_buf_free(struct kg_buf *p) {
  free(p->a);
  p->a = NULL;
  p->n = p->cap = 0;
}

/* ---- logging ---- */

static enum kg_log_level g_logLevel = KG_LOG_INFO;
static int g_bLogJson;
/* the request being served by this thread (http sets and clears it) */
static _Thread_local char g_zReqId[65];

void kg_log_set_level(enum kg_log_level lvl) {
  g_logLevel = lvl;
}

void kg_log_set_json(int bJson) {
  g_bLogJson = bJson;
}

void kg_log_set_request_id(const char *zId) {
  if (!zId) {
    g_zReqId[0] = 0;
    return;
  }
  snprintf(g_zReqId, sizeof(g_zReqId), "%s", zId);
}

static int is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

/* A JSON number for n bytes of z: digits with an optional sign and fraction. */
static int is_number(const char *z, size_t n) {
  size_t i = z[0] == '-' ? 1 : 0, nDot = 0, nDigit = 0;
  if (n == 0 || n > 15 || (z[i] == '0' && i + 1 < n && z[i + 1] != '.')) return 0;
  for (; i < n; i++) {
    if (z[i] == '.')
      nDot++;
    else if (z[i] >= '0' && z[i] <= '9')
      nDigit++;
    else
      return 0;
  }
  return nDigit > 0 && nDot <= 1 && z[n - 1] != '.' && z[z[0] == '-'] != '.';
}

static void json_str(struct kg_buf *b, const char *z, size_t n) {
  char *zCopy = kg_xstrndup(z, n);
  kg_buf_puts(b, "\"");
  kg_buf_json_escape(b, zCopy);
  kg_buf_puts(b, "\"");
  free(zCopy);
}

/* The logfmt message zMsg as JSON members: key=value and key="value"
 * pairs become members (a number stays a number; a key already written
 * gets a trailing '_'), the other words together become "msg". */
static void log_json(struct kg_buf *pOut, const char *zTime, const char *zLevel, const char *zMsg) {
  struct kg_buf words, members, *b = &members;
  kg_buf_init(&words, 4096);
  kg_buf_init(&members, 4096);
  kg_buf_puts(b, " ");
  const char *z = zMsg;
  while (*z && !b->failed) {
    while (*z == ' ')
      z++;
    if (!*z) break;
    const char *zKey = z;
    while (is_key_char(*z))
      z++;
    if (z > zKey && *z == '=') {
      size_t nKey = (size_t)(z - zKey);
      const char *zVal = ++z;
      size_t nVal;
      int bQuoted = *z == '"';
      if (bQuoted) {
        zVal = ++z;
        while (*z && !(*z == '"' && (z[1] == ' ' || z[1] == 0)))
          z++;
        nVal = (size_t)(z - zVal);
        if (*z) z++;
      } else {
        while (*z && *z != ' ')
          z++;
        nVal = (size_t)(z - zVal);
      }
      char zKeyC[72];
      snprintf(zKeyC, sizeof(zKeyC), "\"%.*s\":", (int)(nKey > 64 ? 64 : nKey), zKey);
      /* time, level, msg, request_id and repeats keep apart */
      int bDup = strstr(b->a, zKeyC) != NULL || strcmp(zKeyC, "\"msg\":") == 0 ||
                 strcmp(zKeyC, "\"time\":") == 0 || strcmp(zKeyC, "\"level\":") == 0 ||
                 strcmp(zKeyC, "\"request_id\":") == 0;
      kg_buf_puts(b, ",\"");
      kg_buf_append(b, zKey, nKey > 64 ? 64 : nKey);
      kg_buf_puts(b, bDup ? "_\":" : "\":");
      if (!bQuoted && is_number(zVal, nVal))
        kg_buf_append(b, zVal, nVal);
      else
        json_str(b, zVal, nVal);
      continue;
    }
    /* a free word: up to the next space */
    z = zKey;
    while (*z && *z != ' ')
      z++;
    if (words.n) kg_buf_puts(&words, " ");
    kg_buf_append(&words, zKey, (size_t)(z - zKey));
  }
  kg_buf_printf(pOut, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", zTime, zLevel);
  json_str(pOut, words.a ? words.a : "", words.n);
  if (members.failed)
    kg_buf_puts(pOut, ",\"truncated\":true");
  else
    kg_buf_append(pOut, members.a + 1, members.n - 1);
  if (g_zReqId[0]) kg_buf_printf(pOut, ",\"request_id\":\"%s\"", g_zReqId);
  kg_buf_puts(pOut, "}\n");
  kg_buf_free(&words);
  kg_buf_free(&members);
}

void kg_log(enum kg_log_level lvl, const char *zFmt, ...) {
  static const char *azLevel[] = {"debug", "info", "warn", "error"};
  if (lvl < g_logLevel) return;
  /* formatted once a second per thread: gmtime_r takes glibc's time zone lock */
  static _Thread_local int64_t tLast = -1;
  static _Thread_local char zTime[21];
  int64_t t = kg_time_now();
  if (t != tLast) {
    kg_time_format(t, zTime);
    tLast = t;
  }
  char aMsg[1024];
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(aMsg, sizeof(aMsg), zFmt, ap);
  va_end(ap);
  /* one write(2) per line: lines of threads never interleave (a pipe
   * takes up to PIPE_BUF bytes at once), and no lock is held */
  char aLine[4096];
  int n;
  if (g_bLogJson) {
    struct kg_buf b;
    kg_buf_init(&b, sizeof(aLine) - 2);
    log_json(&b, zTime, azLevel[lvl], aMsg);
    n = snprintf(aLine, sizeof(aLine), "%s",
                 b.failed || !b.a ? "{\"msg\":\"log line too long\"}\n" : b.a);
    kg_buf_free(&b);
  } else if (g_zReqId[0]) {
    n = snprintf(aLine, sizeof(aLine), "time=%s level=%s %s request_id=%s\n", zTime, azLevel[lvl],
                 aMsg, g_zReqId);
  } else {
    n = snprintf(aLine, sizeof(aLine), "time=%s level=%s %s\n", zTime, azLevel[lvl], aMsg);
  }
  if (n < 0) return;
  if ((size_t)n >= sizeof(aLine)) {
    n = (int)sizeof(aLine) - 1;
    aLine[n - 1] = '\n';
  }
  for (const char *p = aLine; n > 0;) {
    ssize_t k = write(2, p, (size_t)n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    p += k;
    n -= (int)k;
  }
}

/* ---- time ---- */

int64_t kg_time_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec;
}

int64_t kg_time_mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kg_time_format(int64_t t, char zOut[21]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(zOut, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int read_digits(const char **pz, int n, int *pOut) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*pz)[i])) return 0;
    v = v * 10 + ((*pz)[i] - '0');
  }
  *pz += n;
  *pOut = v;
  return 1;
}

static int is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

enum kg_err kg_time_parse(const char *z, int64_t *pt) {
  static const int aDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, mo, d, h = 0, mi = 0, s = 0;
  if (!z) return KG_EINVAL;
  if (!read_digits(&z, 4, &y) || *z++ != '-' || !read_digits(&z, 2, &mo) || *z++ != '-' ||
      !read_digits(&z, 2, &d))
    return KG_EINVAL;
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1) return KG_EINVAL;
  if (d > aDays[mo - 1] + (mo == 2 && is_leap(y))) return KG_EINVAL;
  int64_t off = 0;
  if (*z) {
    if (*z != 'T' && *z != 't' && *z != ' ') return KG_EINVAL;
    z++;
    if (!read_digits(&z, 2, &h) || *z++ != ':' || !read_digits(&z, 2, &mi)) return KG_EINVAL;
    if (*z == ':') {
      z++;
      if (!read_digits(&z, 2, &s)) return KG_EINVAL;
      if (*z == '.') {
        z++;
        if (!isdigit((unsigned char)*z)) return KG_EINVAL;
        while (isdigit((unsigned char)*z))
          z++;
      }
    }
    if (h > 23 || mi > 59 || s > 60) return KG_EINVAL;
    if (*z == 'Z' || *z == 'z') {
      z++;
    } else if (*z == '+' || *z == '-') {
      int sign = *z == '-' ? -1 : 1, oh, om;
      z++;
      if (!read_digits(&z, 2, &oh) || *z++ != ':' || !read_digits(&z, 2, &om)) return KG_EINVAL;
      if (oh > 23 || om > 59) return KG_EINVAL;
      off = sign * (oh * 3600 + om * 60);
    } else {
      return KG_EINVAL;
    }
    if (*z) return KG_EINVAL;
  }
  *pt = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off;
  return KG_OK;
}

/* ---- text ---- */

void kg_hex_encode(const unsigned char *a, size_t n, char *zOut) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    zOut[2 * i] = hex[a[i] >> 4];
    zOut[2 * i + 1] = hex[a[i] & 15];
  }
  zOut[2 * n] = 0;
}

int kg_utf8_valid_text(const char *z, size_t n) {
  const unsigned char *s = (const unsigned char *)z;
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    if (c < 0x80) {
      if (c == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return 0;
      i++;
      continue;
    }
    size_t len;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return 0;
    }
    if (i + len > n) return 0;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return 0;
    i += len;
  }
  return 1;
}

size_t kg_utf8_len(const char *z) {
  size_t n = 0;
  for (; *z; z++)
    if (((unsigned char)*z & 0xc0) != 0x80) n++;
  return n;
}

unsigned kg_utf8_decode(const unsigned char *z, size_t *pn) {
  /* each continuation byte is checked before the next is read: a NUL
   * (not one) ends the sequence there */
  if ((z[0] & 0xE0) == 0xC0 && (z[1] & 0xC0) == 0x80) {
    *pn = 2;
    return ((unsigned)(z[0] & 0x1F) << 6) | (z[1] & 0x3F);
  }
  if ((z[0] & 0xF0) == 0xE0 && (z[1] & 0xC0) == 0x80 && (z[2] & 0xC0) == 0x80) {
    *pn = 3;
    return ((unsigned)(z[0] & 0x0F) << 12) | ((unsigned)(z[1] & 0x3F) << 6) | (z[2] & 0x3F);
  }
  if ((z[0] & 0xF8) == 0xF0 && (z[1] & 0xC0) == 0x80 && (z[2] & 0xC0) == 0x80 &&
      (z[3] & 0xC0) == 0x80) {
    *pn = 4;
    return ((unsigned)(z[0] & 0x07) << 18) | ((unsigned)(z[1] & 0x3F) << 12) |
           ((unsigned)(z[2] & 0x3F) << 6) | (z[3] & 0x3F);
  }
  *pn = 1; /* ASCII, or a stray byte taken as itself */
  return z[0];
}

size_t kg_utf8_encode(unsigned c, char *a) {
  if (c < 0x80) {
    a[0] = (char)c;
    return 1;
  }
  if (c < 0x800) {
    a[0] = (char)(0xC0 | (c >> 6));
    a[1] = (char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    a[0] = (char)(0xE0 | (c >> 12));
    a[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    a[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  a[0] = (char)(0xF0 | (c >> 18));
  a[1] = (char)(0x80 | ((c >> 12) & 0x3F));
  a[2] = (char)(0x80 | ((c >> 6) & 0x3F));
  a[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

int kg_cadastral_number_valid(const char *z) {
  static const int aMin[] = {2, 2, 6, 1}, aMax[] = {2, 2, 7, 10};
  for (int part = 0; part < 4; part++) {
    int n = 0;
    while (z[n] >= '0' && z[n] <= '9')
      n++;
    if (n < aMin[part] || n > aMax[part]) return 0;
    z += n;
    if (part < 3) {
      if (*z != ':') return 0;
      z++;
    }
  }
  return *z == 0;
}

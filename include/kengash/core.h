/* core.h: error codes, allocation, bounded buffers, logging and time helpers
 * shared by every layer. Nothing here knows about HTTP, SQL or geometry. */
#ifndef KENGASH_CORE_H
#define KENGASH_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Every fallible function returns one of these. The mapping to HTTP status
 * lives in exactly one place: kg_http_status_for_err() in http/. */
enum kg_err {
  KG_OK = 0,
  KG_EINVAL,     /* input is malformed or fails validation */
  KG_ENOTFOUND,  /* no such object */
  KG_ECONFLICT,  /* state conflict: duplicate, out-of-order transition */
  KG_EFORBIDDEN, /* authenticated but not allowed */
  KG_EUNAUTH,    /* not authenticated */
  KG_ETOOBIG,    /* a size from the user is over its limit */
  KG_EDB,        /* the database failed */
  KG_EIO,        /* file system or network failed */
  KG_ENOMEM,     /* a user-sized allocation failed */
  KG_EGONE,      /* existed once, no longer usable (used/expired token) */
  KG_ELIMIT,     /* rate limit hit */
  KG_EFULL,      /* the disk or the database cannot grow: nothing saved, try later */
  KG_EDOWN,      /* the database server cannot be reached (failover): nothing saved, try soon */
};

/* Short English name of an error code, for logs. Never NULL. */
const char *kg_err_name(enum kg_err err);

/* Allocation of small fixed-size objects: aborts on failure. */
void *kg_xmalloc(size_t n);
void *kg_xcalloc(size_t nmemb, size_t n);
void *kg_xrealloc(void *p, size_t n);
char *kg_xstrdup(const char *z);
char *kg_xstrndup(const char *z, size_t n);
/* printf into a new heap string (free with free()); aborts on OOM. */
char *kg_xasprintf(const char *zFmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer with a maximum size fixed at creation. A failed
 * append (over the maximum) frees the contents and marks the buffer failed:
 * later appends are no-ops and kg_buf_failed() is true. */
struct kg_buf {
  char *a;     /* contents, always NUL-terminated when n > 0 or cap > 0 */
  size_t n;    /* bytes used (without the NUL) */
  size_t cap;  /* bytes allocated */
  size_t nMax; /* maximum n */
  int failed;
};
void kg_buf_init(struct kg_buf *p, size_t nMax);
enum kg_err kg_buf_append(struct kg_buf *p, const void *pData, size_t n);
enum kg_err kg_buf_puts(struct kg_buf *p, const char *z);
/* Makes room for exactly nMore bytes more (and the NUL), so that a body
 * whose size is known roughly grows without a reallocation per doubling;
 * fails as an append of nMore would. */
enum kg_err kg_buf_reserve(struct kg_buf *p, size_t nMore);
/* Appends v in decimal (as printf's PRId64, without its cost). */
enum kg_err kg_buf_i64(struct kg_buf *p, int64_t v);
enum kg_err kg_buf_printf(struct kg_buf *p, const char *zFmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends z with JSON string escaping (without surrounding quotes). */
enum kg_err kg_buf_json_escape(struct kg_buf *p, const char *z);
/* Appends z with HTML escaping of & < > " '. */
enum kg_err kg_buf_html_escape(struct kg_buf *p, const char *z);
/* Hands the contents to the caller (free with free()) and resets the buffer. */
char *kg_buf_detach(struct kg_buf *p, size_t *pnOut /* OUT, may be NULL */);
void kg_buf_free(struct kg_buf *p);
static inline int kg_buf_failed(const struct kg_buf *p) {
  return p->failed;
}

/* Logging to stderr as one line of logfmt. Never pass personal data or
 * secrets: e-mails, names, addresses, passwords, tokens. */
enum kg_log_level { KG_LOG_DEBUG, KG_LOG_INFO, KG_LOG_WARN, KG_LOG_ERROR };
void kg_log_set_level(enum kg_log_level lvl);
/* Line format: 0 logfmt (the default), 1 one JSON object per line with the
 * same keys (the message's free words under "msg"). Set before threads start. */
void kg_log_set_json(int bJson);
/* This thread's request id, added to every line it logs as request_id
 * (NULL clears it). zId is copied (at most 64 bytes). */
void kg_log_set_request_id(const char *zId);
void kg_log(enum kg_log_level lvl, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
#define kg_log_info(...) kg_log(KG_LOG_INFO, __VA_ARGS__)
#define kg_log_warn(...) kg_log(KG_LOG_WARN, __VA_ARGS__)
#define kg_log_error(...) kg_log(KG_LOG_ERROR, __VA_ARGS__)
#define kg_log_debug(...) kg_log(KG_LOG_DEBUG, __VA_ARGS__)

/* Time: seconds since the epoch, UTC. */
int64_t kg_time_now(void);
/* Monotonic milliseconds, for durations. */
int64_t kg_time_mono_ms(void);
/* Formats t as RFC 3339 UTC ("2026-11-28T08:00:00Z") into a 21-byte buffer. */
void kg_time_format(int64_t t, char zOut[21]);
/* Parses RFC 3339 (date-time with Z or an offset, or a plain date
 * YYYY-MM-DD taken as 00:00Z). Returns KG_EINVAL when malformed. */
enum kg_err kg_time_parse(const char *z, int64_t *pt /* OUT */);

/* Lowercase hex of n bytes into zOut (2n+1 bytes). */
void kg_hex_encode(const unsigned char *a, size_t n, char *zOut);
/* 1 when z is valid UTF-8 with no NUL and no C0 control characters other than
 * tab, newline and carriage return; 0 otherwise. */
int kg_utf8_valid_text(const char *z, size_t n);
/* Number of Unicode code points in valid UTF-8 z. */
size_t kg_utf8_len(const char *z);
/* The code point of the UTF-8 sequence at z (NUL-terminated text); *pn
 * gets its length. A byte that starts no well-formed sequence is taken as
 * itself, with length 1, so a walk never reads past the NUL. */
unsigned kg_utf8_decode(const unsigned char *z, size_t *pn /* OUT */);
/* Writes code point c (at most U+10FFFF) as UTF-8 into a (4 bytes of
 * room); its length. */
size_t kg_utf8_encode(unsigned c, char *a);
/* 1 when z is a cadastral number NN:NN:NNNNNN(N):N... (district, area,
 * quarter of 6 or 7 digits, object number of 1 to 10 digits), digits only;
 * the one rule of the API and the rights register's import. */
int kg_cadastral_number_valid(const char *z);

#endif

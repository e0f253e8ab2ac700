/* mail.c: turning an outbox row into an RFC 5322 message — RFC 2047
 * encoded-words for non-ASCII header text, a base64 text/plain UTF-8 body
 * with CRLF line ends — and the retry schedule. No I/O here (sender.c does
 * the sending). */
#include "kengash/mail.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Raw bytes per encoded-word: 39 bytes are 52 base64 characters, so a word
 * "=?UTF-8?B?...?=" is at most 64 characters and a folded line stays under
 * the 76 that RFC 2047 asks for, even after "Subject: ". */
#define WORD_BYTES 39

int64_t kg_mail_backoff(int nAttempt, int nBaseSec) {
  int64_t v = nBaseSec < 1 ? 1 : nBaseSec;
  for (int i = 1; i < nAttempt && v < KG_MAIL_BACKOFF_CAP_SEC; i++)
    v *= 2;
  return v > KG_MAIL_BACKOFF_CAP_SEC ? KG_MAIL_BACKOFF_CAP_SEC : v;
}

/* 1 when z is printable ASCII (space included) only. */
static int printable_ascii(const char *z) {
  for (; *z; z++)
    if ((unsigned char)*z < 0x20 || (unsigned char)*z > 0x7e) return 0;
  return 1;
}

/* Length of the UTF-8 sequence that starts with byte c (1 for a stray
 * continuation byte; validity is checked before). */
static size_t utf8_seq_len(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

static enum kg_err append_base64(struct kg_buf *pOut, const unsigned char *a, size_t n) {
  char z[sodium_base64_ENCODED_LEN(WORD_BYTES * 2, sodium_base64_VARIANT_ORIGINAL)];
  if (n > WORD_BYTES * 2) return KG_EINVAL;
  sodium_bin2base64(z, sizeof(z), a, n, sodium_base64_VARIANT_ORIGINAL);
  return kg_buf_puts(pOut, z);
}

enum kg_err kg_mail_header_encode(struct kg_buf *pOut, const char *zText) {
  size_t n = strlen(zText);
  if (!kg_utf8_valid_text(zText, n)) return KG_EINVAL;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)zText[i] < 0x20 || zText[i] == 0x7f) return KG_EINVAL; /* CR, LF, TAB... */
  if (printable_ascii(zText) && !strstr(zText, "=?")) return kg_buf_puts(pOut, zText);
  size_t i = 0;
  int bFirst = 1;
  while (i < n) {
    /* take whole characters up to WORD_BYTES bytes */
    size_t k = i;
    while (k < n) {
      size_t nSeq = utf8_seq_len((unsigned char)zText[k]);
      if (k + nSeq - i > WORD_BYTES) break;
      k += nSeq;
    }
    if (!bFirst) kg_buf_puts(pOut, "\r\n ");
    kg_buf_puts(pOut, "=?UTF-8?B?");
    append_base64(pOut, (const unsigned char *)zText + i, k - i);
    kg_buf_puts(pOut, "?=");
    bFirst = 0;
    i = k;
  }
  return kg_buf_failed(pOut) ? KG_ETOOBIG : KG_OK;
}

enum kg_err kg_mail_addr_spec(const char *zFrom, char *zOut, size_t nOut) {
  const char *zStart = zFrom, *zEnd = zFrom + strlen(zFrom);
  const char *zLt = strrchr(zFrom, '<');
  if (nOut) zOut[0] = 0;
  if (zLt) {
    const char *zGt = strchr(zLt, '>');
    if (!zGt || zGt[1]) return KG_EINVAL;
    zStart = zLt + 1;
    zEnd = zGt;
  }
  size_t n = (size_t)(zEnd - zStart);
  if (n < 3 || n >= nOut) return KG_EINVAL;
  int nAt = 0;
  for (const char *z = zStart; z < zEnd; z++) {
    unsigned char c = (unsigned char)*z;
    if (c <= 0x20 || c >= 0x7f || strchr("<>()[]\\,;:\"", c)) return KG_EINVAL;
    if (c == '@') nAt++;
  }
  if (nAt != 1 || *zStart == '@' || zEnd[-1] == '@') return KG_EINVAL;
  memcpy(zOut, zStart, n);
  zOut[n] = 0;
  return KG_OK;
}

/* "Thu, 01 Jan 1970 00:00:00 +0000": fixed English names, whatever the locale. */
static void rfc5322_date(int64_t t, char zOut[40]) {
  static const char *const azDay[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *const azMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  snprintf(zOut, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", azDay[tm.tm_wday % 7], tm.tm_mday,
           azMon[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Appends the From field: the address as is, or an encoded display name
 * followed by <address>. */
static enum kg_err append_from(struct kg_buf *pOut, const char *zFrom) {
  char zAddr[256];
  enum kg_err rc = kg_mail_addr_spec(zFrom, zAddr, sizeof(zAddr));
  if (rc) return rc;
  const char *zLt = strrchr(zFrom, '<');
  if (!zLt) return kg_buf_puts(pOut, zAddr);
  size_t nName = (size_t)(zLt - zFrom);
  while (nName && zFrom[nName - 1] == ' ')
    nName--;
  if (nName == 0 || nName > 200) return kg_buf_printf(pOut, "<%s>", zAddr);
  char zName[201];
  memcpy(zName, zFrom, nName);
  zName[nName] = 0;
  /* an ASCII name is sent as a quoted string, so commas and dots are safe */
  if (printable_ascii(zName) && !strpbrk(zName, "\"\\") && !strstr(zName, "=?")) {
    kg_buf_printf(pOut, "\"%s\"", zName);
  } else if ((rc = kg_mail_header_encode(pOut, zName)) != KG_OK) {
    return rc;
  }
  return kg_buf_printf(pOut, " <%s>", zAddr);
}

/* Appends the body: line ends made CRLF, then base64 in lines of 76. */
static enum kg_err append_body(struct kg_buf *pOut, const char *zBody) {
  struct kg_buf crlf;
  enum kg_err rc = KG_OK;
  kg_buf_init(&crlf, 4 * 1024 * 1024);
  for (const char *z = zBody; *z; z++) {
    if (*z == '\r' && z[1] == '\n') continue; /* the \n below writes CRLF */
    if (*z == '\n' || *z == '\r')
      kg_buf_append(&crlf, "\r\n", 2);
    else
      kg_buf_append(&crlf, z, 1);
  }
  if (crlf.n >= 2 && memcmp(crlf.a + crlf.n - 2, "\r\n", 2) != 0) kg_buf_append(&crlf, "\r\n", 2);
  if (kg_buf_failed(&crlf)) {
    rc = KG_ETOOBIG;
    goto out;
  }
  /* 57 raw bytes are one line of 76 base64 characters */
  for (size_t i = 0; i < crlf.n; i += 57) {
    size_t k = crlf.n - i < 57 ? crlf.n - i : 57;
    char z[sodium_base64_ENCODED_LEN(57, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(z, sizeof(z), (const unsigned char *)crlf.a + i, k,
                      sodium_base64_VARIANT_ORIGINAL);
    kg_buf_puts(pOut, z);
    kg_buf_puts(pOut, "\r\n");
  }
out:
  kg_buf_free(&crlf);
  return rc;
}

enum kg_err kg_mail_format(const struct kg_mail_message *pMsg, struct kg_buf *pOut) {
  return kg_mail_format_unsub(pMsg, NULL, pOut);
}

enum kg_err kg_mail_format_unsub(const struct kg_mail_message *pMsg, const char *zListUnsubscribe,
                                 struct kg_buf *pOut) {
  return kg_mail_format_lang(pMsg, zListUnsubscribe, NULL, pOut);
}

enum kg_err kg_mail_format_lang(const struct kg_mail_message *pMsg, const char *zListUnsubscribe,
                                const char *zLanguage, struct kg_buf *pOut) {
  char zTo[256], zDate[40];
  enum kg_lang eLang;
  if (zLanguage && !kg_lang_from_tag(zLanguage, &eLang)) return KG_EINVAL;
  enum kg_err rc;
  /* the recipient must be a bare printable-ASCII address */
  if (strchr(pMsg->zTo, '<') || kg_mail_addr_spec(pMsg->zTo, zTo, sizeof(zTo)) != KG_OK ||
      strcmp(zTo, pMsg->zTo) != 0)
    return KG_EINVAL;
  if (!pMsg->zMessageId || !printable_ascii(pMsg->zMessageId) || strpbrk(pMsg->zMessageId, " <>"))
    return KG_EINVAL;
  if (!kg_utf8_valid_text(pMsg->zBody, strlen(pMsg->zBody))) return KG_EINVAL;
  rfc5322_date(pMsg->date, zDate);
  kg_buf_printf(pOut, "Date: %s\r\nMessage-ID: <%s>\r\nFrom: ", zDate, pMsg->zMessageId);
  if ((rc = append_from(pOut, pMsg->zFrom)) != KG_OK) return rc;
  kg_buf_printf(pOut, "\r\nTo: %s\r\nSubject: ", zTo);
  if ((rc = kg_mail_header_encode(pOut, pMsg->zSubject)) != KG_OK) return rc;
  if (zListUnsubscribe) {
    const char *zU = zListUnsubscribe;
    if (!printable_ascii(zU) || strpbrk(zU, " <>") || strlen(zU) > 900 ||
        (strncmp(zU, "https://", 8) != 0 && strncmp(zU, "http://", 7) != 0))
      return KG_EINVAL;
    kg_buf_printf(pOut,
                  "\r\nList-Unsubscribe: <%s>\r\n"
                  "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
                  zU);
  }
  if (zLanguage) kg_buf_printf(pOut, "\r\nContent-Language: %s", zLanguage);
  kg_buf_puts(pOut, "\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: base64\r\n"
                    "\r\n");
  if ((rc = append_body(pOut, pMsg->zBody)) != KG_OK) return rc;
  return kg_buf_failed(pOut) ? KG_ETOOBIG : KG_OK;
}

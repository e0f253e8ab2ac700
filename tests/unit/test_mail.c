/* test_mail.c: unit tests for src/mail/ (RFC 2047 header encoding, RFC 5322
 * message formatting, the retry schedule). The outbox the messages wait in
 * is src/store/outbox.c's: tests/unit/test_store_outbox.c. Prints one line
 * per test and "N passed, M failed". */
#define _GNU_SOURCE
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kengash/mail.h"

#include "test.h"

/* ---- helpers ---- */

/* Decodes one "=?UTF-8?B?...?=" word at z (length n) and appends the bytes
 * to pOut; 0 when it is not such a word. */
static int decode_word(const char *z, size_t n, struct kg_buf *pOut) {
  static const char zPre[] = "=?UTF-8?B?";
  if (n < sizeof(zPre) + 1 || memcmp(z, zPre, sizeof(zPre) - 1) != 0 ||
      memcmp(z + n - 2, "?=", 2) != 0)
    return 0;
  unsigned char a[256];
  size_t nBin = 0;
  if (sodium_base642bin(a, sizeof(a), z + sizeof(zPre) - 1, n - sizeof(zPre) + 1 - 2, NULL, &nBin,
                        NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
    return 0;
  kg_buf_append(pOut, a, nBin);
  return 1;
}

/* Decodes an encoded header value (words separated by CRLF SP) into a new
 * string (free()); NULL when malformed. Checks every line is short. */
static char *decode_header(const char *z) {
  struct kg_buf out;
  kg_buf_init(&out, 4096);
  while (*z) {
    const char *zEnd = strstr(z, "\r\n ");
    size_t n = zEnd ? (size_t)(zEnd - z) : strlen(z);
    if (n > 64 || !decode_word(z, n, &out)) {
      kg_buf_free(&out);
      return NULL;
    }
    z += n + (zEnd ? 3 : 0);
  }
  kg_buf_append(&out, "", 0);
  return kg_buf_detach(&out, NULL);
}

static char *encode(const char *zText, enum kg_err *pRc) {
  struct kg_buf b;
  kg_buf_init(&b, 64 * 1024);
  *pRc = kg_mail_header_encode(&b, zText);
  kg_buf_append(&b, "", 0);
  return kg_buf_detach(&b, NULL);
}

/* ---- header encoding ---- */

static void ascii_subject_is_left_as_is(void) {
  enum kg_err rc;
  char *z = encode("Password reset", &rc);
  CHECK(rc == KG_OK);
  CHECK(strcmp(z, "Password reset") == 0);
  free(z);
}

static void cyrillic_subject_is_b_encoded_and_decodes_back(void) {
  const char *zText = "Восстановление пароля на портале общественных обсуждений";
  enum kg_err rc;
  char *z = encode(zText, &rc);
  CHECK(rc == KG_OK);
  CHECK(strncmp(z, "=?UTF-8?B?", 10) == 0);
  CHECK(strstr(z, "\r\n ") != NULL); /* long: folded into several words */
  for (const char *c = z; *c; c++)
    CHECK((unsigned char)*c < 0x80); /* only ASCII on the wire */
  char *zBack = decode_header(z);
  CHECK(zBack && strcmp(zBack, zText) == 0);
  free(zBack);
  free(z);
}

static void encoded_words_split_only_between_characters(void) {
  /* 4-byte and 2-byte characters mixed so that a byte split would show */
  const char *zText = "a😀бв😀гд😀еж😀зи😀йк😀лм😀нопрстуфхцчшщ😀ыьэюя";
  enum kg_err rc;
  char *z = encode(zText, &rc);
  CHECK(rc == KG_OK);
  /* each word must decode to valid UTF-8 on its own */
  const char *c = z;
  while (*c) {
    const char *zEnd = strstr(c, "\r\n ");
    size_t n = zEnd ? (size_t)(zEnd - c) : strlen(c);
    struct kg_buf w;
    kg_buf_init(&w, 256);
    CHECK(decode_word(c, n, &w));
    CHECK(w.n > 0 && kg_utf8_valid_text(w.a, w.n));
    kg_buf_free(&w);
    c += n + (zEnd ? 3 : 0);
  }
  char *zBack = decode_header(z);
  CHECK(zBack && strcmp(zBack, zText) == 0);
  free(zBack);
  free(z);
}

static void ascii_that_looks_encoded_is_encoded(void) {
  enum kg_err rc;
  char *z = encode("=?UTF-8?B?abc?=", &rc);
  CHECK(rc == KG_OK);
  char *zBack = decode_header(z);
  CHECK(zBack && strcmp(zBack, "=?UTF-8?B?abc?=") == 0);
  free(zBack);
  free(z);
}

static void header_injection_and_bad_utf8_are_refused(void) {
  enum kg_err rc;
  free(encode("Hello\r\nBcc: victim@example.org", &rc));
  CHECK(rc == KG_EINVAL);
  free(encode("Привет\nBcc: x@y.z", &rc));
  CHECK(rc == KG_EINVAL);
  free(encode("tab\there", &rc));
  CHECK(rc == KG_EINVAL);
  free(encode("\xd0", &rc)); /* truncated UTF-8 */
  CHECK(rc == KG_EINVAL);
  free(encode("\xc0\xaf", &rc)); /* overlong */
  CHECK(rc == KG_EINVAL);
}

/* ---- addresses ---- */

static void addr_spec_of_from_values(void) {
  char z[256];
  CHECK(kg_mail_addr_spec("noreply@kengash.local", z, sizeof(z)) == KG_OK);
  CHECK(strcmp(z, "noreply@kengash.local") == 0);
  CHECK(kg_mail_addr_spec("Кенгаш <noreply@kazan.example>", z, sizeof(z)) == KG_OK);
  CHECK(strcmp(z, "noreply@kazan.example") == 0);
  CHECK(kg_mail_addr_spec("a b@c.d", z, sizeof(z)) == KG_EINVAL);
  CHECK(kg_mail_addr_spec("nobody", z, sizeof(z)) == KG_EINVAL);
  CHECK(kg_mail_addr_spec("x <a@b.c", z, sizeof(z)) == KG_EINVAL);
  CHECK(kg_mail_addr_spec("x <a@b.c> trailing", z, sizeof(z)) == KG_EINVAL);
  CHECK(kg_mail_addr_spec("a@@b.c", z, sizeof(z)) == KG_EINVAL);
  CHECK(kg_mail_addr_spec("a@b.c\r\nBcc: x@y.z", z, sizeof(z)) == KG_EINVAL);
  CHECK(kg_mail_addr_spec("пользователь@пример.рф", z, sizeof(z)) == KG_EINVAL);
  CHECK(kg_mail_addr_spec("a@b.c", z, 4) == KG_EINVAL); /* does not fit */
}

/* ---- message formatting ---- */

/* The value of header zName in the header block of zMsg (unfolded not
 * needed for the simple ones), copied into zOut. */
static int header_value(const char *zMsg, const char *zName, char *zOut, size_t nOut) {
  size_t nName = strlen(zName);
  const char *zEndHdr = strstr(zMsg, "\r\n\r\n");
  for (const char *z = zMsg; z && z < zEndHdr; z = strstr(z, "\r\n"), z = z ? z + 2 : NULL) {
    if (strncmp(z, zName, nName) == 0 && z[nName] == ':' && z[nName + 1] == ' ') {
      const char *zV = z + nName + 2;
      const char *zE = strstr(zV, "\r\n");
      while (zE && zE[2] == ' ') /* folded */
        zE = strstr(zE + 2, "\r\n");
      size_t n = (size_t)(zE - zV);
      if (n >= nOut) return 0;
      memcpy(zOut, zV, n);
      zOut[n] = 0;
      return 1;
    }
  }
  return 0;
}

static void message_has_the_headers_and_a_base64_crlf_body(void) {
  const char *zBody = "Здравствуйте!\n\nСсылка: http://127.0.0.1/reset.html#token=abc\n"
                      ".a line that starts with a dot\nконец";
  struct kg_mail_message m = {"Кенгаш <noreply@kazan.example>",
                              "citizen@example.org",
                              "Восстановление пароля",
                              zBody,
                              1700000000,
                              "kengash.7.1700000000@kazan.example"};
  struct kg_buf b;
  kg_buf_init(&b, 1 << 20);
  CHECK(kg_mail_format(&m, &b) == KG_OK);
  kg_buf_append(&b, "", 0);
  const char *z = b.a;
  char zV[512];
  /* CRLF only, ASCII only, short lines */
  size_t nLine = 0;
  for (size_t i = 0; z[i]; i++) {
    CHECK((unsigned char)z[i] < 0x80);
    if (z[i] == '\n') {
      CHECK(i > 0 && z[i - 1] == '\r');
      CHECK(nLine <= 78);
      nLine = 0;
    } else {
      nLine++;
    }
  }
  CHECK(header_value(z, "Date", zV, sizeof(zV)) &&
        strcmp(zV, "Tue, 14 Nov 2023 22:13:20 +0000") == 0);
  CHECK(header_value(z, "Message-ID", zV, sizeof(zV)) &&
        strcmp(zV, "<kengash.7.1700000000@kazan.example>") == 0);
  CHECK(header_value(z, "To", zV, sizeof(zV)) && strcmp(zV, "citizen@example.org") == 0);
  CHECK(header_value(z, "MIME-Version", zV, sizeof(zV)) && strcmp(zV, "1.0") == 0);
  CHECK(header_value(z, "Content-Type", zV, sizeof(zV)) &&
        strcmp(zV, "text/plain; charset=utf-8") == 0);
  CHECK(header_value(z, "Content-Transfer-Encoding", zV, sizeof(zV)) && strcmp(zV, "base64") == 0);
  CHECK(header_value(z, "Subject", zV, sizeof(zV)));
  char *zSubj = decode_header(zV);
  CHECK(zSubj && strcmp(zSubj, "Восстановление пароля") == 0);
  free(zSubj);
  CHECK(header_value(z, "From", zV, sizeof(zV)));
  CHECK(strstr(zV, " <noreply@kazan.example>") != NULL);
  char *zLt = strstr(zV, " <");
  if (zLt) {
    *zLt = 0;
    char *zName = decode_header(zV);
    CHECK(zName && strcmp(zName, "Кенгаш") == 0);
    free(zName);
  }
  /* the body: base64 lines of at most 76 that decode to the text with CRLF */
  const char *zB = strstr(z, "\r\n\r\n");
  CHECK(zB != NULL);
  if (zB) {
    zB += 4;
    struct kg_buf b64;
    kg_buf_init(&b64, 1 << 20);
    for (const char *c = zB; *c; c++)
      if (*c != '\r' && *c != '\n') kg_buf_append(&b64, c, 1);
    kg_buf_append(&b64, "", 0);
    unsigned char a[4096];
    size_t n = 0;
    CHECK(sodium_base642bin(a, sizeof(a), b64.a, b64.n, NULL, &n, NULL,
                            sodium_base64_VARIANT_ORIGINAL) == 0);
    const char *zWant = "Здравствуйте!\r\n\r\nСсылка: http://127.0.0.1/reset.html#token=abc\r\n"
                        ".a line that starts with a dot\r\nконец\r\n";
    CHECK(n == strlen(zWant) && memcmp(a, zWant, n) == 0);
    kg_buf_free(&b64);
  }
  kg_buf_free(&b);
}

static void plain_from_and_ascii_name_are_kept(void) {
  struct kg_mail_message m = {"noreply@kengash.local", "a@b.example", "Hi", "x\n", 0,
                              "id@kengash.local"};
  struct kg_buf b;
  char zV[256];
  kg_buf_init(&b, 1 << 16);
  CHECK(kg_mail_format(&m, &b) == KG_OK);
  kg_buf_append(&b, "", 0);
  CHECK(header_value(b.a, "From", zV, sizeof(zV)) && strcmp(zV, "noreply@kengash.local") == 0);
  CHECK(header_value(b.a, "Date", zV, sizeof(zV)) &&
        strcmp(zV, "Thu, 01 Jan 1970 00:00:00 +0000") == 0);
  kg_buf_free(&b);
  m.zFrom = "City Hall, Kazan <noreply@kengash.local>";
  kg_buf_init(&b, 1 << 16);
  CHECK(kg_mail_format(&m, &b) == KG_OK);
  kg_buf_append(&b, "", 0);
  CHECK(header_value(b.a, "From", zV, sizeof(zV)) &&
        strcmp(zV, "\"City Hall, Kazan\" <noreply@kengash.local>") == 0);
  kg_buf_free(&b);
}

/* RFC 8058: the pair of headers for a one-click URL; anything that could
 * break out of the header or is not http(s) is refused (notify.c). */
static void list_unsubscribe_headers_and_bad_urls(void) {
  struct kg_mail_message m = {"noreply@kengash.local", "a@b.c", "Hi", "x", 0, "id@x"};
  struct kg_buf b;
  kg_buf_init(&b, 1 << 16);
  CHECK(kg_mail_format_unsub(&m, "https://k.example/unsubscribe/abc_-1", &b) == KG_OK);
  kg_buf_puts(&b, "");
  CHECK(strstr(b.a, "\r\nList-Unsubscribe: <https://k.example/unsubscribe/abc_-1>\r\n"
                    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n") != NULL);
  kg_buf_free(&b);
  kg_buf_init(&b, 1 << 16);
  CHECK(kg_mail_format(&m, &b) == KG_OK); /* without: no such header */
  kg_buf_puts(&b, "");
  CHECK(strstr(b.a, "List-Unsubscribe") == NULL);
  kg_buf_free(&b);
  const char *azBad[] = {"https://k.example/u\r\nBcc: x@y.z",
                         "https://k.example/u v",
                         "https://k.example/u>",
                         "mailto:u@k.example",
                         "ftp://k.example/u",
                         "https://k.example/\xd1\x8f"};
  for (size_t i = 0; i < sizeof(azBad) / sizeof(azBad[0]); i++) {
    kg_buf_init(&b, 1 << 16);
    CHECK(kg_mail_format_unsub(&m, azBad[i], &b) == KG_EINVAL);
    kg_buf_free(&b);
  }
}

static void malformed_recipients_and_fields_are_refused(void) {
  const char *azBadTo[] = {"a@b.c\r\nBcc: x@y.z", "Name <a@b.c>", "пользователь@пример.рф",
                           "no-at-sign", "a@b.c, d@e.f"};
  for (size_t i = 0; i < sizeof(azBadTo) / sizeof(azBadTo[0]); i++) {
    struct kg_mail_message m = {"noreply@kengash.local", azBadTo[i], "Hi", "x", 0, "id@x"};
    struct kg_buf b;
    kg_buf_init(&b, 1 << 16);
    CHECK(kg_mail_format(&m, &b) == KG_EINVAL);
    kg_buf_free(&b);
  }
  struct kg_mail_message m = {"noreply@kengash.local", "a@b.c", "Hi\r\nBcc: x@y.z", "x", 0, "id@x"};
  struct kg_buf b;
  kg_buf_init(&b, 1 << 16);
  CHECK(kg_mail_format(&m, &b) == KG_EINVAL);
  kg_buf_free(&b);
  m.zSubject = "Hi";
  m.zMessageId = "id@x>\r\nBcc: <x@y.z";
  kg_buf_init(&b, 1 << 16);
  CHECK(kg_mail_format(&m, &b) == KG_EINVAL);
  kg_buf_free(&b);
}

/* ---- retry schedule ---- */

static void backoff_doubles_and_is_capped_at_an_hour(void) {
  CHECK(kg_mail_backoff(1, 5) == 5);
  CHECK(kg_mail_backoff(2, 5) == 10);
  CHECK(kg_mail_backoff(3, 5) == 20);
  CHECK(kg_mail_backoff(10, 5) == 2560);
  CHECK(kg_mail_backoff(11, 5) == KG_MAIL_BACKOFF_CAP_SEC);
  CHECK(kg_mail_backoff(KG_MAIL_MAX_ATTEMPTS, 5) == KG_MAIL_BACKOFF_CAP_SEC);
  CHECK(kg_mail_backoff(1000000, 5) == KG_MAIL_BACKOFF_CAP_SEC);
  CHECK(kg_mail_backoff(1, 0) == 1);
  CHECK(kg_mail_backoff(1, 7200) == KG_MAIL_BACKOFF_CAP_SEC);
}

int main(void) {
  harness_begin();
  RUN(ascii_subject_is_left_as_is);
  RUN(cyrillic_subject_is_b_encoded_and_decodes_back);
  RUN(encoded_words_split_only_between_characters);
  RUN(ascii_that_looks_encoded_is_encoded);
  RUN(header_injection_and_bad_utf8_are_refused);
  RUN(addr_spec_of_from_values);
  RUN(message_has_the_headers_and_a_base64_crlf_body);
  RUN(plain_from_and_ascii_name_are_kept);
  RUN(malformed_recipients_and_fields_are_refused);
  RUN(list_unsubscribe_headers_and_bad_urls);
  RUN(backoff_doubles_and_is_capped_at_an_hour);
  return harness_end();
}

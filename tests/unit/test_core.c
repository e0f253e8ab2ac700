/* test_core.c: unit tests for core/ — bounded buffers, escaping, time
 * parsing, UTF-8 checks, configuration precedence and log lines (logfmt,
 * JSON, request ids). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "kengash/config.h"
#include "kengash/core.h"

#include "test.h"

static void buffer_refuses_growth_past_its_maximum(void) {
  struct kg_buf b;
  kg_buf_init(&b, 10);
  CHECK(kg_buf_puts(&b, "12345") == KG_OK);
  CHECK(kg_buf_puts(&b, "67890") == KG_OK);
  CHECK(b.n == 10 && strcmp(b.a, "1234567890") == 0);
  CHECK(kg_buf_puts(&b, "x") == KG_ETOOBIG);
  CHECK(kg_buf_failed(&b) && b.a == NULL);
  CHECK(kg_buf_puts(&b, "") == KG_ETOOBIG); /* stays failed */
  kg_buf_free(&b);
}

static void buffer_printf_handles_long_output(void) {
  struct kg_buf b;
  kg_buf_init(&b, 1 << 20);
  char zLong[1000];
  memset(zLong, 'a', sizeof(zLong) - 1);
  zLong[sizeof(zLong) - 1] = 0;
  CHECK(kg_buf_printf(&b, "<%s|%d>", zLong, 42) == KG_OK);
  CHECK(b.n == 999 + 5);
  CHECK(strcmp(b.a + b.n - 4, "|42>") == 0);
  kg_buf_free(&b);
}

static void buffer_integers_and_reserve_match_printf(void) {
  static const int64_t av[] = {0, 7, -1, 10, 1234567890123, INT64_MAX, INT64_MIN};
  struct kg_buf b;
  char z[32];
  for (size_t i = 0; i < sizeof(av) / sizeof(av[0]); i++) {
    kg_buf_init(&b, 64);
    CHECK(kg_buf_i64(&b, av[i]) == KG_OK);
    snprintf(z, sizeof(z), "%" PRId64, av[i]);
    CHECK(strcmp(b.a, z) == 0);
    kg_buf_free(&b);
  }
  kg_buf_init(&b, 100);
  CHECK(kg_buf_reserve(&b, 80) == KG_OK && b.cap == 81 && b.n == 0); /* exactly */
  char *a = b.a;
  CHECK(kg_buf_puts(&b, "0123456789") == KG_OK && b.a == a); /* no reallocation */
  CHECK(kg_buf_reserve(&b, 91) == KG_ETOOBIG && kg_buf_failed(&b));
  kg_buf_free(&b);
  kg_buf_init(&b, 3);
  CHECK(kg_buf_i64(&b, 1234) == KG_ETOOBIG); /* the maximum holds */
  kg_buf_free(&b);
}

static void escaping_json_and_html(void) {
  struct kg_buf b;
  kg_buf_init(&b, 1000);
  kg_buf_json_escape(&b, "a\"b\\c\n\x01д");
  CHECK(strcmp(b.a, "a\\\"b\\\\c\\n\\u0001д") == 0);
  kg_buf_free(&b);
  kg_buf_init(&b, 1000);
  kg_buf_html_escape(&b, "<a href='x'>&\"</a>");
  CHECK(strcmp(b.a, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;") == 0);
  kg_buf_free(&b);
}

static void time_parses_rfc3339_and_offsets(void) {
  int64_t t;
  CHECK(kg_time_parse("1970-01-01T00:00:00Z", &t) == KG_OK && t == 0);
  CHECK(kg_time_parse("2026-11-28T08:00:00Z", &t) == KG_OK && t == 1795852800);
  CHECK(kg_time_parse("2026-11-28T11:00:00+03:00", &t) == KG_OK && t == 1795852800);
  CHECK(kg_time_parse("2026-11-28T08:00:00.123Z", &t) == KG_OK && t == 1795852800);
  CHECK(kg_time_parse("2026-11-28", &t) == KG_OK && t == 1795824000);
  CHECK(kg_time_parse("2024-02-29T00:00:00Z", &t) == KG_OK);
  char z[21];
  kg_time_format(1795852800, z);
  CHECK(strcmp(z, "2026-11-28T08:00:00Z") == 0);
}

static void time_refuses_malformed_dates(void) {
  int64_t t;
  const char *az[] = {"",
                      "2026",
                      "2026-13-01",
                      "2026-02-30",
                      "2025-02-29T00:00:00Z",
                      "2026-11-28T25:00:00Z",
                      "2026-11-28T08:00:00",
                      "2026-11-28T08:00:00+3",
                      "2026-11-28T08:00:00Zjunk",
                      "x026-11-28",
                      "1969-12-31T23:59:59Z"};
  for (size_t i = 0; i < sizeof(az) / sizeof(az[0]); i++) {
    if (kg_time_parse(az[i], &t) != KG_EINVAL) {
      FAIL("accepted '%s'", az[i]);
      return;
    }
  }
}

static void utf8_validation(void) {
  CHECK(kg_utf8_valid_text("Казань, ул. Баумана", strlen("Казань, ул. Баумана")));
  CHECK(kg_utf8_valid_text("tab\tnewline\n", 12));
  CHECK(!kg_utf8_valid_text("\xc3\x28", 2));     /* bad continuation */
  CHECK(!kg_utf8_valid_text("\xe0\x80\xaf", 3)); /* overlong */
  CHECK(!kg_utf8_valid_text("\xed\xa0\x80", 3)); /* surrogate */
  CHECK(!kg_utf8_valid_text("a\x01", 2));        /* control */
  CHECK(!kg_utf8_valid_text("a\0b", 3));         /* NUL */
  CHECK(kg_utf8_len("Казань") == 6);
}

/* decode and encode agree on 1- to 4-byte characters; a stray byte is
 * itself and a sequence cut by the NUL ends there */
static void utf8_decode_and_encode(void) {
  static const char *az[] = {"a", "ё", "Ә", "€", "\xf0\x9f\x8c\xb3"};
  for (size_t i = 0; i < sizeof(az) / sizeof(az[0]); i++) {
    size_t n = 0;
    char a[4];
    unsigned c = kg_utf8_decode((const unsigned char *)az[i], &n);
    CHECK(n == strlen(az[i]) && kg_utf8_encode(c, a) == n && memcmp(a, az[i], n) == 0);
  }
  size_t n = 0;
  CHECK(kg_utf8_decode((const unsigned char *)"ё", &n) == 0x451 && n == 2);
  CHECK(kg_utf8_decode((const unsigned char *)"\xc3(", &n) == 0xC3 && n == 1);
  CHECK(kg_utf8_decode((const unsigned char *)"\xe2\x82", &n) == 0xE2 && n == 1);
}

static void config_flags_beat_environment_beat_file(void) {
  static const struct kg_option aOpt[] = {
      {"config", ""}, {"db", ""}, {"listen", ""}, {"tick", ""}, {"email", ""}};
  char *zFile = test_path("config");
  FILE *f = fopen(zFile, "w");
  REQUIRE(f != NULL);
  fputs("# comment\ndb = from-file.sqlite\nlisten = 127.0.0.1:1\ntick=7\nunknown = ignored\n", f);
  fclose(f);
  setenv("KENGASH_LISTEN", "127.0.0.1:2", 1);
  setenv("KENGASH_TICK", "9", 1);
  char *argv[] = {"serve", "--config", zFile, "--tick", "11", "--email=a@b.c", "pos", NULL};
  struct kg_config cfg;
  char zErr[200];
  char **azPos;
  int nPos;
  enum kg_err rc = kg_config_load(&cfg, 7, argv, aOpt, 5, &azPos, &nPos, zErr, sizeof(zErr));
  unlink(zFile);
  unsetenv("KENGASH_LISTEN");
  unsetenv("KENGASH_TICK");
  REQUIRE(rc == KG_OK);
  CHECK(strcmp(cfg.zDb, "from-file.sqlite") == 0);
  CHECK(strcmp(cfg.zListen, "127.0.0.1:2") == 0);
  CHECK(cfg.nTickSec == 11);
  CHECK(strcmp(kg_config_get(&cfg, "email"), "a@b.c") == 0);
  CHECK(nPos == 1 && strcmp(azPos[0], "pos") == 0);
  kg_config_free(&cfg);
  free(zFile);
}

/* Loads argv (NULL-terminated) with aOpt; *pCfg to free. */
static enum kg_err load_argv(struct kg_config *pCfg, char **argv, const struct kg_option *aOpt,
                             size_t nOpt) {
  int argc = 0;
  while (argv[argc])
    argc++;
  char zErr[200];
  return kg_config_load(pCfg, argc, argv, aOpt, nOpt, NULL, NULL, zErr, sizeof(zErr));
}

static void config_keeps_every_value_of_a_repeatable_option(void) {
  static const struct kg_option aOpt[] = {{"config", ""}, {"db-replica", ""}, {"email", ""}};
  char *argv[] = {"serve",   "--db-replica", "host=a", "--email", "x@y.z", "--db-replica=host=b",
                  "--email", "w@y.z",        NULL};
  struct kg_config cfg;
  REQUIRE(load_argv(&cfg, argv, aOpt, 3) == KG_OK);
  const char *az[4];
  CHECK(kg_config_get_all(&cfg, "db-replica", az, 4) == 2);
  CHECK(strcmp(az[0], "host=a") == 0 && strcmp(az[1], "host=b") == 0);
  CHECK(kg_config_get_all(&cfg, "db-replica", az, 1) == 1); /* at most nMax */
  /* any other option: the last value given wins */
  CHECK(kg_config_get_all(&cfg, "email", az, 4) == 1 && strcmp(az[0], "w@y.z") == 0);
  CHECK(kg_config_get_all(&cfg, "nothing", az, 4) == 0);
  kg_config_free(&cfg);
}

/* A repeatable option's values come from the highest source that gives
 * it, as a single-valued option's value does: the file's are replaced by
 * the environment's, both by the flags'. */
static void config_takes_a_repeatable_option_from_one_source(void) {
  static const struct kg_option aOpt[] = {{"config", ""}, {"db-replica", ""}, {"email", ""}};
  char *zFile = test_path("config-replicas");
  FILE *f = fopen(zFile, "w");
  REQUIRE(f != NULL);
  fputs("db-replica = host=f1\nemail = f@y.z\ndb-replica = host=f2\n", f);
  fclose(f);
  char *argvFile[] = {"serve", "--config", zFile, NULL};
  char *argvFlags[] = {"serve", "--config", zFile, "--db-replica", "host=a", NULL};
  const char *az[4];
  struct kg_config cfg;
  REQUIRE(load_argv(&cfg, argvFile, aOpt, 3) == KG_OK);
  CHECK(kg_config_get_all(&cfg, "db-replica", az, 4) == 2);
  CHECK(strcmp(az[0], "host=f1") == 0 && strcmp(az[1], "host=f2") == 0);
  kg_config_free(&cfg);
  setenv("KENGASH_DB_REPLICA", "host=env", 1);
  REQUIRE(load_argv(&cfg, argvFile, aOpt, 3) == KG_OK);
  CHECK(kg_config_get_all(&cfg, "db-replica", az, 4) == 1 && strcmp(az[0], "host=env") == 0);
  CHECK(strcmp(kg_config_get(&cfg, "email"), "f@y.z") == 0); /* the file's others stay */
  kg_config_free(&cfg);
  REQUIRE(load_argv(&cfg, argvFlags, aOpt, 3) == KG_OK);
  CHECK(kg_config_get_all(&cfg, "db-replica", az, 4) == 1 && strcmp(az[0], "host=a") == 0);
  kg_config_free(&cfg);
  unsetenv("KENGASH_DB_REPLICA");
  unlink(zFile);
  free(zFile);
}

static void config_refuses_unknown_and_bad_values(void) {
  static const struct kg_option aOpt[] = {{"config", ""}, {"tick", ""}};
  struct kg_config cfg;
  char zErr[200];
  char *argv1[] = {"serve", "--nope", "1", NULL};
  CHECK(kg_config_load(&cfg, 3, argv1, aOpt, 2, NULL, NULL, zErr, sizeof(zErr)) == KG_EINVAL);
  CHECK(strstr(zErr, "--nope") != NULL);
  kg_config_free(&cfg);
  char *argv2[] = {"serve", "--tick", "abc", NULL};
  CHECK(kg_config_load(&cfg, 3, argv2, aOpt, 2, NULL, NULL, zErr, sizeof(zErr)) == KG_EINVAL);
  CHECK(strstr(zErr, "--tick") != NULL);
  kg_config_free(&cfg);
  char *argv3[] = {"serve", "--tick", NULL};
  CHECK(kg_config_load(&cfg, 2, argv3, aOpt, 2, NULL, NULL, zErr, sizeof(zErr)) == KG_EINVAL);
  kg_config_free(&cfg);
}

/* Runs xLog with standard error sent to a temporary file; its text into
 * zOut (at most nOut bytes). */
static void capture_log(void (*xLog)(void), char *zOut, size_t nOut) {
  char *zPath = test_path("log.txt");
  int fd = open(zPath, O_RDWR | O_CREAT | O_TRUNC, 0600), fdSaved = dup(2);
  unlink(zPath);
  free(zPath);
  dup2(fd, 2);
  xLog();
  dup2(fdSaved, 2);
  close(fdSaved);
  ssize_t n = pread(fd, zOut, nOut - 1, 0);
  zOut[n > 0 ? n : 0] = 0;
  close(fd);
}

static void log_sample(void) {
  kg_log_set_request_id("req-1");
  kg_log_info("request method=%s route=%s status=%d ms=%.3f", "GET", "/api/v1/x/{id}", 404, 1.5);
  kg_log_set_request_id(NULL);
  kg_log_warn("mhd msg=\"%s\" a=-7 b=007 c=1.5.2 (free words)", "bad \\ thing");
}

static void log_lines_carry_the_request_id_in_both_formats(void) {
  char z[4096];
  kg_log_set_level(KG_LOG_INFO); /* the harness keeps the log to errors */
  capture_log(log_sample, z, sizeof(z));
  CHECK(strstr(z, " level=info request method=GET route=/api/v1/x/{id} status=404 ms=1.500 "
                  "request_id=req-1\n") != NULL);
  CHECK(strstr(z, "level=warn mhd msg=") != NULL && strstr(z, "request_id=req-1\ntime=") != NULL);
  CHECK(strstr(strstr(z, "level=warn"), "request_id") == NULL); /* cleared */
  kg_log_set_json(1);
  capture_log(log_sample, z, sizeof(z));
  kg_log_set_json(0);
  CHECK(strstr(z, "\"level\":\"info\",\"msg\":\"request\",\"method\":\"GET\","
                  "\"route\":\"/api/v1/x/{id}\",\"status\":404,\"ms\":1.500,"
                  "\"request_id\":\"req-1\"}\n") != NULL);
  /* a key the line already has keeps apart; numbers only when they are numbers */
  CHECK(strstr(z, "\"msg\":\"mhd (free words)\",\"msg_\":\"bad \\\\ thing\",\"a\":-7,"
                  "\"b\":\"007\",\"c\":\"1.5.2\"}\n") != NULL);
  kg_log_set_level(KG_LOG_ERROR);
}

int main(void) {
  harness_begin();
  RUN(log_lines_carry_the_request_id_in_both_formats);
  RUN(buffer_refuses_growth_past_its_maximum);
  RUN(buffer_printf_handles_long_output);
  RUN(buffer_integers_and_reserve_match_printf);
  RUN(escaping_json_and_html);
  RUN(time_parses_rfc3339_and_offsets);
  RUN(time_refuses_malformed_dates);
  RUN(utf8_validation);
  RUN(utf8_decode_and_encode);
  RUN(config_flags_beat_environment_beat_file);
  RUN(config_keeps_every_value_of_a_repeatable_option);
  RUN(config_takes_a_repeatable_option_from_one_source);
  RUN(config_refuses_unknown_and_bad_values);
  return harness_end();
}

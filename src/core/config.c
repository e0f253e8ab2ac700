/* config.c: configuration from defaults, a config file, KENGASH_* environment
 * variables and command-line flags, in that order of rising priority. */
#define _GNU_SOURCE
#include "kengash/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_VALUE 4096

static const struct kg_option *find_opt(const struct kg_option *aOpt, size_t nOpt,
                                        const char *zName, size_t nName) {
  for (size_t i = 0; i < nOpt; i++)
    if (strlen(aOpt[i].zName) == nName && memcmp(aOpt[i].zName, zName, nName) == 0) return &aOpt[i];
  return NULL;
}

/* Options given more than once are kept each time (kg_config_get_all). */
static int is_repeatable(const char *zName) {
  return strcmp(zName, "db-replica") == 0;
}

/* Where a value came from, in rising priority (aGiven[].iSrc). */
enum { SRC_FILE = 1, SRC_ENV, SRC_FLAG };

/* Records zName=zValue from source iSrc. A single-valued option keeps its
 * last value. A repeatable one keeps every value of the highest source
 * that gives it: its first value there drops those of lower sources. */
static enum kg_err set_given(struct kg_config *p, int iSrc, const char *zName, const char *zValue,
                             char *zErr, size_t nErr) {
  if (strlen(zValue) > MAX_VALUE) {
    snprintf(zErr, nErr, "value of --%s is too long", zName);
    return KG_ETOOBIG;
  }
  int bRepeat = is_repeatable(zName), n = 0;
  for (int i = 0; i < p->nGiven; i++) {
    int bSame = strcmp(p->aGiven[i].zName, zName) == 0;
    if (bSame && !bRepeat) {
      free(p->aGiven[i].zValue);
      p->aGiven[i].zValue = kg_xstrdup(zValue);
      p->aGiven[i].iSrc = iSrc;
      return KG_OK;
    }
    if (bSame && p->aGiven[i].iSrc < iSrc) { /* a lower source's: dropped */
      free(p->aGiven[i].zName);
      free(p->aGiven[i].zValue);
      continue;
    }
    p->aGiven[n++] = p->aGiven[i];
  }
  p->nGiven = n;
  if (p->nGiven >= (int)(sizeof(p->aGiven) / sizeof(p->aGiven[0]))) {
    snprintf(zErr, nErr, "too many options");
    return KG_ETOOBIG;
  }
  p->aGiven[p->nGiven].zName = kg_xstrdup(zName);
  p->aGiven[p->nGiven].zValue = kg_xstrdup(zValue);
  p->aGiven[p->nGiven].iSrc = iSrc;
  p->nGiven++;
  return KG_OK;
}

const char *kg_config_get(const struct kg_config *p, const char *zName) {
  for (int i = 0; i < p->nGiven; i++)
    if (strcmp(p->aGiven[i].zName, zName) == 0) return p->aGiven[i].zValue;
  return NULL;
}

int kg_config_get_all(const struct kg_config *p, const char *zName, const char **az, int nMax) {
  int n = 0;
  for (int i = 0; i < p->nGiven && n < nMax; i++)
    if (strcmp(p->aGiven[i].zName, zName) == 0) az[n++] = p->aGiven[i].zValue;
  return n;
}

static char *trim(char *z) {
  while (isspace((unsigned char)*z))
    z++;
  size_t n = strlen(z);
  while (n && isspace((unsigned char)z[n - 1]))
    z[--n] = 0;
  return z;
}

static enum kg_err load_file(struct kg_config *p, const char *zPath, const struct kg_option *aOpt,
                             size_t nOpt, char *zErr, size_t nErr) {
  FILE *f = fopen(zPath, "r");
  if (!f) {
    snprintf(zErr, nErr, "cannot read config file %s: %s", zPath, strerror(errno));
    return KG_EIO;
  }
  char aLine[MAX_VALUE + 128];
  int nLine = 0;
  enum kg_err rc = KG_OK;
  while (fgets(aLine, sizeof(aLine), f)) {
    nLine++;
    char *z = trim(aLine);
    if (!*z || *z == '#' || *z == ';') continue;
    char *zEq = strchr(z, '=');
    if (!zEq) {
      snprintf(zErr, nErr, "%s:%d: expected key = value", zPath, nLine);
      rc = KG_EINVAL;
      break;
    }
    *zEq = 0;
    char *zKey = trim(z), *zVal = trim(zEq + 1);
    if (!find_opt(aOpt, nOpt, zKey, strlen(zKey))) {
      /* A shared config file may hold keys for other subcommands. */
      continue;
    }
    if ((rc = set_given(p, SRC_FILE, zKey, zVal, zErr, nErr)) != KG_OK) break;
  }
  fclose(f);
  return rc;
}

static int parse_int(const char *z, long long lo, long long hi, long long *pOut) {
  char *zEnd;
  errno = 0;
  long long v = strtoll(z, &zEnd, 10);
  if (errno || zEnd == z || *zEnd || v < lo || v > hi) return 0;
  *pOut = v;
  return 1;
}

static char *given_or(const struct kg_config *p, const char *zName, const char *zDefault) {
  const char *z = kg_config_get(p, zName);
  return kg_xstrdup(z ? z : zDefault);
}

/* Step 2 of kg_config_load: KENGASH_<NAME> variables, '-' as '_'. */
static enum kg_err load_env(struct kg_config *p, const struct kg_option *aOpt, size_t nOpt,
                            char *zErr, size_t nErr) {
  enum kg_err rc = KG_OK;
  for (size_t i = 0; i < nOpt; i++) {
    char zEnv[80] = "KENGASH_";
    size_t k = 8;
    for (const char *z = aOpt[i].zName; *z && k < sizeof(zEnv) - 1; z++)
      zEnv[k++] = *z == '-' ? '_' : (char)toupper((unsigned char)*z);
    zEnv[k] = 0;
    const char *zVal = getenv(zEnv);
    if (zVal && strcmp(aOpt[i].zName, "config") != 0 &&
        (rc = set_given(p, SRC_ENV, aOpt[i].zName, zVal, zErr, nErr)) != KG_OK)
      return rc;
  }
  return KG_OK;
}

/* Step 3 of kg_config_load: --name value and --name=value flags; the
 * positional arguments are compacted to the front of argv, their number
 * into *pnPos. */
static enum kg_err load_flags(struct kg_config *p, int argc, char **argv,
                              const struct kg_option *aOpt, size_t nOpt, int *pnPos /* OUT */,
                              char *zErr, size_t nErr) {
  enum kg_err rc = KG_OK;
  int nPos = 0;
  for (int i = 1; i < argc; i++) {
    const char *z = argv[i];
    if (strncmp(z, "--", 2) != 0 || strcmp(z, "--") == 0) {
      if (strcmp(z, "--") == 0) {
        for (i++; i < argc; i++)
          argv[nPos++] = argv[i];
        break;
      }
      argv[nPos++] = argv[i]; /* positional: compacted to the front */
      continue;
    }
    z += 2;
    const char *zEq = strchr(z, '=');
    size_t nName = zEq ? (size_t)(zEq - z) : strlen(z);
    const struct kg_option *pOpt = find_opt(aOpt, nOpt, z, nName);
    if (!pOpt) {
      snprintf(zErr, nErr, "unknown option --%.*s (see --help)", (int)nName, z);
      return KG_EINVAL;
    }
    const char *zVal = zEq ? zEq + 1 : NULL;
    if (!zVal) {
      if (i + 1 >= argc) {
        snprintf(zErr, nErr, "option --%s needs a value", pOpt->zName);
        return KG_EINVAL;
      }
      zVal = argv[++i];
    }
    if ((rc = set_given(p, SRC_FLAG, pOpt->zName, zVal, zErr, nErr)) != KG_OK) return rc;
  }
  *pnPos = nPos;
  return KG_OK;
}

/* The integer options: name, range, default, field. */
static const struct {
  const char *zName;
  long long lo, hi, def;
  size_t off;
  int b64;
} aInt[] = {
    {"threads", 1, 256, 0, offsetof(struct kg_config, nThreads), 0},
    {"tick", 1, 86400, 30, offsetof(struct kg_config, nTickSec), 0},
    {"max-upload", 1024, 4LL << 30, 50LL << 20, offsetof(struct kg_config, nMaxUpload), 1},
    {"session-hours", 1, 24 * 365, 336, offsetof(struct kg_config, nSessionHours), 0},
    {"timeout", 1, 3600, 30, offsetof(struct kg_config, nTimeoutSec), 0},
    {"per-ip", 0, 100000, 64, offsetof(struct kg_config, nPerIp), 0},
    {"header-timeout", 1, 3600, 10, offsetof(struct kg_config, nHeaderTimeoutSec), 0},
    /* -1: not given, the --per-ip value */
    {"per-prefix", 0, 100000, -1, offsetof(struct kg_config, nPerPrefix), 0},
    {"max-header-conns", 0, 100000, 1024, offsetof(struct kg_config, nMaxHeaderConns), 0},
    {"reset-ttl", 1, 7 * 86400, 3600, offsetof(struct kg_config, nResetTtlSec), 0},
    {"mail-retry", 1, 3600, 5, offsetof(struct kg_config, nMailRetrySec), 0},
    {"login-window", 1, 86400, 900, offsetof(struct kg_config, nLoginWindowSec), 0},
    {"login-lock", 1, 86400, 300, offsetof(struct kg_config, nLoginLockSec), 0},
    {"signup-limit", 0, 1000000, 20, offsetof(struct kg_config, nSignupLimit), 0},
    {"support-limit", 0, 1000000, 10, offsetof(struct kg_config, nSupportLimit), 0},
    {"alerts-limit", 0, 1000000, 10, offsetof(struct kg_config, nAlertsLimit), 0},
    {"mail-rate", 0, 100000, 0, offsetof(struct kg_config, nMailRate), 0},
    {"appeal-days", 0, 365, 3, offsetof(struct kg_config, nAppealDays), 0},
};

/* The typed fields from the options given, with their defaults. */
static enum kg_err set_typed(struct kg_config *p, char *zErr, size_t nErr) {
  long nCpu = sysconf(_SC_NPROCESSORS_ONLN);
  p->zListen = given_or(p, "listen", "127.0.0.1:8080");
  p->zDb = given_or(p, "db", "kengash.sqlite");
  p->zFiles = given_or(p, "files", "files");
  p->zWeb = given_or(p, "web", "web");
  p->zSmtp = given_or(p, "smtp", "");
  p->zMailFrom = given_or(p, "mail-from", "noreply@kengash.local");
  p->zSupportEmail = given_or(p, "support-email", "");
  p->zBaseUrl = given_or(p, "base-url", "http://127.0.0.1:8080");
  p->zGeodata = given_or(p, "geodata", "geodata");
  p->zLogLevel = given_or(p, "log-level", "info");
  p->bSecureCookie = strncmp(p->zBaseUrl, "https://", 8) == 0;
  for (size_t i = 0; i < sizeof(aInt) / sizeof(aInt[0]); i++) {
    long long v = aInt[i].def;
    const char *z = kg_config_get(p, aInt[i].zName);
    if (z && !parse_int(z, aInt[i].lo, aInt[i].hi, &v)) {
      snprintf(zErr, nErr, "--%s must be an integer from %lld to %lld", aInt[i].zName, aInt[i].lo,
               aInt[i].hi);
      return KG_EINVAL;
    }
    if (aInt[i].b64)
      *(int64_t *)(void *)((char *)p + aInt[i].off) = (int64_t)v;
    else
      *(int *)(void *)((char *)p + aInt[i].off) = (int)v;
  }
  /* Two per core: a worker never waits for a commit (deferred replies),
   * only for the CPU and page reads; one per core let the group-commit
   * writer's turns delay whole threads (POST p99 x3 on 2 cores). */
  if (p->nThreads == 0) p->nThreads = nCpu > 2 ? 2 * (int)nCpu : 4;
  return KG_OK;
}

enum kg_err kg_config_load(struct kg_config *p, int argc, char **argv, const struct kg_option *aOpt,
                           size_t nOpt, char ***pazPos, int *pnPos, char *zErr, size_t nErr) {
  memset(p, 0, sizeof(*p));
  enum kg_err rc = KG_OK;
  /* 1. the config file: --config on the command line or KENGASH_CONFIG */
  const char *zConfig = getenv("KENGASH_CONFIG");
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
      zConfig = argv[i + 1];
    else if (strncmp(argv[i], "--config=", 9) == 0)
      zConfig = argv[i] + 9;
  }
  if (zConfig && (rc = load_file(p, zConfig, aOpt, nOpt, zErr, nErr)) != KG_OK) return rc;
  /* 2. the environment, 3. flags */
  int nPos = 0;
  if ((rc = load_env(p, aOpt, nOpt, zErr, nErr)) != KG_OK ||
      (rc = load_flags(p, argc, argv, aOpt, nOpt, &nPos, zErr, nErr)) != KG_OK)
    return rc;
  if (pazPos) *pazPos = argv;
  if (pnPos) *pnPos = nPos;
  return set_typed(p, zErr, nErr);
}

void kg_config_free(struct kg_config *p) {
  free(p->zListen);
  free(p->zDb);
  free(p->zFiles);
  free(p->zWeb);
  free(p->zSmtp);
  free(p->zMailFrom);
  free(p->zSupportEmail);
  free(p->zBaseUrl);
  free(p->zGeodata);
  free(p->zLogLevel);
  for (int i = 0; i < p->nGiven; i++) {
    free(p->aGiven[i].zName);
    free(p->aGiven[i].zValue);
  }
  memset(p, 0, sizeof(*p));
}

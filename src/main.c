/* main.c: the kengash command line — serve, demo, user add, import, backup.
 * Each subcommand reads its options from flags, KENGASH_* variables and a
 * config file (see config.h) and answers --help. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kengash/api.h"
#include "kengash/auth.h"
#include "kengash/cli.h"
#include "kengash/config.h"
#include "kengash/core.h"
#include "kengash/http.h"
#include "kengash/mail.h"
#include "kengash/alerts.h"
#include "kengash/store.h"
#ifdef KG_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

/* Tells systemd (Type=notify, contrib/kengash.service) about the service's
 * state; a no-op when built without libsystemd or not run by systemd. */
static void notify_systemd(const char *zState) {
#ifdef KG_HAVE_SYSTEMD
  sd_notify(0, zState);
#else
  (void)zState;
#endif
}

#define OPT_COMMON                                                                                 \
  {"config", "read options from FILE (lines: key = value)"},                                       \
      {"log-level", "debug | info | warn | error (info)"},                                         \
      {"log-format", "logfmt | json: one logfmt line or one JSON object per line (logfmt)"}, {     \
    "db", "the database file (kengash.sqlite)"                                                     \
  }

static const struct kg_option aServeOpt[] = {
    OPT_COMMON,
    {"listen", "address and port to listen on (127.0.0.1:8080)"},
    {"files", "directory for uploaded documents (files)"},
    {"web", "directory of the static front end (web)"},
    {"smtp", "SMTP server for outgoing mail, smtp://host:port (none)"},
    {"mail-from", "sender address of outgoing mail"},
    {"support-email", "address that gets the support form's messages (none: stored only)"},
    {"base-url", "public URL of the site, used in links and cookies (http://127.0.0.1:8080)"},
    {"threads", "HTTP worker threads (number of cores, at least 2)"},
    {"tick", "seconds between checks of scheduled stage changes (30)"},
    {"max-upload", "largest document upload in bytes (52428800)"},
    {"session-hours", "session lifetime in hours (336)"},
    {"timeout", "idle connection timeout in seconds (30)"},
    {"per-ip", "concurrent connections allowed per client IP, 0 = no limit (64)"},
    {"header-timeout", "seconds a client has to send the whole request head (10)"},
    {"per-prefix", "concurrent connections per IPv4 address or IPv6 /64, 0 = no limit (--per-ip)"},
    {"max-header-conns", "connections still sending their request head; the longest waiting "
                         "one is closed for a newcomer, 0 = no cap (1024)"},
    {"reset-ttl", "lifetime of password reset links in seconds (3600)"},
    {"mail-retry", "seconds before the first retry of a failed e-mail, doubling up to 1 h (5)"},
    {"public-parcels", "publish the cadastral parcels as open data (OGC API): yes | no (no)"},
    {"oidc-issuer",
     "OpenID Connect provider (state portal) to sign in with, its issuer URL (none)"},
    {"oidc-client-id", "client id registered with the provider"},
    {"oidc-client-secret", "client secret (prefer --oidc-client-secret-file)"},
    {"oidc-client-secret-file", "file whose first line is the client secret"},
    {"oidc-label", "text of the sign-in button (Войти через Госуслуги)"},
    {"oidc-scopes", "scopes asked for (openid profile email address)"},
    {"oidc-address-id-claim", "claim with the address register's id of the residence (none)"},
    {"oidc-holder-id-claim", "claim with the person's holder identifier, SNILS or INN (none)"},
    {"holder-key-file",
     "key of the holder identifiers' hashes, made when missing (<db>.holder-key)"},
    {"tiles", "base map tile server, an XYZ URL with {z}, {x} and {y} (none)"},
    {"tiles-attribution", "the base map's attribution, shown on every map (none)"},
    {"tiles-max-zoom", "highest zoom level the tile server has (19)"},
    {"tiles-mbtiles", "serve the base map from this MBTiles file at /tiles/ (none)"},
    {"metrics-listen", "serve GET /metrics (Prometheus) on this address only, e.g. "
                       "127.0.0.1:9108 (none)"},
    {"metrics-token", "serve GET /metrics on --listen too, to Authorization: Bearer TOKEN (none)"},
    {"access-log", "one log line per request (route, status, ms, request_id): yes | no (yes)"},
    {"signup-limit", "sign-ups per client address (IPv6: per /64) per hour, 0 = no limit (20)"},
    {"support-limit", "support messages per client address per hour, 0 = no limit (10)"},
    {"alerts-limit", "area alert subscriptions per client address per hour, 0 = no limit (10)"},
    {"mail-rate", "most e-mails sent per second, 0 = as fast as the SMTP server takes (0)"},
    {"appeal-days", "days an author may appeal a rejected proposal, 0 = no appeals (3)"},
    {"privacy-policy", "text file of the personal-data policy shown at /privacy.html (none)"},
    /* hidden (no help line): login throttling, shortened by tests */
    {"login-window", NULL},
    {"login-lock", NULL},
    /* hidden: caps the database at N pages (PRAGMA max_page_count), for
     * the full-disk tests */
    {"max-db-pages", NULL},
};

static const struct kg_option aDemoOpt[] = {
    OPT_COMMON,
    {"geodata", "directory with the demo geodata (geodata)"},
    {"files", "directory for the demo documents (files)"},
};

static const struct kg_option aUserOpt[] = {
    OPT_COMMON,
    {"email", "e-mail address of the account"},
    {"role", "citizen | moderator | admin"},
    {"name", "full name (defaults to the e-mail's local part)"},
};

static const struct kg_option aImportOpt[] = {
    OPT_COMMON,
    {"layer", "addresses | parcels | territories | rights"},
    {"crs", "CRS of the file's coordinates: EPSG code or PROJ string (EPSG:4326)"},
    {"holder-key-file", "rights: key of the holder identifiers' hashes (<db>.holder-key)"},
};

static const struct kg_option aBackupOpt[] = {
    OPT_COMMON,
    {"to", "file to write the copy to (must not exist)"},
};

static const struct kg_option aRestoreOpt[] = {
    OPT_COMMON,
    {"from", "the backup copy of the database"},
    {"files", "directory the restored server keeps documents in (files)"},
    {"from-files", "the backed-up documents directory to copy them from (none: check --files)"},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void print_help(const char *zUsage, const char *zAbout, const struct kg_option *aOpt,
                       size_t nOpt) {
  printf("usage: kengash %s\n\n%s\n\noptions (each also from KENGASH_<NAME> or the config file):\n",
         zUsage, zAbout);
  for (size_t i = 0; i < nOpt; i++)
    if (aOpt[i].zHelp) printf("  --%-14s %s\n", aOpt[i].zName, aOpt[i].zHelp);
  printf("  --%-14s %s\n", "help", "show this help");
}

static int wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
  return 0;
}

static int load_config(struct kg_config *pCfg, int argc, char **argv, const struct kg_option *aOpt,
                       size_t nOpt, char ***pazPos, int *pnPos) {
  char zErr[256];
  if (kg_config_load(pCfg, argc, argv, aOpt, nOpt, pazPos, pnPos, zErr, sizeof(zErr)) != KG_OK) {
    fprintf(stderr, "kengash: %s\n", zErr);
    kg_config_free(pCfg);
    return 0;
  }
  static const char *azLevel[] = {"debug", "info", "warn", "error"};
  for (int i = 0; i < 4; i++)
    if (strcmp(pCfg->zLogLevel, azLevel[i]) == 0) kg_log_set_level((enum kg_log_level)i);
  const char *zFormat = kg_config_get(pCfg, "log-format");
  if (zFormat && strcmp(zFormat, "logfmt") != 0 && strcmp(zFormat, "json") != 0) {
    fprintf(stderr, "kengash: --log-format must be logfmt or json\n");
    kg_config_free(pCfg);
    return 0;
  }
  kg_log_set_json(zFormat && strcmp(zFormat, "json") == 0);
  return 1;
}

/* Opens and migrates the database; exits the process with a message on failure. */
static struct kg_store *open_db(const char *zDb) {
  struct kg_store *pStore = NULL;
  int nVersion = 0;
  if (kg_store_open(zDb, &pStore) != KG_OK) {
    fprintf(stderr, "kengash: cannot open the database %s\n", zDb);
    return NULL;
  }
  if (kg_store_migrate(pStore, &nVersion) != KG_OK) {
    fprintf(stderr, "kengash: cannot migrate the database %s\n", zDb);
    kg_store_close(pStore);
    return NULL;
  }
  return pStore;
}

static int mkdir_p(const char *zDir) {
  char z[1024];
  if (strlen(zDir) >= sizeof(z)) return 0;
  strcpy(z, zDir);
  for (char *p = z + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(z, 0750) != 0 && errno != EEXIST) return 0;
    *p = '/';
  }
  return mkdir(z, 0750) == 0 || errno == EEXIST;
}

/* ---- serve ---- */

/* "" (no support address), or an address the SMTP envelope can carry. */
static int support_email_ok(const char *z) {
  for (const char *p = z; *p; p++)
    if ((unsigned char)*p >= 0x80) return 0;
  return !*z || kg_auth_email_valid(z);
}

/* The key of holder identifiers' hashes into aKey: --holder-key-file, or
 * "<db>.holder-key", made (0600, random) when missing. 0 with a message on
 * stderr when the file is refused (readable by others, wrong length). */
static int holder_key(const struct kg_config *pCfg, const char *zCmd,
                      unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES]) {
  const char *zGiven = kg_config_get(pCfg, "holder-key-file");
  char *zPath = zGiven && *zGiven ? kg_xstrdup(zGiven) : kg_auth_holder_key_default_path(pCfg->zDb);
  char zErr[1024];
  int bCreated = 0;
  enum kg_err rc = kg_auth_holder_key_load(zPath, aKey, &bCreated, zErr, sizeof(zErr));
  if (rc != KG_OK)
    fprintf(stderr, "kengash %s: %s\n", zCmd, zErr);
  else if (bCreated)
    kg_log_info("holder key created path=\"%s\" (back it up apart from the database)", zPath);
  free(zPath);
  return rc == KG_OK;
}

/* 0 with a message when the rights register was loaded with a key other
 * than aKey: every sign-in would then match nobody, silently. */
static int holder_key_matches(struct kg_store *pStore, const unsigned char *aKey) {
  struct kg_rights_info info;
  unsigned char aCheck[KG_AUTH_HOLDER_HASH_BYTES];
  enum kg_err rc = kg_store_rights_info(pStore, &info);
  if (rc == KG_ENOTFOUND) return 1;
  if (rc != KG_OK) {
    fprintf(stderr, "kengash serve: cannot read the rights register\n");
    return 0;
  }
  kg_auth_holder_key_check(aKey, aCheck);
  if (memcmp(aCheck, info.aKeyCheck, sizeof(aCheck)) == 0) return 1;
  fprintf(stderr, "kengash serve: the rights register was loaded with another holder key; give "
                  "--holder-key-file the key it was loaded with, or load the register again "
                  "(kengash import --layer rights) with this one\n");
  return 0;
}

/* The relying party for --oidc-issuer into *ppOut (NULL when not set up).
 * 0 with a message on stderr when the options are incomplete or wrong. */
static int oidc_setup(const struct kg_config *pCfg, struct kg_oidc **ppOut) {
  *ppOut = NULL;
  const char *zIssuer = kg_config_get(pCfg, "oidc-issuer");
  if (!zIssuer || !*zIssuer) return 1;
  const char *zSecret = kg_config_get(pCfg, "oidc-client-secret");
  const char *zFile = kg_config_get(pCfg, "oidc-client-secret-file");
  char *zLine = NULL;
  size_t nLine = 0;
  if (zFile && *zFile) {
    FILE *f = fopen(zFile, "r");
    ssize_t n = f ? getline(&zLine, &nLine, f) : -1;
    if (f) fclose(f);
    if (n <= 0) {
      fprintf(stderr, "kengash serve: cannot read the client secret from %s\n", zFile);
      free(zLine);
      return 0;
    }
    while (n > 0 && (zLine[n - 1] == '\n' || zLine[n - 1] == '\r'))
      zLine[--n] = 0;
    zSecret = zLine;
  }
  char *zRedirect = kg_xasprintf("%s/auth/oidc/callback", pCfg->zBaseUrl);
  const char *zScopes = kg_config_get(pCfg, "oidc-scopes");
  struct kg_oidc_config oc = {
      .zIssuer = zIssuer,
      .zClientId = kg_config_get(pCfg, "oidc-client-id"),
      .zClientSecret = zSecret,
      .zRedirectUri = zRedirect,
      .zScopes = zScopes && *zScopes ? zScopes : "openid profile email address",
      .zAddressIdClaim = kg_config_get(pCfg, "oidc-address-id-claim"),
      .zHolderIdClaim = kg_config_get(pCfg, "oidc-holder-id-claim"),
      .nTimeoutSec = 10,
  };
  char zErr[200];
  enum kg_err rc = kg_oidc_new(&oc, ppOut, zErr, sizeof(zErr));
  if (zLine) {
    kg_auth_memzero(zLine, nLine);
    free(zLine);
  }
  free(zRedirect);
  if (rc != KG_OK) {
    fprintf(stderr, "kengash serve: %s\n", zErr);
    return 0;
  }
  return 1;
}

/* The base map: --tiles (a tile server's URL) or --tiles-mbtiles (a file
 * served at /tiles/) into pApp (*ppTiles owns the open file), and the tile
 * server's origin for the pages' img-src into zOrigin ("" when none). 0
 * with a message on stderr when the options are wrong or the file cannot
 * be served. */
static int tiles_setup(const struct kg_config *pCfg, struct kg_app *pApp, struct kg_tiles **ppTiles,
                       char *zOrigin, size_t nOrigin) {
  const char *zUrl = kg_config_get(pCfg, "tiles");
  const char *zFile = kg_config_get(pCfg, "tiles-mbtiles");
  const char *zAttr = kg_config_get(pCfg, "tiles-attribution");
  const char *zMax = kg_config_get(pCfg, "tiles-max-zoom");
  zOrigin[0] = 0;
  *ppTiles = NULL;
  if (zUrl && !*zUrl) zUrl = NULL;
  if (zFile && !*zFile) zFile = NULL;
  if (zUrl && zFile) {
    fprintf(stderr, "kengash serve: give --tiles or --tiles-mbtiles, not both\n");
    return 0;
  }
  if (zAttr && (strlen(zAttr) > 500 || !kg_utf8_valid_text(zAttr, strlen(zAttr)))) {
    fprintf(stderr, "kengash serve: --tiles-attribution must be one line of at most 500 bytes\n");
    return 0;
  }
  pApp->zTilesAttribution = zAttr && *zAttr ? zAttr : NULL;
  pApp->nTilesMaxZoom = 19;
  if (zMax && *zMax) {
    char *zEnd;
    long v = strtol(zMax, &zEnd, 10);
    if (!zUrl || *zEnd || v < 0 || v > 30) {
      fprintf(stderr, zUrl ? "kengash serve: --tiles-max-zoom must be from 0 to 30\n"
                           : "kengash serve: --tiles-max-zoom goes with --tiles (an MBTiles "
                             "file has its own zoom levels)\n");
      return 0;
    }
    pApp->nTilesMaxZoom = (int)v;
  }
  if (zFile) {
    char zErr[600];
    if (kg_tiles_open(zFile, ppTiles, zErr, sizeof(zErr)) != KG_OK) {
      fprintf(stderr, "kengash serve: %s\n", zErr);
      return 0;
    }
    const struct kg_tiles_info *pInfo = kg_tiles_info(*ppTiles);
    pApp->pTiles = *ppTiles;
    kg_log_info("base map from MBTiles format=%s minzoom=%d maxzoom=%d", pInfo->zFormat,
                pInfo->nMinZoom, pInfo->nMaxZoom);
    return 1;
  }
  if (!zUrl) return 1;
  /* http(s)://host[:port]/path with {z} {x} {y}; nothing that could widen
   * the CSP's img-src or break out of an attribute */
  size_t nScheme = strncmp(zUrl, "https://", 8) == 0 ? 8 : strncmp(zUrl, "http://", 7) == 0 ? 7 : 0;
  const char *zPath = nScheme ? strchr(zUrl + nScheme, '/') : NULL;
  int bOk = nScheme && zPath && zPath > zUrl + nScheme && strlen(zUrl) <= 500 &&
            strstr(zUrl, "{z}") && strstr(zUrl, "{x}") && strstr(zUrl, "{y}");
  for (const char *p = zUrl; bOk && *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c <= ' ' || c >= 0x7f || strchr("\"'<>\\;,`*", c)) bOk = 0;
    if (c == '{' && strncmp(p, "{z}", 3) && strncmp(p, "{x}", 3) && strncmp(p, "{y}", 3)) bOk = 0;
  }
  for (const char *p = zUrl + nScheme; bOk && p < zPath; p++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]", *p)) bOk = 0;
  if (!bOk || (size_t)(zPath - zUrl) >= nOrigin) {
    fprintf(stderr, "kengash serve: --tiles must be an http(s) URL with {z}, {x} and {y}, e.g. "
                    "https://tile.openstreetmap.org/{z}/{x}/{y}.png (no {s}: one host)\n");
    return 0;
  }
  snprintf(zOrigin, nOrigin, "%.*s", (int)(zPath - zUrl), zUrl);
  pApp->zTilesUrl = zUrl;
  if (!pApp->zTilesAttribution)
    kg_log_warn("--tiles without --tiles-attribution: most tile servers require one");
  return 1;
}

static int cmd_serve(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    print_help("serve [options]",
               "Migrates the database if needed and serves the site and the API.\n"
               "SIGTERM or SIGINT drain in-flight requests and exit 0.",
               aServeOpt, N(aServeOpt));
    return 0;
  }
  struct kg_config cfg;
  int nPos = 0;
  if (!load_config(&cfg, argc, argv, aServeOpt, N(aServeOpt), NULL, &nPos)) return 2;
  if (nPos) {
    fprintf(stderr, "kengash serve: unexpected argument %s\n", argv[0]);
    kg_config_free(&cfg);
    return 2;
  }
  if (!support_email_ok(cfg.zSupportEmail)) {
    fprintf(stderr, "kengash serve: --support-email must be an e-mail address in ASCII\n");
    kg_config_free(&cfg);
    return 2;
  }
  int rc = 1;
  struct kg_store *pStore = NULL;
  struct kg_http_server *pSrv = NULL;
  struct kg_http_server *pMetricsSrv = NULL; /* --metrics-listen */
  struct kg_oidc *pOidc = NULL;
  struct kg_tiles *pTiles = NULL;
  char zTileOrigin[512];
  char *zTmp = NULL;
  unsigned char aHolderKey[KG_AUTH_HOLDER_KEY_BYTES] = {0};
  kg_auth_init();
  if (!mkdir_p(cfg.zFiles)) {
    fprintf(stderr, "kengash: cannot create the files directory %s\n", cfg.zFiles);
    goto out;
  }
  zTmp = kg_xasprintf("%s/tmp", cfg.zFiles);
  if (!mkdir_p(zTmp)) {
    fprintf(stderr, "kengash: cannot create %s\n", zTmp);
    goto out;
  }
  const char *zMaxPages = kg_config_get(&cfg, "max-db-pages");
  if (zMaxPages) {
    char *zEnd = NULL;
    long long nMax = strtoll(zMaxPages, &zEnd, 10);
    if (!*zMaxPages || *zEnd || nMax < 0) {
      fprintf(stderr, "kengash serve: --max-db-pages must be a number of pages\n");
      goto out;
    }
    kg_store_set_max_pages(nMax);
  }
  int64_t t0 = kg_time_mono_ms();
  if (!(pStore = open_db(cfg.zDb))) goto out;
  if (!holder_key(&cfg, "serve", aHolderKey) || !holder_key_matches(pStore, aHolderKey)) goto out;
  kg_store_pool_init(cfg.zDb);
  /* Signals go to this thread only: block them before any thread starts
   * (the writer is the first), or a SIGTERM may land on a thread that
   * takes the default action and kills the process. */
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (kg_store_writer_start(cfg.zDb) != KG_OK) {
    fprintf(stderr, "kengash: cannot start the database writer\n");
    goto out;
  }

  struct kg_app app = {.pCfg = &cfg};
  const char *zLabel = kg_config_get(&cfg, "oidc-label");
  app.zOidcLabel = zLabel && *zLabel ? zLabel : "Войти через Госуслуги";
  if (!oidc_setup(&cfg, &pOidc)) goto out;
  app.pOidc = pOidc;
  app.aHolderKey = aHolderKey;
  if (!tiles_setup(&cfg, &app, &pTiles, zTileOrigin, sizeof(zTileOrigin))) {
    rc = 2; /* a wrong option or an unusable tile file: like a bad flag */
    goto out;
  }
  struct kg_http_config hc = {0};
  hc.zListen = cfg.zListen;
  hc.aRoute = kg_api_routes(&hc.nRoute);
  hc.xBefore = kg_api_before;
  hc.pApp = &app;
  hc.zWebDir = cfg.zWeb;
  hc.zTmpDir = zTmp;
  hc.nThread = (unsigned)cfg.nThreads;
  hc.nTimeoutSec = (unsigned)cfg.nTimeoutSec;
  hc.nPerIpLimit = (unsigned)cfg.nPerIp;
  hc.nHeaderTimeoutSec = (unsigned)cfg.nHeaderTimeoutSec;
  hc.nPerPrefixLimit = (unsigned)(cfg.nPerPrefix >= 0 ? cfg.nPerPrefix : cfg.nPerIp);
  hc.nMaxHeaderConns = (unsigned)cfg.nMaxHeaderConns;
  hc.nConnLimit = 4096;
  hc.nMaxUpload = (uint64_t)cfg.nMaxUpload;
  hc.zImgSrcExtra = zTileOrigin;
  hc.bHsts = strncmp(cfg.zBaseUrl, "https://", 8) == 0;
  const char *zAccessLog = kg_config_get(&cfg, "access-log");
  if (zAccessLog && strcmp(zAccessLog, "yes") != 0 && strcmp(zAccessLog, "no") != 0) {
    fprintf(stderr, "kengash serve: --access-log must be yes or no\n");
    rc = 2;
    goto out;
  }
  hc.bAccessLog = !zAccessLog || strcmp(zAccessLog, "no") != 0;
  unsigned nPort = 0;
  if (kg_http_start(&hc, &pSrv, &nPort) != KG_OK) goto out;
  app.pHttp = pSrv;
  const char *zMetricsListen = kg_config_get(&cfg, "metrics-listen");
  if (zMetricsListen && *zMetricsListen) {
    /* its own daemon: only GET /metrics, no web files, no sessions */
    struct kg_http_config mc = {0};
    mc.zListen = zMetricsListen;
    mc.aRoute = kg_api_metrics_routes(&mc.nRoute);
    mc.pApp = &app;
    mc.zTmpDir = zTmp;
    mc.nThread = 1;
    mc.nTimeoutSec = 10;
    mc.nPerIpLimit = 8;
    mc.nConnLimit = 16;
    unsigned nMetricsPort = 0;
    if (kg_http_start(&mc, &pMetricsSrv, &nMetricsPort) != KG_OK) {
      fprintf(stderr, "kengash serve: cannot listen for metrics on %s\n", zMetricsListen);
      goto out;
    }
    kg_log_info("metrics listening addr=%s port=%u", zMetricsListen, nMetricsPort);
  }
  /* receipts, status e-mails and followers' e-mails (api/notify.c) */
  (void)kg_mail_add_step(kg_api_notify_step, &cfg);
  if (kg_mail_start(&cfg) != KG_OK) {
    fprintf(stderr, "kengash: cannot start the mail sender (see --smtp, --mail-from)\n");
    goto out;
  }
  kg_log_info("listening addr=%s port=%u threads=%d startup_ms=%lld", cfg.zListen, nPort,
              cfg.nThreads, (long long)(kg_time_mono_ms() - t0));
  /* A line on stdout that scripts and tests can wait for. */
  printf("kengash: serving on port %u\n", nPort);
  fflush(stdout);
  notify_systemd("READY=1");

  /* The main thread runs the schedule and waits for a signal. */
  for (;;) {
    int nMoved = 0;
    if (kg_store_discussion_advance_due(pStore, kg_time_now(), &nMoved) != KG_OK)
      kg_log_warn("scheduled transitions failed");
    else if (nMoved)
      kg_log_info("scheduled transitions moved=%d", nMoved);
    kg_alerts_tick(pStore, &cfg); /* area alerts: new events, the weekly digest */
    struct timespec ts = {.tv_sec = cfg.nTickSec, .tv_nsec = 0};
    int sig = sigtimedwait(&sigs, NULL, &ts);
    if (sig == SIGTERM || sig == SIGINT) {
      kg_log_info("shutting down signal=%d", sig);
      notify_systemd("STOPPING=1");
      break;
    }
  }
  kg_http_stop(pMetricsSrv, 1000);
  pMetricsSrv = NULL;
  kg_http_stop(pSrv, 10000);
  pSrv = NULL;
  rc = 0;
out:
  if (pMetricsSrv) kg_http_stop(pMetricsSrv, 0);
  if (pSrv) kg_http_stop(pSrv, 0);
  kg_mail_stop();
  kg_store_writer_stop();
  kg_store_pool_shutdown();
  if (pStore) kg_store_close(pStore);
  kg_oidc_free(pOidc);
  kg_tiles_close(pTiles);
  kg_auth_memzero(aHolderKey, sizeof(aHolderKey));
  free(zTmp);
  kg_config_free(&cfg);
  return rc;
}

/* ---- backup ---- */

static int cmd_backup(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    print_help("backup --db FILE --to FILE [--verify]",
               "Writes an online, consistent copy of the database (safe while serving).\n"
               "--verify then checks the copy: integrity, spatial indexes, geometries, and\n"
               "every table's row count against the database's at the copied snapshot.",
               aBackupOpt, N(aBackupOpt));
    printf("  --%-14s %s\n", "verify", "check the copy; exit 1 on any mismatch");
    return 0;
  }
  /* --verify takes no value: taken out before the options are parsed */
  int bVerify = 0, nArg = 0;
  for (int i = 0; i < argc; i++) {
    if (i > 0 && strcmp(argv[i], "--verify") == 0)
      bVerify = 1;
    else
      argv[nArg++] = argv[i];
  }
  argc = nArg;
  struct kg_config cfg;
  if (!load_config(&cfg, argc, argv, aBackupOpt, N(aBackupOpt), NULL, NULL)) return 2;
  const char *zTo = kg_config_get(&cfg, "to");
  int rc = 1;
  struct kg_store *pStore = NULL;
  if (!zTo || !*zTo) {
    fprintf(stderr, "kengash backup: --to FILE is required\n");
    rc = 2;
    goto out;
  }
  if (access(cfg.zDb, R_OK) != 0) {
    fprintf(stderr, "kengash backup: cannot read %s\n", cfg.zDb);
    goto out;
  }
  if (kg_store_open(cfg.zDb, &pStore) != KG_OK) {
    fprintf(stderr, "kengash backup: cannot open %s\n", cfg.zDb);
    goto out;
  }
  if (bVerify) {
    rc = kg_cli_backup_verify(pStore, zTo);
    goto out;
  }
  enum kg_err err = kg_store_backup(pStore, zTo);
  if (err == KG_ECONFLICT) {
    fprintf(stderr, "kengash backup: %s already exists\n", zTo);
    goto out;
  }
  if (err != KG_OK) {
    fprintf(stderr, "kengash backup: the copy failed (%s)\n", kg_err_name(err));
    goto out;
  }
  printf("kengash: backup written to %s\n", zTo);
  rc = 0;
out:
  if (pStore) kg_store_close(pStore);
  kg_config_free(&cfg);
  return rc;
}

/* ---- restore ---- */

/* ---- alerts ---- */

static const struct kg_option aAlertsOpt[] = {
    OPT_COMMON,
    {"base-url", "public URL of the site, used in the e-mails' links (http://127.0.0.1:8080)"},
    /* hidden: stop after N digests and wait to be killed (the crash test) */
    {"hold-after", NULL},
};

/* alerts digest: the weekly digest of area alerts, now. */
static int cmd_alerts(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "digest") != 0 || wants_help(argc, argv)) {
    print_help("alerts digest --db FILE [--base-url URL]",
               "Queues the digest of area alerts now (the server sends it every Monday at\n"
               "08:00 UTC): one e-mail per weekly subscription with pending items. Safe to\n"
               "run while serving and to run again after an interruption.",
               aAlertsOpt, N(aAlertsOpt));
    return argc >= 2 && wants_help(argc, argv) ? 0 : 2;
  }
  struct kg_config cfg;
  if (!load_config(&cfg, argc - 1, argv + 1, aAlertsOpt, N(aAlertsOpt), NULL, NULL)) return 2;
  const char *zHold = kg_config_get(&cfg, "hold-after");
  int rc = 1, nSent = 0;
  struct kg_store *pStore = open_db(cfg.zDb);
  if (pStore) {
    enum kg_err e =
        kg_alerts_digest(pStore, &cfg, kg_time_now() + 1, zHold ? atoi(zHold) : 0, &nSent);
    printf("alerts digest: sent=%d%s\n", nSent, e == KG_OK ? "" : " (stopped by an error)");
    rc = e == KG_OK ? 0 : 1;
    kg_store_close(pStore);
  }
  kg_config_free(&cfg);
  return rc;
}

static int cmd_restore(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    print_help("restore --from COPY --db FILE [--files DIR] [--from-files DIR]",
               "Checks a backup copy and writes it to a new database FILE (which must not\n"
               "exist), then makes every document present in --files with the right\n"
               "SHA-256, copying from --from-files. Exit 1 lists what is missing.",
               aRestoreOpt, N(aRestoreOpt));
    return 0;
  }
  struct kg_config cfg;
  if (!load_config(&cfg, argc, argv, aRestoreOpt, N(aRestoreOpt), NULL, NULL)) return 2;
  int rc = 2;
  const char *zFrom = kg_config_get(&cfg, "from");
  if (!zFrom || !*zFrom)
    fprintf(stderr, "kengash restore: --from COPY is required\n");
  else
    rc = kg_cli_restore(zFrom, cfg.zDb, kg_config_get(&cfg, "from-files"), cfg.zFiles);
  kg_config_free(&cfg);
  return rc;
}

/* ---- user add ---- */

static int cmd_user(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "add") != 0 || wants_help(argc, argv)) {
    print_help("user add --db FILE --email E --role citizen|moderator|admin [--name N] "
               "< password",
               "Creates an account (or sets the role and password of an existing one).\n"
               "The password is read from the first line of standard input.",
               aUserOpt, N(aUserOpt));
    return wants_help(argc, argv) ? 0 : 2;
  }
  struct kg_config cfg;
  if (!load_config(&cfg, argc - 1, argv + 1, aUserOpt, N(aUserOpt), NULL, NULL)) return 2;
  int rc = 2;
  struct kg_store *pStore = NULL;
  char *zLine = NULL;
  size_t nLine = 0;
  char zHash[256];
  char zReason[200];
  const char *zEmail = kg_config_get(&cfg, "email");
  const char *zRole = kg_config_get(&cfg, "role");
  const char *zName = kg_config_get(&cfg, "name");
  kg_auth_init();
  if (!zEmail || !kg_auth_email_valid(zEmail)) {
    fprintf(stderr, "kengash user add: --email needs a valid e-mail address\n");
    goto out;
  }
  if (!zRole || !kg_auth_role_valid(zRole)) {
    fprintf(stderr, "kengash user add: --role must be citizen, moderator or admin\n");
    goto out;
  }
  ssize_t n = getline(&zLine, &nLine, stdin);
  if (n <= 0) {
    fprintf(stderr, "kengash user add: give the password on standard input\n");
    goto out;
  }
  while (n > 0 && (zLine[n - 1] == '\n' || zLine[n - 1] == '\r'))
    zLine[--n] = 0;
  if (!kg_auth_password_acceptable(zLine, zEmail, zReason, sizeof(zReason))) {
    fprintf(stderr, "kengash user add: password refused: %s\n", zReason);
    goto out;
  }
  rc = 1;
  if (kg_auth_password_hash(zLine, zHash, sizeof(zHash)) != KG_OK) {
    fprintf(stderr, "kengash user add: hashing failed\n");
    goto out;
  }
  if (!(pStore = open_db(cfg.zDb))) goto out;
  char zDefaultName[256];
  if (!zName) {
    snprintf(zDefaultName, sizeof(zDefaultName), "%.*s", (int)strcspn(zEmail, "@"), zEmail);
    zName = zDefaultName;
  }
  int64_t id = 0;
  enum kg_err err =
      kg_store_account_insert(pStore, zEmail, zHash, zName, zRole, kg_time_now(), &id);
  if (err == KG_ECONFLICT) {
    struct kg_account acc;
    char zOld[256];
    if (kg_store_account_by_email(pStore, zEmail, &acc, zOld, sizeof(zOld)) != KG_OK ||
        kg_store_account_set_role(pStore, acc.id, zRole) != KG_OK ||
        kg_store_account_set_password(pStore, acc.id, zHash) != KG_OK) {
      fprintf(stderr, "kengash user add: cannot update the existing account\n");
      goto out;
    }
    printf("kengash: account %lld updated (role %s)\n", (long long)acc.id, zRole);
  } else if (err != KG_OK) {
    fprintf(stderr, "kengash user add: cannot create the account (%s)\n", kg_err_name(err));
    goto out;
  } else {
    printf("kengash: account %lld created (role %s)\n", (long long)id, zRole);
  }
  rc = 0;
out:
  if (zLine) {
    kg_auth_memzero(zLine, nLine);
    free(zLine);
  }
  if (pStore) kg_store_close(pStore);
  kg_config_free(&cfg);
  return rc;
}

/* ---- demo and import (in src/cli/) ---- */

static int cmd_demo(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    print_help("demo --db FILE [--geodata DIR]",
               "Loads the demo data set from geodata/: Kazan's districts, the synthetic address\n"
               "registry and parcels, projects and discussions in every state, demo accounts.",
               aDemoOpt, N(aDemoOpt));
    return 0;
  }
  struct kg_config cfg;
  if (!load_config(&cfg, argc, argv, aDemoOpt, N(aDemoOpt), NULL, NULL)) return 2;
  int rc = 1;
  struct kg_store *pStore = open_db(cfg.zDb);
  kg_auth_init();
  if (pStore) rc = kg_cli_demo(pStore, &cfg);
  if (pStore) kg_store_close(pStore);
  kg_config_free(&cfg);
  return rc;
}

/* import --layer rights: the key first (made when missing), then the file. */
static int import_rights(const struct kg_config *pCfg, const char *zFile) {
  unsigned char aKey[KG_AUTH_HOLDER_KEY_BYTES];
  struct kg_rights_info info;
  unsigned char aCheck[KG_AUTH_HOLDER_HASH_BYTES];
  struct kg_store *pStore = NULL;
  int rc = 1;
  if (!holder_key(pCfg, "import", aKey) || !(pStore = open_db(pCfg->zDb))) goto out;
  kg_auth_holder_key_check(aKey, aCheck);
  if (kg_store_rights_info(pStore, &info) == KG_OK &&
      memcmp(aCheck, info.aKeyCheck, sizeof(aCheck)) != 0)
    fprintf(stderr, "kengash import: note: the register was loaded with another holder key "
                    "before; restart serve with this --holder-key-file\n");
  rc = kg_cli_import_rights(pStore, aKey, zFile);
out:
  kg_auth_memzero(aKey, sizeof(aKey));
  if (pStore) kg_store_close(pStore);
  return rc;
}

static int cmd_import(int argc, char **argv) {
  if (wants_help(argc, argv)) {
    print_help("import --db FILE --layer addresses|parcels|territories [--crs CRS] "
               "FILE.geojson|FILE.csv\n"
               "       kengash import --db FILE --layer rights [--holder-key-file FILE] FILE.csv",
               "Loads a reference layer from a GeoJSON FeatureCollection, transforming\n"
               "coordinates from --crs to EPSG:4326 with PROJ. addresses need an 'address'\n"
               "property (or OSM addr:city, addr:street, addr:housenumber tags), parcels a\n"
               "'cadastral_number', territories a 'name'. addresses also come as CSV with\n"
               "the header id,address,lon,lat (RFC 4180, UTF-8; id is the register's own).\n"
               "rights replaces the rights register with a CSV extract whose header is\n"
               "cadastral_number,holder_id (SNILS or INN, stored only as a keyed hash).",
               aImportOpt, N(aImportOpt));
    return 0;
  }
  struct kg_config cfg;
  char **azPos = NULL;
  int nPos = 0;
  if (!load_config(&cfg, argc, argv, aImportOpt, N(aImportOpt), &azPos, &nPos)) return 2;
  int rc = 2;
  struct kg_store *pStore = NULL;
  const char *zLayer = kg_config_get(&cfg, "layer");
  if (!zLayer || nPos != 1) {
    fprintf(stderr, "kengash import: give --layer and exactly one file (see --help)\n");
    goto out;
  }
  if (strcmp(zLayer, "rights") == 0) {
    rc = import_rights(&cfg, azPos[0]);
    goto out;
  }
  if (!(pStore = open_db(cfg.zDb))) {
    rc = 1;
    goto out;
  }
  rc = kg_cli_import(pStore, zLayer, kg_config_get(&cfg, "crs"), azPos[0]);
out:
  if (pStore) kg_store_close(pStore);
  kg_config_free(&cfg);
  return rc;
}

static void usage(FILE *f) {
  fputs("usage: kengash <command> [options]\n\n"
        "commands:\n"
        "  serve        serve the site and the API\n"
        "  demo         load the demo data set into a database\n"
        "  user add     create an account (password on standard input)\n"
        "  import       load a reference layer (addresses, parcels, territories) from GeoJSON,\n"
        "               or the rights register from CSV\n"
        "  backup       write an online, consistent copy of the database\n"
        "  restore      restore a backup copy and its documents into a new database\n"
        "  alerts digest  queue the weekly digest of area alerts now\n\n"
        "Run 'kengash <command> --help' for its options.\n",
        f);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *zCmd = argv[1];
  if (strcmp(zCmd, "--help") == 0 || strcmp(zCmd, "-h") == 0 || strcmp(zCmd, "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(zCmd, "serve") == 0) return cmd_serve(argc - 1, argv + 1);
  if (strcmp(zCmd, "demo") == 0) return cmd_demo(argc - 1, argv + 1);
  if (strcmp(zCmd, "user") == 0) return cmd_user(argc - 1, argv + 1);
  if (strcmp(zCmd, "import") == 0) return cmd_import(argc - 1, argv + 1);
  if (strcmp(zCmd, "backup") == 0) return cmd_backup(argc - 1, argv + 1);
  if (strcmp(zCmd, "restore") == 0) return cmd_restore(argc - 1, argv + 1);
  if (strcmp(zCmd, "alerts") == 0) return cmd_alerts(argc - 1, argv + 1);
  fprintf(stderr, "kengash: unknown command '%s'\n", zCmd);
  usage(stderr);
  return 2;
}

/* serve.c: `kengash serve` — checks the options, opens the database,
 * starts the writer, the HTTP server(s) and the mail sender, then runs the
 * schedule until SIGTERM or SIGINT, which drain in-flight requests. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "kengash/alerts.h"
#include "kengash/api.h"
#include "kengash/auth.h"
#include "kengash/cli.h"
#include "kengash/core.h"
#include "kengash/http.h"
#include "kengash/i18n.h"
#include "kengash/mail.h"
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

/* Streaming replicas a server reads from, at most. */
#define KG_SERVE_MAX_REPLICAS 8

static const struct kg_option aServeOpt[] = {
    KG_CLI_OPT_COMMON,
    {"listen", "address and port to listen on (127.0.0.1:8080)"},
    {"db-replica", "a PostgreSQL streaming replica for public reads, a libpq connection string; "
                   "repeatable (none)"},
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
    {"oidc-label-tt", "the sign-in button's text on Tatar pages (--oidc-label when given, else "
                      "Дәүләт хезмәтләре порталы аша керү)"},
    {"oidc-label-en", "the sign-in button's text on English pages (--oidc-label when given, else "
                      "Sign in with Gosuslugi)"},
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
    {"privacy-policy-tt",
     "the policy in Tatar (none: Tatar pages show the Russian one, saying so)"},
    {"privacy-policy-en", "the policy in English (none: English pages show the Russian one, saying "
                          "so)"},
    /* hidden (no help line): login throttling, shortened by tests */
    {"login-window", NULL},
    {"login-lock", NULL},
    /* hidden: caps the database at N pages (PRAGMA max_page_count), for
     * the full-disk tests */
    {"max-db-pages", NULL},
};

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

/* "" (no support address), or an address the SMTP envelope can carry. */
static int support_email_ok(const char *z) {
  for (const char *p = z; *p; p++)
    if ((unsigned char)*p >= 0x80) return 0;
  return !*z || kg_auth_email_valid(z);
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

/* What serve owns while it runs: everything is released by serve_free(),
 * whichever step failed. app and cfg are borrowed by the servers and the
 * mail sender until then. */
struct serve {
  struct kg_config cfg;
  struct kg_app app;
  struct kg_store *pStore;
  struct kg_http_server *pSrv;
  struct kg_http_server *pMetricsSrv; /* --metrics-listen */
  struct kg_oidc *pOidc;
  struct kg_tiles *pTiles;
  char zTileOrigin[512];
  char *zTmp; /* <files>/tmp: upload spool */
  unsigned char aHolderKey[KG_AUTH_HOLDER_KEY_BYTES];
  sigset_t sigs;
  int64_t t0; /* monotonic ms at the start, for the startup time */
  unsigned nPort;
};

/* The files directory and its spool, --max-db-pages. 0 after a message. */
static int serve_dirs(struct serve *s) {
  if (!mkdir_p(s->cfg.zFiles)) {
    fprintf(stderr, "kengash: cannot create the files directory %s\n", s->cfg.zFiles);
    return 0;
  }
  s->zTmp = kg_xasprintf("%s/tmp", s->cfg.zFiles);
  if (!mkdir_p(s->zTmp)) {
    fprintf(stderr, "kengash: cannot create %s\n", s->zTmp);
    return 0;
  }
  const char *zMaxPages = kg_config_get(&s->cfg, "max-db-pages");
  if (zMaxPages) {
    char *zEnd = NULL;
    long long nMax = strtoll(zMaxPages, &zEnd, 10);
    if (!*zMaxPages || *zEnd || nMax < 0) {
      fprintf(stderr, "kengash serve: --max-db-pages must be a number of pages\n");
      return 0;
    }
    kg_store_set_max_pages(nMax);
  }
  return 1;
}

/* The database, the holder key, the connection pool and the writer, with
 * the signals blocked first. 0 after a message. */
static int serve_store(struct serve *s) {
  s->t0 = kg_time_mono_ms();
  if (!kg_cli_holder_key_given(&s->cfg, "serve")) return 0;
  if (!(s->pStore = kg_cli_open_db(s->cfg.zDb))) return 0;
  if (!kg_cli_holder_key(&s->cfg, "serve", s->aHolderKey) ||
      !holder_key_matches(s->pStore, s->aHolderKey))
    return 0;
  kg_store_pool_init(s->cfg.zDb);
  const char *azReplica[KG_SERVE_MAX_REPLICAS + 1];
  int nReplica = kg_config_get_all(&s->cfg, "db-replica", azReplica, KG_SERVE_MAX_REPLICAS + 1);
  if (nReplica > KG_SERVE_MAX_REPLICAS) {
    fprintf(stderr, "kengash serve: at most %d --db-replica\n", KG_SERVE_MAX_REPLICAS);
    return 0;
  }
  for (int i = 0; i < nReplica; i++) {
    if (!kg_store_is_pg(s->cfg.zDb) || !kg_store_is_pg(azReplica[i])) {
      fprintf(stderr, "kengash serve: --db-replica names a PostgreSQL streaming replica of a "
                      "PostgreSQL --db\n");
      return 0;
    }
  }
  kg_store_pool_replicas(azReplica, nReplica);
  /* Signals go to this thread only: block them before any thread starts
   * (the writer is the first), or a SIGTERM may land on a thread that
   * takes the default action and kills the process. */
  sigemptyset(&s->sigs);
  sigaddset(&s->sigs, SIGTERM);
  sigaddset(&s->sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &s->sigs, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (kg_store_writer_start(s->cfg.zDb) != KG_OK) {
    fprintf(stderr, "kengash: cannot start the database writer\n");
    return 0;
  }
  return 1;
}

/* The application state the handlers share: sign-in provider, holder key,
 * base map. Returns the exit code of a failure (1, or 2 for a wrong tile
 * option), 0 when set up. */
static int serve_app(struct serve *s) {
  s->app.pCfg = &s->cfg;
  const char *zLabel = kg_config_get(&s->cfg, "oidc-label");
  s->app.zOidcLabel = zLabel && *zLabel ? zLabel : kg_tr(KG_LANG_RU, "web.oidc_label");
  if (!oidc_setup(&s->cfg, &s->pOidc)) return 1;
  s->app.pOidc = s->pOidc;
  s->app.aHolderKey = s->aHolderKey;
  if (!tiles_setup(&s->cfg, &s->app, &s->pTiles, s->zTileOrigin, sizeof(s->zTileOrigin)))
    return 2; /* a wrong option or an unusable tile file: like a bad flag */
  return 0;
}

/* The metrics-only daemon of --metrics-listen, when given. 0 after a message. */
static int serve_metrics(struct serve *s) {
  const char *zMetricsListen = kg_config_get(&s->cfg, "metrics-listen");
  if (!zMetricsListen || !*zMetricsListen) return 1;
  /* its own daemon: only GET /metrics, no web files, no sessions */
  struct kg_http_config mc = {0};
  mc.zListen = zMetricsListen;
  mc.aRoute = kg_api_metrics_routes(&mc.nRoute);
  mc.pApp = &s->app;
  mc.zTmpDir = s->zTmp;
  mc.nThread = 1;
  mc.nTimeoutSec = 10;
  mc.nPerIpLimit = 8;
  mc.nConnLimit = 16;
  unsigned nMetricsPort = 0;
  if (kg_http_start(&mc, &s->pMetricsSrv, &nMetricsPort) != KG_OK) {
    fprintf(stderr, "kengash serve: cannot listen for metrics on %s\n", zMetricsListen);
    return 0;
  }
  kg_log_info("metrics listening addr=%s port=%u", zMetricsListen, nMetricsPort);
  return 1;
}

/* The HTTP server of the site and the API, then the metrics one. Returns
 * the exit code of a failure (1, or 2 for a wrong option), 0 when
 * listening. */
static int serve_http(struct serve *s) {
  const struct kg_config *pCfg = &s->cfg;
  struct kg_http_config hc = {0};
  hc.zListen = pCfg->zListen;
  hc.aRoute = kg_api_routes(&hc.nRoute);
  hc.xBefore = kg_api_before;
  hc.pApp = &s->app;
  hc.zWebDir = pCfg->zWeb;
  hc.zTmpDir = s->zTmp;
  hc.nThread = (unsigned)pCfg->nThreads;
  hc.nTimeoutSec = (unsigned)pCfg->nTimeoutSec;
  hc.nPerIpLimit = (unsigned)pCfg->nPerIp;
  hc.nHeaderTimeoutSec = (unsigned)pCfg->nHeaderTimeoutSec;
  hc.nPerPrefixLimit = (unsigned)(pCfg->nPerPrefix >= 0 ? pCfg->nPerPrefix : pCfg->nPerIp);
  hc.nMaxHeaderConns = (unsigned)pCfg->nMaxHeaderConns;
  hc.nConnLimit = 4096;
  hc.nMaxUpload = (uint64_t)pCfg->nMaxUpload;
  hc.zImgSrcExtra = s->zTileOrigin;
  hc.bHsts = strncmp(pCfg->zBaseUrl, "https://", 8) == 0;
  const char *zAccessLog = kg_config_get(pCfg, "access-log");
  if (zAccessLog && strcmp(zAccessLog, "yes") != 0 && strcmp(zAccessLog, "no") != 0) {
    fprintf(stderr, "kengash serve: --access-log must be yes or no\n");
    return 2;
  }
  hc.bAccessLog = !zAccessLog || strcmp(zAccessLog, "no") != 0;
  if (kg_http_start(&hc, &s->pSrv, &s->nPort) != KG_OK) return 1;
  s->app.pHttp = s->pSrv;
  return serve_metrics(s) ? 0 : 1;
}

/* The main thread runs the schedule and waits for a signal; then the
 * servers drain. */
static void serve_loop(struct serve *s) {
  for (;;) {
    int nMoved = 0;
    if (kg_store_discussion_advance_due(s->pStore, kg_time_now(), &nMoved) != KG_OK)
      kg_log_warn("scheduled transitions failed");
    else if (nMoved)
      kg_log_info("scheduled transitions moved=%d", nMoved);
    kg_alerts_tick(s->pStore, &s->cfg); /* area alerts: new events, the weekly digest */
    struct timespec ts = {.tv_sec = s->cfg.nTickSec, .tv_nsec = 0};
    int sig = sigtimedwait(&s->sigs, NULL, &ts);
    if (sig == SIGTERM || sig == SIGINT) {
      kg_log_info("shutting down signal=%d", sig);
      notify_systemd("STOPPING=1");
      break;
    }
  }
  kg_http_stop(s->pMetricsSrv, 1000);
  s->pMetricsSrv = NULL;
  kg_http_stop(s->pSrv, 10000);
  s->pSrv = NULL;
}

static void serve_free(struct serve *s) {
  if (s->pMetricsSrv) kg_http_stop(s->pMetricsSrv, 0);
  if (s->pSrv) kg_http_stop(s->pSrv, 0);
  kg_mail_stop();
  kg_store_writer_stop();
  kg_store_pool_shutdown();
  if (s->pStore) kg_store_close(s->pStore);
  kg_oidc_free(s->pOidc);
  kg_tiles_close(s->pTiles);
  kg_auth_memzero(s->aHolderKey, sizeof(s->aHolderKey));
  free(s->zTmp);
  kg_config_free(&s->cfg);
}

/* The options serve refuses before it touches anything. 0 after a message. */
static int serve_options_ok(struct serve *s, int nPos, char **argv) {
  if (nPos) {
    fprintf(stderr, "kengash serve: unexpected argument %s\n", argv[0]);
    return 0;
  }
  if (!support_email_ok(s->cfg.zSupportEmail)) {
    fprintf(stderr, "kengash serve: --support-email must be an e-mail address in ASCII\n");
    return 0;
  }
  return 1;
}

int kg_cli_cmd_serve(int argc, char **argv) {
  if (kg_cli_wants_help(argc, argv)) {
    kg_cli_print_help("serve [options]",
                      "Migrates the database if needed and serves the site and the API.\n"
                      "SIGTERM or SIGINT drain in-flight requests and exit 0.",
                      aServeOpt, KG_CLI_N(aServeOpt));
    return 0;
  }
  struct serve *s = kg_xcalloc(1, sizeof(*s));
  int nPos = 0, rc = 1;
  if (!kg_cli_load_config(&s->cfg, argc, argv, aServeOpt, KG_CLI_N(aServeOpt), NULL, &nPos)) {
    free(s);
    return 2;
  }
  if (!serve_options_ok(s, nPos, argv)) {
    kg_config_free(&s->cfg);
    free(s);
    return 2;
  }
  kg_auth_init();
  if (!serve_dirs(s) || !serve_store(s) || (rc = serve_app(s)) != 0 || (rc = serve_http(s)) != 0)
    goto out;
  rc = 1;
  /* receipts, status e-mails and followers' e-mails (api/notify.c) */
  (void)kg_mail_add_step(kg_api_notify_step, &s->cfg);
  if (kg_mail_start(&s->cfg) != KG_OK) {
    fprintf(stderr, "kengash: cannot start the mail sender (see --smtp, --mail-from)\n");
    goto out;
  }
  kg_log_info("listening addr=%s port=%u threads=%d startup_ms=%lld", s->cfg.zListen, s->nPort,
              s->cfg.nThreads, (long long)(kg_time_mono_ms() - s->t0));
  /* A line on stdout that scripts and tests can wait for. */
  printf("kengash: serving on port %u\n", s->nPort);
  fflush(stdout);
  notify_systemd("READY=1");
  serve_loop(s);
  rc = 0;
out:
  serve_free(s);
  free(s);
  return rc;
}

/* config.h: the program's configuration, read from (in rising priority) a
 * config file (--config FILE, lines "key = value"), environment variables
 * KENGASH_<KEY> and command-line flags --key value. */
#ifndef KENGASH_CONFIG_H
#define KENGASH_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "kengash/core.h"

struct kg_config {
  char *zListen;       /* listen: host:port (127.0.0.1:8080) */
  char *zDb;           /* db: database file (kengash.sqlite) */
  char *zFiles;        /* files: document storage directory (files) */
  char *zWeb;          /* web: static front end directory (web) */
  char *zSmtp;         /* smtp: smtp://host:port for outgoing mail, may be empty */
  char *zMailFrom;     /* mail-from: sender address */
  char *zSupportEmail; /* support-email: where support messages are e-mailed; "" for nowhere */
  char *zBaseUrl;      /* base-url: public URL used in links and cookies */
  char *zGeodata;      /* geodata: directory with the demo geodata (geodata) */
  char *zLogLevel;     /* log-level: debug|info|warn|error */
  int nThreads;        /* threads: HTTP worker threads (default: cores, at least 2) */
  int nTickSec;        /* tick: seconds between scheduled-transition checks (30) */
  int64_t nMaxUpload;  /* max-upload: largest document in bytes (52428800) */
  int nSessionHours;   /* session-hours: session lifetime (336 = 14 days) */
  int nTimeoutSec;     /* timeout: idle connection timeout in seconds (30) */
  int nPerIp;          /* per-ip: concurrent connections per client IP (64) */
  int nResetTtlSec;    /* reset-ttl: password reset link lifetime in seconds (3600) */
  int nMailRetrySec;   /* mail-retry: first delay after a failed mail attempt, seconds (5) */
  int nLoginWindowSec; /* login-window: failed logins are counted over this many seconds (900) */
  int nLoginLockSec;   /* login-lock: first lock after too many failed logins, seconds (300) */
  int nSignupLimit;    /* signup-limit: sign-ups per client address an hour, 0 none (20) */
  int nSupportLimit;   /* support-limit: support messages per address an hour (10) */
  int nAlertsLimit;    /* alerts-limit: alert subscriptions per client address an hour (10) */
  int nMailRate;       /* mail-rate: most e-mails sent per second, 0 no limit (0) */
  int nAppealDays;     /* appeal-days: days to appeal a rejection, 0 none (3) */
  int bSecureCookie;   /* derived: base-url starts with https:// */
  /* slow clients: header-timeout, seconds to send the whole request head
   * (10); per-prefix, connections per IPv4 address or IPv6 /64 (-1: not
   * given, the per-ip value); max-header-conns, connections still sending
   * their head (1024) */
  int nHeaderTimeoutSec;
  int nPerPrefix;
  int nMaxHeaderConns;
  /* every option as given, by name (including subcommand options) */
  struct {
    char *zName;
    char *zValue;
    int iSrc; /* 1 the config file, 2 the environment, 3 a flag */
  } aGiven[48];
  int nGiven;
};

/* One option's description, for --help and parsing. */
struct kg_option {
  const char *zName; /* flag name without "--", also the config key */
  const char *zHelp; /* NULL: accepted but not listed by --help */
};

/* Fills *pCfg with defaults, then the config file, environment and argv
 * (argv[0] is the subcommand name; unknown or malformed options are
 * errors). Only options listed in aOpt are accepted. Writes a message into
 * zErr on failure. Positional arguments are returned through
 * *pazPos / *pnPos (borrowed from argv). */
enum kg_err kg_config_load(struct kg_config *pCfg, int argc, char **argv,
                           const struct kg_option *aOpt, size_t nOpt, char ***pazPos /* OUT */,
                           int *pnPos /* OUT */, char *zErr, size_t nErr);
void kg_config_free(struct kg_config *pCfg);
/* The value of option zName as given (for subcommand-specific options like
 * --email); NULL when not given. Borrowed from pCfg. */
const char *kg_config_get(const struct kg_config *pCfg, const char *zName);
/* A repeatable option (db-replica): every value given, from the config
 * file, the environment and argv, in that order, into az[0..nMax-1].
 * Returns how many. */
int kg_config_get_all(const struct kg_config *pCfg, const char *zName, const char **az, int nMax);

#endif

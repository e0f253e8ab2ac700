/* session.c: who is asking. The before hook that resolves the session
 * cookie, enforces CSRF and route roles and renews sessions, and the
 * handlers that log in (POST), show (GET) and log out (DELETE) at
 * /api/v1/session. The cookie holds a random token; the database keeps only
 * its SHA-256. Never log e-mails, passwords or tokens.
 *
 * Logging in is throttled per e-mail and per client IP (see "login
 * throttling" below). The counters live in this process's memory: they
 * reset when the server restarts and are not shared between processes. */
#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth.h"
#include "api_common.h"

#define DEFAULT_SESSION_HOURS 336

static const char zBadCredentials[] = "e-mail or password is wrong";

/* ---- login throttling ----
 *
 * Every login attempt is counted against two keys before the password is
 * checked: the e-mail as typed (ASCII lower-cased, the way the database
 * compares it; unknown addresses are counted the same, so a lock tells
 * nothing about whether an account exists) and the client address (an IPv6
 * client by its /64, which one host usually controls). A key that has
 * reached its limit within the window is locked: attempts are refused with
 * 429 and Retry-After, the right password included, and without spending a
 * password hash. The first lock lasts --login-lock seconds and each lock
 * after it, while the key keeps failing, twice the one before (up to
 * LOCK_MAX_DOUBLINGS times). A successful login clears its e-mail's key and
 * gives its attempt back to the IP's key, so people behind one address who
 * log in fine do not lock each other out.
 *
 * Attempts are counted when they start, not when they fail: a burst of
 * parallel requests cannot slip past the limit while the slow password
 * check of the first ones runs.
 *
 * Keys are BLAKE2b-128 with a random per-process key, so neither the table
 * nor the logs hold an e-mail or an address; a log line shows the first 4
 * bytes. The table is fixed: TH_SETS sets of TH_WAYS slots; a new key takes
 * a free or stale slot of its set, else the least recently used one,
 * preferring slots that are not locked. Memory stays bounded whatever
 * attackers send; a flood of new keys can at worst push out old counters
 * early, and the IP limit still holds such a flood back.
 *
 * The same table counts other actions per client address (see "limits per
 * client address" below); each slot keeps its own window. */

#define TH_WAYS 8
#define TH_SETS 512 /* 4096 slots */
#define TH_KEY_BYTES 16
#define LOGIN_MAX_PER_EMAIL 5
#define LOGIN_MAX_PER_IP 20
#define LOCK_MAX_DOUBLINGS 4
#define DEFAULT_LOGIN_WINDOW_SEC 900
#define DEFAULT_LOGIN_LOCK_SEC 300

struct th_slot {
  unsigned char aKey[TH_KEY_BYTES];
  int bUsed;
  int nAttempt;      /* attempts counted in the current window */
  int nLock;         /* locks so far while the key kept failing */
  int64_t tWindow;   /* start of the current window (monotonic ms) */
  int64_t tLast;     /* last counted attempt */
  int64_t tUnlock;   /* locked until then; 0 when not locked */
  int64_t nWindowMs; /* the window of the slot's kind */
};

/* The limits in force, in milliseconds, from the configuration. */
struct th_limits {
  int64_t nWindowMs;
  int64_t nLockMs;
};

static struct th_slot g_aSlot[TH_SETS * TH_WAYS];
static pthread_mutex_t g_thMutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned char g_aThKey[crypto_generichash_KEYBYTES];
static pthread_once_t g_thOnce = PTHREAD_ONCE_INIT;

static void th_key_init(void) {
  randombytes_buf(g_aThKey, sizeof(g_aThKey));
}

/* The key of cKind ('e' e-mail, 'i' address) and n bytes at p. */
static void th_key(char cKind, const void *p, size_t n, unsigned char aKey[TH_KEY_BYTES]) {
  crypto_generichash_state st;
  pthread_once(&g_thOnce, th_key_init);
  crypto_generichash_init(&st, g_aThKey, sizeof(g_aThKey), TH_KEY_BYTES);
  crypto_generichash_update(&st, (const unsigned char *)&cKind, 1);
  crypto_generichash_update(&st, p, n);
  crypto_generichash_final(&st, aKey, TH_KEY_BYTES);
}

static void th_key_email(const char *zEmail, unsigned char aKey[TH_KEY_BYTES]) {
  char z[256];
  size_t n = 0;
  for (; zEmail[n] && n < sizeof(z); n++) {
    char c = zEmail[n];
    z[n] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
  }
  th_key('e', z, n, aKey);
  kg_auth_memzero(z, sizeof(z));
}

/* The key of client address zIp for cKind ('i' logins, or the kind of a
 * limit per client address). */
static void th_key_ip(char cKind, const char *zIp, unsigned char aKey[TH_KEY_BYTES]) {
  unsigned char a[16];
  static const unsigned char aMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (inet_pton(AF_INET, zIp, a) == 1) {
    th_key(cKind, a, 4, aKey);
  } else if (inet_pton(AF_INET6, zIp, a) == 1) {
    if (memcmp(a, aMapped, sizeof(aMapped)) == 0)
      th_key(cKind, a + 12, 4, aKey); /* an IPv4 client on a dual-stack socket */
    else
      th_key(cKind, a, 8, aKey); /* the /64 */
  } else {
    th_key(cKind, zIp, strlen(zIp), aKey);
  }
}

/* 1 when the slot's counters no longer matter: not locked and no attempt
 * within its window. */
static int th_stale(const struct th_slot *s, int64_t tNow) {
  return !s->bUsed || (tNow >= s->tUnlock && tNow - s->tLast >= s->nWindowMs);
}

/* The live slot of aKey, or NULL when it has none and !bCreate. With
 * bCreate a missing or stale slot comes back with fresh counters; pKeep (may
 * be NULL) is a slot the caller holds, never given away. Call with g_thMutex
 * held. */
static struct th_slot *th_slot(const unsigned char aKey[TH_KEY_BYTES], int bCreate,
                               const struct th_slot *pKeep, int64_t tNow,
                               const struct th_limits *pLim) {
  uint32_t h = (uint32_t)aKey[0] | (uint32_t)aKey[1] << 8 | (uint32_t)aKey[2] << 16;
  struct th_slot *aSet = &g_aSlot[(h % TH_SETS) * TH_WAYS], *pVictim = NULL, *s = NULL;
  for (int i = 0; i < TH_WAYS; i++) {
    if (aSet[i].bUsed && memcmp(aSet[i].aKey, aKey, TH_KEY_BYTES) == 0) {
      s = &aSet[i];
      break;
    }
  }
  if (s && !th_stale(s, tNow)) return s;
  if (!bCreate) return NULL;
  if (!s) {
    /* a free or stale slot, else the least recently used, unlocked first */
    for (int i = 0; i < TH_WAYS && !s; i++)
      if (&aSet[i] != pKeep && th_stale(&aSet[i], tNow)) s = &aSet[i];
    for (int i = 0; i < TH_WAYS && !s; i++) {
      struct th_slot *c = &aSet[i];
      int bLocked = tNow < c->tUnlock;
      if (c == pKeep) continue;
      if (!pVictim || (!bLocked && tNow < pVictim->tUnlock) ||
          (bLocked == (tNow < pVictim->tUnlock) && c->tLast < pVictim->tLast))
        pVictim = c;
    }
    if (!s) s = pVictim;
  }
  memset(s, 0, sizeof(*s));
  memcpy(s->aKey, aKey, TH_KEY_BYTES);
  s->bUsed = 1;
  s->tWindow = s->tLast = tNow;
  s->nWindowMs = pLim->nWindowMs;
  return s;
}

/* Milliseconds slot s stays locked; 0 when it is not. Ends a lock that has
 * run out and a window that has passed. */
static int64_t th_wait(struct th_slot *s, int64_t tNow, const struct th_limits *pLim) {
  if (s->tUnlock && tNow >= s->tUnlock) {
    s->tUnlock = 0;
    s->nAttempt = 0;
    s->tWindow = tNow;
  }
  if (tNow - s->tWindow >= pLim->nWindowMs) {
    s->nAttempt = 0;
    s->tWindow = tNow;
  }
  return s->tUnlock ? s->tUnlock - tNow : 0;
}

/* Locks s when it has used up its nMax attempts; returns the wait (ms) or 0. */
static int64_t th_lock_if_spent(struct th_slot *s, int nMax, const char *zKind, int64_t tNow,
                                const struct th_limits *pLim) {
  if (s->nAttempt < nMax) return 0;
  int nShift = s->nLock < LOCK_MAX_DOUBLINGS ? s->nLock : LOCK_MAX_DOUBLINGS;
  int64_t nLock = pLim->nLockMs << nShift;
  s->nLock++;
  s->tUnlock = tNow + nLock;
  char zHex[9];
  kg_hex_encode(s->aKey, 4, zHex);
  kg_log_warn("login locked key=%s:%s attempts=%d lock_s=%lld", zKind, zHex, s->nAttempt,
              (long long)(nLock / 1000));
  return nLock;
}

static void th_limits(struct kg_req *r, struct th_limits *pLim) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  int nWindow =
      pCfg && pCfg->nLoginWindowSec > 0 ? pCfg->nLoginWindowSec : DEFAULT_LOGIN_WINDOW_SEC;
  int nLock = pCfg && pCfg->nLoginLockSec > 0 ? pCfg->nLoginLockSec : DEFAULT_LOGIN_LOCK_SEC;
  pLim->nWindowMs = (int64_t)nWindow * 1000;
  pLim->nLockMs = (int64_t)nLock * 1000;
}

/* Counts a login attempt for both keys. Returns 0 when it may go on, or the
 * seconds to wait (>= 1) when either key is locked; then nothing is
 * counted. */
static int64_t th_attempt(const unsigned char aEmail[TH_KEY_BYTES],
                          const unsigned char aIp[TH_KEY_BYTES], const struct th_limits *pLim) {
  int64_t tNow = kg_time_mono_ms(), nWait;
  pthread_mutex_lock(&g_thMutex);
  struct th_slot *pE = th_slot(aEmail, 1, NULL, tNow, pLim);
  struct th_slot *pI = th_slot(aIp, 1, pE, tNow, pLim);
  int64_t nE = th_wait(pE, tNow, pLim), nI = th_wait(pI, tNow, pLim);
  if (!nE) nE = th_lock_if_spent(pE, LOGIN_MAX_PER_EMAIL, "email", tNow, pLim);
  if (!nI) nI = th_lock_if_spent(pI, LOGIN_MAX_PER_IP, "ip", tNow, pLim);
  nWait = nE > nI ? nE : nI;
  if (!nWait) {
    pE->nAttempt++;
    pI->nAttempt++;
    pE->tLast = pI->tLast = tNow;
  }
  pthread_mutex_unlock(&g_thMutex);
  return nWait ? (nWait + 999) / 1000 : 0;
}

/* A successful login: the e-mail's key starts over, the IP gets its
 * attempt back. */
static void th_success(const unsigned char aEmail[TH_KEY_BYTES],
                       const unsigned char aIp[TH_KEY_BYTES], const struct th_limits *pLim) {
  int64_t tNow = kg_time_mono_ms();
  pthread_mutex_lock(&g_thMutex);
  struct th_slot *s = th_slot(aEmail, 0, NULL, tNow, pLim);
  if (s) memset(s, 0, sizeof(*s));
  s = th_slot(aIp, 0, NULL, tNow, pLim);
  if (s && s->nAttempt > 0) s->nAttempt--;
  pthread_mutex_unlock(&g_thMutex);
}

/* ---- limits per client address ----
 *
 * Actions that cost the server (a password hash, a stored message and an
 * e-mail) but need no account are counted per client address in the
 * table above, in a fixed window, without locks. */

int64_t kg_api_ip_limit(struct kg_req *r, char cKind, int nMax, int nWindowSec) {
  if (nMax <= 0) return 0;
  struct th_limits lim = {(int64_t)nWindowSec * 1000, 0};
  unsigned char aKey[TH_KEY_BYTES];
  th_key_ip(cKind, kg_req_client_ip(r), aKey);
  int64_t tNow = kg_time_mono_ms(), nWait = 0;
  int bFirst = 0; /* the window's first refusal: the one logged */
  pthread_mutex_lock(&g_thMutex);
  struct th_slot *s = th_slot(aKey, 1, NULL, tNow, &lim);
  th_wait(s, tNow, &lim); /* a window that has passed starts over */
  if (s->nAttempt == 0) s->nLock = 0;
  if (s->nAttempt >= nMax) {
    nWait = s->tWindow + lim.nWindowMs - tNow;
    if (nWait < 1) nWait = 1;
    bFirst = !s->nLock;
    s->nLock = 1;
  } else {
    s->nAttempt++;
    s->tLast = tNow;
  }
  pthread_mutex_unlock(&g_thMutex);
  if (bFirst) {
    char zHex[9];
    kg_hex_encode(aKey, 4, zHex);
    kg_log_info("limit reached key=%c:%s max=%d", cKind, zHex, nMax);
  }
  return nWait ? (nWait + 999) / 1000 : 0;
}

/* ---- session state ---- */

static void session_free(void *p) {
  kg_auth_memzero(p, sizeof(struct kg_api_session));
  free(p);
}

struct kg_api_session *kg_api_session(struct kg_req *r) {
  return kg_req_user(r);
}

const struct kg_account *kg_api_account(struct kg_req *r) {
  struct kg_api_session *s = kg_api_session(r);
  return s && s->bLoggedIn ? &s->account : NULL;
}

int kg_api_is_moderator(struct kg_req *r) {
  const struct kg_account *p = kg_api_account(r);
  return p && kg_auth_role_at_least(p->zRole, "moderator");
}

enum kg_lang kg_api_request_lang(struct kg_req *r) {
  enum kg_lang eLang;
  if (kg_lang_from_tag(kg_req_cookie(r, "lang"), &eLang)) return eLang;
  return kg_lang_negotiate(kg_req_header(r, "Accept-Language"));
}

int64_t kg_api_session_lifetime(struct kg_req *r) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  int nHours = pCfg && pCfg->nSessionHours > 0 ? pCfg->nSessionHours : DEFAULT_SESSION_HOURS;
  return (int64_t)nHours * 3600;
}

/* Adds Set-Cookie for the session cookie: zToken for nMaxAge seconds, or a
 * clearing cookie when zToken is NULL. */
static void set_cookie(struct kg_req *r, const char *zToken, int64_t nMaxAge) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  char zCookie[160];
  snprintf(zCookie, sizeof(zCookie), "session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%lld%s",
           zToken ? zToken : "", zToken ? (long long)nMaxAge : 0LL,
           pCfg && pCfg->bSecureCookie ? "; Secure" : "");
  kg_reply_header(r, "Set-Cookie", zCookie);
  kg_auth_memzero(zCookie, sizeof(zCookie));
}

/* After sign-in the pages speak the account's language: the `lang` cookie
 * of the language switch (web/js/lang.js reads it, so not HttpOnly) is set
 * to it, for a year as the switch sets it — unless the browser has one: a
 * choice made in this browser (the switch) stays, and signing in does not
 * change the account either (only the switch and PATCH /api/v1/me do). */
static void lang_cookie(struct kg_req *r, const struct kg_account *pAcc) {
  const struct kg_config *pCfg = kg_api_cfg(r);
  enum kg_lang eLang = kg_lang_parse(pAcc->zLanguage), eChosen;
  char zCookie[120];
  if (kg_lang_from_tag(kg_req_cookie(r, "lang"), &eChosen)) return;
  snprintf(zCookie, sizeof(zCookie), "lang=%s; Path=/; SameSite=Lax; Max-Age=%d%s",
           kg_lang_tag(eLang), 365 * 24 * 3600, pCfg && pCfg->bSecureCookie ? "; Secure" : "");
  kg_reply_header(r, "Set-Cookie", zCookie);
}

static int method_is_safe(const char *zMethod) {
  return strcmp(zMethod, "GET") == 0 || strcmp(zMethod, "HEAD") == 0 ||
         strcmp(zMethod, "OPTIONS") == 0;
}

/* Looks up the session behind the cookie (if any) into s. KG_OK also when
 * there is no usable session: s->bLoggedIn says which. */
static enum kg_err resolve(struct kg_req *r, struct kg_api_session *s, int64_t tNow) {
  const char *zCookie = kg_req_cookie(r, "session");
  if (!zCookie || !kg_auth_token_well_formed(zCookie)) return KG_OK;
  struct kg_store *pStore = kg_store_thread();
  if (!pStore) return KG_EDB;
  struct kg_session sess;
  kg_auth_token_hash(zCookie, s->aTokenHash);
  enum kg_err rc = kg_store_session_get(pStore, s->aTokenHash, tNow, &sess, &s->account);
  if (rc == KG_ENOTFOUND) return KG_OK; /* unknown or expired: anonymous */
  if (rc != KG_OK) return rc;
  s->bLoggedIn = 1;
  s->expiresAt = sess.expiresAt;
  snprintf(s->zCsrf, sizeof(s->zCsrf), "%s", sess.zCsrf);
  kg_auth_memzero(&sess, sizeof(sess));
  return KG_OK;
}

/* Extends a session past half its life and re-sends the cookie. Not for
 * logging in or out, which set the cookie themselves. A failure only costs
 * the extension. */
static void renew(struct kg_req *r, const struct kg_route *pRoute, struct kg_api_session *s,
                  int64_t tNow) {
  int64_t nLife = kg_api_session_lifetime(r);
  if (s->expiresAt - tNow >= nLife / 2) return;
  if (pRoute->xHandler == kg_api_session_create || pRoute->xHandler == kg_api_session_delete)
    return;
  struct kg_store *pStore = kg_store_thread();
  int64_t expiresAt = tNow + nLife;
  enum kg_err rc = pStore ? kg_store_session_touch(pStore, s->aTokenHash, expiresAt) : KG_EDB;
  if (rc != KG_OK) {
    kg_log_warn("session renewal failed account=%lld err=%s", (long long)s->account.id,
                kg_err_name(rc));
    return;
  }
  s->expiresAt = expiresAt;
  set_cookie(r, kg_req_cookie(r, "session"), nLife);
}

/* Seconds after a write during which a client without a session reads the
 * database, not a replica (its own write may not be there yet): a bound on
 * the replicas' lag the deployment keeps (README, "PostgreSQL"). */
#define KG_API_READ_OWN_WRITES_SEC 10

/* With --db-replica: a read any visitor may make (no session cookie, no
 * write of its own a moment ago) is answered from a replica (kg_api_store);
 * a write, signed in or not, keeps the browser's next reads on the
 * database for a while, so that it reads its own write. */
static void route_reads(struct kg_req *r, struct kg_api_session *s) {
  if (method_is_safe(kg_req_method(r))) {
    s->bReplicaRead = !kg_req_cookie(r, "session") && !kg_req_cookie(r, "kg_rw");
    return;
  }
  char zCookie[96];
  snprintf(zCookie, sizeof(zCookie), "kg_rw=1; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s",
           KG_API_READ_OWN_WRITES_SEC, kg_api_cfg(r)->bSecureCookie ? "; Secure" : "");
  kg_reply_header(r, "Set-Cookie", zCookie);
}

int kg_api_before(struct kg_req *r, const struct kg_route *pRoute) {
  struct kg_api_session *s = kg_xcalloc(1, sizeof(*s));
  kg_req_set_user(r, s, session_free);
  int64_t tNow = kg_time_now();
  enum kg_err rc = resolve(r, s, tNow);
  if (rc != KG_OK) {
    kg_log_error("session lookup failed path=%s err=%s", kg_req_path(r), kg_err_name(rc));
    kg_reply_err(r, KG_EDOWN, NULL); /* 503 with Retry-After */
    return 0;
  }
  /* A cookie rides along on cross-site requests too: a mutating request
   * that uses the session must prove it comes from our own pages. */
  if (s->bLoggedIn && !method_is_safe(kg_req_method(r)) &&
      !kg_auth_csrf_equal(s->zCsrf, kg_req_header(r, "X-CSRF-Token"))) {
    kg_reply_code(r, KG_P_CSRF_FAILED, "CSRF token missing or wrong");
    return 0;
  }
  unsigned flags = pRoute->flags;
  if ((flags & (KG_ROUTE_LOGIN | KG_ROUTE_MODERATOR | KG_ROUTE_ADMIN)) && !s->bLoggedIn) {
    kg_reply_code(r, KG_P_LOGIN_REQUIRED, "you need to log in first");
    return 0;
  }
  if ((flags & KG_ROUTE_MODERATOR) && !kg_auth_role_at_least(s->account.zRole, "moderator")) {
    kg_reply_code(r, KG_P_MODERATOR_REQUIRED, "this action needs the moderator role");
    return 0;
  }
  if ((flags & KG_ROUTE_ADMIN) && !kg_auth_role_at_least(s->account.zRole, "admin")) {
    kg_reply_code(r, KG_P_ADMIN_REQUIRED, "this action needs the admin role");
    return 0;
  }
  if (s->bLoggedIn) renew(r, pRoute, s, tNow);
  if (kg_store_has_replicas()) route_reads(r, s);
  return 1;
}

/* ---- handlers ---- */

/* {account, csrf_token}; not to be cached anywhere. */
static void reply_session(struct kg_req *r, unsigned status, const struct kg_account *pAcc,
                          const char *zCsrf) {
  kg_reply_header(r, "Cache-Control", "no-store");
  kg_reply_json(r, status,
                json_pack("{s:o, s:s}", "account", kg_api_account_json(pAcc), "csrf_token", zCsrf));
}

void kg_api_session_create(struct kg_req *r) {
  char zEmail[256];
  const char *zPassword;
  /* not the password rule: a login checks the password it is given */
  const struct kg_api_field aField[] = {
      KG_API_F_TRIM("email", KG_API_REQUIRED, 254, zEmail),
      KG_API_F_STR("password", KG_API_REQUIRED, KG_AUTH_PASSWORD_MAX_BYTES, &zPassword),
  };
  if (!kg_api_body(r, aField, KG_API_NFIELD(aField))) return;
  struct kg_store *pStore = kg_api_store_primary(r);
  if (!pStore) return;

  /* before any password work: a locked key is refused whatever the password */
  struct th_limits lim;
  unsigned char aEmailKey[TH_KEY_BYTES], aIpKey[TH_KEY_BYTES];
  th_limits(r, &lim);
  th_key_email(zEmail, aEmailKey);
  th_key_ip('i', kg_req_client_ip(r), aIpKey);
  int64_t nWait = th_attempt(aEmailKey, aIpKey, &lim);
  if (nWait) {
    kg_log_info("login refused reason=throttled");
    kg_api_reply_retry(r, nWait, "too many failed attempts to log in");
    return;
  }

  struct kg_account acc;
  char zHash[256];
  enum kg_err rc = kg_auth_email_valid(zEmail)
                       ? kg_store_account_by_email(pStore, zEmail, &acc, zHash, sizeof(zHash))
                       : KG_ENOTFOUND;
  if (rc == KG_ENOTFOUND) {
    /* the same work and the same answer as a wrong password */
    kg_auth_password_verify_dummy(zPassword);
    kg_log_info("login refused reason=credentials");
    kg_reply_code(r, KG_P_BAD_CREDENTIALS, zBadCredentials);
    return;
  }
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot check the credentials");
    return;
  }
  if (!kg_auth_password_verify(zHash, zPassword)) {
    kg_log_info("login refused reason=credentials");
    kg_reply_code(r, KG_P_BAD_CREDENTIALS, zBadCredentials);
    return;
  }
  th_success(aEmailKey, aIpKey, &lim);
  if (kg_auth_password_needs_rehash(zHash)) {
    char zNew[KG_AUTH_HASH_SIZE];
    if (kg_auth_password_hash(zPassword, zNew, sizeof(zNew)) != KG_OK ||
        kg_store_account_set_password(pStore, acc.id, zNew) != KG_OK)
      kg_log_warn("password rehash failed account=%lld", (long long)acc.id);
  }

  /* a pending link from a sign-in through the identity provider: this
   * password proves the account is the person's */
  int bLinked = 0;
  if (kg_api_oidc_link_after_login(r, acc.id, &bLinked) != KG_OK) goto out;
  /* the provider's attested name now stands on the account */
  if (bLinked && (rc = kg_store_account_get(pStore, acc.id, &acc)) != KG_OK) {
    kg_reply_err(r, rc, "cannot read the account");
    goto out;
  }
  if (kg_api_session_start(r, &acc, bLinked) != KG_OK) goto out;
  kg_log_info("login account=%lld", (long long)acc.id);
out:
  kg_auth_memzero(zHash, sizeof(zHash));
}

enum kg_err kg_api_session_start(struct kg_req *r, const struct kg_account *pAcc, int bLinked) {
  struct kg_api_session *s = kg_api_session(r);
  struct kg_store *pStore = kg_api_store_primary(r);
  if (!pStore) return KG_EDB;
  char zToken[KG_AUTH_TOKEN_SIZE];
  unsigned char aTokenHash[KG_AUTH_TOKEN_HASH_BYTES];
  char zCsrf[KG_AUTH_CSRF_SIZE];
  int64_t nLife = kg_api_session_lifetime(r);
  kg_auth_token_new(zToken);
  kg_auth_token_hash(zToken, aTokenHash);
  kg_auth_csrf_new(zCsrf);
  enum kg_err rc =
      kg_store_session_insert(pStore, aTokenHash, pAcc->id, zCsrf, kg_time_now() + nLife);
  if (rc != KG_OK) {
    kg_reply_err(r, rc, "cannot start the session");
    goto out;
  }
  /* logging in again replaces the session this browser had */
  if (s && s->bLoggedIn && kg_store_session_delete(pStore, s->aTokenHash) != KG_OK)
    kg_log_warn("old session not deleted account=%lld", (long long)s->account.id);
  set_cookie(r, zToken, nLife);
  lang_cookie(r, pAcc);
  if (!kg_req_replied(r) && strcmp(kg_req_method(r), "POST") == 0) {
    kg_reply_header(r, "Cache-Control", "no-store");
    kg_reply_json(r, 200,
                  json_pack("{s:o, s:s, s:b}", "account", kg_api_account_json(pAcc), "csrf_token",
                            zCsrf, "linked", bLinked));
  }
out:
  kg_auth_memzero(zToken, sizeof(zToken));
  kg_auth_memzero(zCsrf, sizeof(zCsrf));
  return rc;
}

void kg_api_session_get(struct kg_req *r) {
  struct kg_api_session *s = kg_api_session(r);
  if (!s || !s->bLoggedIn) {
    kg_reply_code(r, KG_P_LOGIN_REQUIRED, "not logged in");
    return;
  }
  reply_session(r, 200, &s->account, s->zCsrf);
}

void kg_api_session_delete(struct kg_req *r) {
  struct kg_api_session *s = kg_api_session(r);
  if (s && s->bLoggedIn) {
    struct kg_store *pStore = kg_api_store_primary(r);
    if (!pStore) return;
    enum kg_err rc = kg_store_session_delete(pStore, s->aTokenHash);
    if (rc != KG_OK && rc != KG_ENOTFOUND) {
      kg_reply_err(r, rc, "cannot end the session");
      return;
    }
    kg_log_info("logout account=%lld", (long long)s->account.id);
  }
  /* clear the cookie in any case: logging out twice is not an error */
  set_cookie(r, NULL, 0);
  kg_reply_empty(r, 204);
}

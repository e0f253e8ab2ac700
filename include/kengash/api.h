/* api.h: the application's resources over HTTP. The api layer owns the
 * route table and the before-dispatch hook (sessions, CSRF, roles) that the
 * http layer calls; handlers validate input, call store/geo/auth and render
 * JSON. */
#ifndef KENGASH_API_H
#define KENGASH_API_H

#include <stddef.h>

#include "kengash/config.h"
#include "kengash/http.h"

/* Shared, read-only application state handed to every handler. */
struct kg_app {
  const struct kg_config *pCfg;
  struct kg_oidc *pOidc;  /* the identity provider (--oidc-issuer); NULL when none */
  const char *zOidcLabel; /* its sign-in button's text */
  /* the key of holder identifiers' hashes (--holder-key-file), 32 bytes */
  const unsigned char *aHolderKey;
  /* the main listener, for /metrics (NULL until it runs) */
  struct kg_http_server *pHttp;
  /* the base map (tiles.c): an MBTiles file served at /tiles/
   * (--tiles-mbtiles), or a tile server's XYZ URL (--tiles) with its
   * attribution and highest zoom; all NULL: no base map */
  struct kg_tiles *pTiles;
  const char *zTilesUrl;
  const char *zTilesAttribution;
  int nTilesMaxZoom;
};

/* The route table (static, lives for the program). */
const struct kg_route *kg_api_routes(size_t *pnRoute /* OUT */);
/* The route table of the metrics listener (--metrics-listen): GET
 * /metrics only, without a token, no before hook needed. */
const struct kg_route *kg_api_metrics_routes(size_t *pnRoute /* OUT */);
/* The before hook for kg_http_config.xBefore. */
int kg_api_before(struct kg_req *r, const struct kg_route *pRoute);
/* Frees this thread's per-thread api state (geo contexts); safe to call twice. */
void kg_api_thread_cleanup(void);
/* The mail worker's step (kg_mail_add_step) that queues receipts, status
 * e-mails and followers' e-mails from new comments and stage changes
 * (notify.c); pArg is the struct kg_config. */
struct kg_store;
void kg_api_notify_step(struct kg_store *p, void *pArg);

#endif

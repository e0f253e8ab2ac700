/* http_guard.h: the http layer's defence against slow clients (internal
 * to src/http/): a deadline for the request head, a limit of connections
 * per network prefix (IPv4 /32, IPv6 /64) and a cap on connections still
 * sending their head. http.c calls it from libmicrohttpd's callbacks. */
#ifndef KENGASH_HTTP_GUARD_H
#define KENGASH_HTTP_GUARD_H

#include <microhttpd.h>
#include <sys/socket.h>

struct http_guard;

/* A guard: the head must be in within nHeaderSec of the connection's start
 * (or of the end of its previous request); at most nPerPrefix connections
 * per prefix (0: no limit); at most nMaxHead connections sending their
 * head (0: no cap), the one waiting longest being closed for a newcomer.
 * Starts its sweeper thread. Returns NULL when the thread cannot start.
 * Owned by the caller: http_guard_free. */
struct http_guard *http_guard_new(unsigned nHeaderSec, unsigned nPerPrefix, unsigned nMaxHead);
/* Stops the sweeper and frees the guard; call after the daemon stopped. */
void http_guard_free(struct http_guard *p);

/* The callbacks below do nothing when p is NULL (a server failing to start).
 * MHD_OPTION_APC: 1 to accept a connection from pAddr, 0 when its prefix
 * has nPerPrefix connections already. */
int http_guard_accept(struct http_guard *p, const struct sockaddr *pAddr, socklen_t nAddr);
/* MHD_CONNECTION_NOTIFY_STARTED / _CLOSED: *ppSocket is the connection's
 * socket context, which the guard owns. */
void http_guard_started(struct http_guard *p, struct MHD_Connection *pConn, void **ppSocket);
void http_guard_closed(struct http_guard *p, void **ppSocket);
/* The request head of pConn is in (the first access call). */
void http_guard_head_done(struct http_guard *p, struct MHD_Connection *pConn);
/* A request of pConn finished: on keep-alive the next head's time starts. */
void http_guard_request_done(struct http_guard *p, struct MHD_Connection *pConn);

#endif

/* api_handlers.h: the handlers of the api layer that routes.c puts in the
 * route table (internal to src/api/). Each replies exactly once. */
#ifndef KENGASH_API_HANDLERS_H
#define KENGASH_API_HANDLERS_H

#include "kengash/http.h"

/* service.c */
void kg_api_healthz(struct kg_req *r);
void kg_api_stats(struct kg_req *r);
/* metrics.c: 404 unless --metrics-token, then 401 without it */
void kg_api_metrics(struct kg_req *r);
/* projects.c */
void kg_api_project_kinds(struct kg_req *r);
void kg_api_projects_create(struct kg_req *r);
void kg_api_projects_list(struct kg_req *r);
void kg_api_projects_get(struct kg_req *r);
void kg_api_documents_upload(struct kg_req *r);
void kg_api_documents_get(struct kg_req *r);
/* discussions.c */
void kg_api_discussions_list(struct kg_req *r);
void kg_api_discussions_get(struct kg_req *r);
void kg_api_discussions_create(struct kg_req *r);
void kg_api_discussions_transition(struct kg_req *r);
/* addresses.c */
void kg_api_addresses_search(struct kg_req *r); /* GET /api/v1/addresses (anyone) */
/* tiles.c: the base map's configuration and the MBTiles tiles (anyone) */
void kg_api_map_config(struct kg_req *r);
void kg_api_tiles_get(struct kg_req *r);

#endif

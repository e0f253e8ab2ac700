/* api_ogc.h: the open-data handlers (ogc.c): OGC API - Features Part 1
 * (Core, GeoJSON, HTML, OpenAPI 3.0) and Part 2 (CRS by Reference) under
 * /ogc/, and the streamed CSV export of a discussion's published comments.
 * Put in the route table by routes.c. Internal to src/api/. */
#ifndef KENGASH_API_OGC_H
#define KENGASH_API_OGC_H

#include "kengash/http.h"

void kg_api_ogc_landing(struct kg_req *r);     /* GET /ogc and /ogc/ */
void kg_api_ogc_openapi(struct kg_req *r);     /* GET /ogc/api */
void kg_api_ogc_conformance(struct kg_req *r); /* GET /ogc/conformance */
void kg_api_ogc_collections(struct kg_req *r); /* GET /ogc/collections */
void kg_api_ogc_collection(struct kg_req *r);  /* GET /ogc/collections/{cid} */
void kg_api_ogc_items(struct kg_req *r);       /* GET /ogc/collections/{cid}/items */
void kg_api_ogc_item(struct kg_req *r);        /* GET /ogc/collections/{cid}/items/{fid} */
void kg_api_ogc_crs(struct kg_req *r);         /* GET /ogc/crs/{name}: local CRS definitions */
void kg_api_comments_csv(struct kg_req *r);    /* GET /api/v1/discussions/{id}/comments.csv */

#endif

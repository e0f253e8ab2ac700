/* routes.c: the route table — every path the API answers, its method,
 * handler, access flags and body limit, read top to bottom. */
#include "api_auth.h"
#include "api_handlers.h"
#include "kengash/api.h"

#define KB 1024
#define MB (1024 * 1024)

static const struct kg_route aRoute[] = {
    /* service */
    {"GET", "/healthz", kg_api_healthz, 0, 0},
    {"GET", "/api/v1/stats", kg_api_stats, 0, 0},

    /* accounts and sessions */
    {"POST", "/api/v1/accounts", kg_api_accounts_create, 0, 16 * KB},
    {"POST", "/api/v1/session", kg_api_session_create, 0, 16 * KB},
    {"GET", "/api/v1/session", kg_api_session_get, 0, 0},
    {"DELETE", "/api/v1/session", kg_api_session_delete, 0, 0},
    {"GET", "/api/v1/me", kg_api_me, KG_ROUTE_LOGIN, 0},

    /* projects and documents */
    {"GET", "/api/v1/project-kinds", kg_api_project_kinds, 0, 0},
    {"GET", "/api/v1/projects", kg_api_projects_list, 0, 0},
    {"POST", "/api/v1/projects", kg_api_projects_create, KG_ROUTE_MODERATOR, 64 * KB},
    {"GET", "/api/v1/projects/{id}", kg_api_projects_get, 0, 0},
    /* the upload limit is --max-upload (kg_http_config.nMaxUpload) */
    {"POST", "/api/v1/projects/{id}/documents", kg_api_documents_upload,
     KG_ROUTE_MODERATOR | KG_ROUTE_TO_FILE, 0},
    {"GET", "/api/v1/documents/{id}", kg_api_documents_get, 0, 0},

    /* discussions */
    {"GET", "/api/v1/discussions", kg_api_discussions_list, 0, 0},
    {"POST", "/api/v1/discussions", kg_api_discussions_create, KG_ROUTE_MODERATOR, 4 * MB},
    {"GET", "/api/v1/discussions/{id}", kg_api_discussions_get, 0, 0},
    {"POST", "/api/v1/discussions/{id}/transitions", kg_api_discussions_transition,
     KG_ROUTE_MODERATOR, 16 * KB},
};

const struct kg_route *kg_api_routes(size_t *pnRoute) {
  *pnRoute = sizeof(aRoute) / sizeof(aRoute[0]);
  return aRoute;
}

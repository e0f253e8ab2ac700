/* routes.c: the route table — every path the API answers, its method,
 * handler, access flags and body limit, read top to bottom. */
#include "api_auth.h"
#include "api_comments.h"
#include "api_handlers.h"
#include "api_mail.h"
#include "api_ogc.h"
#include "api_participants.h"
#include "api_reports.h"
#include "api_support.h"
#include "kengash/api.h"

#define KB 1024
#define MB (1024 * 1024)

static const struct kg_route aRoute[] = {
    /* service */
    {"GET", "/healthz", kg_api_healthz, 0, 0},
    {"GET", "/api/v1/stats", kg_api_stats, 0, 0},
    {"GET", "/metrics", kg_api_metrics, 0, 0},

    /* accounts and sessions */
    {"POST", "/api/v1/accounts", kg_api_accounts_create, 0, 16 * KB},
    {"GET", "/api/v1/accounts", kg_api_accounts_list, KG_ROUTE_ADMIN, 0},
    {"PUT", "/api/v1/accounts/{id}/role", kg_api_accounts_set_role, KG_ROUTE_ADMIN, 1 * KB},
    {"POST", "/api/v1/session", kg_api_session_create, 0, 16 * KB},
    {"GET", "/api/v1/session", kg_api_session_get, 0, 0},
    {"DELETE", "/api/v1/session", kg_api_session_delete, 0, 0},
    {"GET", "/api/v1/me", kg_api_me, KG_ROUTE_LOGIN, 0},
    /* sign-in through the identity provider (oidc.c) */
    {"GET", "/api/v1/auth/providers", kg_api_auth_providers, 0, 0},
    {"GET", "/auth/oidc/login", kg_api_oidc_login, 0, 0},
    {"GET", "/auth/oidc/callback", kg_api_oidc_callback, 0, 0},
    {"POST", "/api/v1/password-resets", kg_api_password_reset_request, 0, 4 * KB},
    {"POST", "/api/v1/password-resets/{token}", kg_api_password_reset_confirm, 0, 4 * KB},

    /* messages to technical support (support.c): anyone sends, staff read */
    {"POST", "/api/v1/support-messages", kg_api_support_create, 0, 64 * KB},
    {"GET", "/api/v1/support-messages", kg_api_support_list, KG_ROUTE_MODERATOR, 0},
    {"GET", "/api/v1/support-messages/{id}", kg_api_support_get, KG_ROUTE_MODERATOR, 0},

    /* residences, properties and their verification (participants.c) */
    {"GET", "/api/v1/me/residence", kg_api_me_residence_get, KG_ROUTE_LOGIN, 0},
    {"PUT", "/api/v1/me/residence", kg_api_me_residence_put, KG_ROUTE_LOGIN, 16 * KB},
    {"GET", "/api/v1/me/properties", kg_api_me_properties_list, KG_ROUTE_LOGIN, 0},
    {"POST", "/api/v1/me/properties", kg_api_me_properties_add, KG_ROUTE_LOGIN, 1 * MB},
    {"POST", "/api/v1/accounts/{id}/residence/verification", kg_api_residence_verify,
     KG_ROUTE_MODERATOR, 16 * KB},
    {"POST", "/api/v1/accounts/{id}/properties/{pid}/verification", kg_api_property_verify,
     KG_ROUTE_MODERATOR, 16 * KB},
    {"GET", "/api/v1/moderation/verifications", kg_api_verification_queue, KG_ROUTE_MODERATOR, 0},
    /* suggestions from the address register (addresses.c) */
    {"GET", "/api/v1/addresses", kg_api_addresses_search, 0, 0},
    /* the base map: its configuration, and tiles from --tiles-mbtiles (tiles.c) */
    {"GET", "/api/v1/map-config", kg_api_map_config, 0, 0},
    {"GET", "/tiles/{z}/{x}/{file}", kg_api_tiles_get, 0, 0},

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
    {"GET", "/api/v1/discussions/{id}/eligibility", kg_api_discussion_eligibility, KG_ROUTE_LOGIN,
     0},

    /* comments, moderation and the moderation log (comments.c) */
    {"GET", "/api/v1/discussions/{id}/comments", kg_api_comments_list, 0, 0},
    {"GET", "/api/v1/discussions/{id}/comments.geojson", kg_api_comments_geojson, 0, 0},
    {"GET", "/api/v1/discussions/{id}/comments.csv", kg_api_comments_csv, 0, 0},
    {"POST", "/api/v1/discussions/{id}/comments", kg_api_comments_create, KG_ROUTE_LOGIN, 128 * KB},
    {"GET", "/api/v1/comments/{id}", kg_api_comments_get, 0, 0},
    {"PUT", "/api/v1/comments/{id}", kg_api_comments_update, KG_ROUTE_LOGIN, 128 * KB},
    {"POST", "/api/v1/comments/{id}/withdrawal", kg_api_comments_withdraw, KG_ROUTE_LOGIN, 1 * KB},
    {"POST", "/api/v1/comments/{id}/moderation", kg_api_comments_moderate, KG_ROUTE_MODERATOR,
     16 * KB},
    {"POST", "/api/v1/comments/{id}/supports", kg_api_comments_support, KG_ROUTE_LOGIN, 1 * KB},
    {"GET", "/api/v1/me/comments", kg_api_me_comments, KG_ROUTE_LOGIN, 0},
    {"GET", "/api/v1/moderation/log", kg_api_moderation_log, KG_ROUTE_MODERATOR, 0},
    {"GET", "/api/v1/moderation/reasons", kg_api_moderation_reasons, 0, 0},

    /* the protocol, the conclusion and the participant's extract (reports.c) */
    {"GET", "/api/v1/discussions/{id}/protocol", kg_api_protocol_get, 0, 0},
    {"GET", "/api/v1/discussions/{id}/protocol.json", kg_api_protocol_json, 0, 0},
    {"GET", "/api/v1/discussions/{id}/protocol.html", kg_api_protocol_html, 0, 0},
    {"GET", "/api/v1/discussions/{id}/protocol.pdf", kg_api_protocol_pdf, 0, 0},
    {"GET", "/api/v1/discussions/{id}/protocol/versions", kg_api_protocol_versions, 0, 0},
    {"POST", "/api/v1/discussions/{id}/protocol/versions", kg_api_protocol_reissue,
     KG_ROUTE_MODERATOR, 8 * KB},
    {"GET", "/api/v1/discussions/{id}/protocol/participants", kg_api_protocol_participants,
     KG_ROUTE_MODERATOR, 0},
    {"GET", "/api/v1/discussions/{id}/conclusion", kg_api_conclusion_get, 0, 0},
    {"PUT", "/api/v1/discussions/{id}/conclusion", kg_api_conclusion_put, KG_ROUTE_MODERATOR,
     96 * KB},
    {"GET", "/api/v1/discussions/{id}/conclusion.json", kg_api_conclusion_json, 0, 0},
    {"GET", "/api/v1/discussions/{id}/conclusion.html", kg_api_conclusion_html, 0, 0},
    {"GET", "/api/v1/discussions/{id}/conclusion.pdf", kg_api_conclusion_pdf, 0, 0},
    {"GET", "/api/v1/discussions/{id}/conclusion/versions", kg_api_conclusion_versions, 0, 0},
    {"GET", "/api/v1/discussions/{id}/conclusion/draft", kg_api_conclusion_draft,
     KG_ROUTE_MODERATOR, 0},
    {"PUT", "/api/v1/discussions/{id}/conclusion/items/{cid}", kg_api_conclusion_item_put,
     KG_ROUTE_MODERATOR, 32 * KB},
    {"GET", "/api/v1/me/extract", kg_api_me_extract, KG_ROUTE_LOGIN, 0},
    {"GET", "/api/v1/me/extract.pdf", kg_api_me_extract_pdf, KG_ROUTE_LOGIN, 0},
    {"GET", "/api/v1/me/extract.html", kg_api_me_extract_html, KG_ROUTE_LOGIN, 0},

    /* open data: OGC API - Features (ogc.c) */
    {"GET", "/ogc", kg_api_ogc_landing, 0, 0},
    {"GET", "/ogc/", kg_api_ogc_landing, 0, 0},
    {"GET", "/ogc/api", kg_api_ogc_openapi, 0, 0},
    {"GET", "/ogc/conformance", kg_api_ogc_conformance, 0, 0},
    {"GET", "/ogc/collections", kg_api_ogc_collections, 0, 0},
    {"GET", "/ogc/collections/{cid}", kg_api_ogc_collection, 0, 0},
    {"GET", "/ogc/collections/{cid}/items", kg_api_ogc_items, 0, 0},
    {"GET", "/ogc/collections/{cid}/items/{fid}", kg_api_ogc_item, 0, 0},
    {"GET", "/ogc/crs/{name}", kg_api_ogc_crs, 0, 0},
};

const struct kg_route *kg_api_routes(size_t *pnRoute) {
  *pnRoute = sizeof(aRoute) / sizeof(aRoute[0]);
  return aRoute;
}

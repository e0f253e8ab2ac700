/* routes.c: the route table — every path the API answers, its method,
 * handler, access flags and body limit, read top to bottom. */
#include "api_auth.h"
#include "api_comments.h"
#include "api_dept.h"
#include "api_handlers.h"
#include "api_mail.h"
#include "api_notify.h"
#include "api_ogc.h"
#include "api_participants.h"
#include "api_reports.h"
#include "api_round.h"
#include "api_support.h"
#include "api_alerts.h"
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
    {"GET", "/api/v1/admin/accounts", kg_api_admin_accounts, KG_ROUTE_ADMIN, 0}, /* admin.c */
    {"POST", "/api/v1/session", kg_api_session_create, 0, 16 * KB},
    {"GET", "/api/v1/session", kg_api_session_get, 0, 0},
    {"DELETE", "/api/v1/session", kg_api_session_delete, 0, 0},
    {"GET", "/api/v1/me", kg_api_me, KG_ROUTE_LOGIN, 0},
    {"PATCH", "/api/v1/me", kg_api_me_update, KG_ROUTE_LOGIN, 1 * KB},
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
    /* the console's inbox: answers and status (inbox.c) */
    {"GET", "/api/v1/support-messages/{id}/replies", kg_api_support_replies, KG_ROUTE_MODERATOR, 0},
    {"POST", "/api/v1/support-messages/{id}/replies", kg_api_support_reply, KG_ROUTE_MODERATOR,
     64 * KB},
    {"PUT", "/api/v1/support-messages/{id}/status", kg_api_support_status, KG_ROUTE_MODERATOR,
     1 * KB},

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
    /* area alerts for anyone, with or without an account (alerts.c) */
    {"POST", "/api/v1/alerts", kg_api_alerts_create, 0, 64 * KB},
    {"POST", "/api/v1/alert-confirmations/{token}", kg_api_alerts_confirm, 0, 1 * KB},
    {"GET", "/api/v1/alerts/{token}", kg_api_alerts_get, 0, 0},
    {"PUT", "/api/v1/alerts/{token}", kg_api_alerts_update, 0, 4 * KB},
    {"DELETE", "/api/v1/alerts/{token}", kg_api_alerts_delete, 0, 0},
    {"POST", "/api/v1/alerts/{token}/unsubscribe", kg_api_alerts_unsubscribe, 0, 1 * KB},
    {"GET", "/api/v1/alerts/{token}/unsubscribe", kg_api_alerts_unsubscribe_page, 0, 0},
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
    /* the moderator approves a draft's notice for the schedule (round.c) */
    {"POST", "/api/v1/discussions/{id}/schedule", kg_api_discussion_schedule, KG_ROUTE_MODERATOR,
     1 * KB},
    {"DELETE", "/api/v1/discussions/{id}/schedule", kg_api_discussion_unschedule,
     KG_ROUTE_MODERATOR, 0},

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
    /* appeals against a rejection (appeals.c) */
    {"POST", "/api/v1/comments/{id}/appeal", kg_api_appeal_create, KG_ROUTE_LOGIN, 16 * KB},
    {"GET", "/api/v1/me/appeals", kg_api_me_appeals, KG_ROUTE_LOGIN, 0},
    {"GET", "/api/v1/appeals", kg_api_appeals_list, KG_ROUTE_MODERATOR, 0},
    {"GET", "/api/v1/appeals/{id}", kg_api_appeals_get, KG_ROUTE_MODERATOR, 0},
    {"POST", "/api/v1/appeals/{id}/decision", kg_api_appeal_decide, KG_ROUTE_MODERATOR, 16 * KB},

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
    {"GET", "/api/v1/discussions/{id}/protocol/participants.html",
     kg_api_protocol_participants_html, KG_ROUTE_MODERATOR, 0},
    {"GET", "/api/v1/discussions/{id}/protocol/participants.pdf", kg_api_protocol_participants_pdf,
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
    /* the department-wide reasons for recommendations (round.c) */
    {"GET", "/api/v1/conclusion-reasons", kg_api_reasons_list, KG_ROUTE_MODERATOR, 0},
    {"POST", "/api/v1/conclusion-reasons", kg_api_reasons_add, KG_ROUTE_MODERATOR, 8 * KB},
    {"GET", "/api/v1/me/extract", kg_api_me_extract, KG_ROUTE_LOGIN, 0},
    {"GET", "/api/v1/me/extract.pdf", kg_api_me_extract_pdf, KG_ROUTE_LOGIN, 0},
    {"GET", "/api/v1/me/extract.html", kg_api_me_extract_html, KG_ROUTE_LOGIN, 0},

    /* confirmed addresses, following, one-click unsubscribe, the personal-data
     * policy (notify.c) */
    {"POST", "/api/v1/me/email-confirmation", kg_api_email_confirmation_resend, KG_ROUTE_LOGIN,
     1 * KB},
    {"POST", "/api/v1/email-confirmations/{token}", kg_api_email_confirmation_use, 0, 1 * KB},
    {"GET", "/api/v1/discussions/{id}/follow", kg_api_follow_get, KG_ROUTE_LOGIN, 0},
    {"PUT", "/api/v1/discussions/{id}/follow", kg_api_follow_put, KG_ROUTE_LOGIN, 1 * KB},
    {"DELETE", "/api/v1/discussions/{id}/follow", kg_api_follow_delete, KG_ROUTE_LOGIN, 0},
    {"GET", "/api/v1/me/follows", kg_api_me_follows, KG_ROUTE_LOGIN, 0},
    {"GET", "/unsubscribe/{token}", kg_api_unsubscribe_get, 0, 0},
    {"POST", "/unsubscribe/{token}", kg_api_unsubscribe_post, 0, 1 * KB},
    {"GET", "/api/v1/privacy-policy", kg_api_privacy_policy, 0, 0},
    /* Atom feeds (feeds.c) and news (news.c) */
    {"GET", "/feeds/discussions.atom", kg_api_feed_discussions, 0, 0},
    {"GET", "/feeds/discussions/{id}/comments.atom", kg_api_feed_comments, 0, 0},
    {"GET", "/feeds/news.atom", kg_api_feed_news, 0, 0},
    {"GET", "/api/v1/news", kg_api_news_list, 0, 0},
    {"POST", "/api/v1/news", kg_api_news_create, KG_ROUTE_MODERATOR, 64 * KB},
    {"GET", "/api/v1/news/{id}", kg_api_news_get, 0, 0},
    {"DELETE", "/api/v1/news/{id}", kg_api_news_delete, KG_ROUTE_MODERATOR, 0},

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

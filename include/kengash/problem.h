/* problem.h: the stable machine codes of the API's refusals. Every
 * application/problem+json reply carries `code` (one of KG_PROBLEMS) beside
 * its English title and detail, and every entry of its errors[] carries
 * `code` (one of KG_REASONS) beside the field and the English message, so
 * pages show the refusal in the reader's language (web/js/api.js looks up
 * problem.<code> and problem.field.<code>). This is the one table of codes:
 * each with its status and its meaning in English; docs/api.md ("Problem
 * codes") lists the same (tests/api/test_problem_codes.py checks it). A
 * call site names a code by its enum constant, so a typo does not build.
 * Codes never change once published; add new ones at will. */
#ifndef KENGASH_PROBLEM_H
#define KENGASH_PROBLEM_H

/* X(name, code, status, meaning) */
#define KG_PROBLEMS(X)                                                                             \
  X(BAD_REQUEST, "bad_request", 400, "the request is malformed (its URL or a header)")             \
  X(BODY_REQUIRED, "body_required", 400, "a JSON object body is required")                         \
  X(INVALID_JSON, "invalid_json", 400, "the body is not valid JSON text, or not a JSON object")    \
  X(INVALID_PARAMETER, "invalid_parameter", 400, "a query parameter is wrong: see errors[]")       \
  X(LOGIN_REQUIRED, "login_required", 401, "the action needs a signed-in account")                 \
  X(BAD_CREDENTIALS, "bad_credentials", 401, "the e-mail or the password is wrong")                \
  X(TOKEN_REQUIRED, "token_required", 401, "the metrics need their bearer token")                  \
  X(CSRF_FAILED, "csrf_failed", 403, "the CSRF token is missing or wrong: reload the page")        \
  X(FORBIDDEN, "forbidden", 403, "the account may not do this")                                    \
  X(MODERATOR_REQUIRED, "moderator_required", 403, "the action needs the moderator role")          \
  X(ADMIN_REQUIRED, "admin_required", 403, "the action needs the admin role")                      \
  X(NOT_AUTHOR, "not_author", 403, "only the author may change or withdraw the comment")           \
  X(MODERATOR_ONLY_CHANNEL, "moderator_only_channel", 403,                                         \
    "only moderators enter proposals that came on paper, by e-mail or in the book")                \
  X(OWN_DATA, "own_data", 403, "a moderator cannot verify their own data")                         \
  X(OWN_REJECTION, "own_rejection", 403,                                                           \
    "the moderator who rejected a proposal cannot decide its "                                     \
    "appeal")                                                                                      \
  X(NOT_ELIGIBLE_NO_RESIDENCE, "not_eligible.no_residence", 403,                                   \
    "no place of residence or property is declared")                                               \
  X(NOT_ELIGIBLE_NOT_VERIFIED, "not_eligible.not_verified", 403,                                   \
    "the place of residence is not verified yet (or was refused)")                                 \
  X(NOT_ELIGIBLE_PROPERTY_NOT_VERIFIED, "not_eligible.property_not_verified", 403,                 \
    "the property inside the territory is not verified yet")                                       \
  X(NOT_ELIGIBLE_OUTSIDE, "not_eligible.outside", 403,                                             \
    "everything verified lies outside the discussion's territory")                                 \
  X(NOT_FOUND, "not_found", 404, "no such resource (or path)")                                     \
  X(NOT_CONFIGURED, "not_configured", 404, "the feature is not set up on this server")             \
  X(METHOD_NOT_ALLOWED, "method_not_allowed", 405, "the path does not accept that method")         \
  X(CONFLICT, "conflict", 409, "the request conflicts with the current state")                     \
  X(DISCUSSION_NOT_OPEN, "discussion_not_open", 409, "the discussion is not accepting proposals")  \
  X(DISCUSSION_FINAL, "discussion_final", 409, "the discussion is concluded or cancelled")         \
  X(WRONG_STATUS, "wrong_status", 409, "the item's status does not allow this action now")         \
  X(CHANGED_MEANWHILE, "changed_meanwhile", 409, "somebody changed the item meanwhile: reload it") \
  X(ALREADY_DONE, "already_done", 409, "this has been done already")                               \
  X(APPEAL_CLOSED, "appeal_closed", 409, "appeals are not accepted (here or any more)")            \
  X(LAST_ADMIN, "last_admin", 409, "the last admin cannot lose the admin role")                    \
  X(OWN_ADMIN_ROLE, "own_admin_role", 409, "an admin cannot give up the admin role themselves")    \
  X(GONE, "gone", 410, "the resource existed but is gone")                                         \
  X(LINK_EXPIRED, "link_expired", 410, "the link is not valid or has expired")                     \
  X(TOO_LARGE, "too_large", 413, "the body (or an item of it) is larger than its limit")           \
  X(UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", 415,                                         \
    "the body's Content-Type is not "                                                              \
    "accepted")                                                                                    \
  X(RANGE_NOT_SATISFIABLE, "range_not_satisfiable", 416, "the range is outside the file")          \
  X(VALIDATION_FAILED, "validation_failed", 422, "a field of the body is wrong: see errors[]")     \
  X(RATE_LIMITED, "rate_limited", 429, "too many requests: wait Retry-After seconds")              \
  X(INTERNAL_ERROR, "internal_error", 500, "the server failed; try again later")                   \
  X(UNAVAILABLE, "unavailable", 503, "a service the server needs is not available; try again")     \
  X(STORAGE_FULL, "storage_full", 503, "the server's storage is full; try again later")

enum kg_problem {
#define KG_PROBLEM_ENUM(name, code, status, meaning) KG_P_##name,
  KG_PROBLEMS(KG_PROBLEM_ENUM)
#undef KG_PROBLEM_ENUM
      KG_P_COUNT
};

/* X(name, code, meaning): why one field of errors[] is refused. The
 * entry carries max / min / allowed where its meaning names them. */
#define KG_REASONS(X)                                                                              \
  X(INVALID, "invalid", "the value is not acceptable (see message)")                               \
  X(REQUIRED, "required", "the field is required (and must not be empty)")                         \
  X(UNKNOWN_FIELD, "unknown_field", "the body has a member the endpoint does not know")            \
  X(WRONG_TYPE, "wrong_type", "the value has the wrong JSON type")                                 \
  X(NOT_TEXT, "not_text", "the text has control characters or is not UTF-8")                       \
  X(TOO_LONG, "too_long", "longer than max characters")                                            \
  X(TOO_LONG_BYTES, "too_long_bytes", "longer than max bytes")                                     \
  X(TOO_SHORT, "too_short", "shorter than min characters")                                         \
  X(TOO_MANY, "too_many", "more than max items")                                                   \
  X(NOT_A_NUMBER, "not_a_number", "not a whole number")                                            \
  X(OUT_OF_RANGE, "out_of_range", "a number outside min..max")                                     \
  X(NOT_ALLOWED, "not_allowed", "not one of the allowed values")                                   \
  X(INVALID_FORMAT, "invalid_format", "not written in the expected format (see message)")          \
  X(INVALID_EMAIL, "invalid_email", "not an e-mail address")                                       \
  X(INVALID_DATE, "invalid_date", "not an RFC 3339 date-time, or a date out of order")             \
  X(INVALID_GEOMETRY, "invalid_geometry", "not a usable GeoJSON geometry (see message)")           \
  X(OUTSIDE_AREA, "outside_area", "the place lies outside the area served")                        \
  X(WEAK_PASSWORD, "weak_password", "the password is not acceptable (see message)")                \
  X(MUST_ACCEPT, "must_accept", "the box must be ticked (true)")                                   \
  X(UNKNOWN_REFERENCE, "unknown_reference", "names an item that does not exist")                   \
  X(ALREADY_EXISTS, "already_exists", "the value is taken already")                                \
  X(NEEDS_OTHER, "needs_other", "given without the field it goes with, or with one it excludes")

enum kg_reason {
#define KG_REASON_ENUM(name, code, meaning) KG_R_##name,
  KG_REASONS(KG_REASON_ENUM)
#undef KG_REASON_ENUM
      KG_R_COUNT
};

const char *kg_problem_code(enum kg_problem p);
unsigned kg_problem_status(enum kg_problem p);
const char *kg_reason_code(enum kg_reason e);

/* One refused field: zField and the English zMessage, why (eReason), and
 * the limits the reason names (nMin/nMax when bRange or nMax != 0; the
 * NULL-terminated azAllowed for KG_R_NOT_ALLOWED). */
struct kg_field_error {
  const char *zField;
  const char *zMessage;
  enum kg_reason eReason;
  long long nMin, nMax;
  int bRange; /* min and max are both meant (nMin may be 0) */
  const char *const *azAllowed;
};

#endif

/* problem.c: the table of problem codes (kengash/problem.h) and the codes
 * that follow from a status or an error. */
#include "kengash/http.h"

struct problem_row {
  const char *zCode;
  unsigned status;
};

static const struct problem_row aProblem[KG_P_COUNT] = {
#define KG_PROBLEM_ROW(name, code, status, meaning) [KG_P_##name] = {code, status},
    KG_PROBLEMS(KG_PROBLEM_ROW)
#undef KG_PROBLEM_ROW
};

static const char *const azReason[KG_R_COUNT] = {
#define KG_REASON_ROW(name, code, meaning) [KG_R_##name] = code,
    KG_REASONS(KG_REASON_ROW)
#undef KG_REASON_ROW
};

const char *kg_problem_code(enum kg_problem p) {
  return (unsigned)p < KG_P_COUNT ? aProblem[p].zCode : "internal_error";
}

unsigned kg_problem_status(enum kg_problem p) {
  return (unsigned)p < KG_P_COUNT ? aProblem[p].status : 500;
}

const char *kg_reason_code(enum kg_reason e) {
  return (unsigned)e < KG_R_COUNT ? azReason[e] : "invalid";
}

enum kg_problem kg_problem_for_status(unsigned status) {
  switch (status) {
  case 400:
    return KG_P_BAD_REQUEST;
  case 401:
    return KG_P_LOGIN_REQUIRED;
  case 403:
    return KG_P_FORBIDDEN;
  case 404:
    return KG_P_NOT_FOUND;
  case 405:
    return KG_P_METHOD_NOT_ALLOWED;
  case 409:
    return KG_P_CONFLICT;
  case 410:
    return KG_P_GONE;
  case 413:
    return KG_P_TOO_LARGE;
  case 415:
    return KG_P_UNSUPPORTED_MEDIA_TYPE;
  case 416:
    return KG_P_RANGE_NOT_SATISFIABLE;
  case 422:
    return KG_P_VALIDATION_FAILED;
  case 429:
    return KG_P_RATE_LIMITED;
  case 503:
    return KG_P_UNAVAILABLE;
  default:
    return KG_P_INTERNAL_ERROR;
  }
}

enum kg_problem kg_problem_for_err(enum kg_err err) {
  switch (err) {
  case KG_EINVAL:
    return KG_P_VALIDATION_FAILED;
  case KG_EFULL:
    return KG_P_STORAGE_FULL;
  default:
    return kg_problem_for_status(kg_http_status_for_err(err));
  }
}

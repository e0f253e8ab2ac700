"""Machine codes of the API's refusals (issue 20), over real HTTP: a sweep of
one representative request per kind of refusal, each answered with the
stable `code` its kind has (and the same status as before); every errors[]
entry carries a code, with the limits it names; every code the server can
emit (the table, include/kengash/problem.h) is listed in docs/api.md
"Problem codes" and translated in web/js/i18n/{ru,tt,en}.js. conftest's
problem() checks the code of every refusal of the whole suite as well."""
import os
import re
import tempfile
import uuid

import pytest

from conftest import PASSWORD, ROOT, Server, free_port, problem, problem_codes, reason_codes
from test_comments import account, curl, discussion, resident
from test_eligibility import INSIDE

ME_PROPS = "/api/v1/me/properties"


def coded(r, status, code, field=None, reason=None):
    """Asserts r is the problem status with code (and field refused for reason)."""
    body = problem(r, status, field)
    assert body["code"] == code, body
    if field is not None:
        e = next(e for e in body["errors"] if e["field"] == field)
        assert e["code"] == reason, body
        return e
    return body


# ---- the table, the docs and the translations agree ----

def test_every_code_is_documented_and_translated():
    with open(os.path.join(ROOT, "docs", "api.md"), encoding="utf-8") as f:
        doc = f.read()
    section = doc[doc.index("## Problem codes"):]
    listed = set(re.findall(r"^\| `([a-z_.]+)` \|", section, re.M))
    assert problem_codes() | reason_codes() <= listed, sorted((problem_codes() | reason_codes()) - listed)
    assert len(problem_codes()) >= 35 and len(reason_codes()) >= 20
    for lang in ("ru", "tt", "en"):
        with open(os.path.join(ROOT, "web", "js", "i18n", lang + ".js"), encoding="utf-8") as f:
            keys = set(re.findall(r"^\s*'(problem\.[a-z_.]+)':", f.read(), re.M))
        want = {"problem." + c for c in problem_codes()} | {"problem.field." + c for c in reason_codes()}
        assert want <= keys, (lang, sorted(want - keys))
        # no stale keys for codes that do not exist any more
        assert keys <= want, (lang, sorted(keys - want))


# ---- the sweep ----

def test_field_reader_reasons(server):
    c = account(server)
    url = "/api/v1/accounts"
    good = {"email": "x-%s@example.org" % uuid.uuid4().hex[:8], "password": PASSWORD,
            "full_name": "Проверка Кодов", "consent": True}
    coded(c.post(url, dict(good, nickname="x")), 422, "validation_failed", "nickname", "unknown_field")
    coded(c.post(url, {k: v for k, v in good.items() if k != "email"}), 422, "validation_failed",
          "email", "required")
    coded(c.post(url, dict(good, full_name=7)), 422, "validation_failed", "full_name", "wrong_type")
    coded(c.post(url, dict(good, email="not-an-address")), 422, "validation_failed", "email",
          "invalid_email")
    coded(c.post(url, dict(good, consent=False)), 422, "validation_failed", "consent", "must_accept")
    coded(c.post(url, dict(good, password="short")), 422, "validation_failed", "password",
          "weak_password")
    e = coded(c.post(url, dict(good, full_name="Я" * 600)), 422, "validation_failed", "full_name",
              "too_long")
    assert isinstance(e["max"], int) and 0 < e["max"] < 600, e


def test_too_long_proposal_names_its_limit(server, mod):
    d = discussion(mod)
    c = resident(server, mod)
    e = coded(c.post(curl(d["id"]), {"kind": "proposal", "body": "а" * 6000}), 422,
              "validation_failed", "body", "too_long")
    assert e["max"] == 5000 and "5000" in e["message"], e
    e = coded(c.post(curl(d["id"]), {"kind": "wish", "body": "Сохранить сквер"}), 422,
              "validation_failed", "kind", "not_allowed")
    assert set(e["allowed"]) >= {"proposal", "remark"}, e


def test_query_parameters(anon):
    e = coded(anon.get("/api/v1/discussions?limit=9999"), 400, "invalid_parameter", "limit",
              "out_of_range")
    assert (e["min"], e["max"]) == (1, 500), e
    coded(anon.get("/api/v1/discussions?status=sleeping"), 400, "invalid_parameter", "status",
          "not_allowed")
    coded(anon.get("/api/v1/discussions?cursor=zzz"), 400, "invalid_parameter", "cursor",
          "unknown_reference")


def test_body_problems(citizen):
    coded(citizen.raw("POST", "/api/v1/support-messages", b"{oops", {"Content-Type": "application/json"}),
          400, "invalid_json")
    coded(citizen.raw("POST", "/api/v1/support-messages", b"[1]", {"Content-Type": "application/json"}),
          400, "invalid_json")
    coded(citizen.raw("POST", "/api/v1/support-messages", b"{}", {"Content-Type": "text/plain"}), 415,
          "unsupported_media_type")
    big = b'{"body": "' + b"a" * (128 << 10) + b'"}'
    coded(citizen.raw("POST", "/api/v1/support-messages", big, {"Content-Type": "application/json"}), 413,
          "too_large")


def test_session_and_roles(server, anon, citizen, mod):
    coded(anon.get("/api/v1/me"), 401, "login_required")
    coded(anon.post("/api/v1/session", {"email": "nobody@example.org", "password": "wrong-one-123"}),
          401, "bad_credentials")
    # a mutation without the CSRF token
    c = server.client()
    c.login("citizen@example.org")
    c.csrf = "0" * 32
    coded(c.post("/api/v1/me/email-confirmation", {}), 403, "csrf_failed")
    coded(citizen.get("/api/v1/moderation/verifications"), 403, "moderator_required")
    coded(mod.get("/api/v1/accounts"), 403, "admin_required")


def test_paths_and_methods(anon, mod):
    coded(anon.get("/api/v1/no-such-thing"), 404, "not_found")
    coded(anon.get("/api/v1/discussions/999999999"), 404, "not_found")
    coded(anon.raw("DELETE", "/api/v1/discussions"), 405, "method_not_allowed")
    d = discussion(mod, status="draft")
    coded(mod.post("/api/v1/discussions/%d/transitions" % d["id"], {"to": "concluded"}), 409,
          "wrong_status")


def test_eligibility_reasons(server, mod):
    d = discussion(mod)
    body = {"kind": "proposal", "body": "Сохранить деревья во дворе"}
    coded(account(server).post(curl(d["id"]), body), 403, "not_eligible.no_residence")
    waiting = resident(server, mod, verified=False)
    coded(waiting.post(curl(d["id"]), body), 403, "not_eligible.not_verified")
    away = resident(server, mod, point=(INSIDE[0] + 1.0, INSIDE[1]))
    coded(away.post(curl(d["id"]), body), 403, "not_eligible.outside")
    ann = discussion(mod, status="announced")
    coded(resident(server, mod).post(curl(ann["id"]), body), 409, "discussion_not_open")


def test_conflicts(server, mod):
    d = discussion(mod)
    c = resident(server, mod)
    j = c.post(curl(d["id"]), {"kind": "proposal", "body": "Сохранить деревья во дворе"}).json
    assert mod.post("/api/v1/comments/%d/moderation" % j["id"], {"decision": "publish"}).status == 200
    coded(mod.post("/api/v1/comments/%d/moderation" % j["id"], {"decision": "publish"}), 409,
          "wrong_status")
    other = resident(server, mod)
    assert other.post("/api/v1/comments/%d/supports" % j["id"], {}).status in (200, 201, 204)
    coded(other.post("/api/v1/comments/%d/supports" % j["id"], {}), 409, "already_done")
    coded(c.post("/api/v1/accounts", {"email": "citizen@example.org", "password": PASSWORD,
                                      "full_name": "Двойник", "consent": True}),
          409, "conflict", "email", "already_exists")


@pytest.fixture
def throttled():
    s = Server(tempfile.mkdtemp(prefix="kengash-codes-"), ["--login-window", "120", "--login-lock", "2"])
    s.user_add("alice@example.org", "citizen", "Алиса Тестова")
    s.start()
    yield s
    s.stop_clean()


def test_rate_limited(throttled):
    codes = set()
    for _ in range(8):
        r = throttled.client().post("/api/v1/session", {"email": "alice@example.org",
                                                        "password": "wrong-password-123"})
        codes.add(problem(r, r.status)["code"])
        if r.status == 429:
            assert r.json["code"] == "rate_limited" and r.header("Retry-After"), r
            break
    assert codes == {"bad_credentials", "rate_limited"}, codes



# ---- the sign-in button and the privacy policy in the page's language ----

def lang_server(tmp, *args):
    s = Server(tmp, ["--oidc-issuer", "http://127.0.0.1:%d" % free_port(), "--oidc-client-id", "x",
                     "--oidc-client-secret", "y", *args])
    s.start()
    return s


def providers(s, lang=None, cookie=None, accept=None):
    h = {}
    if cookie:
        h["Cookie"] = "lang=" + cookie
    if accept:
        h["Accept-Language"] = accept
    r = s.client().get("/api/v1/auth/providers" + ("?lang=" + lang if lang else ""), headers=h)
    assert r.status == 200, r
    return r.json["oidc"]


def test_oidc_label_follows_the_page_language(tmp_path):
    s = lang_server(str(tmp_path / "a"))
    try:
        table = {"ru": "Войти через Госуслуги", "tt": "Дәүләт хезмәтләре порталы аша керү",
                 "en": "Sign in with Gosuslugi"}
        assert providers(s)["labels"] == table
        assert providers(s)["label"] == table["ru"]
        assert providers(s, lang="tt")["label"] == table["tt"]
        assert providers(s, cookie="en")["label"] == table["en"]
        assert providers(s, accept="tt-RU, ru;q=0.5")["label"] == table["tt"]
        assert providers(s, lang="en", cookie="tt")["label"] == table["en"]   # the page's ?lang= first
    finally:
        s.stop_clean()
    # an operator's own name is kept in every language unless given per language
    s = lang_server(str(tmp_path / "b"), "--oidc-label", "Войти через ЕСИА", "--oidc-label-en", "ESIA sign-in")
    try:
        assert providers(s)["labels"] == {"ru": "Войти через ЕСИА", "tt": "Войти через ЕСИА",
                                          "en": "ESIA sign-in"}
    finally:
        s.stop_clean()


def test_privacy_policy_per_language_falls_back_to_russian(tmp_path):
    ru, en = tmp_path / "policy-ru.txt", tmp_path / "policy-en.txt"
    ru.write_text("Политика обработки персональных данных.\n", encoding="utf-8")
    en.write_text("Personal data policy.\n", encoding="utf-8")
    s = Server(str(tmp_path / "srv"), ["--privacy-policy", str(ru), "--privacy-policy-en", str(en)])
    s.start()
    try:
        c = s.client()
        j = c.get("/api/v1/privacy-policy?lang=en").json
        assert j == {"text": "Personal data policy.\n", "lang": "en"}, j
        # no Tatar text: the Russian one, saying it is Russian (the page adds the note)
        j = c.get("/api/v1/privacy-policy?lang=tt").json
        assert j == {"text": "Политика обработки персональных данных.\n", "lang": "ru"}, j
        assert c.get("/api/v1/privacy-policy", headers={"Cookie": "lang=en"}).json["lang"] == "en"
        assert c.get("/api/v1/privacy-policy").json["lang"] == "ru"
    finally:
        s.stop_clean()

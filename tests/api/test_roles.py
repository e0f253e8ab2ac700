"""Who may do what: the role matrix of every mutating route, the CSRF
guard on each of them, and the admins' endpoints for roles.

The route list is read from src/api/routes.c itself, and compared with
EXPECTED, written by hand from the product rules. A mutating route added to
routes.c without an entry here, or with access flags that differ from the
rules, fails test_route_table_follows_the_product_rules; every route is
then driven over HTTP as anonymous, citizen, moderator and admin."""
import os
import re
import uuid

import pytest

from conftest import ADMIN, CITIZEN, MODERATOR, PASSWORD, ROOT, Client, problem
from test_discussions import body as discussion_body, create, square
from test_projects import PDF, make_project

ROUTES_C = os.path.join(ROOT, "src", "api", "routes.c")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# What each access flag demands; KG_ROUTE_TO_FILE is not about access. A new
# flag must be added here before the test passes.
FLAG_ROLE = {"KG_ROUTE_LOGIN": "citizen", "KG_ROUTE_MODERATOR": "moderator",
             "KG_ROUTE_ADMIN": "admin"}
NON_ACCESS_FLAGS = {"KG_ROUTE_TO_FILE"}
RANK = {"anyone": 0, "citizen": 1, "moderator": 2, "admin": 3}
ROLES = ["anyone", "citizen", "moderator", "admin"]  # "anyone" = not logged in

# The least role each mutating route needs, from the product rules (API.md).
EXPECTED = {
    ("POST", "/api/v1/accounts"): "anyone",                       # sign-up
    ("PUT", "/api/v1/accounts/{id}/role"): "admin",
    ("POST", "/api/v1/session"): "anyone",                        # log in
    ("DELETE", "/api/v1/session"): "anyone",                      # log out, twice is fine
    ("POST", "/api/v1/password-resets"): "anyone",
    ("POST", "/api/v1/password-resets/{token}"): "anyone",
    ("POST", "/api/v1/support-messages"): "anyone",               # the support form
    ("PUT", "/api/v1/me/residence"): "citizen",
    ("POST", "/api/v1/me/properties"): "citizen",
    ("POST", "/api/v1/accounts/{id}/residence/verification"): "moderator",
    ("POST", "/api/v1/accounts/{id}/properties/{pid}/verification"): "moderator",
    ("POST", "/api/v1/projects"): "moderator",
    ("POST", "/api/v1/projects/{id}/documents"): "moderator",
    ("POST", "/api/v1/discussions"): "moderator",
    ("POST", "/api/v1/discussions/{id}/transitions"): "moderator",
    ("POST", "/api/v1/discussions/{id}/comments"): "citizen",
    ("PUT", "/api/v1/comments/{id}"): "citizen",
    ("POST", "/api/v1/comments/{id}/withdrawal"): "citizen",
    ("POST", "/api/v1/comments/{id}/moderation"): "moderator",
    ("POST", "/api/v1/comments/{id}/supports"): "citizen",
    ("POST", "/api/v1/discussions/{id}/protocol/versions"): "moderator",
    ("PUT", "/api/v1/discussions/{id}/conclusion"): "moderator",
    ("PUT", "/api/v1/discussions/{id}/conclusion/items/{cid}"): "moderator",
    ("POST", "/api/v1/discussions/{id}/schedule"): "moderator",     # issue 14: round console
    ("DELETE", "/api/v1/discussions/{id}/schedule"): "moderator",
    ("POST", "/api/v1/conclusion-reasons"): "moderator",
    ("POST", "/api/v1/comments/{id}/appeal"): "citizen",            # issue 14: appeals
    ("POST", "/api/v1/appeals/{id}/decision"): "moderator",
    ("POST", "/api/v1/support-messages/{id}/replies"): "moderator",  # issue 14: inbox
    ("PUT", "/api/v1/support-messages/{id}/status"): "moderator",
    ("POST", "/api/v1/me/email-confirmation"): "citizen",             # issue 15: notify
    ("POST", "/api/v1/email-confirmations/{token}"): "anyone",        # the link in the e-mail
    ("PUT", "/api/v1/discussions/{id}/follow"): "citizen",
    ("DELETE", "/api/v1/discussions/{id}/follow"): "citizen",
    ("POST", "/unsubscribe/{token}"): "anyone",                       # RFC 8058 one-click
    ("POST", "/api/v1/news"): "moderator",
    ("DELETE", "/api/v1/news/{id}"): "moderator",
    ("POST", "/api/v1/alerts"): "anyone",                             # issue 15: area alerts
    ("POST", "/api/v1/alert-confirmations/{token}"): "anyone",        # the link in the e-mail
    ("PUT", "/api/v1/alerts/{token}"): "anyone",                      # whoever holds the link
    ("DELETE", "/api/v1/alerts/{token}"): "anyone",
    ("POST", "/api/v1/alerts/{token}/unsubscribe"): "anyone",         # RFC 8058 one-click
    ("PATCH", "/api/v1/me"): "citizen",                               # issue 20: the account's language
}

# Routes whose handler checks more than the role: there an allowed role may
# still get a 403, but with the handler's own reason, never the role's.
FINER = {
    ("POST", "/api/v1/discussions/{id}/comments"): "eligible accounts (moderators: answers, paper)",
    ("PUT", "/api/v1/comments/{id}"): "the author, while pending",
    ("POST", "/api/v1/comments/{id}/withdrawal"): "the author, while pending",
    ("POST", "/api/v1/comments/{id}/supports"): "eligible accounts, once",
    ("POST", "/api/v1/accounts/{id}/residence/verification"): "not one's own data",
    ("POST", "/api/v1/accounts/{id}/properties/{pid}/verification"): "not one's own data",
    ("POST", "/api/v1/comments/{id}/appeal"): "the author of a rejected proposal, in time",
    ("POST", "/api/v1/appeals/{id}/decision"): "not the moderator who rejected the proposal",
}

# Routes that start or end the client's session: driven with a fresh login.
SESSION_ROUTES = {("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")}


# ---- the route table, parsed ----

ROUTE_RE = re.compile(r'\{\s*"([A-Z]+)"\s*,\s*"([^"]*)"\s*,\s*(\w+)\s*,\s*([^,{}]+?)\s*,'
                      r'\s*([^,{}]+?)\s*\}')


def parse_routes():
    """[(method, path, handler, {flag names})] in table order."""
    text = re.sub(r"/\*.*?\*/", "", open(ROUTES_C, encoding="utf-8").read(), flags=re.S)
    start = text.index("aRoute[] = {")
    table = text[start + len("aRoute[] = {"):text.index("};", start)]
    found = ROUTE_RE.findall(table)
    # every entry must parse: as many matches as entries that open with a method
    assert len(found) == len(re.findall(r'\{\s*"[A-Z]+"', table)), "unparsed entries in routes.c"
    routes = []
    for method, path, handler, flags, _limit in found:
        names = {f.strip() for f in flags.split("|")} - {"0"}
        routes.append((method, path, handler, names))
    return routes


ROUTES = parse_routes()
MUTATING = {(m, p): flags for m, p, _h, flags in ROUTES if m not in SAFE_METHODS}


def role_from_flags(flags):
    unknown = flags - set(FLAG_ROLE) - NON_ACCESS_FLAGS
    assert not unknown, "flags without a meaning in this test: %s" % sorted(unknown)
    need = "anyone"
    for f in flags & set(FLAG_ROLE):
        if RANK[FLAG_ROLE[f]] > RANK[need]:
            need = FLAG_ROLE[f]
    return need


def test_route_table_follows_the_product_rules():
    assert len(MUTATING) == len([r for r in ROUTES if r[0] not in SAFE_METHODS]), "duplicate routes"
    missing = sorted(set(MUTATING) - set(EXPECTED))
    gone = sorted(set(EXPECTED) - set(MUTATING))
    assert not missing, "mutating routes without an expectation in test_roles.py: %s" % missing
    assert not gone, "expected routes no longer in routes.c: %s" % gone
    wrong = {k: (role_from_flags(MUTATING[k]), EXPECTED[k]) for k in EXPECTED
             if role_from_flags(MUTATING[k]) != EXPECTED[k]}
    assert not wrong, "route flags give (got, expected) roles: %s" % wrong
    assert set(FINER) <= set(EXPECTED) and set(SESSION_ROUTES) <= set(EXPECTED)


def test_safe_routes_with_role_flags_are_parsed_too():
    # the admins' account list is a GET and still admin only
    gets = {(m, p): f for m, p, _h, f in ROUTES if m == "GET"}
    assert role_from_flags(gets[("GET", "/api/v1/accounts")]) == "admin"
    assert role_from_flags(gets[("GET", "/api/v1/moderation/log")]) == "moderator"
    assert role_from_flags(gets[("GET", "/api/v1/support-messages")]) == "moderator"
    assert role_from_flags(gets[("GET", "/api/v1/support-messages/{id}")]) == "moderator"
    assert role_from_flags(gets[("GET", "/api/v1/conclusion-reasons")]) == "moderator"
    assert role_from_flags(gets[("GET", "/api/v1/appeals")]) == "moderator"
    assert role_from_flags(gets[("GET", "/api/v1/appeals/{id}")]) == "moderator"
    assert role_from_flags(gets[("GET", "/api/v1/me/appeals")]) == "citizen"
    assert role_from_flags(gets[("GET", "/api/v1/support-messages/{id}/replies")]) == "moderator"
    assert role_from_flags(gets[("GET", "/api/v1/admin/accounts")]) == "admin"
    assert role_from_flags(gets[("GET", "/api/v1/me/follows")]) == "citizen"
    assert role_from_flags(gets[("GET", "/api/v1/discussions/{id}/follow")]) == "citizen"
    # address suggestions (the residence form) are public reference data
    assert role_from_flags(gets[("GET", "/api/v1/addresses")]) == "anyone"


# ---- a world to act on: objects behind every path parameter ----

LON, LAT = 49.118, 55.787
INSIDE = (49.1205, 55.7895)
HOME = "г. Казань, ул. Ролевая, д. 3, кв. 5"


def new_account(server, role=None, admin=None):
    """A new logged-in account (citizen, or role given by admin)."""
    c = server.client()
    c.email = "r-%s@example.org" % uuid.uuid4().hex[:12]
    r = c.post("/api/v1/accounts", {"email": c.email, "password": PASSWORD,
                                    "full_name": "Роль Тестовая", "consent": True})
    assert r.status == 201, r
    c.account_id = r.json["id"]
    if role:
        assert admin.put("/api/v1/accounts/%d/role" % c.account_id, {"role": role}).status == 200
    c.login(c.email)
    return c


class World:
    pass


@pytest.fixture(scope="module")
def world(server):
    w = World()
    w.mod = server.client()
    w.mod.login(MODERATOR)
    w.admin = server.client()
    w.admin.login(ADMIN)
    # the citizen lives inside the territory (verified), so comments go through
    w.citizen = new_account(server)
    r = w.citizen.put("/api/v1/me/residence",
                      {"address": HOME, "location": {"type": "Point", "coordinates": list(INSIDE)}})
    assert r.status == 200, r
    r = w.mod.post("/api/v1/accounts/%d/residence/verification" % w.citizen.account_id,
                   {"verified": True})
    assert r.status == 200, r
    w.project = make_project(w.mod)["id"]
    w.discussion = create(w.mod, pid=w.project, territory=square(LON, LAT))["id"]
    for to in ("announced", "open"):
        r = w.mod.post("/api/v1/discussions/%d/transitions" % w.discussion, {"to": to})
        assert r.status == 200, r
    r = w.citizen.post("/api/v1/discussions/%d/comments" % w.discussion,
                       {"kind": "proposal", "body": "Сохранить сквер у дома 3"})
    assert r.status == 201, r
    w.comment = r.json["id"]
    w.target = new_account(server)  # the account that role and verification routes act on
    w.server = server
    return w


def fill(w, path):
    """path with each {param} replaced by a real object's id (or 1)."""
    segs = path.split("/")
    for i, s in enumerate(segs):
        if not (s.startswith("{") and s.endswith("}")):
            continue
        before = segs[i - 1]
        segs[i] = str({"accounts": w.target.account_id, "projects": w.project,
                       "discussions": w.discussion, "comments": w.comment,
                       "password-resets": "A" * 43, "alerts": "A" * 43,
                       "alert-confirmations": "A" * 43}.get(before, 1))
    return "/".join(segs)


def body_for(w, method, path):
    """A syntactically plausible body: (json object, None) or (None, (bytes, headers))."""
    uniq = uuid.uuid4().hex[:12]
    bodies = {
        ("POST", "/api/v1/accounts"): {"email": "s-%s@example.org" % uniq, "password": PASSWORD,
                                       "full_name": "Новый Житель", "consent": True},
        ("PUT", "/api/v1/accounts/{id}/role"): {"role": "citizen"},
        ("POST", "/api/v1/session"): {"email": w.target.email, "password": PASSWORD},
        ("POST", "/api/v1/password-resets"): {"email": "nobody-%s@example.org" % uniq},
        ("POST", "/api/v1/password-resets/{token}"): {"password": "a-new-long-password-%s" % uniq},
        ("POST", "/api/v1/support-messages"): {"name": "Роль Тестовая",
                                               "email": "support-%s@example.org" % uniq,
                                               "topic": "Проверка ролей", "body": "Проверка ролей"},
        # the same address and point again: the verification stays
        ("PUT", "/api/v1/me/residence"): {"address": HOME, "location": {
            "type": "Point", "coordinates": list(INSIDE)}},
        ("POST", "/api/v1/me/properties"): {"cadastral_number": "16:50:011105:1"},
        ("POST", "/api/v1/accounts/{id}/residence/verification"): {"verified": False,
                                                                   "note": "проверка ролей"},
        ("POST", "/api/v1/accounts/{id}/properties/{pid}/verification"): {"verified": False},
        ("POST", "/api/v1/projects"): {"title": "Проект для проверки ролей", "kind": "general_plan",
                                       "description": "", "organizer": "Исполком"},
        ("POST", "/api/v1/discussions"): discussion_body(w.project),
        # open -> open is refused (409) and changes nothing
        ("POST", "/api/v1/discussions/{id}/transitions"): {"to": "open"},
        ("POST", "/api/v1/discussions/{id}/comments"): {"kind": "remark",
                                                        "body": "Проверка ролей"},
        ("PUT", "/api/v1/comments/{id}"): {"body": "Сохранить сквер у дома 3, уточнено"},
        ("POST", "/api/v1/comments/{id}/withdrawal"): {},
        ("POST", "/api/v1/comments/{id}/moderation"): {"decision": "publish"},
        ("POST", "/api/v1/comments/{id}/supports"): {},
        # the discussion is open: these answer 409 and change nothing
        ("POST", "/api/v1/discussions/{id}/protocol/versions"): {"note": "проверка ролей"},
        ("PUT", "/api/v1/discussions/{id}/conclusion"): {"findings": "проверка ролей"},
        ("PUT", "/api/v1/discussions/{id}/conclusion/items/{cid}"): {"recommendation": "reject",
                                                                      "reasoning": "проверка ролей"},
        # the discussion is open, not a draft: 409, nothing changes
        ("POST", "/api/v1/discussions/{id}/schedule"): {},
        ("POST", "/api/v1/conclusion-reasons"): {"text": "Проверка ролей"},
        # the comment is pending, not rejected: 409 for its author, 404 for others
        ("POST", "/api/v1/comments/{id}/appeal"): {"text": "Проверка ролей"},
        # no reason: 422 (or 404 without such an appeal), nothing decided
        ("POST", "/api/v1/appeals/{id}/decision"): {"decision": "dismiss"},
        # an empty answer: 422, nothing sent
        ("POST", "/api/v1/support-messages/{id}/replies"): {"body": ""},
        ("PUT", "/api/v1/support-messages/{id}/status"): {"status": "archived"},
        # resends the link (429 after three an hour); an unknown token is 410
        ("POST", "/api/v1/me/email-confirmation"): {},
        ("POST", "/api/v1/email-confirmations/{token}"): {},
        ("PUT", "/api/v1/discussions/{id}/follow"): {},
        ("POST", "/api/v1/news"): {"title": ""},   # 422, nothing published
        # a new subscription (202, a confirmation mail); the token ones: 410
        ("POST", "/api/v1/alerts"): {"email": "alert-%s@example.org" % uniq,
                                     "center": [49.4, 55.6], "radius_m": 500},
        ("POST", "/api/v1/alert-confirmations/{token}"): {},
        ("PUT", "/api/v1/alerts/{token}"): {"events": ["open"], "rhythm": "weekly"},
        ("PATCH", "/api/v1/me"): {"language": "ru"},   # the language it has: nothing changes
    }
    if (method, path) == ("POST", "/api/v1/projects/{id}/documents"):
        return None, (PDF + uniq.encode(), {"Content-Type": "application/pdf",
                                            "Content-Disposition": 'attachment; filename="r.pdf"'})
    if (method, path) in (("DELETE", "/api/v1/session"), ("DELETE", "/api/v1/discussions/{id}/schedule"),
                          ("DELETE", "/api/v1/discussions/{id}/follow"), ("DELETE", "/api/v1/news/{id}"),
                          ("DELETE", "/api/v1/alerts/{token}")):
        return None, None
    if (method, path) in (("POST", "/unsubscribe/{token}"),   # an unknown token: 410
                          ("POST", "/api/v1/alerts/{token}/unsubscribe")):
        return None, (b"List-Unsubscribe=One-Click",
                      {"Content-Type": "application/x-www-form-urlencoded"})
    return bodies[(method, path)], None


def client_for(w, role, route):
    """A client acting as role; a copy of the role's session, or a fresh
    login for routes that replace or end the session."""
    if role == "anyone":
        return w.server.client()
    base = {"citizen": w.citizen, "moderator": w.mod, "admin": w.admin}[role]
    c = Client(w.server.port)
    if route in SESSION_ROUTES:
        c.login({"citizen": w.citizen.email, "moderator": MODERATOR, "admin": ADMIN}[role])
    else:
        c.cookie, c.csrf = base.cookie, base.csrf
    return c


def send(w, c, route):
    method, path = route
    obj, raw = body_for(w, method, path)
    url = fill(w, path)
    if raw is not None:
        return c.raw(method, url, raw[0], raw[1])
    return c.req(method, url, obj)


def role_refusal(r):
    """1 when r is the before hook's refusal (role or CSRF), not a handler's."""
    if r.status != 403:
        return False
    detail = r.json.get("detail", "")
    return "role" in detail or "CSRF" in detail


@pytest.mark.parametrize("route", sorted(MUTATING), ids=lambda r: "%s %s" % r)
def test_each_role_gets_what_the_rules_say(world, route):
    assert route in EXPECTED, "no expectation for %s %s in test_roles.py" % route
    need = EXPECTED[route]
    for role in ROLES:
        r = send(world, client_for(world, role, route), route)
        where = "%s %s as %s: %r" % (route[0], route[1], role, r)
        assert r.status < 500, where
        if RANK[role] < RANK[need]:
            assert r.status == (401 if role == "anyone" else 403), where
            problem(r, r.status)
        elif route in FINER:
            assert r.status != 401 and not role_refusal(r), where
        else:
            assert r.status not in (401, 403), where


def test_address_suggestions_answer_every_role(world):
    for role in ROLES:
        r = client_for(world, role, ("GET", "/api/v1/addresses")).get("/api/v1/addresses?q=%D0%91%D0%B0%D1%83")
        assert r.status == 200 and isinstance(r.json["items"], list), (role, r)


@pytest.mark.parametrize("route", sorted(MUTATING), ids=lambda r: "%s %s" % r)
def test_each_mutating_route_needs_the_csrf_token_with_a_session(world, route):
    for token in (None, "0" * 64):
        c = client_for(world, "citizen", route)
        c.csrf = None
        headers = {"X-CSRF-Token": token} if token else {}
        method, path = route
        obj, raw = body_for(world, method, path)
        if raw is not None:
            r = c.raw(method, fill(world, path), raw[0], dict(raw[1], **headers))
        else:
            r = c.req(method, fill(world, path), obj, headers=headers)
        body = problem(r, 403)
        assert "CSRF" in body["detail"], (route, r)


# ---- roles: PUT /api/v1/accounts/{id}/role and GET /api/v1/accounts ----

def role_url(account_id):
    return "/api/v1/accounts/%d/role" % account_id


def test_admin_makes_a_moderator_and_it_takes_effect_at_once(server, admin):
    c = new_account(server)
    problem(c.post("/api/v1/projects", {"title": "x", "kind": "general_plan", "organizer": "y"}), 403)
    r = admin.put(role_url(c.account_id), {"role": "moderator"})
    assert r.status == 200, r
    j = r.json
    assert j["id"] == c.account_id and j["role"] == "moderator" and "password_hash" not in j
    # the same session, not logged in again: the account is read per request
    assert c.get("/api/v1/me").json["role"] == "moderator"
    r = c.post("/api/v1/projects", {"title": "Проект нового модератора", "kind": "general_plan",
                                    "organizer": "Исполком"})
    assert r.status == 201, r
    assert admin.put(role_url(c.account_id), {"role": "citizen"}).status == 200
    problem(c.post("/api/v1/projects", {"title": "x", "kind": "general_plan", "organizer": "y"}), 403)
    assert c.get("/api/v1/me").json["role"] == "citizen"


def test_role_changes_are_in_the_moderation_log(server, admin, mod):
    c = new_account(server)
    assert admin.put(role_url(c.account_id), {"role": "moderator"}).status == 200
    assert admin.put(role_url(c.account_id), {"role": "moderator"}).status == 200  # no change
    me = admin.get("/api/v1/me").json["id"]
    r = mod.get("/api/v1/moderation/log?limit=500")
    assert r.status == 200, r
    mine = [e for e in r.json["items"]
            if e["action"] == "account.role" and e["target"]["id"] == c.account_id]
    assert len(mine) == 1, mine  # setting the same role again logs nothing
    e = mine[0]
    assert e["target"]["type"] == "account" and e["reason"] == "moderator"
    assert e["actor"]["id"] == me


def test_role_change_refusals(server, admin):
    c = new_account(server)
    problem(admin.put(role_url(c.account_id), {"role": "superuser"}), 422, "role")
    problem(admin.put(role_url(c.account_id), {}), 422, "role")
    problem(admin.put(role_url(c.account_id), {"role": "moderator", "x": 1}), 422, "x")
    problem(admin.put(role_url(999999999), {"role": "moderator"}), 404)
    problem(admin.put("/api/v1/accounts/abc/role", {"role": "moderator"}), 404)
    me = admin.get("/api/v1/me").json["id"]
    # an admin cannot demote themself: the system keeps an admin
    for role in ("moderator", "citizen"):
        problem(admin.put(role_url(me), {"role": role}), 409)
    assert admin.get("/api/v1/me").json["role"] == "admin"
    assert admin.put(role_url(me), {"role": "admin"}).status == 200


def test_only_admins_change_roles(server, admin, anon):
    c = new_account(server)
    promoted = new_account(server, "moderator", admin)
    problem(anon.put(role_url(c.account_id), {"role": "moderator"}), 401)
    problem(c.put(role_url(c.account_id), {"role": "admin"}), 403)
    problem(promoted.put(role_url(c.account_id), {"role": "moderator"}), 403)
    problem(promoted.put(role_url(promoted.account_id), {"role": "admin"}), 403)


def test_another_admin_may_demote_an_admin(server, admin):
    other = new_account(server, "admin", admin)
    third = new_account(server)
    assert other.put(role_url(third.account_id), {"role": "moderator"}).status == 200
    r = admin.put(role_url(other.account_id), {"role": "citizen"})
    assert r.status == 200 and r.json["role"] == "citizen", r
    problem(other.put(role_url(third.account_id), {"role": "citizen"}), 403)


def test_admin_lists_accounts_by_role_without_hashes(server, admin, mod, citizen, anon):
    promoted = new_account(server, "moderator", admin)
    r = admin.get("/api/v1/accounts?role=moderator&limit=500")
    assert r.status == 200, r
    assert r.header("Cache-Control") == "no-store"
    items = r.json["items"]
    assert {i["role"] for i in items} == {"moderator"}
    emails = {i["email"] for i in items}
    assert MODERATOR in emails and promoted.email in emails
    for i in items:
        assert set(i) == {"id", "email", "full_name", "role", "created_at", "language"}, i
    admins = admin.get("/api/v1/accounts?role=admin").json["items"]
    assert ADMIN in {i["email"] for i in admins}
    problem(admin.get("/api/v1/accounts?role=root"), 400, "role")
    problem(anon.get("/api/v1/accounts"), 401)
    problem(citizen.get("/api/v1/accounts"), 403)
    problem(mod.get("/api/v1/accounts"), 403)


def test_account_list_pages_with_a_cursor(server, admin):
    for _ in range(3):
        new_account(server)
    seen, cursor = [], None
    while True:
        r = admin.get("/api/v1/accounts?limit=2" + ("&cursor=" + cursor if cursor else ""))
        assert r.status == 200, r
        assert len(r.json["items"]) <= 2
        seen += [i["id"] for i in r.json["items"]]
        cursor = r.json["next"]
        if not cursor:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) >= 6
    everyone = admin.get("/api/v1/accounts?limit=500").json
    assert [i["id"] for i in everyone["items"]] == seen
    problem(admin.get("/api/v1/accounts?cursor=garbage"), 400, "cursor")

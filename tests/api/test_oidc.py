"""Sign-in through a real OpenID Connect provider (npm oidc-provider 8, in
tests/oidc) against the real server: eligibility from the attested address
with no moderator, the second sign-in, linking a password account, and
every way a sign-in must be refused without creating anything."""
import os
import subprocess
import tempfile
import time
import urllib.parse

import pytest

from conftest import BIN, MODERATOR, PASSWORD, PG, ROOT, Client, Server, free_port, problem
from oidc_util import provider_login, start_provider
from test_discussions import create
from test_rights import stored_bytes

CLIENT_ID = "kengash-test"
SECRET = "s3cret-for-tests-only"
BAUMANA_19 = (49.1185, 55.7892)  # "г. Казань, ул. Баумана, д. 19" in the demo register
SNILS = "112-233-445 95"         # the "esia" test person's
PARCEL = "16:50:011101:901"


def square_around(lon, lat, d=0.002):
    return {"type": "MultiPolygon", "coordinates": [[[
        [lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]]]}


class Env:
    pass


def count_rows(server, sql):
    with server.sql() as conn:
        return conn.one(sql)


@pytest.fixture(scope="module")
def env(mailbox):
    e = Env()
    e.tmp = tempfile.mkdtemp(prefix="kengash-oidc-")
    port = free_port()
    e.base = "http://127.0.0.1:%d" % port
    e.idp = start_provider(e.tmp, redirect_uris=[e.base + "/auth/oidc/callback"], client_id=CLIENT_ID,
                           client_secret=SECRET)
    secret_file = os.path.join(e.tmp, "client-secret")
    with open(secret_file, "w") as f:
        f.write(SECRET + "\n")
    os.chmod(secret_file, 0o600)
    e.server = Server(e.tmp, [
        "--listen", "127.0.0.1:%d" % port, "--base-url", e.base,
        "--smtp", "smtp://127.0.0.1:%d" % mailbox.port,
        "--oidc-issuer", e.idp.issuer, "--oidc-client-id", CLIENT_ID,
        "--oidc-client-secret-file", secret_file, "--oidc-label", "Войти через Госуслуги",
        "--oidc-address-id-claim", "address_id", "--oidc-holder-id-claim", "snils"])
    db = e.server.db
    run = lambda *a: subprocess.run([BIN, *a], capture_output=True, timeout=120)
    # the demo address register, a house from a GAR-style extract with the register's id,
    # a parcel and the rights register that gives it to the "esia" person
    p = run("import", "--db", db, "--layer", "addresses",
            os.path.join(ROOT, "geodata", "kazan_addresses_synthetic.geojson"))
    assert p.returncode == 0, p.stderr.decode()
    csv_path = os.path.join(e.tmp, "gar.csv")
    with open(csv_path, "w") as f:
        f.write("id,address,lon,lat\n"
                "fe1a249a-606c-584c-8eec-5bd91b21f0c9,\"г. Казань, ул. Испытательная, д. 7\",49.1245,55.8290\n")
    p = run("import", "--db", db, "--layer", "addresses", csv_path)
    assert p.returncode == 0, p.stderr.decode()
    lon, lat = BAUMANA_19
    parcels = os.path.join(e.tmp, "parcels.geojson")
    with open(parcels, "w") as f:
        f.write('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
                '{"cadastral_number":"%s"},"geometry":{"type":"Polygon","coordinates":'
                '[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}}]}'
                % (PARCEL, lon - .0003, lat - .0003, lon + .0003, lat - .0003, lon + .0003, lat + .0003,
                   lon - .0003, lat + .0003, lon - .0003, lat - .0003))
    p = run("import", "--db", db, "--layer", "parcels", parcels)
    assert p.returncode == 0, p.stderr.decode()
    rights = os.path.join(e.tmp, "rights.csv")
    with open(rights, "w") as f:
        f.write("cadastral_number,holder_id\n%s,%s\n" % (PARCEL, SNILS))
    p = run("import", "--db", db, "--layer", "rights", *(["--holder-key-file", e.server.holder_key] if PG else []),
            rights)
    assert p.returncode == 0, p.stderr.decode()
    e.rights_csv = rights
    e.server.user_add(MODERATOR, "moderator", "Тестовый Модератор")
    e.server.user_add("linked@example.org", "citizen", "Связанная Гражданка")
    e.server.start()
    e.mod = e.server.client()
    e.mod.login(MODERATOR)
    # open discussions: one around ул. Баумана, 19; one far away in the north of the city
    e.near = open_discussion(e.mod, square_around(*BAUMANA_19))
    e.far = open_discussion(e.mod, square_around(49.10, 55.86))
    yield e
    e.server.stop_clean()
    e.idp.stop()


def open_discussion(mod, territory):
    d = create(mod, territory=territory)
    for to in ("announced", "open"):
        r = mod.post("/api/v1/discussions/%d/transitions" % d["id"], {"to": to})
        assert r.status == 200, r
    return d["id"]


def accounts(env):
    return count_rows(env.server, "SELECT count(*) FROM accounts")


def sessions(env):
    return count_rows(env.server, "SELECT count(*) FROM sessions")


def begin(env, c, next_path="/"):
    """GET /auth/oidc/login: the redirect to the provider; the state cookie."""
    r = c.raw("GET", "/auth/oidc/login?next=" + urllib.parse.quote(next_path, safe=""))
    assert r.status == 302, r
    loc = r.header("Location")
    assert loc.startswith(env.idp.issuer + "/"), loc
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    assert q["code_challenge_method"] == ["S256"] and q["code_challenge"][0], q
    assert q["state"][0] and q["nonce"][0] and q["client_id"] == [CLIENT_ID], q
    state = [v for v in r.headers_all("Set-Cookie") if v.startswith("oidc_state=")]
    assert state and "HttpOnly" in state[0] and "SameSite=Lax" in state[0], r.headers
    c.oidc_state = state[0].split(";")[0][len("oidc_state="):]
    return loc


def callback(env, c, loc, state_cookie=None):
    """Follows the provider's redirect back to the server, as the browser would."""
    assert loc.startswith(env.base + "/auth/oidc/callback?"), loc
    path = loc[len(env.base):]
    cookies = []
    if c.cookie:
        cookies.append("session=" + c.cookie)
    st = state_cookie if state_cookie is not None else getattr(c, "oidc_state", None)
    if st:
        cookies.append("oidc_state=" + st)
    link = getattr(c, "oidc_link", None)
    if link:
        cookies.append("oidc_link=" + link)
    h = {"Cookie": "; ".join(cookies)} if cookies else {}
    r = c.raw("GET", path, headers=h)
    for v in r.headers_all("Set-Cookie"):
        if v.startswith("oidc_link="):
            c.oidc_link = v.split(";")[0][len("oidc_link="):] or None
    return r


def sign_in(env, login, next_path="/"):
    c = Client(env.server.port)
    loc = begin(env, c, next_path)
    back = provider_login(loc, login)
    r = callback(env, c, back)
    return c, r


def fresh_csrf(c):
    r = c.get("/api/v1/session")
    assert r.status == 200, r
    c.csrf = r.json["csrf_token"]
    return r.json["account"]


def elig(c, did):
    r = c.get("/api/v1/discussions/%d/eligibility" % did)
    assert r.status == 200, r
    return r.json


def refused(r, reason):
    assert r.status == 303, r
    assert r.header("Location") == "/signin-failed.html?reason=" + reason, r.headers
    assert not [v for v in r.headers_all("Set-Cookie") if v.startswith("session=") and len(v) > 20
                and not v.startswith("session=;")], r.headers


def test_providers_endpoint_names_the_button(env):
    r = env.server.client().get("/api/v1/auth/providers")
    label = "Войти через Госуслуги"   # given with --oidc-label: the same in every language
    assert r.status == 200 and r.json["oidc"] == {"label": label, "login_url": "/auth/oidc/login",
                                                  "labels": {"ru": label, "tt": label, "en": label}}, r


def test_first_sign_in_is_eligible_at_once_and_second_reuses_the_account(env, mailbox):
    n = accounts(env)
    c, r = sign_in(env, "resident", "/discussion.html?id=%d" % env.near)
    assert r.status == 303 and r.header("Location") == "/discussion.html?id=%d" % env.near, r
    assert c.cookie, r.headers
    me = fresh_csrf(c)
    assert me["email"] == "resident@example.org" and me["role"] == "citizen"
    assert me["full_name"] == "Тестов Иван Петрович"
    assert accounts(env) == n + 1
    res = c.get("/api/v1/me/residence")
    assert res.status == 200, res
    assert res.json["verified"] is True and res.json["verified_by"] == "identity_provider", res.json
    assert res.json["address"] == "г. Казань, ул. Баумана, д. 19", res.json
    e = elig(c, env.near)
    assert e["eligible"] is True and e["basis"] == "resident", e
    far = elig(c, env.far)
    assert far["eligible"] is False and far["reason_code"] == "outside" and far["reason"], far
    # and a proposal goes in
    r = c.post("/api/v1/discussions/%d/comments" % env.near,
               {"kind": "proposal", "body": "Сохранить сквер у дома 19 по улице Баумана."})
    assert r.status == 201, r
    assert r.json["basis"] == "resident", r.json
    # the second sign-in reuses the account
    c2, r2 = sign_in(env, "resident")
    assert r2.status == 303 and r2.header("Location") == "/", r2
    assert fresh_csrf(c2)["id"] == me["id"]
    assert accounts(env) == n + 1
    # the attested data went nowhere near the log
    log = "".join(env.server.stderr_lines)
    for secret in ("resident@example.org", "Баумана", "Тестов", "1980-01-15"):
        assert secret not in log


def test_loosely_spelled_address_and_register_id_locate_the_residence(env):
    c, r = sign_in(env, "loose")
    assert r.status == 303, r
    fresh_csrf(c)
    assert elig(c, env.near)["eligible"] is True
    c, r = sign_in(env, "id-only")
    assert r.status == 303, r
    fresh_csrf(c)
    res = c.get("/api/v1/me/residence").json
    assert res["address"] == "г. Казань, ул. Испытательная, д. 7" and res["verified"] is True, res


def test_address_not_in_the_register_is_attested_but_not_located(env, mailbox):
    c, r = sign_in(env, "outsider")
    assert r.status == 303, r
    me = fresh_csrf(c)
    res = c.get("/api/v1/me/residence")
    assert res.status == 200, res
    j = res.json
    assert j["verified"] is False and j["pending_placement"] is True, j
    assert j["address"] == "г. Казань, ул. Баумана, д. 200", j
    e = elig(c, env.near)
    assert e["eligible"] is False and e["reason_code"] == "not_verified", e
    # a moderator places it once, through the verification queue
    q = env.mod.get("/api/v1/moderation/verifications").json["items"]
    item = [i for i in q if i["account_id"] == me["id"]]
    assert item and item[0]["type"] == "residence" and item[0]["source"] == "identity_provider", q
    lon, lat = BAUMANA_19
    r = env.mod.post("/api/v1/accounts/%d/residence/verification" % me["id"],
                     {"verified": True, "location": {"type": "Point", "coordinates": [lon, lat]}})
    assert r.status == 200, r
    j = c.get("/api/v1/me/residence").json
    assert j["verified"] is True and j["verified_by"] == "identity_provider", j
    assert elig(c, env.near)["eligible"] is True
    m = mailbox.wait_for("outsider@example.org")
    assert "/residence.html" in m["text"], m["text"]


def test_attested_holder_identifier_makes_a_rightholder_without_a_moderator(env):
    c, r = sign_in(env, "esia")
    assert r.status == 303, r
    fresh_csrf(c)
    props = c.get("/api/v1/me/properties").json["items"]
    p = [x for x in props if x["cadastral_number"] == PARCEL]
    assert p and p[0]["verified"] is True and p[0]["verified_by"] == "register", props
    e = elig(c, env.near)
    assert e["eligible"] is True and e["basis"] == "rightholder", e
    # the identifier is nowhere in clear: not in the database (its file and WAL;
    # on PostgreSQL every row of every table), nor the log
    digits = "".join(ch for ch in SNILS if ch.isdigit())
    data = stored_bytes(env.server)
    assert digits.encode() not in data and SNILS.encode() not in data
    assert digits not in "".join(env.server.stderr_lines)


def test_no_email_claim_still_makes_an_account(env):
    c, r = sign_in(env, "no-email")
    assert r.status == 303, r
    me = fresh_csrf(c)
    assert me["email"].endswith("@identity.invalid"), me


def test_existing_password_account_is_linked_only_with_its_password(env, mailbox):
    # a password account with the e-mail the provider will attest
    anon = env.server.client()
    r = anon.post("/api/v1/accounts", {"email": "loose2@example.org", "password": PASSWORD,
                                       "full_name": "Кто-то", "consent": True})
    assert r.status == 201, r
    env.idp.stop()
    import json as _json
    accounts_file = os.path.join(env.tmp, "accounts-link.json")
    src = _json.load(open(os.path.join(ROOT, "tests", "oidc", "accounts.json")))
    person = dict([a for a in src if a["sub"] == "loose"][0], sub="loose2", email="loose2@example.org")
    # the same e-mail, not verified by the provider: names no account to link
    unverified = dict(person, sub="unverified", email_verified=False)
    _json.dump(src + [person, unverified], open(accounts_file, "w"))
    env.idp = start_provider(env.tmp, redirect_uris=[env.base + "/auth/oidc/callback"], client_id=CLIENT_ID,
                             client_secret=SECRET, port=env.idp.port, accounts=accounts_file)
    env.accounts_file = accounts_file
    c, r = sign_in(env, "unverified")
    assert r.status == 303 and r.header("Location") == "/", r
    assert fresh_csrf(c)["email"].endswith("@identity.invalid")
    n = accounts(env)
    c = Client(env.server.port)
    loc = begin(env, c, "/my-comments.html")
    r = callback(env, c, provider_login(loc, "loose2"))
    assert r.status == 303 and r.header("Location") == "/oidc-link.html?next=/my-comments.html", r
    assert c.cookie is None and c.oidc_link, r.headers
    assert accounts(env) == n
    # a wrong password links nothing
    h = {"Cookie": "oidc_link=" + c.oidc_link}
    r = c.req("POST", "/api/v1/session", {"email": "loose2@example.org", "password": "wrong-password-1"},
              headers=h)
    assert r.status == 401, r
    # the right one links, and the provider's data apply to that account
    r = c.req("POST", "/api/v1/session", {"email": "loose2@example.org", "password": PASSWORD}, headers=h)
    assert r.status == 200 and r.json["linked"] is True, r
    c.csrf = r.json["csrf_token"]
    assert r.json["account"]["full_name"] == "Примерова Анна Сергеевна", r.json
    assert elig(c, env.near)["eligible"] is True
    # from now on the provider signs in to the same account directly
    c2 = Client(env.server.port)
    r2 = callback(env, c2, provider_login(begin(env, c2), "loose2"))
    assert r2.status == 303 and r2.header("Location") == "/", r2
    assert fresh_csrf(c2)["email"] == "loose2@example.org"
    assert accounts(env) == n


TAMPER = ["alg_none", "other_key", "other_key_same_kid", "hs256_pubkey", "wrong_aud", "wrong_iss", "expired",
          "wrong_nonce", "no_nonce", "future_iat", "hs256_pubkey_jwk"]


@pytest.mark.parametrize("mode", TAMPER)
def test_tampered_id_token_is_refused_and_creates_nothing(env, mode):
    n, s = accounts(env), sessions(env)
    env.idp.set_mode(mode)
    try:
        c = Client(env.server.port)
        r = callback(env, c, provider_login(begin(env, c), "resident"))
    finally:
        env.idp.set_mode("normal")
    refused(r, "token")
    assert c.cookie is None
    assert (accounts(env), sessions(env)) == (n, s)
    # the provider is fine again: the same person signs in
    c, r = sign_in(env, "resident")
    assert r.status == 303 and r.header("Location") == "/", r


def test_tampered_state_is_refused(env):
    n, s = accounts(env), sessions(env)
    c = Client(env.server.port)
    back = provider_login(begin(env, c), "resident")
    # a state that is not this browser's (the cookie of another sign-in)
    other = Client(env.server.port)
    begin(env, other)
    refused(callback(env, c, back, state_cookie=other.oidc_state), "state")
    # the state in the URL changed
    u = urllib.parse.urlsplit(back)
    q = urllib.parse.parse_qs(u.query)
    q["state"] = ["A" * 43]
    forged = env.base + u.path + "?" + urllib.parse.urlencode({k: v[0] for k, v in q.items()})
    refused(callback(env, c, forged, state_cookie="A" * 43), "state")
    # no cookie at all
    refused(callback(env, c, back, state_cookie=""), "state")
    assert (accounts(env), sessions(env)) == (n, s)


def test_replayed_code_is_refused(env):
    c = Client(env.server.port)
    back = provider_login(begin(env, c), "resident")
    state = c.oidc_state
    r = callback(env, c, back)
    assert r.status == 303 and r.header("Location") == "/", r
    # the same redirect again: the state is spent
    n, s = accounts(env), sessions(env)
    refused(callback(env, Client(env.server.port), back, state_cookie=state), "state")
    # the same code with a fresh state: the provider refuses the used code
    c3 = Client(env.server.port)
    loc = begin(env, c3)
    st = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)["state"][0]
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(back).query)["code"][0]
    replay = env.base + "/auth/oidc/callback?" + urllib.parse.urlencode({"code": code, "state": st})
    refused(callback(env, c3, replay), "expired")
    assert (accounts(env), sessions(env)) == (n, s)


def test_authorization_response_from_another_issuer_is_refused(env):
    # RFC 9207: the provider names itself in the redirect; another name is a mix-up
    n = accounts(env)
    c = Client(env.server.port)
    back = provider_login(begin(env, c), "resident")
    u = urllib.parse.urlsplit(back)
    q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
    assert q.get("iss") == env.idp.issuer, q
    q["iss"] = "http://127.0.0.1:9/evil"
    refused(callback(env, c, env.base + u.path + "?" + urllib.parse.urlencode(q)), "provider")
    assert accounts(env) == n


def test_access_denied_is_refused(env):
    n = accounts(env)
    c = Client(env.server.port)
    back = provider_login(begin(env, c), "resident", consent=False)
    refused(callback(env, c, back), "denied")
    assert accounts(env) == n


def test_next_must_stay_on_the_site(env):
    for bad in ("//evil.example/x", "/\\evil.example", "https://evil.example/", "/\t/evil.example/"):
        c, r = sign_in(env, "resident", bad)
        assert r.status == 303 and r.header("Location") == "/", (bad, r.headers)


def test_unreachable_provider_is_refused_and_password_login_works(env, tmp_path):
    port = free_port()
    s = Server(str(tmp_path), ["--oidc-issuer", "http://127.0.0.1:%d" % port, "--oidc-client-id", "x",
                               "--oidc-client-secret", "y"])
    s.user_add("pw@example.org", "citizen")
    s.start()
    try:
        c = s.client()
        r = c.raw("GET", "/auth/oidc/login?next=/")
        refused(r, "unavailable")
        assert count_rows(s, "SELECT count(*) FROM oidc_logins") == 0
        c.login("pw@example.org")
        assert c.get("/api/v1/me").status == 200
    finally:
        s.stop_clean()


def test_provider_gone_between_the_legs(env):
    c = Client(env.server.port)
    back = provider_login(begin(env, c), "resident")
    n, s = accounts(env), sessions(env)
    env.idp.stop()
    try:
        refused(callback(env, c, back), "unavailable")
    finally:
        env.idp = start_provider(env.tmp, redirect_uris=[env.base + "/auth/oidc/callback"],
                                 client_id=CLIENT_ID, client_secret=SECRET, port=env.idp.port,
                                 accounts=getattr(env, "accounts_file", None))
    assert (accounts(env), sessions(env)) == (n, s)


def test_key_rotation_is_followed(env):
    env.idp.rotate()
    time.sleep(2.5)  # the server refetches keys at most every 2 s (a token naming a new kid included)
    c, r = sign_in(env, "resident")
    assert r.status == 303 and r.header("Location") == "/", r


def test_not_configured_is_404(server):
    c = server.client()
    problem(c.raw("GET", "/auth/oidc/login"), 404)
    problem(c.raw("GET", "/auth/oidc/callback?code=x&state=y"), 404)
    assert c.get("/api/v1/auth/providers").json == {"oidc": None}


def test_bad_options_refuse_to_start(tmp_path):
    p = subprocess.run([BIN, "serve", "--db", str(tmp_path / "x.sqlite"), "--listen", "127.0.0.1:0",
                        "--oidc-issuer", "ftp://nope", "--oidc-client-id", "a", "--oidc-client-secret", "b"],
                       capture_output=True, timeout=60)
    assert p.returncode != 0 and b"--oidc-issuer" in p.stderr, p.stderr

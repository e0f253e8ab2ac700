"""Self-test of the OIDC test harness (tests/oidc/provider.js, the real
oidc-provider 8, and oidc_util.py), with no Kengash code at all: this file
plays the relying party itself. Signatures are not checked here on purpose
(that is the C relying party's job); only what each tamper mode changes.

    /usr/bin/python3 -m pytest -q tests/api/test_oidc_provider.py
"""
import json
import subprocess
import time

import pytest

from oidc_util import (MODES, PROVIDER_JS, LoginRefused, ProviderError, _json_request, decode_jwt, pkce_pair,
                       provider_login, query_of, start_provider)

CB = "http://127.0.0.1:9/cb"
CB2 = "http://127.0.0.1:9/other-cb"


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    p = start_provider(tmp_path_factory.mktemp("oidc"), redirect_uris=[CB, CB2])
    yield p
    p.stop()


@pytest.fixture(autouse=True)
def normal_mode(idp):
    idp.set_mode("normal")
    yield
    idp.set_mode("normal")


def code_flow(idp, login="resident", nonce="n-0123456789", auth="basic", scope="openid profile email address",
              redirect_uri=CB, **extra):
    verifier, challenge = pkce_pair()
    state = "s-" + nonce
    url = idp.authorize_url(redirect_uri=redirect_uri, state=state, nonce=nonce, code_challenge=challenge,
                            scope=scope, **extra)
    loc = provider_login(url, login)
    assert loc.startswith(redirect_uri + "?"), loc
    q = query_of(loc)
    assert q["state"] == state
    assert q["iss"] == idp.issuer  # RFC 9207 iss in the authorization response
    status, tok = idp.token(q["code"], verifier, redirect_uri=redirect_uri, auth=auth)
    assert status == 200, tok
    return q, verifier, tok


def test_discovery_and_jwks(idp):
    d = idp.discovery()
    assert d["issuer"] == idp.issuer
    assert d["authorization_endpoint"] == idp.issuer + "/auth"
    assert d["token_endpoint"] == idp.issuer + "/token"
    assert d["userinfo_endpoint"] == idp.issuer + "/me"
    assert d["jwks_uri"] == idp.issuer + "/jwks"
    assert d["response_types_supported"] == ["code"]
    assert d["code_challenge_methods_supported"] == ["S256"]
    assert set(d["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}
    assert {"RS256", "ES256"} <= set(d["id_token_signing_alg_values_supported"])
    assert {"openid", "profile", "email", "address"} <= set(d["scopes_supported"])
    assert {"snils", "address_id", "birthdate", "address"} <= set(d["claims_supported"])
    keys = idp.jwks()["keys"]
    assert sorted(k["alg"] for k in keys) == ["ES256", "RS256"]
    for k in keys:
        assert k["use"] == "sig" and k["kid"]
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(k), "private parts leaked into the JWKS"


def test_code_flow_pkce_id_token_and_userinfo(idp):
    q, _, tok = code_flow(idp, login="esia", nonce="nonce-esia-1")
    assert tok["token_type"] == "Bearer"
    assert set(tok["scope"].split()) == {"openid", "profile", "email", "address"}
    header, payload, sig = decode_jwt(tok["id_token"])
    assert header["alg"] == "RS256"
    assert header["kid"] in {k["kid"] for k in idp.jwks()["keys"]}
    assert sig
    assert payload["iss"] == idp.issuer
    assert payload["aud"] == idp.client_id
    assert payload["sub"] == "esia"
    assert payload["nonce"] == "nonce-esia-1"
    now = time.time()
    assert payload["iat"] <= now + 5 and payload["exp"] > now
    # conformIdTokenClaims: scope claims come from userinfo, not the ID token
    assert "address" not in payload and "snils" not in payload
    status, ui = idp.userinfo(tok["access_token"])
    assert status == 200, ui
    assert ui["sub"] == "esia"
    assert ui["snils"] == "112-233-445 95"
    assert ui["birthdate"] == "1969-09-09"
    assert ui["family_name"] == "Пробный" and ui["given_name"] == "Рустам" and ui["middle_name"] == "Маратович"
    assert ui["address"]["formatted"] == "г. Казань, ул. Гудованцева, д. 30"
    assert set(ui["address"]) == {"formatted", "street_address", "locality", "region", "postal_code", "country"}
    assert ui["address_id"] == "363571e1-28fb-5034-86e9-d59a0c3b8fe2"
    assert ui["email"] == "esia@example.org" and ui["email_verified"] is True


def test_client_secret_post_and_second_redirect_uri(idp):
    _, _, tok = code_flow(idp, auth="post", redirect_uri=CB2)
    assert decode_jwt(tok["id_token"])[1]["sub"] == "resident"


def test_scopes_limit_userinfo(idp):
    _, _, tok = code_flow(idp, login="resident", scope="openid address")
    status, ui = idp.userinfo(tok["access_token"])
    assert status == 200
    assert ui["address"]["formatted"] == "г. Казань, ул. Баумана, д. 19"
    assert "name" not in ui and "email" not in ui and "birthdate" not in ui


def test_accounts_variants(idp):
    def ui(login):
        _, _, tok = code_flow(idp, login=login)
        status, body = idp.userinfo(tok["access_token"])
        assert status == 200
        return body
    assert ui("loose")["address"]["formatted"] == "Казань, улица Баумана, дом 19"
    assert "address_id" not in ui("loose")
    assert ui("outsider")["address"]["formatted"] == "г. Казань, ул. Баумана, д. 200"
    only = ui("id-only")
    assert "address" not in only and only["address_id"]
    no_email = ui("no-email")
    assert "email" not in no_email and "email_verified" not in no_email
    assert "snils" not in ui("resident")


def test_claims_parameter_puts_claims_in_id_token(idp):
    claims = json.dumps({"id_token": {"address": None, "snils": {"essential": True}, "birthdate": None}})
    _, _, tok = code_flow(idp, login="esia", claims=claims)
    payload = decode_jwt(tok["id_token"])[1]
    assert payload["snils"] == "112-233-445 95"
    assert payload["birthdate"] == "1969-09-09"
    assert payload["address"]["formatted"] == "г. Казань, ул. Гудованцева, д. 30"


def test_replayed_code_is_refused(idp):
    q, verifier, tok = code_flow(idp)
    status, body = idp.token(q["code"], verifier)
    assert status == 400 and body["error"] == "invalid_grant"
    # oidc-provider also revokes what the first exchange issued
    assert idp.userinfo(tok["access_token"])[0] == 401


def test_wrong_code_verifier_and_missing_pkce_are_refused(idp):
    verifier, challenge = pkce_pair()
    loc = provider_login(idp.authorize_url(state="s", nonce="n", code_challenge=challenge), "resident")
    status, body = idp.token(query_of(loc)["code"], pkce_pair()[0])
    assert status == 400 and body["error"] == "invalid_grant"
    loc = provider_login(idp.authorize_url(state="s2", nonce="n"), "resident")
    q = query_of(loc)
    assert q["error"] == "invalid_request" and "PKCE" in q["error_description"]
    assert "code" not in q
    # S256 only, and the method must be sent: no silent "plain" fallback
    url = idp.authorize_url(state="s3", nonce="n", code_challenge=challenge)
    for bad in (url.replace("&code_challenge_method=S256", ""),
                url.replace("code_challenge_method=S256", "code_challenge_method=plain")):
        q = query_of(provider_login(bad, "resident"))
        assert q["error"] == "invalid_request" and "code" not in q


def test_nonce_is_optional_for_the_provider(idp):
    verifier, challenge = pkce_pair()
    loc = provider_login(idp.authorize_url(state="s-nononce", code_challenge=challenge), "resident")
    status, tok = idp.token(query_of(loc)["code"], verifier)
    assert status == 200
    assert "nonce" not in decode_jwt(tok["id_token"])[1]  # the RP must insist on its own nonce


def test_wrong_client_secret_is_refused(idp):
    verifier, challenge = pkce_pair()
    loc = provider_login(idp.authorize_url(state="s", nonce="n", code_challenge=challenge), "resident")
    status, body = idp.token(query_of(loc)["code"], verifier, client_secret="nope")
    assert status == 401 and body["error"] == "invalid_client"


def test_consent_denied(idp):
    _, challenge = pkce_pair()
    loc = provider_login(idp.authorize_url(state="st-deny", nonce="n", code_challenge=challenge), "resident",
                         consent=False)
    assert loc.startswith(CB + "?")
    q = query_of(loc)
    assert q["error"] == "access_denied"
    assert q["state"] == "st-deny"
    assert "code" not in q


def test_unknown_login_refused(idp):
    _, challenge = pkce_pair()
    with pytest.raises(LoginRefused):
        provider_login(idp.authorize_url(state="s", nonce="n", code_challenge=challenge), "nobody-at-all")


def test_unregistered_redirect_uri_is_not_redirected_to(idp):
    _, challenge = pkce_pair()
    with pytest.raises(ProviderError) as e:
        provider_login(idp.authorize_url(redirect_uri="http://127.0.0.1:9/evil", state="s", nonce="n",
                                         code_challenge=challenge), "resident")
    assert "redirect_uri" in str(e.value)


def tampered(idp, mode, nonce="n-tamper"):
    idp.set_mode(mode)
    _, _, tok = code_flow(idp, nonce=nonce)
    idp.set_mode("normal")
    return decode_jwt(tok["id_token"]), tok


def test_mode_normal_baseline(idp):
    (h, p, sig), _ = tampered(idp, "normal")
    real_kids = {k["kid"] for k in idp.jwks()["keys"]}
    assert h["alg"] == "RS256" and h["kid"] in real_kids and sig
    assert p["aud"] == idp.client_id and p["iss"] == idp.issuer and p["nonce"] == "n-tamper"
    assert p["exp"] > time.time() >= p["iat"] - 5


def test_mode_alg_none(idp):
    (h, p, sig), tok = tampered(idp, "alg_none")
    assert h["alg"] == "none" and sig == b""
    assert tok["id_token"].endswith(".")
    assert p["aud"] == idp.client_id and p["nonce"] == "n-tamper"


def test_mode_other_key(idp):
    (h, p, sig), _ = tampered(idp, "other_key")
    assert h["alg"] == "RS256" and sig
    assert h["kid"] not in {k["kid"] for k in idp.jwks()["keys"]}
    assert p["aud"] == idp.client_id and p["nonce"] == "n-tamper"


def test_mode_other_key_same_kid(idp):
    (h0, _, sig0), _ = tampered(idp, "normal")
    (h, p, sig), _ = tampered(idp, "other_key_same_kid")
    assert h["kid"] == h0["kid"] and h["alg"] == "RS256"
    assert sig and sig != sig0
    assert p["aud"] == idp.client_id


@pytest.mark.parametrize("mode", ["hs256_pubkey", "hs256_pubkey_jwk"])
def test_mode_hs256_pubkey(idp, mode):
    (h, p, sig), _ = tampered(idp, mode)
    assert h["alg"] == "HS256" and len(sig) == 32
    assert p["aud"] == idp.client_id and p["nonce"] == "n-tamper"


def test_mode_wrong_aud(idp):
    (h, p, _), _ = tampered(idp, "wrong_aud")
    assert p["aud"] != idp.client_id and h["alg"] == "RS256"
    assert p["iss"] == idp.issuer and p["nonce"] == "n-tamper"


def test_mode_wrong_iss(idp):
    (_, p, _), _ = tampered(idp, "wrong_iss")
    assert p["iss"] != idp.issuer and p["aud"] == idp.client_id


def test_mode_expired(idp):
    (h, p, _), _ = tampered(idp, "expired")
    now = time.time()
    assert p["exp"] < now - 3000 and p["iat"] < p["exp"]
    assert h["kid"] in {k["kid"] for k in idp.jwks()["keys"]}


def test_mode_wrong_nonce(idp):
    (_, p, _), _ = tampered(idp, "wrong_nonce")
    assert p["nonce"] != "n-tamper" and p["aud"] == idp.client_id


def test_mode_no_nonce(idp):
    (_, p, _), _ = tampered(idp, "no_nonce")
    assert "nonce" not in p and p["aud"] == idp.client_id


def test_mode_future_iat(idp):
    (_, p, _), _ = tampered(idp, "future_iat")
    assert p["iat"] > time.time() + 3000 and p["exp"] > p["iat"]


def test_mode_stays_until_reset_and_unknown_mode_refused(idp):
    idp.set_mode("wrong_aud")
    _, _, t1 = code_flow(idp)
    _, _, t2 = code_flow(idp)
    assert decode_jwt(t1["id_token"])[1]["aud"] != idp.client_id
    assert decode_jwt(t2["id_token"])[1]["aud"] != idp.client_id
    idp.set_mode("normal")
    _, _, t3 = code_flow(idp)
    assert decode_jwt(t3["id_token"])[1]["aud"] == idp.client_id
    with pytest.raises(ValueError):
        idp.set_mode("no-such-mode")
    status, body = _json_request("POST", idp.url("/__test/mode"), {"mode": "no-such-mode"})
    assert status == 400 and set(body["modes"]) == set(MODES)
    assert idp.health()["mode"] == "normal"


def test_rotate_new_kid_and_flow_in_progress_survives(idp):
    old = idp.jwks()["keys"]
    (h0, _, _), _ = tampered(idp, "normal")
    # a login started before the rotation finishes after it
    verifier, challenge = pkce_pair()
    url = idp.authorize_url(state="s-rot", nonce="n-rot", code_challenge=challenge)
    r = idp.rotate()
    assert r["kid"] not in {k["kid"] for k in old}
    new = idp.jwks()["keys"]
    assert {k["kid"] for k in old} < {k["kid"] for k in new}
    loc = provider_login(url, "resident")
    status, tok = idp.token(query_of(loc)["code"], verifier)
    assert status == 200
    h, p, _ = decode_jwt(tok["id_token"])
    assert h["kid"] == r["kid"] != h0["kid"]
    assert p["nonce"] == "n-rot"


def test_es256_client(tmp_path):
    p = start_provider(tmp_path, redirect_uris=[CB], alg="ES256", client_id="es-client", client_secret="es-secret")
    try:
        _, _, tok = code_flow(p)
        h, payload, sig = decode_jwt(tok["id_token"])
        assert h["alg"] == "ES256" and len(sig) == 64
        assert h["kid"] in {k["kid"] for k in p.jwks()["keys"] if k["alg"] == "ES256"}
        assert payload["aud"] == "es-client"
        p.set_mode("other_key")
        _, _, tok = code_flow(p)
        h, _, _ = decode_jwt(tok["id_token"])
        assert h["alg"] == "ES256" and h["kid"] not in {k["kid"] for k in p.jwks()["keys"]}
    finally:
        p.stop()
    assert p.proc is None and p.returncode == 0  # SIGTERM: clean exit


def test_claims_in_id_token_option(tmp_path):
    p = start_provider(tmp_path, redirect_uris=[CB], claims_in_id_token=True)
    try:
        _, _, tok = code_flow(p, login="esia")
        payload = decode_jwt(tok["id_token"])[1]
        assert payload["snils"] == "112-233-445 95"
        assert payload["address"]["formatted"] == "г. Казань, ул. Гудованцева, д. 30"
    finally:
        p.stop()


def test_test_controls_off_and_loopback_only(tmp_path):
    p = start_provider(tmp_path, redirect_uris=[CB], test_controls=False)
    try:
        assert p.health()["ok"] is True
        with pytest.raises(ValueError):
            p.set_mode("alg_none")
    finally:
        p.stop()
    r = subprocess.run(["node", PROVIDER_JS, "--port", "0", "--host", "0.0.0.0", "--client-id", "a",
                        "--client-secret", "b", "--redirect-uri", CB], capture_output=True, timeout=60)
    assert r.returncode == 2 and b"loopback" in r.stderr

"""An account made at a sign-in through the identity provider, whose
e-mail address the provider verified, needs no confirmation link: it is
confirmed at once (and gets followers' e-mails). Uses test_oidc.py's real
OpenID Connect provider and server."""
from test_oidc import env, fresh_csrf, sign_in  # noqa: F401  (env is a fixture)


def test_account_from_the_provider_with_a_verified_address_is_confirmed(env, mailbox):  # noqa: F811
    c, r = sign_in(env, "resident")
    assert r.status == 303, r
    fresh_csrf(c)
    me = c.get("/api/v1/me").json
    assert me["email"] == "resident@example.org" and me["email_confirmed"] is True, me
    # a provider without an e-mail claim gives an unconfirmed placeholder address
    c, r = sign_in(env, "no-email")
    assert r.status == 303, r
    fresh_csrf(c)
    me = c.get("/api/v1/me").json
    assert me["email"].endswith("@identity.invalid") and me["email_confirmed"] is False, me

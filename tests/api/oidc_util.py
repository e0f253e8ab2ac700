"""Test helpers for the real OpenID Connect provider in tests/oidc (the npm
package oidc-provider 8, OpenID Certified). Standard library only; run the
tests with /usr/bin/python3.

    from oidc_util import start_provider, provider_login

    @pytest.fixture
    def idp(tmp_path, server):
        p = start_provider(tmp_path, redirect_uris=[server.url + "/auth/oidc/callback"])
        yield p
        p.stop()

    loc = provider_login(authorize_url, "resident")          # -> redirect_uri?code=..&state=..&iss=..
    loc = provider_login(authorize_url, "resident", consent=False)  # -> ...?error=access_denied&..

OidcProvider(...).start() runs `node tests/oidc/provider.js ... --test-controls`
and waits for its `oidc-provider ready <issuer>` line; set_mode() and rotate()
drive its test controls (tampered ID tokens, key rotation).
"""
import base64
import hashlib
import html.parser
import http.cookiejar
import json
import os
import secrets
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OIDC_DIR = os.path.join(ROOT, "tests", "oidc")
PROVIDER_JS = os.path.join(OIDC_DIR, "provider.js")
DEFAULT_ACCOUNTS = os.path.join(OIDC_DIR, "accounts.json")

MODES = ("normal", "alg_none", "other_key", "other_key_same_kid", "hs256_pubkey", "hs256_pubkey_jwk",
         "wrong_aud", "wrong_iss", "expired", "wrong_nonce", "no_nonce", "future_iat")

_npm_lock = threading.Lock()


class ProviderError(Exception):
    """The provider answered something the login walk did not expect."""


class LoginRefused(ProviderError):
    """The provider refused the login (no account has that sub)."""


def ensure_node_modules():
    """npm ci tests/oidc when its node_modules is missing (scripts/test does it too)."""
    with _npm_lock:
        if os.path.isdir(os.path.join(OIDC_DIR, "node_modules", "oidc-provider")):
            return
        npm = shutil.which("npm")
        if not npm:
            raise RuntimeError("npm is not on PATH: cannot install tests/oidc (oidc-provider)")
        subprocess.run([npm, "ci", "--prefix", OIDC_DIR, "--ignore-scripts", "--no-audit", "--no-fund", "--silent"],
                       check=True, cwd=ROOT)


def _json_request(method, url, obj=None, timeout=10):
    data = None if obj is None else json.dumps(obj).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body)
        except ValueError:
            return e.code, body.decode("utf-8", "replace")


class OidcProvider:
    """One oidc-provider process on a loopback port.

    Attributes once started: issuer ("http://127.0.0.1:PORT", no trailing
    slash), port, client_id, client_secret, redirect_uris, alg, accounts,
    log_path (the process's stderr), proc.
    """

    def __init__(self, redirect_uris=(), client_id="kengash-test", client_secret="kengash-test-secret",
                 alg="RS256", accounts=None, port=0, host="127.0.0.1", issuer=None,
                 post_logout_redirect_uris=(), claims_in_id_token=False, test_controls=True,
                 log_path=None, verbose=False):
        self.redirect_uris = list(redirect_uris)
        self.client_id = client_id
        self.client_secret = client_secret
        self.alg = alg
        self.accounts = accounts or DEFAULT_ACCOUNTS
        self.port = port
        self.host = host
        self.issuer = issuer
        self.post_logout_redirect_uris = list(post_logout_redirect_uris)
        self.claims_in_id_token = claims_in_id_token
        self.test_controls = test_controls
        self.log_path = log_path
        self.verbose = verbose
        self.proc = None
        self.returncode = None  # the exit code after stop() (0: clean SIGTERM exit)
        self._log = None

    # -- process ---------------------------------------------------------

    def start(self, timeout=60, **kw):
        """Start the provider; keyword arguments override the constructor's
        (port=0 lets the provider pick a free port). Returns self."""
        for k, v in kw.items():
            if not hasattr(self, k):
                raise TypeError("unknown option %r" % k)
            setattr(self, k, list(v) if k in ("redirect_uris", "post_logout_redirect_uris") else v)
        if self.proc:
            raise RuntimeError("already started")
        if not self.redirect_uris:
            raise ValueError("redirect_uris: at least one is needed")
        ensure_node_modules()
        cmd = [shutil.which("node") or "node", PROVIDER_JS, "--port", str(self.port), "--host", self.host,
               "--client-id", self.client_id, "--client-secret", self.client_secret,
               "--alg", self.alg, "--accounts", str(self.accounts)]
        for u in self.redirect_uris:
            cmd += ["--redirect-uri", u]
        for u in self.post_logout_redirect_uris:
            cmd += ["--post-logout-redirect-uri", u]
        if self.issuer and self.port:
            cmd += ["--issuer", self.issuer]
        if self.claims_in_id_token:
            cmd.append("--claims-in-id-token")
        if self.test_controls:
            cmd.append("--test-controls")
        if self.verbose:
            cmd.append("--verbose")
        if self.log_path:
            self._log = open(self.log_path, "ab")
        stderr = self._log if self._log else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, cwd=ROOT)
        ready = {}

        def reader():
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace").strip()
                if line.startswith("oidc-provider ready ") and "issuer" not in ready:
                    ready["issuer"] = line[len("oidc-provider ready "):]
            # stdout closed: the process is gone (or closing)

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        deadline = time.monotonic() + timeout
        while "issuer" not in ready:
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                self.proc = None
                raise RuntimeError("oidc-provider exited with %s before it was ready%s" % (rc, self._log_tail()))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("oidc-provider was not ready in %ss%s" % (timeout, self._log_tail()))
            time.sleep(0.05)
        self.issuer = ready["issuer"]
        self.port = urllib.parse.urlsplit(self.issuer).port
        return self

    def _log_tail(self):
        if not self.log_path:
            return ""
        try:
            with open(self.log_path, "rb") as f:
                return "\n--- provider log ---\n" + f.read()[-3000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            if self.proc.stdout:
                self.proc.stdout.close()
            self.returncode = self.proc.returncode
            self.proc = None
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self):
        if not self.proc:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- endpoints -------------------------------------------------------

    def url(self, path):
        return self.issuer + path

    def discovery(self):
        status, body = _json_request("GET", self.url("/.well-known/openid-configuration"))
        assert status == 200, (status, body)
        return body

    def jwks(self):
        status, body = _json_request("GET", self.url("/jwks"))
        assert status == 200, (status, body)
        return body

    def health(self):
        return _json_request("GET", self.url("/__test/health"))[1]

    # -- test controls ---------------------------------------------------

    def set_mode(self, mode):
        """What the token endpoint sends as id_token from now on, until
        set_mode("normal"). One of MODES."""
        status, body = _json_request("POST", self.url("/__test/mode"), {"mode": mode})
        if status != 200:
            raise ValueError("set_mode(%r): %s %r" % (mode, status, body))
        return body

    def rotate(self, keep_old=True):
        """Put a new signing key (new kid) in front; later ID tokens use it.
        Returns {"kid": new kid for this client's alg, "kids": all kids}."""
        status, body = _json_request("POST", self.url("/__test/rotate"), {"keep_old": keep_old})
        if status != 200:
            raise RuntimeError("rotate: %s %r" % (status, body))
        return body

    # -- a relying party's side, for tests that play the RP themselves ----

    def authorize_url(self, redirect_uri=None, state=None, nonce=None, code_challenge=None,
                      scope="openid profile email address", **extra):
        q = {"response_type": "code", "client_id": self.client_id,
             "redirect_uri": redirect_uri or self.redirect_uris[0], "scope": scope}
        if state is not None:
            q["state"] = state
        if nonce is not None:
            q["nonce"] = nonce
        if code_challenge is not None:
            q["code_challenge"] = code_challenge
            q["code_challenge_method"] = "S256"
        q.update(extra)
        return self.url("/auth") + "?" + urllib.parse.urlencode(q)

    def token(self, code, code_verifier, redirect_uri=None, auth="basic", client_secret=None):
        """POST /token (authorization_code). auth: "basic" or "post".
        Returns (status, json body)."""
        secret = self.client_secret if client_secret is None else client_secret
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": redirect_uri or self.redirect_uris[0], "code_verifier": code_verifier}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if auth == "basic":
            # RFC 6749 2.3.1: form-urlencode id and secret, then base64
            cred = "%s:%s" % (urllib.parse.quote_plus(self.client_id), urllib.parse.quote_plus(secret))
            headers["Authorization"] = "Basic " + base64.b64encode(cred.encode()).decode()
        else:
            form["client_id"] = self.client_id
            form["client_secret"] = secret
        req = urllib.request.Request(self.url("/token"), data=urllib.parse.urlencode(form).encode(),
                                     headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def userinfo(self, access_token):
        req = urllib.request.Request(self.url("/me"), headers={"Authorization": "Bearer " + access_token})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            body = e.read()
            try:
                return e.code, json.loads(body)
            except ValueError:
                return e.code, {"www-authenticate": e.headers.get("WWW-Authenticate"), "body": body.decode()}


def start_provider(tmpdir, **kw):
    """Start a provider whose stderr goes to <tmpdir>/oidc-provider.log.
    Keyword arguments: those of OidcProvider (redirect_uris=[...], client_id,
    client_secret, alg, accounts, port, claims_in_id_token, ...). Call
    .stop() when done (or use it as a context manager)."""
    kw.setdefault("log_path", os.path.join(str(tmpdir), "oidc-provider.log"))
    return OidcProvider(**kw).start()


# -- PKCE / JWT helpers (no signature checking here, on purpose) ----------

def pkce_pair():
    """(code_verifier, code_challenge) for S256."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def decode_jwt(token):
    """(header, payload, signature bytes) of a compact JWS, base64 only."""
    h, p, s = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p)), b64url_decode(s)


def query_of(location):
    """The query parameters of a redirect Location, as a dict of strings."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query, keep_blank_values=True))


# -- the login walk ----------------------------------------------------------

class _Page(html.parser.HTMLParser):
    """Forms (action, method, inputs) and links of one interaction page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.links = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": (a.get("method") or "get").lower(), "inputs": {}}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("name"):
            self._form["inputs"][a["name"]] = a.get("value") or ""
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


class _KeepAll(urllib.request.HTTPErrorProcessor):
    """Hand every response back as it is: no redirect followed, no error raised."""

    def http_response(self, request, response):
        return response

    https_response = http_response


def _origin(url):
    u = urllib.parse.urlsplit(url)
    return (u.scheme, u.hostname, u.port or (443 if u.scheme == "https" else 80))


def provider_login(authorize_url, login, consent=True, password="any-password", jar=None, max_steps=20):
    """Walk oidc-provider's dev interaction pages like a browser would and
    return the first redirect Location that leaves the provider's origin: the
    relying party's redirect_uri with ?code=..&state=..&iss=.. (or, with
    consent=False, ?error=access_denied&error_description=..&state=..&iss=..).

    authorize_url is the provider URL the relying party redirected to
    (/auth?...). login is an account's sub; the password is not checked.
    consent=False signs in, then presses "[ Cancel ]" on the consent page
    (GET /interaction/<uid>/abort). Pass a http.cookiejar.CookieJar as jar to
    keep the provider session between calls (then login and consent may be
    skipped). Raises LoginRefused for an unknown login, ProviderError for an
    error page (e.g. a redirect_uri the client did not register).
    """
    jar = jar if jar is not None else http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _KeepAll())
    provider = _origin(authorize_url)
    url, data = authorize_url, None
    for _ in range(max_steps):
        req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        with opener.open(req, timeout=15) as r:
            status, body = r.status, r.read().decode("utf-8", "replace")
            location = r.headers.get("Location")
        if status in (301, 302, 303, 307, 308):
            if not location:
                raise ProviderError("%d without Location from %s" % (status, url))
            nxt = urllib.parse.urljoin(url, location)
            if _origin(nxt) != provider:
                return nxt
            url, data = nxt, None
            continue
        if status == 403 and 'id="login-refused"' in body:
            raise LoginRefused("the provider refused the login %r" % login)
        if status != 200:
            raise ProviderError("HTTP %d from %s: %s" % (status, url, body[:2000]))
        page = _Page()
        page.feed(body)
        form = next((f for f in page.forms if f["method"] == "post" and "prompt" in f["inputs"]), None)
        if form is None:
            raise ProviderError("no interaction form on %s: %s" % (url, body[:2000]))
        prompt = form["inputs"]["prompt"]
        if prompt == "consent" and not consent:
            abort = next((h for h in page.links if h.rstrip("/").endswith("/abort")), None)
            if abort is None:
                raise ProviderError("no [ Cancel ] link on the consent page %s" % url)
            url, data = urllib.parse.urljoin(url, abort), None
            continue
        fields = dict(form["inputs"])
        if prompt == "login":
            fields["login"] = login
            fields["password"] = password
        elif prompt != "consent":
            raise ProviderError("unknown prompt %r on %s" % (prompt, url))
        url = urllib.parse.urljoin(url, form["action"])
        data = urllib.parse.urlencode(fields).encode()
    raise ProviderError("no redirect to the relying party after %d steps" % max_steps)

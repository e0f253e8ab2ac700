"""End-to-end API tests: start the real kengash binary on an ephemeral
loopback port with a temporary SpatiaLite database, and talk HTTP to it.

KENGASH_BIN points at the binary (scripts/test sets it to the sanitizer build).
"""
import atexit
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("KENGASH_BIN", os.path.join(ROOT, "build-asan", "kengash"))
PASSWORD = "correct-horse-battery-staple"

# Every directory the tests make (tempfile: each server's database, files
# and logs, the PostgreSQL cluster's) lies under one directory per pytest
# process, removed at exit when the whole run passed; a failed run keeps
# it to look into. Removed after the cluster's own atexit stop (atexit
# runs the last registered first, and this one is registered before any).
_tmp = {"base": None, "passed": False}


def pytest_configure(config):
    _tmp["base"] = tempfile.mkdtemp(prefix="kengash-tests-")
    os.chmod(_tmp["base"], 0o711)  # the cluster's unprivileged user enters its own
    tempfile.tempdir = _tmp["base"]
    atexit.register(_tmp_remove)


def pytest_sessionfinish(session, exitstatus):
    _tmp["passed"] = exitstatus == 0


def _tmp_remove():
    if _tmp["passed"]:
        shutil.rmtree(_tmp["base"], ignore_errors=True)


# The store under test: an SQLite file per server (the default), or with
# KENGASH_TEST_PG=1 a database per server in a throwaway PostgreSQL +
# PostGIS cluster that this test process starts (tests/pg/cluster.py) and
# stops at exit. Server.db is then the database's connection string.
PG = os.environ.get("KENGASH_TEST_PG") == "1"
_pg = {"cluster": None, "n": 0}


def _pg_database(tmp):
    """The database of the server directory tmp: made on first use, the
    same one for a server started again on tmp (as the SQLite file)."""
    os.makedirs(tmp, exist_ok=True)
    path = os.path.join(tmp, "pg-url")
    if os.path.exists(path):
        with open(path) as f:
            return f.read()
    url = _pg_new_database()
    with open(path, "w") as f:
        f.write(url)
    return url


def _pg_new_database():
    if _pg["cluster"] is None:
        import sys
        sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
        from cluster import Cluster
        # a template with PostGIS; each server: its workers, the writer, mail
        _pg["cluster"] = Cluster(dbname="kg_template", max_connections=300).start()
    _pg["n"] += 1
    name = "kg_%d_%d" % (os.getpid(), _pg["n"])
    _pg["cluster"].psql("CREATE DATABASE %s TEMPLATE kg_template" % name, dbname="postgres")
    return _pg["cluster"].url_for(name)


def read_only(url):
    """The database's connection string made read-only, as a streaming
    replica is: on PostgreSQL every API test server reads its public pages
    through it (--db-replica), so a public read that writes fails the test.
    tests/pg/test_replica.py has a real replica, with lag."""
    return url + "?options=-c%20default_transaction_read_only%3Don"


class Db:
    """SQL on a server's database, whichever the engine: `?` placeholders,
    rows as tuples, committed on leaving `with`. SpatiaLite is loaded on
    SQLite; PostgreSQL has PostGIS and the store's compat functions
    (src/store/migrations/pg-compat), so MakePoint, GeomFromText and
    CastToMultiPolygon read the same on both."""

    def __init__(self, url):
        if PG:
            import psycopg2
            self.conn = psycopg2.connect(url)
        else:
            import sqlite3
            self.conn = sqlite3.connect(url, timeout=30)
            self.conn.enable_load_extension(True)
            self.conn.load_extension("mod_spatialite")

    def execute(self, sql, params=()):
        if PG:
            cur = self.conn.cursor()
            cur.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(params))
            return cur
        return self.conn.execute(sql, params)

    def rows(self, sql, params=()):
        return [tuple(r) for r in self.execute(sql, params).fetchall()]

    def one(self, sql, params=()):
        r = self.execute(sql, params).fetchone()
        return r[0] if r is not None else None

    def __enter__(self):
        return self

    def __exit__(self, exc, *rest):
        if exc is None:
            self.conn.commit()
        else:
            self.conn.rollback()
        self.conn.close()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:300])


class Client:
    """A tiny HTTP client with a cookie jar and the CSRF header."""

    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf = None

    def raw(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if self.cookie and "Cookie" not in h:
            h["Cookie"] = "session=" + self.cookie
        if self.csrf and method not in ("GET", "HEAD") and "X-CSRF-Token" not in h:
            h["X-CSRF-Token"] = self.csrf
        path = urllib.parse.quote(path, safe="/?=&%:,;+*!'()@$-_.~")
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        r = Response(resp.status, resp.getheaders(), data)
        conn.close()
        for v in r.headers_all("Set-Cookie"):
            if v.startswith("session="):
                val = v.split(";")[0][len("session="):]
                self.cookie = val or None
        return r

    def req(self, method, path, obj=None, headers=None):
        h = dict(headers or {})
        body = None
        if obj is not None:
            body = json.dumps(obj).encode()
            h.setdefault("Content-Type", "application/json")
        return self.raw(method, path, body, h)

    def get(self, path, **kw):
        return self.req("GET", path, **kw)

    def post(self, path, obj=None, **kw):
        return self.req("POST", path, obj, **kw)

    def put(self, path, obj=None, **kw):
        return self.req("PUT", path, obj, **kw)

    def delete(self, path, **kw):
        return self.req("DELETE", path, **kw)

    def login(self, email, password=PASSWORD):
        r = self.post("/api/v1/session", {"email": email, "password": password})
        assert r.status == 200, r
        self.csrf = r.json["csrf_token"]
        return r


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Mailbox:
    """A real SMTP listener (aiosmtpd) on a loopback port; keeps every message."""

    def __init__(self, port=None):
        from aiosmtpd.controller import Controller
        self.messages = []
        self.cond = threading.Condition()
        self.reply_delay = 0  # seconds between keeping a message and answering 250
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import email
                from email import policy
                msg = email.message_from_bytes(envelope.content, policy=policy.default)
                with mailbox.cond:
                    mailbox.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                             "subject": str(msg["Subject"]), "msg": msg,
                                             "text": msg.get_body(("plain",)).get_content()})
                    mailbox.cond.notify_all()
                if mailbox.reply_delay:
                    import asyncio
                    await asyncio.sleep(mailbox.reply_delay)
                return "250 OK"

        self.port = port or free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def wait_for(self, to, pred=lambda m: True, timeout=20):
        """The first message to `to` matching pred, waiting for it to arrive."""
        end = time.time() + timeout
        with self.cond:
            while True:
                for m in self.messages:
                    if to in m["to"] and pred(m):
                        return m
                left = end - time.time()
                if left <= 0:
                    raise AssertionError("no mail to %s within %ss" % (to, timeout))
                self.cond.wait(left)

    def count(self, to):
        with self.cond:
            return sum(1 for m in self.messages if to in m["to"])

    def stop(self):
        self.controller.stop()


class Server:
    def __init__(self, tmp, extra_args=()):
        self.tmp = tmp
        self.db = _pg_database(tmp) if PG else os.path.join(tmp, "kengash.sqlite")
        # beside the SQLite file by default; PostgreSQL needs it named
        self.holder_key = os.path.join(tmp, "holder-key") if PG else self.db + ".holder-key"
        self.files = os.path.join(tmp, "files")
        self.proc = None
        self.port = None
        self.stderr_lines = []
        self.extra_args = list(extra_args)

    def user_add(self, email, role, name=None, password=PASSWORD):
        args = [BIN, "user", "add", "--db", self.db, "--email", email, "--role", role]
        if name:
            args += ["--name", name]
        p = subprocess.run(args, input=(password + "\n").encode(), capture_output=True, timeout=60)
        assert p.returncode == 0, p.stderr.decode()

    def start(self):
        args = [BIN, "serve", "--listen", "127.0.0.1:0", "--db", self.db, "--files", self.files,
                "--web", os.path.join(ROOT, "web"), "--tick", "1", "--threads", "4",
                "--per-ip", "0",
                # the suite signs up and writes to support from one address far
                # more than the limits allow; test_security.py tests them
                "--signup-limit", "0", "--support-limit", "0",
                # test_alerts.py subscribes many times from one address
                "--alerts-limit", "0"] + (["--holder-key-file", self.holder_key] if PG else []) + \
            (["--db-replica", read_only(self.db)] if PG else []) + self.extra_args
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        assert "serving on port" in line, (line, self.proc.stderr.read().decode()[-3000:])
        self.port = int(line.strip().rsplit(" ", 1)[1])
        t = threading.Thread(target=self._drain, daemon=True)
        t.start()

    def _drain(self):
        # KENGASH_TEST_SERVER_LOG=FILE: every server's log appended there too
        # (the log of a server a failed test talked to, for the developer)
        path = os.environ.get("KENGASH_TEST_SERVER_LOG")
        out = open(path, "a", encoding="utf-8") if path else None
        for line in self.proc.stderr:
            text = line.decode(errors="replace")
            self.stderr_lines.append(text)
            if out:
                out.write(text)
                out.flush()
        if out:
            out.close()

    def stop(self):
        """SIGTERM; the server must drain and exit 0 (sanitizers report at exit)."""
        if not self.proc:
            return 0
        self.proc.terminate()
        try:
            rc = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = -9
        self.proc = None
        return rc

    def stop_clean(self):
        """stop(), then assert exit code 0 and no sanitizer report; returns the log."""
        rc = self.stop()
        log = "".join(self.stderr_lines)
        assert "ERROR: AddressSanitizer" not in log, log[-5000:]
        assert "runtime error:" not in log, log[-5000:]
        assert rc == 0, "server exit code %s\n%s" % (rc, log[-5000:])
        return log

    def client(self):
        return Client(self.port)

    def sql(self):
        """The database, for a test's own reads and writes (Db)."""
        return Db(self.db)


MODERATOR = "moderator@example.org"
ADMIN = "admin@example.org"
CITIZEN = "citizen@example.org"


@pytest.fixture(scope="session")
def mailbox():
    m = Mailbox()
    yield m
    m.stop()


@pytest.fixture(scope="session")
def server(mailbox):
    tmp = tempfile.mkdtemp(prefix="kengash-api-")
    s = Server(tmp, ["--smtp", "smtp://127.0.0.1:%d" % mailbox.port])
    s.user_add(MODERATOR, "moderator", "Тестовый Модератор")
    s.user_add(ADMIN, "admin", "Администратор")
    s.user_add(CITIZEN, "citizen", "Тестовый Гражданин")
    s.start()
    yield s
    s.stop_clean()


@pytest.fixture(scope="module")
def server_with():
    """Starts servers of one test module that need more `kengash serve`
    options than the shared `server`: server_with("--metrics-token", T,
    users=[(email, role, name)]) starts one on its own database, with those
    accounts, and returns it. Every one is stopped at the end of the module
    and must exit clean (stop_clean); a test that reads the log calls
    stop_clean itself."""
    started = []

    def start(*extra_args, users=()):
        s = Server(tempfile.mkdtemp(prefix="kengash-api-"), extra_args)
        for email, role, name in users:
            s.user_add(email, role, name)
        s.start()
        started.append(s)
        return s

    yield start
    failed = []
    for s in started:
        try:
            s.stop_clean()
        except AssertionError as e:
            failed.append(str(e))
    assert not failed, "\n".join(failed)


@pytest.fixture
def anon(server):
    return server.client()


@pytest.fixture
def mod(server):
    c = server.client()
    c.login(MODERATOR)
    return c


@pytest.fixture
def admin(server):
    c = server.client()
    c.login(ADMIN)
    return c


@pytest.fixture
def citizen(server):
    c = server.client()
    c.login(CITIZEN)
    return c


_CODES = {}


def _codes(kind):
    """The codes of include/kengash/problem.h: kind "P" (problems) or "R" (errors[] reasons)."""
    if not _CODES:
        with open(os.path.join(ROOT, "include", "kengash", "problem.h"), encoding="utf-8") as f:
            src = f.read()
        _CODES["P"] = set(re.findall(r'X\([A-Z_]+, "([a-z_.]+)", \d{3},', src))
        _CODES["R"] = set(re.findall(r'X\([A-Z_]+, "([a-z_]+)", "', src))
    return _CODES[kind]


def problem_codes():
    return _codes("P")


def reason_codes():
    return _codes("R")


def problem(r, status, field=None):
    """Asserts r is an application/problem+json with status (and names field),
    with a known machine code, and a known code on every errors[] entry."""
    assert r.status == status, r
    assert r.header("Content-Type").startswith("application/problem+json"), r.headers
    body = r.json
    assert body["status"] == status and body["title"] and "detail" in body, body
    assert body.get("code") in problem_codes(), body
    assert all(e.get("code") in reason_codes() for e in body.get("errors", [])), body
    if field is not None:
        fields = [e["field"] for e in body.get("errors", [])]
        assert field in fields, (field, body)
    return body

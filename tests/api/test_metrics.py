"""Metrics and logs for operators: GET /metrics in the Prometheus text
exposition format (0.0.4), parsed strictly here; off unless enabled (404),
behind a bearer token on the main listener (401 without it) or on a
listener of its own; the counters move with requests (a 404, a proposal
through the group-commit writer, cache hits). Every response carries
X-Request-Id (the client's when well-formed, else a fresh one), which is
the request_id of the request's log lines; --log-format json writes one
JSON object per line with the same keys, and no personal data."""
import http.client
import json
import math
import re
import socket
import tempfile
import time
import uuid

import pytest

from conftest import MODERATOR, PASSWORD, PG, Server, free_port
from test_comments import INSIDE, TERRITORY, resident
from test_discussions import create

TOKEN = "metrics-" + uuid.uuid4().hex

# ---- a strict parser of the text exposition format, version 0.0.4 ----

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse_value(z):
    if z in ("+Inf", "Inf"):
        return math.inf
    if z == "-Inf":
        return -math.inf
    if z == "NaN":
        return math.nan
    assert re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", z), "bad value %r" % z
    return float(z)


def parse_labels(z):
    """'a="x",b="y\\"z"' -> {"a": "x", "b": 'y"z'}; strict about escapes."""
    out = {}
    i = 0
    while i < len(z):
        m = re.match(LABEL, z[i:])
        assert m, "bad label name at %r" % z[i:]
        name = m.group(0)
        i += len(name)
        assert z[i:i + 2] == '="', "expected =\" at %r" % z[i:]
        i += 2
        val = []
        while True:
            assert i < len(z), "unterminated label value"
            c = z[i]
            if c == "\\":
                esc = z[i + 1]
                assert esc in 'n"\\', "bad escape \\%s" % esc
                val.append("\n" if esc == "n" else esc)
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                assert c != "\n"
                val.append(c)
                i += 1
        assert name not in out, "label %s twice" % name
        out[name] = "".join(val)
        if i < len(z):
            assert z[i] == ",", "expected , at %r" % z[i:]
            i += 1
    return out


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)] if name.endswith(suffix) else None
        if base and types.get(base) in ("histogram", "summary"):
            return base
    return name


def parse(text):
    """{family: {"type", "help", "samples": [(name, labels, value)]}}; asserts
    the format's rules: one HELP and TYPE per family, before its samples;
    no series twice; histograms cumulative, ending in +Inf == _count."""
    assert text.endswith("\n"), "the exposition ends with a line feed"
    fams, types, seen, done = {}, {}, set(), set()
    current = None
    for line in text.split("\n")[:-1]:
        assert line.strip() == line and line, "blank or padded line %r" % line
        if line.startswith("#"):
            m = re.fullmatch(r"# (HELP|TYPE) (%s) (.*)" % NAME, line)
            if not m:
                continue  # a comment
            kind, name, rest = m.groups()
            assert name not in done, "%s comes back after other families" % name
            f = fams.setdefault(name, {"type": "untyped", "help": None, "samples": []})
            assert not f["samples"], "%s %s after its samples" % (kind, name)
            if kind == "TYPE":
                assert rest in TYPES and name not in types, line
                types[name] = f["type"] = rest
            else:
                assert f["help"] is None, "HELP twice for %s" % name
                f["help"] = rest
            if current and current != name:
                done.add(current)
            current = name
            continue
        m = re.fullmatch(r"(%s)(?:\{(.*)\})? (\S+)(?: (-?\d+))?" % NAME, line)
        assert m, "bad sample line %r" % line
        name, labels, value, _ts = m.groups()
        labels = parse_labels(labels or "")
        fam = family_of(name, types)
        assert fam not in done, "samples of %s are not together" % fam
        if current and current != fam:
            done.add(current)
        current = fam
        key = (name, tuple(sorted(labels.items())))
        assert key not in seen, "series twice: %r" % (key,)
        seen.add(key)
        fams.setdefault(fam, {"type": "untyped", "help": None, "samples": []})["samples"].append(
            (name, labels, parse_value(value)))
    for fam, f in fams.items():
        if f["type"] == "counter":
            for _, _, v in f["samples"]:
                assert v >= 0, fam
        if f["type"] == "histogram":
            check_histogram(fam, f["samples"])
    return fams


def check_histogram(fam, samples):
    series = {}
    for name, labels, v in samples:
        rest = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
        s = series.setdefault(rest, {"buckets": [], "sum": None, "count": None})
        if name == fam + "_bucket":
            s["buckets"].append((parse_value(labels["le"]), v))
        elif name == fam + "_sum":
            s["sum"] = v
        elif name == fam + "_count":
            s["count"] = v
        else:
            raise AssertionError("%s in histogram %s" % (name, fam))
    for rest, s in series.items():
        b = s["buckets"]
        assert b and b[-1][0] == math.inf, "%s%r does not end in +Inf" % (fam, rest)
        bounds = [le for le, _ in b]
        assert bounds == sorted(bounds) and len(set(bounds)) == len(bounds), (fam, rest)
        counts = [v for _, v in b]
        assert counts == sorted(counts), "%s%r buckets are not cumulative" % (fam, rest)
        assert s["count"] == b[-1][1], "%s%r _count != +Inf bucket" % (fam, rest)
        assert s["sum"] is not None and s["sum"] >= 0, (fam, rest)


def value(fams, fam, name=None, **labels):
    """The sample of family fam (sample name defaults to fam) with labels
    (a subset); 0 when there is none."""
    for n, l, v in fams.get(fam, {}).get("samples", []):
        if n == (name or fam) and all(l.get(k) == x for k, x in labels.items()):
            return v
    return 0


def scrape(port, path="/metrics", token=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Authorization": "Bearer " + token} if token else {}
    conn.request("GET", path, headers=h)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), body.decode()


def metrics(port, token=None):
    status, headers, body = scrape(port, token=token)
    assert status == 200, (status, body[:500])
    assert headers["content-type"].startswith("text/plain; version=0.0.4"), headers
    return parse(body)


def settled(port, check, token=None, timeout=10):
    """Scrapes until check(fams) passes (does not raise or return False): a
    request is counted when it completes, just after its answer reached
    the client."""
    end = time.time() + timeout
    while True:
        fams = metrics(port, token=token)
        try:
            if check(fams) is not False:
                return fams
        except AssertionError:
            if time.time() > end:
                raise
        assert time.time() < end, "the metrics did not reach the expected values"
        time.sleep(0.05)


# ---- servers ----

@pytest.fixture(scope="module")
def msrv():
    """A server with an open discussion, the metrics listener and a token:
    (server, moderator's client, discussion, metrics port)."""
    mport = free_port()
    s = Server(tempfile.mkdtemp(prefix="kengash-metrics-"),
               ["--metrics-listen", "127.0.0.1:%d" % mport, "--metrics-token", TOKEN])
    s.user_add(MODERATOR, "moderator", "Модератор Метрик")
    s.start()
    mod = s.client()
    mod.login(MODERATOR)
    d = create(mod, territory=TERRITORY)
    for to in ("announced", "open"):
        assert mod.post("/api/v1/discussions/%d/transitions" % d["id"], {"to": to}).status == 200
    s.mport = mport
    yield s, mod, d, mport
    s.stop_clean()


@pytest.fixture(scope="module")
def jsrv():
    """A server writing its log as JSON lines."""
    s = Server(tempfile.mkdtemp(prefix="kengash-jsonlog-"), ["--log-format", "json"])
    s.user_add(MODERATOR, "moderator", "Модератор Журнала")
    s.start()
    yield s
    s.stop_clean()


def log_lines(s, pred, timeout=10):
    end = time.time() + timeout
    while True:
        got = [l for l in list(s.stderr_lines) if pred(l)]
        if got or time.time() > end:
            return got
        time.sleep(0.05)


# ---- off unless enabled ----

def test_metrics_are_404_without_a_token_or_listener(server):
    status, headers, body = scrape(server.port)
    assert status == 404 and "kengash_" not in body
    assert headers["content-type"].startswith("application/problem+json")


def test_a_wrong_or_missing_token_is_401(msrv):
    s, _, _, _ = msrv
    for token in (None, "wrong", TOKEN + "x", TOKEN[:-1]):
        status, headers, body = scrape(s.port, token=token)
        assert status == 401 and "kengash_" not in body, (token, status)
        assert headers["www-authenticate"].startswith("Bearer")
    status, _, body = scrape(s.port, token=TOKEN)
    assert status == 200 and "kengash_http_requests_total" in body


def test_the_metrics_listener_serves_metrics_and_nothing_else(msrv):
    s, _, _, mport = msrv
    fams = metrics(mport)
    for fam in ("kengash_http_requests_total", "kengash_http_request_duration_seconds",
                "kengash_http_requests_in_flight", "kengash_http_requests_deferred",
                "kengash_http_connections_open", "kengash_writer_queue_depth",
                "kengash_writer_group_size", "kengash_writer_commit_duration_seconds",
                "kengash_outbox_messages", "kengash_cache_hits_total",
                "kengash_cache_misses_total", "kengash_db_size_bytes",
                "process_resident_memory_bytes") + (() if PG else ("kengash_db_wal_size_bytes",)):
        assert fam in fams, fam
        assert fams[fam]["help"], fam
    assert value(fams, "process_resident_memory_bytes") > 1 << 20
    assert value(fams, "kengash_db_size_bytes") > 0
    idle = socket.create_connection(("127.0.0.1", s.port))  # an open connection to --listen
    try:
        end = time.time() + 10
        while value(metrics(mport), "kengash_http_connections_open") < 1:
            assert time.time() < end, "the open connection is not counted"
            time.sleep(0.05)
    finally:
        idle.close()
    assert value(metrics(mport), "kengash_http_connections_total") >= 1
    for path in ("/healthz", "/", "/api/v1/discussions", "/metrics/x"):
        status, _, _ = scrape(mport, path)
        assert status == 404, path


def test_a_404_moves_its_counter_under_one_label_not_the_path(msrv):
    s, _, _, mport = msrv
    before = metrics(mport)
    c = s.client()
    for i in range(3):
        assert c.get("/no-such-page-%s.html" % uuid.uuid4().hex).status == 404
    assert c.post("/no/such/api", {"x": 1}).status == 404
    assert c.get("/api/v1/discussions/999999").status == 404

    def check(after):
        for key, n in ((dict(route="static", method="GET", code="404"), 3),
                       (dict(route="none", code="404"), 1),
                       (dict(route="/api/v1/discussions/{id}", method="GET", code="404"), 1)):
            assert value(after, "kengash_http_requests_total", **key) == \
                value(before, "kengash_http_requests_total", **key) + n, key
    after = settled(mport, check)
    routes = {l["route"] for _, l, _ in after["kengash_http_requests_total"]["samples"]}
    assert not any("no-such" in r or "999999" in r for r in routes), routes
    h = "kengash_http_request_duration_seconds"
    assert value(after, h, h + "_count", route="static", **{"class": "4xx"}) >= 3


def test_a_proposal_moves_the_writer_metrics(msrv):
    s, mod, d, mport = msrv
    c = resident(s, mod, point=INSIDE)
    before = metrics(mport)
    for i in range(3):
        r = c.post("/api/v1/discussions/%d/comments" % d["id"],
                   {"kind": "proposal", "body": "Предложение номер %d" % i})
        assert r.status == 201, r
    key = dict(route="/api/v1/discussions/{id}/comments", method="POST", code="201")
    after = settled(mport, lambda f: value(f, "kengash_http_requests_total", **key) ==
                    value(before, "kengash_http_requests_total", **key) + 3)
    fams = ["kengash_writer_jobs_total", "kengash_writer_groups_total"]
    if not PG:  # the syncer: SQLite's WAL only
        fams.append("kengash_writer_syncs_total")
    for fam in fams:
        assert value(after, fam) > value(before, fam), fam
    for fam in ("kengash_writer_group_size", "kengash_writer_commit_duration_seconds"):
        assert value(after, fam, fam + "_count") > value(before, fam, fam + "_count"), fam
    assert value(after, "kengash_writer_queue_depth") >= 0
    # nothing waits at rest
    assert value(after, "kengash_http_requests_deferred") == 0


def test_cache_hits_and_token_scrapes_count(msrv):
    s, _, d, mport = msrv
    c = s.client()
    before = metrics(s.port, token=TOKEN)
    for _ in range(3):
        assert c.get("/api/v1/discussions/%d" % d["id"]).status == 200
    key = dict(route="/metrics", method="GET", code="200")
    after = settled(s.port, lambda f: value(f, "kengash_cache_hits_total") >=
                    value(before, "kengash_cache_hits_total") + 2 and
                    value(f, "kengash_http_requests_total", **key) >= 1, token=TOKEN)
    assert value(after, "kengash_cache_misses_total") >= value(before, "kengash_cache_misses_total")


def test_the_outbox_gauges_read(msrv):
    _, _, _, mport = msrv
    fams = metrics(mport)
    states = {l["state"] for _, l, _ in fams["kengash_outbox_messages"]["samples"]}
    assert states == {"pending", "retrying", "failed"}
    assert value(fams, "kengash_outbox_stats_up") == 1


def test_the_parser_is_strict():
    for bad in ("a 1",  # no line feed at the end
                "a{b=\"x\"} 1\na{b=\"x\"} 2\n",  # a series twice
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 0\n"
                "h_count 1\n",  # not cumulative
                "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 0\nh_count 1\n",  # no +Inf
                "a{b=\"\\x\"} 1\n"):  # a bad escape
        with pytest.raises(AssertionError):
            parse(bad)
    assert parse("# HELP a x\n# TYPE a counter\na{b=\"q\\\"\"} 1\n")["a"]["samples"] == \
        [("a", {"b": 'q"'}, 1.0)]


# ---- request ids ----

def raw_get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    r.read()
    conn.close()
    return r


def test_every_response_carries_a_request_id(server):
    ids = set()
    for path in ("/healthz", "/api/v1/discussions", "/no-such", "/index.html"):
        rid = raw_get(server.port, path).getheader("X-Request-Id")
        assert rid and re.fullmatch(r"[0-9a-f]{16}", rid), (path, rid)
        ids.add(rid)
    assert len(ids) == 4


def test_a_well_formed_request_id_is_echoed_and_a_bad_one_replaced(server):
    for good in ("abc", "A.b_c-9", "x" * 64):
        r = raw_get(server.port, "/healthz", {"X-Request-Id": good})
        assert r.getheader("X-Request-Id") == good
    for bad in ("x" * 65, "has space", "semi;colon", "quote\"", "a/b", "{x}"):
        r = raw_get(server.port, "/healthz", {"X-Request-Id": bad})
        got = r.getheader("X-Request-Id")
        assert got != bad and re.fullmatch(r"[0-9a-f]{16}", got), (bad, got)


def test_the_request_id_is_in_the_requests_log_line(msrv):
    s, _, _, _ = msrv
    rid = "test-" + uuid.uuid4().hex
    raw_get(s.port, "/api/v1/discussions/424242", {"X-Request-Id": rid})
    lines = log_lines(s, lambda l: rid in l)
    assert len(lines) == 1, lines
    line = lines[0]
    assert "request_id=%s" % rid in line and "status=404" in line, line
    assert "route=/api/v1/discussions/{id}" in line and "424242" not in line, line
    assert "127.0.0.1" not in line


# ---- JSON logs ----

def test_json_log_lines_parse_and_carry_the_request_id(jsrv):
    rid = "json-" + uuid.uuid4().hex
    r = raw_get(jsrv.port, "/api/v1/discussions", {"X-Request-Id": rid})
    assert r.status == 200
    lines = log_lines(jsrv, lambda l: rid in l)
    assert lines
    for line in list(jsrv.stderr_lines):
        obj = json.loads(line)  # every line is one JSON object
        assert {"time", "level", "msg"} <= set(obj), obj
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", obj["time"])
    obj = json.loads(lines[0])
    assert obj["request_id"] == rid and obj["msg"] == "request" and obj["status"] == 200
    assert obj["route"] == "/api/v1/discussions" and obj["method"] == "GET"
    assert isinstance(obj["ms"], (int, float)) and obj["level"] == "info"


def test_json_logs_hold_no_personal_data(jsrv):
    c = jsrv.client()
    email = "private-%s@example.org" % uuid.uuid4().hex[:8]
    name = "Секретнова Тайна"
    r = c.post("/api/v1/accounts", {"email": email, "password": PASSWORD, "full_name": name,
                                    "consent": True})
    assert r.status == 201, r
    assert c.post("/api/v1/session", {"email": email, "password": "wrong-password-123"}).status == 401
    c.login(email)
    address = "г. Казань, ул. Тайная, д. 13, кв. 7"
    assert c.put("/api/v1/me/residence", {"address": address}).status in (200, 422)
    topic = "Тема " + uuid.uuid4().hex
    r = c.post("/api/v1/support-messages", {"name": name, "email": email, "topic": topic,
                                            "body": "Секретный текст обращения"})
    assert r.status == 201, r
    assert c.post("/api/v1/password-resets", {"email": email}).status == 202
    rid = r.header("X-Request-Id")
    lines = log_lines(jsrv, lambda l: rid in l and "support message stored" in l)
    assert lines, "".join(jsrv.stderr_lines)[-2000:]
    time.sleep(0.2)
    log = "".join(jsrv.stderr_lines)
    for secret in (email, email.split("@")[0], name, "Секрет", address, "Тайная", topic,
                   PASSWORD, "wrong-password-123"):
        assert secret not in log, secret
    for line in jsrv.stderr_lines:
        obj = json.loads(line)
        if "request_id" in obj:
            assert "127.0.0.1" not in line, line  # no client address with a request


def test_bad_log_options_stop_the_server_at_start(tmp_path):
    import subprocess
    from conftest import BIN
    for args, word in ((["--log-format", "xml"], b"--log-format"),
                       (["--access-log", "maybe"], b"--access-log")):
        p = subprocess.run([BIN, "serve", "--listen", "127.0.0.1:0", "--db", str(tmp_path / "db"),
                            "--files", str(tmp_path / "files")] + args,
                           capture_output=True, timeout=60)
        assert p.returncode == 2 and word in p.stderr, p


def test_access_log_no_writes_no_request_lines(tmp_path):
    s = Server(str(tmp_path), ["--access-log", "no"])
    s.start()
    rid = "quiet-" + uuid.uuid4().hex
    assert raw_get(s.port, "/healthz", {"X-Request-Id": rid}).getheader("X-Request-Id") == rid
    log = s.stop_clean()
    assert rid not in log and "request method=" not in log

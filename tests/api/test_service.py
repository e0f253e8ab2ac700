"""Service paths, routing, limits and static files over real HTTP."""
import http.client
import socket

from conftest import problem


def test_healthz_is_ok(anon):
    r = anon.get("/healthz")
    assert r.status == 200
    assert r.json == {"status": "ok"}
    assert r.header("Content-Type").startswith("application/json")


def test_unknown_path_is_404_problem(anon):
    problem(anon.get("/api/v1/nope"), 404)
    problem(anon.get("/api/v1/discussions/1/nope"), 404)


def test_wrong_method_is_405_problem(anon):
    problem(anon.req("DELETE", "/api/v1/projects"), 405)
    problem(anon.req("PUT", "/healthz"), 405)


def test_oversized_body_is_413_before_it_is_read(server, mod):
    # Content-Length says 100 MB; the server answers without waiting for it.
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(("POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Cookie: session=%s\r\nX-CSRF-Token: %s\r\nContent-Length: 100000000\r\n\r\n"
               % (mod.cookie, mod.csrf)).encode())
    data = s.recv(4096).decode()
    s.close()
    assert data.startswith("HTTP/1.1 413"), data
    assert "application/problem+json" in data


def test_oversized_chunked_body_is_413(server, mod):
    # No Content-Length: the limit is found mid-body; the rest is dropped and
    # the answer comes when the body ends.
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(("POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Cookie: session=%s\r\nX-CSRF-Token: %s\r\nTransfer-Encoding: chunked\r\n\r\n"
               % (mod.cookie, mod.csrf)).encode())
    chunk = b"x" * 65536
    for _ in range(32):
        s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
    s.sendall(b"0\r\n\r\n")
    data = s.recv(4096).decode()
    s.close()
    assert data.startswith("HTTP/1.1 413"), data
    assert "application/problem+json" in data


def test_refusal_with_a_body_gets_an_answer(anon, mod):
    # 401 and the CSRF 403 come before the body is read, not as a dropped connection.
    problem(anon.post("/api/v1/projects", {"title": "x"}), 401)
    r = mod.raw("POST", "/api/v1/projects", b'{"title":"x"}',
                {"Content-Type": "application/json", "X-CSRF-Token": "wrong"})
    problem(r, 403)


def test_malformed_json_is_400(mod):
    for body in [b"{", b"[1,2]", b"\xff\xfe", b'{"a":1}{', b"", b'{"title": "a", "title": "b"}']:
        r = mod.raw("POST", "/api/v1/projects", body, {"Content-Type": "application/json"})
        assert r.status in (400,), (body, r)
        problem(r, 400)


def test_wrong_content_type_is_415(mod):
    r = mod.raw("POST", "/api/v1/projects", b"title=x", {"Content-Type": "application/x-www-form-urlencoded"})
    problem(r, 415)


def test_stats_counts(anon):
    r = anon.get("/api/v1/stats")
    assert r.status == 200
    s = r.json
    assert set(s["discussions"]["by_status"]) == {
        "draft", "announced", "open", "closed", "protocol", "concluded", "cancelled"}
    assert s["discussions"]["total"] == sum(s["discussions"]["by_status"].values())
    assert isinstance(s["participants"], int) and isinstance(s["comments"]["published"], int)


def test_static_index_served_with_etag_and_304(anon):
    r = anon.get("/")
    assert r.status == 200
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    etag = r.header("ETag")
    assert etag and r.header("Cache-Control")
    r2 = anon.get("/", headers={"If-None-Match": etag})
    assert r2.status == 304 and r2.body == b""


def test_static_refuses_traversal(anon):
    conn = http.client.HTTPConnection("127.0.0.1", anon.port, timeout=10)
    for path in ["/../meson.build", "/%2e%2e/meson.build", "/.git/config", "/css/../../README.md"]:
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        assert r.status in (400, 404), (path, r.status)
        assert b"project(" not in body and b"[core]" not in body
    conn.close()


def test_keep_alive_is_kept(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    for _ in range(3):
        conn.request("GET", "/healthz")
        r = conn.getresponse()
        r.read()
        assert r.status == 200
        assert (r.getheader("Connection") or "").lower() != "close"
    conn.close()

"""Projects and documents over HTTP."""
import hashlib
import socket

from conftest import problem

PROJECT = {"title": "Проект планировки территории в границах улиц Баумана и Кремлёвской",
           "kind": "territory_planning", "description": "Описание проекта",
           "organizer": "Управление архитектуры и градостроительства"}


def make_project(c, **over):
    body = dict(PROJECT, **over)
    r = c.post("/api/v1/projects", body)
    assert r.status == 201, r
    return r.json


def test_moderator_creates_project_and_anyone_reads_it(mod, anon):
    p = make_project(mod)
    assert p["id"] > 0 and p["title"] == PROJECT["title"] and p["kind"] == "territory_planning"
    assert p["created_at"].endswith("Z")
    r = anon.get("/api/v1/projects/%d" % p["id"])
    assert r.status == 200 and r.json["title"] == PROJECT["title"]
    assert r.json["documents"] == []


def test_project_create_needs_login_and_moderator_role(anon, citizen):
    problem(anon.post("/api/v1/projects", PROJECT), 401)
    problem(citizen.post("/api/v1/projects", PROJECT), 403)


def test_project_validation_names_the_field(mod):
    problem(mod.post("/api/v1/projects", dict(PROJECT, title="")), 422, "title")
    problem(mod.post("/api/v1/projects", {k: v for k, v in PROJECT.items() if k != "title"}), 422, "title")
    problem(mod.post("/api/v1/projects", dict(PROJECT, title=5)), 422, "title")
    problem(mod.post("/api/v1/projects", dict(PROJECT, title="x" * 301)), 422, "title")
    problem(mod.post("/api/v1/projects", dict(PROJECT, kind="castle")), 422, "kind")
    problem(mod.post("/api/v1/projects", dict(PROJECT, colour="red")), 422, "colour")
    problem(mod.post("/api/v1/projects", dict(PROJECT, organizer=None)), 422, "organizer")


def test_project_kinds_are_listed_with_durations(anon):
    r = anon.get("/api/v1/project-kinds")
    assert r.status == 200
    kinds = {k["kind"]: k for k in r.json["items"]}
    assert {"general_plan", "land_use_rules", "territory_planning", "conditional_use_permit"} <= set(kinds)
    assert all(k["min_days"] <= k["max_days"] and k["notice_days"] >= 7 for k in kinds.values())


def test_projects_list_paginates_with_cursor(mod, anon):
    for i in range(3):
        make_project(mod, title="Страница %d" % i)
    r = anon.get("/api/v1/projects?limit=2")
    assert r.status == 200 and len(r.json["items"]) == 2 and r.json["next"]
    seen = [p["id"] for p in r.json["items"]]
    cursor = r.json["next"]
    while cursor:
        r = anon.get("/api/v1/projects?limit=2&cursor=" + cursor)
        assert r.status == 200
        seen += [p["id"] for p in r.json["items"]]
        cursor = r.json["next"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) and len(seen) >= 3


def test_projects_list_refuses_bad_paging(anon):
    problem(anon.get("/api/v1/projects?limit=0"), 400, "limit")
    problem(anon.get("/api/v1/projects?limit=501"), 400, "limit")
    problem(anon.get("/api/v1/projects?limit=abc"), 400, "limit")
    problem(anon.get("/api/v1/projects?cursor=garbage!!"), 400, "cursor")


def test_unknown_project_is_404(anon):
    problem(anon.get("/api/v1/projects/999999"), 404)
    problem(anon.get("/api/v1/projects/abc"), 404)
    problem(anon.get("/api/v1/projects/-1"), 404)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 40


def upload(c, pid, data=PDF, ctype="application/pdf", name="пояснительная записка.pdf", extra=None):
    from urllib.parse import quote
    h = {"Content-Type": ctype,
         "Content-Disposition": "attachment; filename*=UTF-8''" + quote(name)}
    h.update(extra or {})
    return c.raw("POST", "/api/v1/projects/%d/documents" % pid, data, h)


def test_document_upload_and_download_with_etag_and_range(mod, anon):
    pid = make_project(mod)["id"]
    r = upload(mod, pid)
    assert r.status == 201, r
    d = r.json
    assert d["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert d["size"] == len(PDF) and d["media_type"] == "application/pdf"
    assert d["filename"] == "пояснительная записка.pdf"
    g = anon.get("/api/v1/documents/%d" % d["id"])
    assert g.status == 200 and g.body == PDF
    assert g.header("Content-Type") == "application/pdf"
    assert g.header("ETag") == '"%s"' % d["sha256"]
    assert g.header("Accept-Ranges") == "bytes"
    assert "filename*=UTF-8''" in g.header("Content-Disposition")
    assert anon.get("/api/v1/documents/%d" % d["id"], headers={"If-None-Match": g.header("ETag")}).status == 304
    part = anon.get("/api/v1/documents/%d" % d["id"], headers={"Range": "bytes=10-19"})
    assert part.status == 206 and part.body == PDF[10:20]
    assert part.header("Content-Range") == "bytes 10-19/%d" % len(PDF)
    tail = anon.get("/api/v1/documents/%d" % d["id"], headers={"Range": "bytes=-5"})
    assert tail.status == 206 and tail.body == PDF[-5:]
    problem(anon.get("/api/v1/documents/%d" % d["id"], headers={"Range": "bytes=999999-"}), 416)
    p = anon.get("/api/v1/projects/%d" % pid).json
    assert [x["id"] for x in p["documents"]] == [d["id"]]


def test_same_content_is_stored_once(server, mod):
    import os
    pid = make_project(mod)["id"]
    a = upload(mod, pid, name="a.pdf").json
    b = upload(mod, pid, name="b.pdf").json
    assert a["id"] != b["id"] and a["sha256"] == b["sha256"]
    sub = os.path.join(server.files, a["sha256"][:2])
    assert os.listdir(sub).count(a["sha256"]) == 1


def test_document_upload_refusals(mod, citizen, anon):
    pid = make_project(mod)["id"]
    problem(upload(mod, pid, data=b"not a pdf"), 422, "body")
    problem(upload(mod, pid, data=b""), 422, "body")
    problem(upload(mod, pid, ctype="nonsense"), 415, "Content-Type")
    r = mod.raw("POST", "/api/v1/projects/%d/documents" % pid, PDF, {"Content-Type": "application/pdf"})
    problem(r, 400, "Content-Disposition")
    problem(upload(mod, pid, name="../../etc/passwd"), 400, "Content-Disposition")
    problem(upload(mod, 999999), 404)
    problem(upload(citizen, pid), 403)
    problem(upload(anon, pid), 401)


def test_document_upload_over_the_limit_is_413(server, mod):
    pid = make_project(mod)["id"]
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(("POST /api/v1/projects/%d/documents HTTP/1.1\r\nHost: x\r\n"
               "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n"
               "Cookie: session=%s\r\nX-CSRF-Token: %s\r\nContent-Length: %d\r\n\r\n"
               % (pid, mod.cookie, mod.csrf, 60 * 1024 * 1024)).encode())
    data = s.recv(4096).decode()
    s.close()
    assert data.startswith("HTTP/1.1 413"), data


def test_unknown_document_is_404(anon):
    problem(anon.get("/api/v1/documents/999999"), 404)

"""The response cache of the hot public reads: every write — through the
API, by the schedule or by another process writing the database file —
is seen by the next read; ETags revalidate with 304; moderators and
authors never get the public copy of something they see differently."""
from test_comments import INSIDE, curl, discussion, moderate, resident, submit
from test_projects import upload


def get_etag(c, path, **kw):
    r = c.get(path, **kw)
    assert r.status == 200, r
    etag = r.header("ETag")
    assert etag and etag.startswith('"c'), r
    assert r.header("Cache-Control") == "no-cache"
    return r, etag


def test_detail_revalidates_and_changes_with_a_stage_and_a_document(anon, mod):
    d = discussion(mod, status="announced")
    path = "/api/v1/discussions/%d" % d["id"]
    r1, e1 = get_etag(anon, path)
    r2, e2 = get_etag(anon, path)
    assert e2 == e1 and r2.body == r1.body
    r = anon.get(path, headers={"If-None-Match": e1})
    assert r.status == 304 and r.body == b"" and r.header("ETag") == e1
    # a stage moves: the next read has the new status and a new ETag
    assert mod.post(path + "/transitions", {"to": "open"}).status == 200
    r3, e3 = get_etag(anon, path)
    assert e3 != e1 and r3.json["status"] == "open"
    assert anon.get(path, headers={"If-None-Match": e1}).status == 200
    # a document of its project appears in the detail
    assert upload(mod, d["project_id"]).status == 201
    r4, e4 = get_etag(anon, path)
    assert e4 != e3 and len(r4.json["documents"]) == len(r3.json["documents"]) + 1


def test_discussion_list_sees_a_new_discussion_and_drafts_stay_with_moderators(anon, mod):
    _, e1 = get_etag(anon, "/api/v1/discussions?limit=100")
    draft = discussion(mod, status="draft")
    r2, e2 = get_etag(anon, "/api/v1/discussions?limit=100")
    ids = [x["id"] for x in r2.json["items"]]
    assert draft["id"] not in ids
    rm = mod.get("/api/v1/discussions?limit=100&status=draft")
    assert rm.status == 200 and draft["id"] in [x["id"] for x in rm.json["items"]]
    assert rm.header("ETag") is None  # moderators' view is not cached
    assert anon.get("/api/v1/discussions?limit=100&status=draft").json["items"] == []
    shown = discussion(mod, status="announced")
    r3, e3 = get_etag(anon, "/api/v1/discussions?limit=100")
    assert e3 not in (e1, e2) and shown["id"] in [x["id"] for x in r3.json["items"]]


def test_comment_pages_and_geojson_follow_moderation_and_supports(server, anon, mod):
    d = discussion(mod)
    did = d["id"]
    a = resident(server, mod)
    b = resident(server, mod, name="Сафин Ильдар")
    gj = curl(did) + ".geojson"
    r0, e0 = get_etag(anon, curl(did))
    _, g0 = get_etag(anon, gj)
    assert r0.json["items"] == []
    _, d0 = get_etag(anon, "/api/v1/discussions/%d" % did)
    c = submit(a, did, location={"type": "Point", "coordinates": list(INSIDE)})
    # a proposal takes a registration number but leaves the detail as it was
    _, d1 = get_etag(anon, "/api/v1/discussions/%d" % did)
    assert d1 == d0
    # pending: the public page is the same list (a new version, same items)
    r1, _ = get_etag(anon, curl(did))
    assert r1.json["items"] == []
    moderate(mod, c["id"])
    r2, e2 = get_etag(anon, curl(did))
    assert [x["id"] for x in r2.json["items"]] == [c["id"]] and e2 != e0
    rg, g2 = get_etag(anon, gj)
    assert rg.json["numberReturned"] == 1 and g2 != g0
    assert r2.json["items"][0]["supports"] == 0
    assert b.post("/api/v1/comments/%d/supports" % c["id"]).status in (200, 201)
    r3, e3 = get_etag(anon, curl(did))
    assert r3.json["items"][0]["supports"] == 1 and e3 != e2
    # the moderator's list is their own view, never the cached public one
    rm = mod.get(curl(did) + "?status=all")
    assert rm.status == 200 and rm.header("ETag") is None
    assert anon.get(curl(did) + "?status=all").status == 403


def test_a_write_by_another_process_is_seen(anon, mod, server):
    d = discussion(mod, status="announced")
    path = "/api/v1/discussions/%d" % d["id"]
    r1, e1 = get_etag(anon, path)
    with server.sql() as conn:
        conn.execute("UPDATE discussions SET title = ? WHERE id = ?", ("Новое название", d["id"]))
    r2, e2 = get_etag(anon, path)
    assert e2 != e1 and r2.json["title"] == "Новое название"


def test_unknown_and_draft_discussions_are_not_served_from_the_cache(anon, mod):
    draft = discussion(mod, status="draft")
    for _ in range(2):
        assert anon.get("/api/v1/discussions/%d" % draft["id"]).status == 404
        assert anon.get(curl(draft["id"])).status == 404
        assert anon.get(curl(draft["id"]) + ".geojson").status == 404
    assert mod.get("/api/v1/discussions/%d" % draft["id"]).status == 200
    assert anon.get("/api/v1/discussions/999999").status == 404

"""Comments over real HTTP: who may submit and when, registration numbers,
locations and the territory rule, pre-moderation with reasons and e-mail,
the author's view, edits and withdrawal, replies and official answers,
supports, entries on someone's behalf, the moderation log, privacy of the
public views, Russian full-text search, the GeoJSON export and the rate
limit."""
import json
import re
import uuid

from conftest import PASSWORD, problem
from test_discussions import create, square
from test_projects import make_project, upload

LON, LAT = 49.118, 55.787               # south-west corner of the territory
TERRITORY = square(LON, LAT)            # 0.005 deg: about 313 m x 557 m
INSIDE = (49.1205, 55.7895)
OUTSIDE = (49.2, 55.9)
LOCATION_RULE = "location: must lie within the discussion's territory or within 100 m of it"


# ---- helpers ----

def spatial_db(server):
    return server.sql()


def account(server, name="Хасанова Гульнара"):
    """A new logged-in citizen without a residence."""
    c = server.client()
    c.email = "c-%s@example.org" % uuid.uuid4().hex[:12]
    r = c.post("/api/v1/accounts", {"email": c.email, "password": PASSWORD, "full_name": name,
                                    "consent": True})
    assert r.status == 201, r
    c.login(c.email)
    c.account_id = r.json["id"]
    c.name = name
    return c


def resident(server, mod, name="Хасанова Гульнара", point=INSIDE, verified=True,
             address="г. Казань, ул. Проверочная, д. 7, кв. 12"):
    """A citizen with a residence at point, verified by a moderator."""
    c = account(server, name)
    c.address = address
    c.point = point
    r = c.put("/api/v1/me/residence", {"address": address,
                                       "location": {"type": "Point", "coordinates": list(point)}})
    assert r.status == 200, r
    if verified:
        r = mod.post("/api/v1/accounts/%d/residence/verification" % c.account_id, {"verified": True})
        assert r.status == 200, r
    return c


def discussion(mod, status="open", territory=TERRITORY, pid=None):
    d = create(mod, territory=territory, **({"pid": pid} if pid else {}))
    u = "/api/v1/discussions/%d/transitions" % d["id"]
    path = {"draft": [], "announced": ["announced"], "open": ["announced", "open"],
            "closed": ["announced", "open", "closed"], "cancelled": ["announced", "cancelled"]}[status]
    for to in path:
        assert mod.post(u, {"to": to}).status == 200
    return d


def curl(did):
    return "/api/v1/discussions/%d/comments" % did


def submit(c, did, status=201, **over):
    body = {"kind": "proposal", "body": "Сохранить деревья во дворе дома 7"}
    body.update(over)
    r = c.post(curl(did), body)
    assert r.status == status, r
    return r.json


def moderate(mod, cid, decision="publish", **more):
    body = {"decision": decision}
    body.update(more)
    r = mod.post("/api/v1/comments/%d/moderation" % cid, body)
    return r


def published(mod, c, did, **over):
    j = submit(c, did, **over)
    assert moderate(mod, j["id"]).status == 200
    return j


def ids(r):
    assert r.status == 200, r
    return [x["id"] for x in r.json["items"]]


# ---- submission and eligibility ----

def test_eligible_resident_submits_a_registered_pending_proposal(server, mod):
    d = discussion(mod)
    c = resident(server, mod)
    r = c.post(curl(d["id"]), {"kind": "proposal", "body": "Сохранить деревья во дворе"})
    assert r.status == 201, r
    j = r.json
    assert j["status"] == "pending" and j["basis"] == "resident" and j["kind"] == "proposal"
    assert j["registration_number"] == "D-%d/0001" % d["id"]
    assert j["author_name"] == "Гульнара Х." and j["official"] is False and j["supports"] == 0
    assert j["channel"] == "online" and j["parent_id"] is None and j["location"] is None
    assert r.header("Location") == "/api/v1/comments/%d" % j["id"]


def test_registration_numbers_are_sequential_and_unique_per_discussion(server, mod):
    d1, d2 = discussion(mod), discussion(mod)
    a, b = resident(server, mod), resident(server, mod, "Петров Иван")
    nums = [submit(c, d1["id"])["registration_number"] for c in (a, b, a, b)]
    assert nums == ["D-%d/%04d" % (d1["id"], i) for i in range(1, 5)]
    assert submit(a, d2["id"])["registration_number"] == "D-%d/0001" % d2["id"]
    # an official answer takes no number; the next proposal goes on from 4
    ans = submit(mod, d1["id"], body="Ответ организатора")
    assert ans["registration_number"] is None
    assert submit(b, d1["id"])["registration_number"] == "D-%d/0005" % d1["id"]


def test_concurrent_submissions_get_distinct_numbers_without_gaps(server, mod):
    from concurrent.futures import ThreadPoolExecutor
    d = discussion(mod)
    people = [resident(server, mod, "Житель %d Тестов" % i) for i in range(6)]
    with ThreadPoolExecutor(6) as pool:
        got = list(pool.map(lambda c: [submit(c, d["id"], body="Параллельно %d" % k)["registration_number"]
                                       for k in range(3)], people))
    nums = sorted(n for row in got for n in row)
    assert nums == ["D-%d/%04d" % (d["id"], i) for i in range(1, 19)]


def test_not_eligible_is_403_with_the_eligibility_reason(server, mod, anon):
    d = discussion(mod)
    problem(anon.post(curl(d["id"]), {"kind": "remark", "body": "x"}), 401)
    b = problem(account(server).post(curl(d["id"]), {"kind": "remark", "body": "x"}), 403)
    assert b["detail"] == "Вы не указали адрес регистрации по месту жительства"
    b = problem(resident(server, mod, verified=False).post(curl(d["id"]), {"kind": "remark", "body": "x"}), 403)
    assert b["detail"] == "Адрес ещё не подтверждён модератором"
    b = problem(resident(server, mod, point=OUTSIDE).post(curl(d["id"]), {"kind": "remark", "body": "x"}), 403)
    assert b["detail"] == "Ваш адрес находится за пределами территории этого обсуждения"


def test_comments_are_accepted_only_while_open(server, mod):
    c = resident(server, mod)
    for status in ["announced", "closed", "cancelled"]:
        d = discussion(mod, status)
        b = problem(c.post(curl(d["id"]), {"kind": "proposal", "body": "Предложение"}), 409)
        assert status in b["detail"]
    problem(c.post(curl(discussion(mod, "draft")["id"]), {"kind": "proposal", "body": "x"}), 404)
    problem(c.post(curl(999999), {"kind": "proposal", "body": "x"}), 404)


def test_body_kind_and_fields_are_validated(server, mod):
    d = discussion(mod)
    c = resident(server, mod)
    p = lambda **b: c.post(curl(d["id"]), b)
    problem(p(kind="proposal", body=""), 422, "body")
    problem(p(kind="proposal", body="   "), 422, "body")
    problem(p(kind="proposal"), 422, "body")
    problem(p(kind="proposal", body="я" * 5001), 422, "body")
    assert p(kind="proposal", body="я" * 5000).status == 201
    problem(p(kind="wish", body="x"), 422, "kind")
    problem(p(body="x"), 422, "kind")
    problem(p(kind="proposal", body=5), 422, "body")
    problem(p(kind="proposal", body="x", colour="red"), 422, "colour")
    problem(p(kind="proposal", body="x", parent_id="1"), 422, "parent_id")
    problem(p(kind="proposal", body="x", parent_id=99999999), 422, "parent_id")
    problem(c.raw("POST", curl(d["id"]), b"{not json", {"Content-Type": "application/json"}), 400)


# ---- locations ----

def test_geometry_kinds_inside_the_territory_are_kept(server, mod, anon):
    d = discussion(mod)
    c = resident(server, mod)
    point = {"type": "Point", "coordinates": [49.1201, 55.7891]}
    line = {"type": "LineString", "coordinates": [[49.119, 55.788], [49.121, 55.790], [49.122, 55.791]]}
    poly = {"type": "Polygon", "coordinates": [[[49.119, 55.788], [49.12, 55.788], [49.12, 55.789],
                                                [49.119, 55.789], [49.119, 55.788]]]}
    for g in (point, line, poly):
        j = submit(c, d["id"], location=g)
        assert j["location"]["type"] == g["type"]
        assert j["location"]["coordinates"] == g["coordinates"], (j["location"], g)
        moderate(mod, j["id"])
    got = anon.get(curl(d["id"])).json["items"]
    assert [x["location"]["type"] for x in got] == ["Point", "LineString", "Polygon"]


def test_bad_geometries_are_refused_naming_the_field(server, mod):
    d = discussion(mod)
    c = resident(server, mod)
    p = lambda g: c.post(curl(d["id"]), {"kind": "remark", "body": "x", "location": g})
    problem(p({"type": "MultiPolygon", "coordinates": [TERRITORY["coordinates"]]}), 422, "location")
    problem(p({"type": "Point", "coordinates": [200, 55.7]}), 422, "location")
    problem(p({"type": "Point", "coordinates": ["a", 55.7]}), 422, "location")
    problem(p({"type": "Point"}), 422, "location")
    problem(p({"type": "Circle", "coordinates": [49.12, 55.79]}), 422, "location")
    problem(p("POINT(49.12 55.79)"), 422, "location")
    problem(p({"type": "LineString", "coordinates": [[49.12, 55.79]]}), 422, "location")
    open_ring = {"type": "Polygon", "coordinates": [[[49.119, 55.788], [49.12, 55.788], [49.12, 55.789]]]}
    problem(p(open_ring), 422, "location")
    bowtie = {"type": "Polygon", "coordinates": [[[49.119, 55.788], [49.121, 55.790], [49.121, 55.788],
                                                  [49.119, 55.790], [49.119, 55.788]]]}
    b = problem(p(bowtie), 422, "location")
    assert "valid" in b["detail"]
    many = [[49.119 + i * 1e-6, 55.788 + (i % 2) * 1e-6] for i in range(1001)]
    problem(p({"type": "LineString", "coordinates": many}), 413, "location")


def test_location_outside_the_territory_and_its_margin_is_refused(server, mod):
    d = discussion(mod)
    c = resident(server, mod)
    p = lambda g: c.post(curl(d["id"]), {"kind": "remark", "body": "x", "location": g})
    # the east edge is at lon 49.123; at 55.79N 0.001 deg of longitude is about 62.7 m
    assert p({"type": "Point", "coordinates": [49.123 + 0.0012, 55.789]}).status == 201   # ~75 m out
    b = problem(p({"type": "Point", "coordinates": [49.123 + 0.002, 55.789]}), 422, "location")  # ~125 m
    assert b["detail"] == LOCATION_RULE
    assert b["errors"][0]["message"] == LOCATION_RULE[len("location: "):]
    problem(p({"type": "Point", "coordinates": list(OUTSIDE)}), 422, "location")
    # a line that starts inside but runs 1 km away
    b = problem(p({"type": "LineString", "coordinates": [[49.12, 55.789], [49.14, 55.789]]}), 422, "location")
    assert b["detail"] == LOCATION_RULE
    problem(p(square(49.122, 55.788, 0.01)), 422, "location")


def test_document_and_page_must_belong_to_the_project(server, mod):
    pid = make_project(mod)["id"]
    other = make_project(mod)["id"]
    doc = upload(mod, pid).json
    alien = upload(mod, other, data=b"%PDF-1.4 other document").json
    d = discussion(mod, pid=pid)
    c = resident(server, mod)
    j = submit(c, d["id"], document_id=doc["id"], page=12)
    assert j["document_id"] == doc["id"] and j["page"] == 12
    p = lambda **o: c.post(curl(d["id"]), dict({"kind": "remark", "body": "x"}, **o))
    problem(p(document_id=alien["id"], page=1), 422, "document_id")
    problem(p(document_id=99999999), 422, "document_id")
    problem(p(document_id=doc["id"], page=0), 422, "page")
    problem(p(document_id=doc["id"], page=10001), 422, "page")
    problem(p(document_id=doc["id"], page=1.5), 422, "page")
    problem(p(page=3), 422, "page")


# ---- pre-moderation ----

def test_pending_comments_are_invisible_to_the_public(server, mod, anon):
    d = discussion(mod)
    c = resident(server, mod)
    other = resident(server, mod, "Петров Иван")
    j = submit(c, d["id"])
    assert j["id"] not in ids(anon.get(curl(d["id"])))
    assert j["id"] not in ids(other.get(curl(d["id"])))
    problem(anon.get("/api/v1/comments/%d" % j["id"]), 404)
    problem(other.get("/api/v1/comments/%d" % j["id"]), 404)
    assert c.get("/api/v1/comments/%d" % j["id"]).json["status"] == "pending"
    problem(anon.get(curl(d["id"]) + "?status=pending"), 403)
    problem(other.get(curl(d["id"]) + "?status=all"), 403)
    problem(anon.get(curl(d["id"]) + "?status=sleeping"), 400, "status")
    assert j["id"] in ids(mod.get(curl(d["id"]) + "?status=pending"))
    assert j["id"] in ids(mod.get(curl(d["id"]) + "?status=all"))
    assert j["id"] not in ids(mod.get(curl(d["id"])))   # the default is published
    assert ids(anon.get(curl(discussion(mod, "open")["id"]))) == []
    problem(anon.get(curl(discussion(mod, "draft")["id"])), 404)


def test_publish_and_reject_with_reasons_and_mail(server, mod, anon, mailbox):
    d = discussion(mod)
    c = resident(server, mod)
    a = submit(c, d["id"], body="Сохранить сквер")
    b = submit(c, d["id"], body="Снести всё")
    r = moderate(mod, a["id"])
    assert r.status == 200 and r.json["status"] == "published", r
    assert a["id"] in ids(anon.get(curl(d["id"])))
    assert anon.get("/api/v1/comments/%d" % a["id"]).status == 200
    m = mailbox.wait_for(c.email, lambda m: a["registration_number"] in m["subject"])
    assert "опубликовано" in m["subject"] and a["registration_number"] in m["text"]

    problem(moderate(mod, b["id"], "reject"), 422, "reason")
    problem(moderate(mod, b["id"], "reject", reason="   "), 422, "reason")
    problem(moderate(mod, b["id"], "reject", reason_code="other"), 422, "reason")
    problem(moderate(mod, b["id"], "reject", reason_code="boring"), 422, "reason_code")
    problem(moderate(mod, b["id"], "postpone"), 422, "decision")
    r = moderate(mod, b["id"], "reject", reason_code="not_about_project", reason="Речь о другом районе")
    assert r.status == 200 and r.json["status"] == "rejected", r
    assert r.json["moderation_code"] == "not_about_project"
    assert "Речь о другом районе" in r.json["moderation_reason"]
    m = mailbox.wait_for(c.email, lambda m: b["registration_number"] in m["subject"])
    assert "отклонено" in m["subject"] and "Речь о другом районе" in m["text"]
    assert b["id"] not in ids(anon.get(curl(d["id"])))

    problem(moderate(mod, a["id"], "reject", reason="поздно"), 409)
    problem(moderate(mod, b["id"]), 409)
    problem(moderate(mod, 99999999), 404)
    problem(moderate(c, a["id"]), 403)
    problem(moderate(anon, a["id"]), 401)
    # a standard reason given as the reason itself
    e = submit(c, d["id"], body="Повтор")
    r = moderate(mod, e["id"], "reject", reason="duplicate")
    assert r.json["moderation_code"] == "duplicate" and r.json["moderation_reason"]
    codes = [x["code"] for x in anon.get("/api/v1/moderation/reasons").json["items"]]
    assert {"off_topic", "offensive", "duplicate", "not_about_project", "personal_data"} <= set(codes)


def test_author_sees_own_comments_in_every_state(server, mod):
    d = discussion(mod)
    c = resident(server, mod)
    a = submit(c, d["id"], body="Первое")
    b = submit(c, d["id"], body="Второе")
    e = submit(c, d["id"], body="Третье")
    moderate(mod, a["id"])
    moderate(mod, b["id"], "reject", reason_code="offensive")
    assert c.post("/api/v1/comments/%d/withdrawal" % e["id"]).status == 200
    r = c.get("/api/v1/me/comments")
    assert r.status == 200
    got = {x["id"]: x for x in r.json["items"]}
    assert got[a["id"]]["status"] == "published" and got[a["id"]]["moderation_reason"] is None
    assert got[b["id"]]["status"] == "rejected"
    assert got[b["id"]]["moderation_reason"] == "Содержит оскорбления или нецензурные выражения"
    assert got[e["id"]]["status"] == "withdrawn"
    assert all(x["registration_number"].startswith("D-%d/" % d["id"]) for x in got.values())
    assert ids(c.get("/api/v1/me/comments?status=rejected")) == [b["id"]]
    assert ids(c.get("/api/v1/me/comments?discussion=%d&limit=1" % d["id"])) == [a["id"]]
    assert ids(resident(server, mod).get("/api/v1/me/comments")) == []
    problem(server.client().get("/api/v1/me/comments"), 401)


def test_author_edits_and_withdraws_only_while_pending(server, mod):
    d = discussion(mod)
    c = resident(server, mod)
    other = resident(server, mod, "Петров Иван")
    j = submit(c, d["id"], body="Черновой текст")
    u = "/api/v1/comments/%d" % j["id"]
    r = c.put(u, {"body": "Исправленный текст", "kind": "remark",
                  "location": {"type": "Point", "coordinates": list(INSIDE)}})
    assert r.status == 200, r
    assert r.json["body"] == "Исправленный текст" and r.json["kind"] == "remark"
    assert r.json["registration_number"] == j["registration_number"]
    assert r.json["location"]["type"] == "Point"
    assert c.put(u, {"location": None}).json["location"] is None
    problem(c.put(u, {"body": ""}), 422, "body")
    problem(c.put(u, {"location": {"type": "Point", "coordinates": list(OUTSIDE)}}), 422, "location")
    problem(other.put(u, {"body": "чужое"}), 403)
    problem(mod.put(u, {"body": "модератор"}), 403)
    problem(other.post(u + "/withdrawal"), 403)
    problem(c.put("/api/v1/comments/99999999", {"body": "x"}), 404)
    r = c.post(u + "/withdrawal")
    assert r.status == 200 and r.json["status"] == "withdrawn"
    problem(c.put(u, {"body": "ещё раз"}), 409)
    problem(c.post(u + "/withdrawal"), 409)
    problem(moderate(mod, j["id"]), 409)
    p = published(mod, c, d["id"])
    problem(c.put("/api/v1/comments/%d" % p["id"], {"body": "после публикации"}), 409)
    problem(c.post("/api/v1/comments/%d/withdrawal" % p["id"]), 409)


# ---- threads and official answers ----

def test_replies_go_to_published_comments_of_the_same_discussion(server, mod, anon):
    d, d2 = discussion(mod), discussion(mod)
    a = resident(server, mod)
    b = resident(server, mod, "Петров Иван")
    parent = submit(a, d["id"])
    problem(b.post(curl(d["id"]), {"kind": "remark", "body": "ответ", "parent_id": parent["id"]}),
            422, "parent_id")                                   # still pending
    moderate(mod, parent["id"])
    reply = submit(b, d["id"], kind="remark", body="Согласен", parent_id=parent["id"])
    assert reply["parent_id"] == parent["id"]
    problem(b.post(curl(d2["id"]), {"kind": "remark", "body": "x", "parent_id": parent["id"]}),
            422, "parent_id")                                   # another discussion
    moderate(mod, reply["id"])
    items = anon.get(curl(d["id"])).json["items"]
    assert [(x["id"], x["parent_id"]) for x in items] == [(parent["id"], None), (reply["id"], parent["id"])]


def test_moderators_answer_officially_until_cancelled(server, mod, anon):
    d = discussion(mod)
    c = resident(server, mod)
    q = published(mod, c, d["id"], kind="question", body="Когда начнётся стройка?")
    r = mod.post(curl(d["id"]), {"body": "Весной 2027 года", "parent_id": q["id"]})
    assert r.status == 201, r
    ans = r.json
    assert ans["official"] is True and ans["status"] == "published" and ans["parent_id"] == q["id"]
    # signed by the project's organizer, not the moderator (issue 14)
    assert ans["registration_number"] is None and ans["author_name"] == "Управление архитектуры и градостроительства"
    items = anon.get(curl(d["id"])).json["items"]
    assert [x["id"] for x in items if x["official"]] == [ans["id"]]
    # after the exposition closes moderators may still answer
    assert mod.post("/api/v1/discussions/%d/transitions" % d["id"], {"to": "closed"}).status == 200
    assert mod.post(curl(d["id"]), {"body": "Дополнение", "parent_id": q["id"]}).status == 201
    problem(c.post(curl(d["id"]), {"kind": "remark", "body": "поздно"}), 409)
    e = discussion(mod, "cancelled")
    problem(mod.post(curl(e["id"]), {"body": "Ответ"}), 409)
    log = mod.get("/api/v1/moderation/log?limit=500").json["items"]
    assert any(x["action"] == "comment.answer" and x["target"]["id"] == ans["id"] for x in log)


# ---- supports ----

def test_supports_once_per_eligible_account(server, mod, anon):
    d = discussion(mod)
    a = resident(server, mod)
    b = resident(server, mod, "Петров Иван")
    j = published(mod, a, d["id"])
    u = "/api/v1/comments/%d/supports" % j["id"]
    r = b.post(u)
    assert r.status == 201 and r.json["supports"] == 1, r
    problem(b.post(u), 409)
    assert a.post(u).json["supports"] == 2
    problem(resident(server, mod, point=OUTSIDE).post(u), 403)
    problem(account(server).post(u), 403)
    problem(anon.post(u), 401)
    items = anon.get(curl(d["id"])).json["items"]
    assert [x["supports"] for x in items if x["id"] == j["id"]] == [2]
    pending = submit(a, d["id"])
    problem(b.post("/api/v1/comments/%d/supports" % pending["id"]), 404)
    problem(a.post("/api/v1/comments/%d/supports" % pending["id"]), 409)
    problem(b.post("/api/v1/comments/99999999/supports"), 404)


# ---- entries on someone's behalf ----

def test_moderators_enter_offline_proposals_on_behalf_of_residents(server, mod, anon, citizen):
    d = discussion(mod)
    who = {"full_name": "Гарифуллин Рустем", "birth_date": "1961-04-12",
           "address": "г. Казань, ул. Бумажная, д. 3", "location": {"type": "Point", "coordinates": list(INSIDE)}}
    r = mod.post(curl(d["id"]), {"kind": "proposal", "body": "Письмо: сохранить липы",
                                 "channel": "paper", "on_behalf_of": who})
    assert r.status == 201, r
    j = r.json
    assert j["channel"] == "paper" and j["basis"] == "resident" and j["status"] == "pending"
    assert j["registration_number"] == "D-%d/0001" % d["id"] and j["author_name"] == "Рустем Г."
    assert j["official"] is False and j["author_id"] is None
    full = mod.get("/api/v1/comments/%d" % j["id"]).json
    assert full["on_behalf_of"]["full_name"] == "Гарифуллин Рустем"
    assert full["on_behalf_of"]["birth_date"] == "1961-04-12"
    moderate(mod, j["id"])
    pub = anon.get("/api/v1/comments/%d" % j["id"])
    assert pub.status == 200 and "on_behalf_of" not in pub.json
    assert "1961" not in pub.body.decode() and "Бумажная" not in pub.body.decode()

    # the address alone, geocoded through the address registry
    with spatial_db(server) as conn:
        conn.execute("INSERT INTO address_registry (address, geometry) VALUES (?, MakePoint(?, ?, 4326))",
                     ("г. Казань, ул. Реестровая, д. 1", INSIDE[0], INSIDE[1]))
    r = mod.post(curl(d["id"]), {"kind": "remark", "body": "Из книги", "channel": "exposition_book",
                                 "on_behalf_of": {"full_name": "Анна Козлова", "birth_date": "1990-01-02",
                                                  "address": "г. Казань, ул. Реестровая, д. 1"}})
    assert r.status == 201 and r.json["registration_number"] == "D-%d/0002" % d["id"], r
    p = lambda **o: mod.post(curl(d["id"]), dict({"kind": "remark", "body": "x", "channel": "email",
                                                  "on_behalf_of": dict(who)}, **o))
    nowhere = dict(who, address="г. Нигде, ул. Несуществующая, 1")
    del nowhere["location"]
    problem(p(on_behalf_of=nowhere), 422, "on_behalf_of.address")
    b = problem(p(on_behalf_of=dict(who, location={"type": "Point", "coordinates": list(OUTSIDE)})), 403)
    assert "за пределами" in b["detail"]
    problem(p(on_behalf_of=dict(who, birth_date="12.04.1961")), 422, "on_behalf_of.birth_date")
    problem(p(on_behalf_of=dict(who, birth_date="2999-01-01")), 422, "on_behalf_of.birth_date")
    problem(p(on_behalf_of=dict(who, full_name="")), 422, "on_behalf_of.full_name")
    problem(p(on_behalf_of=dict(who, passport="1234")), 422, "on_behalf_of.passport")
    problem(p(on_behalf_of=None), 422, "on_behalf_of")
    problem(p(channel="pigeon"), 422, "channel")
    problem(mod.post(curl(d["id"]), {"kind": "remark", "body": "x", "on_behalf_of": who}), 422, "channel")
    problem(citizen.post(curl(d["id"]), {"kind": "remark", "body": "x", "channel": "paper",
                                         "on_behalf_of": who}), 403)
    problem(mod.post(curl(discussion(mod, "closed")["id"]),
                     {"kind": "remark", "body": "x", "channel": "paper", "on_behalf_of": who}), 409)
    log = mod.get("/api/v1/moderation/log?limit=500").json["items"]
    entry = [x for x in log if x["action"] == "comment.offline_entry" and x["target"]["id"] == j["id"]]
    assert entry and entry[0]["reason"] == "paper"


# ---- the moderation log ----

def test_moderation_log_records_every_moderator_action(server, mod, anon, citizen):
    d = discussion(mod)
    c = resident(server, mod)
    a = submit(c, d["id"])
    b = submit(c, d["id"])
    moderate(mod, a["id"])
    moderate(mod, b["id"], "reject", reason="Не по теме обсуждения")
    ans = mod.post(curl(d["id"]), {"body": "Официальный ответ", "parent_id": a["id"]}).json
    r = mod.get("/api/v1/moderation/log?limit=500")
    assert r.status == 200
    items = r.json["items"]
    mine = {(x["action"], x["target"]["id"]): x for x in items if x["target"]["type"] == "comment"}
    assert ("comment.publish", a["id"]) in mine and ("comment.answer", ans["id"]) in mine
    rej = mine[("comment.reject", b["id"])]
    assert rej["reason"] == "Не по теме обсуждения" and rej["actor"]["name"] == "Тестовый Модератор"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", rej["at"])
    assert [x["id"] for x in items] == sorted([x["id"] for x in items], reverse=True)   # newest first
    # cursor pagination walks the whole log without repeats
    seen, cursor = [], None
    while True:
        r = mod.get("/api/v1/moderation/log?limit=2" + ("&cursor=" + cursor if cursor else ""))
        seen += [x["id"] for x in r.json["items"]]
        cursor = r.json["next"]
        if not cursor or len(seen) > 40:
            break
    assert seen == [x["id"] for x in items][:len(seen)] and len(seen) == len(set(seen))
    problem(citizen.get("/api/v1/moderation/log"), 403)
    problem(anon.get("/api/v1/moderation/log"), 401)
    problem(mod.get("/api/v1/moderation/log?limit=0"), 400, "limit")


# ---- privacy ----

def test_public_views_show_no_personal_data(server, mod, anon):
    d = discussion(mod)
    c = resident(server, mod, "Хасанова Гульнара", point=(49.12111, 55.78999),
                 address="г. Казань, ул. Тайная, д. 99, кв. 1")
    j = published(mod, c, d["id"], location={"type": "Point", "coordinates": [49.1207, 55.7893]})
    offline = mod.post(curl(d["id"]), {"kind": "remark", "body": "Бумажное", "channel": "paper",
                                       "on_behalf_of": {"full_name": "Секретов Пётр", "birth_date": "1955-05-05",
                                                        "address": "ул. Скрытая, 5",
                                                        "location": {"type": "Point", "coordinates": [49.1213, 55.7911]}}}).json
    moderate(mod, offline["id"])
    bodies = [anon.get(curl(d["id"])), anon.get(curl(d["id"]) + ".geojson"),
              anon.get("/api/v1/comments/%d" % j["id"]), anon.get("/api/v1/comments/%d" % offline["id"]),
              resident(server, mod, "Петров Иван").get(curl(d["id"]))]
    for r in bodies:
        assert r.status == 200, r
        text = r.body.decode()
        for secret in [c.email, "Тайная", "Хасанова", "49.12111", "55.78999", "Секретов", "1955-05-05",
                       "Скрытая", "49.1213", "birth_date", "email", "address", "full_name", "author_id",
                       "on_behalf_of", "basis"]:
            assert secret not in text, (secret, text[:500])
    items = bodies[0].json["items"]
    assert [x["author_name"] for x in items] == ["Гульнара Х.", "Пётр С."]
    want = {"id", "parent_id", "kind", "body", "location", "document_id", "page", "status", "created_at",
            "author_name", "supports", "official", "registration_number"}
    assert want <= set(items[0]), items[0]


# ---- search, export, lists ----

def test_full_text_search_finds_russian_word_forms(server, mod, anon):
    d = discussion(mod)
    c = resident(server, mod)
    trees = published(mod, c, d["id"], body="Прошу сохранить деревья во дворе")
    felled = published(mod, c, d["id"], body="Вырубка деревьев недопустима")
    parking = published(mod, c, d["id"], body="Нужна парковка для жителей, ёлки не трогать")
    hidden = submit(c, d["id"], body="Деревья ещё на модерации")
    q = lambda s: ids(anon.get(curl(d["id"]) + "?q=" + s))
    assert trees["id"] in q("деревья")
    assert q("деревья") == [trees["id"], felled["id"]]
    assert q("ДЕРЕВЬЯМИ") == [trees["id"], felled["id"]]
    assert q("дерев") == [trees["id"], felled["id"]]
    assert q("парковки") == [parking["id"]]
    assert q("елки") == [parking["id"]] and q("ёлками") == [parking["id"]]
    assert q("деревья дворе") == [trees["id"]]
    assert q("бассейн") == []
    assert q("%22%2A%28") == []                       # FTS syntax characters are plain separators
    assert hidden["id"] in ids(mod.get(curl(d["id"]) + "?status=pending&q=деревья"))
    problem(anon.get(curl(d["id"]) + "?q=" + "я" * 150), 400, "q")


def test_list_filters_kind_and_pages_with_a_cursor(server, mod, anon):
    d = discussion(mod)
    c = resident(server, mod)
    made = [published(mod, c, d["id"], kind=k, body="Текст %d" % i)["id"]
            for i, k in enumerate(["proposal", "remark", "question", "proposal", "remark"])]
    assert ids(anon.get(curl(d["id"]) + "?kind=proposal")) == [made[0], made[3]]
    problem(anon.get(curl(d["id"]) + "?kind=wish"), 400, "kind")
    got, cursor = [], None
    while True:
        r = anon.get(curl(d["id"]) + "?limit=2" + ("&cursor=" + cursor if cursor else ""))
        assert len(r.json["items"]) <= 2
        got += ids(r)
        cursor = r.json["next"]
        if not cursor:
            break
    assert got == made
    problem(anon.get(curl(d["id"]) + "?limit=501"), 400, "limit")
    problem(anon.get(curl(d["id"]) + "?cursor=zzz"), 400, "cursor")
    problem(anon.get(curl(999999)), 404)


def test_geojson_export_of_published_located_comments_with_bbox(server, mod, anon):
    d = discussion(mod)
    c = resident(server, mod)
    west = published(mod, c, d["id"], location={"type": "Point", "coordinates": [49.1185, 55.7880]})
    east = published(mod, c, d["id"], location=square(49.1220, 55.7910, 0.0005))
    published(mod, c, d["id"])                                       # no location
    pending = submit(c, d["id"], location={"type": "Point", "coordinates": [49.1190, 55.7885]})
    r = anon.get(curl(d["id"]) + ".geojson")
    assert r.status == 200, r
    fc = r.json
    assert fc["type"] == "FeatureCollection"
    assert [f["id"] for f in fc["features"]] == [west["id"], east["id"]]
    f = fc["features"][0]
    assert f["type"] == "Feature" and f["geometry"] == {"type": "Point", "coordinates": [49.1185, 55.788]}
    assert f["properties"]["registration_number"] == west["registration_number"]
    assert "location" not in f["properties"]
    box = lambda b: [f["id"] for f in anon.get(curl(d["id"]) + ".geojson?bbox=" + b).json["features"]]
    assert box("49.118,55.787,49.119,55.789") == [west["id"]]
    assert box("49.1222,55.7912,49.13,55.80") == [east["id"]]      # intersects the small square
    assert box("37.5,55.7,37.7,55.8") == []
    assert pending["id"] not in box("49.0,55.0,50.0,56.0")
    problem(anon.get(curl(d["id"]) + ".geojson?bbox=1,2,3"), 400, "bbox")
    problem(anon.get(curl(discussion(mod, "draft")["id"]) + ".geojson"), 404)


# ---- anti-abuse ----

def test_submissions_are_rate_limited_per_account(server, mod):
    d = discussion(mod)
    c = resident(server, mod)
    for i in range(10):
        submit(c, d["id"], body="Предложение %d" % i)
    r = c.post(curl(d["id"]), {"kind": "proposal", "body": "одиннадцатое"})
    b = problem(r, 429)
    assert 1 <= int(r.header("Retry-After")) <= 60, r.headers
    assert "10" in b["detail"]
    # others are not affected, and neither are moderators
    submit(resident(server, mod, "Петров Иван"), d["id"])
    for i in range(11):
        assert mod.post(curl(d["id"]), {"body": "Ответ %d" % i}).status == 201
    problem(c.raw("POST", curl(d["id"]), json.dumps({"kind": "remark", "body": "я" * 60000}).encode(),
                  {"Content-Type": "application/json"}), 413)

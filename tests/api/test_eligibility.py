"""Residences, properties, their verification by moderators, and the
eligibility gate, over real HTTP. Reference rows (address registry,
cadastral parcels) are written into the running server's database through
SQLite + SpatiaLite from this process (WAL lets both write)."""
import math
import uuid

import pytest

from conftest import PASSWORD, problem
from test_discussions import create, square

ME_RES = "/api/v1/me/residence"
ME_PROPS = "/api/v1/me/properties"
QUEUE = "/api/v1/moderation/verifications"

REASONS = {
    "no_residence": "Вы не указали адрес регистрации по месту жительства",
    "not_verified": "Адрес ещё не подтверждён модератором",
    "outside": "Ваш адрес находится за пределами территории этого обсуждения",
    "not_open": "Приём предложений по этому обсуждению сейчас не ведётся",
    "property_not_verified": "Ваш земельный участок или объект недвижимости ещё не подтверждён модератором",
}


def spatial_db(server):
    return server.sql()


def add_address(server, address, lon, lat):
    with spatial_db(server) as conn:
        conn.execute("INSERT INTO address_registry (address, geometry) VALUES (?, MakePoint(?, ?, 4326))",
                     (address, lon, lat))


def add_parcel(server, number, wkt):
    with spatial_db(server) as conn:
        conn.execute("INSERT INTO parcels (cadastral_number, use, geometry) "
                     "VALUES (?, 'жилая застройка', CastToMultiPolygon(GeomFromText(?, 4326)))", (number, wkt))


def new_citizen(server, name="Гражданка Проверкина"):
    c = server.client()
    email = "p-%s@example.org" % uuid.uuid4().hex[:12]
    r = c.post("/api/v1/accounts", {"email": email, "password": PASSWORD, "full_name": name, "consent": True})
    assert r.status == 201, r
    c.login(email)
    c.account_id = r.json["id"]
    return c


def open_discussion(mod, territory, status="open"):
    d = create(mod, territory=territory)
    u = "/api/v1/discussions/%d/transitions" % d["id"]
    for to in ["announced", "open"][:["announced", "open"].index(status) + 1]:
        assert mod.post(u, {"to": to}).status == 200
    return d["id"]


def elig(c, did):
    r = c.get("/api/v1/discussions/%d/eligibility" % did)
    assert r.status == 200, r
    j = r.json
    assert set(j) >= {"eligible", "basis", "reason", "reason_code"}, j
    if j["reason_code"] in REASONS:
        assert j["reason"] == REASONS[j["reason_code"]], j
    return j


def verify_residence(mod, c, ok=True, note=None):
    body = {"verified": ok}
    if note is not None:
        body["note"] = note
    r = mod.post("/api/v1/accounts/%d/residence/verification" % c.account_id, body)
    assert r.status == 200, r
    return r.json


def street():
    return "ул. Проверочная-%s" % uuid.uuid4().hex[:8]


# A territory around (49.200, 55.800) .. (49.205, 55.805).
LON, LAT = 49.200, 55.800
INSIDE = (LON + 0.0025, LAT + 0.0025)


def test_eligibility_needs_login(anon, mod):
    did = open_discussion(mod, square(LON, LAT))
    problem(anon.get("/api/v1/discussions/%d/eligibility" % did), 401)
    problem(anon.get(ME_RES), 401)
    problem(anon.put(ME_RES, {"address": "x"}), 401)
    problem(anon.post(ME_PROPS, {"cadastral_number": "16:50:011105:1"}), 401)


def test_no_residence_is_not_eligible(server, mod):
    did = open_discussion(mod, square(LON, LAT))
    c = new_citizen(server)
    j = elig(c, did)
    assert j == dict(j, eligible=False, basis=None, reason_code="no_residence")
    problem(c.get(ME_RES), 404)
    problem(c.get("/api/v1/discussions/999999/eligibility"), 404)


def test_registry_address_unverified_then_verified_inside_is_resident(server, mod, citizen):
    did = open_discussion(mod, square(LON, LAT))
    s = street()
    add_address(server, "г. Казань, %s, д. 7" % s, *INSIDE)
    c = new_citizen(server, "Иван Жителев")
    # another spelling: case, punctuation and spaces differ
    r = c.put(ME_RES, {"address": "  Г. КАЗАНЬ %s  д 7 " % s.upper()})
    assert r.status == 200, r
    res = r.json
    assert res["address"] == "г. Казань, %s, д. 7" % s      # the registry's spelling
    assert res["source"] == "registry" and res["verified"] is False
    assert res["verified_by"] == "self_declared" and res["status"] == "pending"
    assert res["location"]["type"] == "Point"
    assert all(abs(a - b) < 1e-9 for a, b in zip(res["location"]["coordinates"], INSIDE))
    assert c.get(ME_RES).json == res
    assert elig(c, did)["reason_code"] == "not_verified"

    # the moderators' queue shows it, with the person's name; nobody else sees it
    q = mod.get(QUEUE + "?limit=500")
    assert q.status == 200 and q.header("Cache-Control") == "no-store"
    mine = [i for i in q.json["items"] if i["account_id"] == c.account_id]
    assert len(mine) == 1 and mine[0]["type"] == "residence", mine
    assert mine[0]["full_name"] == "Иван Жителев" and mine[0]["address"] == res["address"]
    problem(citizen.get(QUEUE), 403)
    problem(server.client().get(QUEUE), 401)

    # a citizen cannot verify, nor can anyone their own data
    problem(citizen.post("/api/v1/accounts/%d/residence/verification" % c.account_id, {"verified": True}), 403)
    problem(c.post("/api/v1/accounts/%d/residence/verification" % c.account_id, {"verified": True}), 403)

    v = verify_residence(mod, c)
    assert v["verified"] is True and v["verified_by"] == "moderator" and v["verified_at"]
    j = elig(c, did)
    assert j["eligible"] is True and j["basis"] == "resident" and j["reason_code"] == "eligible"
    assert j["reason"] == "Вы можете участвовать: ваш адрес находится в границах территории"
    assert not [i for i in mod.get(QUEUE + "?limit=500").json["items"] if i["account_id"] == c.account_id]
    log = mod.get("/api/v1/moderation/log")
    if log.status == 200:   # the log endpoint belongs to another module
        assert any(e.get("action") == "residence.verify" for e in log.json["items"])


def test_verified_outside_is_told_so(server, mod):
    did = open_discussion(mod, square(LON, LAT))
    c = new_citizen(server)
    r = c.put(ME_RES, {"address": "г. Казань, %s, 1" % street(),
                       "location": {"type": "Point", "coordinates": [LON + 0.1, LAT]}})
    assert r.status == 200 and r.json["source"] == "point", r
    verify_residence(mod, c)
    j = elig(c, did)
    assert j["eligible"] is False and j["basis"] is None and j["reason_code"] == "outside"


def test_rejected_residence_carries_the_note(server, mod):
    c = new_citizen(server)
    assert c.put(ME_RES, {"address": "где-то", "location": {"type": "Point", "coordinates": list(INSIDE)}}).status == 200
    problem(mod.post("/api/v1/accounts/%d/residence/verification" % c.account_id, {"verified": False}), 422, "note")
    v = verify_residence(mod, c, False, "адрес не совпадает с паспортными данными")
    assert v["verified"] is False and v["status"] == "rejected"
    assert c.get(ME_RES).json["note"] == "адрес не совпадает с паспортными данными"


def test_property_overlapping_makes_a_rightholder(server, mod):
    did = open_discussion(mod, square(LON, LAT))
    c = new_citizen(server)
    n = uuid.uuid4().int % 10**6
    number = "16:50:%06d:%d" % (n, 17)
    x, y = LON + 0.004, LAT + 0.004      # overlaps the north-east corner
    add_parcel(server, number, "POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))" % (
        x, y, x + 0.002, y, x + 0.002, y + 0.002, x, y + 0.002, x, y))
    r = c.post(ME_PROPS, {"cadastral_number": number})
    assert r.status == 201, r
    p = r.json
    assert p["source"] == "registry" and p["verified"] is False and p["geometry"]["type"] == "MultiPolygon"
    assert r.header("Location") == "/api/v1/me/properties/%d" % p["id"]
    problem(c.post(ME_PROPS, {"cadastral_number": number}), 409, "cadastral_number")
    assert elig(c, did)["reason_code"] == "property_not_verified"
    # a second one drawn by hand, touching the territory's west edge only
    touch = {"type": "Polygon", "coordinates": [[[LON - 0.002, LAT], [LON, LAT], [LON, LAT + 0.002],
                                                 [LON - 0.002, LAT + 0.002], [LON - 0.002, LAT]]]}
    r2 = c.post(ME_PROPS, {"cadastral_number": "16:50:%06d:18" % n, "geometry": touch})
    assert r2.status == 201 and r2.json["source"] == "geometry", r2
    ok = mod.post("/api/v1/accounts/%d/properties/%d/verification" % (c.account_id, r2.json["id"]),
                  {"verified": True, "note": "выписка ЕГРН"})
    assert ok.status == 200 and ok.json["verified"] is True, ok
    assert elig(c, did)["reason_code"] == "property_not_verified"   # the overlapping one still waits
    q = [i for i in mod.get(QUEUE + "?limit=500").json["items"] if i["account_id"] == c.account_id]
    assert [i["type"] for i in q] == ["property"] and q[0]["cadastral_number"] == number
    ok = mod.post("/api/v1/accounts/%d/properties/%d/verification" % (c.account_id, p["id"]), {"verified": True})
    assert ok.status == 200
    j = elig(c, did)
    assert j["eligible"] is True and j["basis"] == "rightholder" and j["property_id"] == p["id"], j
    lst = c.get(ME_PROPS).json["items"]
    assert [i["id"] for i in lst] == [p["id"], r2.json["id"]] and all(i["verified"] for i in lst)
    problem(mod.post("/api/v1/accounts/%d/properties/999999/verification" % c.account_id, {"verified": True}), 404)
    problem(server.client().get(ME_PROPS), 401)


def test_not_open_discussion_reports_the_basis_it_would_have(server, mod):
    did = open_discussion(mod, square(LON, LAT), status="announced")
    c = new_citizen(server)
    c.put(ME_RES, {"address": "x", "location": {"type": "Point", "coordinates": list(INSIDE)}})
    verify_residence(mod, c)
    j = elig(c, did)
    assert j["eligible"] is False and j["reason_code"] == "not_open" and j["basis"] == "resident", j
    assert j["discussion_status"] == "announced"


def test_residence_change_resets_verification(server, mod):
    did = open_discussion(mod, square(LON, LAT))
    c = new_citizen(server)
    body = {"address": "г. Казань, %s, 3" % street(), "location": {"type": "Point", "coordinates": list(INSIDE)}}
    c.put(ME_RES, body)
    verify_residence(mod, c)
    assert elig(c, did)["eligible"] is True
    same = c.put(ME_RES, body)           # saving the same data keeps the verification
    assert same.status == 200 and same.json["verified"] is True
    moved = dict(body, location={"type": "Point", "coordinates": [INSIDE[0] + 0.001, INSIDE[1]]})
    r = c.put(ME_RES, moved)
    assert r.status == 200 and r.json["verified"] is False and r.json["verification_reset"] is True, r
    assert r.json["verified_by"] == "self_declared" and r.json["verified_at"] is None
    assert elig(c, did)["reason_code"] == "not_verified"


def test_bad_inputs_name_the_field(server, mod):
    c = new_citizen(server)
    problem(c.put(ME_RES, {"address": "Нет такого адреса %s" % uuid.uuid4().hex}), 422, "address")
    b = problem(c.put(ME_RES, {"address": "Нет такого %s" % uuid.uuid4().hex}), 422)
    assert "address registry" in b["errors"][0]["message"] and "point" in b["errors"][0]["message"]
    problem(c.put(ME_RES, {}), 422, "address")
    problem(c.put(ME_RES, {"address": "   "}), 422, "address")
    problem(c.put(ME_RES, {"address": 5}), 422, "address")
    problem(c.put(ME_RES, {"address": "а" * 501, "location": {"type": "Point", "coordinates": [49, 55]}}), 422, "address")
    problem(c.put(ME_RES, {"address": "x", "location": {"type": "Point", "coordinates": [200, 55]}}), 422, "location")
    problem(c.put(ME_RES, {"address": "x", "location": {"type": "Point", "coordinates": ["a", 55]}}), 422, "location")
    problem(c.put(ME_RES, {"address": "x", "location": square(49, 55)}), 422, "location")
    problem(c.put(ME_RES, {"address": "x", "location": [49, 55]}), 422, "location")
    problem(c.put(ME_RES, {"address": "x", "location": {"type": "Point", "coordinates": [49, 55]},
                           "birth_date": "31.12.1980"}), 422, "birth_date")
    problem(c.put(ME_RES, {"address": "x", "color": "red"}), 422, "color")
    r = c.put(ME_RES, {"address": "x", "location": {"type": "Point", "coordinates": [49, 55]}, "birth_date": "1980-12-31"})
    assert r.status == 200 and r.json["birth_date"] == "1980-12-31"
    for bad in ["16:50:011105", "16-50-011105-12", "1:50:011105:12", "16:50:0111:12", "16:50:011105:",
                "16:50:011105:12a", "16:50:12345678:1", "", "１６:50:011105:12"]:
        problem(c.post(ME_PROPS, {"cadastral_number": bad}), 422, "cadastral_number")
    problem(c.post(ME_PROPS, {"cadastral_number": "16:50:011105:99999"}), 422, "cadastral_number")  # not in parcels
    problem(c.post(ME_PROPS, {"cadastral_number": "16:50:011105:1", "geometry": {"type": "Point", "coordinates": [49, 55]}}),
            422, "geometry")
    bowtie = {"type": "Polygon", "coordinates": [[[49.1, 55.7], [49.2, 55.8], [49.2, 55.7], [49.1, 55.8], [49.1, 55.7]]]}
    problem(c.post(ME_PROPS, {"cadastral_number": "16:50:011105:1", "geometry": bowtie}), 422, "geometry")
    problem(c.post(ME_PROPS, {"cadastral_number": "16:50:011105:1", "geometry_crs": "EPSG:32639"}), 422, "geometry_crs")
    problem(c.post(ME_PROPS, {"cadastral_number": "16:50:011105:1", "geometry": square(49, 55),
                              "geometry_crs": "EPSG:99999"}), 422, "geometry_crs")
    problem(mod.post("/api/v1/accounts/%d/residence/verification" % c.account_id, {"verified": "yes"}), 422, "verified")
    problem(mod.post("/api/v1/accounts/%d/residence/verification" % c.account_id,
                     {"verified": True, "note": "я" * 1001}), 422, "note")
    fresh = new_citizen(server)
    problem(mod.post("/api/v1/accounts/%d/residence/verification" % fresh.account_id, {"verified": True}), 404)


def star(cx, cy, r, n):
    """A simple, far from convex polygon of n positions (closed) around (cx, cy)."""
    pts = []
    for i in range(n - 1):
        t = 2 * math.pi * i / (n - 1)
        rr = r * (1 + 0.3 * math.sin(37 * t))
        pts.append([cx + rr * math.cos(t), cy + rr * math.sin(t) * 0.6])
    pts.append(pts[0])
    return {"type": "Polygon", "coordinates": [pts]}


def test_5000_vertex_territory(server, mod):
    cx, cy, r = 49.30, 55.70, 0.05
    did = open_discussion(mod, star(cx, cy, r, 5000))
    t = 2 * math.pi * 0.75 / 37              # a notch: the radius there is 0.7 r
    cases = [((cx, cy), True), ((cx + 0.9 * r * math.cos(t), cy + 0.9 * r * math.sin(t) * 0.6), False),
             ((cx + 0.6 * r * math.cos(t), cy + 0.6 * r * math.sin(t) * 0.6), True)]
    for (lon, lat), inside in cases:
        c = new_citizen(server)
        assert c.put(ME_RES, {"address": "звезда", "location": {"type": "Point", "coordinates": [lon, lat]}}).status == 200
        verify_residence(mod, c)
        j = elig(c, did)
        assert j["eligible"] is inside, (lon, lat, j)
        assert j["reason_code"] == ("eligible" if inside else "outside")


@pytest.mark.parametrize("path", ["/api/v1/discussions/abc/eligibility", "/api/v1/discussions/0/eligibility"])
def test_bad_discussion_ids_are_404(citizen, path):
    problem(citizen.get(path), 404)

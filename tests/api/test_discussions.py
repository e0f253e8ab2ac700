"""Discussions: territories in any CRS, validation, filters, lifecycle."""
import subprocess
import time
from datetime import datetime, timedelta, timezone

from conftest import problem
from test_projects import make_project

MSK16 = ("+proj=tmerc +lat_0=0 +lon_0=49.03333333333 +k=1 +x_0=1300000 +y_0=-5709414.70 "
         "+ellps=krass +towgs84=23.57,-140.95,-79.8,0,0.35,0.79,-0.22 +units=m +no_defs")


def ts(days):
    return (datetime.now(timezone.utc) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def square(lon, lat, d=0.005):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d],
                                                [lon, lat + d], [lon, lat]]]}


def body(pid, **over):
    b = {"project_id": pid, "title": "Общественные обсуждения по проекту планировки",
         "territory": square(49.118, 55.787), "announce_at": ts(1), "opens_at": ts(8),
         "closes_at": ts(30)}
    b.update(over)
    return b


def create(mod, **over):
    pid = over.pop("pid", None) or make_project(mod)["id"]
    r = mod.post("/api/v1/discussions", body(pid, **over))
    assert r.status == 201, r
    return r.json


def test_create_discussion_in_wgs84(mod, anon):
    d = create(mod)
    assert d["status"] == "draft"
    assert d["territory"]["type"] == "MultiPolygon"
    ring = d["territory"]["coordinates"][0][0]
    assert abs(ring[0][0] - 49.118) < 1e-9 and abs(ring[0][1] - 55.787) < 1e-9
    # 0.005 x 0.005 degrees at 55.79N: about 313 m x 557 m
    assert 170000 < d["area_m2"] < 180000
    problem(anon.get("/api/v1/discussions/%d" % d["id"]), 404)   # drafts are not public
    g = mod.get("/api/v1/discussions/%d" % d["id"])
    assert g.status == 200
    j = g.json
    assert [s["status"] for s in j["timeline"]["stages"]] == ["announced", "open", "closed", "protocol", "concluded"]
    assert j["timeline"]["stages"][0]["planned_at"] == j["dates"]["announce_at"]
    assert j["accepting_comments"] is False


def cs2cs(src, x, y):
    out = subprocess.run(["cs2cs", "-f", "%.10f", src, "+to", "EPSG:4326"], input=("%r %r\n" % (x, y)).encode(),
                         capture_output=True, check=True).stdout.decode().split()
    # EPSG:4326 output of cs2cs is latitude, longitude
    return float(out[1]), float(out[0])


def test_territory_in_utm39n_is_stored_as_cs2cs_computes(mod):
    e, n = 382249.0, 6184158.9
    poly = {"type": "Polygon", "coordinates": [[[e, n], [e + 1000, n], [e + 1000, n + 1000], [e, n + 1000], [e, n]]]}
    d = create(mod, territory=poly, territory_crs="EPSG:32639")
    got = d["territory"]["coordinates"][0][0]
    for (x, y), (lon, lat) in zip(poly["coordinates"][0], got):
        elon, elat = cs2cs("EPSG:32639", x, y)
        assert abs(lon - elon) < 1e-7 and abs(lat - elat) < 1e-7, ((lon, lat), (elon, elat))
    # a 1 km square (UTM scale 0.99977 here): area within 0.1% of 1 km2
    assert abs(d["area_m2"] - 1e6) / 1e6 < 0.001, d["area_m2"]


def test_territory_in_msk16_is_stored_as_cs2cs_computes(mod):
    e, n = 1305671.7, 475708.3
    poly = {"type": "Polygon", "coordinates": [[[e, n], [e + 500, n], [e + 500, n + 500], [e, n + 500], [e, n]]]}
    d = create(mod, territory=poly, territory_crs=MSK16)
    got = d["territory"]["coordinates"][0][0]
    for (x, y), (lon, lat) in zip(poly["coordinates"][0], got):
        elon, elat = cs2cs(MSK16, x, y)
        assert abs(lon - elon) < 1e-7 and abs(lat - elat) < 1e-7
    assert abs(got[0][0] - 49.1221) < 1e-3 and abs(got[0][1] - 55.7887) < 1e-3


def test_bad_territories_are_refused_naming_the_field(mod):
    pid = make_project(mod)["id"]
    p = lambda **o: mod.post("/api/v1/discussions", body(pid, **o))
    problem(p(territory_crs="EPSG:99999"), 422, "territory_crs")
    problem(p(territory_crs="+proj=nonsense"), 422, "territory_crs")
    open_ring = {"type": "Polygon", "coordinates": [[[49.1, 55.7], [49.2, 55.7], [49.2, 55.8], [49.1, 55.8]]]}
    problem(p(territory=open_ring), 422, "territory")
    bowtie = {"type": "Polygon", "coordinates": [[[49.1, 55.7], [49.2, 55.8], [49.2, 55.7], [49.1, 55.8], [49.1, 55.7]]]}
    b = problem(p(territory=bowtie), 422, "territory")
    assert "valid" in b["detail"].lower()
    problem(p(territory={"type": "Point", "coordinates": [49.1, 55.7]}), 422, "territory")
    problem(p(territory={"type": "Polygon", "coordinates": [[[200, 55.7], [201, 55.7], [201, 55.8], [200, 55.7]]]}), 422, "territory")
    problem(p(territory={"type": "Polygon", "coordinates": "nope"}), 422, "territory")
    problem(p(territory={"type": "Polygon", "coordinates": [[["a", 1], [2, 2], [3, 3], ["a", 1]]]}), 422, "territory")
    problem(p(territory=None), 422, "territory")
    many = [[49.0 + i * 1e-6, 55.7 + (i % 2) * 1e-6] for i in range(60000)]
    many.append(many[0])
    problem(p(territory={"type": "Polygon", "coordinates": [many]}), 413, "territory")


def test_dates_follow_the_law(mod):
    pid = make_project(mod)["id"]
    p = lambda **o: mod.post("/api/v1/discussions", body(pid, **o))
    problem(p(opens_at=ts(3)), 422, "opens_at")          # notice < 7 days
    problem(p(closes_at=ts(9)), 422, "closes_at")        # territory planning: at least 14 days
    problem(p(closes_at=ts(80)), 422, "closes_at")       # at most 30 days
    problem(p(announce_at="tomorrow"), 422, "announce_at")
    problem(p(project_id=999999), 422, "project_id")
    problem(p(project_id="1"), 422, "project_id")
    problem(p(expositions=[{"hours": "9-17"}]), 422, "expositions[0].place")


def test_discussion_with_expositions(mod, anon):
    d = create(mod, expositions=[{"place": "ул. Кремлёвская, 1, каб. 101", "hours": "пн–пт 9:00–17:00",
                                  "opens_at": ts(8), "closes_at": ts(30)}])
    j = mod.get("/api/v1/discussions/%d" % d["id"]).json
    assert j["expositions"][0]["place"] == "ул. Кремлёвская, 1, каб. 101"


def test_list_filters_status_bbox_and_q(mod, anon):
    far = create(mod, territory=square(37.6, 55.75), title="Далёкая территория Москва")
    near = create(mod, territory=square(49.15, 55.80), title="Благоустройство парка Горького")
    r = mod.get("/api/v1/discussions?bbox=49.14,55.79,49.16,55.81&limit=500")
    ids = [x["id"] for x in r.json["items"]]
    assert near["id"] in ids and far["id"] not in ids
    r = mod.get("/api/v1/discussions?q=ПАРКА&limit=500")
    assert [x["id"] for x in r.json["items"]] == [near["id"]]
    r = mod.get("/api/v1/discussions?q=парк&limit=500")
    assert near["id"] in [x["id"] for x in r.json["items"]]
    assert anon.get("/api/v1/discussions?status=draft&limit=500").json["items"] == []
    r = mod.get("/api/v1/discussions?status=draft&limit=500")
    assert all(x["status"] == "draft" for x in r.json["items"]) and near["id"] in [x["id"] for x in r.json["items"]]
    item = r.json["items"][0]
    assert {"id", "project_id", "title", "status", "dates", "territory"} <= set(item)
    problem(anon.get("/api/v1/discussions?status=sleeping"), 400, "status")
    problem(anon.get("/api/v1/discussions?bbox=1,2,3"), 400, "bbox")
    problem(anon.get("/api/v1/discussions?bbox=a,b,c,d"), 400, "bbox")
    problem(anon.get("/api/v1/discussions?bbox=10,10,5,5"), 400, "bbox")


def test_moderator_transitions_in_order_and_409_out_of_order(mod, citizen, anon):
    d = create(mod)
    u = "/api/v1/discussions/%d/transitions" % d["id"]
    problem(mod.post(u, {"to": "open"}), 409)
    problem(mod.post(u, {"to": "concluded"}), 409)
    problem(mod.post(u, {"to": "flying"}), 422, "to")
    problem(citizen.post(u, {"to": "announced"}), 403)
    problem(anon.post(u, {"to": "announced"}), 401)
    for to in ["announced", "open", "closed", "protocol", "concluded"]:
        r = mod.post(u, {"to": to})
        assert r.status == 200 and r.json["status"] == to, r
    problem(mod.post(u, {"to": "cancelled"}), 409)
    hist = anon.get("/api/v1/discussions/%d" % d["id"]).json["timeline"]["history"]
    assert [h["to"] for h in hist] == ["announced", "open", "closed", "protocol", "concluded"]
    assert all(h["by"] == "moderator" for h in hist)
    problem(mod.post("/api/v1/discussions/999999/transitions", {"to": "announced"}), 404)


def test_cancel_from_open(mod):
    d = create(mod)
    u = "/api/v1/discussions/%d/transitions" % d["id"]
    assert mod.post(u, {"to": "announced"}).status == 200
    assert mod.post(u, {"to": "cancelled", "note": "проект отозван"}).json["status"] == "cancelled"
    problem(mod.post(u, {"to": "open"}), 409)


def wait_status(anon, did, status, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        j = anon.get("/api/v1/discussions/%d" % did).json
        if j["status"] == status:
            return j
        time.sleep(0.2)
    raise AssertionError("discussion %d never became %s (is %s)" % (did, status, j["status"]))


def backdate(server, did, announce, opens, closes):
    """Moves a discussion's dates into the past (creation refuses past dates)."""
    day = 86400
    now = int(time.time())
    with server.sql() as conn:
        conn.execute("UPDATE discussions SET announce_at = ?, opens_at = ?, closes_at = ? WHERE id = ?",
                     (now + announce * day, now + opens * day, now + closes * day, did))


def test_schedule_opens_and_closes_by_date(server, mod, anon):
    d = create(mod)
    backdate(server, d["id"], -10, -2, 20)
    mod.post("/api/v1/discussions/%d/transitions" % d["id"], {"to": "announced"})
    j = wait_status(anon, d["id"], "open")
    assert j["timeline"]["history"][-1]["by"] == "schedule"
    assert j["accepting_comments"] is True
    e = create(mod)
    backdate(server, e["id"], -60, -50, -25)
    mod.post("/api/v1/discussions/%d/transitions" % e["id"], {"to": "announced"})
    j = wait_status(anon, e["id"], "closed")
    assert [h["to"] for h in j["timeline"]["history"]] == ["announced", "open", "closed"]


def test_unknown_discussion_is_404(anon):
    problem(anon.get("/api/v1/discussions/999999"), 404)

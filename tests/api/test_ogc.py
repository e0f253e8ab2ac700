"""Open data for GIS: OGC API - Features (Core, GeoJSON, HTML, OpenAPI 3.0,
Part 2 CRS by Reference) under /ogc/, driven with GDAL (ogrinfo/ogr2ogr,
Debian's gdal-bin) and checked against what the database holds and against
PROJ's cs2cs; plus validation, paging, datetime, the public-parcels flag and
the CSV export of a discussion's published comments.

The module runs its own server (own database) so that feature counts are
exact, with parcels published (--public-parcels yes); the session server
(flag off) shows the collection is absent by default."""
import csv
import io
import json
import os
import re
import subprocess
import tempfile
import urllib.parse

import pytest

from conftest import BIN, MODERATOR, ROOT, Db, Server, problem
from test_comments import moderate, resident, submit
from test_discussions import create, square, ts

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
UTM39 = "http://www.opengis.net/def/crs/EPSG/0/32639"
MSK16_URI = "http://127.0.0.1:8080/ogc/crs/msk16-1"  # --base-url default + /ogc/crs/msk16-1
MSK16 = ("+proj=tmerc +lat_0=0 +lon_0=49.03333333333 +k=1 +x_0=1300000 +y_0=-5709414.70 "
         "+ellps=krass +towgs84=23.57,-140.95,-79.8,0,0.35,0.79,-0.22 +units=m +no_defs")

# A quiet corner east of Kazan, away from the other tests' territories.
T1 = square(49.50, 55.50, 0.01)
T2 = square(49.52, 55.50, 0.01)
T3 = square(49.54, 55.50, 0.01)  # stays a draft: never public
REGION = (49.49, 55.49, 49.56, 55.52)
ONLY_T1 = (49.499, 55.499, 49.5105, 55.5105)


def gdal_available():
    try:
        return subprocess.run(["ogrinfo", "--version"], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


needs_gdal = pytest.mark.skipif(not gdal_available(), reason="gdal-bin is not installed "
                                "(scripts/deps test)")


def spatial_db(path):
    return Db(path)


def run(args, **kw):
    p = subprocess.run(args, capture_output=True, timeout=120, **kw)
    assert p.returncode == 0, (args, p.stdout.decode()[-2000:], p.stderr.decode()[-3000:])
    return p.stdout.decode()


class Data:
    pass


@pytest.fixture(scope="module")
def ogc():
    """A server of our own with districts, parcels, two open discussions, a
    draft, and comments in every state."""
    tmp = tempfile.mkdtemp(prefix="kengash-ogc-")
    s = Server(tmp, ["--public-parcels", "yes"])
    s.user_add(MODERATOR, "moderator", "Модератор Открытых Данных")
    for layer, f in (("territories", "kazan_districts_osm.geojson"),
                     ("parcels", "kazan_parcels_synthetic.geojson")):
        run([BIN, "import", "--db", s.db, "--layer", layer, os.path.join(ROOT, "geodata", f)])
    s.start()
    mod = s.client()
    mod.login(MODERATOR)
    d = Data()
    d.server, d.mod, d.tmp = s, mod, tmp
    d.d1 = create(mod, territory=T1)
    d.d2 = create(mod, territory=T2, announce_at=ts(20), opens_at=ts(28), closes_at=ts(50))
    d.d3 = create(mod, territory=T3)
    for x in (d.d1, d.d2):
        for to in ("announced", "open"):
            assert mod.post("/api/v1/discussions/%d/transitions" % x["id"], {"to": to}).status == 200
    r1 = resident(s, mod, point=(49.505, 55.505))
    r2 = resident(s, mod, name="Сафин Ильдар", point=(49.506, 55.506))
    r3 = resident(s, mod, name="Алсу Галиева", point=(49.525, 55.505))
    d.published_d1, d.located_d1, d.located_d2 = [], [], []
    bodies = ["Сохранить сквер №%d, «зелёная зона»" % i for i in range(8)]
    for k, c in enumerate((r1, r2)):
        for i, b in enumerate(bodies):
            pt = [49.5005 + 0.0011 * i, 55.5005 + 0.004 * k + 0.0003 * i]
            j = submit(c, d.d1["id"], body=b, location={"type": "Point", "coordinates": pt})
            assert moderate(mod, j["id"]).status == 200
            d.published_d1.append(j["id"])
            d.located_d1.append(j["id"])
    # a line, published; no location, published (CSV only); formula-looking; rejected; pending
    j = submit(r1, d.d1["id"], body="Велодорожка вдоль улицы, \"по краю\"\nвторая строка",
               location={"type": "LineString", "coordinates": [[49.501, 55.501], [49.508, 55.507]]})
    assert moderate(mod, j["id"]).status == 200
    d.published_d1.append(j["id"])
    d.located_d1.append(j["id"])
    d.line_id = j["id"]
    j = submit(r2, d.d1["id"], body="Без точки на карте: общий вопрос")
    assert moderate(mod, j["id"]).status == 200
    d.published_d1.append(j["id"])
    d.unlocated_id = j["id"]
    j = submit(r3, d.d2["id"], body="=1+1 формула",
               location={"type": "Point", "coordinates": [49.525, 55.506]})
    assert moderate(mod, j["id"]).status == 200
    d.located_d2.append(j["id"])
    d.formula_id = j["id"]
    j = submit(r3, d.d2["id"], body="Отклонённое предложение",
               location={"type": "Point", "coordinates": [49.526, 55.507]})
    assert moderate(mod, j["id"], "reject", reason="не по теме").status == 200
    d.rejected_id = j["id"]
    j = submit(r3, d.d2["id"], body="Ждёт модерации",
               location={"type": "Point", "coordinates": [49.527, 55.507]})
    d.pending_id = j["id"]
    for i in range(3):
        j = submit(r3, d.d2["id"], body="Предложение %d по второй территории" % i,
                   location={"type": "Point", "coordinates": [49.521 + 0.002 * i, 55.502]})
        assert moderate(mod, j["id"]).status == 200
        d.located_d2.append(j["id"])
    d.located = sorted(d.located_d1 + d.located_d2)
    d.url = "OAPIF:http://127.0.0.1:%d/ogc" % s.port
    yield d
    s.stop_clean()


def get(d, path, **kw):
    return d.server.client().get(path, **kw)


def items(d, coll, **params):
    r = get(d, "/ogc/collections/%s/items?%s" % (coll, urllib.parse.urlencode(params)))
    assert r.status == 200, r
    assert r.header("Content-Type") == "application/geo+json", r.headers
    return r


def ogr2ogr(d, tmp_path, layer, spat=None, extra=()):
    out = str(tmp_path / ("%s.geojson" % layer))
    if os.path.exists(out):
        os.unlink(out)
    args = ["ogr2ogr", "-preserve_fid", "-f", "GeoJSON", out, d.url, layer] + list(extra)
    if spat:
        args += ["-spat"] + [repr(v) for v in spat]
    run(args)
    with open(out) as f:
        return json.load(f)


def db_count(d, sql, *args):
    with spatial_db(d.server.db) as conn:
        return conn.one(sql, args)


def mbr(b):
    return "BuildMbr(%r, %r, %r, %r, 4326)" % b


# ---- GDAL as the client ----

@needs_gdal
def test_ogrinfo_lists_the_public_collections(ogc):
    out = run(["ogrinfo", "-ro", ogc.url])
    names = re.findall(r"^\d+: (\w+)", out, re.M)
    assert names == ["districts", "territories", "comments", "parcels"], out


@needs_gdal
def test_gdal_reads_territories_in_a_bbox_without_drafts(ogc, tmp_path):
    fc = ogr2ogr(ogc, tmp_path, "territories", REGION)
    got = sorted(f["properties"].get("id", f.get("id")) for f in fc["features"])
    assert got == sorted([ogc.d1["id"], ogc.d2["id"]]), fc
    assert all(f["properties"]["status"] == "open" for f in fc["features"]), fc
    expected = db_count(ogc, "SELECT count(*) FROM discussions WHERE status <> 'draft' AND "
                        "ST_Intersects(territory, %s) = 1" % mbr(REGION))
    assert expected == 2


@needs_gdal
def test_gdal_reads_comments_in_a_bbox_through_several_pages(ogc, tmp_path):
    # GDAL asks 10 features a page: 21 comments means following next links.
    fc = ogr2ogr(ogc, tmp_path, "comments", REGION)
    assert len(fc["features"]) == len(ogc.located) == 21
    bodies = {f["properties"]["body"] for f in fc["features"]}
    assert "Сохранить сквер №3, «зелёная зона»" in bodies
    assert "Отклонённое предложение" not in bodies and "Ждёт модерации" not in bodies
    for f in fc["features"]:
        assert set(f["properties"]) >= {"discussion_id", "registration_number", "kind", "body",
                                        "created_at", "supports"}
        assert not {"author_id", "author_name", "display_name", "email"} & set(f["properties"])
    fc = ogr2ogr(ogc, tmp_path, "comments", ONLY_T1)
    expected = db_count(ogc, "SELECT count(*) FROM comments WHERE status = 'published' AND "
                        "location IS NOT NULL AND ST_Intersects(location, %s) = 1"
                        % mbr(ONLY_T1))
    assert len(fc["features"]) == expected == len(ogc.located_d1)


@needs_gdal
def test_gdal_reads_districts_and_parcels(ogc, tmp_path):
    box = (49.05, 55.74, 49.15, 55.80)
    for layer, table in (("districts", "districts"), ("parcels", "parcels")):
        fc = ogr2ogr(ogc, tmp_path, layer, box)
        expected = db_count(ogc, "SELECT count(*) FROM %s WHERE ST_Intersects(geometry, %s) = 1"
                            % (table, mbr(box)))
        assert expected > 0 and len(fc["features"]) == expected, (layer, expected)
    fc = ogr2ogr(ogc, tmp_path, "districts")
    assert len(fc["features"]) == db_count(ogc, "SELECT count(*) FROM districts") == 7


def cs2cs(points, to):
    """points [(lon, lat)] -> [(x, y)] in CRS `to` (an EPSG code or a PROJ
    string), by PROJ's cs2cs."""
    if to.startswith("+"):  # PROJ string: the classic syntax, lon lat in
        args = ["+proj=longlat", "+datum=WGS84", "+to"] + to.split()
        text = "".join("%.12f %.12f\n" % (lon, lat) for lon, lat in points)
    else:  # EPSG:4326 in its authority's axis order: lat lon in
        args = ["EPSG:4326", to]
        text = "".join("%.12f %.12f\n" % (lat, lon) for lon, lat in points)
    out = run(["cs2cs", "-f", "%.6f"] + args, input=text.encode())
    return [tuple(float(v) for v in line.split()[:2]) for line in out.splitlines()]


def gdal_has_crs_option():
    out = subprocess.run(["ogrinfo", "--format", "OAPIF"], capture_output=True).stdout.decode()
    return 'name="CRS"' in out


@needs_gdal
@pytest.mark.parametrize("uri,proj", [(UTM39, "EPSG:32639"), (MSK16_URI, MSK16)])
def test_gdal_gets_metre_coordinates_that_match_cs2cs(ogc, tmp_path, uri, proj):
    lonlat = {f["id"]: f["geometry"]["coordinates"]
              for f in items(ogc, "comments", limit=1000).json["features"]
              if f["geometry"]["type"] == "Point"}
    out = str(tmp_path / "metres.geojson")
    if uri == UTM39 and gdal_has_crs_option():  # GDAL >= 3.7
        run(["ogr2ogr", "-preserve_fid", "-f", "GeoJSON", out, ogc.url, "comments", "-oo",
             "CRS=EPSG:32639"])
    else:
        # Debian 12's GDAL 3.6 OAPIF driver has no CRS open option (added in
        # 3.7): read the items URL with the crs parameter through GDAL's
        # GeoJSON driver instead, so GDAL still parses our output.
        url = "http://127.0.0.1:%d/ogc/collections/comments/items?%s" % (
            ogc.server.port, urllib.parse.urlencode({"crs": uri, "limit": 1000}))
        run(["ogr2ogr", "-preserve_fid", "-f", "GeoJSON", out, url])
    with open(out) as f:
        fc = json.load(f)
    ids = [f["properties"].get("id", f.get("id")) for f in fc["features"]]
    pts = [(f["geometry"]["coordinates"], lonlat.get(i)) for f, i in zip(fc["features"], ids)
           if f["geometry"]["type"] == "Point"]
    pts = [(xy, ll) for xy, ll in pts if ll]
    assert len(pts) == len(lonlat) and len(pts) >= 20
    want = cs2cs([tuple(ll) for _, ll in pts], proj)
    for (xy, ll), (x, y) in zip(pts, want):
        assert abs(xy[0] - x) < 1e-3 and abs(xy[1] - y) < 1e-3, (ll, xy, (x, y))
        assert xy[0] > 1000 and xy[1] > 1000  # metres, not degrees


# ---- the API itself ----

def test_landing_conformance_and_api_definition(ogc):
    r = get(ogc, "/ogc/")
    assert r.status == 200 and r.header("Content-Type").startswith("application/json")
    rels = {l["rel"]: l["href"] for l in r.json["links"]}
    base = "http://127.0.0.1:%d/ogc" % ogc.server.port
    assert rels["service-desc"] == base + "/api"
    assert rels["conformance"] == base + "/conformance"
    assert rels["data"] == base + "/collections"
    assert rels["self"].startswith(base + "/")
    assert get(ogc, "/ogc").status == 200
    conf = get(ogc, "/ogc/conformance").json["conformsTo"]
    for c in ("ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson",
              "ogcapi-features-1/1.0/conf/oas30", "ogcapi-features-1/1.0/conf/html",
              "ogcapi-features-2/1.0/conf/crs"):
        assert "http://www.opengis.net/spec/" + c in conf
    r = get(ogc, "/ogc/api")
    assert r.status == 200 and "openapi" in r.header("Content-Type")
    api = r.json
    assert api["openapi"].startswith("3.0") and api["servers"][0]["url"] == base
    assert "/collections/{collectionId}/items" in api["paths"]


def test_collections_describe_crs_extent_and_links(ogc):
    r = get(ogc, "/ogc/collections")
    assert r.status == 200
    colls = {c["id"]: c for c in r.json["collections"]}
    assert list(colls) == ["districts", "territories", "comments", "parcels"]
    c = colls["comments"]
    assert c["storageCrs"] == CRS84
    assert c["crs"][0] == CRS84 and EPSG4326 in c["crs"] and UTM39 in c["crs"]
    assert MSK16_URI in c["crs"] and "http://www.opengis.net/def/crs/EPSG/0/3857" in c["crs"]
    x0, y0, x1, y1 = c["extent"]["spatial"]["bbox"][0]
    assert 49.5 <= x0 < x1 <= 49.53 and 55.5 <= y0 < y1 <= 55.52
    assert c["extent"]["temporal"]["interval"][0][0].endswith("Z")
    assert "temporal" not in colls["districts"]["extent"]
    one = get(ogc, "/ogc/collections/territories").json
    assert one["id"] == "territories" and any(l["rel"] == "items" for l in one["links"])
    r = get(ogc, "/ogc/crs/msk16-1")
    assert r.status == 200 and "+proj=tmerc" in r.body.decode()


def test_items_document_has_counts_timestamp_and_content_crs(ogc):
    r = items(ogc, "comments", limit=5)
    j = r.json
    assert j["type"] == "FeatureCollection"
    assert j["numberMatched"] == len(ogc.located) and j["numberReturned"] == 5
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", j["timeStamp"])
    assert r.header("Content-Crs") == "<%s>" % CRS84
    rels = [l["rel"] for l in j["links"]]
    assert "self" in rels and "next" in rels
    f = j["features"][0]
    assert f["type"] == "Feature" and f["id"] == ogc.located[0]
    r = get(ogc, "/ogc/collections/comments/items/%d" % f["id"])
    assert r.status == 200 and r.header("Content-Type") == "application/geo+json"
    assert r.json["id"] == f["id"] and r.json["geometry"] == f["geometry"]
    assert {l["rel"] for l in r.json["links"]} == {"self", "collection"}


def test_paging_with_next_links_covers_every_feature_exactly_once(ogc):
    url = "/ogc/collections/comments/items?limit=4"
    seen, pages = [], 0
    while url:
        r = get(ogc, url)
        assert r.status == 200, r
        j = r.json
        assert j["numberReturned"] == len(j["features"]) <= 4
        seen += [f["id"] for f in j["features"]]
        nxt = [l["href"] for l in j["links"] if l["rel"] == "next"]
        url = nxt[0].split(str(ogc.server.port), 1)[1] if nxt else None
        pages += 1
    assert seen == ogc.located and pages == 6  # 21 = 5 x 4 + 1
    j = items(ogc, "comments", offset=20, limit=4).json
    assert [f["id"] for f in j["features"]] == ogc.located[20:]
    assert not [l for l in j["links"] if l["rel"] == "next"]
    assert items(ogc, "comments", offset=1000).json["numberReturned"] == 0


def test_limit_over_the_maximum_is_clamped(ogc):
    j = items(ogc, "parcels", limit=50000).json
    assert j["numberReturned"] == min(j["numberMatched"], 10000)
    for l in j["links"]:
        assert "limit=10000" in l["href"]


def test_bbox_in_other_crss(ogc):
    all_ids = [f["id"] for f in items(ogc, "comments", bbox="%r,%r,%r,%r" % ONLY_T1).json["features"]]
    assert sorted(all_ids) == sorted(ogc.located_d1)
    # EPSG:4326 by URI: latitude first
    lat_first = "%r,%r,%r,%r" % (ONLY_T1[1], ONLY_T1[0], ONLY_T1[3], ONLY_T1[2])
    j = items(ogc, "comments", bbox=lat_first, **{"bbox-crs": EPSG4326}).json
    assert sorted(f["id"] for f in j["features"]) == sorted(ogc.located_d1)
    # UTM 39N metres around T1 only
    (x0, y0), (x1, y1) = cs2cs([ONLY_T1[:2], ONLY_T1[2:]], "EPSG:32639")
    j = items(ogc, "comments", bbox="%f,%f,%f,%f" % (x0 + 50, y0 + 50, x1 - 50, y1 - 50),
              **{"bbox-crs": UTM39}).json
    assert 0 < j["numberMatched"] <= len(ogc.located_d1)
    assert set(f["id"] for f in j["features"]) <= set(ogc.located_d1)


def test_epsg4326_by_uri_answers_latitude_first(ogc):
    lonlat = items(ogc, "comments", limit=1).json["features"][0]["geometry"]["coordinates"]
    r = items(ogc, "comments", limit=1, crs=EPSG4326)
    assert r.header("Content-Crs") == "<%s>" % EPSG4326
    latlon = r.json["features"][0]["geometry"]["coordinates"]
    assert abs(latlon[0] - lonlat[1]) < 1e-9 and abs(latlon[1] - lonlat[0]) < 1e-9
    r = get(ogc, "/ogc/collections/comments/items/%d?crs=%s" % (ogc.line_id, urllib.parse.quote(UTM39)))
    assert r.status == 200 and r.header("Content-Crs") == "<%s>" % UTM39
    assert r.json["geometry"]["type"] == "LineString"
    assert r.json["geometry"]["coordinates"][0][0] > 300000


def test_datetime_filters_on_the_temporal_property(ogc):
    assert items(ogc, "comments", datetime="../2020-01-01T00:00:00Z").json["numberMatched"] == 0
    assert items(ogc, "comments", datetime="2020-01-01T00:00:00Z/..").json["numberMatched"] == 21
    assert items(ogc, "comments", datetime="2020-01-01T00:00:00Z/%s" % ts(1)).json[
        "numberMatched"] == 21
    assert items(ogc, "comments", datetime="2020-01-01T00:00:00Z").json["numberMatched"] == 0
    d1, d2 = ogc.d1["id"], ogc.d2["id"]

    def tids(**kw):
        return sorted(f["id"] for f in items(ogc, "territories", bbox="%r,%r,%r,%r" % REGION,
                                             **kw).json["features"])
    assert tids(datetime="../%s" % ts(20)) == [d1]   # d2 opens on day 28
    assert tids(datetime="%s/.." % ts(35)) == [d2]   # d1 closed on day 30
    assert tids(datetime=ts(29)) == [d1, d2]
    assert tids(datetime="../..") == [d1, d2]


@pytest.mark.parametrize("path,field,status", [
    ("/ogc/collections/comments/items?bbox=1,2,3", "bbox", 400),
    ("/ogc/collections/comments/items?bbox=10,0,0,10", "bbox", 400),
    ("/ogc/collections/comments/items?bbox=a,b,c,d", "bbox", 400),
    ("/ogc/collections/comments/items?bbox=-200,0,0,10", "bbox", 400),
    ("/ogc/collections/comments/items?limit=0", "limit", 400),
    ("/ogc/collections/comments/items?limit=ten", "limit", 400),
    ("/ogc/collections/comments/items?offset=-1", "offset", 400),
    ("/ogc/collections/comments/items?crs=EPSG:9999", "crs", 400),
    ("/ogc/collections/comments/items?crs=http://www.opengis.net/def/crs/EPSG/0/2154", "crs", 400),
    ("/ogc/collections/comments/items?bbox=0,0,1,1&bbox-crs=urn:nope", "bbox-crs", 400),
    ("/ogc/collections/comments/items?datetime=yesterday", "datetime", 400),
    ("/ogc/collections/comments/items?datetime=2026-01-02T00:00:00Z/2026-01-01T00:00:00Z",
     "datetime", 400),
    ("/ogc/collections/comments/items?datetime=a/b/c", "datetime", 400),
    ("/ogc/collections/comments/items?sortby=id", "sortby", 400),
    ("/ogc/collections/comments/items?f=xml", "f", 400),
    ("/ogc/collections?foo=1", "foo", 400),
    ("/ogc/collections/comments/items/1?crs=nope", "crs", 400),
])
def test_bad_parameters_are_refused_naming_the_parameter(ogc, path, field, status):
    problem(get(ogc, path), status, field)


def test_unknown_collections_and_features_are_404(ogc):
    problem(get(ogc, "/ogc/collections/accounts"), 404)
    problem(get(ogc, "/ogc/collections/accounts/items"), 404)
    problem(get(ogc, "/ogc/collections/comments/items/999999"), 404)
    problem(get(ogc, "/ogc/collections/comments/items/abc"), 404)
    # not public: a rejected and a pending comment, one without a location, a draft
    for cid in (ogc.rejected_id, ogc.pending_id, ogc.unlocated_id):
        problem(get(ogc, "/ogc/collections/comments/items/%d" % cid), 404)
    problem(get(ogc, "/ogc/collections/territories/items/%d" % ogc.d3["id"]), 404)
    assert get(ogc, "/ogc/collections/territories/items/%d" % ogc.d1["id"]).status == 200


def test_parcels_are_absent_unless_the_deployment_publishes_them(server, ogc):
    c = server.client()
    ids = [x["id"] for x in c.get("/ogc/collections").json["collections"]]
    assert "parcels" not in ids and "comments" in ids
    problem(c.get("/ogc/collections/parcels"), 404)
    problem(c.get("/ogc/collections/parcels/items"), 404)
    j = items(ogc, "parcels", limit=10000).json
    assert j["numberMatched"] == db_count(ogc, "SELECT count(*) FROM parcels") == 400
    assert j["features"][0]["properties"]["cadastral_number"].startswith("16:50:")


def test_html_views_are_escaped_tables(ogc):
    r = get(ogc, "/ogc/collections/comments/items?f=html&limit=100")
    assert r.status == 200 and r.header("Content-Type").startswith("text/html")
    html = r.body.decode()
    assert "<table>" in html and "«зелёная зона»" in html
    assert "&quot;по краю&quot;" in html and '"по краю"' not in html
    r = get(ogc, "/ogc/collections", headers={"Accept": "text/html"})
    assert r.status == 200 and r.header("Content-Type").startswith("text/html")
    for path in ("/ogc/?f=html", "/ogc/conformance?f=html", "/ogc/collections/comments?f=html",
                 "/ogc/collections/comments/items/%d?f=html" % ogc.line_id):
        r = get(ogc, path)
        assert r.status == 200 and r.header("Content-Type").startswith("text/html"), path


# ---- CSV export ----

def test_comments_csv_export(ogc):
    r = get(ogc, "/api/v1/discussions/%d/comments.csv" % ogc.d1["id"])
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/csv")
    assert "attachment" in r.header("Content-Disposition")
    text = r.body.decode("utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["id", "registration_number", "kind", "channel", "status", "created_at",
                       "supports", "body", "geometry"]
    byid = {int(x[0]): dict(zip(rows[0], x)) for x in rows[1:]}
    assert sorted(byid) == sorted(ogc.published_d1)
    line = byid[ogc.line_id]
    assert line["body"] == "Велодорожка вдоль улицы, \"по краю\"\nвторая строка"
    assert line["geometry"].startswith("LINESTRING(49.501 55.501")
    assert byid[ogc.unlocated_id]["geometry"] == ""
    p = byid[ogc.located_d1[0]]
    assert p["geometry"].startswith("POINT(") and p["status"] == "published"
    assert p["body"] == "Сохранить сквер №0, «зелёная зона»" and p["channel"] == "online"
    assert re.match(r"^D-\d+/\d{4}$", p["registration_number"]) and p["supports"] == "0"
    # the other discussion: the formula-looking body is defused, rejected/pending absent
    rows = list(csv.DictReader(io.StringIO(
        get(ogc, "/api/v1/discussions/%d/comments.csv" % ogc.d2["id"]).body.decode(), newline="")))
    bodies = {x["id"]: x["body"] for x in rows}
    assert bodies[str(ogc.formula_id)] == "'=1+1 формула"
    assert str(ogc.rejected_id) not in bodies and str(ogc.pending_id) not in bodies
    problem(get(ogc, "/api/v1/discussions/%d/comments.csv" % ogc.d3["id"]), 404)
    problem(get(ogc, "/api/v1/discussions/999999/comments.csv"), 404)


# ---- the clustered copy (migration 0019; last: it adds a support) ----

def raw_features(r):
    """The items body's features as their exact bytes, by id."""
    body = r.body.decode()
    text = body[body.index('"features":[\n') + 13:body.rindex('],"numberReturned"')]
    return {json.loads(t)["id"]: t for t in text.split(",\n") if t}


def test_bbox_items_come_from_the_clustered_copy_byte_for_byte_and_current(ogc):
    box = "%r,%r,%r,%r" % REGION
    assert db_count(ogc, "SELECT count(*) FROM open_comments") == len(ogc.located)
    whole = raw_features(items(ogc, "comments", limit=1000))  # the comments table
    r = items(ogc, "comments", bbox=box, limit=1000)  # open_comments
    assert r.json["numberMatched"] == r.json["numberReturned"] == len(ogc.located)
    assert raw_features(r) == whole and sorted(whole) == ogc.located
    # pages of 4 through the next links: every feature once, in id order
    seen, url = [], "/ogc/collections/comments/items?bbox=%s&limit=4" % box
    while url:
        j = get(ogc, url).json
        seen += [f["id"] for f in j["features"]]
        nxt = [lk["href"] for lk in j["links"] if lk["rel"] == "next"]
        url = nxt[0][nxt[0].index("/ogc/"):] if nxt else None
    assert seen == ogc.located
    # a new support shows at once (the copy is kept in the support's transaction)
    cid = ogc.located_d1[0]
    before = json.loads(whole[cid])["properties"]["supports"]
    c = resident(ogc.server, ogc.mod, name="Ахметов Нурлан", point=(49.507, 55.507))
    assert c.post("/api/v1/comments/%d/supports" % cid).status == 201
    after = raw_features(items(ogc, "comments", bbox=box, limit=1000))
    assert json.loads(after[cid])["properties"]["supports"] == before + 1
    assert after == raw_features(items(ogc, "comments", limit=1000))

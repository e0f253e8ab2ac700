"""The address register people can search: GET /api/v1/addresses over real
HTTP, PUT /api/v1/me/residence with a loose spelling, and `kengash import
--layer addresses` of the demo GeoJSON, of GAR/FIAS-style CSV and of OSM
points with addr:* tags into the running server's database.

The server is this module's own: its register is the demo register
(geodata/) plus a CSV with the spellings the demo lacks."""
import json
import os
import subprocess
import tempfile
import urllib.parse
import uuid

import pytest

from conftest import BIN, PASSWORD, ROOT, Server, problem

URL = "/api/v1/addresses"
DEMO = "г. Казань, ул. Баумана, д. 19"
DEMO_POINT = [49.1185, 55.7892]
CITIZEN = "addresses-citizen@example.org"

# Addresses the demo register has no spelling for (points made up).
EXTRA = [
    ("3f1e0a52-0001-4c1a-9d7a-000000000001", "г. Казань, пр-т Альберта Камалеева, д. 8", 49.20, 55.81),
    ("3f1e0a52-0002-4c1a-9d7a-000000000002", "г. Казань, пер. Дружбы, д. 3", 49.21, 55.81),
    ("3f1e0a52-0003-4c1a-9d7a-000000000003", "г. Казань, Кремлёвская наб., д. 12", 49.22, 55.81),
    ("3f1e0a52-0004-4c1a-9d7a-000000000004", "г. Казань, ул. Чистопольская, д. 20, корп. 1", 49.23, 55.81),
    ("3f1e0a52-0005-4c1a-9d7a-000000000005", "г. Казань, ул. Восстания, д. 100, стр. 2", 49.24, 55.81),
    ("3f1e0a52-0006-4c1a-9d7a-000000000006", "г. Казань, ул. Нурсултана Назарбаева, д. 5, лит. А",
     49.25, 55.81),
    ("3f1e0a52-0007-4c1a-9d7a-000000000007", "г. Казань, ул. Зелёная, д. 1", 49.26, 55.81),
    ("3f1e0a52-0008-4c1a-9d7a-000000000008", "г. Казань, ул. Елочная, д. 4", 49.27, 55.81),
    ("3f1e0a52-0009-4c1a-9d7a-000000000009", "г. Казань, ул. Баумана, д. 119", 49.28, 55.81),
    ("3f1e0a52-0010-4c1a-9d7a-000000000010", "г. Казань, ул. Баумана, д. 19, корп. 1", 49.29, 55.81),
]


def new_tag():
    """Six Cyrillic letters: a word no other test's address has (digits
    would be read as house numbers)."""
    return "".join("абвгдежзиклмнопр"[int(c, 16)] for c in uuid.uuid4().hex[:6])


def csv_text(rows, header="id,address,lon,lat"):
    """RFC 4180 text: every field quoted, quotes doubled, CRLF."""
    out = [header]
    for row in rows:
        out.append(",".join('"%s"' % str(v).replace('"', '""') for v in row))
    return "\r\n".join(out) + "\r\n"


def kengash_import(srv, name, text, binary=False):
    path = os.path.join(srv.tmp, name)
    with open(path, "wb") as f:
        f.write(text if binary else text.encode("utf-8"))
    return subprocess.run([BIN, "import", "--db", srv.db, "--layer", "addresses", path],
                          capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def srv():
    tmp = tempfile.mkdtemp(prefix="kengash-addresses-")
    s = Server(tmp)
    s.user_add(CITIZEN, "citizen", "Житель Адресов")
    p = subprocess.run([BIN, "import", "--db", s.db, "--layer", "addresses",
                        os.path.join(ROOT, "geodata", "kazan_addresses_synthetic.geojson")],
                       capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()
    p = kengash_import(s, "extra.csv", csv_text(EXTRA))
    assert p.returncode == 0, p.stderr.decode()
    s.start()
    yield s
    s.stop_clean()


def search(srv, q, limit=None, status=200):
    path = URL + "?q=" + urllib.parse.quote(q, safe="")
    if limit is not None:
        path += "&limit=%s" % limit
    r = srv.client().get(path)
    assert r.status == status, (q, r)
    return r.json["items"] if status == 200 else r


def first(srv, q):
    items = search(srv, q)
    assert items, "nothing found for %r" % q
    return items[0]["address"]


@pytest.mark.parametrize("q", [
    "Баумана 19", "ул. Баумана, 19", "ул. Баумана, д. 19", "улица Баумана дом 19",
    "улица Баумана, дом 19", "БАУМАНА 19", "г. Казань, ул. Баумана, д. 19", "Казань Баумана 19",
    "баумана д19", "ул.Баумана,19",
])
def test_each_spelling_finds_the_demo_address_first(srv, q):
    items = search(srv, q)
    assert items[0]["address"] == DEMO, items
    assert [items[0]["lon"], items[0]["lat"]] == pytest.approx(DEMO_POINT)
    assert items[0]["district"] == "Вахитовский район"
    # never a longer number for the house asked; a building of it comes after
    addresses = [i["address"] for i in items]
    assert "г. Казань, ул. Баумана, д. 119" not in addresses
    if "г. Казань, ул. Баумана, д. 19, корп. 1" in addresses:
        assert addresses.index("г. Казань, ул. Баумана, д. 19, корп. 1") > 0


@pytest.mark.parametrize("q, want", [
    ("проспект Альберта Камалеева 8", "г. Казань, пр-т Альберта Камалеева, д. 8"),
    ("пр. Альберта Камалеева, д. 8", "г. Казань, пр-т Альберта Камалеева, д. 8"),
    ("переулок Дружбы 3", "г. Казань, пер. Дружбы, д. 3"),
    ("Кремлевская набережная 12", "г. Казань, Кремлёвская наб., д. 12"),
    ("наб. Кремлёвская, 12", "г. Казань, Кремлёвская наб., д. 12"),
    ("Чистопольская 20к1", "г. Казань, ул. Чистопольская, д. 20, корп. 1"),
    ("Чистопольская д. 20, корпус 1", "г. Казань, ул. Чистопольская, д. 20, корп. 1"),
    ("Восстания 100 строение 2", "г. Казань, ул. Восстания, д. 100, стр. 2"),
    ("Восстания 100с2", "г. Казань, ул. Восстания, д. 100, стр. 2"),
    ("Назарбаева 5 литера А", "г. Казань, ул. Нурсултана Назарбаева, д. 5, лит. А"),
    ("Зеленая 1", "г. Казань, ул. Зелёная, д. 1"),
    ("Ёлочная 4", "г. Казань, ул. Елочная, д. 4"),
    ("Баумана 19 корп. 1", "г. Казань, ул. Баумана, д. 19, корп. 1"),
    ("Баумана 119", "г. Казань, ул. Баумана, д. 119"),
])
def test_other_spellings_find_their_address_first(srv, q, want):
    assert first(srv, q) == want


def test_the_last_word_is_a_prefix_while_typing(srv):
    items = search(srv, "Бау")
    assert items and all("ул. Баумана" in i["address"] for i in items), items
    # in house-number order
    houses = [i["address"].split("д. ")[1] for i in items]
    assert houses[:3] == ["2", "19", "19, корп. 1"], houses
    assert "ул. Баумана" in first(srv, "ул. Баум")
    assert first(srv, "Камал") == "г. Казань, пр-т Альберта Камалеева, д. 8"


def test_items_have_exactly_the_documented_fields(srv):
    for item in search(srv, "Баумана"):
        assert set(item) == {"id", "address", "district", "lon", "lat"}, item
        assert isinstance(item["id"], int) and isinstance(item["lon"], float)


def test_nothing_found_is_an_empty_list(srv):
    assert search(srv, "Несуществующая 12345") == []
    assert search(srv, " ,.;") == []


def test_limit_defaults_to_10_and_goes_up_to_20(srv):
    assert len(search(srv, "Казань")) == 10
    assert len(search(srv, "Казань", 1)) == 1
    assert len(search(srv, "Казань", 20)) == 20
    for bad in ("0", "21", "-1", "abc", "", "10x", "99999999999999999999"):
        problem(search(srv, "Казань", bad, status=400), 400, "limit")


def test_bad_q_gets_400_naming_q(srv):
    c = srv.client()
    problem(c.get(URL), 400, "q")
    problem(c.get(URL + "?q="), 400, "q")
    problem(c.get(URL + "?q=" + "a" * 201), 400, "q")
    problem(c.get(URL + "?q=%FF%FE"), 400, "q")          # not UTF-8
    problem(c.get(URL + "?q=%D0"), 400, "q")             # cut inside a character
    problem(c.get(URL + "?q=%01"), 400, "q")             # a control character
    assert c.get(URL + "?q=" + "a" * 200).status == 200
    # 100 Cyrillic letters are 200 bytes
    assert c.get(URL + "?q=" + urllib.parse.quote("ж" * 100)).status == 200
    problem(c.get(URL + "?q=" + urllib.parse.quote("ж" * 101)), 400, "q")


def test_anyone_may_search_without_logging_in(srv):
    r = srv.client().get(URL + "?q=" + urllib.parse.quote("Баумана 19"))
    assert r.status == 200 and r.header("Content-Type").startswith("application/json")
    c = srv.client()
    c.login(CITIZEN)
    assert c.get(URL + "?q=" + urllib.parse.quote("Баумана 19")).json["items"][0]["address"] == DEMO


def test_residence_with_a_loose_spelling_is_geocoded(srv):
    c = srv.client()
    c.login(CITIZEN)
    r = c.put("/api/v1/me/residence", {"address": "Баумана 19"})
    assert r.status == 200, r
    j = r.json
    assert j["address"] == DEMO and j["source"] == "registry", j
    assert j["location"]["coordinates"] == pytest.approx(DEMO_POINT)
    # the register knows buildings: the flat the person wrote is kept
    for typed, unit in (("ул. Баумана, д. 19, кв. 12", "кв. 12"), ("Баумана 19 квартира 5а", "кв. 5а"),
                        ("улица Баумана дом 19 офис 3", "оф. 3")):
        j = c.put("/api/v1/me/residence", {"address": typed}).json
        assert j["address"] == DEMO + ", " + unit and j["source"] == "registry", (typed, j)
    # ambiguous or absent: refused with the usual message, naming the field
    problem(c.put("/api/v1/me/residence", {"address": "Баумана"}), 422, "address")
    problem(c.put("/api/v1/me/residence", {"address": "Баумана 1190"}), 422, "address")


def test_rows_other_programs_insert_are_found(srv):
    street = "ул. Сторонняя-%s" % new_tag()
    with srv.sql() as conn:
        conn.execute("INSERT INTO address_registry (address, geometry) VALUES (?, MakePoint(?, ?, 4326))",
                     ("г. Казань, %s, д. 7" % street, 49.3, 55.8))
    name = street.split(" ", 1)[1]
    assert first(srv, "%s 7" % name) == "г. Казань, %s, д. 7" % street


def test_csv_import_reads_quoted_fields_and_keeps_the_id(srv):
    tag = new_tag()
    rows = [
        ("csv-%s-1" % tag, 'г. Казань, ул. Кавычек-%s, д. 1, "ТЦ «Кольцо»"' % tag, 49.11, 55.78),
        ("csv-%s-2" % tag, "г. Казань, ул. Кавычек-%s, д. 2" % tag, "49.12", "55.78"),
    ]
    p = kengash_import(srv, "q-%s.csv" % tag, "\ufeff" + csv_text(rows))
    assert p.returncode == 0, p.stderr.decode()
    assert b"imported 2 " in p.stdout
    items = search(srv, "Кавычек-%s 1" % tag)
    assert items[0]["address"] == rows[0][1], items
    assert items[0]["lon"] == pytest.approx(49.11)
    with srv.sql() as db:
        ext = db.rows("SELECT ext_id FROM address_registry WHERE address = ?", (rows[0][1],))
    assert ext == [("csv-%s-1" % tag,)]
    # unquoted fields, LF line ends, columns in another order, an extra column
    text = "lat,lon,address,id,comment\n55.79,49.13,г. Казань ул. Простая-%s д. 3,csv-%s-3,x\n" % (tag, tag)
    p = kengash_import(srv, "u-%s.csv" % tag, text)
    assert p.returncode == 0, p.stderr.decode()
    assert first(srv, "Простая-%s 3" % tag) == "г. Казань ул. Простая-%s д. 3" % tag


@pytest.mark.parametrize("name, text, line", [
    ("bad_lat", csv_text([("g1", "г. Казань, ул. Плохая-{t}, д. 1", 49.1, 55.7),
                          ("g2", "г. Казань, ул. Плохая-{t}, д. 2", 49.1, "север")]), 3),
    ("lat_out_of_range", csv_text([("g1", "г. Казань, ул. Плохая-{t}, д. 1", 49.1, 55.7),
                                   ("g2", "г. Казань, ул. Плохая-{t}, д. 2", 49.1, 95)]), 3),
    ("empty_address", csv_text([("g1", "г. Казань, ул. Плохая-{t}, д. 1", 49.1, 55.7),
                                ("g2", " ", 49.1, 55.7)]), 3),
    ("duplicate_id", csv_text([("g1-{t}", "г. Казань, ул. Плохая-{t}, д. 1", 49.1, 55.7),
                               ("g1-{t}", "г. Казань, ул. Плохая-{t}, д. 2", 49.1, 55.7)]), 3),
    ("duplicate_address", csv_text([("g1", "г. Казань, ул. Плохая-{t}, д. 1", 49.1, 55.7),
                                    ("g2", "г. Казань, ул. Плохая-{t}, д. 1", 49.1, 55.7)]), 3),
    ("already_in_register", csv_text([("g1", "г. Казань, ул. Плохая-{t}, д. 1", 49.1, 55.7),
                                      ("g2", DEMO, 49.1, 55.7)]), 3),
    ("id_too_long", csv_text([("g1", "г. Казань, ул. Плохая-{t}, д. 1", 49.1, 55.7),
                              ("x" * 64, "г. Казань, ул. Плохая-{t}, д. 2", 49.1, 55.7)]), 3),
    ("address_too_long", csv_text([("g1", "г. Казань, ул. Плохая-{t}, д. 1", 49.1, 55.7),
                                   ("g2", "ж" * 501, 49.1, 55.7)]), 3),
    ("unclosed_quote", 'id,address,lon,lat\n"g1","г. Казань, ул. Плохая-{t}, д. 1",49.1,55.7\n'
                       '"g2","г. Казань, ул. Плохая-{t}\n', 3),
    ("stray_quote", 'id,address,lon,lat\ng1,г. Казань ул. Плохая-{t} д. 1,49.1,55.7\n'
                    'g2,г. Казань "ул" Плохая-{t} д. 2,49.1,55.7\n', 3),
    ("too_few_fields", 'id,address,lon,lat\ng1,г. Казань ул. Плохая-{t} д. 1,49.1,55.7\n'
                       'g2,г. Казань ул. Плохая-{t} д. 2,49.1\n', 3),
    ("multi_line_record_counts_from_its_start",
     'id,address,lon,lat\n"g1","г. Казань,\nул. Плохая-{t}, д. 1",49.1,55.7\n', 2),
    ("bad_header", "guid,address,x,y\ng1,г. Казань ул. Плохая-{t} д. 1,49.1,55.7\n", 1),
])
def test_a_bad_csv_row_is_named_by_line_and_nothing_is_loaded(srv, name, text, line):
    tag = new_tag()
    p = kengash_import(srv, "%s-%s.csv" % (name, tag), text.replace("{t}", tag))
    err = p.stderr.decode()
    assert p.returncode == 1, (name, err)
    assert ": line %d: " % line in err and "nothing was imported" in err, (name, err)
    assert search(srv, "Плохая-%s" % tag) == [], name


def test_csv_that_is_not_utf8_is_refused(srv):
    text = csv_text([("n1", "г. Казань, ул. Однобайтная, д. 1", 49.1, 55.7)]).encode("cp1251")
    p = kengash_import(srv, "cp1251-%s.csv" % new_tag(), text, binary=True)
    assert p.returncode == 1 and b"line 2: address" in p.stderr, p.stderr
    assert search(srv, "Однобайтная 1") == []


def test_csv_chosen_by_content_without_the_extension(srv):
    tag = new_tag()
    p = kengash_import(srv, "register-%s.txt" % tag,
                       csv_text([("c1", "г. Казань, ул. Безрасширенная-%s, д. 9" % tag, 49.1, 55.7)]))
    assert p.returncode == 0, p.stderr.decode()
    assert first(srv, "Безрасширенная-%s 9" % tag) == "г. Казань, ул. Безрасширенная-%s, д. 9" % tag


def osm_point(lon, lat, tags, fid=None):
    f = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": tags}
    if fid is not None:
        f["id"] = fid
    return f


def test_osm_points_with_addr_tags_are_composed_in_the_register_style(srv):
    tag = new_tag()
    fc = {"type": "FeatureCollection", "features": [
        osm_point(49.12, 55.79, {"addr:city": "Казань", "addr:street": "Осмская-%s улица" % tag,
                                 "addr:housenumber": "7к2", "addr:postcode": "420111",
                                 "@id": "node/%s1" % tag}),
        osm_point(49.13, 55.79, {"addr:city": "Казань", "addr:street": "переулок Осмский-%s" % tag,
                                 "addr:housenumber": "3"}, fid="node/%s2" % tag),
        osm_point(49.14, 55.79, {"addr:city": "Казань", "addr:street": "проспект Осмский-%s" % tag,
                                 "addr:housenumber": "10", "building": "yes"}),
    ]}
    p = kengash_import(srv, "osm-%s.geojson" % tag, json.dumps(fc, ensure_ascii=False))
    assert p.returncode == 0, p.stderr.decode()
    assert first(srv, "Осмская-%s 7 корп 2" % tag) == "г. Казань, ул. Осмская-%s, д. 7к2" % tag
    assert first(srv, "пер Осмский-%s 3" % tag) == "г. Казань, пер. Осмский-%s, д. 3" % tag
    assert first(srv, "пр-т Осмский-%s 10" % tag) == "г. Казань, проспект Осмский-%s, д. 10" % tag
    with srv.sql() as db:
        ids = {r[0] for r in db.rows("SELECT ext_id FROM address_registry WHERE address LIKE ?",
                                     ("%%Осмск%%-%s%%" % tag,))}
    # "@id" from overpass, else the feature's id
    assert ids == {"node/%s1" % tag, "node/%s2" % tag, None}, ids


def test_osm_point_without_a_house_number_is_refused_by_index(srv):
    tag = new_tag()
    fc = {"type": "FeatureCollection", "features": [
        osm_point(49.12, 55.79, {"addr:city": "Казань", "addr:street": "улица Неполная-%s" % tag,
                                 "addr:housenumber": "1"}),
        osm_point(49.13, 55.79, {"addr:city": "Казань", "addr:street": "улица Неполная-%s" % tag}),
    ]}
    p = kengash_import(srv, "osm-bad-%s.geojson" % tag, json.dumps(fc, ensure_ascii=False))
    err = p.stderr.decode()
    assert p.returncode == 1 and "feature 1: properties.addr:housenumber" in err, err
    assert search(srv, "Неполная-%s" % tag) == []


def test_geojson_address_keeps_ext_id_and_district_and_refuses_a_long_district(srv):
    tag = new_tag()
    fc = {"type": "FeatureCollection", "features": [
        osm_point(49.15, 55.79, {"address": "г. Казань, ул. Идентичная-%s, д. 1" % tag,
                                 "district": "Вахитовский район", "ext_id": "gar-%s" % tag}),
    ]}
    p = kengash_import(srv, "ext-%s.geojson" % tag, json.dumps(fc, ensure_ascii=False))
    assert p.returncode == 0, p.stderr.decode()
    item = search(srv, "Идентичная-%s 1" % tag)[0]
    assert item["district"] == "Вахитовский район", item
    with srv.sql() as db:
        ext = db.rows("SELECT ext_id FROM address_registry WHERE id = ?", (item["id"],))
    assert ext == [("gar-%s" % tag,)]
    fc["features"][0]["properties"].update(address="г. Казань, ул. Идентичная-%s, д. 2" % tag,
                                           district="р" * 121, ext_id="gar2-%s" % tag)
    p = kengash_import(srv, "ext2-%s.geojson" % tag, json.dumps(fc, ensure_ascii=False))
    err = p.stderr.decode()
    assert p.returncode == 1 and "feature 0: properties.district" in err, err

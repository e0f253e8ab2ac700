"""The base map: tiles served from an MBTiles file (--tiles-mbtiles) made
here with GDAL from the demo geodata, a tile server's URL (--tiles), the
pages' map configuration and the Content-Security-Policy that follows it."""
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile

import pytest

from conftest import BIN, PG, ROOT, Server, problem

GEOJSON = os.path.join(ROOT, "geodata", "kazan_districts_osm.geojson")
TILE_URL = "https://tiles.example.org:8443/osm/{z}/{x}/{y}.png"


def make_mbtiles(path):
    """A small raster MBTiles (zoom 9 to 11 around Kazan): the districts
    burnt into a GeoTIFF, converted by GDAL, with overviews."""
    tif = path + ".tif"
    subprocess.run(["gdal_rasterize", "-q", "-burn", "200", "-burn", "120", "-burn", "40",
                    "-ot", "Byte", "-of", "GTiff", "-a_srs", "EPSG:3857", "-ts", "512", "512",
                    "-te", "5440000", "7500000", "5490000", "7550000", "-init", "255",
                    GEOJSON, tif], check=True, capture_output=True, timeout=120)
    subprocess.run(["gdal_translate", "-q", "-of", "MBTiles", "-co", "TILE_FORMAT=PNG", tif, path],
                   check=True, capture_output=True, timeout=120)
    subprocess.run(["gdaladdo", "-q", path, "2", "4"], check=True, capture_output=True, timeout=120)
    os.unlink(tif)


@pytest.fixture(scope="module")
def tmpdir_tiles():
    d = tempfile.mkdtemp(prefix="kengash-tiles-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def mbtiles(tmpdir_tiles):
    if not shutil.which("gdal_translate"):
        pytest.skip("gdal-bin is not installed (scripts/deps test installs it)")
    path = os.path.join(tmpdir_tiles, "kazan.mbtiles")
    make_mbtiles(path)
    return path


def file_tiles(path):
    """{(z, x, tms_row): bytes} and the metadata, read with sqlite3 (an
    MBTiles file is an SQLite file of its own, whatever the store)."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    tiles = {(z, x, y): bytes(d) for z, x, y, d in
             db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")}
    meta = dict(db.execute("SELECT name, value FROM metadata"))
    db.close()
    return tiles, meta


def start(tmpdir, args):
    s = Server(tempfile.mkdtemp(prefix="srv-", dir=tmpdir), args)
    s.start()
    return s


@pytest.fixture(scope="module")
def tile_server(tmpdir_tiles, mbtiles):
    s = start(tmpdir_tiles, ["--tiles-mbtiles", mbtiles])
    yield s
    s.stop_clean()


def img_src(r):
    csp = r.header("Content-Security-Policy")
    assert csp, r.headers
    m = re.search(r"img-src ([^;]*)", csp)
    return m.group(1).split()


def test_mbtiles_tiles_are_the_files_bytes_with_the_row_flipped(tile_server, mbtiles):
    tiles, _meta = file_tiles(mbtiles)
    c = tile_server.client()
    seen = 0
    for (z, x, row), data in sorted(tiles.items()):
        y = (1 << z) - 1 - row  # XYZ (Leaflet) counts rows from the north
        r = c.get("/tiles/%d/%d/%d.png" % (z, x, y))
        assert r.status == 200, (z, x, y, r)
        assert r.body == data, (z, x, y)
        assert r.header("Content-Type") == "image/png"
        assert r.header("Cache-Control") == "public, max-age=86400"
        assert re.fullmatch(r'"[0-9a-f]{32}"', r.header("ETag")), r.header("ETag")
        seen += 1
    assert seen == len(tiles) > 4
    # the unflipped row is another tile (or none): the flip is really done
    z, x, row = next(k for k in sorted(tiles) if (k[0], k[1], (1 << k[0]) - 1 - k[2]) not in tiles)
    r = c.get("/tiles/%d/%d/%d.png" % (z, x, row))
    problem(r, 404)


def test_an_unchanged_tile_is_answered_304(tile_server, mbtiles):
    tiles, _ = file_tiles(mbtiles)
    z, x, row = sorted(tiles)[0]
    path = "/tiles/%d/%d/%d.png" % (z, x, (1 << z) - 1 - row)
    c = tile_server.client()
    etag = c.get(path).header("ETag")
    r = c.get(path, headers={"If-None-Match": etag})
    assert r.status == 304 and r.body == b"", r
    assert r.header("ETag") == etag
    r = c.get(path, headers={"If-None-Match": '"0000"'})
    assert r.status == 200 and r.body == tiles[(z, x, row)]


def test_a_missing_tile_is_404(tile_server):
    c = tile_server.client()
    problem(c.get("/tiles/0/0/0.png"), 404)  # below the file's minzoom
    problem(c.get("/tiles/11/0/0.png"), 404)  # far from Kazan
    r = c.req("HEAD", "/tiles/11/0/0.png")
    assert r.status == 404


@pytest.mark.parametrize("path,field", [
    ("/tiles/-1/0/0.png", "z"),
    ("/tiles/31/0/0.png", "z"),
    ("/tiles/a/0/0.png", "z"),
    ("/tiles/1e1/0/0.png", "z"),
    ("/tiles/99999999999999999999/0/0.png", "z"),
    ("/tiles/1/2/0.png", "x"),
    ("/tiles/1/-1/0.png", "x"),
    ("/tiles/1/+1/0.png", "x"),
    ("/tiles/30/99999999999/0.png", "x"),
    ("/tiles/1/0/2.png", "y"),
    ("/tiles/1/0/x.png", "y"),
    ("/tiles/1/0/.png", "y"),
    ("/tiles/1/0/0", "y"),
    ("/tiles/1/0/0.png.png", "y"),
    ("/tiles/1/0/0%00.png", "y"),
    ("/tiles/1/0/0.jpg", "format"),
    ("/tiles/1/0/0.PNG", "format"),
    ("/tiles/1/0/0.", "format"),
])
def test_a_bad_tile_address_is_400_naming_the_field(tile_server, path, field):
    problem(tile_server.client().get(path), 400, field)


def test_the_server_survives_bad_tile_addresses(tile_server):
    assert tile_server.client().get("/healthz").status == 200


def test_map_config_passes_the_files_metadata(tile_server, mbtiles):
    _, meta = file_tiles(mbtiles)
    r = tile_server.client().get("/api/v1/map-config")
    assert r.status == 200, r
    t = r.json["tiles"]
    assert t["source"] == "mbtiles"
    assert t["url"] == "/tiles/{z}/{x}/{y}.png"
    assert t["min_zoom"] == int(meta["minzoom"]) and t["max_zoom"] == int(meta["maxzoom"])
    want = [float(v) for v in meta["bounds"].split(",")]
    assert t["bounds"] == pytest.approx(want)
    assert t["attribution"] == meta.get("attribution", "")


def test_with_mbtiles_the_csp_allows_images_from_the_site_only(tile_server):
    r = tile_server.client().get("/")
    assert r.status == 200
    assert img_src(r) == ["'self'", "data:"]


def test_without_tiles_there_is_no_base_map_and_no_extra_origin(server):
    c = server.client()
    r = c.get("/api/v1/map-config")
    assert r.status == 200 and r.json == {"tiles": None}
    assert img_src(c.get("/")) == ["'self'", "data:"]
    problem(c.get("/tiles/0/0/0.png"), 404)


def test_with_a_tile_server_the_csp_names_only_its_origin(tmpdir_tiles):
    s = start(tmpdir_tiles, ["--tiles", TILE_URL, "--tiles-attribution",
                             "© OpenStreetMap contributors", "--tiles-max-zoom", "18"])
    try:
        c = s.client()
        r = c.get("/api/v1/map-config")
        assert r.json["tiles"] == {"source": "url", "url": TILE_URL,
                                   "attribution": "© OpenStreetMap contributors",
                                   "min_zoom": 0, "max_zoom": 18, "bounds": None}
        for page in ("/", "/discussion.html"):
            assert img_src(c.get(page)) == ["'self'", "data:", "https://tiles.example.org:8443"]
        problem(c.get("/tiles/0/0/0.png"), 404)  # nothing served here
    finally:
        s.stop_clean()


def serve_fails(tmpdir, args):
    """Runs serve with args; it must refuse to start: exit 2, a message."""
    s = Server(tempfile.mkdtemp(prefix="bad-", dir=tmpdir))   # a database of the engine under test
    p = subprocess.run([BIN, "serve", "--listen", "127.0.0.1:0", "--db", s.db,
                        "--files", s.files, "--web", os.path.join(ROOT, "web")]
                       + (["--holder-key-file", s.holder_key] if PG else []) + args,
                       capture_output=True, timeout=60)
    err = p.stderr.decode(errors="replace")
    assert p.returncode == 2, (p.returncode, err[-3000:])
    assert b"serving on port" not in p.stdout
    assert "AddressSanitizer" not in err and "runtime error:" not in err, err[-5000:]
    return err


def test_a_missing_mbtiles_file_is_refused_at_start_up(tmpdir_tiles):
    err = serve_fails(tmpdir_tiles, ["--tiles-mbtiles", os.path.join(tmpdir_tiles, "nope.mbtiles")])
    assert "cannot read the MBTiles file" in err and "nope.mbtiles" in err, err


def test_a_truncated_mbtiles_file_is_refused_at_start_up(tmpdir_tiles, mbtiles):
    cut = os.path.join(tmpdir_tiles, "cut.mbtiles")
    with open(mbtiles, "rb") as f:
        data = f.read()
    with open(cut, "wb") as f:
        f.write(data[:len(data) // 2])
    err = serve_fails(tmpdir_tiles, ["--tiles-mbtiles", cut])
    assert "truncated" in err, err


def test_a_damaged_mbtiles_file_is_refused_at_start_up(tmpdir_tiles, mbtiles):
    bad = os.path.join(tmpdir_tiles, "bad.mbtiles")
    with open(mbtiles, "rb") as f:
        data = bytearray(f.read())
    # the header stays, the pages after the first are noise
    for i in range(4096, len(data)):
        data[i] = (i * 7919) & 0xFF
    with open(bad, "wb") as f:
        f.write(data)
    err = serve_fails(tmpdir_tiles, ["--tiles-mbtiles", bad])
    assert "bad.mbtiles" in err, err


@pytest.mark.parametrize("content,words", [
    (b"", "not an MBTiles file"),
    (b"hello, tiles" * 100, "not an MBTiles file"),
])
def test_a_file_that_is_not_sqlite_is_refused(tmpdir_tiles, content, words):
    path = os.path.join(tmpdir_tiles, "junk-%d.mbtiles" % len(content))
    with open(path, "wb") as f:
        f.write(content)
    assert words in serve_fails(tmpdir_tiles, ["--tiles-mbtiles", path])


def test_a_sqlite_file_without_the_tiles_tables_is_refused(tmpdir_tiles):
    path = os.path.join(tmpdir_tiles, "other.sqlite")
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t(a)")
    db.commit()
    db.close()
    err = serve_fails(tmpdir_tiles, ["--tiles-mbtiles", path])
    assert "tables tiles and metadata" in err, err


def test_vector_tiles_are_refused(tmpdir_tiles):
    path = os.path.join(tmpdir_tiles, "vector.mbtiles")
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata(name text, value text)")
    db.execute("CREATE TABLE tiles(zoom_level int, tile_column int, tile_row int, tile_data blob)")
    db.execute("INSERT INTO metadata VALUES ('format', 'pbf')")
    db.execute("INSERT INTO tiles VALUES (0, 0, 0, x'1f8b')")
    db.commit()
    db.close()
    assert "only raster png, jpg or webp" in serve_fails(tmpdir_tiles, ["--tiles-mbtiles", path])


@pytest.mark.parametrize("args", [
    ["--tiles", "https://{s}.tile.example.org/{z}/{x}/{y}.png"],
    ["--tiles", "https://tile.example.org/{z}/{x}.png"],
    ["--tiles", "ftp://tile.example.org/{z}/{x}/{y}.png"],
    ["--tiles", "https://tile.example.org;img-src */{z}/{x}/{y}.png"],
    ["--tiles", "https://tile.example.org https://evil.example/{z}/{x}/{y}.png"],
    ["--tiles", "https:///{z}/{x}/{y}.png"],
    ["--tiles", TILE_URL, "--tiles-max-zoom", "31"],
    ["--tiles", TILE_URL, "--tiles-max-zoom", "x"],
    ["--tiles", TILE_URL, "--tiles-mbtiles", "/dev/null"],
    ["--tiles-max-zoom", "12"],
])
def test_bad_tile_options_are_refused(tmpdir_tiles, args):
    assert "--tiles" in serve_fails(tmpdir_tiles, args)

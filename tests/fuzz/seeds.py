#!/usr/bin/env python3
"""tests/fuzz/seeds.py: writes the fuzz targets' seed corpora
(tests/fuzz/corpus/<target>/) from inputs the unit and API tests use: the
import test's files, the address and geometry tests' literals, and the
query strings, headers and bodies of tests/api. Run it again after adding
tests; files are named by content, so it only adds."""
import hashlib
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def c_strings(text):
    """The double-quoted C string literals in text, unescaped."""
    out = []
    for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', text):
        out.append(m.group(1).replace('\\"', '"').replace("\\\\", "\\"))
    return out


# import: the heredocs of tests/unit/test_cli_import.sh (layer byte first: 0
# addresses, 1 parcels, 2 territories; +4 for EPSG:32639) and CSVs shaped
# as tests/api/test_addresses.py writes them
sh = read("tests/unit/test_cli_import.sh")
for name, body in re.findall(r'cat >"\$TMP/([a-z_]+)\.geojson" <<\'EOF\'\n(.*?)\nEOF', sh, re.S):
    layer = 0 if name.startswith("addr") else 1 if name.startswith("parcels") else 2
    if name.endswith("utm"):
        layer += 4
    put("import", bytes([layer]) + body.encode())
put("import", b"\x00id,address,lon,lat,district\n1,\"\xd0\xb3. \xd0\x9a\xd0\xb0\xd0\xb7\xd0\xb0"
    b"\xd0\xbd\xd1\x8c, \xd1\x83\xd0\xbb. \xd0\x91\xd0\xb0\xd1\x83\xd0\xbc\xd0\xb0\xd0\xbd\xd0"
    b"\xb0, \xd0\xb4. 19\",49.1185,55.7892,\n2,\"a \"\"b\"\"\",49.12,55.78,x\n")
put("import", b"\x04\xef\xbb\xbfaddress;lon;lat\nx;382000;6184000\n")

# address: the normaliser's cases in tests/unit/test_store_addresses.c
for z in c_strings(read("tests/unit/test_store_addresses.c")):
    if re.search(r"[\u0400-\u04ff]", z):
        put("address", z)

# geojson: geometry literals of tests/unit/test_geo.c (CRS byte first)
for i, z in enumerate(c_strings(read("tests/unit/test_geo.c"))):
    if z.startswith("{") and "%" not in z:
        put("geojson", bytes([i % 8]) + z.encode())
put("geojson", b'\x02{"type":"Polygon","coordinates":[[[382000,6184000],[382040,6184000],'
    b'[382040,6184030],[382000,6184030],[382000,6184000]]]}')
put("geojson", b'\x07{"type":"LineString","coordinates":[[1300000,480000],[1300100,480100]]}')

# json: bodies the API tests send
for body in ['{"title":"Project","body":"text","kind":"proposal"}',
             '{"title":"x","opens_at":"2026-12-01T09:00:00Z"}',
             '{"title":"a","title":"b"}', '[1,2]', '{"email":"a@example.org","x":1}',
             '{"title":"\\u0000"}', '{"body":"' + "я" * 300 + '"}', '{"opens_at":"yesterday"}']:
    put("json", body)

# query: the OGC and paging parameters tests/api use
api = "\n".join(read(os.path.join("tests/api", f)) for f in sorted(os.listdir(
    os.path.join(ROOT, "tests/api"))) if f.endswith(".py"))
for name in ("bbox", "datetime", "limit", "offset", "crs", "bbox-crs", "f", "cursor"):
    for v in sorted(set(re.findall(re.escape(name) + r"=([^\"&' )]+)", api)))[:12]:
        put("query", "%s=%s" % (name, v))
put("query", "bbox=5510000,1250000,5520000,1260000\nbbox-crs=http://www.opengis.net/def/crs/"
    "EPSG/0/32639\ncrs=http://127.0.0.1:8080/ogc/crs/msk16-1\nlimit=10\ncursor=YwAAAAAAAAAK")
put("query", "datetime=2026-01-01T00:00:00Z/..\nf=html\noffset=5")

# http: method, path, Range, If-None-Match, Content-Type, Host, X-Request-Id, size
for rng in sorted(set(re.findall(r'"Range": *"([^"]+)"', api))) + ["bytes=0-0,5-6", "bytes=5-"]:
    put("http", "GET\n/api/v1/documents/1/file\n%s\n\"3e8-17a\"\n\n127.0.0.1\nabc\n1000" % rng)
for path in sorted(set(re.findall(r'"(/(?:api/v1|ogc)/[^"?{ ]*)"', api)))[:40]:
    put("http", "GET\n%s\n\n*\napplication/json\nhost\n\n0" % path)
put("http", "POST\n/api/v1/projects/12/documents\n\nW/\"x\"\nApplication/JSON ; charset=utf-8\n"
    "\nreq.id-1\n5")
put("http", "GET\n/../etc/passwd\nbytes=--1\n\ntext/plain\n\n\n18446744073709551615")

# disposition: the upload tests' headers
for v in ["attachment; filename*=UTF-8''%D0%BF%D0%BB%D0%B0%D0%BD.pdf", 'attachment; filename="a.pdf"',
          'attachment; filename="r.pdf"', "attachment; filename=plain.pdf; size=3",
          'attachment; filename="..\\\\x"', "attachment; filename*=UTF-8''%2e%2e",
          'form-data; name="f"; filename="a\\"b.pdf"']:
    put("disposition", v)

# config: the README's example file and the option kinds
put("config", "# Kengash\nlisten = 127.0.0.1:8080\ndb = /var/lib/kengash/kengash.sqlite\n"
    "base-url = https://kengash.example.org\nthreads = 4\nmax-upload = 52428800\n"
    "per-ip = 64\nlog-level = info\n; comment\nunknown-key = kept for others\n")
put("config", "timeout = 99999999999999999999\nthreads = -1\n")
put("config", "listen\n")

# accept_encoding: the negotiation table of tests/unit/test_http_compress.c
# and the headers of tests/api/test_compression.py
unit = read("tests/unit/test_http_compress.c")
for v in sorted(set(re.findall(r'^ +\{"([^"]*)", (?:ALL|1u)', unit, re.M))):
    put("accept_encoding", v)
for v in sorted(set(re.findall(r'\("([^"]*)", (?:None|"(?:br|gzip)")\)', read("tests/api/test_compression.py")))):
    put("accept_encoding", v)
put("accept_encoding", "gzip, deflate, br, zstd")

"""Response compression: Accept-Encoding negotiation (q-values, identity,
"*", br preferred), Content-Encoding with a Content-Length of the
compressed bytes, Vary on every response that may be compressed, ETags per
encoding with 304 for the right variant, the response cache's compressed
hits, static assets compressed once, small bodies and streams left alone,
malformed or huge headers falling back to identity, and the home page's
transfer budget (80 KB with br, gzip)."""
import gzip
import http.client
import os
import re
import time

import brotli

from conftest import ROOT
from test_comments import discussion

WEB = os.path.join(ROOT, "web")
BUDGET = 80 * 1024


def fetch(server, path, ae=None, method="GET", headers=None):
    """A request with exactly the Accept-Encoding given (None: no header)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest(method, path, skip_accept_encoding=True)
    h = dict(headers or {})
    if ae is not None:
        h["Accept-Encoding"] = ae
    for k, v in h.items():
        conn.putheader(k, v)
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    hdrs = {k.lower(): v for k, v in resp.getheaders()}
    conn.close()
    return resp.status, hdrs, body


def decode(hdrs, body):
    enc = hdrs.get("content-encoding")
    if enc == "br":
        return brotli.decompress(body)
    if enc == "gzip":
        return gzip.decompress(body)
    assert enc is None, hdrs
    return body


def web_file(path):
    with open(os.path.join(WEB, path.lstrip("/")), "rb") as f:
        return f.read()


def static_br(server, path):
    """GETs path with br, gzip until the background thread has made its
    Brotli variant (gzip is sent until then); returns (headers, body)."""
    for _ in range(500):
        status, hdrs, body = fetch(server, path, "br, gzip")
        assert status == 200, (path, status)
        if hdrs.get("content-encoding") in ("br", None):
            return hdrs, body
        assert hdrs["content-encoding"] == "gzip"
        time.sleep(0.05)
    raise AssertionError("no Brotli variant of %s" % path)


# ---- the home page's transfer ----

def home_assets():
    """The home page and every asset it loads: scripts and stylesheets of
    the HTML, the modules they import (statically, and the dictionary
    i18n.js imports for the default language, ru), recursively."""
    seen = ["/"]

    def add(p):
        if p in seen:
            return
        seen.append(p)
        if p.endswith(".js"):
            src = web_file(p).decode()
            deps = re.findall(r"""(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?['"]([^'"]+)['"]""", src)
            deps += [d.replace("${lang}", "ru") for d in re.findall(r"import\(`([^`]+)`\)", src)]
            for d in deps:
                add(os.path.normpath(os.path.join(os.path.dirname(p), d)))

    html = web_file("/index.html").decode()
    for src in re.findall(r'<script[^>]*\ssrc="([^"]+)"', html):
        add(src)
    for href in re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html):
        add(href)
    return seen


def test_home_page_transfer_is_within_80_kb(server):
    assets = home_assets()
    assert "/js/i18n/ru.js" in assets and "/vendor/leaflet/leaflet.js" in assets, assets
    plain = compressed = 0
    rows = []
    for p in assets:
        status, hdrs, body = fetch(server, p, None)
        assert status == 200 and "content-encoding" not in hdrs, p
        hb, bb = static_br(server, p)
        assert decode(hb, bb) == body, p
        plain += len(body)
        compressed += len(bb)
        rows.append("%-28s %7d %7d %s" % (p, len(body), len(bb), hb.get("content-encoding", "-")))
    print("\n".join(rows + ["total %d -> %d bytes" % (plain, compressed)]))
    assert plain > BUDGET  # the check means something: uncompressed it is over
    assert compressed <= BUDGET, "\n".join(rows)


# ---- negotiation ----

LEAFLET = "/vendor/leaflet/leaflet.js"


def test_each_encoding_round_trips_to_identical_bytes(server):
    want = web_file(LEAFLET)
    status, hdrs, body = fetch(server, LEAFLET, "gzip")
    assert status == 200 and hdrs["content-encoding"] == "gzip"
    assert int(hdrs["content-length"]) == len(body) < len(want) // 3
    assert gzip.decompress(body) == want
    hdrs, body = static_br(server, LEAFLET)
    assert hdrs["content-encoding"] == "br" and brotli.decompress(body) == want
    assert int(hdrs["content-length"]) == len(body)


def test_q_values_identity_and_star(server):
    static_br(server, LEAFLET)  # both variants ready
    cases = [
        (None, None), ("identity", None), ("", None), ("deflate", None),
        ("gzip", "gzip"), ("br", "br"), ("gzip, br", "br"), ("br;q=0, gzip", "gzip"),
        ("br;q=0.5, gzip;q=0.8", "gzip"), ("br;q=0, gzip;q=0", None), ("*", "br"),
        ("*;q=0.3, br;q=0", "gzip"), ("*;q=0", None), ("identity;q=1, gzip;q=0.5", None),
        ("GZIP", "gzip"), ("x-gzip", "gzip"),
    ]
    for ae, enc in cases:
        status, hdrs, body = fetch(server, LEAFLET, ae)
        assert status == 200, ae
        assert hdrs.get("content-encoding") == enc, (ae, hdrs)
        assert hdrs["vary"] == "Accept-Encoding", ae
        assert decode(hdrs, body) == web_file(LEAFLET), ae


def test_malformed_or_huge_accept_encoding_falls_back_to_identity(server):
    for ae in ["gzip;q=2", "br;q=0.5x", "gzip;level=9", "g zip", "br;", "br" + " " * 300,
               ",".join(["br"] * 40), "gzip;q=" + "1" * 5000, "\x7f\x01br"]:
        status, hdrs, body = fetch(server, LEAFLET, ae)
        assert status == 200 and "content-encoding" not in hdrs, ae
        assert body == web_file(LEAFLET)
        status, hdrs, body = fetch(server, "/api/v1/discussions?limit=100", ae)
        assert status == 200 and "content-encoding" not in hdrs, ae
    assert fetch(server, "/healthz")[0] == 200  # alive


# ---- ETags, 304, HEAD, Range ----

def test_etags_differ_per_encoding_and_304_matches_the_variant(server):
    _, hi, _ = fetch(server, LEAFLET, None)
    _, hg, _ = fetch(server, LEAFLET, "gzip")
    hb, _ = static_br(server, LEAFLET)
    ei, eg, eb = hi["etag"], hg["etag"], hb["etag"]
    assert eg == ei[:-1] + '-gz"' and eb == ei[:-1] + '-br"'
    status, hdrs, body = fetch(server, LEAFLET, "br, gzip", headers={"If-None-Match": eb})
    assert status == 304 and body == b"" and hdrs["etag"] == eb and hdrs["vary"] == "Accept-Encoding"
    status, hdrs, _ = fetch(server, LEAFLET, "gzip", headers={"If-None-Match": eg})
    assert status == 304 and hdrs["etag"] == eg
    # a gzip copy does not validate what a br request gets, nor br for gzip
    status, hdrs, body = fetch(server, LEAFLET, "br", headers={"If-None-Match": eg})
    assert status == 200 and hdrs["etag"] == eb and hdrs["content-encoding"] == "br"
    status, hdrs, _ = fetch(server, LEAFLET, "gzip", headers={"If-None-Match": eb})
    assert status == 200 and hdrs["etag"] == eg
    status, hdrs, _ = fetch(server, LEAFLET, None, headers={"If-None-Match": eb})
    assert status == 200 and hdrs["etag"] == ei and "content-encoding" not in hdrs


def test_head_has_the_compressed_content_length(server):
    hb, bb = static_br(server, LEAFLET)
    status, hdrs, body = fetch(server, LEAFLET, "br, gzip", method="HEAD")
    assert status == 200 and body == b""
    assert hdrs["content-encoding"] == "br" and int(hdrs["content-length"]) == len(bb)
    status, hdrs, _ = fetch(server, LEAFLET, None, method="HEAD")
    assert int(hdrs["content-length"]) == len(web_file(LEAFLET)) and "content-encoding" not in hdrs


def test_range_on_a_compressible_asset_is_of_the_identity_bytes(server):
    status, hdrs, body = fetch(server, LEAFLET, "br, gzip", headers={"Range": "bytes=100-199"})
    assert status == 206 and "content-encoding" not in hdrs
    assert body == web_file(LEAFLET)[100:200] and hdrs["vary"] == "Accept-Encoding"


def test_small_and_already_compressed_files_are_sent_as_they_are(server):
    small = "/js/news-home.js"
    assert len(web_file(small)) < 1024
    status, hdrs, body = fetch(server, small, "br, gzip")
    assert status == 200 and "content-encoding" not in hdrs and body == web_file(small)
    assert hdrs["vary"] == "Accept-Encoding"
    pngs = [f for f in os.listdir(os.path.join(WEB, "vendor/leaflet/images")) if f.endswith(".png")]
    status, hdrs, body = fetch(server, "/vendor/leaflet/images/" + pngs[0], "br, gzip")
    assert status == 200 and "content-encoding" not in hdrs and "vary" not in hdrs


# ---- API bodies ----

def test_cached_json_hits_send_identical_compressed_bytes(server, mod):
    for _ in range(4):
        discussion(mod, status="announced")
    path = "/api/v1/discussions?limit=100"
    status, hi, plain = fetch(server, path, None)
    assert status == 200 and len(plain) > 1024 and hi["vary"] == "Accept-Encoding"
    for ae, enc in [("br, gzip", "br"), ("gzip", "gzip")]:
        s1, h1, b1 = fetch(server, path, ae)
        s2, h2, b2 = fetch(server, path, ae)
        assert s1 == s2 == 200 and h1["content-encoding"] == h2["content-encoding"] == enc
        assert b1 == b2 and int(h2["content-length"]) == len(b2) < len(plain)
        assert decode(h2, b2) == plain
        assert h1["etag"] == h2["etag"] == hi["etag"][:-1] + ("-br\"" if enc == "br" else "-gz\"")
        s3, h3, b3 = fetch(server, path, ae, headers={"If-None-Match": h1["etag"]})
        assert s3 == 304 and b3 == b"" and h3["etag"] == h1["etag"]
    # the identity copy still validates (it is the same content)
    s4, _, _ = fetch(server, path, None, headers={"If-None-Match": hi["etag"]})
    assert s4 == 304


def test_comment_geojson_is_compressed_and_ogc_streams_are_not(server, mod):
    d = discussion(mod)
    gj = "/api/v1/discussions/%d/comments.geojson" % d["id"]
    status, hi, plain = fetch(server, gj, None)
    assert status == 200 and hi["vary"] == "Accept-Encoding"
    status, hdrs, body = fetch(server, gj, "br, gzip")
    assert status == 200 and decode(hdrs, body) == plain
    # an empty collection is under 1 KB: sent as it is
    assert ("content-encoding" in hdrs) == (len(plain) >= 1024)
    status, hdrs, body = fetch(server, "/ogc/collections/comments/items?limit=5", "br, gzip")
    assert status == 200 and "content-encoding" not in hdrs


def test_uncached_json_over_1kb_is_compressed(server):
    status, hi, plain = fetch(server, "/ogc/api", None)
    assert status == 200 and len(plain) > 1024 and "content-encoding" not in hi
    assert hi["vary"] == "Accept-Encoding"
    status, hdrs, body = fetch(server, "/ogc/api", "gzip, br")
    assert status == 200 and hdrs["content-encoding"] == "br"
    assert int(hdrs["content-length"]) == len(body) and brotli.decompress(body) == plain


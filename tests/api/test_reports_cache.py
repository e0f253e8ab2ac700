"""Issued documents rendered once (issue 17): the printable page and the PDF
of an issued protocol or conclusion version are rendered on the first
request, kept in the files directory under their SHA-256, and served from
there with that SHA-256 as ETag, Content-Length and 304, like uploaded
documents. Concurrent first requests share one rendering (the metric
kengash_report_renders_total counts renderings); a reissued version is new
bytes; a kept file found damaged is rendered again. A participant's extract
is kept per state (what it shows); the participants' annex is rendered per
request and never kept."""
import hashlib
import os
import re
import tempfile
import threading
import uuid

import pytest

from conftest import MODERATOR, Server
from test_reports import move, scenario, url

TOKEN = "metrics-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def srv():
    s = Server(tempfile.mkdtemp(prefix="kengash-render-"), ["--metrics-token", TOKEN])
    s.user_add(MODERATOR, "moderator", "Тестовый Модератор")
    s.start()
    yield s
    s.stop_clean()


@pytest.fixture
def smod(srv):
    c = srv.client()
    c.login(MODERATOR)
    return c


def metric(srv, name):
    r = srv.client().raw("GET", "/metrics", headers={"Authorization": "Bearer " + TOKEN})
    assert r.status == 200, r
    m = re.search(r"^%s (\d+)$" % name, r.body.decode(), re.M)
    assert m, (name, r.body[:300])
    return int(m.group(1))


def renders(srv):
    return metric(srv, "kengash_report_renders_total")


def issued(srv, smod):
    """A discussion with its protocol issued; returns its id and the protocol's SHA-256."""
    did = scenario(srv, smod)[0]
    move(smod, did, "protocol")
    return did, srv.client().get(url(did, "/protocol")).json["sha256"]


def kept_path(srv, sha):
    return os.path.join(srv.files, sha[:2], sha)


@pytest.mark.parametrize("ext", [".pdf", ".html"])
def test_second_get_is_the_same_bytes_with_the_same_etag_and_length(srv, smod, ext):
    did, doc_sha = issued(srv, smod)
    anon = srv.client()
    n0 = renders(srv)
    first = anon.get(url(did, "/protocol" + ext))
    assert first.status == 200, first
    assert renders(srv) == n0 + 1
    second = anon.get(url(did, "/protocol" + ext))
    assert renders(srv) == n0 + 1
    sha = hashlib.sha256(first.body).hexdigest()
    for r in (first, second):
        assert r.status == 200 and r.body == first.body
        assert r.header("ETag") == '"%s"' % sha
        assert int(r.header("Content-Length")) == len(first.body)
        assert r.header("X-Content-SHA256") == doc_sha and r.header("X-Document-Version") == "1"
        assert r.header("Cache-Control") == "public, no-cache"
    # the kept file is those bytes, named by their SHA-256
    with open(kept_path(srv, sha), "rb") as f:
        assert f.read() == first.body
    # a numbered version is immutable
    v1 = anon.get(url(did, "/protocol%s?version=1" % ext))
    assert v1.body == first.body and v1.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert renders(srv) == n0 + 1
    # If-None-Match: 304 without a body; another tag: the bytes
    nm = anon.get(url(did, "/protocol" + ext), headers={"If-None-Match": '"%s"' % sha})
    assert nm.status == 304 and nm.body == b"" and nm.header("ETag") == '"%s"' % sha
    other = anon.get(url(did, "/protocol" + ext), headers={"If-None-Match": '"%s"' % doc_sha})
    assert other.status == 200 and other.body == first.body
    # a single range, like documents
    part = anon.get(url(did, "/protocol" + ext), headers={"Range": "bytes=0-9"})
    assert part.status == 206 and part.body == first.body[:10]
    if ext == ".pdf":
        assert first.body.startswith(b"%PDF-") and first.header("Content-Type") == "application/pdf"
    else:
        assert first.header("Content-Type").startswith("text/html")
        assert "default-src 'none'" in first.header("Content-Security-Policy")
        assert doc_sha in first.body.decode()


def test_a_reissued_version_is_rendered_anew_and_the_old_one_stays(srv, smod):
    did, _ = issued(srv, smod)
    anon = srv.client()
    old_pdf = anon.get(url(did, "/protocol.pdf"))
    old_html = anon.get(url(did, "/protocol.html"))
    r = smod.post(url(did, "/protocol/versions"), {"note": "Учтено письмо, поступившее по почте"})
    assert r.status in (200, 201), r
    n0 = renders(srv)
    new_pdf = anon.get(url(did, "/protocol.pdf"))
    new_html = anon.get(url(did, "/protocol.html"))
    assert renders(srv) == n0 + 2
    assert new_pdf.header("X-Document-Version") == "2"
    assert new_pdf.body != old_pdf.body and new_html.body != old_html.body
    assert new_pdf.header("ETag") != old_pdf.header("ETag")
    assert new_html.header("ETag") == '"%s"' % hashlib.sha256(new_html.body).hexdigest()
    # version 1 is still its own kept bytes
    assert anon.get(url(did, "/protocol.pdf?version=1")).body == old_pdf.body
    assert anon.get(url(did, "/protocol.html?version=1")).body == old_html.body
    assert renders(srv) == n0 + 2


@pytest.mark.parametrize("ext", [".pdf", ".html"])
def test_eight_concurrent_first_gets_share_one_rendering(srv, smod, ext):
    did, _ = issued(srv, smod)
    n0 = renders(srv)
    shared0 = metric(srv, "kengash_report_rendering_shared_total")
    hits0 = metric(srv, "kengash_report_rendering_hits_total")
    out = [None] * 8
    go = threading.Barrier(8)

    def get(i):
        c = srv.client()
        go.wait()
        out[i] = c.get(url(did, "/protocol" + ext))

    threads = [threading.Thread(target=get, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status == 200 for r in out), [r.status for r in out]
    assert len({r.body for r in out}) == 1 and len({r.header("ETag") for r in out}) == 1
    assert renders(srv) == n0 + 1
    # each of the other seven waited for that rendering or read its file
    assert (metric(srv, "kengash_report_rendering_shared_total") - shared0 +
            metric(srv, "kengash_report_rendering_hits_total") - hits0) == 7


def test_the_conclusion_is_kept_too(srv, smod):
    did, _, _, pa, pb, pc = scenario(srv, smod)
    move(smod, did, "protocol")
    for p in (pa, pb, pc):
        r = smod.put(url(did, "/conclusion/items/%d" % p["id"]),
                     {"recommendation": "take_into_account", "reasoning": "Соответствует нормам"})
        assert r.status == 200, r
    assert smod.put(url(did, "/conclusion"), {"findings": "Обсуждения состоялись"}).status == 200
    move(smod, did, "concluded")
    anon = srv.client()
    n0 = renders(srv)
    a = anon.get(url(did, "/conclusion.pdf"))
    b = anon.get(url(did, "/conclusion.pdf"))
    assert a.status == 200 and a.body == b.body and renders(srv) == n0 + 1
    assert a.header("ETag") == '"%s"' % hashlib.sha256(a.body).hexdigest()


def test_the_extract_is_kept_per_state_and_the_annex_never(srv, smod):
    did, a = scenario(srv, smod)[:2]
    move(smod, did, "protocol")
    n0 = renders(srv)
    ex = [a.get("/api/v1/me/extract.pdf?discussion=%d" % did) for _ in range(2)]
    assert all(r.status == 200 and r.body.startswith(b"%PDF-") for r in ex), ex
    assert ex[0].body == ex[1].body and renders(srv) == n0 + 1
    assert ex[0].header("ETag") == '"%s"' % hashlib.sha256(ex[0].body).hexdigest()
    assert ex[0].header("Cache-Control") == "private, no-store"
    # another participant (no entries) has an extract of her own
    other = srv.client()
    other.login(MODERATOR)
    mine = other.get("/api/v1/me/extract.pdf?discussion=%d" % did)
    assert mine.status == 200 and mine.body != ex[0].body and renders(srv) == n0 + 2
    # a new protocol version is a new state: rendered anew
    assert smod.post(url(did, "/protocol/versions"), {"note": "Исправлена опечатка"}).status in (200, 201)
    again = a.get("/api/v1/me/extract.pdf?discussion=%d" % did)
    assert again.status == 200 and again.body != ex[0].body and renders(srv) == n0 + 3
    # the participants' annex: rendered per request, never kept
    for _ in range(2):
        annex = smod.get(url(did, "/protocol/participants.html"))
        assert annex.status == 200 and annex.header("Cache-Control") == "private, no-store", annex
        assert annex.header("ETag") is None
        assert not os.path.exists(kept_path(srv, hashlib.sha256(annex.body).hexdigest()))
    assert renders(srv) == n0 + 5


def test_a_damaged_or_missing_kept_file_is_rendered_again(srv, smod):
    did, _ = issued(srv, smod)
    anon = srv.client()
    html = anon.get(url(did, "/protocol.html"))
    sha = hashlib.sha256(html.body).hexdigest()
    path = kept_path(srv, sha)
    # missing while serving: the size check finds it at once
    os.unlink(path)
    n0 = renders(srv)
    again = anon.get(url(did, "/protocol.html"))
    assert again.status == 200 and again.body == html.body and renders(srv) == n0 + 1
    assert os.path.exists(path)
    # damaged with the same size: found by the SHA-256 check on the first
    # use after a start
    with open(path, "r+b") as f:
        f.write(b"X" * 16)
    srv.stop_clean()
    srv.start()
    damaged0 = metric(srv, "kengash_report_rendering_damaged_total")
    assert damaged0 == 0 and renders(srv) == 0
    fixed = srv.client().get(url(did, "/protocol.html"))
    assert fixed.status == 200 and fixed.body == html.body, fixed
    assert renders(srv) == 1 and metric(srv, "kengash_report_rendering_damaged_total") == 1
    with open(path, "rb") as f:
        assert f.read() == html.body


def test_a_burst_of_first_requests_is_rendered_or_refused_with_retry_after(srv, smod):
    """18 different documents asked for at once: the render queue holds 8
    waiting renderings, so each answer is the document or a 503 with
    Retry-After (which of them depends on timing); asked again one by one,
    every one is served."""
    dids = [issued(srv, smod)[0] for _ in range(3)]
    paths = [url(did, "/protocol%s?lang=%s" % (ext, lang))
             for did in dids for ext in (".pdf", ".html") for lang in ("ru", "tt", "en")]
    refused0 = metric(srv, "kengash_report_render_refused_total")
    n0 = renders(srv)
    out = [None] * len(paths)
    go = threading.Barrier(len(paths))

    def get(i):
        c = srv.client()
        go.wait()
        out[i] = c.get(paths[i])

    threads = [threading.Thread(target=get, args=(i,)) for i in range(len(paths))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [i for i, r in enumerate(out) if r.status == 503]
    for i, r in enumerate(out):
        if r.status == 503:
            assert r.header("Retry-After") == "5" and r.json["code"] == "unavailable", r
            assert r.header("Cache-Control") != "public, no-cache"
        else:
            assert r.status == 200 and r.header("ETag") == '"%s"' % hashlib.sha256(r.body).hexdigest(), r
    assert metric(srv, "kengash_report_render_refused_total") - refused0 == len(refused)
    assert renders(srv) - n0 == len(paths) - len(refused)
    for i in refused:
        assert srv.client().get(paths[i]).status == 200
    assert renders(srv) - n0 == len(paths)
    assert metric(srv, "kengash_report_render_queue_depth") == 0

"""Tatar and English versions of the official documents (issue 20): the
protocol, the conclusion and the extract are Russian, the legal version, by
default and with ?lang=ru (the same bytes); ?lang=tt or ?lang=en on the
.html and .pdf routes gives a translation whose fixed labels come from
src/core/lang/<lang>/report.txt and which says under its title that the
Russian version is the official one, while the content (proposal texts,
reasons) stays as written. Each language is its own kept rendering."""
import hashlib
import os
import re
import shutil
import subprocess

import pytest

from conftest import problem
from test_reports import move, scenario, url

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def table(lang):
    """report.txt of lang as a dict (the embed script's format: key = text)."""
    out = {}
    with open(os.path.join(ROOT, "src", "core", "lang", lang, "report.txt"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                k, v = line.rstrip("\n").split(" = ", 1)
                out[k] = v
    return out


RU, TT, EN = table("ru"), table("tt"), table("en")
# labels of the protocol that no content of the scenario contains
PROTOCOL_LABELS = ["report.heading.notice", "report.heading.residents", "report.heading.others",
                   "report.col.regno", "report.col.channel", "report.col.body",
                   "report.protocol.date", "report.counts", "report.notice.where", "report.annex_note"]


def pdf_text(body, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(body)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


@pytest.fixture(scope="module")
def issued(server):
    c = server.client()
    from conftest import MODERATOR
    c.login(MODERATOR)
    did, a, b, pa, pb, pc = scenario(server, c)
    move(c, did, "protocol")
    return did, a, pa


def test_the_tatar_page_has_the_tatar_labels_and_says_it_is_a_translation(anon, issued):
    did, _, pa = issued
    r = anon.get(url(did, "/protocol.html?lang=tt"))
    assert r.status == 200 and r.header("Content-Language") == "tt", r
    html = r.body.decode()
    assert '<html lang="tt">' in html
    assert TT["report.title.protocol"] in html and TT["report.translation"] in html
    for key in PROTOCOL_LABELS:
        assert TT[key] in html, key
        assert RU[key] not in html, key
    assert RU["report.title.protocol"] not in html
    # the content stays as written; dates name the month in Tatar
    assert "&lt;во дворе&gt; &amp; сквер" in html and pa["registration_number"] in html
    assert re.search(r"\d{1,2} \w+, \d{4} ел", html)
    assert RU["report.kind.proposal"] not in html and TT["report.kind.proposal"] in html


def test_the_tatar_pdf_reads_back_in_tatar(anon, issued, tmp_path):
    did = issued[0]
    r = anon.get(url(did, "/protocol.pdf?lang=tt"))
    assert r.status == 200 and r.body.startswith(b"%PDF-") and r.header("Content-Language") == "tt", r
    flat = pdf_text(r.body, tmp_path)
    for text in [TT["report.title.protocol"], TT["report.translation"], TT["report.heading.notice"],
                 TT["report.col.regno"], "бит 1 / 1"]:
        assert text in flat, (text, flat[:1500])
    for key in ["report.heading.notice", "report.col.regno", "report.protocol.date"]:
        assert RU[key] not in flat, key
    assert "стр. 1 из" not in flat and "Протокол общественных обсуждений" not in flat


def test_english_is_there_too(anon, issued, tmp_path):
    did = issued[0]
    html = anon.get(url(did, "/protocol.html?lang=en")).body.decode()
    assert '<html lang="en">' in html and EN["report.title.protocol"] in html
    assert EN["report.translation"] in html and RU["report.heading.notice"] not in html
    flat = pdf_text(anon.get(url(did, "/protocol.pdf?lang=en")).body, tmp_path)
    assert EN["report.heading.notice"] in flat and "page 1 of 1" in flat


def test_russian_is_the_default_and_the_same_bytes_with_lang_ru(anon, issued):
    did = issued[0]
    for ext in (".html", ".pdf"):
        plain = anon.get(url(did, "/protocol" + ext))
        ru = anon.get(url(did, "/protocol%s?lang=ru" % ext))
        tt = anon.get(url(did, "/protocol%s?lang=tt" % ext))
        assert plain.status == ru.status == tt.status == 200
        assert plain.body == ru.body and plain.header("ETag") == ru.header("ETag")
        assert plain.header("Content-Language") == "ru"
        # each language is its own rendering with its own ETag
        assert tt.body != plain.body and tt.header("ETag") == '"%s"' % hashlib.sha256(tt.body).hexdigest()
        assert tt.header("ETag") != plain.header("ETag")
    html = anon.get(url(did, "/protocol.html")).body.decode()
    assert '<html lang="ru">' in html and RU["report.title.protocol"] in html
    assert RU["report.translation"] not in html and TT["report.title.protocol"] not in html


def test_an_unknown_language_is_refused_naming_lang(anon, issued):
    did, a, _ = issued
    for path in [url(did, "/protocol.html?lang=xx"), url(did, "/protocol.pdf?lang=TT"),
                 url(did, "/protocol?format=pdf&lang=ru-RU"), url(did, "/conclusion.pdf?lang=")]:
        problem(anon.get(path), 422, "lang")
    problem(a.get("/api/v1/me/extract.html?discussion=%d&lang=de" % did), 422, "lang")


def test_the_extract_and_the_annex_in_tatar(mod, issued):
    did, a, pa = issued
    r = a.get("/api/v1/me/extract.html?discussion=%d&lang=tt" % did)
    assert r.status == 200 and r.header("Cache-Control") == "private, no-store", r
    html = r.body.decode()
    for key in ["report.title.extract", "report.translation", "report.heading.extract",
                "report.extract.participant", "report.col.regno"]:
        assert TT[key] in html, key
    assert RU["report.heading.extract"] not in html and pa["registration_number"] in html
    annex = mod.get(url(did, "/protocol/participants.html?lang=tt"))
    assert annex.status == 200 and annex.header("Cache-Control") == "private, no-store", annex
    page = annex.body.decode()
    assert TT["report.col.full_name"] in page and RU["report.col.full_name"] not in page

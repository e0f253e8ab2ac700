"""The official PDFs are tagged (src/report/pdf_tag.c): every one reports
"Tagged: yes", its structure tree has the title as H1, sections as H2,
fields as a list and the tables of entries as Table > THead > TR > TH and
TBody > TR > TD with the real text (registration numbers) inside; the
catalog names the language (/Lang ru) and shows the title, and every
section has a bookmark. The HTML versions have the same headings and
column header cells. Needs pdfinfo (poppler-utils) and qpdf."""
import json
import re
import shutil
import subprocess

import pytest

from test_comments import discussion, resident, submit
from test_reports import move, scenario, url

pytestmark = pytest.mark.skipif(not (shutil.which("pdfinfo") and shutil.which("qpdf")),
                                reason="pdfinfo (poppler-utils) and qpdf are needed")


def pdfinfo(tmp_path, body, *opts):
    path = tmp_path / "doc.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdfinfo", *opts, str(path)], capture_output=True, check=True).stdout.decode()


def structure(tmp_path, body):
    """The structure tree as (depth, role) pairs, and pdfinfo -struct-text's text."""
    tree = pdfinfo(tmp_path, body, "-struct")
    pairs = [((len(l) - len(l.lstrip(" "))) // 2, l.split()[0]) for l in tree.splitlines() if l.strip()]
    return pairs, pdfinfo(tmp_path, body, "-struct-text")


def catalog(tmp_path, body):
    """The catalog dictionary, its /ViewerPreferences and the bookmarks, from qpdf --json."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(body)
    j = json.loads(subprocess.run(["qpdf", "--json=2", "--json-key=qpdf", "--json-key=outlines", str(path)],
                                  capture_output=True, check=True).stdout)
    objs = j["qpdf"][1]
    deref = lambda v: objs["obj:" + v]["value"] if isinstance(v, str) and v.endswith(" R") else v
    root = next(o["value"] for o in objs.values()
                if isinstance(o.get("value"), dict) and o["value"].get("/Type") == "/Catalog")
    return root, deref(root.get("/ViewerPreferences")), j["outlines"]


def children(pairs, i):
    """The roles of the direct children of pairs[i]."""
    depth, out = pairs[i][0], []
    for d, role in pairs[i + 1:]:
        if d <= depth:
            break
        if d == depth + 1:
            out.append(role)
    return out


def check_tagged(tmp_path, body, want_text, n_sections):
    assert body.startswith(b"%PDF-")
    info = pdfinfo(tmp_path, body)
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    pairs, text = structure(tmp_path, body)
    roles = [r for _, r in pairs]
    assert roles.count("H1") == 1 and roles.count("H2") >= n_sections, roles
    assert "Table" in roles and "P" in roles and "L" in roles, roles
    heads = [i for i, (_, r) in enumerate(pairs) if r == "THead"]
    assert heads, roles
    for i in heads:
        assert children(pairs, i) == ["TR"]
        ths = children(pairs, i + 1)
        assert len(ths) >= 2 and set(ths) == {"TH"}, ths
    tr = next(i for i, (_, r) in enumerate(pairs) if r == "TBody") + 1
    assert pairs[tr][1] == "TR" and set(children(pairs, tr)) == {"TD"}
    for t in want_text:                             # real text, inside the structure
        assert t in text, (t, text[:2000])
    root, prefs, outlines = catalog(tmp_path, body)
    assert root["/Lang"] in ("u:ru", "ru"), root.get("/Lang")
    assert prefs and prefs.get("/DisplayDocTitle") is True, prefs
    assert root["/MarkInfo"] == {"/Marked": True} and "/StructTreeRoot" in root
    assert len(outlines) == 1 and len(outlines[0]["kids"]) >= n_sections, outlines
    return pairs


def test_protocol_annex_conclusion_and_extract_pdfs_are_tagged(server, mod, anon, tmp_path):
    did, a, b, pa, pb, pc = scenario(server, mod)
    move(mod, did, "protocol")
    numbers = [pa["registration_number"], pb["registration_number"]]
    prot = anon.get(url(did, "/protocol.pdf"))
    assert prot.status == 200
    assert "Title:" in pdfinfo(tmp_path, prot.body)
    check_tagged(tmp_path, prot.body, numbers + ["Сохранить липовую аллею"], 3)

    annex = mod.get(url(did, "/protocol/participants.pdf"))  # the participants annex (moderators)
    assert annex.status == 200
    check_tagged(tmp_path, annex.body, numbers, 0)

    ex = a.get("/api/v1/me/extract.pdf?discussion=%d" % did)
    assert ex.status == 200
    check_tagged(tmp_path, ex.body, [pa["registration_number"]], 1)

    for cid, rec in ((pa["id"], "take_into_account"), (pb["id"], "reject")):
        assert mod.put(url(did, "/conclusion/items/%d" % cid), {"recommendation": rec, "reasoning": "Довод"}).status == 200
    assert mod.put(url(did, "/conclusion"), {"findings": "Обсуждения состоялись"}).status == 200
    assert mod.put(url(did, "/conclusion/items/%d" % pc["id"]),
                   {"recommendation": "reject", "reasoning": "Довод"}).status == 200
    move(mod, did, "concluded")
    conc = anon.get(url(did, "/conclusion.pdf"))
    assert conc.status == 200
    check_tagged(tmp_path, conc.body, numbers, 2)


def test_html_versions_carry_the_same_headings_and_header_cells(server, mod, anon):
    did, a, *_ = scenario(server, mod)
    move(mod, did, "protocol")
    for page in (anon.get(url(did, "/protocol.html")), a.get("/api/v1/me/extract.html?discussion=%d" % did)):
        assert page.status == 200, page
        html = page.body.decode()
        assert '<html lang="ru">' in html
        assert html.count("<h1>") == 1 and html.count("<h2>") >= 1
        assert '<th scope="col"' in html and "<thead>" in html


def test_a_table_cut_by_a_page_break_goes_on_under_its_header_row(server, mod, anon, tmp_path):
    d = discussion(mod)
    did = d["id"]
    people = [resident(server, mod, "Житель %d Тестов" % i) for i in range(3)]   # 10 a minute each
    nums = [submit(people[i % 3], did, body="Предложение %d: " % i + "высадить клёны вдоль улицы. " * 30)
            ["registration_number"] for i in range(14)]
    move(mod, did, "closed")
    move(mod, did, "protocol")
    body = anon.get(url(did, "/protocol.pdf")).body
    pages = int(re.search(r"^Pages:\s+(\d+)$", pdfinfo(tmp_path, body), re.M).group(1))
    assert pages >= 3
    pairs = check_tagged(tmp_path, body, nums, 3)
    tables = [i for i, (_, r) in enumerate(pairs) if r == "Table"]
    assert len(tables) >= pages - 1, (pages, len(tables))
    for i in tables:                     # every piece starts with its header row
        assert children(pairs, i)[0] == "THead", children(pairs, i)

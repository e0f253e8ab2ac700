"""The official outputs over real HTTP: the protocol issued by the move to
`protocol` (residents and right holders apart, counts, every registered
entry with its moderation status), immutable versions whose SHA-256 anyone
can check, the moderators' annex of participants, the conclusion drafted
item by item and published by the move to `concluded` with an e-mail to the
participants, HTML and PDF renderings (pdftotext reads the Cyrillic back)
and the participant's extract."""
import hashlib
import json
import random
import shutil
import subprocess

import pytest

from conftest import problem
from test_comments import INSIDE, account, discussion, moderate, resident, submit

POLY_INSIDE = {"type": "Polygon", "coordinates": [[[49.119, 55.788], [49.1195, 55.788], [49.1195, 55.7885],
                                                   [49.119, 55.7885], [49.119, 55.788]]]}


def rightholder(server, mod, name="Сафин Ильдар"):
    """A citizen without a residence whose verified land plot lies in the territory."""
    c = account(server, name)
    r = c.post("/api/v1/me/properties", {"cadastral_number": "16:50:%06d:7" % random.randrange(10 ** 6),
                                         "geometry": POLY_INSIDE})
    assert r.status == 201, r
    ok = mod.post("/api/v1/accounts/%d/properties/%d/verification" % (c.account_id, r.json["id"]),
                  {"verified": True})
    assert ok.status == 200, ok
    return c


def url(did, tail=""):
    return "/api/v1/discussions/%d%s" % (did, tail)


def move(mod, did, to, status=200):
    r = mod.post(url(did, "/transitions"), {"to": to})
    assert r.status == status, r
    return r


def canonical(doc):
    """What the server hashes: the document without "sha256", keys sorted, compact, UTF-8."""
    d = dict(doc)
    d.pop("sha256", None)
    return json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def verify(r):
    """The served JSON's hash checks out three ways; returns the document."""
    assert r.status == 200, r
    doc = r.json
    sha = doc["sha256"]
    assert r.header("X-Content-SHA256") == sha and r.header("ETag") == '"%s"' % sha
    assert hashlib.sha256(canonical(doc)).hexdigest() == sha
    # textual rule: drop `"sha256":"<hex>",` after the opening brace
    head = b'{"sha256":"' + sha.encode() + b'",'
    assert r.body.startswith(head)
    assert hashlib.sha256(b"{" + r.body[len(head):]).hexdigest() == sha
    return doc


def scenario(server, mod):
    """A closed discussion with a resident's located proposal (published), a
    right holder's remark (rejected), a paper proposal entered on someone's
    behalf (pending), a withdrawn one and an official answer."""
    d = discussion(mod)
    did = d["id"]
    a = resident(server, mod, "Хасанова Гульнара")
    b = rightholder(server, mod, "Сафин Ильдар")
    pa = submit(a, did, body="Сохранить липовую аллею <во дворе> & сквер",
                location={"type": "Point", "coordinates": list(INSIDE)})
    assert moderate(mod, pa["id"]).status == 200
    pb = submit(b, did, kind="remark", body="Замечание: парковка мешает проезду", location=POLY_INSIDE)
    assert pb["basis"] == "rightholder"
    assert moderate(mod, pb["id"], "reject", reason="Повтор обсуждённого").status == 200
    who = {"full_name": "Гарифуллин Рустем", "birth_date": "1961-04-12", "address": "г. Казань, ул. Бумажная, д. 3",
           "location": {"type": "Point", "coordinates": list(INSIDE)}}
    r = mod.post(url(did, "/comments"), {"kind": "proposal", "body": "Письмо: построить детскую площадку",
                                         "channel": "paper", "on_behalf_of": who})
    assert r.status == 201, r
    pc = r.json
    w = submit(a, did, body="Передумал")
    assert a.post("/api/v1/comments/%d/withdrawal" % w["id"], {}).status in (200, 204)
    ans = submit(mod, did, body="Ответ организатора", parent_id=pa["id"])
    assert ans["registration_number"] is None
    move(mod, did, "closed")
    return did, a, b, pa, pb, pc


# ---- the protocol ----

def test_nothing_is_served_before_the_protocol_is_issued(server, mod, anon):
    did = discussion(mod)["id"]
    for tail in ["/protocol", "/protocol.json", "/protocol.html", "/protocol.pdf", "/protocol/versions",
                 "/conclusion", "/conclusion.pdf", "/conclusion/versions"]:
        problem(anon.get(url(did, tail)), 404)
    problem(mod.get(url(did, "/protocol/participants")), 404)
    problem(mod.get(url(did, "/conclusion/draft")), 404)
    c = resident(server, mod)
    problem(c.get("/api/v1/me/extract?discussion=%d" % did), 404)
    problem(c.get("/api/v1/me/extract"), 400, "discussion")
    problem(anon.get("/api/v1/me/extract?discussion=%d" % did), 401)
    problem(anon.get(url(999999, "/protocol")), 404)
    # protocol is entered from closed only
    move(mod, did, "protocol", 409)


def test_protocol_splits_residents_and_right_holders_with_counts(server, mod, anon):
    did, a, b, pa, pb, pc = scenario(server, mod)
    r = move(mod, did, "protocol")
    assert r.json["status"] == "protocol"
    links = r.json["reports"]
    assert links["protocol"]["version"] == 1 and links["conclusion"] is None
    doc = verify(anon.get(url(did, "/protocol")))
    assert links["protocol"]["sha256"] == doc["sha256"]
    assert doc["document"] == "protocol" and doc["discussion_id"] == did and doc["version"] == 1
    assert doc["organizer"] and doc["project"]["title"] and doc["issued_at"].endswith("Z")
    assert doc["notification"]["date"] and any("discussion.html?id=%d" % did in w
                                               for w in doc["notification"]["published_at"])
    assert doc["period"]["from"] and doc["period"]["to"]
    t = doc["territory"]
    assert isinstance(t["area_m2"], int) and t["area_m2"] > 100000 and len(t["bbox"]) == 4 and t["description"]
    res = {e["registration_number"]: e for e in doc["residents"]}
    oth = {e["registration_number"]: e for e in doc["others"]}
    assert set(res) == {pa["registration_number"], pc["registration_number"]}
    assert set(oth) == {pb["registration_number"]}
    ea, eb, ec = res[pa["registration_number"]], oth[pb["registration_number"]], res[pc["registration_number"]]
    assert ea["body"] == "Сохранить липовую аллею <во дворе> & сквер" and ea["kind"] == "proposal"
    assert ea["channel"] == "online" and ea["status"] == "published"
    assert ea["location"] == "точка %s, %s" % (INSIDE[0], INSIDE[1])
    assert eb["kind"] == "remark" and eb["status"] == "rejected" and eb["location"] == "полигон, 4 вершины"
    assert eb["moderation_reason"] == "Повтор обсуждённого"
    assert ec["channel"] == "paper" and ec["status"] == "pending" and ec["location"] is None
    assert doc["counts"] == {"total": 3, "residents": 2, "others": 1, "proposals": 2, "remarks": 1,
                             "questions": 0, "published": 1, "rejected": 1, "pending": 1, "participants": 3}
    # no personal data in the public protocol
    text = json.dumps(doc, ensure_ascii=False)
    for secret in ["Гарифуллин", "1961-04-12", "Бумажная", a.email, b.email, "Хасанова"]:
        assert secret not in text
    # the exact hashed bytes, and the same document through .json
    raw = anon.get(url(did, "/protocol?canonical=1"))
    assert hashlib.sha256(raw.body).hexdigest() == doc["sha256"] == raw.header("X-Content-SHA256")
    assert anon.get(url(did, "/protocol.json")).body == anon.get(url(did, "/protocol")).body
    r304 = anon.get(url(did, "/protocol"), headers={"If-None-Match": '"%s"' % doc["sha256"]})
    assert r304.status == 304
    problem(anon.get(url(did, "/protocol?version=0")), 400, "version")
    problem(anon.get(url(did, "/protocol?version=7")), 404)
    problem(anon.get(url(did, "/protocol?format=doc")), 400, "format")


def test_the_annex_of_participants_is_for_moderators_only(server, mod, anon, citizen):
    did, a, b, pa, pb, pc = scenario(server, mod)
    move(mod, did, "protocol")
    problem(anon.get(url(did, "/protocol/participants")), 401)
    problem(citizen.get(url(did, "/protocol/participants")), 403)
    problem(a.get(url(did, "/protocol/participants")), 403)
    r = mod.get(url(did, "/protocol/participants"))
    assert r.status == 200 and r.header("Cache-Control") == "private, no-store"
    j = r.json
    assert j["count"] == 3 and j["protocol"]["version"] == 1
    by = {p["full_name"]: p for p in j["items"]}
    assert by["Хасанова Гульнара"]["address"] == a.address and by["Хасанова Гульнара"]["basis"] == ["resident"]
    assert by["Хасанова Гульнара"]["registration_numbers"] == [pa["registration_number"]]
    assert by["Сафин Ильдар"]["basis"] == ["rightholder"] and len(by["Сафин Ильдар"]["cadastral_numbers"]) == 1
    off = by["Гарифуллин Рустем"]
    assert off["birth_date"] == "1961-04-12" and off["address"] == "г. Казань, ул. Бумажная, д. 3"
    assert off["source"] == "on_behalf_of" and off["channels"] == ["paper"] and off["account_id"] is None


def test_a_new_version_is_issued_and_the_old_one_still_verifies(server, mod, anon, citizen):
    did, a, b, pa, pb, pc = scenario(server, mod)
    move(mod, did, "protocol")
    v1 = verify(anon.get(url(did, "/protocol")))
    # the paper proposal is published after the protocol was issued
    assert moderate(mod, pc["id"]).status == 200
    problem(citizen.post(url(did, "/protocol/versions"), {"note": "x"}), 403)
    problem(anon.post(url(did, "/protocol/versions"), {}), 401)
    problem(mod.post(url(did, "/protocol/versions"), {"note": 5}), 422, "note")
    r = mod.post(url(did, "/protocol/versions"), {"note": "Учтено предложение, поступившее на бумаге"})
    assert r.status == 201, r
    assert r.header("Location") == url(did, "/protocol?version=2")
    v2 = verify(anon.get(url(did, "/protocol")))
    assert v2["version"] == 2 and v2["sha256"] != v1["sha256"]
    assert {e["registration_number"]: e["status"] for e in v2["residents"]}[pc["registration_number"]] == "published"
    assert v2["counts"]["pending"] == 0 and v2["counts"]["published"] == 2
    old = anon.get(url(did, "/protocol?version=1"))
    assert verify(old) == v1 and "immutable" in old.header("Cache-Control")
    assert {e["registration_number"]: e["status"] for e in old.json["residents"]}[pc["registration_number"]] == "pending"
    vs = anon.get(url(did, "/protocol/versions")).json["items"]
    assert [(v["version"], v["sha256"]) for v in vs] == [(1, v1["sha256"]), (2, v2["sha256"])]
    log = mod.get("/api/v1/moderation/log?limit=20").json["items"]
    assert any(e["action"] == "protocol.reissue" and e["target"]["id"] == did for e in log)


def test_html_is_printable_and_escaped_and_the_pdf_reads_back(server, mod, anon, tmp_path):
    did, a, b, pa, pb, pc = scenario(server, mod)
    move(mod, did, "protocol")
    sha = anon.get(url(did, "/protocol")).json["sha256"]
    for r in [anon.get(url(did, "/protocol"), headers={"Accept": "text/html,application/xhtml+xml"}),
              anon.get(url(did, "/protocol.html"))]:
        assert r.status == 200 and r.header("Content-Type").startswith("text/html"), r
        html = r.body.decode()
        assert "&lt;во дворе&gt; &amp; сквер" in html and "<во дворе>" not in html
        assert sha in html and "@page{size:A4" in html and pa["registration_number"] in html
        # ETag: the SHA-256 of the page's bytes (rendered once, issue 17)
        assert r.header("X-Content-SHA256") == sha and r.header("ETag") == '"%s"' % hashlib.sha256(r.body).hexdigest()
    r = anon.get(url(did, "/protocol.pdf"))
    assert r.status == 200 and r.header("Content-Type") == "application/pdf" and r.body.startswith(b"%PDF-")
    assert r.header("X-Content-SHA256") == sha
    assert anon.get(url(did, "/protocol?format=pdf")).body.startswith(b"%PDF-")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "p.pdf"
    path.write_bytes(r.body)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True).stdout.decode()
    flat = " ".join(text.split())
    for want in ["Протокол общественных обсуждений", "Сохранить липовую аллею", "Замечание: парковка",
                 "Письмо: построить детскую площадку", pa["registration_number"],
                 pb["registration_number"], pc["registration_number"], "стр. 1 из 1", sha]:
        assert want in flat, (want, flat[:2000])
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "Pages:          1" in info or "Pages: 1" in " ".join(info.split())


def test_long_protocol_pdf_paginates_with_page_numbers(server, mod, anon, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    d = discussion(mod)
    did = d["id"]
    people = [resident(server, mod, "Житель %d Тестов" % i) for i in range(4)]   # 10 a minute each
    long_body = "Очень длинное предложение про благоустройство двора. " * 90
    nums = [submit(people[0], did, body=long_body)["registration_number"]]
    for i in range(24):
        nums.append(submit(people[1 + i % 3], did, body="Предложение номер %d: высадить клёны" % i)["registration_number"])
    move(mod, did, "closed")
    move(mod, did, "protocol")
    r = anon.get(url(did, "/protocol.pdf"))
    path = tmp_path / "long.pdf"
    path.write_bytes(r.body)
    info = " ".join(subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout.split())
    pages = int(info.split("Pages: ")[1].split()[0])
    assert pages >= 2
    flat = " ".join(subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                   check=True).stdout.decode().split())
    assert "стр. %d из %d" % (pages, pages) in flat and "стр. 1 из %d" % pages in flat
    for n in nums:
        assert n in flat, n
    # the long proposal is complete: cut between lines, no line lost or repeated
    # (a sentence may be cut by the page's footer and the next page's header)
    assert flat.count("Очень") == 90 and flat.count("благоустройство") == 90


# ---- the conclusion ----

def test_conclusion_is_drafted_published_and_mailed(server, mod, anon, citizen, mailbox):
    did, a, b, pa, pb, pc = scenario(server, mod)
    item = lambda cid, **body: mod.put(url(did, "/conclusion/items/%d" % cid), body)
    # not before the protocol
    problem(item(pa["id"], recommendation="reject", reasoning="x"), 409)
    problem(mod.put(url(did, "/conclusion"), {"findings": "x"}), 409)
    move(mod, did, "protocol")
    # a second proposal of the same resident to merge with the first
    # (added through the store is impossible now: use the paper one instead)
    problem(item(pa["id"], recommendation="maybe", reasoning="x"), 422, "recommendation")
    problem(item(pa["id"], recommendation="reject"), 422, "reasoning")
    problem(item(pa["id"], recommendation="reject", reasoning="я" * 5001), 422, "reasoning")
    problem(item(pa["id"], recommendation="reject", reasoning="x", merge_with="1"), 422, "merge_with")
    problem(item(pa["id"], recommendation="reject", reasoning="x", merge_with=[pc["id"], -1]), 422,
            "merge_with[1]")
    problem(item(pa["id"], recommendation="reject", reasoning="x", merge_with=[999999]), 422, "merge_with[0]")
    problem(item(pa["id"], recommendation="reject", reasoning="x", colour=1), 422, "colour")
    problem(item(999999, recommendation="reject", reasoning="x"), 404)
    problem(citizen.put(url(did, "/conclusion/items/%d" % pa["id"]),
                        {"recommendation": "reject", "reasoning": "x"}), 403)
    # publishing with nothing recorded names what is missing
    b409 = problem(move(mod, did, "concluded", 409), 409)
    assert "3 registered proposals and remarks have no recommendation" in b409["detail"]
    assert pa["registration_number"] in b409["detail"]
    assert mod.get(url(did)).json["status"] == "protocol"
    # the resident's and the paper proposal are identical: one merged item
    r = item(pa["id"], recommendation="take_into_account", reasoning="Учесть: аллея сохраняется в проекте",
             merge_with=[pc["id"]])
    assert r.status == 200 and r.json["merge_with"] == [pc["id"]], r
    b409 = problem(move(mod, did, "concluded", 409), 409)
    assert "1 registered proposals and remarks have no recommendation" in b409["detail"]
    assert pb["registration_number"] in b409["detail"]
    assert item(pb["id"], recommendation="reject", reasoning="Проезд не затрагивается проектом").status == 200
    problem(mod.put(url(did, "/conclusion"), {"findings": ""}), 422, "findings")
    assert mod.put(url(did, "/conclusion"), {"findings": "Общественные обсуждения признать состоявшимися"}).status == 200
    draft = mod.get(url(did, "/conclusion/draft")).json
    assert draft["missing"] == [] and len(draft["items"]) == 2
    problem(citizen.get(url(did, "/conclusion/draft")), 403)
    problem(anon.get(url(did, "/conclusion")), 404)
    prot = anon.get(url(did, "/protocol")).json

    r = move(mod, did, "concluded")
    assert r.json["status"] == "concluded" and r.json["reports"]["conclusion"]["version"] == 1
    doc = verify(anon.get(url(did, "/conclusion")))
    assert doc["document"] == "conclusion" and doc["participants"] == 3
    assert doc["protocol"] == {"version": prot["version"], "sha256": prot["sha256"],
                               "issued_at": prot["issued_at"], "date": prot["date"]}
    assert doc["residents"] == prot["residents"] and doc["others"] == prot["others"]
    assert doc["findings"] == "Общественные обсуждения признать состоявшимися"
    items = [(i["registration_numbers"], i["recommendation"]) for i in doc["items"]]
    assert items == [([pa["registration_number"], pc["registration_number"]], "take_into_account"),
                     ([pb["registration_number"]], "reject")]
    assert doc["items"][1]["reasoning"] == "Проезд не затрагивается проектом"
    # e-mail to both participants with accounts, with the links
    for c in (a, b):
        m = mailbox.wait_for(c.email, lambda m: "заключение" in m["subject"].lower())
        assert "/api/v1/discussions/%d/conclusion" % did in m["text"] and doc["sha256"] in m["text"]
    # the draft is frozen after publication
    problem(item(pb["id"], recommendation="take_into_account", reasoning="x"), 409)
    problem(mod.post(url(did, "/protocol/versions"), {}), 409)
    # renderings
    h = anon.get(url(did, "/conclusion.html"))
    assert h.status == 200 and "Проезд не затрагивается проектом" in h.body.decode()
    p = anon.get(url(did, "/conclusion.pdf"))
    assert p.status == 200 and p.body.startswith(b"%PDF-")

    # the participant's extract: only her own entries, with the recommendation
    ex = a.get("/api/v1/me/extract?discussion=%d" % did)
    assert ex.status == 200 and ex.header("X-Protocol-SHA256") == prot["sha256"], ex
    j = ex.json
    assert [e["registration_number"] for e in j["entries"]] == [pa["registration_number"]]
    assert j["entries"][0]["recommendation"] == "take_into_account"
    assert j["protocol"]["sha256"] == prot["sha256"] and j["conclusion"]["sha256"] == doc["sha256"]
    assert j["participant"] == "Хасанова Гульнара"
    exb = b.get("/api/v1/me/extract?discussion=%d" % did).json
    assert [e["registration_number"] for e in exb["entries"]] == [pb["registration_number"]]
    assert citizen.get("/api/v1/me/extract?discussion=%d" % did).json["entries"] == []
    pdf = a.get("/api/v1/me/extract.pdf?discussion=%d" % did)
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF-")
    assert a.get("/api/v1/me/extract?discussion=%d&format=pdf" % did).body.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        t = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf.body, capture_output=True,
                           check=True).stdout.decode()
        flat = " ".join(t.split())
        assert "Сохранить липовую аллею" in flat and pa["registration_number"] in flat
        assert "Замечание: парковка" not in flat


def test_protocol_of_a_discussion_without_proposals(server, mod, anon):
    did = discussion(mod)["id"]
    move(mod, did, "closed")
    move(mod, did, "protocol")
    doc = verify(anon.get(url(did, "/protocol")))
    assert doc["residents"] == [] and doc["others"] == [] and doc["counts"]["total"] == 0
    assert anon.get(url(did, "/protocol.pdf")).body.startswith(b"%PDF-")
    move(mod, did, "concluded")   # findings are optional
    c = verify(anon.get(url(did, "/conclusion")))
    assert c["items"] == [] and c["participants"] == 0 and c["findings"] == ""
    assert "Не сформулированы." in anon.get(url(did, "/conclusion.html")).body.decode()

"""What a newcomer sees first: `kengash demo` on a fresh database, served by
the real server, walked stage by stage against what the law needs there
(issue 23). One demo load for the whole module."""
import os
import subprocess
import tempfile
from datetime import datetime

import pytest
from owslib.ogcapi.features import Features

from conftest import BIN, ROOT, Server

DEMO_PASSWORD = "kengash-demo-2026"
MODERATOR = "moderator@kengash.local"


@pytest.fixture(scope="module")
def demo():
    tmp = tempfile.mkdtemp(prefix="kengash-demo-")
    s = Server(tmp)
    p = subprocess.run([BIN, "demo", "--db", s.db, "--geodata", os.path.join(ROOT, "geodata"),
                        "--files", s.files], capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()[-3000:]
    s.start()
    yield s
    s.stop_clean()


@pytest.fixture(scope="module")
def mod(demo):
    c = demo.client()
    c.login(MODERATOR, DEMO_PASSWORD)
    return c


@pytest.fixture(scope="module")
def by_status(mod):
    r = mod.get("/api/v1/discussions?limit=500")
    assert r.status == 200, r
    out = {}
    for d in r.json["items"]:
        out.setdefault(d["status"], []).append(d)
    return out


def when(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def comments(client, did, status=None):
    q = "/api/v1/discussions/%d/comments?limit=500" % did
    if status:
        q += "&status=" + status
    r = client.get(q)
    assert r.status == 200, r
    assert r.json["next"] is None
    return r.json["items"]


def detail(client, did):
    r = client.get("/api/v1/discussions/%d" % did)
    assert r.status == 200, r
    return r.json


def test_demo_has_a_discussion_in_every_stage(by_status):
    for st in ("draft", "announced", "open", "closed", "protocol", "concluded", "cancelled"):
        assert by_status.get(st), st


def test_announced_and_later_discussions_have_a_notice(mod, by_status):
    for st in ("announced", "open", "closed", "protocol", "concluded"):
        for d in by_status[st]:
            notice = detail(mod, d["id"])["notice"]
            assert notice and "Оповещение о начале общественных обсуждений" in notice, d["id"]


def test_open_discussions_have_documents_places_threads_supports_answers(demo, by_status):
    anon = demo.client()
    kinds, shapes, n_pages = set(), set(), 0
    for d in by_status["open"]:
        assert detail(anon, d["id"])["documents"], d["id"]
        items = comments(anon, d["id"])
        assert all(c["status"] == "published" for c in items)
        registered = [c for c in items if not c["official"]]
        assert len(registered) >= 10, d["id"]
        assert any(c["parent_id"] and not c["official"] for c in items), "a thread"
        answers = [c for c in items if c["official"]]
        assert answers and all(c["parent_id"] and c["registration_number"] is None
                               for c in answers), answers
        assert any(c["supports"] > 0 for c in registered)
        kinds |= {c["kind"] for c in registered}
        shapes |= {c["location"]["type"] for c in registered if c["location"]}
        n_pages += sum(1 for c in registered if c["document_id"] and c["page"])
        # registered within the exposition, before now
        for c in items:
            assert when(d["dates"]["opens_at"]) <= when(c["created_at"]) <= datetime.now().timestamp()
    assert kinds == {"proposal", "remark", "question"}
    assert shapes == {"Point", "LineString", "Polygon"}
    assert n_pages > 0


def test_moderator_sees_a_pending_one_a_rejected_one_with_reason_and_paper_entries(mod, by_status):
    pending, rejected, paper = [], [], []
    for d in by_status["open"]:
        items = comments(mod, d["id"], "all")
        pending += [c for c in items if c["status"] == "pending"]
        rejected += [c for c in items if c["status"] == "rejected"]
        paper += [c for c in items if c["channel"] in ("paper", "exposition_book")]
    assert pending
    assert rejected and all(c["moderation_reason"] for c in rejected), rejected
    assert paper and all(c["entered_by"] and c["author_id"] is None for c in paper), paper
    r = mod.get("/api/v1/comments/%d" % paper[0]["id"])
    assert r.status == 200 and r.json["status"] == "published", r


def test_open_data_comments_collection_has_at_least_50_published_features(demo):
    # as a GIS client reads it: OWSLib's OGC API - Features client
    api = Features("http://127.0.0.1:%d/ogc" % demo.port)
    assert "comments" in [c["id"] for c in api.collections()["collections"]]
    items = api.collection_items("comments", limit=1000)
    features = items["features"]
    assert len(features) >= 50, len(features)
    assert {f["geometry"]["type"] for f in features} == {"Point", "LineString", "Polygon"}
    assert items.get("numberMatched", len(features)) == len(features)


def test_closed_discussions_keep_their_count_and_have_no_protocol_yet(demo, by_status):
    anon = demo.client()
    for d in by_status["closed"]:
        items = comments(anon, d["id"])
        assert len([c for c in items if not c["official"]]) >= 10, d["id"]
        for c in items:
            assert when(d["dates"]["opens_at"]) <= when(c["created_at"]) <= when(d["dates"]["closes_at"])
        assert anon.get("/api/v1/discussions/%d/protocol" % d["id"]).status == 404


def protocol_entries(client, did):
    r = client.get("/api/v1/discussions/%d/protocol" % did)
    assert r.status == 200, r
    return r.json, r.json["residents"] + r.json["others"]


def assert_pdf(client, path):
    r = client.get(path)
    assert r.status == 200, (path, r)
    assert r.header("Content-Type") == "application/pdf" and r.body.startswith(b"%PDF-"), path


def test_protocol_stage_discussions_serve_their_protocol(demo, by_status):
    anon = demo.client()
    for d in by_status["protocol"]:
        doc, entries = protocol_entries(anon, d["id"])
        assert entries and doc["counts"]["total"] == len(entries)
        assert when(doc["issued_at"]) == when(d["dates"]["protocol_at"])
        assert_pdf(anon, "/api/v1/discussions/%d/protocol.pdf" % d["id"])
        assert anon.get("/api/v1/discussions/%d/conclusion" % d["id"]).status == 404


def test_concluded_discussions_serve_protocol_and_conclusion_with_every_recommendation(demo, by_status):
    anon = demo.client()
    merged = 0
    for d in by_status["concluded"]:
        prot, entries = protocol_entries(anon, d["id"])
        r = anon.get("/api/v1/discussions/%d/conclusion" % d["id"])
        assert r.status == 200, r
        conc = r.json
        assert conc["protocol"]["sha256"] == prot["sha256"]
        assert when(conc["issued_at"]) == when(d["dates"]["concluded_at"])
        assert conc["findings"]
        recommended = {cid for it in conc["items"] for cid in it["comment_ids"]}
        for e in entries:
            if e["kind"] in ("proposal", "remark"):
                assert e["comment_id"] in recommended, e["registration_number"]
        assert {it["recommendation"] for it in conc["items"]} == {"take_into_account", "reject"}
        assert all(it["reasoning"] for it in conc["items"])
        # identical proposals are merged into one group, with one recommendation
        bodies = {e["comment_id"]: e["body"] for e in entries}
        for it in conc["items"]:
            if len(it["comment_ids"]) > 1:
                merged += 1
                assert len({bodies[cid] for cid in it["comment_ids"]}) == 1, it
        # both kinds of participants, as the law splits them
        assert prot["residents"], d["id"]
        assert_pdf(anon, "/api/v1/discussions/%d/protocol.pdf" % d["id"])
        assert_pdf(anon, "/api/v1/discussions/%d/conclusion.pdf" % d["id"])
    assert merged > 0


def test_right_holders_take_part_and_others_wait_for_verification(mod, by_status):
    others = 0
    for st in ("protocol", "concluded"):
        for d in by_status[st]:
            others += len(protocol_entries(mod, d["id"])[0]["others"])
    assert others > 0
    r = mod.get("/api/v1/moderation/verifications")
    assert r.status == 200, r
    types = {v.get("type") for v in r.json["items"]}
    assert {"residence", "property"} <= types, r.json


def test_support_inbox_has_messages(mod):
    r = mod.get("/api/v1/support-messages")
    assert r.status == 200, r
    assert len(r.json["items"]) >= 3


def test_concluded_is_refused_without_a_complete_conclusion_and_nothing_changes(mod, by_status):
    did = by_status["protocol"][0]["id"]
    r = mod.post("/api/v1/discussions/%d/transitions" % did, {"to": "concluded"})
    assert r.status == 409, r
    assert "conclusion cannot be published" in r.json["detail"]
    assert detail(mod, did)["status"] == "protocol"
    assert mod.get("/api/v1/discussions/%d/conclusion" % did).status == 404


def test_demo_accounts_log_in_and_a_participant_sees_own_comments(demo):
    c = demo.client()
    c.login("participant01@kengash.local", DEMO_PASSWORD)
    r = c.get("/api/v1/me/comments")
    assert r.status == 200, r
    assert r.json["items"] and all(x["registration_number"] for x in r.json["items"])

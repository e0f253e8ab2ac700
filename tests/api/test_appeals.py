"""Appeals against a rejection over real HTTP: the author appeals a
rejected proposal within --appeal-days (3); another moderator decides with
a reason (the one who rejected it gets 403); an upheld appeal publishes the
proposal with its registration number; the outcome is in the moderation
log, e-mailed through the outbox, and in the protocol."""
import shutil
import subprocess

import pytest

from conftest import ADMIN, MODERATOR, problem
from test_comments import discussion, resident, submit
from test_roles import new_account

REASON = "Предложение по существу проекта: отклонено ошибочно"


def reject(mod, cid, reason="Не относится к проекту"):
    r = mod.post("/api/v1/comments/%d/moderation" % cid, {"decision": "reject", "reason": reason})
    assert r.status == 200, r
    return r.json


def appeal(c, cid, status=201, text="Моё предложение касается благоустройства этого квартала"):
    r = c.post("/api/v1/comments/%d/appeal" % cid, {"text": text})
    assert r.status == status, r
    return r.json


def decide(c, aid, decision="uphold", reason=REASON):
    return c.post("/api/v1/appeals/%d/decision" % aid, {"decision": decision, "reason": reason})


@pytest.fixture(scope="module")
def setting(server):
    class S:
        pass
    s = S()
    mod, admin = server.client(), server.client()
    mod.login(MODERATOR)
    admin.login(ADMIN)
    s.d = discussion(mod)
    s.author = resident(server, mod)
    s.other_mod = new_account(server, "moderator", admin)
    return s


def test_upheld_appeal_publishes_with_the_same_number(server, mod, anon, mailbox, setting):
    c = submit(setting.author, setting.d["id"])
    reject(mod, c["id"])
    a = appeal(setting.author, c["id"])
    assert a["status"] == "pending" and a["registration_number"] == c["registration_number"]
    assert a["rejection"]["reason"] == "Не относится к проекту" and a["decision"] is None
    assert "by" not in a["rejection"]  # the author does not see who rejected it
    # the moderator who rejected it may not decide: 403 problem+json
    body = problem(decide(mod, a["id"]), 403)
    assert "different moderator" in body["detail"]
    r = decide(setting.other_mod, a["id"])
    assert r.status == 200, r
    assert r.json["status"] == "upheld" and r.json["decision"]["reason"] == REASON
    assert r.json["decision"]["by"] == setting.other_mod.account_id
    pub = anon.get("/api/v1/comments/%d" % c["id"])
    assert pub.status == 200 and pub.json["status"] == "published"
    assert pub.json["registration_number"] == c["registration_number"]
    listed = anon.get("/api/v1/discussions/%d/comments" % setting.d["id"]).json["items"]
    assert c["id"] in [x["id"] for x in listed]
    m = mailbox.wait_for(setting.author.email, lambda m: "Жалоба удовлетворена" in m["subject"])
    assert c["registration_number"] in m["subject"] and REASON in m["text"]
    log = mod.get("/api/v1/moderation/log?limit=500").json["items"]
    hits = [e for e in log if e["action"] == "appeal.uphold" and e["target"] == {"type": "comment", "id": c["id"]}]
    assert hits and hits[0]["reason"] == REASON
    # decided once
    problem(decide(setting.other_mod, a["id"], "dismiss"), 409)
    mine = setting.author.get("/api/v1/me/appeals").json
    assert mine["appeal_days"] == 3 and a["id"] in [x["id"] for x in mine["items"]]


def test_dismissed_appeal_keeps_the_rejection(server, mod, mailbox, setting):
    c = submit(setting.author, setting.d["id"], body="Второе предложение для жалобы")
    reject(mod, c["id"])
    a = appeal(setting.author, c["id"])
    r = decide(setting.other_mod, a["id"], "dismiss", "Основание отклонения подтверждено")
    assert r.status == 200 and r.json["status"] == "dismissed", r
    got = setting.author.get("/api/v1/comments/%d" % c["id"]).json
    assert got["status"] == "rejected" and got["moderation_reason"] == "Не относится к проекту"
    mailbox.wait_for(setting.author.email, lambda m: "Жалоба отклонена" in m["subject"])
    pending = mod.get("/api/v1/appeals?status=pending").json["items"]
    assert a["id"] not in [x["id"] for x in pending]
    decided = mod.get("/api/v1/appeals?status=decided").json["items"]
    assert a["id"] in [x["id"] for x in decided]


def test_appeal_refusals(server, mod, citizen, setting):
    c = submit(setting.author, setting.d["id"], body="Третье предложение")
    appeal(setting.author, c["id"], 409)                    # pending, not rejected
    reject(mod, c["id"])
    problem(setting.author.post("/api/v1/comments/%d/appeal" % c["id"], {}), 422, "text")
    problem(setting.author.post("/api/v1/comments/%d/appeal" % c["id"], {"text": "x" * 2001}),
            422, "text")
    problem(setting.author.post("/api/v1/comments/%d/appeal" % c["id"],
                                {"text": "ok", "extra": 1}), 422, "extra")
    problem(citizen.post("/api/v1/comments/%d/appeal" % c["id"], {"text": "не мой"}), 404)
    problem(setting.author.post("/api/v1/comments/999999/appeal", {"text": "нет"}), 404)
    a = appeal(setting.author, c["id"])
    problem(setting.author.post("/api/v1/comments/%d/appeal" % c["id"], {"text": "ещё"}), 409)
    problem(decide(setting.other_mod, a["id"], "forgive"), 422, "decision")
    problem(setting.other_mod.post("/api/v1/appeals/%d/decision" % a["id"], {"decision": "uphold"}),
            422, "reason")
    problem(decide(setting.other_mod, 999999), 404)
    problem(mod.get("/api/v1/appeals?status=maybe"), 400, "status")
    problem(citizen.get("/api/v1/appeals"), 403)


def test_the_period_to_appeal_ends(server, mod, setting):
    c = submit(setting.author, setting.d["id"], body="Четвёртое предложение")
    reject(mod, c["id"])
    with server.sql() as db:
        db.execute("UPDATE comments SET moderated_at = moderated_at - 3 * 86400 - 60 WHERE id = ?",
                   (c["id"],))
    body = problem(setting.author.post("/api/v1/comments/%d/appeal" % c["id"], {"text": "поздно"}),
                   409)
    assert "3 days" in body["detail"]


def test_appeals_and_outcomes_are_in_the_protocol(server, mod, anon, setting, tmp_path):
    did = setting.d["id"]
    for to in ("closed", "protocol"):
        assert mod.post("/api/v1/discussions/%d/transitions" % did, {"to": to}).status == 200
    doc = anon.get("/api/v1/discussions/%d/protocol" % did).json
    outcomes = {a["status"] for a in doc["appeals"]}
    assert {"upheld", "dismissed", "pending"} <= outcomes, doc["appeals"]
    upheld = [a for a in doc["appeals"] if a["status"] == "upheld"][0]
    assert upheld["decision_reason"] == REASON and upheld["rejection_reason"]
    assert set(upheld) == {"comment_id", "registration_number", "submitted_at", "text",
                           "rejection_reason", "status", "decided_at", "decision_reason"}
    html = anon.get("/api/v1/discussions/%d/protocol.html" % did).body.decode()
    assert "Жалобы на отклонение" in html and "удовлетворена" in html
    pdf = anon.get("/api/v1/discussions/%d/protocol.pdf" % did)
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf.body)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True).stdout.decode()
    flat = " ".join(text.split())
    assert "Жалобы на отклонение предложений и замечаний" in flat, flat[-2000:]
    assert "удовлетворена, опубликовано" in flat and upheld["registration_number"] in flat

"""Issue 14 A: running a round from the console — creation refuses past
dates, a moderator approves a draft's notice and the schedule publishes it
at announce_at (writing its discussion_events row), every view says what
happens next, and the department-wide reasons list."""
import time
from datetime import datetime, timedelta, timezone

from conftest import problem
from test_discussions import body, create, ts
from test_projects import make_project


def at(seconds):
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def soon(mod, pid=None, seconds=2):
    """A draft announced in a few seconds; the exposition follows the law."""
    return create(mod, pid=pid, announce_at=at(seconds), opens_at=at(seconds + 8 * 86400),
                  closes_at=at(seconds + 30 * 86400))


def wait_status(c, did, status, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        j = c.get("/api/v1/discussions/%d" % did).json
        if j.get("status") == status:
            return j
        time.sleep(0.2)
    raise AssertionError("discussion %d never became %s" % (did, status))


def test_creation_refuses_a_past_announcement_naming_the_field(mod):
    pid = make_project(mod)["id"]
    b = problem(mod.post("/api/v1/discussions", body(pid, announce_at=ts(-1), opens_at=ts(8))), 422,
                "announce_at")
    assert "past" in b["detail"]
    # the kind's rules still name their fields
    problem(mod.post("/api/v1/discussions", body(pid, announce_at=at(60), opens_at=ts(2))), 422, "opens_at")


def test_a_draft_says_it_waits_for_the_moderators_approval(mod):
    d = create(mod)
    j = mod.get("/api/v1/discussions/%d" % d["id"]).json
    assert j["scheduled_at"] is None
    nxt = j["timeline"]["next"]
    assert nxt["status"] == "announced" and nxt["at"] == j["dates"]["announce_at"]
    assert nxt["by"] == "moderator" and nxt["needs"] == "schedule"


def test_the_schedule_publishes_an_approved_notice_at_announce_at(server, mod, anon):
    unapproved = soon(mod)
    approved = soon(mod)
    u = "/api/v1/discussions/%d/schedule" % approved["id"]
    r = mod.post(u, {})
    assert r.status == 200, r
    assert r.json["status"] == "draft" and r.json["scheduled_at"]
    assert r.json["next"]["by"] == "schedule" and r.json["next"]["needs"] is None
    # twice is fine: still approved
    assert mod.post(u, {}).status == 200
    j = wait_status(anon, approved["id"], "announced")
    assert [(h["from"], h["to"], h["by"]) for h in j["timeline"]["history"]] == [
        ("draft", "announced", "schedule")]
    assert j["timeline"]["next"]["status"] == "open" and j["timeline"]["next"]["by"] == "schedule"
    assert j["timeline"]["next"]["at"] == j["dates"]["opens_at"]
    # the same tick saw the unapproved draft due as well and left it alone
    assert mod.get("/api/v1/discussions/%d" % unapproved["id"]).json["status"] == "draft"
    with server.sql() as conn:
        rows = conn.execute("SELECT from_status, to_status, actor_id FROM discussion_events "
                            "WHERE discussion_id = ?", (approved["id"],)).fetchall()
        log = conn.execute("SELECT action FROM moderation_log WHERE target_type = 'discussion' "
                           "AND target_id = ?", (approved["id"],)).fetchall()
    assert rows == [("draft", "announced", None)]
    assert ("discussion.schedule",) in log
    # no longer a draft: scheduling is a conflict
    problem(mod.post(u, {}), 409)
    problem(mod.delete(u), 409)


def test_withdrawn_approval_keeps_the_draft(mod, anon):
    withdrawn = soon(mod)
    witness = soon(mod)
    u = "/api/v1/discussions/%d/schedule" % withdrawn["id"]
    assert mod.post(u, {}).status == 200
    r = mod.delete(u)
    assert r.status == 200 and r.json["scheduled_at"] is None and r.json["next"]["needs"] == "schedule"
    assert mod.post("/api/v1/discussions/%d/schedule" % witness["id"], {}).status == 200
    wait_status(anon, witness["id"], "announced")
    assert mod.get("/api/v1/discussions/%d" % withdrawn["id"]).json["status"] == "draft"


def test_schedule_refusals(mod, citizen, anon):
    d = create(mod)
    u = "/api/v1/discussions/%d/schedule" % d["id"]
    problem(anon.post(u, {}), 401)
    problem(citizen.post(u, {}), 403)
    problem(mod.post("/api/v1/discussions/999999/schedule", {}), 404)
    problem(mod.post("/api/v1/discussions/0/schedule", {}), 404)
    assert mod.get("/api/v1/discussions/%d" % d["id"]).json["scheduled_at"] is None


def test_next_step_after_the_exposition_needs_the_moderator(mod):
    d = create(mod)
    u = "/api/v1/discussions/%d/transitions" % d["id"]
    for to, nxt, needs in [("announced", "open", None), ("open", "closed", None),
                           ("closed", "protocol", "protocol"), ("protocol", "concluded", "conclusion")]:
        j = mod.post(u, {"to": to}).json
        assert j["timeline"]["next"]["status"] == nxt, j["timeline"]
        assert j["timeline"]["next"]["needs"] == needs
    j = mod.post(u, {"to": "concluded"}).json
    assert j["timeline"]["next"] is None


def test_reasons_list_is_shared_by_the_department(server, mod, citizen, anon):
    url = "/api/v1/conclusion-reasons"
    problem(anon.get(url), 401)
    problem(citizen.get(url), 403)
    problem(citizen.post(url, {"text": "Не относится к предмету обсуждений"}), 403)
    r = mod.post(url, {"text": "Не относится к предмету обсуждений"})
    assert r.status == 201, r
    rid = r.json["id"]
    # the same text again: the one already there
    r = mod.post(url, {"text": "Не относится к предмету обсуждений"})
    assert r.status == 200 and r.json["id"] == rid
    other = server.client()
    other.login("admin@example.org")
    assert other.post(url, {"text": "Противоречит генеральному плану"}).status == 201
    items = mod.get(url).json["items"]
    texts = [i["text"] for i in items]
    assert "Не относится к предмету обсуждений" in texts and "Противоречит генеральному плану" in texts
    assert texts == sorted(texts, key=str.casefold)
    problem(mod.post(url, {}), 422, "text")
    problem(mod.post(url, {"text": ""}), 422, "text")
    problem(mod.post(url, {"text": "x" * 1001}), 422, "text")
    problem(mod.post(url, {"text": "ok", "extra": 1}), 422, "extra")


def test_the_participants_annex_prints_as_html_and_pdf_for_moderators_only(server, mod, anon, citizen,
                                                                             tmp_path):
    import shutil
    import subprocess
    from test_reports import move, scenario, url
    did = scenario(server, mod)[0]
    move(mod, did, "protocol")
    for suffix in (".html", ".pdf"):
        problem(anon.get(url(did, "/protocol/participants" + suffix)), 401)
        problem(citizen.get(url(did, "/protocol/participants" + suffix)), 403)
    h = mod.get(url(did, "/protocol/participants.html"))
    assert h.status == 200 and h.header("Content-Type").startswith("text/html"), h
    assert h.header("Cache-Control") == "private, no-store"
    assert "script-src" not in h.header("Content-Security-Policy") and "default-src 'none'" in h.header(
        "Content-Security-Policy")
    text = h.body.decode()
    assert "Гарифуллин Рустем" in text and "12.04.1961" in text and "ул. Бумажная" in text
    assert "Хасанова Гульнара" in text and "правообладатель" in text
    sha = mod.get(url(did, "/protocol")).json["sha256"]
    assert sha in text
    p = mod.get(url(did, "/protocol/participants.pdf"))
    assert p.status == 200 and p.header("Content-Type") == "application/pdf" and p.body.startswith(b"%PDF")
    assert p.header("Cache-Control") == "private, no-store"
    if shutil.which("pdftotext"):
        f = tmp_path / "annex.pdf"
        f.write_bytes(p.body)
        out = subprocess.run(["pdftotext", str(f), "-"], capture_output=True, check=True).stdout.decode()
        assert "Гарифуллин Рустем" in out
    # before the protocol: nothing to print
    d = create(mod)
    problem(mod.get(url(d["id"], "/protocol/participants.html")), 404)


def test_official_answers_are_signed_by_the_organizer_and_the_moderator_is_only_logged(server, mod, anon):
    from test_comments import discussion, published, resident
    organizer = "Комитет по архитектуре «Тест» & Ко " + "ё" * 200   # over 256 bytes: cut whole
    d = discussion(mod, pid=make_project(mod, organizer=organizer)["id"])
    c = resident(server, mod)
    q = published(mod, c, d["id"], kind="question", body="Когда начнётся стройка?")
    r = mod.post("/api/v1/discussions/%d/comments" % d["id"], {"body": "Весной", "parent_id": q["id"]})
    assert r.status == 201, r
    name = anon.get("/api/v1/comments/%d" % r.json["id"]).json["author_name"]
    assert organizer.startswith(name) and len(name.encode()) <= 255 and "Модератор" not in name
    assert [x["author_name"] for x in anon.get("/api/v1/discussions/%d/comments" % d["id"]).json["items"]
            if x["official"]] == [name]
    log = mod.get("/api/v1/moderation/log?limit=500").json["items"]
    entry = [e for e in log if e["action"] == "comment.answer" and e["target"]["id"] == r.json["id"]]
    assert entry and entry[0]["actor"]["name"] == "Тестовый Модератор"


def test_a_paper_proposal_from_a_right_holder_is_checked_by_the_cadastral_number(server, mod, anon):
    import uuid
    from test_comments import INSIDE, curl, discussion
    from test_eligibility import add_parcel
    from test_reports import move, url
    d = discussion(mod)
    lon, lat = INSIDE
    inside = "16:50:%s:1" % uuid.uuid4().hex[:6]
    outside = "16:50:%s:2" % uuid.uuid4().hex[:6]
    add_parcel(server, inside, "MULTIPOLYGON(((%f %f, %f %f, %f %f, %f %f, %f %f)))" % (
        lon, lat, lon + 0.0004, lat, lon + 0.0004, lat + 0.0004, lon, lat + 0.0004, lon, lat))
    add_parcel(server, outside, "MULTIPOLYGON(((49.3 55.9, 49.301 55.9, 49.301 55.901, 49.3 55.9)))")
    who = {"full_name": "Сабирова Лилия Рашидовна", "birth_date": "1975-09-30",
           "address": "г. Москва, ул. Далёкая, д. 1", "basis": "rightholder", "cadastral_number": inside}
    p = lambda **o: mod.post(curl(d["id"]), {"kind": "proposal", "body": "Письмо правообладателя",
                                            "channel": "email", "on_behalf_of": dict(who, **o)})
    # the address lies far outside and is not in the register: the plot decides
    r = p()
    assert r.status == 201, r
    assert r.json["basis"] == "rightholder" and r.json["registration_number"]
    assert mod.get("/api/v1/comments/%d" % r.json["id"]).status == 200
    b = problem(p(cadastral_number="16:50:000000:404"), 422, "on_behalf_of.cadastral_number")
    assert "parcels layer" in str(b)
    b = problem(p(cadastral_number=outside), 422, "on_behalf_of.cadastral_number")
    assert "outside" in str(b)
    problem(p(cadastral_number=None), 422, "on_behalf_of.cadastral_number")
    problem(p(cadastral_number="x" * 41), 422, "on_behalf_of.cadastral_number")
    problem(p(basis="tenant"), 422, "on_behalf_of.basis")
    problem(p(basis="resident"), 422, "on_behalf_of.cadastral_number")   # only with rightholder
    # the protocol counts them among the other participants; the annex names the plot
    move(mod, d["id"], "closed")
    move(mod, d["id"], "protocol")
    doc = anon.get(url(d["id"], "/protocol")).json
    assert [e["comment_id"] for e in doc["others"]] == [r.json["id"]]
    annex = mod.get(url(d["id"], "/protocol/participants")).json["items"]
    row = [x for x in annex if x["full_name"] == who["full_name"]][0]
    assert row["basis"] == ["rightholder"] and row["cadastral_numbers"] == [inside]
    assert row["source"] == "on_behalf_of" and row["address"] == who["address"]

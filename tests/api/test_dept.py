"""The department's console over real HTTP, beside appeals
(test_appeals.py): the support inbox (answers e-mailed to the sender
through the outbox, open/closed filter, closing and reopening, every change
in the moderation log) and the accounts overview for admins (search by name
or e-mail and role, verification states, activity)."""
import uuid

from conftest import ADMIN, CITIZEN, problem
from test_comments import account, resident
from test_roles import new_account


def message(anon, topic="Не открывается карта"):
    email = "sender-%s@example.org" % uuid.uuid4().hex[:10]
    r = anon.post("/api/v1/support-messages", {"name": "Гарипова Алсу", "email": email,
                                               "topic": topic, "body": "Карта не двигается."})
    assert r.status == 201, r
    return r.json["id"], email


def log_actions(mod, target_type, target_id):
    items = mod.get("/api/v1/moderation/log?limit=500").json["items"]
    return [e["action"] for e in items if e["target"] == {"type": target_type, "id": target_id}]


def test_moderator_answers_a_message_by_e_mail(server, anon, mod, mailbox):
    mid, email = message(anon)
    r = mod.post("/api/v1/support-messages/%d/replies" % mid, {"body": "Обновите страницу, пожалуйста."})
    assert r.status == 201, r
    assert r.json["message_id"] == mid and r.json["mailed"] is True
    assert r.json["author_name"] == "Тестовый Модератор"
    m = mailbox.wait_for(email, lambda m: "Ответ на обращение №%d" % mid in m["subject"])
    assert "Обновите страницу" in m["text"] and "Карта не двигается." in m["text"]
    got = mod.get("/api/v1/support-messages/%d/replies" % mid).json["items"]
    assert [x["body"] for x in got] == ["Обновите страницу, пожалуйста."]
    assert "support.reply" in log_actions(mod, "support_message", mid)


def test_answer_refusals(server, anon, mod, citizen):
    mid, _ = message(anon)
    problem(mod.post("/api/v1/support-messages/%d/replies" % mid, {"body": ""}), 422, "body")
    problem(mod.post("/api/v1/support-messages/%d/replies" % mid, {"body": "x" * 5001}), 422, "body")
    problem(mod.post("/api/v1/support-messages/%d/replies" % mid, {"body": "a", "to": "x"}), 422, "to")
    problem(mod.post("/api/v1/support-messages/999999/replies", {"body": "нет"}), 404)
    problem(mod.get("/api/v1/support-messages/999999/replies"), 404)
    problem(citizen.post("/api/v1/support-messages/%d/replies" % mid, {"body": "я не модератор"}), 403)
    problem(anon.get("/api/v1/support-messages/%d/replies" % mid), 401)
    assert mod.get("/api/v1/support-messages/%d/replies" % mid).json["items"] == []


def test_close_and_reopen_with_the_open_closed_filter(server, anon, mod):
    mid, _ = message(anon, "Закрываемое обращение")
    url = "/api/v1/support-messages/%d/status" % mid
    r = mod.put(url, {"status": "closed"})
    assert r.status == 200 and r.json["status"] == "closed" and r.json["id"] == mid, r
    problem(mod.put(url, {"status": "closed"}), 409)
    closed = [m["id"] for m in mod.get("/api/v1/support-messages?status=closed&limit=500").json["items"]]
    opened = [m["id"] for m in mod.get("/api/v1/support-messages?status=new&limit=500").json["items"]]
    assert mid in closed and mid not in opened
    assert mod.put(url, {"status": "new"}).json["status"] == "new"
    assert mid in [m["id"] for m in mod.get("/api/v1/support-messages?status=new&limit=500").json["items"]]
    assert log_actions(mod, "support_message", mid) == ["support.reopen", "support.close"]
    problem(mod.put(url, {"status": "archived"}), 422, "status")
    problem(mod.put("/api/v1/support-messages/999999/status", {"status": "closed"}), 404)
    problem(mod.get("/api/v1/support-messages?status=maybe"), 400, "status")


def overview(admin, **q):
    from urllib.parse import urlencode
    r = admin.get("/api/v1/admin/accounts?" + urlencode(q))
    assert r.status == 200, r
    return r.json


def test_admin_finds_accounts_with_verification_and_activity(server, admin, mod, citizen):
    who = resident(server, mod, name="Закирова Лейсан Ринатовна")
    found = overview(admin, q="Лейсан")["items"]
    assert [a["id"] for a in found] == [who.account_id]
    a = found[0]
    assert a["email"] == who.email and a["role"] == "citizen" and a["residence"] == "verified"
    assert a["properties"] == {"verified": 0, "pending": 0, "rejected": 0}
    assert a["comments"] == 0 and a["last_login_at"]
    assert "password_hash" not in a and "hash" not in a
    # by e-mail, any case of ASCII letters
    assert [x["id"] for x in overview(admin, q=who.email.upper())["items"]] == [who.account_id]
    fresh = account(server, name="Без Адреса")
    assert overview(admin, q=fresh.email)["items"][0]["residence"] == "none"
    roles = {x["role"] for x in overview(admin, role="moderator", limit=500)["items"]}
    assert roles == {"moderator"}
    assert overview(admin, q="нет-такого-человека-%s" % uuid.uuid4().hex)["items"] == []


def test_overview_refusals(server, admin, mod, anon):
    problem(admin.get("/api/v1/admin/accounts?role=root"), 400, "role")
    problem(admin.get("/api/v1/admin/accounts?q=" + "я" * 201), 400, "q")
    problem(admin.get("/api/v1/admin/accounts?limit=0"), 400, "limit")
    problem(mod.get("/api/v1/admin/accounts"), 403)
    problem(anon.get("/api/v1/admin/accounts"), 401)


def test_grant_and_revoke_roles_are_logged_and_own_last_admin_role_stays(server, admin, mod):
    c = new_account(server)
    url = "/api/v1/accounts/%d/role" % c.account_id
    assert admin.put(url, {"role": "moderator"}).json["role"] == "moderator"
    assert overview(admin, q=c.email)["items"][0]["role"] == "moderator"
    assert admin.put(url, {"role": "admin"}).json["role"] == "admin"
    assert admin.put(url, {"role": "citizen"}).json["role"] == "citizen"
    items = mod.get("/api/v1/moderation/log?limit=500").json["items"]
    mine = [e["reason"] for e in items if e["action"] == "account.role"
            and e["target"] == {"type": "account", "id": c.account_id}]
    assert mine == ["citizen", "admin", "moderator"]
    me = admin.get("/api/v1/me").json["id"]
    problem(admin.put("/api/v1/accounts/%d/role" % me, {"role": "moderator"}), 409)
    assert admin.get("/api/v1/me").json["role"] == "admin"

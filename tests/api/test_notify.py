"""People hear about what concerns them, over real HTTP and a real SMTP
listener: the receipt of a registered proposal, the e-mails on publication,
rejection and an official answer (each link followed to a page that
exists), confirmation of the e-mail address at sign-up, following a
discussion (a stage change gives one e-mail with RFC 8058 one-click
unsubscribe; after it, no more), and the personal-data policy."""
import os
import re
import tempfile
import urllib.parse
import uuid

from conftest import PASSWORD, Server, problem
from test_comments import account, discussion, moderate, resident, submit

LINK = re.compile(r"https?://[^\s]+")
CONFIRM_SUBJECT = "Подтвердите электронную почту"


def links(text):
    return LINK.findall(text)


def follow_links(client, text):
    """GETs the path of every link in text; each must be a page or API read
    that exists (200, or 303 to one)."""
    found = links(text)
    assert found, text
    for url in found:
        u = urllib.parse.urlsplit(url)
        path = u.path + ("?" + u.query if u.query else "")
        r = client.get(path)
        assert r.status in (200, 303), (url, r)
        if r.status == 303:
            loc = r.header("Location").split("#")[0]
            assert client.get(loc).status == 200, (url, loc)
    return found


def token_in(text, page):
    m = re.search(re.escape(page) + r"#token=([A-Za-z0-9_-]+)", text)
    assert m, text
    return m.group(1)


def confirm(c, mailbox):
    """Confirms c's address through the link of the sign-up e-mail."""
    m = mailbox.wait_for(c.email, lambda m: m["subject"].startswith(CONFIRM_SUBJECT))
    tok = token_in(m["text"], "/confirm-email.html")
    r = c.post("/api/v1/email-confirmations/" + tok)
    assert r.status == 200 and r.json["email_confirmed"] is True, r
    return tok


# ---- receipts and status e-mails ----

def test_receipt_has_the_number_the_text_as_recorded_the_time_and_the_basis(server, mod, mailbox):
    d = discussion(mod)
    c = resident(server, mod)
    body = "Сохранить сквер <b>и</b> липы & клёны\nвторая строка"
    j = submit(c, d["id"], body=body)
    m = mailbox.wait_for(c.email, lambda m: m["subject"].startswith("Квитанция")
                         and j["registration_number"] in m["text"])
    assert d["title"] in m["subject"]
    t = m["text"].replace("\r\n", "\n")
    assert j["registration_number"] in t and body in t
    assert "Время регистрации: 20" in t and "UTC" in t
    assert "постоянно проживающий на территории" in t
    assert d["title"] in t
    found = follow_links(c, t)
    assert any(u.endswith("/my-comments.html") for u in found)
    assert any(u.endswith("/discussion.html?id=%d" % d["id"]) for u in found)


def test_an_official_answer_gets_no_receipt(server, mod, mailbox):
    d = discussion(mod)
    c = resident(server, mod)
    a = submit(c, d["id"], body="Первое")
    assert moderate(mod, a["id"]).status == 200
    submit(mod, d["id"], body="Ответ без номера", parent_id=a["id"])
    mailbox.wait_for(c.email, lambda m: "Официальный ответ" in m["subject"])
    assert not [m for m in mailbox.messages if "moderator@example.org" in m["to"]
                and "Квитанция" in m["subject"]]


def test_entries_older_than_three_days_when_reached_get_no_receipt(server, mod, mailbox):
    import time
    d = discussion(mod)
    c = resident(server, mod)
    old = int(time.time()) - 4 * 86400
    with server.sql() as conn:   # as if mail had been off for days
        conn.execute("INSERT INTO comments (discussion_id, author_id, registration_number, kind, "
                     "body, status, basis, created_at, updated_at, display_name) VALUES "
                     "(?, ?, ?, 'proposal', 'Старое', 'pending', 'resident', ?, ?, 'Гульнара Х.')",
                     (d["id"], c.account_id, "D-%d/9999" % d["id"], old, old))
    j = submit(c, d["id"], body="Новое")
    # the step reads in id order: the new entry's receipt comes after the old one's turn
    mailbox.wait_for(c.email, lambda m: m["subject"].startswith("Квитанция")
                     and j["registration_number"] in m["text"])
    assert not [m for m in mailbox.messages if c.email in m["to"] and "D-%d/9999" % d["id"] in m["text"]]


def test_publication_and_rejection_mails_link_to_pages_that_exist(server, mod, mailbox):
    d = discussion(mod)
    c = resident(server, mod)
    a = submit(c, d["id"], body="Опубликуйте")
    b = submit(c, d["id"], body="Отклоните")
    assert moderate(mod, a["id"]).status == 200
    assert moderate(mod, b["id"], "reject", reason="Не по теме обсуждения").status == 200
    m = mailbox.wait_for(c.email, lambda m: a["registration_number"] in m["subject"]
                         and "опубликовано" in m["subject"])
    assert "/me/comments" not in m["text"]
    follow_links(c, m["text"])
    m = mailbox.wait_for(c.email, lambda m: b["registration_number"] in m["subject"]
                         and "отклонено" in m["subject"])
    t = m["text"]
    assert "Не по теме обсуждения" in t and "обжаловать" in t and "Мои предложения" in t
    found = follow_links(c, t)
    assert any(u.endswith("/my-comments.html") for u in found)


def test_official_answer_is_mailed_to_the_author_of_the_entry(server, mod, mailbox):
    d = discussion(mod)
    c = resident(server, mod)
    a = submit(c, d["id"], body="Нужен светофор")
    assert moderate(mod, a["id"]).status == 200
    submit(mod, d["id"], body="Светофор будет установлен в 2027 году", parent_id=a["id"])
    m = mailbox.wait_for(c.email, lambda m: "Официальный ответ" in m["subject"])
    assert d["title"] in m["subject"] and a["registration_number"] in m["text"]
    assert "Светофор будет установлен в 2027 году" in m["text"]
    follow_links(c, m["text"])


def test_conclusion_mail_links_to_the_recommendation_on_pages_that_exist(server, mod, mailbox):
    d = discussion(mod)
    c = resident(server, mod)
    a = submit(c, d["id"], body="Сохранить спортплощадку")
    assert moderate(mod, a["id"]).status == 200
    u = "/api/v1/discussions/%d" % d["id"]
    for to in ("closed", "protocol"):
        assert mod.post(u + "/transitions", {"to": to}).status == 200
    r = mod.put(u + "/conclusion/items/%d" % a["id"],
                {"recommendation": "take_into_account", "reasoning": "Площадка остаётся"})
    assert r.status == 200, r
    assert mod.post(u + "/transitions", {"to": "concluded"}).status == 200
    m = mailbox.wait_for(c.email, lambda m: "заключение" in m["subject"].lower()
                         and d["title"] in m["subject"])
    found = follow_links(c, m["text"])
    extract = [x for x in found if "/api/v1/me/extract" in x]
    assert extract, found
    # the extract the letter links to carries the recommendation and its reasons
    j = c.get("/api/v1/me/extract?discussion=%d" % d["id"]).json
    assert j["entries"][0]["recommendation"] == "take_into_account"
    assert j["entries"][0]["reasoning"] == "Площадка остаётся"


# ---- confirmed e-mail addresses ----

def test_signup_sends_a_link_that_confirms_the_address_once(server, mailbox):
    c = account(server)
    assert c.get("/api/v1/me").json["email_confirmed"] is False
    tok = confirm(c, mailbox)
    assert c.get("/api/v1/me").json["email_confirmed"] is True
    anon = server.client()
    problem(anon.post("/api/v1/email-confirmations/" + tok), 410)
    problem(anon.post("/api/v1/email-confirmations/" + "A" * 43), 410)
    problem(anon.post("/api/v1/email-confirmations/short"), 410)
    problem(c.post("/api/v1/me/email-confirmation"), 409)
    # the page of the link exists
    assert anon.get("/confirm-email.html").status == 200


def test_confirmation_link_can_be_sent_again_a_few_times_an_hour(server, mailbox):
    c = account(server)
    problem(server.client().post("/api/v1/me/email-confirmation"), 401)
    for _ in range(2):   # the sign-up sent the first of three
        r = c.post("/api/v1/me/email-confirmation")
        assert r.status == 202, r
    r = c.post("/api/v1/me/email-confirmation")
    problem(r, 429)
    assert int(r.header("Retry-After")) > 0
    # the newest link works, an older one too (each is single-use)
    mailbox.wait_for(c.email, lambda m: len([x for x in mailbox.messages
                                             if c.email in x["to"]]) >= 3)
    confirm(c, mailbox)
    assert c.get("/api/v1/me").json["email_confirmed"] is True


# ---- following a discussion ----

def follower(server, mailbox, did, confirmed=True):
    c = account(server, "Следящий Тест")
    if confirmed:
        confirm(c, mailbox)
    r = c.put("/api/v1/discussions/%d/follow" % did)
    assert r.status == 200 and r.json["following"] is True, r
    assert r.json["email_confirmed"] is confirmed
    return c


def stage_mails(mailbox, c, did):
    return [m for m in mailbox.messages if c.email in m["to"] and "Обсуждение «" in m["subject"]
            and "discussion.html?id=%d" % did in m["text"]]


def test_stage_change_mails_followers_once_and_one_click_unsubscribe_stops_it(
        server, mod, mailbox):
    d = discussion(mod, "announced")
    did = d["id"]
    a = follower(server, mailbox, did)
    control = follower(server, mailbox, did)
    unconfirmed = follower(server, mailbox, did, confirmed=False)
    assert mod.post("/api/v1/discussions/%d/transitions" % did, {"to": "open"}).status == 200
    m = mailbox.wait_for(a.email, lambda m: "discussion.html?id=%d" % did in m["text"]
                         and "экспозиция открыта" in m["subject"])
    mailbox.wait_for(control.email, lambda m: "экспозиция открыта" in m["subject"]
                     and "discussion.html?id=%d" % did in m["text"])
    assert len(stage_mails(mailbox, a, did)) == 1
    assert stage_mails(mailbox, unconfirmed, did) == []
    msg = m["msg"]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsub = msg["List-Unsubscribe"].strip()
    assert unsub.startswith("<") and unsub.endswith(">")
    unsub = urllib.parse.urlsplit(unsub[1:-1]).path
    assert unsub in m["text"]
    follow_links(a, m["text"])   # the unsubscribe link (GET: the page, no change) and the rest
    assert a.get("/api/v1/discussions/%d/follow" % did).json["following"] is True
    # RFC 8058: a POST with the form body, no cookie, no CSRF token
    anon = server.client()
    r = anon.raw("POST", unsub, b"List-Unsubscribe=One-Click",
                 {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r
    assert a.get("/api/v1/discussions/%d/follow" % did).json["following"] is False
    r = anon.raw("POST", unsub, b"List-Unsubscribe=One-Click",
                 {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r   # a second click is answered the same
    assert mod.post("/api/v1/discussions/%d/transitions" % did, {"to": "closed"}).status == 200
    # the control follower's mail of the same event means the step has run for everyone
    mailbox.wait_for(control.email, lambda m: "приём предложений окончен" in m["subject"]
                     and "discussion.html?id=%d" % did in m["text"])
    assert len(stage_mails(mailbox, a, did)) == 1
    assert len(stage_mails(mailbox, control, did)) == 2


def test_official_answer_mails_followers(server, mod, mailbox):
    d = discussion(mod)
    f = follower(server, mailbox, d["id"])
    submit(mod, d["id"], body="Общий ответ организатора")
    m = mailbox.wait_for(f.email, lambda m: "официальный ответ" in m["subject"]
                         and "Общий ответ организатора" in m["text"])
    assert m["msg"]["List-Unsubscribe"]
    follow_links(f, m["text"])


def test_follow_endpoints(server, mod, anon, mailbox):
    d = discussion(mod)
    draft = discussion(mod, "draft")
    c = account(server)
    u = "/api/v1/discussions/%d/follow" % d["id"]
    problem(anon.get(u), 401)
    problem(anon.put(u), 401)
    problem(c.put("/api/v1/discussions/%d/follow" % draft["id"]), 404)
    problem(c.put("/api/v1/discussions/999999/follow"), 404)
    problem(c.put("/api/v1/discussions/x/follow"), 404)
    assert c.get(u).json["following"] is False
    assert c.put(u).json["following"] is True
    assert c.put(u).json["following"] is True   # idempotent
    items = c.get("/api/v1/me/follows").json["items"]
    assert [x["discussion_id"] for x in items] == [d["id"]]
    assert items[0]["title"] == d["title"]
    assert c.delete(u).json["following"] is False
    assert c.get("/api/v1/me/follows").json["items"] == []
    # with the cookie, a change needs the CSRF token
    problem(c.raw("PUT", u, None, {"X-CSRF-Token": "wrong"}), 403)
    assert c.get(u).json["following"] is False


def test_unsubscribe_links_refuse_bad_tokens(anon):
    problem(anon.post("/unsubscribe/" + "A" * 43), 410)
    problem(anon.post("/unsubscribe/nope"), 410)
    problem(anon.get("/unsubscribe/nope"), 410)
    r = anon.get("/unsubscribe/" + "B" * 43)
    assert r.status == 303 and r.header("Location") == "/unsubscribe.html#token=" + "B" * 43
    assert anon.get("/unsubscribe.html").status == 200


# ---- the personal-data policy ----

def test_privacy_policy_page_and_text(anon):
    r = anon.get("/api/v1/privacy-policy")
    assert r.status == 200 and r.json == {"text": None, "lang": "ru"}
    assert anon.get("/privacy.html").status == 200
    page = anon.get("/signup.html").body.decode()
    assert 'href="/privacy.html"' in page


def test_privacy_policy_from_the_operators_file(mailbox):
    tmp = tempfile.mkdtemp(prefix="kengash-privacy-")
    path = os.path.join(tmp, "policy.txt")
    text = "Политика обработки персональных данных\n\n1. Оператор <script>\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    s = Server(tmp, ["--privacy-policy", path])
    s.start()
    try:
        r = s.client().get("/api/v1/privacy-policy")
        assert r.status == 200 and r.json["text"] == text
    finally:
        s.stop_clean()

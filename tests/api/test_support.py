"""Messages to technical support over real HTTP with a real SMTP listener:
stored and e-mailed to the configured support address with their content,
from guests and from logged-in accounts; every field validated with its
limit; the staff's list and its role checks; the per-address rate limit;
without a support address the message is stored and not mailed; no
personal data in the logs."""
import tempfile
import time
import uuid

import pytest

from conftest import PASSWORD, Client, Server, problem

SUPPORT = "support@kengash.example"
URL = "/api/v1/support-messages"
MOD = "support-mod@example.org"
ADMIN = "support-admin@example.org"
CITIZEN = "support-citizen@example.org"


def uniq():
    return uuid.uuid4().hex[:12]


def new_email():
    return "sender-%s@example.org" % uniq()


def message(**kw):
    m = {"name": "Сафин Ильдар", "email": new_email(), "topic": "Не открывается карта",
         "body": "Карта на главной странице не загружается.\nБраузер: Firefox.",
         "page_url": "/discussion.html?id=1"}
    m.update(kw)
    return {k: v for k, v in m.items() if v is not None}


@pytest.fixture(scope="module")
def srv(mailbox):
    tmp = tempfile.mkdtemp(prefix="kengash-support-")
    s = Server(tmp, ["--smtp", "smtp://127.0.0.1:%d" % mailbox.port, "--support-email", SUPPORT])
    s.user_add(MOD, "moderator", "Модератор Поддержки")
    s.user_add(ADMIN, "admin", "Администратор Поддержки")
    s.user_add(CITIZEN, "citizen", "Гражданин Поддержкин")
    s.start()
    yield s
    s.stop_clean()


def client(srv, email=None):
    c = srv.client()
    if email:
        c.login(email)
    return c


def staff_items(srv, limit=500):
    r = client(srv, MOD).get(URL + "?limit=%d" % limit)
    assert r.status == 200, r
    return r.json["items"]


def test_guest_message_is_stored_and_mailed_to_support(srv, mailbox):
    m = message(topic="Не открывается карта " + uniq())
    r = client(srv).post(URL, m)
    assert r.status == 201, r
    j = r.json
    assert set(j) == {"id", "created_at", "status"} and j["status"] == "new", j
    assert r.header("Location") == "%s/%d" % (URL, j["id"])
    assert r.header("Cache-Control") == "no-store"

    mail = mailbox.wait_for(SUPPORT, lambda x: "№%d:" % j["id"] in x["subject"])
    assert mail["subject"] == "Обращение в техподдержку №%d: %s" % (j["id"], m["topic"])
    text = mail["text"]
    for part in (m["topic"], m["name"], m["email"], "Карта на главной странице не загружается.",
                 "Браузер: Firefox.", "http://127.0.0.1:8080/discussion.html?id=1",
                 "Номер обращения: %d" % j["id"], "нет (без входа)"):
        assert part in text, (part, text)
    assert mail["msg"]["Message-ID"] and mail["msg"]["From"]
    assert mail["msg"].get_content_charset() == "utf-8"

    # the staff see it, with the sender's data
    mod = client(srv, MOD)
    r = mod.get(r.header("Location"))
    assert r.status == 200, r
    got = r.json
    assert got["id"] == j["id"] and got["created_at"] == j["created_at"]
    assert (got["name"], got["email"], got["topic"], got["page_url"]) == (
        m["name"], m["email"], m["topic"], m["page_url"])
    assert got["body"] == m["body"] and got["account_id"] is None
    assert got["status"] == "new" and got["mailed"] is True
    assert r.header("Cache-Control") == "no-store"
    assert staff_items(srv)[0]["id"] == j["id"]  # newest first


def test_logged_in_sender_gets_name_and_email_from_the_account(srv, mailbox):
    c = client(srv, CITIZEN)
    me = c.get("/api/v1/me").json
    topic = "Вопрос о регистрации " + uniq()
    r = c.post(URL, {"topic": topic, "body": "Строка 1\r\nСтрока 2\rСтрока 3"})
    assert r.status == 201, r
    got = client(srv, MOD).get(r.header("Location")).json
    assert got["account_id"] == me["id"]
    assert got["email"] == CITIZEN and got["name"] == "Гражданин Поддержкин"
    assert got["page_url"] is None
    assert got["body"] == "Строка 1\nСтрока 2\nСтрока 3"  # line ends as LF
    mail = mailbox.wait_for(SUPPORT, lambda x: topic in x["subject"])
    assert CITIZEN in mail["text"] and "№%d" % me["id"] in mail["text"]
    assert "Страница: не указана" in mail["text"]
    # a logged-in sender may give another name and address
    other = new_email()
    r = c.post(URL, message(email=other, name="Другое Имя"))
    assert r.status == 201, r
    got = client(srv, MOD).get(r.header("Location")).json
    assert (got["email"], got["name"], got["account_id"]) == (other, "Другое Имя", me["id"])


def test_logged_in_sender_needs_the_csrf_token(srv):
    c = client(srv, CITIZEN)
    c.csrf = None
    body = problem(c.post(URL, message()), 403)
    assert "CSRF" in body["detail"]
    body = problem(c.post(URL, message(), headers={"X-CSRF-Token": "0" * 64}), 403)
    assert "CSRF" in body["detail"]


LONG = {"name": 200, "topic": 200, "body": 5000}


@pytest.mark.parametrize("field,value", [
    ("name", None), ("name", ""), ("name", "   "), ("name", 5), ("name", "Я" * 201),
    ("name", "Имя\nФамилия"),
    ("email", None), ("email", ""), ("email", "не-адрес"), ("email", "a@b"),
    ("email", "a b@example.org"), ("email", ["a@example.org"]), ("email", "a" * 250 + "@example.org"),
    ("topic", None), ("topic", " "), ("topic", "т" * 201), ("topic", "строка\nещё"),
    ("topic", "tab\there"), ("topic", {"x": 1}),
    ("body", None), ("body", ""), ("body", "\n \n"), ("body", "б" * 5001), ("body", "a\u0001b"),
    ("body", True),
    ("page_url", "javascript:alert(1)"), ("page_url", "//evil.example/x"), ("page_url", "page.html"),
    ("page_url", "https://"), ("page_url", "/" + "p" * 2000), ("page_url", "/a\nb"),
    ("page_url", 1),
])
def test_each_bad_field_gets_422_naming_it(srv, field, value):
    m = message()
    if value is None:
        m.pop(field)
    else:
        m[field] = value
    problem(client(srv).post(URL, m), 422, field)


def test_unknown_fields_and_bodies_that_are_not_json_objects_are_refused(srv):
    c = client(srv)
    problem(c.post(URL, message(account_id=1)), 422, "account_id")
    problem(c.post(URL, message(status="closed")), 422, "status")
    r = c.raw("POST", URL, b"{not json", {"Content-Type": "application/json"})
    assert r.status == 400, r
    r = c.raw("POST", URL, b"[1, 2]", {"Content-Type": "application/json"})
    assert r.status in (400, 422), r
    r = c.raw("POST", URL, b"name=x", {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status in (400, 415), r


def test_values_at_the_limits_are_accepted(srv):
    m = message(name="Я" * 200, topic="т" * 200, body="б" * 5000, page_url="/" + "p" * 1999)
    r = client(srv).post(URL, m)
    assert r.status == 201, r
    got = client(srv, MOD).get(r.header("Location")).json
    assert got["name"] == m["name"] and got["topic"] == m["topic"] and got["body"] == m["body"]
    # https addresses too, and the optional page may be null
    assert client(srv).post(URL, message(page_url="https://example.org/x?y=1")).status == 201
    assert client(srv).post(URL, message(page_url=None)).status == 201


def test_a_request_over_the_body_limit_gets_413(srv):
    r = client(srv).post(URL, message(body="б" * 40000))  # 80 KB of UTF-8
    problem(r, 413)


def test_only_moderators_and_admins_read_the_messages(srv):
    r = client(srv).post(URL, message())
    assert r.status == 201, r
    loc = r.header("Location")
    for path in (URL, loc):
        problem(client(srv).get(path), 401)
        problem(client(srv, CITIZEN).get(path), 403)
        assert client(srv, MOD).get(path).status == 200
        assert client(srv, ADMIN).get(path).status == 200
    problem(client(srv, MOD).get(URL + "/999999999"), 404)
    problem(client(srv, MOD).get(URL + "/abc"), 404)
    problem(client(srv, MOD).get(URL + "?limit=0"), 400, "limit")
    problem(client(srv, MOD).get(URL + "?cursor=garbage"), 400, "cursor")


def test_staff_list_pages_newest_first_with_a_cursor(srv):
    ids = []
    for _ in range(3):
        r = client(srv).post(URL, message())
        assert r.status == 201, r
        ids.append(r.json["id"])
    mod = client(srv, MOD)
    seen, cursor = [], None
    while True:
        r = mod.get(URL + "?limit=2" + ("&cursor=" + cursor if cursor else ""))
        assert r.status == 200, r
        assert len(r.json["items"]) <= 2
        seen += [i["id"] for i in r.json["items"]]
        cursor = r.json["next"]
        if not cursor:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen))
    assert seen[:3] == ids[::-1]
    assert seen == [i["id"] for i in staff_items(srv)]


def test_one_address_may_send_five_messages_an_hour(srv):
    email = new_email()
    for i in range(5):
        r = client(srv).post(URL, message(email=email.upper() if i == 4 else email))
        assert r.status == 201, r
    r = client(srv).post(URL, message(email=email))
    body = problem(r, 429)
    assert "at most 5 messages an hour" in body["detail"]
    assert 0 < int(r.header("Retry-After")) <= 3601
    # another address is not affected
    assert client(srv).post(URL, message()).status == 201


def test_without_a_support_address_the_message_is_stored_but_not_mailed(server, mailbox):
    # the shared server of conftest runs without --support-email
    before = len(mailbox.messages)
    c = server.client()
    r = c.post(URL, message(topic="Без адреса поддержки"))
    assert r.status == 201, r
    mod = server.client()
    mod.login("moderator@example.org", PASSWORD)
    got = mod.get(r.header("Location")).json
    assert got["topic"] == "Без адреса поддержки" and got["mailed"] is False
    assert not any("Без адреса поддержки" in m["subject"] for m in mailbox.messages[before:])


def test_the_log_names_message_ids_only(srv, mailbox):
    m = message(name="Секретное Имя", topic="Секретная тема " + uniq(), body="Секретный текст")
    r = client(srv).post(URL, m)
    assert r.status == 201, r
    mailbox.wait_for(SUPPORT, lambda x: m["topic"] in x["subject"])
    # the request's lines (its event and its access line) carry its id
    rid = r.header("X-Request-Id")
    end = time.time() + 10
    while not any("request method=POST" in l and rid in l for l in srv.stderr_lines):
        assert time.time() < end, "".join(srv.stderr_lines)[-3000:]
        time.sleep(0.05)
    mine = [l for l in srv.stderr_lines if "request_id=%s" % rid in l]
    assert any("support message stored id=%d" % r.json["id"] in l for l in mine), mine
    assert any("route=/api/v1/support-messages status=201" in l for l in mine), mine
    log = "".join(srv.stderr_lines)
    for secret in (m["name"], m["email"], m["topic"], m["body"], SUPPORT, "Секрет"):
        assert secret not in log, secret
    for l in mine:
        assert "127.0.0.1" not in l, l  # no client address either


def test_a_malformed_support_address_stops_the_server_at_start(tmp_path):
    import subprocess
    from conftest import BIN
    p = subprocess.run([BIN, "serve", "--listen", "127.0.0.1:0", "--db", str(tmp_path / "db"),
                        "--files", str(tmp_path / "files"), "--support-email", "поддержка@пример.рф"],
                       capture_output=True, timeout=60)
    assert p.returncode == 2 and b"--support-email" in p.stderr, p

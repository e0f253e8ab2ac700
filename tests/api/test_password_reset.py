"""Password reset over real HTTP with a real SMTP listener: the e-mail, the
single-use link, sessions ended, the same answer for unknown addresses,
throttling, expiry, and delivery that survives an SMTP outage without being
sent twice after a restart."""
import re
import tempfile
import time
import uuid

import pytest

from conftest import PASSWORD, Mailbox, Server, free_port, problem

NEW_PASSWORD = "a-brand-new-long-password"
TOKEN_RE = re.compile(r"/reset\.html#token=([A-Za-z0-9_-]{43})")


def new_email():
    return "reset-%s@example.org" % uuid.uuid4().hex[:12]


def token_of(mail):
    m = TOKEN_RE.search(mail["text"])
    assert m, mail["text"]
    return m.group(1)


def request_reset(client, email):
    r = client.post("/api/v1/password-resets", {"email": email})
    assert r.status == 202, r
    assert r.json == {"status": "accepted"}
    return r


def login_status(server, email, password):
    return server.client().post("/api/v1/session", {"email": email, "password": password}).status


def test_reset_mail_arrives_and_the_link_works_once(server, mailbox, anon):
    email = new_email()
    server.user_add(email, "citizen", "Сбросов Пароль")
    logged_in = server.client()
    logged_in.login(email)
    assert logged_in.get("/api/v1/me").status == 200

    request_reset(anon, email)
    mail = mailbox.wait_for(email)
    assert mail["subject"] == "Восстановление пароля на портале общественных обсуждений"
    assert "Вы запросили восстановление пароля" in mail["text"]
    assert "Если вы не запрашивали восстановление, ничего не делайте" in mail["text"]
    assert "1 час" in mail["text"]
    msg = mail["msg"]
    assert msg["Message-ID"] and msg["Date"] and msg["From"]
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    token = token_of(mail)
    assert "http://127.0.0.1:8080/reset.html#token=" + token in mail["text"]

    r = anon.post("/api/v1/password-resets/" + token, {"password": NEW_PASSWORD})
    assert r.status == 204, r
    # single use
    body = problem(anon.post("/api/v1/password-resets/" + token, {"password": NEW_PASSWORD + "2"}),
                   410)
    assert "not valid or has expired" in body["detail"]
    # the new password works, the old one does not
    assert login_status(server, email, NEW_PASSWORD) == 200
    assert login_status(server, email, PASSWORD) == 401
    # every session that existed before the reset is ended
    problem(logged_in.get("/api/v1/me"), 401)


def test_unknown_email_gets_the_same_answer_and_no_mail(server, mailbox, anon):
    unknown = new_email()
    r = request_reset(anon, unknown)
    assert r.header("Content-Type").startswith("application/json")
    # a known address requested afterwards is delivered; the sender keeps order,
    # so a mail to the unknown one would have come first
    known = new_email()
    server.user_add(known, "citizen")
    request_reset(anon, known)
    mailbox.wait_for(known)
    assert mailbox.count(unknown) == 0


def test_email_is_matched_without_regard_to_case_and_mail_goes_to_the_registered_address(
        server, mailbox, anon):
    email = new_email()
    server.user_add(email, "citizen")
    request_reset(anon, "  " + email.upper() + " ")
    mail = mailbox.wait_for(email)
    assert mail["to"] == [email]


@pytest.mark.parametrize("raw,status,field", [
    (b"not json", 400, None),
    (b"[]", 400, None),
    (b"{}", 422, "email"),
    (b'{"email": 5}', 422, "email"),
    (b'{"email": ""}', 422, "email"),
    (b'{"email": "no-at-sign"}', 422, "email"),
    (b'{"email": "a@b.example", "admin": true}', 422, "admin"),
    (('{"email": "%s@example.org"}' % ("a" * 300)).encode(), 422, "email"),
])
def test_malformed_request_is_refused_naming_the_field(anon, raw, status, field):
    r = anon.raw("POST", "/api/v1/password-resets", raw, {"Content-Type": "application/json"})
    problem(r, status, field)


def test_oversized_request_is_413(anon):
    r = anon.raw("POST", "/api/v1/password-resets", b'{"email": "' + b"a" * 10000 + b'"}',
                 {"Content-Type": "application/json"})
    problem(r, 413)


@pytest.mark.parametrize("token", [
    "x",
    "A" * 43,                       # well formed, unknown
    "A" * 42 + "!",                 # bad alphabet
    "A" * 200,                      # too long
])
def test_unknown_or_malformed_token_is_410(anon, token):
    problem(anon.post("/api/v1/password-resets/" + token, {"password": NEW_PASSWORD}), 410)


def test_weak_password_is_422_and_does_not_spend_the_link(server, mailbox, anon):
    email = new_email()
    server.user_add(email, "citizen")
    request_reset(anon, email)
    token = token_of(mailbox.wait_for(email))
    url = "/api/v1/password-resets/" + token
    problem(anon.post(url, {"password": "short"}), 422, "password")
    problem(anon.post(url, {"password": email}), 422, "password")
    problem(anon.post(url, {"password": 12345678901}), 422, "password")
    problem(anon.post(url, {}), 422, "password")
    problem(anon.post(url, {"password": NEW_PASSWORD, "email": email}), 422, "email")
    problem(anon.raw("POST", url, b"{", {"Content-Type": "application/json"}), 400)
    assert anon.post(url, {"password": NEW_PASSWORD}).status == 204
    assert login_status(server, email, NEW_PASSWORD) == 200


def test_a_used_link_spends_the_other_links_of_the_account(server, mailbox, anon):
    email = new_email()
    server.user_add(email, "citizen")
    request_reset(anon, email)
    request_reset(anon, email)
    mailbox.wait_for(email)
    end = time.time() + 20
    while mailbox.count(email) < 2 and time.time() < end:
        time.sleep(0.1)
    with mailbox.cond:
        tokens = [token_of(m) for m in mailbox.messages if email in m["to"]]
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    assert anon.post("/api/v1/password-resets/" + tokens[1], {"password": NEW_PASSWORD}).status == 204
    problem(anon.post("/api/v1/password-resets/" + tokens[0], {"password": NEW_PASSWORD}), 410)


def test_requests_are_throttled_per_account_silently(server, mailbox, anon):
    email = new_email()
    server.user_add(email, "citizen")
    for _ in range(5):
        request_reset(anon, email)  # always 202
    # a later mail to someone else arrives after anything queued before it
    marker = new_email()
    server.user_add(marker, "citizen")
    request_reset(anon, marker)
    mailbox.wait_for(marker)
    assert mailbox.count(email) == 3


def test_reset_pages_are_served(anon):
    for path in ("/forgot.html", "/reset.html", "/js/forgot.js", "/js/reset.js"):
        r = anon.get(path)
        assert r.status == 200, (path, r)


# ---- with servers of their own ----


def test_expired_link_is_410(mailbox):
    tmp = tempfile.mkdtemp(prefix="kengash-reset-ttl-")
    s = Server(tmp, ["--smtp", "smtp://127.0.0.1:%d" % mailbox.port, "--reset-ttl", "1",
                     "--base-url", "https://kengash.example/"])
    email = new_email()
    s.user_add(email, "citizen")
    s.start()
    try:
        c = s.client()
        request_reset(c, email)
        mail = mailbox.wait_for(email)
        assert "https://kengash.example/reset.html#token=" in mail["text"]
        time.sleep(2.1)
        problem(c.post("/api/v1/password-resets/" + token_of(mail), {"password": NEW_PASSWORD}), 410)
        assert login_status(s, email, PASSWORD) == 200
    finally:
        s.stop_clean()


def test_a_mail_the_smtp_server_holds_when_the_server_stops_is_not_sent_again():
    # the SMTP server keeps the message, then answers 250 only 1.5 s later;
    # the server is stopped in between: it waits for the answer (up to 5 s)
    # instead of cutting the transfer and sending the message again later
    box = Mailbox()
    box.reply_delay = 1.5
    tmp = tempfile.mkdtemp(prefix="kengash-smtp-slow-")
    args = ["--smtp", "smtp://127.0.0.1:%d" % box.port, "--mail-retry", "1"]
    s = Server(tmp, args)
    email = new_email()
    s.user_add(email, "citizen")
    s.start()
    try:
        request_reset(s.client(), email)
        box.wait_for(email)
        s.stop_clean()
        box.reply_delay = 0
        s2 = Server(tmp, args)
        s2.start()
        try:
            time.sleep(3)
            assert box.count(email) == 1
        finally:
            s2.stop_clean()
    finally:
        box.stop()


def test_mail_waits_for_the_smtp_server_and_is_not_sent_twice_after_a_restart():
    port = free_port()  # nothing listens here yet
    tmp = tempfile.mkdtemp(prefix="kengash-smtp-down-")
    args = ["--smtp", "smtp://127.0.0.1:%d" % port, "--mail-retry", "1"]
    s = Server(tmp, args)
    email = new_email()
    s.user_add(email, "citizen")
    s.start()
    box = None
    try:
        request_reset(s.client(), email)
        # let at least one attempt fail
        end = time.time() + 20
        while not any("mail attempt failed" in line for line in s.stderr_lines):
            assert time.time() < end, "".join(s.stderr_lines)[-3000:]
            time.sleep(0.1)
        box = Mailbox(port)
        mail = box.wait_for(email, timeout=30)
        token = token_of(mail)
        log = s.stop_clean()
        assert email not in log and token not in log  # no personal data or secrets in logs

        # a restart does not send it again
        s2 = Server(tmp, args)
        s2.start()
        try:
            time.sleep(3)
            assert box.count(email) == 1
            # and the link still works on the restarted server
            assert s2.client().post("/api/v1/password-resets/" + token,
                                    {"password": NEW_PASSWORD}).status == 204
        finally:
            s2.stop_clean()
    finally:
        if s.proc:
            s.stop()
        if box:
            box.stop()

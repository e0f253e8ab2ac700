"""Area alerts: anyone subscribes an e-mail address to an area (double
opt-in), gets one e-mail when a discussion is announced in it and none when
outside, unsubscribes in one click (RFC 8058), manages the subscription,
and the weekly digest survives a SIGKILL in the middle without sending
anything twice. Real server, real SMTP listener (conftest.Mailbox)."""
import math
import re
import signal
import subprocess
import tempfile
import time
import uuid

from conftest import BIN, MODERATOR, Server, problem
from test_discussions import create, square

# The alerts' own corner of the map, far from the other tests' territories.
CENTER = [49.40, 55.60]


def new_email():
    return "alert-%s@example.org" % uuid.uuid4().hex[:12]


def subscribe(c, email, status=202, **over):
    body = {"email": email, "center": CENTER, "radius_m": 1000}
    body.update(over)
    body = {k: v for k, v in body.items() if v is not None}
    r = c.post("/api/v1/alerts", body)
    assert r.status == status, r
    return r


def confirm_token(mailbox, email):
    m = mailbox.wait_for(email, lambda m: "#confirm=" in m["text"])
    return re.search(r"#confirm=([A-Za-z0-9_-]+)", m["text"]).group(1)


def subscribed(c, mailbox, email, **over):
    """Subscribes and confirms: the manage token the confirmation returns."""
    subscribe(c, email, **over)
    r = c.post("/api/v1/alert-confirmations/" + confirm_token(mailbox, email))
    assert r.status == 200, r
    assert r.json["confirmed_at"] and r.json["email"] == email
    return r.json["token"]


def announce(mod, territory, title):
    d = create(mod, territory=territory, title=title)
    r = mod.post("/api/v1/discussions/%d/transitions" % d["id"], {"to": "announced"})
    assert r.status == 200, r
    return d


def alerts_to(mailbox, email):
    with mailbox.cond:
        return [m for m in mailbox.messages if email in m["to"] and "#confirm=" not in m["text"]]


def inside(d=0.002):
    return square(CENTER[0] - d / 2, CENTER[1] - d / 2, d)


def test_double_opt_in_then_one_alert_inside_and_none_outside(anon, mod, mailbox):
    email = new_email()
    tag = uuid.uuid4().hex[:8]
    r = subscribe(anon, email)
    assert r.json == {"status": "confirmation_sent"}
    token = confirm_token(mailbox, email)
    # not confirmed yet: a discussion inside the area sends nothing
    before = announce(mod, inside(), "До подтверждения " + tag)
    r = anon.post("/api/v1/alert-confirmations/" + token)
    assert r.status == 200, r
    assert r.json["kind"] == "point" and r.json["radius_m"] == 1000
    assert r.json["events"] == ["announced", "open", "concluded"] and r.json["rhythm"] == "instant"
    assert r.json["area"]["type"] == "Polygon"
    ring = r.json["area"]["coordinates"][0]
    assert len(ring) == 33 and ring[0] == ring[-1]
    for lon, lat in ring:  # every vertex 1000 m from the centre, within 1 %
        dx = (lon - CENTER[0]) * 111320 * math.cos(math.radians(CENTER[1]))
        dy = (lat - CENTER[1]) * 111320
        assert abs(math.hypot(dx, dy) - 1000) < 10, (lon, lat)
    problem(anon.post("/api/v1/alert-confirmations/" + token), 410)  # single use
    outside = announce(mod, square(49.60, 55.70), "Снаружи " + tag)
    inner = announce(mod, inside(), "Внутри " + tag)
    m = mailbox.wait_for(email, lambda m: ("Внутри " + tag) in m["subject"])
    assert "объявлено обсуждение" in m["subject"]
    assert "/discussion.html?id=%d" % inner["id"] in m["text"]
    assert "#manage=" in m["text"] and "#unsubscribe=" in m["text"]
    assert re.fullmatch(r"<http://127\.0\.0\.1:8080/api/v1/alerts/[A-Za-z0-9_-]{43}/unsubscribe>",
                        m["msg"]["List-Unsubscribe"]), m["msg"]["List-Unsubscribe"]
    assert m["msg"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # events are handled in order: the two before it are done by now
    got = [g["subject"] for g in alerts_to(mailbox, email) if tag in g["subject"]]
    assert got == [m["subject"]], got
    assert before["title"] not in m["text"] and outside["title"] not in m["text"]


def one_click(c, url, status=200):
    path = url.strip("<>").split("127.0.0.1:8080", 1)[1]
    r = c.raw("POST", path, b"List-Unsubscribe=One-Click",
              {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == status, r
    return r


def test_one_click_unsubscribe_stops_the_mail(server, anon, mod, mailbox):
    victim, control = new_email(), new_email()
    tag = uuid.uuid4().hex[:8]
    manage = subscribed(anon, mailbox, victim)
    subscribed(anon, mailbox, control)
    announce(mod, inside(), "Первое " + tag)
    m = mailbox.wait_for(victim, lambda m: tag in m["subject"])
    url = m["msg"]["List-Unsubscribe"]
    # a browser opening the URL gets the page with the button: no change
    r = anon.get(url.strip("<>").split("127.0.0.1:8080", 1)[1])
    assert r.status == 303 and r.header("Location").startswith("/alerts.html#unsubscribe=")
    assert anon.get("/api/v1/alerts/" + manage).status == 200
    # a mail provider posts the one-click body, without a cookie
    assert one_click(anon, url).json == {"status": "unsubscribed"}
    one_click(anon, url, 410)
    problem(anon.get("/api/v1/alerts/" + manage), 410)
    announce(mod, inside(), "Второе " + tag)
    mailbox.wait_for(control, lambda m: ("Второе " + tag) in m["subject"])
    assert [g["subject"] for g in alerts_to(mailbox, victim) if "Второе" in g["subject"]] == []
    # the address is gone with the subscription
    with server.sql() as db:
        assert db.one("SELECT count(*) FROM alert_subscriptions WHERE email = ?", (victim,)) == 0


def test_manage_page_api_changes_events_and_rhythm_and_deletes(anon, mailbox):
    email = new_email()
    token = subscribed(anon, mailbox, email, rhythm="weekly", events=["open"])
    r = anon.get("/api/v1/alerts/" + token)
    assert r.status == 200 and r.header("Cache-Control") == "no-store"
    assert r.json["events"] == ["open"] and r.json["rhythm"] == "weekly"
    r = anon.put("/api/v1/alerts/" + token, {"events": ["announced", "concluded"],
                                             "rhythm": "instant"})
    assert r.status == 200 and r.json["events"] == ["announced", "concluded"]
    problem(anon.put("/api/v1/alerts/" + token, {"events": []}), 422, "events")
    problem(anon.put("/api/v1/alerts/" + token, {"events": ["open"], "rhythm": "daily"}), 422,
            "rhythm")
    problem(anon.put("/api/v1/alerts/" + token, {"events": ["open"]}), 422, "rhythm")
    assert anon.delete("/api/v1/alerts/" + token).status == 204
    problem(anon.delete("/api/v1/alerts/" + token), 410)
    problem(anon.get("/api/v1/alerts/not-a-token"), 410)
    problem(anon.post("/api/v1/alert-confirmations/" + "A" * 43), 410)


def test_bad_subscriptions_are_refused_naming_the_field(anon):
    email = new_email()
    many = {"type": "Polygon", "coordinates": [[[49.4 + 0.01 * (i % 2), 55.6 + 0.0001 * i]
                                                 for i in range(300)] + [[49.4, 55.6]]]}
    bowtie = {"type": "Polygon", "coordinates": [[[49.40, 55.60], [49.42, 55.62], [49.42, 55.60],
                                                   [49.40, 55.62], [49.40, 55.60]]]}
    cases = [
        ({"center": CENTER, "radius_m": 1000}, "email"),
        ({"email": "nobody", "center": CENTER, "radius_m": 1000}, "email"),
        ({"email": "имя@пример.рф", "center": CENTER, "radius_m": 1000}, "email"),
        ({"email": email, "center": CENTER, "radius_m": 199}, "radius_m"),
        ({"email": email, "center": CENTER, "radius_m": 5001}, "radius_m"),
        ({"email": email, "center": CENTER}, "radius_m"),
        ({"email": email, "center": [49.4], "radius_m": 500}, "center"),
        ({"email": email, "center": [200, 55], "radius_m": 500}, "center"),
        ({"email": email, "radius_m": 500}, "area"),
        ({"email": email, "center": CENTER, "radius_m": 500, "polygon": inside()}, "area"),
        ({"email": email, "polygon": inside(), "radius_m": 500}, "radius_m"),
        ({"email": email, "polygon": many}, "polygon"),
        ({"email": email, "polygon": square(49.4, 55.6, 0.0005)}, "polygon"),   # under 1 ha
        ({"email": email, "polygon": square(49.4, 55.6, 0.5)}, "polygon"),      # over 100 km2
        ({"email": email, "polygon": bowtie}, "polygon"),
        ({"email": email, "polygon": {"type": "Point", "coordinates": CENTER}}, "polygon"),
        ({"email": email, "address_id": 999999999, "radius_m": 500}, "address_id"),
        ({"email": email, "address_id": "1", "radius_m": 500}, "address_id"),
        ({"email": email, "center": CENTER, "radius_m": 500, "events": ["built"]}, "events"),
        ({"email": email, "center": CENTER, "radius_m": 500, "events": []}, "events"),
        ({"email": email, "center": CENTER, "radius_m": 500, "rhythm": "daily"}, "rhythm"),
        ({"email": email, "center": CENTER, "radius_m": 500, "name": "x"}, "name"),
    ]
    for body, field in cases:
        problem(anon.post("/api/v1/alerts", body), 422, field)


def test_subscription_around_an_address_of_the_register(server, anon, mailbox):
    from test_addresses import csv_text, kengash_import, new_tag
    street = "улица Оповещений" + new_tag()
    p = kengash_import(server, "alerts-%s.csv" % uuid.uuid4().hex[:6],
                       csv_text([["", "г. Казань, %s, д. 7" % street, CENTER[0], CENTER[1]]]))
    assert p.returncode == 0, p.stderr.decode()
    r = anon.get("/api/v1/addresses?q=" + street + " 7")
    assert r.status == 200 and r.json["items"], r
    hit = r.json["items"][0]
    email = new_email()
    token = subscribed(anon, mailbox, email, center=None, address_id=hit["id"], radius_m=300)
    j = anon.get("/api/v1/alerts/" + token).json
    assert j["kind"] == "address" and j["label"] == hit["address"] and j["radius_m"] == 300
    assert abs(j["center"][0] - CENTER[0]) < 1e-9 and abs(j["center"][1] - CENTER[1]) < 1e-9


def test_an_address_may_have_ten_subscriptions(anon):
    email = new_email()
    for _ in range(10):
        subscribe(anon, email)
    problem(anon.post("/api/v1/alerts", {"email": email, "center": CENTER, "radius_m": 500}),
            422, "email")


def test_subscriptions_per_client_address_are_limited():
    s = Server(tempfile.mkdtemp(prefix="kengash-alerts-limit-"), ["--alerts-limit", "2"])
    s.start()
    try:
        c = s.client()
        subscribe(c, new_email())
        subscribe(c, new_email())
        r = c.post("/api/v1/alerts", {"email": new_email(), "center": CENTER, "radius_m": 500})
        problem(r, 429)
        assert int(r.header("Retry-After")) > 0
    finally:
        s.stop_clean()


# ---- the weekly digest, killed in the middle ----

N_WEEKLY = 30
HOLD = 12


def count(s, sql):
    with s.sql() as conn:
        return conn.one(sql)


def wait_until(pred, what, timeout=60):
    end = time.time() + timeout
    while not pred():
        if time.time() > end:
            raise AssertionError("never happened: " + what)
        time.sleep(0.1)


def digest(s, *extra):
    return subprocess.Popen([BIN, "alerts", "digest", "--db", s.db] + list(extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_digest_killed_in_the_middle_sends_each_digest_once(mailbox):
    s = Server(tempfile.mkdtemp(prefix="kengash-alerts-digest-"),
               ["--smtp", "smtp://127.0.0.1:%d" % mailbox.port, "--mail-rate", "50"])
    s.user_add(MODERATOR, "moderator", "Модератор")
    s.start()
    try:
        c, mod = s.client(), s.client()
        mod.login(MODERATOR)
        emails = [new_email() for _ in range(N_WEEKLY)]
        for e in emails:
            subscribed(c, mailbox, e, rhythm="weekly", events=["announced"])
        tag = uuid.uuid4().hex[:8]
        announce(mod, inside(), "Неделя " + tag)
        wait_until(lambda: count(s, "SELECT count(*) FROM alert_pending") == N_WEEKLY,
                   "every weekly subscription has the event pending")
        assert all(not alerts_to(mailbox, e) for e in emails)  # weekly: nothing at once

        p = digest(s, "--hold-after", str(HOLD))
        line = p.stdout.readline().decode()
        assert line.startswith("alerts digest: held sent=%d" % HOLD), (line, p.stderr.read())
        # the server keeps serving while the digest runs
        assert c.get("/healthz").status == 200
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        assert count(s, "SELECT count(DISTINCT subscription_id) FROM alert_pending") == \
            N_WEEKLY - HOLD

        p = digest(s)
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and out.decode().strip() == "alerts digest: sent=%d" % (
            N_WEEKLY - HOLD), (out, err.decode()[-3000:])
        p = digest(s)
        out, _ = p.communicate(timeout=120)
        assert out.decode().strip() == "alerts digest: sent=0"

        for e in emails:
            mailbox.wait_for(e, lambda m: "за неделю" in m["subject"], timeout=60)
        wait_until(lambda: count(s, "SELECT count(*) FROM outbox WHERE status = 'pending'")
                   == 0, "the outbox is empty")
        for e in emails:
            got = alerts_to(mailbox, e)
            assert len(got) == 1, (e, [g["subject"] for g in got])
            assert ("Неделя " + tag) in got[0]["text"] and got[0]["msg"]["List-Unsubscribe"]
    finally:
        s.stop_clean()


def test_mail_rate_spaces_the_messages(mailbox):
    s = Server(tempfile.mkdtemp(prefix="kengash-alerts-rate-"),
               ["--smtp", "smtp://127.0.0.1:%d" % mailbox.port, "--mail-rate", "1"])
    s.start()
    try:
        c = s.client()
        emails = [new_email() for _ in range(3)]
        for e in emails:
            subscribe(c, e)
        wait_until(lambda: count(s, "SELECT count(*) FROM outbox WHERE status = 'sent'") == 3,
                   "the three confirmations are sent")
        with s.sql() as conn:
            sent = sorted(t for (t,) in conn.rows("SELECT sent_at FROM outbox WHERE status = 'sent'"))
        # at most one a second: three messages span at least two seconds
        assert len(sent) == 3 and sent[-1] - sent[0] >= 2, sent
    finally:
        s.stop_clean()


def test_the_server_sends_the_weekly_digest_itself_once_a_week(server, anon, mod, mailbox):
    email = new_email()
    tag = uuid.uuid4().hex[:8]
    subscribed(anon, mailbox, email, rhythm="weekly", events=["announced"])
    d = announce(mod, inside(), "Дайджест сервера " + tag)
    sql = "SELECT count(*) FROM alert_pending WHERE discussion_id = %d" % d["id"]
    wait_until(lambda: count(server, sql) == 1, "the event is pending")
    # as if the item were from last week and last week's digest not yet run
    with server.sql() as conn:
        conn.execute("UPDATE alert_pending SET created_at = created_at - 8 * 86400 "
                     "WHERE discussion_id = ?", (d["id"],))
        conn.execute("UPDATE alert_state SET value = 1 WHERE key = 'digest_week'")
    m = mailbox.wait_for(email, lambda m: "за неделю" in m["subject"])
    assert ("Дайджест сервера " + tag) in m["text"] and m["msg"]["List-Unsubscribe"]
    wait_until(lambda: count(server, sql) == 0, "the item is gone with the digest")
    week = count(server, "SELECT value FROM alert_state WHERE key = 'digest_week'")
    assert week > 1 and (week - (4 * 86400 + 8 * 3600)) % (7 * 86400) == 0  # a Monday 08:00 UTC

"""The rights register and telling people about verification, end to end:
`kengash import --layer rights` (a good extract; a bad row named by its line
and nothing loaded; limits; progress on a big file), holder identifiers kept
only as keyed hashes (never in the database file, its WAL or the logs), the
holder key file (made 0600; a readable or short one refused; serve refuses a
key the register was not loaded with), the e-mails sent when a moderator
verifies or refuses a residence or a property (through the real SMTP sink,
every link answering 200), "verified_by": "register" in the API, and the
eligibility reason for a property still waiting."""
import hashlib
import hmac
import os
import re
import stat
import subprocess
import tempfile
import urllib.parse
import uuid

import pytest

from conftest import BIN, PG, Server, problem
from test_discussions import square
from test_eligibility import (INSIDE, LAT, LON, ME_PROPS, ME_RES, add_parcel, elig, new_citizen,
                              open_discussion, spatial_db, street, verify_residence)

SNILS = "123-456-789 01"
SNILS_DIGITS = "12345678901"
# every way the identifier could have been written down or stored
SNILS_FORMS = [SNILS_DIGITS, "123-456-789 01", "123 456 789 01", "123-456-789-01", "123456789 01",
               "123-456-78901", "123-456-789"]
LINK_RE = re.compile(r"https?://[^\s<>\"]+")


def key_args(srv, extra=()):
    """--holder-key-file where it must be named: PostgreSQL has no file beside
    the database (on SQLite the default beside it is what is tested)."""
    return ["--holder-key-file", srv.holder_key] if PG and "--holder-key-file" not in extra else []


def import_rights(srv, csv_text, *extra, encoding="utf-8"):
    """Runs `kengash import --layer rights` on csv_text into srv's database
    (a Server, started or not); returns the process."""
    fd, path = tempfile.mkstemp(prefix="rights-", suffix=".csv")
    with os.fdopen(fd, "wb") as f:
        f.write(csv_text.encode(encoding) if isinstance(csv_text, str) else csv_text)
    try:
        return subprocess.run([BIN, "import", "--db", srv.db, "--layer", "rights", *key_args(srv, extra), *extra, path],
                              capture_output=True, timeout=300)
    finally:
        os.unlink(path)


def key_of(srv):
    with open(srv.holder_key, "rb") as f:
        return f.read()


def hashed(key, digits):
    return hmac.new(key, digits.encode(), hashlib.sha256).digest()


def register_rows(srv):
    with srv.sql() as conn:
        return sorted((n, bytes(h)) for n, h in conn.rows("SELECT cadastral_number, holder_hash FROM rights_register"))


def cadastral():
    return "16:50:%06d:%d" % (uuid.uuid4().int % 10**6, uuid.uuid4().int % 1000 + 1)


def tmp_db():
    """A database of its own (not started): its .db, .holder_key, .sql()."""
    return Server(tempfile.mkdtemp(prefix="kengash-rights-"))


# ---- the key file ----

def test_serve_made_the_key_file_0600_next_to_the_database(server):
    if not PG:
        assert server.holder_key == server.db + ".holder-key"
    st = os.stat(server.holder_key)
    assert stat.S_IMODE(st.st_mode) == 0o600 and st.st_size == 32


def test_import_makes_a_missing_key_0600_and_refuses_a_readable_or_short_one():
    db = tmp_db()
    p = import_rights(db, "cadastral_number,holder_id\n16:50:011101:1,%s\n" % SNILS)
    assert p.returncode == 0, p.stderr.decode()
    key = db.holder_key
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600 and os.path.getsize(key) == 32
    os.chmod(key, 0o644)
    for cmd in (["import", "--db", db.db, "--layer", "rights", "/dev/null"],
                ["serve", "--db", db.db, "--listen", "127.0.0.1:0", "--files", db.files]):
        p = subprocess.run([BIN, *cmd, *key_args(db)], capture_output=True, timeout=60)
        assert p.returncode != 0
        err = p.stderr.decode()
        assert "holder key file" in err and "chmod 600" in err and key in err, err
    # too short, given with --holder-key-file
    short = os.path.join(db.tmp, "short-key")
    with open(short, "wb") as f:
        f.write(b"x" * 16)
    os.chmod(short, 0o600)
    p = import_rights(db, "cadastral_number,holder_id\n", "--holder-key-file", short)
    assert p.returncode != 0 and b"too short" in p.stderr, p.stderr
    # nothing changed in the register
    assert len(register_rows(db)) == 1


def test_serve_refuses_a_key_other_than_the_one_the_register_was_loaded_with():
    db = tmp_db()
    assert import_rights(db, "cadastral_number,holder_id\n16:50:011101:1,%s\n" % SNILS).returncode == 0
    other = os.path.join(db.tmp, "other-key")
    p = subprocess.run([BIN, "serve", "--db", db.db, "--listen", "127.0.0.1:0", "--files", db.files,
                        "--holder-key-file", other], capture_output=True, timeout=60)
    assert p.returncode != 0
    assert b"loaded with another holder key" in p.stderr, p.stderr
    assert stat.S_IMODE(os.stat(other).st_mode) == 0o600   # made, as asked, but not used
    # with its own key it starts (and stops cleanly)
    db.start()
    db.stop_clean()


# ---- the import ----

def test_good_extract_loads_hashes_only(server):
    a, b, c = cadastral(), cadastral(), cadastral()
    text = ("\ufeffcadastral_number,holder_id\r\n"          # a BOM and CRLF, as spreadsheets write
            "%s,%s\r\n"
            "\"%s\",\"123 456 789 01\"\r\n"                  # quoted; the same person, another spelling
            "\r\n"                                           # a blank line
            "%s,\"7707083893\"\r\n"                          # an INN
            "%s , 123-456-789 01 \r\n"                       # spaces around
            "%s,%s\r\n") % (a, SNILS, b, c, a, a, SNILS)     # the same pair again
    p = import_rights(server, text)
    out, err = p.stdout.decode(), p.stderr.decode()
    assert p.returncode == 0, err
    assert "imported 5 rows into rights" in out and "counted once" in out, out
    key = key_of(server)
    assert sorted(register_rows(server)) == sorted([
        (a, hashed(key, SNILS_DIGITS)), (b, hashed(key, SNILS_DIGITS)), (c, hashed(key, "7707083893"))])
    # the register's numbers are not parcels yet: said so
    assert "missing from the parcels layer" in out
    for form in SNILS_FORMS:
        assert form not in out and form not in err


def stored_bytes(server):
    """What the database holds, as bytes: on SQLite its file, WAL and shared
    memory; on PostgreSQL (no file of its own) every row of every table of
    the database, text as UTF-8 and binary as it is."""
    blobs = b""
    if not PG:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(server.db + suffix):
                with open(server.db + suffix, "rb") as f:
                    blobs += f.read()
        return blobs
    parts = []
    with server.sql() as conn:
        tables = conn.rows("SELECT table_schema, table_name FROM information_schema.tables WHERE "
                           "table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')")
        assert ("public", "rights_register") in tables, tables
        for schema, table in tables:
            for row in conn.rows('SELECT * FROM "%s"."%s"' % (schema, table)):
                for v in row:
                    if isinstance(v, (bytes, memoryview)):
                        parts.append(bytes(v))
                    elif v is not None:
                        parts.append(str(v).encode())
    return b"\0".join(parts)


def test_holder_identifiers_are_nowhere_in_the_database_wal_or_logs(server):
    snils = "987-654-321 09"
    digits = "98765432109"
    forms = [digits, snils, "987 654 321 09", "987-654-321-09", "987654321 09", "987-654-321"]
    text = "cadastral_number,holder_id\n%s,%s\n%s,%s\n%s,\"987 654 321 09\"\n" % (
        cadastral(), snils, cadastral(), digits, cadastral())
    p = import_rights(server, text)
    assert p.returncode == 0, p.stderr.decode()
    # the running server reads the register too (it has the file open)
    assert server.client().get("/healthz").status == 200
    blobs = stored_bytes(server)
    assert len(blobs) > 100000
    # the hashes are there; no spelling of the identifier is, in UTF-8 or UTF-16
    assert hashed(key_of(server), digits) in blobs
    for form in forms + SNILS_FORMS:
        for enc in ("utf-8", "utf-16-le", "utf-16-be"):
            assert form.encode(enc) not in blobs, (form, enc)
    log = "".join(server.stderr_lines) + p.stdout.decode() + p.stderr.decode()
    for form in forms + SNILS_FORMS:
        assert form not in log, form


def test_bad_row_is_reported_by_line_and_nothing_is_loaded(server):
    good = "cadastral_number,holder_id\n%s,%s\n" % (cadastral(), SNILS)
    assert import_rights(server, good).returncode == 0
    before = register_rows(server)
    secret = "111-222-33"               # a SNILS with three digits missing
    cases = [
        # (file, line, words in the message)
        ("cadastral_number,holder_id\n%s,%s\n%s,%s\n%s,%s\n" % (
            cadastral(), SNILS, cadastral(), SNILS, cadastral(), "12-34"), 4, "holder_id"),
        ("cadastral_number,holder_id\n%s,%s\n16:50:1:1,%s\n" % (cadastral(), SNILS, SNILS), 3,
         "cadastral_number"),
        ("cadastral_number,holder_id\n%s,%s\n%s,%s,extra\n" % (cadastral(), SNILS, cadastral(), SNILS), 3,
         "more than two fields"),
        ("cadastral_number,holder_id\n%s\n" % cadastral(), 2, "expected two fields"),
        ("cadastral_number,holder_id\n%s,\"%s\n" % (cadastral(), SNILS), 2, "not closed"),
        ("cadastral_number,holder_id\n%s,12\"3\n" % cadastral(), 2, "quote inside an unquoted field"),
        ("cadastral_number,holder_id\n%s,\"%s\"x\n" % (cadastral(), SNILS), 2, "closing quote"),
        ("cadastral_number,holder_id\n%s,%s\n%s,\n" % (cadastral(), SNILS, cadastral()), 3, "holder_id"),
        ("cadastral_number,holder\n%s,%s\n" % (cadastral(), SNILS), 1, "header"),
        ("", 1, "header"),
        ("cadastral_number,holder_id\n%s,\"%s\nмногострочный\"\n%s,%s\n" % (cadastral(), SNILS, cadastral(), secret),
         2, "holder_id"),
        ("cadastral_number,holder_id\n%s,%s\n" % (cadastral(), secret), 2, "holder_id"),
    ]
    for text, line, words in cases:
        p = import_rights(server, text)
        err = p.stderr.decode()
        assert p.returncode == 1, (text, err)
        assert "line %d" % line in err and words in err and "nothing was imported" in err, (text, err)
        assert secret not in err and SNILS not in err and "12-34" not in err, err
        assert register_rows(server) == before
    # a record over several lines is reported where it starts; lines after it count on
    text = "cadastral_number,holder_id\n\"%s\",\"%s\"\n%s,\"a\nb\"\n%s,x\n" % (cadastral(), SNILS, cadastral(), cadastral())
    err = import_rights(server, text).stderr.decode()
    assert "line 3" in err, err
    # not UTF-8
    p = import_rights(server, ("cadastral_number,holder_id\n%s,%s\n" % (cadastral(), SNILS)).encode() +
                      b"16:50:011101:1,\xff\xfe\n")
    assert p.returncode == 1 and b"line 3" in p.stderr and b"UTF-8" in p.stderr, p.stderr
    assert register_rows(server) == before


def test_too_long_fields_are_refused(server):
    before = register_rows(server)
    for text, words in [
        ("cadastral_number,holder_id\n%s,%s\n" % (cadastral(), "1" * 300), "field 2 is longer than 256 bytes"),
        ("cadastral_number,holder_id\n%s,\"%s\"\n" % (cadastral(), " " * 257), "field 2 is longer than 256 bytes"),
        ("cadastral_number,holder_id\n%s,%s\n" % ("1" * 257, SNILS), "field 1 is longer than 256 bytes"),
        # within the field limit, over the column's
        ("cadastral_number,holder_id\n%s,%s\n" % ("16:50:011101:" + "1" * 30, SNILS), "cadastral_number"),
        ("cadastral_number,holder_id\n%s,%s\n" % (cadastral(), "-" * 60 + SNILS), "holder_id"),
    ]:
        p = import_rights(server, text)
        assert p.returncode == 1 and "line 2" in p.stderr.decode() and words in p.stderr.decode(), p.stderr
    assert register_rows(server) == before


def test_big_extract_reports_progress_and_replaces_the_register():
    db = tmp_db()
    n = 120000
    rows = ["cadastral_number,holder_id"] + [
        "16:50:%06d:%d,%03d-%03d-%03d %02d" % (i % 1000000, i % 7 + 1, i // 1000000, (i // 1000) % 1000,
                                               i % 1000, i % 100) for i in range(n)]
    p = import_rights(db, "\n".join(rows) + "\n")
    err = p.stderr.decode()
    assert p.returncode == 0, err
    assert "kengash import: 100000 rows read" in err, err
    assert "imported %d rows into rights" % n in p.stdout.decode()
    with db.sql() as conn:
        assert conn.one("SELECT count(*) FROM rights_register") == n
        # the lookup at sign-in uses the holder index
        plan = " ".join(str(r[-1]) for r in conn.rows(
            ("EXPLAIN " if PG else "EXPLAIN QUERY PLAN ") +
            "SELECT cadastral_number FROM rights_register WHERE holder_hash = ?", (b"x" * 32,)))
        assert "rights_register_holder" in plan, plan
    # a new extract replaces the old one
    assert import_rights(db, "cadastral_number,holder_id\n16:50:011101:1,%s\n" % SNILS).returncode == 0
    assert len(register_rows(db)) == 1


# ---- "verified_by": "register" in the API ----

def test_property_verified_by_the_register_shows_so(server, mod):
    c = new_citizen(server)
    number = cadastral()
    x, y = LON + 0.001, LAT + 0.001
    add_parcel(server, number, "POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))" % (
        x, y, x + 0.001, y, x + 0.001, y + 0.001, x, y + 0.001, x, y))
    r = c.post(ME_PROPS, {"cadastral_number": number})
    assert r.status == 201, r
    # what kg_store_rights_verify_holder writes at a sign-in that attests the
    # holder (the sign-in itself is the identity provider's test)
    with spatial_db(server) as conn:
        conn.execute("UPDATE properties SET verified = 1, verified_by = 'register', verified_at = 1800000000, "
                     "verifier_id = NULL WHERE id = ?", (r.json["id"],))
    items = c.get(ME_PROPS).json["items"]
    assert [(i["verified"], i["verified_by"], i["status"]) for i in items] == [(True, "register", "verified")]
    did = open_discussion(mod, square(LON, LAT))
    j = elig(c, did)
    assert j["eligible"] is True and j["basis"] == "rightholder", j


# ---- the eligibility reason ----

def test_verified_residence_outside_and_pending_property_inside_names_the_property(server, mod):
    did = open_discussion(mod, square(LON, LAT))
    c = new_citizen(server)
    r = c.put(ME_RES, {"address": "г. Казань, %s, 1" % street(),
                       "location": {"type": "Point", "coordinates": [LON + 0.1, LAT]}})
    assert r.status == 200, r
    verify_residence(mod, c)
    assert elig(c, did)["reason_code"] == "outside"
    number = cadastral()
    x, y = INSIDE
    add_parcel(server, number, "POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))" % (
        x, y, x + 0.001, y, x + 0.001, y + 0.001, x, y + 0.001, x, y))
    p = c.post(ME_PROPS, {"cadastral_number": number})
    assert p.status == 201, p
    j = elig(c, did)
    assert j["eligible"] is False and j["basis"] is None, j
    assert j["reason_code"] == "property_not_verified", j
    assert j["reason"] == "Ваш земельный участок или объект недвижимости ещё не подтверждён модератором"
    # proposals are refused with the same words
    r = c.post("/api/v1/discussions/%d/comments" % did, {"kind": "proposal", "body": "Предложение"})
    assert problem(r, 403)["detail"] == j["reason"]
    assert mod.post("/api/v1/accounts/%d/properties/%d/verification" % (c.account_id, p.json["id"]),
                    {"verified": True}).status == 200
    j = elig(c, did)
    assert j["eligible"] is True and j["basis"] == "rightholder" and j["reason_code"] == "eligible", j


# ---- the e-mails ----

def links_answer_200(server, text):
    links = LINK_RE.findall(text)
    assert links, text
    for link in links:
        u = urllib.parse.urlsplit(link)   # links end their lines: no punctuation to strip
        assert u.path.endswith(".html"), link
        r = server.client().get(u.path)
        assert r.status == 200, (link, r)
    return {urllib.parse.urlsplit(link).path for link in links}


def verification_mails(mailbox, to):
    """Mails to `to` other than the sign-up's address confirmation (test_notify.py)."""
    with mailbox.cond:
        return sum(1 for m in mailbox.messages
                   if to in m["to"] and not m["subject"].startswith("Подтвердите электронную почту"))


def email_of(server, c):
    with server.sql() as conn:
        return conn.one("SELECT email FROM accounts WHERE id = ?", (c.account_id,))


def test_property_verified_and_refused_mails_arrive_with_working_links(server, mod, mailbox):
    c = new_citizen(server)
    to = email_of(server, c)
    ids = {}
    for n in (1, 2):
        number = cadastral()
        x, y = LON + 0.01 * n, LAT + 0.2
        add_parcel(server, number, "POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))" % (
            x, y, x + 0.001, y, x + 0.001, y + 0.001, x, y + 0.001, x, y))
        r = c.post(ME_PROPS, {"cadastral_number": number})
        assert r.status == 201, r
        ids[n] = (r.json["id"], number)
    url = "/api/v1/accounts/%d/properties/%d/verification"
    assert mod.post(url % (c.account_id, ids[1][0]), {"verified": True, "note": "выписка ЕГРН"}).status == 200
    m = mailbox.wait_for(to, lambda m: ids[1][1] in m["subject"])
    assert m["subject"] == "Ваш объект недвижимости %s подтверждён" % ids[1][1]
    assert "подтвердил ваше право на объект" in m["text"] and "Комментарий модератора: выписка ЕГРН" in m["text"]
    assert {"/properties.html", "/residence.html", "/support.html"} <= links_answer_200(server, m["text"])

    note = "кадастровый номер не совпадает с выпиской"
    assert mod.post(url % (c.account_id, ids[2][0]), {"verified": False, "note": note}).status == 200
    m = mailbox.wait_for(to, lambda m: ids[2][1] in m["subject"])
    assert m["subject"] == "Ваш объект недвижимости %s не подтверждён" % ids[2][1]
    assert "Причина: " + note in m["text"]
    assert "Что можно сделать" in m["text"]
    # no identity provider on this server: no sign-in step offered
    assert "/login.html" not in m["text"] and "учётную запись" not in m["text"]
    assert {"/properties.html", "/residence.html", "/support.html"} <= links_answer_200(server, m["text"])
    assert verification_mails(mailbox, to) == 2
    # the page shows the refusal with the reason
    items = {i["id"]: i for i in c.get(ME_PROPS).json["items"]}
    assert items[ids[2][0]]["status"] == "rejected" and items[ids[2][0]]["note"] == note


def test_residence_verified_and_refused_mails_arrive_with_working_links(server, mod, mailbox):
    c = new_citizen(server)
    to = email_of(server, c)
    assert c.put(ME_RES, {"address": "г. Казань, %s, 2" % street(),
                          "location": {"type": "Point", "coordinates": list(INSIDE)}}).status == 200
    note = "адрес не совпадает с паспортными данными"
    verify_residence(mod, c, False, note)
    m = mailbox.wait_for(to, lambda m: "адрес" in m["subject"])
    assert m["subject"] == "Ваш адрес места жительства не подтверждён"
    assert "Причина: " + note in m["text"]
    # what to do next: correct the address, or take part as a right holder
    assert "правообладатель" in m["text"] and "кадастровый номер" in m["text"]
    assert {"/residence.html", "/properties.html", "/support.html"} <= links_answer_200(server, m["text"])
    verify_residence(mod, c, True)
    m = mailbox.wait_for(to, lambda m: m["subject"] == "Ваш адрес места жительства подтверждён")
    assert "Причина" not in m["text"]
    assert "/residence.html" in m["text"]
    links_answer_200(server, m["text"])
    assert verification_mails(mailbox, to) == 2


def test_refusal_offers_the_state_identity_provider_when_the_site_has_one(mailbox):
    from conftest import MODERATOR
    s = Server(tempfile.mkdtemp(prefix="kengash-rights-"), [
        "--smtp", "smtp://127.0.0.1:%d" % mailbox.port, "--base-url", "https://kengash.example.org/",
        "--oidc-issuer", "https://id.example.org", "--oidc-client-id", "kengash",
        "--oidc-client-secret", "not-a-real-secret", "--oidc-label", "Войти через Госуслуги"])
    to = "refused-%s@example.org" % uuid.uuid4().hex[:8]
    s.user_add(MODERATOR, "moderator", "Модератор")
    s.user_add(to, "citizen", "Отказова Анна")
    s.start()
    try:
        mod, c = s.client(), s.client()
        mod.login(MODERATOR)
        c.login(to)
        me = c.get("/api/v1/me").json
        assert c.put(ME_RES, {"address": "x", "location": {"type": "Point", "coordinates": list(INSIDE)}}).status == 200
        assert mod.post("/api/v1/accounts/%d/residence/verification" % me["id"],
                        {"verified": False, "note": "нет регистрации"}).status == 200
        m = mailbox.wait_for(to)
        assert "кнопка «Войти через Госуслуги» на странице входа" in m["text"], m["text"]
        assert re.search(r"без модератора: https://kengash\.example\.org/login\.html\r?\n", m["text"]), m["text"]
        assert "https://kengash.example.org/properties.html" in m["text"]
        assert {"/residence.html", "/properties.html", "/login.html", "/support.html"} <= links_answer_200(s, m["text"])
    finally:
        s.stop_clean()


def test_no_decision_no_mail(server, mod, mailbox):
    c = new_citizen(server)
    to = email_of(server, c)
    # nothing declared: 404, and no mail is queued
    problem(mod.post("/api/v1/accounts/%d/residence/verification" % c.account_id, {"verified": True}), 404)
    problem(mod.post("/api/v1/accounts/%d/properties/999999/verification" % c.account_id,
                     {"verified": True}), 404)
    with server.sql() as conn:
        # (the sign-up's address confirmation aside: test_notify.py)
        assert conn.one("SELECT count(*) FROM outbox WHERE to_addr = ? AND subject NOT LIKE "
                        "'Подтвердите электронную почту%'", (to,)) == 0


def test_pages_linked_from_the_mails_exist(anon):
    for path in ("/properties.html", "/residence.html", "/login.html", "/support.html"):
        r = anon.get(path)
        assert r.status == 200 and r.header("Content-Type").startswith("text/html"), path

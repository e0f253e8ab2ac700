"""E-mails in the recipient's language (issue 20), over real HTTP and the
real SMTP listener: an account's language is set at sign-up from the `lang`
cookie, else Accept-Language; a Tatar and an English account each get the
receipt of their proposal in their language (subject and text as the
server's string tables say, Content-Language set, no Russian in the
English one but the user's own text and the discussion's title);
PATCH /api/v1/me changes the language and with it the next e-mail;
anything but ru, tt or en is refused naming `language`."""
import os
import re
import sys

from conftest import PASSWORD, ROOT, problem
from test_oidc import env  # noqa: F401 (the fixture of the sign-in test)
from test_comments import discussion, resident, submit

sys.path.insert(0, os.path.join(ROOT, "src", "core"))
import embed_strings  # noqa: E402

TABLES = embed_strings.load([os.path.join(ROOT, "src", "core", "lang", lang, "mail.txt")
                             for lang in embed_strings.LANGS])
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
# Russian letters Tatar does not use: a Tatar text of ours has none of these words
RUSSIAN_ONLY = ["Здравствуйте", "зарегистрировано", "Регистрационный номер", "Обсуждение:",
                "Это письмо отправлено"]


def tr(lang, key, **values):
    """The text of key in lang with its placeholders filled (as kg_trf)."""
    return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), m.group(0)),
                  TABLES[lang][key])


def sign_up(server, headers, name="Галиева Алсу"):
    c = server.client()
    c.email = "lang-%s@example.org" % os.urandom(6).hex()
    r = c.post("/api/v1/accounts", {"email": c.email, "password": PASSWORD, "full_name": name,
                                    "consent": True}, headers=headers)
    assert r.status == 201, r
    return r.json["language"]


def test_sign_up_takes_the_lang_cookie_else_accept_language(server):
    assert sign_up(server, {"Cookie": "lang=tt"}) == "tt"
    assert sign_up(server, {"Cookie": "lang=en", "Accept-Language": "tt"}) == "en"
    assert sign_up(server, {"Accept-Language": "de-DE, en-GB;q=0.8, tt;q=0.5"}) == "en"
    assert sign_up(server, {"Cookie": "lang=fr", "Accept-Language": "tt-RU"}) == "tt"
    assert sign_up(server, {}) == "ru"
    assert sign_up(server, {"Accept-Language": "fr, de;q=0.5"}) == "ru"


def speaker(server, mod, lang):
    """A verified resident whose account speaks lang (set through PATCH /me)."""
    c = resident(server, mod)
    r = c.req("PATCH", "/api/v1/me", {"language": lang})
    assert r.status == 200 and r.json["language"] == lang, r
    assert c.get("/api/v1/me").json["language"] == lang
    return c


def receipt(mailbox, c, j):
    return mailbox.wait_for(c.email, lambda m: j["registration_number"] in m["text"])


def check_receipt(m, lang, d, j, body):
    t = m["text"].replace("\r\n", "\n")
    assert m["subject"] == tr(lang, "mail.receipt.subject", title=d["title"]), m["subject"]
    assert m["msg"]["Content-Language"] == lang
    # the fixed parts of the text, around the values
    assert tr(lang, "mail.receipt.kind.proposal") in t
    assert tr(lang, "mail.receipt.basis.resident") in t
    assert tr(lang, "mail.auto") in t
    head = tr(lang, "mail.receipt.body").split("{")[0]
    assert t.startswith(head), t
    assert j["registration_number"] in t and body in t
    # the time of registration: UTC, minutes, in every language
    assert re.search(r": 20\d\d-\d\d-\d\d \d\d:\d\d UTC\n", t), t
    return t


def test_receipts_come_in_the_accounts_language_and_follow_its_change(server, mod, mailbox):
    d = discussion(mod)
    tt, en = speaker(server, mod, "tt"), speaker(server, mod, "en")
    body = "Скверны саклагыз <b>и</b> & the lime trees"
    jt = submit(tt, d["id"], body=body)
    je = submit(en, d["id"], body=body)
    t = check_receipt(receipt(mailbox, tt, jt), "tt", d, jt, body)
    for w in RUSSIAN_ONLY:
        assert w not in t, (w, t)
    assert "Исәнмесез!" in t and "Теркәү номеры: " + jt["registration_number"] in t
    e = check_receipt(receipt(mailbox, en, je), "en", d, je, body)
    assert "Registration number: " + je["registration_number"] in e
    # no Russian but what the people wrote: the proposal and the title
    rest = e.replace(body, "").replace(d["title"], "")
    assert not CYRILLIC.search(rest), rest

    # the language changes: the next e-mail follows
    r = en.req("PATCH", "/api/v1/me", {"language": "ru"})
    assert r.status == 200 and r.json["language"] == "ru", r
    j2 = submit(en, d["id"], body="Второе предложение")
    m = receipt(mailbox, en, j2)
    assert m["subject"] == tr("ru", "mail.receipt.subject", title=d["title"])
    assert m["msg"]["Content-Language"] == "ru"
    assert "Время регистрации: 20" in m["text"]


def test_moderation_mail_in_tatar_with_the_reason_unchanged(server, mod, mailbox):
    d = discussion(mod)
    c = speaker(server, mod, "tt")
    j = submit(c, d["id"])
    r = mod.post("/api/v1/comments/%d/moderation" % j["id"],
                 {"decision": "reject", "reason": "Не относится к предмету обсуждения"})
    assert r.status == 200, r
    want = tr("tt", "mail.moderation.subject_rejected", regno=j["registration_number"])
    m = mailbox.wait_for(c.email, lambda m: m["subject"] == want)
    t = m["text"].replace("\r\n", "\n")
    assert tr("tt", "mail.moderation.rejected") in t
    assert "Не относится к предмету обсуждения" in t  # the moderator's words as written
    assert m["msg"]["Content-Language"] == "tt"


def test_language_is_ru_tt_or_en_and_the_field_is_named(server, mod):
    c = resident(server, mod)
    for bad in ("fr", "TT", "", "en-GB", 7, ["tt"]):
        problem(c.req("PATCH", "/api/v1/me", {"language": bad}), 422, "language")
    problem(c.req("PATCH", "/api/v1/me", {"lang": "tt"}), 422)      # unknown member
    assert c.get("/api/v1/me").json["language"] == "ru"              # nothing changed
    # an empty object, or null (absent, as everywhere), changes nothing and shows the account
    for same in ({}, {"language": None}):
        r = c.req("PATCH", "/api/v1/me", same)
        assert r.status == 200 and r.json["language"] == "ru" and r.json["email"] == c.email, r
    problem(server.client().req("PATCH", "/api/v1/me", {"language": "tt"}), 401)
    c.csrf, csrf = None, c.csrf
    problem(c.req("PATCH", "/api/v1/me", {"language": "tt"}), 403)
    c.csrf = csrf


def test_signing_in_sets_the_lang_cookie_unless_the_browser_has_chosen(server, mod):
    c = speaker(server, mod, "en")
    fresh = server.client()
    r = fresh.post("/api/v1/session", {"email": c.email, "password": PASSWORD})
    assert r.status == 200 and r.json["account"]["language"] == "en", r
    langs = [v for v in r.headers_all("Set-Cookie") if v.startswith("lang=")]
    assert len(langs) == 1 and langs[0].startswith("lang=en; Path=/;"), langs
    assert "HttpOnly" not in langs[0]   # web/js/lang.js reads it
    # a browser that chose a language (the switch's cookie) keeps it
    chose = server.client()
    r = chose.post("/api/v1/session", {"email": c.email, "password": PASSWORD},
                   headers={"Cookie": "lang=tt"})
    assert r.status == 200, r
    assert not [v for v in r.headers_all("Set-Cookie") if v.startswith("lang=")]
    assert chose.get("/api/v1/me").json["language"] == "en"   # nor is the account changed


def test_an_area_alert_speaks_the_language_of_the_page_it_was_made_on(anon, mod, mailbox):
    from test_alerts import announce, new_email
    from test_discussions import square
    center = [49.47, 55.66]  # a corner of its own, away from test_alerts.py's
    email = new_email()
    r = anon.post("/api/v1/alerts", {"email": email, "center": center, "radius_m": 500},
                  headers={"Cookie": "lang=en"})
    assert r.status == 202, r
    m = mailbox.wait_for(email, lambda m: "#confirm=" in m["text"])
    assert m["subject"] == tr("en", "mail.alert_confirm.subject")
    assert m["msg"]["Content-Language"] == "en"
    assert not CYRILLIC.search(m["text"]), m["text"]
    token = re.search(r"#confirm=([A-Za-z0-9_-]+)", m["text"]).group(1)
    # confirmed from a Russian page: the subscription keeps its language
    assert anon.post("/api/v1/alert-confirmations/" + token,
                     headers={"Cookie": "lang=ru"}).status == 200
    d = announce(mod, square(center[0] - 0.001, center[1] - 0.001, 0.002),
                 "Сквер у озера " + os.urandom(3).hex())
    a = mailbox.wait_for(email, lambda m: d["title"] in m["subject"])
    assert a["subject"] == d["title"] + ": " + tr("en", "mail.alert.status.announced")
    assert a["msg"]["Content-Language"] == "en"
    assert tr("en", "mail.alert.intro").strip() in a["text"].replace("\r\n", "\n")
    assert not CYRILLIC.search(a["text"].replace(d["title"], "")), a["text"]


def test_first_sign_in_through_the_identity_provider_takes_the_lang_cookie(env):  # noqa: F811
    """On test_oidc.py's server and provider (its fixture env)."""
    from oidc_util import provider_login
    from test_oidc import begin
    c = env.server.client()
    back = provider_login(begin(env, c), "resident")
    r = c.raw("GET", back[len(env.base):],
              headers={"Cookie": "oidc_state=%s; lang=tt" % c.oidc_state})
    assert r.status == 303 and c.cookie, r
    # the browser has chosen: its cookie stays, and the new account speaks it
    assert not [v for v in r.headers_all("Set-Cookie") if v.startswith("lang=")]
    assert c.get("/api/v1/me").json["language"] == "tt"

"""Atom feeds (RFC 4287) over real HTTP: every feed parses with a real
feed parser (Debian python3-feedparser) and validates against RFC 4287's
RELAX NG schema (tests/api/atom.rnc, converted with python3-rnc2rng and
checked with python3-lxml); a new discussion appears in the area feed that
covers it and not in the others; the comments and news feeds; the limits
on the parameters; the news API."""
import os
import re
import urllib.parse

import feedparser
import lxml.etree as et
import pytest
import rnc2rng

from conftest import problem
from test_comments import discussion, moderate, resident, submit
from test_discussions import square

ATOM = "{http://www.w3.org/2005/Atom}"
HERE = os.path.dirname(os.path.abspath(__file__))
# three places no other test uses, far apart
ZELENODOLSK = (48.48, 55.84)
ALMETYEVSK = (52.29, 54.90)
CHISTOPOL = (50.63, 55.36)


@pytest.fixture(scope="module")
def schema():
    rng = rnc2rng.dumps(rnc2rng.load(os.path.join(HERE, "atom.rnc")))
    # rnc2rng declares `namespace local = ""` as xmlns:local="", which XML
    # forbids; the schema refers to it only as <nsName ns=""/>
    rng = rng.replace('xmlns:local=""', "")
    return et.RelaxNG(et.fromstring(rng.encode()))


def fetch(client, schema, path):
    """GETs a feed; checks the type, the schema, the parser and the rules
    RELAX NG cannot say; returns (feedparser result, lxml root)."""
    r = client.get(path)
    assert r.status == 200, r
    assert r.header("Content-Type") == "application/atom+xml; charset=utf-8"
    root = et.fromstring(r.body)
    assert schema.validate(root), schema.error_log
    # RFC 4287 4.1.1: a feed without an author needs one in every entry
    assert root.find(ATOM + "author") is not None or all(
        e.find(ATOM + "author") is not None for e in root.iter(ATOM + "entry"))
    ids = [e.findtext(ATOM + "id") for e in root.iter(ATOM + "entry")]
    assert len(ids) == len(set(ids))
    f = feedparser.parse(r.body)
    assert f.bozo == 0, f.bozo_exception
    assert f.version == "atom10"
    for e in f.entries:
        assert e.id and e.updated_parsed and e.link
    return f, root


def entry_ids(f):
    return [e.id for e in f.entries]


def did_of(e):
    q = urllib.parse.urlsplit(e.link).query
    return int(urllib.parse.parse_qs(q)["id"][0])


def test_area_feeds_have_the_new_discussion_that_they_cover_and_only_there(anon, mod, schema):
    d = discussion(mod, "announced", territory=square(*ZELENODOLSK))
    other = discussion(mod, "announced", territory=square(*ALMETYEVSK))
    lon, lat = ZELENODOLSK

    def ids(path):
        f, _ = fetch(anon, schema, path)
        return [did_of(e) for e in f.entries]

    assert d["id"] in ids("/feeds/discussions.atom")
    bbox = "%f,%f,%f,%f" % (lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05)
    got = ids("/feeds/discussions.atom?bbox=" + bbox)
    assert d["id"] in got and other["id"] not in got
    got = ids("/feeds/discussions.atom?bbox=%f,%f,%f,%f" % (ALMETYEVSK[0] - .05, ALMETYEVSK[1] - .05,
                                                              ALMETYEVSK[0] + .05, ALMETYEVSK[1] + .05))
    assert other["id"] in got and d["id"] not in got
    # near: the territory is 0.005 deg square from (lon, lat); 0.02 deg of
    # latitude south is about 2.2 km away from its edge
    got = ids("/feeds/discussions.atom?near=%f,%f&r=500" % (lon + 0.002, lat + 0.002))
    assert d["id"] in got and other["id"] not in got
    assert d["id"] not in ids("/feeds/discussions.atom?near=%f,%f&r=1500" % (lon, lat - 0.02))
    assert d["id"] in ids("/feeds/discussions.atom?near=%f,%f&r=3000" % (lon, lat - 0.02))
    assert ids("/feeds/discussions.atom?near=%f,%f&r=1000" % CHISTOPOL) == []


def test_stage_feed_and_stable_entries(anon, mod, schema):
    a = discussion(mod, "announced", territory=square(*CHISTOPOL))
    o = discussion(mod, "open", territory=square(*CHISTOPOL))
    f, root = fetch(anon, schema, "/feeds/discussions.atom?status=open")
    got = [did_of(e) for e in f.entries]
    assert o["id"] in got and a["id"] not in got
    assert all(e.tags[0].term == "open" for e in f.entries)
    e1 = next(e for e in f.entries if did_of(e) == o["id"])
    assert e1.id.endswith("/discussion.html?id=%d" % o["id"])
    assert o["title"] in e1.title
    # the same entry keeps its id; its updated moves with the stage
    assert mod.post("/api/v1/discussions/%d/transitions" % o["id"], {"to": "closed"}).status == 200
    f2, _ = fetch(anon, schema, "/feeds/discussions.atom?bbox=50.6,55.3,50.7,55.4")
    e2 = next(e for e in f2.entries if did_of(e) == o["id"])
    assert e2.id == e1.id and e2.updated_parsed >= e1.updated_parsed
    assert root.find(ATOM + "link[@rel='self']").get("href").endswith(
        "/feeds/discussions.atom?status=open")


@pytest.mark.parametrize("query,field", [
    ("bbox=1,2,3", "bbox"), ("bbox=10,10,0,0", "bbox"), ("bbox=a,b,c,d", "bbox"),
    ("near=49.1,55.7", "r"), ("r=100", "r"), ("near=49.1,55.7&r=0", "r"),
    ("near=49.1,55.7&r=50001", "r"), ("near=49.1,55.7&r=1.5", "r"), ("near=49.1,55.7&r=x", "r"),
    ("near=200,55&r=10", "near"), ("near=49.1&r=10", "near"), ("near=49.1,95&r=10", "near"),
    ("near=nan,1&r=10", "near"), ("bbox=0,0,1,1&near=0.5,0.5&r=10", "near"),
    ("status=draft", "status"), ("status=bogus", "status"), ("colour=red", "colour"),
    ("status=open&status=closed", "status"),
])
def test_bad_feed_parameters_are_400_naming_the_parameter(anon, query, field):
    problem(anon.get("/feeds/discussions.atom?" + query), 400, field)


def test_comments_feed_has_published_entries_and_official_answers_escaped(anon, mod, schema, server):
    d = discussion(mod)
    c = resident(server, mod)
    pub = submit(c, d["id"], body="Сквер <b>&</b> \"липы\" ]]> ещё")
    pending = submit(c, d["id"], body="Ещё не проверено")
    assert moderate(mod, pub["id"]).status == 200
    submit(mod, d["id"], body="Ответ организатора", parent_id=pub["id"])
    f, root = fetch(anon, schema, "/feeds/discussions/%d/comments.atom" % d["id"])
    bodies = [e.content[0].value for e in f.entries]
    assert "Сквер <b>&</b> \"липы\" ]]> ещё" in bodies and "Ответ организатора" in bodies
    assert "Ещё не проверено" not in bodies
    titles = [e.title for e in f.entries]
    assert "Предложение № %s" % pub["registration_number"] in titles
    assert "Официальный ответ на № %s" % pub["registration_number"] in titles
    assert all(e.id.endswith("#comment-%d" % int(e.id.rsplit("-", 1)[1])) for e in f.entries)
    assert not [i for i in entry_ids(f) if i.endswith("#comment-%d" % pending["id"])]
    assert c.email not in r_text(anon, "/feeds/discussions/%d/comments.atom" % d["id"])
    problem(anon.get("/feeds/discussions/%d/comments.atom" % discussion(mod, "draft")["id"]), 404)
    problem(anon.get("/feeds/discussions/999999/comments.atom"), 404)


def r_text(client, path):
    return client.get(path).body.decode()


def test_news_are_published_by_moderators_and_read_by_anyone(anon, mod, citizen, schema):
    d = discussion(mod, "announced")
    problem(anon.post("/api/v1/news", {"title": "t", "body": "b"}), 401)
    problem(citizen.post("/api/v1/news", {"title": "t", "body": "b"}), 403)
    problem(mod.post("/api/v1/news", {"body": "b"}), 422, "title")
    problem(mod.post("/api/v1/news", {"title": "x" * 201, "body": "b"}), 422, "title")
    problem(mod.post("/api/v1/news", {"title": "a\nb", "body": "b"}), 422, "title")
    problem(mod.post("/api/v1/news", {"title": "t"}), 422, "body")
    problem(mod.post("/api/v1/news", {"title": "t", "body": "b" * 5001}), 422, "body")
    problem(mod.post("/api/v1/news", {"title": "t", "body": "b", "discussion_id": "1"}), 422,
            "discussion_id")
    problem(mod.post("/api/v1/news", {"title": "t", "body": "b", "x": 1}), 422, "x")
    draft = discussion(mod, "draft")
    problem(mod.post("/api/v1/news", {"title": "t", "body": "b", "discussion_id": draft["id"]}),
            422, "discussion_id")
    r = mod.post("/api/v1/news", {"title": "Начались слушания <по> скверу",
                                  "body": "Приходите на экспозицию & пишите\nпредложения",
                                  "discussion_id": d["id"]})
    assert r.status == 201, r
    n = r.json
    assert r.header("Location") == "/api/v1/news/%d" % n["id"]
    assert n["discussion"] == {"id": d["id"], "title": d["title"]}
    assert anon.get("/api/v1/news/%d" % n["id"]).json == n
    items = anon.get("/api/v1/news?limit=5").json["items"]
    assert items[0]["id"] == n["id"]
    f, _ = fetch(anon, schema, "/feeds/news.atom")
    e = f.entries[0]
    assert e.title == "Начались слушания <по> скверу"
    assert "Приходите на экспозицию & пишите" in e.content[0].value
    assert e.id.endswith("/news.html#news-%d" % n["id"])
    log = mod.get("/api/v1/moderation/log").json["items"]
    assert any(x["action"] == "news.publish" and x["target"] == {"type": "news", "id": n["id"]}
               for x in log)
    problem(citizen.delete("/api/v1/news/%d" % n["id"]), 403)
    assert mod.delete("/api/v1/news/%d" % n["id"]).status == 204
    problem(anon.get("/api/v1/news/%d" % n["id"]), 404)
    problem(mod.delete("/api/v1/news/%d" % n["id"]), 404)


def test_pages_link_their_feeds(anon):
    for page, href in [("/", "/feeds/discussions.atom"), ("/index.html", "/feeds/news.atom"),
                       ("/news.html", "/feeds/news.atom"),
                       ("/discussion.html", "/feeds/discussions.atom")]:
        html = anon.get(page).body.decode()
        links = re.findall(r'<link rel="alternate" type="application/atom\+xml"[^>]*>', html)
        assert any('href="%s"' % href in x for x in links), (page, links)
    # the discussion's own feed is linked by follow.js, which the page loads
    assert '<script type="module" src="/js/follow.js">' in anon.get("/discussion.html").body.decode()
    js = open(os.path.join(HERE, "..", "..", "web", "js", "follow.js"), encoding="utf-8").read()
    assert "link.rel = 'alternate'" in js and "/comments.atom" in js

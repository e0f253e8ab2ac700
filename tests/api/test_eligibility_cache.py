"""The eligibility cache (src/api/elig_cache.c) over real HTTP: an answer
is kept under the catalogue's content version and the account's
eligibility version, so it is right after every change that decides it.
Each test first asks twice (the second answer comes from the cache), then
changes one thing the way it is changed in use — a moderator's revocation
through the API, a property's refusal, the discussion's closing, a write
by another process straight into the database — and asks again; and a
proposal sent after the change is refused as well."""
import uuid

from conftest import problem
from test_discussions import square
from test_eligibility import (INSIDE, LAT, LON, ME_PROPS, ME_RES, add_parcel, elig, new_citizen,
                              open_discussion, spatial_db, verify_residence)


def resident(server, mod):
    c = new_citizen(server)
    r = c.put(ME_RES, {"address": "г. Казань, ул. Кэшевая-%s, 1" % uuid.uuid4().hex[:8],
                       "location": {"type": "Point", "coordinates": list(INSIDE)}})
    assert r.status == 200, r
    verify_residence(mod, c)
    return c


def cached_eligible(c, did, basis="resident"):
    """Asks twice: eligible both times, the second from the cache."""
    for _ in range(2):
        j = elig(c, did)
        assert j["eligible"] is True and j["basis"] == basis, j


def propose(c, did):
    return c.post("/api/v1/discussions/%d/comments" % did,
                  {"kind": "proposal", "body": "Сохранить сквер у дома"})


def test_revoked_residence_is_not_eligible_at_once(server, mod):
    did = open_discussion(mod, square(LON, LAT))
    c = resident(server, mod)
    cached_eligible(c, did)
    verify_residence(mod, c, ok=False, note="адрес не подтверждён")
    j = elig(c, did)
    assert j["eligible"] is False and j["reason_code"] == "not_verified", j
    problem(propose(c, did), 403)
    verify_residence(mod, c)                       # verified again: eligible again
    cached_eligible(c, did)
    assert propose(c, did).status == 201


def test_refused_property_is_not_eligible_at_once(server, mod):
    did = open_discussion(mod, square(LON, LAT))
    c = new_citizen(server)
    number = "16:50:%06d:21" % (uuid.uuid4().int % 10**6)
    x, y = LON + 0.004, LAT + 0.004                # overlaps the north-east corner
    add_parcel(server, number, "POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))" % (
        x, y, x + 0.002, y, x + 0.002, y + 0.002, x, y + 0.002, x, y))
    r = c.post(ME_PROPS, {"cadastral_number": number})
    assert r.status == 201, r
    pid = r.json["id"]
    u = "/api/v1/accounts/%d/properties/%d/verification" % (c.account_id, pid)
    assert elig(c, did)["reason_code"] == "property_not_verified"
    assert mod.post(u, {"verified": True}).status == 200
    cached_eligible(c, did, basis="rightholder")
    assert mod.post(u, {"verified": False, "note": "не правообладатель"}).status == 200
    j = elig(c, did)
    assert j["eligible"] is False and j["reason_code"] == "property_not_verified", j
    problem(propose(c, did), 403)


def test_closed_discussion_is_not_open_at_once(server, mod):
    did = open_discussion(mod, square(LON, LAT))
    c = resident(server, mod)
    cached_eligible(c, did)
    assert mod.post("/api/v1/discussions/%d/transitions" % did, {"to": "closed"}).status == 200
    j = elig(c, did)
    assert j["eligible"] is False and j["reason_code"] == "not_open", j
    assert j["discussion_status"] == "closed" and j["basis"] == "resident", j
    problem(propose(c, did), 409)


def test_a_write_by_another_process_is_seen(server, mod):
    """The versions are bumped by triggers, so a change made outside the
    server (an import, an operator's SQL) counts too."""
    did = open_discussion(mod, square(LON, LAT))
    c = resident(server, mod)
    cached_eligible(c, did)
    with spatial_db(server) as conn:
        conn.execute("UPDATE residences SET verified = 0 WHERE account_id = ?", (c.account_id,))
    j = elig(c, did)
    assert j["eligible"] is False and j["reason_code"] == "not_verified", j
    problem(propose(c, did), 403)


def test_answers_are_per_account_and_discussion(server, mod):
    inside = open_discussion(mod, square(LON, LAT))
    elsewhere = open_discussion(mod, square(LON + 0.5, LAT + 0.5))
    a, b = resident(server, mod), new_citizen(server)
    cached_eligible(a, inside)
    assert elig(a, elsewhere)["reason_code"] == "outside"
    assert elig(b, inside)["reason_code"] == "no_residence"
    cached_eligible(a, inside)

"""A proposal is one store call whose checks hold at commit (issue 21): a
residence verification revoked while the proposal waits in the
group-commit writer's queue means the proposal is refused with the
eligibility reason, and nothing of it is stored (no comment, no
registration number taken).

The test holds the database's write lock from another connection (BEGIN
IMMEDIATE, as /usr/bin/python3's sqlite3), so the writer's BEGIN waits in
its busy timeout (KG_STORE_BUSY_MS, 5 s) while the request's checks,
which only read, pass under WAL. On PostgreSQL it holds the row of the
account's eligibility version (FOR UPDATE), which the writer's check reads
under a share lock. Once /metrics shows the writer holding
the job, the held transaction revokes the residence (or, in the converse
case, changes nothing) and commits."""
import re
import threading
import time
import uuid

import pytest

from conftest import MODERATOR, PG
from test_comments import curl, discussion, resident, spatial_db

TOKEN = "metrics-" + uuid.uuid4().hex
NOT_VERIFIED = "Адрес ещё не подтверждён модератором"


@pytest.fixture(scope="module")
def srv(server_with):
    return server_with("--metrics-token", TOKEN, users=[(MODERATOR, "moderator", "Тестовый Модератор")])


@pytest.fixture
def smod(srv):
    c = srv.client()
    c.login(MODERATOR)
    return c


def writer_running(c):
    r = c.raw("GET", "/metrics", headers={"Authorization": "Bearer " + TOKEN})
    assert r.status == 200, r
    m = re.search(r"^kengash_writer_running_jobs (\d+)$", r.body.decode(), re.M)
    assert m, r.body[:500]
    return int(m.group(1))


def held_submission(srv, smod, revoke):
    """Posts a proposal of an eligible resident while another connection
    holds the write lock; once the writer holds the job, revokes the
    residence (revoke) or not, and commits. Returns the response and the
    comments' count and the discussion's sequence before and after."""
    d = discussion(smod)
    c = resident(srv, smod)
    facts = ("SELECT (SELECT count(*) FROM comments), coalesce((SELECT comment_seq FROM "
             "content_versions WHERE scope = %d), 0)" % d["id"])
    with spatial_db(srv) as db:
        before = tuple(db.rows(facts)[0])
    db = spatial_db(srv)
    if PG:
        # the writer checks the fact's version under a share lock on its
        # row (a revocation that commits meanwhile is seen): hold the row
        db.execute("SELECT v FROM elig_versions WHERE account_id = ? FOR UPDATE", (c.account_id,))
    else:
        db.conn.isolation_level = None
        db.execute("BEGIN IMMEDIATE")
    out = {}
    t = threading.Thread(target=lambda: out.setdefault(
        "r", c.post(curl(d["id"]), {"kind": "proposal", "body": "Сохранить сквер"})))
    t.start()
    try:
        # the writer's BEGIN waits at most 5 s: this sees it in well under that
        end = time.time() + 4
        while writer_running(smod) < 1:
            assert time.time() < end, "the writer never took the proposal"
            time.sleep(0.01)
        assert "r" not in out  # the request waits for the writer
        if revoke:
            db.execute("UPDATE residences SET verified = 0, verified_by = 'self_declared', "
                       "verified_at = NULL, rejected_at = ?, "
                       "note = 'revoked' WHERE account_id = ?", (int(time.time()), c.account_id))
        db.conn.commit() if PG else db.execute("COMMIT")
    finally:
        if PG or db.conn.in_transaction:
            db.conn.rollback()
        t.join(30)
    with spatial_db(srv) as db2:
        after = tuple(db2.rows(facts)[0])
    db.conn.close()
    return out["r"], before, after


def test_revoked_while_queued_is_refused_with_the_eligibility_reason(srv, smod):
    r, before, after = held_submission(srv, smod, revoke=True)
    assert r.status == 403, r
    assert r.json["detail"] == NOT_VERIFIED
    assert after == before  # no comment, and no registration number taken


def test_nothing_revoked_while_queued_is_accepted(srv, smod):
    r, before, after = held_submission(srv, smod, revoke=False)
    assert r.status == 201, r
    assert r.json["basis"] == "resident" and r.json["status"] == "pending"
    assert after == (before[0] + 1, before[1] + 1)
    assert r.json["registration_number"].endswith("/%04d" % after[1])

"""A proposal is one store call whose checks hold at commit (issue 21): a
residence verification revoked while the proposal waits in the
group-commit writer's queue means the proposal is refused with the
eligibility reason, and nothing of it is stored (no comment, no
registration number taken).

The test holds the database's write lock from another connection (BEGIN
IMMEDIATE, as /usr/bin/python3's sqlite3), so the writer's BEGIN waits in
its busy timeout (KG_STORE_BUSY_MS, 5 s) while the request's checks,
which only read, pass under WAL. Once /metrics shows the writer holding
the job, the held transaction revokes the residence (or, in the converse
case, changes nothing) and commits.

PostgreSQL has no database write lock, and the writer's checks only read,
which no lock short of one that stops the request's own checks holds
back. There the held transaction locks password_resets (IN EXCLUSIVE MODE)
and a password reset is asked first: the writer takes it and waits at its
INSERT, and the proposal waits in the writer's queue behind it (/metrics'
queue depth) while the transaction revokes and commits."""
import re
import threading
import time
import uuid

import pytest

from conftest import MODERATOR, PG
from test_comments import curl, discussion, resident
from test_group_commit import WriteLock

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


def writer_gauge(c, name):
    r = c.raw("GET", "/metrics", headers={"Authorization": "Bearer " + TOKEN})
    assert r.status == 200, r
    m = re.search(r"^kengash_writer_%s (\d+)$" % name, r.body.decode(), re.M)
    assert m, r.body[:500]
    return int(m.group(1))


def wait_gauge(c, name, what, seconds=4):
    end = time.time() + seconds
    while writer_gauge(c, name) < 1:
        assert time.time() < end, what
        time.sleep(0.01)


def held_submission(srv, smod, revoke):
    """Posts a proposal of an eligible resident while another connection
    holds the write lock; once the writer holds the job (on PostgreSQL: has
    it queued behind the held reset), revokes the residence (revoke) or
    not, and commits. Returns the response and the
    comments' count and the discussion's sequence before and after."""
    d = discussion(smod)
    c = resident(srv, smod)
    db = WriteLock(srv, "password_resets")
    facts = "SELECT (SELECT count(*) FROM comments), comment_seq FROM discussions WHERE id = ?"
    before = db.rows(facts, (d["id"],))[0]
    out = {}
    t = threading.Thread(target=lambda: out.setdefault(
        "r", c.post(curl(d["id"]), {"kind": "proposal", "body": "Сохранить сквер"})))
    try:
        if PG:
            # the writer busy with a job that waits for the lock
            assert srv.client().post("/api/v1/password-resets", {"email": MODERATOR}).status == 202
            wait_gauge(smod, "running_jobs", "the writer never took the password reset")
        t.start()
        if PG:
            wait_gauge(smod, "queue_depth", "the proposal never reached the writer's queue")
        else:
            # the writer's BEGIN waits at most 5 s: this sees it in well under that
            wait_gauge(smod, "running_jobs", "the writer never took the proposal")
        assert "r" not in out  # the request waits for the writer
        if revoke:
            db.execute("UPDATE residences SET verified = 0, verified_by = 'self_declared', "
                       "verified_at = NULL, rejected_at = ?, "
                       "note = 'revoked' WHERE account_id = ?", (int(time.time()), c.account_id))
        db.release(commit=True)
        db = None
    finally:
        if db is not None:
            db.release()
        if t.ident:
            t.join(30)
    with srv.sql() as conn:
        after = conn.rows(facts, (d["id"],))[0]
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

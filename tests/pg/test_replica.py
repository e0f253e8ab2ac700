"""Reads from a streaming replica (issue 22): `kengash serve --db PRIMARY
--db-replica REPLICA` answers public reads (GET without a session) from the
replica and everything else from the primary, and a client never reads
older data than its own write.

A primary with an asynchronous streaming replica (tests/pg/cluster.py; the
replica's replay is paused to make it lag on purpose):

- a public read is served by the replica: with replay paused, a project a
  moderator creates is not in an anonymous visitor's list, and is there
  once replay resumes;
- read-your-writes: the moderator's own session (signed in: the primary)
  sees the new project at once; an anonymous visitor who has just written
  (a message to support: the kg_rw cookie) sees it at once too, for a
  bounded time;
- a replica that stops is skipped: public reads are answered by the primary
  (a 503 with Retry-After at most once per server thread, for the request
  that found the connection lost), never a 500.

    KENGASH_BIN=build-asan/kengash /usr/bin/python3 -m pytest -q tests/pg/test_replica.py
"""
import os
import shutil
import sys
import tempfile
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))

from cluster import PG_BIN, Cluster  # noqa: E402
import conftest  # noqa: E402
from test_failover import PgServer  # noqa: E402
from test_projects import make_project  # noqa: E402

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(PG_BIN, "pg_basebackup")) or not os.path.exists(conftest.BIN),
    reason="needs PostgreSQL 15 (KG_PG_BIN) and KENGASH_BIN")

MODERATOR = "replica-mod@example.org"
THREADS = 4  # kengash serve --threads: each thread has its own replica connection


def titles(c, cookie=None):
    """The project titles a client reads (GET /api/v1/projects)."""
    r = c.get("/api/v1/projects?limit=100", headers={"Cookie": cookie} if cookie else None)
    assert r.status == 200, r
    return {p["title"] for p in r.json["items"]}


def wait_for(pred, what, timeout=20):
    end = time.time() + timeout
    while not pred():
        assert time.time() < end, what
        time.sleep(0.05)


def test_public_reads_come_from_the_replica_and_writers_read_their_writes():
    tmp = tempfile.mkdtemp(prefix="kengash-replica-")
    primary = replica = srv = None
    try:
        primary = Cluster(replication=True, max_connections=60).start()
        replica = primary.standby()
        # asynchronous: the primary does not wait for it, so its replay can
        # be paused while the primary commits
        primary.psql("ALTER SYSTEM SET synchronous_standby_names = ''", dbname="postgres")
        primary.psql("SELECT pg_reload_conf()", dbname="postgres")
        wait_for(lambda: primary.psql(
            "SELECT sync_state FROM pg_stat_replication", dbname="postgres").strip() == "async",
            "the replica did not become asynchronous")
        srv = PgServer(tmp, primary.url, ["--db-replica", replica.url, "--threads", str(THREADS),
                                          "--support-limit", "0"])
        srv.user_add(MODERATOR, "moderator", "Модератор Реплик")
        srv.start()
        mod = srv.client()
        mod.login(MODERATOR)
        anon = srv.client()

        first = "Проект до паузы " + uuid.uuid4().hex[:8]
        make_project(mod, title=first)
        # every thread's replica connection catches up (the replica streams)
        wait_for(lambda: all(first in titles(srv.client()) for _ in range(2 * THREADS)),
                 "the replica never showed the first project")

        replica.psql("SELECT pg_wal_replay_pause()", dbname="postgres")
        wait_for(lambda: replica.psql("SELECT pg_get_wal_replay_pause_state()",
                                      dbname="postgres").strip() == "paused",
                 "replay did not pause")
        second = "Проект во время паузы " + uuid.uuid4().hex[:8]
        r = mod.post("/api/v1/projects", {"title": second, "kind": "general_plan",
                                          "organizer": "УАиГ"})
        assert r.status == 201, r
        # the writer's session reads the primary: its own write at once
        assert second in titles(mod)
        # a visitor without a session reads the replica, which has not
        # replayed it (every server thread, several times)
        for _ in range(3 * THREADS):
            seen = titles(srv.client())
            assert first in seen and second not in seen, "a public read did not come from the replica"

        # an anonymous writer (a message to support) reads its own writes:
        # the answer's kg_rw cookie keeps its reads on the primary
        r = anon.post("/api/v1/support-messages", {
            "name": "Гость Реплики", "email": "guest-%s@example.org" % uuid.uuid4().hex[:8],
            "topic": "Вопрос", "body": "Где новый проект?"})
        assert r.status == 201, r
        rw = [v.split(";")[0] for v in r.headers_all("Set-Cookie") if v.startswith("kg_rw=")]
        assert rw == ["kg_rw=1"], r.headers
        assert "Max-Age=10" in [v for v in r.headers_all("Set-Cookie") if v.startswith("kg_rw=")][0]
        for _ in range(2 * THREADS):
            assert second in titles(anon, rw[0])
        assert second not in titles(anon)  # the same visitor once the cookie is gone

        replica.psql("SELECT pg_wal_replay_resume()", dbname="postgres")
        wait_for(lambda: all(second in titles(srv.client()) for _ in range(2 * THREADS)),
                 "the replica never caught up")

        # the replica stops: public reads are answered by the primary
        replica.stop_server()
        answers = []
        end = time.time() + 20
        ok = 0
        while ok < 3 * THREADS:
            assert time.time() < end, "public reads did not fall back to the primary: %r" % answers
            r = srv.client().get("/api/v1/projects?limit=100")
            answers.append(r.status)
            if r.status == 200:
                assert second in {p["title"] for p in r.json["items"]}
                ok += 1
            else:
                assert r.status == 503 and r.header("Retry-After"), r
        assert answers.count(503) <= THREADS, answers
        log = srv.stop_clean()
        assert "s3cret" not in log
        srv = None
        shutil.rmtree(tmp, ignore_errors=True)  # kept when the test fails
    finally:
        if srv:
            srv.stop()
        for c in (replica, primary):
            if c:
                c.stop()

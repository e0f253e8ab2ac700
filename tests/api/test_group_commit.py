"""A proposal waiting for the group commit does not hold a worker thread
(the connection is suspended until the writer answers), and a server told
to stop answers the proposals it has taken before it exits.

Both run a server with one worker thread while another connection holds
the database's write lock (on PostgreSQL: a lock on the table the writer
writes), so the writer cannot commit until the test lets it."""
import tempfile
import threading
import time

from conftest import MODERATOR, PG, Db, Server
from test_comments import INSIDE, TERRITORY, resident
from test_discussions import create


def server_with_open_discussion(prefix, extra_args=()):
    """A server of its own with a moderator, logged in, and an open
    discussion on TERRITORY: (server, moderator's client, discussion)."""
    s = Server(tempfile.mkdtemp(prefix=prefix), extra_args)
    s.user_add(MODERATOR, "moderator", "Модератор")
    s.start()
    mod = s.client()
    mod.login(MODERATOR)
    d = create(mod, territory=TERRITORY)
    for to in ("announced", "open"):
        assert mod.post("/api/v1/discussions/%d/transitions" % d["id"], {"to": to}).status == 200
    return s, mod, d


class WriteLock(Db):
    """Holds the writer off until release(), with reads through one() in the
    same transaction. SQLite: BEGIN IMMEDIATE, the database's one write lock.
    PostgreSQL (no such lock): an open transaction holding `LOCK TABLE
    <tables> IN EXCLUSIVE MODE`, which lets everyone read them and no one
    else write them, so the writer waits at its first write to one."""

    def __init__(self, server, *tables):
        super().__init__(server.db)
        if PG:
            self.execute("LOCK TABLE %s IN EXCLUSIVE MODE" % ", ".join(tables))
        else:
            self.conn.isolation_level = None
            self.conn.execute("BEGIN IMMEDIATE")

    def release(self, commit=False):
        """Ends the transaction (rolled back, or committed) and closes."""
        if PG:
            self.conn.commit() if commit else self.conn.rollback()
        elif self.conn.in_transaction:
            self.conn.execute("COMMIT" if commit else "ROLLBACK")
        self.conn.close()


def waiting_proposal():
    """One worker thread, the write lock held by the test, and a resident's
    proposal sent in the background: (server, resident, discussion, the
    lock's connection, the sending thread, its result {"r": response})."""
    s, mod, d = server_with_open_discussion("kengash-group-", ["--threads", "1"])
    c = resident(s, mod, point=INSIDE)
    lock = WriteLock(s, "comments")
    result = {}

    def send():
        result["r"] = c.post("/api/v1/discussions/%d/comments" % d["id"],
                             {"kind": "proposal", "body": "Сохранить сквер у школы"})
    t = threading.Thread(target=send, daemon=True)
    t.start()
    time.sleep(0.3)  # the POST reaches the writer and waits for the lock
    assert t.is_alive() and "r" not in result
    return s, c, d, lock, t, result


def test_a_waiting_proposal_leaves_the_worker_thread_free():
    s, c, d, lock, t, result = waiting_proposal()
    # the only worker thread still serves another connection meanwhile
    other = s.client()
    r = other.get("/healthz")
    assert r.status == 200
    r = other.get("/api/v1/discussions/%d" % d["id"])
    assert r.status == 200
    assert t.is_alive() and "r" not in result, "the proposal was answered before it could commit"
    lock.release()
    t.join(30)
    assert not t.is_alive()
    r = result["r"]
    assert r.status == 201, r
    assert r.json["registration_number"] == "D-%d/0001" % d["id"]
    got = c.get("/api/v1/comments/%d" % r.json["id"])
    assert got.status == 200 and got.json["body"] == "Сохранить сквер у школы"
    s.stop_clean()


def test_a_proposal_in_flight_at_shutdown_is_answered_and_kept():
    s, c, d, lock, t, result = waiting_proposal()
    stopped = {}
    stopper = threading.Thread(target=lambda: stopped.update(log=s.stop_clean()), daemon=True)
    stopper.start()  # SIGTERM: the server waits for the suspended proposal
    time.sleep(0.3)
    assert stopper.is_alive() and "r" not in result
    lock.release()
    t.join(30)
    stopper.join(60)
    assert not stopper.is_alive() and "log" in stopped
    r = result["r"]
    assert r.status == 201, r
    with s.sql() as db:
        row = db.rows("SELECT registration_number, body FROM comments WHERE id = ?", (r.json["id"],))
    assert row == [(r.json["registration_number"], "Сохранить сквер у школы")]

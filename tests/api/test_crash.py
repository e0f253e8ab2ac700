"""Durability under crashes (small scale): clients send proposals at full
speed while the server is killed with SIGKILL at random moments and
restarted. Every proposal that got a 201 must be in the database afterwards
with its registration number, and registration numbers never repeat."""
import random
import signal
import threading
import time

from conftest import ADMIN
from test_comments import INSIDE, resident
from test_group_commit import server_with_open_discussion

N_ACCOUNTS = 20
PER_ACCOUNT = 10  # the per-account rate limit is 10 a minute
KILLS = 3


def test_acknowledged_proposals_survive_sigkill():
    rnd = random.Random(20261128)
    s, mod, d = server_with_open_discussion("kengash-crash-")
    s.user_add(ADMIN, "admin", "Администратор")
    citizens = [resident(s, mod, name="Житель Номер%02d" % i, point=INSIDE) for i in range(N_ACCOUNTS)]

    acked = []          # (id, registration_number) of every 201
    lock = threading.Lock()
    stop = threading.Event()

    def sender(c, k):
        sent = 0
        while sent < PER_ACCOUNT and not stop.is_set():
            body = {"kind": "proposal", "body": "Предложение %d-%d: сохранить деревья" % (k, sent)}
            try:
                r = c.post("/api/v1/discussions/%d/comments" % d["id"], body)
            except OSError:
                time.sleep(0.05)  # the server is down: try again
                continue
            if r.status == 201:
                with lock:
                    acked.append((r.json["id"], r.json["registration_number"]))
                sent += 1
            elif r.status == 429:
                # the limit counts proposals committed before a kill whose
                # answer was lost: this account has sent its share
                break
            elif r.status == 503:
                time.sleep(0.05)

    threads = [threading.Thread(target=sender, args=(c, k), daemon=True) for k, c in enumerate(citizens)]
    for t in threads:
        t.start()
    at_kill = []
    for _ in range(KILLS):
        time.sleep(rnd.uniform(0.02, 0.12))
        with lock:
            at_kill.append(len(acked))
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait(timeout=30)
        s.proc = None
        s.start()          # same database and port chosen anew
        for c in citizens:
            c.port = s.port
    end = time.time() + 120
    for t in threads:
        t.join(max(0.1, end - time.time()))
    stop.set()
    assert s.stop() == 0

    # the kills fell in the middle of the traffic
    assert at_kill[0] < len(acked), (at_kill, len(acked))
    with s.sql() as db:
        rows = dict(db.rows("SELECT id, registration_number FROM comments WHERE discussion_id = ?",
                            (d["id"],)))
    numbers = [n for n in rows.values() if n]
    missing = [(i, n) for i, n in acked if rows.get(i) != n]
    assert not missing, "acknowledged but lost or changed: %r" % missing[:10]
    assert len(numbers) == len(set(numbers)), "duplicate registration numbers"
    assert len({n for _, n in acked}) == len(acked)

"""Failover without loss (issue 22): a primary with a synchronous standby
(tests/pg/cluster.py, synchronous_commit = remote_apply), `kengash serve`
on the connection string naming both (target_session_attrs=read-write),
proposals posted under load by several clients, and then, at least five
times at a random moment, the primary SIGKILLed, the standby promoted and
the old primary rebuilt as the new standby on its port.

Every client posts new proposals continuously: a 201 is an acknowledgement
(its id, registration number and body are kept), a 503 must carry
Retry-After and the client goes on with a new proposal after a little
while (never the same body again: a 503 is no acknowledgement, and what it
left behind may or may not be in the database); any other answer, or no
answer, fails the test. After each failover new 201s must come within
ROUND_TIMEOUT seconds. At the end every acknowledged proposal is in the
final primary exactly once, with its registration number and body, the
registration numbers are unique and without gaps, the standby has the same
rows, and the server, still running, exits clean on SIGTERM. Wrong answers
fail the test at the end, so that one run also tells whether anything was
lost; a server that exits, or gives no 201 after a failover, fails it at
once. Each round prints its numbers (pytest -q shows them too).

    KENGASH_BIN=build-asan/kengash /usr/bin/python3 -m pytest -q tests/pg/test_failover.py

KG_FAILOVER_SEED repeats a run's random moments (the seed is printed),
KG_FAILOVER_ROUNDS sets the number of failovers (5, the issue's least, by default).
"""
import collections
import email.utils
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))

from cluster import PG_BIN, Cluster, multi_url  # noqa: E402
import conftest  # noqa: E402  (tests/api's Server, Client)
from test_comments import INSIDE, curl, discussion, resident  # noqa: E402

psycopg2 = pytest.importorskip("psycopg2")

ROUNDS = int(os.environ.get("KG_FAILOVER_ROUNDS", "5"))
ROUND_TIMEOUT = 20          # seconds from promotion to the first new 201
MOD_THREADS = 3             # moderators entering paper proposals (no rate limit)
RESIDENTS = 4               # residents posting online, one thread, paced below the limit
RESIDENT_PACE = 8           # attempts per resident in any 61 s (KG_COMMENT_RATE_MAX is 10)
MODERATOR = "failover-mod@example.org"
WHO = {"full_name": "Гарифуллин Рустем", "birth_date": "1961-04-12",
       "address": "г. Казань, ул. Бумажная, д. 3",
       "location": {"type": "Point", "coordinates": list(INSIDE)}}

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(PG_BIN, "pg_basebackup")) or not os.path.exists(conftest.BIN),
    reason="needs PostgreSQL 15 (KG_PG_BIN) and KENGASH_BIN")


class PgServer(conftest.Server):
    """tests/api's Server on a database it is given (here the multi-host
    URL), not on one of conftest's own cluster (KENGASH_TEST_PG)."""

    def __init__(self, tmp, url, extra_args=()):
        self.tmp = tmp
        self.db = url
        self.holder_key = os.path.join(tmp, "holder-key")
        self.files = os.path.join(tmp, "files")
        self.proc = None
        self.port = None
        self.stderr_lines = []
        # conftest adds --holder-key-file itself when KENGASH_TEST_PG=1
        self.extra_args = list(extra_args) + (
            [] if conftest.PG else ["--holder-key-file", self.holder_key])

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=40):
        return "".join(self.stderr_lines[-n:])


def retry_after(r):
    """Retry-After in seconds (delta-seconds or an HTTP-date); None without
    a valid one."""
    v = (r.header("Retry-After") or "").strip()
    if v.isdigit():
        return int(v)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(v).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


class Load:
    """Client threads posting proposals until stop(); every answer is kept."""

    def __init__(self, server, mods, residents, did, t_begin):
        self.server = server
        self.t_begin = t_begin   # problems say their time from here
        self.did = did
        self.lock = threading.Lock()
        self.answers = []        # (t_sent, t_answered, status, thread)
        self.acks = []           # dicts: id, reg, body, t0, t1, thread
        self.n503 = 0
        self.problems = []       # anything but a 201 or a 503 with Retry-After
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self._mod, args=(c, "m%d" % i), daemon=True)
                        for i, c in enumerate(mods)]
        if residents:
            self.threads.append(threading.Thread(target=self._residents, args=(residents,),
                                                 daemon=True))
        self.reg = re.compile(r"^D-%d/\d{4,}$" % did)

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self, timeout=40):
        """Stops the clients; each waits for its answer (the HTTP timeout is 30 s)."""
        self.done.set()
        end = time.time() + timeout
        for t in self.threads:
            t.join(timeout=max(0.1, end - time.time()))
        alive = [t.name for t in self.threads if t.is_alive()]
        assert not alive, "load threads still waiting for answers: %r" % alive

    def _post(self, c, name, body, extra):
        t0 = time.time()
        try:
            r = c.post(curl(self.did), dict({"kind": "proposal", "body": body}, **extra))
        except Exception as e:  # no answer at all: refused, reset, timed out
            t1 = time.time()
            with self.lock:
                self.answers.append((t0, t1, None, name))
                self.problems.append("%s at %.2fs: no answer (%s: %s)" % (
                    name, t1 - self.t_begin, type(e).__name__, e))
            return None
        t1 = time.time()
        with self.lock:
            self.answers.append((t0, t1, r.status, name))
            if r.status == 201:
                j = r.json
                if not isinstance(j.get("id"), int) or not self.reg.match(
                        str(j.get("registration_number"))):
                    self.problems.append("%s: 201 without id or registration number: %r" % (name, r))
                else:
                    self.acks.append({"id": j["id"], "reg": j["registration_number"],
                                      "body": body, "t0": t0, "t1": t1, "thread": name})
            elif r.status == 503:
                self.n503 += 1
                if retry_after(r) is None:
                    self.problems.append("%s at %.2fs: 503 without a Retry-After "
                                         "(X-Request-Id %s): %r" % (
                                             name, t1 - self.t_begin, r.header("X-Request-Id"),
                                             r.body[:200]))
            else:
                self.problems.append("%s at %.2fs: %d (X-Request-Id %s): %r" % (
                    name, t1 - self.t_begin, r.status, r.header("X-Request-Id"), r.body[:200]))
        return r

    def _backoff(self, r):
        """After a 503: a little while (Retry-After, at most a second)."""
        if r is not None and r.status == 503:
            self.done.wait(min(1.0, retry_after(r) or 1.0) or 0.2)
        elif r is None:
            self.done.wait(0.5)

    def _mod(self, c, name):
        n = 0
        while not self.done.is_set():
            n += 1
            body = "Отказоустойчивость %s-%d %s" % (name, n, uuid.uuid4().hex[:8])
            self._backoff(self._post(c, name, body, {"channel": "paper", "on_behalf_of": WHO}))

    def _residents(self, people):
        sent = {id(c): collections.deque() for c in people}
        n = 0
        while not self.done.is_set():
            now = time.time()
            ready = None
            for c in people:
                q = sent[id(c)]
                while q and q[0] < now - 61:
                    q.popleft()
                if len(q) < RESIDENT_PACE and (ready is None or len(q) < len(sent[id(ready)])):
                    ready = c
            if ready is None:
                self.done.wait(0.5)
                continue
            sent[id(ready)].append(now)
            n += 1
            body = "Отказоустойчивость r-%d %s" % (n, uuid.uuid4().hex[:8])
            r = self._post(ready, "r", body, {})
            self._backoff(r)
            # spread a resident's few attempts over the run
            self.done.wait(0.3)

    def snapshot(self):
        with self.lock:
            return len(self.acks), self.n503, list(self.problems)

    def first_ack_after(self, t_sent, t_answered):
        """The answer time of the first 201 sent at t_sent or later and
        answered at t_answered or later; None if none yet."""
        with self.lock:
            ts = [a["t1"] for a in self.acks if a["t0"] >= t_sent and a["t1"] >= t_answered]
        return min(ts) if ts else None


def rows_of(node, did):
    conn = psycopg2.connect(node.url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT id, registration_number, body FROM comments WHERE discussion_id = %s",
                    (did,))
        return cur.fetchall()
    finally:
        conn.close()


def standby_faults(acks, rows, read, settle, wait=10.0):
    """What is wrong between the primary's rows and the standby's (read()).
    remote_apply answers a commit once the standby has applied it, but a
    hot standby can show a committed row late: when a commit was already
    waiting for a standby as the standby's base backup began, the backup's
    snapshot of running transactions lists it as running, and the standby
    takes it for running until the primary's next such snapshot (every 15 s,
    or at a checkpoint): the row is on the standby, not yet visible there.
    So when the first read differs, settle() (a CHECKPOINT on the primary)
    and the standby must then show exactly the primary's rows within wait
    seconds. Returns (faults, note): note says what the first read lacked."""
    first = set(read())
    if first == set(rows):
        return [], ""
    settle()
    end = time.time() + wait
    later = set(read())
    while later != set(rows) and time.time() < end:
        time.sleep(0.1)
        later = set(read())
    acked = {a["id"] for a in acks}

    def diff(have):
        return "on the primary only %r (acknowledged: %r), on the standby only %r" % (
            sorted(set(rows) - have)[:5], sorted(r[0] for r in set(rows) - have if r[0] in acked),
            sorted(have - set(rows))[:5])
    if later != set(rows):
        return ["the standby differs after a checkpoint and %.0f s: %s" % (wait, diff(later))], ""
    return [], "the standby's first read differed, not after a checkpoint: " + diff(first)


def store_faults(acks, rows):
    """What is wrong between the acknowledgements (dicts: id, reg, body)
    and the discussion's rows (id, registration_number, body): an
    acknowledgement given twice, one missing or changed in the store, a
    proposal stored twice, registration numbers not 1..n. [] when none."""
    out = []
    for key in ("id", "reg"):
        n = collections.Counter(x[key] for x in acks)
        dup = sorted(k for k, v in n.items() if v > 1)
        if dup:
            out.append("the same %s acknowledged twice: %r" % (key, dup[:10]))
    by_id = {r[0]: r for r in rows}
    missing = [x for x in acks if x["id"] not in by_id]
    if missing:
        out.append("%d acknowledged proposals lost, e.g. %r" % (len(missing), missing[:5]))
    wrong = [(x, by_id[x["id"]]) for x in acks if x["id"] in by_id
             and (by_id[x["id"]][1] != x["reg"] or by_id[x["id"]][2] != x["body"])]
    if wrong:
        out.append("%d acknowledged proposals stored otherwise: %r" % (len(wrong), wrong[:5]))
    twice = [b for b, k in collections.Counter(r[2] for r in rows).items() if k > 1]
    if twice:
        out.append("%d proposals stored more than once: %r" % (len(twice), twice[:5]))
    nums = collections.Counter(int(r[1].rsplit("/", 1)[1]) for r in rows if r[1] is not None)
    gaps = sorted(set(range(1, len(rows) + 1)) - set(nums))
    dups = sorted(k for k, v in nums.items() if v > 1)
    if gaps or dups or len(nums) != len(rows):
        out.append("registration numbers not 1..%d: %d rows without one, missing %r, twice %r" % (
            len(rows), len(rows) - sum(nums.values()), gaps[:10], dups[:10]))
    return out


def test_store_faults_finds_each_fault():
    """The final check itself: it sees a lost, a changed, a doubled proposal and a gap."""
    acks = [{"id": i, "reg": "D-1/%04d" % i, "body": "b%d" % i} for i in (1, 2, 3)]
    rows = [(i, "D-1/%04d" % i, "b%d" % i) for i in (1, 2, 3, 4)]
    assert store_faults(acks, rows) == []
    assert "lost" in store_faults(acks, rows[1:])[0]
    assert "otherwise" in store_faults(acks, rows[:2] + [(3, "D-1/0003", "x"), rows[3]])[0]
    assert "more than once" in store_faults(acks, rows + [(5, "D-1/0005", "b1")])[0]
    assert "not 1..4" in store_faults(acks, rows[:3] + [(4, "D-1/0005", "b4")])[0]
    assert "not 1..4" in store_faults(acks, rows[:3] + [(4, None, "b4")])[0]
    assert "twice" in store_faults(acks + [dict(acks[0])], rows)[0]
    settled = []

    def reads(*answers):
        it = iter(answers)
        return lambda: next(it)
    assert standby_faults(acks, rows, lambda: list(rows), None) == ([], "")
    lost, _ = standby_faults(acks, rows, lambda: rows[1:], lambda: settled.append(1), wait=0.3)
    assert settled and "primary only [(1, 'D-1/0001', 'b1')] (acknowledged: [1])" in lost[0]
    extra, _ = standby_faults(acks, rows[:3], lambda: rows, lambda: None, wait=0.3)
    assert "standby only [(4," in extra[0]
    assert standby_faults(acks, rows, reads(rows[1:], rows[1:], rows), lambda: None, wait=2) == (
        [], "the standby's first read differed, not after a checkpoint: on the primary only "
        "[(1, 'D-1/0001', 'b1')] (acknowledged: [1]), on the standby only []")


def test_cluster_failover_tooling():
    """cluster.py's own check: remote_apply, a commit waiting for the
    stopped standby, kill/promote/rebuild rounds losing nothing."""
    import cluster
    cluster._selftest_replication()


def test_failover_keeps_every_acknowledged_proposal(capsys):
    seed = int(os.environ.get("KG_FAILOVER_SEED") or random.SystemRandom().randrange(1 << 30))
    rng = random.Random(seed)

    def say(*a):
        with capsys.disabled():
            print(*a, flush=True)

    say("\nfailover: seed %d (KG_FAILOVER_SEED), %d rounds" % (seed, ROUNDS))
    t_begin = time.time()
    tmp = tempfile.mkdtemp(prefix="kengash-failover-")
    a = b = srv = load = None
    ok = False
    try:
        a = Cluster(replication=True, max_connections=100).start()
        b = a.standby()
        primary, standby = a, b
        url = multi_url([a, b], a.dbname)
        srv = PgServer(tmp, url)
        srv.user_add(MODERATOR, "moderator", "Дежурный Модератор")
        srv.start()
        mod = srv.client()
        mod.login(MODERATOR)
        d = discussion(mod)
        people = [resident(srv, mod, "Житель%d Отказов" % i) for i in range(RESIDENTS)]
        mods = []
        for _ in range(MOD_THREADS):
            c = srv.client()
            c.login(MODERATOR)
            mods.append(c)
        say("setup %.1fs: primary %s:%d, standby %s:%d, server on %s" % (
            time.time() - t_begin, a.name, a.port, b.name, b.port, url))

        load = Load(srv, mods, people, d["id"], t_begin)
        load.start()

        def check(what):
            """Fails at once when the server is gone; else the counts."""
            n, n503, problems = load.snapshot()
            if not srv.alive():
                raise AssertionError("%s: the server exited (%s); %d wrong answers before:\n%s"
                                     "\nserver log:\n%s" % (
                                         what, srv.proc.poll(), len(problems),
                                         "\n".join(problems[:5]), srv.log_tail(60)))
            return n, n503, len(problems)

        end = time.time() + 20
        while check("before any failover")[0] < 5:
            assert time.time() < end, "fewer than 5 proposals acknowledged in 20 s"
            time.sleep(0.05)

        # the kills alternate: the postmaster alone (its children see it die
        # and exit), and it with all its children (the host is gone)
        parity = rng.randrange(2)
        for rnd in range(1, ROUNDS + 1):
            pause = rng.uniform(0.3, 2.0)
            children = (rnd + parity) % 2 == 0
            time.sleep(pause)
            n_before, n503_before, bad_before = check("round %d, before the kill" % rnd)
            t_kill = time.time()
            kids = primary.kill(children=children)
            t_killed = time.time()
            standby.promote()
            t_promote = time.time()
            primary.rebuild_standby(standby)
            t_rebuilt = time.time()
            primary, standby = standby, primary
            while True:
                n_now, n503_now, _ = check("round %d, after the failover" % rnd)
                t_first = load.first_ack_after(t_kill, t_promote)
                if t_first is not None:
                    break
                if time.time() > t_promote + ROUND_TIMEOUT:
                    raise AssertionError(
                        "round %d: no proposal acknowledged %ds after the promotion "
                        "(503s since the kill: %d; wrong answers: %s)\nserver log:\n%s" % (
                            rnd, ROUND_TIMEOUT, n503_now - n503_before,
                            "\n".join(load.snapshot()[2][:5]), srv.log_tail(40)))
                time.sleep(0.05)
            n_after, n503_after, bad_after = check("round %d" % rnd)
            slow = standby.last_kill["slow"]
            say("round %d: after %.2fs killed %s (%s, %d children, gone in %.2fs%s); promoted %s "
                "in %.2fs, rebuilt %s in %.2fs; acks %d before, %d after; 503s %d; first 201 "
                "%.2fs after the promotion%s" % (
                    rnd, pause, standby.name, "with its children" if children else "postmaster only",
                    kids, t_killed - t_kill,
                    (" - slowest %r" % (max(slow, key=lambda x: x[2]),)) if slow else "",
                    primary.name, t_promote - t_killed, standby.name, t_rebuilt - t_promote,
                    n_before, n_after, n503_after - n503_before, t_first - t_promote,
                    "; WRONG ANSWERS %d" % (bad_after - bad_before) if bad_after > bad_before else ""))

        time.sleep(0.5)
        load.stop()
        n, n503, _ = check("after the load")
        acks = load.acks

        rows = rows_of(primary, d["id"])
        faults = store_faults(acks, rows)
        unacked = len(rows) - len(acks)
        # remote_apply: the standby has every committed row as well
        lost, late = standby_faults(acks, rows, lambda: rows_of(standby, d["id"]),
                                    lambda: primary.psql("CHECKPOINT"))
        faults += lost
        if late:
            say(late)
        per = collections.Counter(x["thread"] for x in acks)
        say("end: %d acknowledged proposals (%s), %d rows (%d from unacknowledged requests)%s" % (
            len(acks), ", ".join("%s %d" % kv for kv in sorted(per.items())), len(rows),
            unacked, "; %d faults" % len(faults) if faults else
            ", each present once with its number and body, on the standby too"))
        if not srv.alive():
            faults.append("the server exited:\n" + srv.log_tail(60))
        else:
            # SIGTERM before judging: one run tells the store, the answers and the exit
            exit_fault = None
            try:
                srv.stop_clean()
            except AssertionError as e:
                exit_fault = "the server did not exit clean on SIGTERM: %s" % str(e)[:3000]
                faults.append(exit_fault)
            say("server exit on SIGTERM: %s" % ("clean" if exit_fault is None else "NOT CLEAN"))
        if load.problems:
            kinds = collections.Counter(re.sub(r"^\S+ at [0-9.]+s: | \(X-Request-Id.*", "", x)
                                        for x in load.problems)
            faults.append("%d answers neither 201 nor 503 with Retry-After (%s); the first:\n%s"
                          % (len(load.problems), dict(kinds), "\n".join(load.problems[:5])))
        # every fault at once: a run that fails says all that went wrong in it
        assert not faults, "seed %d:\n%s" % (seed, "\n".join(faults))
        say("end: %d 503s, %d answers in all; %.1fs" % (
            n503, len(load.answers), time.time() - t_begin))
        ok = True
    finally:
        if load is not None:
            load.done.set()
        if srv is not None and srv.proc is not None:
            srv.stop()      # a failed run: its clients are answered or cut off
        if load is not None:
            end = time.time() + 10
            for t in load.threads:
                t.join(timeout=max(0.1, end - time.time()))
        for c in (a, b):
            if c is not None:
                if not ok:
                    say("%s (port %d) log tail:\n%s" % (c.name, c.port, c.server_log()[-1500:]))
                c.stop()
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)

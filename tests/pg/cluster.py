#!/usr/bin/python3
"""A throwaway PostgreSQL 15 + PostGIS 3 cluster for tests (issue 22 spike).

    with Cluster() as c:
        c.psql("SELECT 1")          # runs psql against c.url
        print(c.url)                # postgresql://postgres@127.0.0.1:PORT/kengash

The cluster lives in a fresh temporary directory (data, unix socket, log),
listens on 127.0.0.1 only, on a free port, with trust authentication for
the superuser "postgres" (it is reachable from this host only, and gone
when the test ends). PostgreSQL refuses to run as root: when the caller is
root, initdb and the server run as an unprivileged user (KG_PG_USER, else
"nobody") through setpriv (or runuser), and the directory is given to it.
Durability is off (fsync, full_page_writes): nothing here needs to survive
a crash. stop() removes everything, also after an exception (with, atexit).

Standard library only. Binaries: KG_PG_BIN, else /usr/lib/postgresql/15/bin.

Replication (issue 22, the failover test): Cluster(replication=True) is a
primary that streams WAL (wal_level=replica, max_wal_senders, hot_standby,
a pg_hba line for replication from 127.0.0.1 as postgres) with
synchronous_commit = remote_apply; its standby() is a second cluster on
another free port, made with pg_basebackup, whose primary_conninfo carries
its name as application_name. Once a standby streams, every node's
synchronous_standby_names is 'FIRST 1 (names)', the names of all the nodes
(a node is never its own standby, so after a failover the other one is the
synchronous standby): a commit returns when the standby has applied it, and
hangs while there is none. kill() SIGKILLs a node's postmaster (and, by
default, its children: the host is gone), promote() makes a standby the
primary, rebuild_standby(primary) wipes a killed node and makes it a
standby of the new primary on its old port, so a multi-host connection
string (multi_url) names the same two nodes throughout.

    with Cluster(replication=True) as p, p.standby() as s:
        p.kill(); s.promote(); p.rebuild_standby(s)

    python3 tests/pg/cluster.py --selftest
    python3 tests/pg/cluster.py --selftest-replication
"""
import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

PG_BIN = os.environ.get("KG_PG_BIN", "/usr/lib/postgresql/15/bin")

# the nodes' names (application_name) of a replicated pair
NODE_NAMES = ("kg_a", "kg_b")


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def multi_url(nodes, dbname=None, attrs="read-write"):
    """A libpq URI naming every node (host:port, in that order) with
    target_session_attrs: libpq connects to the first that takes writes."""
    hosts = ",".join("127.0.0.1:%d" % n.port for n in nodes)
    return "postgresql://postgres@%s/%s?target_session_attrs=%s" % (
        hosts, dbname or nodes[0].dbname, attrs)


def _proc_state(pid):
    """The state letter of /proc/PID/stat, None when there is no such process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _children(pid):
    """The pids whose parent is pid (from /proc)."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(name))
        except (OSError, IndexError, ValueError):
            pass
    return out


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def _gone(pid):
    """True when pid has exited (a zombie nobody reaps counts as gone)."""
    st = _proc_state(pid)
    return st is None or st in ("Z", "X")


class ClusterError(RuntimeError):
    pass


class Cluster:
    def __init__(self, dbname="kengash", user=None, port=None, postgis=True, keep=False,
                 max_connections=20, replication=False, name=None, names=NODE_NAMES):
        self.dbname = dbname
        self.port = port
        self.postgis = postgis
        self.keep = keep  # leave the directory behind (debugging)
        self.max_connections = max_connections
        # replication: this node's name (its application_name as a standby)
        # and the names of all the nodes (synchronous_standby_names)
        self.replication = replication
        self.names = tuple(names)
        self.name = name or (self.names[0] if replication else None)
        self.standby_of = None  # the primary this node streams from
        self.last_kill = None
        self.root = None
        self.data = None
        self.log = None
        self._running = False
        self._as_root = os.geteuid() == 0
        self.run_user = None
        if self._as_root:
            name = user or os.environ.get("KG_PG_USER", "nobody")
            self.run_user = pwd.getpwnam(name)

    # ---- helpers ----

    def _drop(self, argv):
        """argv run as the unprivileged user when we are root."""
        if not self._as_root:
            return argv
        pw = self.run_user
        if shutil.which("setpriv"):
            return ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
                    "--clear-groups", "--"] + argv
        return ["runuser", "-u", pw.pw_name, "--"] + argv

    def _run(self, argv, drop=True, check=True, input=None, timeout=None):
        env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        env.pop("PGDATA", None)
        p = subprocess.run(self._drop(argv) if drop else argv, cwd=self.root, env=env,
                           input=input, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise ClusterError("%s failed (%d):\n%s%s" % (" ".join(argv[:2]), p.returncode,
                                                        p.stdout, p.stderr))
        return p

    def _append(self, name, lines):
        """Appends lines to the data directory's file name, owned by the
        server's user (a later setting in a file overrides an earlier one)."""
        path = os.path.join(self.data, name)
        with open(path, "a", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
        if self._as_root:
            os.chown(path, self.run_user.pw_uid, self.run_user.pw_gid)

    @property
    def url(self):
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, self.dbname)

    def url_for(self, dbname):
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, dbname)

    @property
    def sync_names(self):
        """synchronous_standby_names of a replicated node."""
        return "FIRST 1 (%s)" % ", ".join(self.names)

    # ---- lifecycle ----

    def start(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        atexit.register(self.stop)
        return self

    def _make_root(self):
        self.root = tempfile.mkdtemp(prefix="kgpg-")
        if self._as_root:
            os.chown(self.root, self.run_user.pw_uid, self.run_user.pw_gid)
        os.chmod(self.root, 0o700)
        self.data = os.path.join(self.root, "data")
        self.log = os.path.join(self.root, "server.log")
        if self.port is None:
            self.port = _free_port()

    def _start(self):
        self._make_root()
        self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "postgres",
                   "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
                   "--no-instructions"])
        if self.replication:
            self._append("pg_hba.conf", ["host replication postgres 127.0.0.1/32 trust"])
            # as on the command line: a reload (ALTER SYSTEM) then finds the
            # file's restart-only settings unchanged and says nothing of them
            self._append("postgresql.conf", ["max_connections = %d" % self.max_connections,
                                             "shared_buffers = 16MB"])
        self.start_server()
        self.psql("CREATE DATABASE %s" % self.dbname, dbname="postgres")
        if self.postgis:
            self.psql("CREATE EXTENSION postgis")

    def _options(self):
        opts = ["-c listen_addresses=127.0.0.1", "-p %d" % self.port, "-k %s" % self.root,
                "-c fsync=off", "-c shared_buffers=16MB",
                "-c max_connections=%d" % self.max_connections,
                "-c autovacuum=off", "-c log_min_messages=warning"]
        if not self.replication:
            return opts + ["-c full_page_writes=off", "-c synchronous_commit=off",
                           "-c max_wal_senders=0", "-c wal_level=minimal"]
        # a SIGKILL is no power cut: fsync may stay off. synchronous_standby_names
        # is not given here (the command line would override ALTER SYSTEM): it is
        # set once a standby streams (standby()), and a base backup copies it.
        return opts + ["-c wal_level=replica", "-c max_wal_senders=10", "-c hot_standby=on",
                       "-c wal_keep_size=256MB", "-c synchronous_commit=remote_apply",
                       "-c wal_receiver_status_interval=1", "-c wal_sender_timeout=10s",
                       "-c wal_receiver_timeout=10s",
                       # a standby whose primary is gone sleeps this long between
                       # tries (5 s by default), and a promotion that comes
                       # meanwhile waited for it now and then
                       "-c wal_retrieve_retry_interval=200ms"]

    def start_server(self):
        """pg_ctl start on the existing data directory (also again after stop_server)."""
        self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l", self.log,
                   "-o", " ".join(self._options()), "-w", "-t", "60", "start"])
        self._running = True

    def stop_server(self):
        """pg_ctl stop (fast), keeping the data directory."""
        if self._running:
            self._running = False
            self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "fast",
                       "-w", "-t", "60", "stop"], check=False)

    def stop(self):
        self.stop_server()
        if self.root and not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self):
        # a standby() is started already; `with` then only stops it
        return self if self.root else self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # ---- replication ----

    def standby(self, name=None, port=None):
        """A new cluster on another free port (or port), streaming from this
        primary; started. name defaults to the first of names that is not
        this node's. Then both are synchronous: this primary waits for the
        standby (remote_apply) on every commit."""
        if not self.replication:
            raise ClusterError("standby() needs Cluster(replication=True)")
        name = name or [n for n in self.names if n != self.name][0]
        s = Cluster(dbname=self.dbname, port=port, postgis=self.postgis, keep=self.keep,
                    max_connections=self.max_connections, replication=True, name=name,
                    names=self.names, user=self.run_user.pw_name if self.run_user else None)
        try:
            s._make_root()
            s._basebackup(self)
        except BaseException:
            s.stop()
            raise
        atexit.register(s.stop)
        return s

    def _basebackup(self, primary, timeout=60):
        """Fills the (absent) data directory with a base backup of primary,
        as its standby named self.name, starts it and waits until primary
        has it as its synchronous standby."""
        self._run([os.path.join(PG_BIN, "pg_basebackup"), "-D", self.data,
                   "-d", "host=127.0.0.1 port=%d user=postgres" % primary.port,
                   "-X", "stream", "-c", "fast", "-R", "--no-sync"], timeout=timeout)
        self._append("postgresql.auto.conf", [
            "primary_conninfo = 'host=127.0.0.1 port=%d user=postgres application_name=%s'"
            % (primary.port, self.name),
            "synchronous_standby_names = '%s'" % self.sync_names])
        self.standby_of = primary
        self.start_server()
        primary.wait_standby(self.name, timeout=timeout)

    def wait_standby(self, name, timeout=60):
        """On a primary: waits until the standby name streams; then makes it
        synchronous here (synchronous_standby_names, if not yet) and waits
        until pg_stat_replication says so."""
        end = time.time() + timeout
        synced = False
        while True:
            state = self.psql("SELECT state || ' ' || sync_state FROM pg_stat_replication "
                              "WHERE application_name = '%s'" % name, dbname="postgres").strip()
            if state == "streaming sync":
                return
            if state.startswith("streaming") and not synced:
                synced = True
                cur = self.psql("SHOW synchronous_standby_names", dbname="postgres").strip()
                if cur != self.sync_names:
                    self.psql("ALTER SYSTEM SET synchronous_standby_names = '%s'"
                              % self.sync_names, dbname="postgres")
                    self.psql("SELECT pg_reload_conf()", dbname="postgres")
            if time.time() > end:
                raise ClusterError("standby %s not synchronous on port %d after %ss: %r\n%s"
                                   % (name, self.port, timeout, state, self.server_log()[-3000:]))
            time.sleep(0.05)

    def in_recovery(self):
        return self.psql("SELECT pg_is_in_recovery()", dbname="postgres").strip() == "t"

    def promote(self, timeout=60):
        """pg_ctl promote, then waits until this node accepts writes."""
        self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-w", "-t", str(timeout),
                   "promote"], timeout=timeout + 10)
        end = time.time() + timeout
        while self.in_recovery():
            if time.time() > end:
                raise ClusterError("port %d still in recovery %ss after promote" % (self.port, timeout))
            time.sleep(0.05)
        self.standby_of = None

    def postmaster_pid(self):
        """The first line of DATADIR/postmaster.pid, None without one."""
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def _shmid(self):
        """The System V shared memory id of postmaster.pid's 7th line."""
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.read().splitlines()[6].split()[1])
        except (OSError, IndexError, ValueError):
            return None

    def kill(self, children=True, timeout=15):
        """SIGKILLs the postmaster and waits until it and all its children are
        gone. children=True SIGKILLs the children too (the host is gone);
        False leaves them to notice the postmaster's death and exit (they
        are SIGKILLed after timeout if they do not). The postmaster is
        stopped (SIGSTOP) first, so no child is forked while they are
        counted. Returns the number of children there were; last_kill
        says how long the children took and which took over a second."""
        pid = self.postmaster_pid()
        if pid is None or _gone(pid):
            raise ClusterError("no running postmaster on port %d" % self.port)
        shmid = self._shmid()
        self._running = False
        os.kill(pid, signal.SIGSTOP)
        kids = _children(pid)
        names = {k: _cmdline(k) for k in kids}
        t0 = time.time()
        os.kill(pid, signal.SIGKILL)
        if children:
            for k in kids:
                try:
                    os.kill(k, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        end = time.time() + timeout
        left = [pid] + kids
        slow = []
        while True:
            now = time.time()
            for p in left:
                if p != pid and now - t0 > 1 and _gone(p):
                    slow.append((p, names.get(p, "?"), round(now - t0, 2)))
            left = [p for p in left if not _gone(p)]
            if not left:
                self.last_kill = {"children": len(kids), "seconds": round(time.time() - t0, 2),
                                  "slow": slow}
                if shmid is not None and shutil.which("ipcrm"):
                    # the killed server's System V segment (PostgreSQL would
                    # reuse it on a restart; a wiped directory never does)
                    subprocess.run(["ipcrm", "-m", str(shmid)], capture_output=True)
                return len(kids)
            if time.time() > end:
                if children:
                    raise ClusterError("pids %r of port %d outlived SIGKILL" % (left, self.port))
                for k in left:
                    try:
                        os.kill(k, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                children, end = True, time.time() + timeout
            time.sleep(0.02)

    def rebuild_standby(self, primary, timeout=60):
        """Makes this node, stopped or killed, a standby of primary on the
        same port: its data directory is wiped and a base backup of
        primary takes its place (what it had and primary has not is gone,
        as it never was acknowledged: commits wait for the standby)."""
        self.stop_server()
        pid = self.postmaster_pid()
        if pid is not None and not _gone(pid):
            raise ClusterError("port %d: postmaster %d still running" % (self.port, pid))
        shutil.rmtree(self.data)
        # the socket's lock file names the dead postmaster's pid, which may
        # still exist as a zombie not yet reaped: the new server would refuse
        for f in (".s.PGSQL.%d" % self.port, ".s.PGSQL.%d.lock" % self.port):
            try:
                os.unlink(os.path.join(self.root, f))
            except FileNotFoundError:
                pass
        self._basebackup(primary, timeout=timeout)

    # ---- psql ----

    def psql(self, sql=None, file=None, dbname=None, single_tx=False, args=()):
        """Runs psql (as the caller: it only needs TCP) with ON_ERROR_STOP;
        returns its stdout (unaligned, tuples only). Raises on error."""
        argv = [os.path.join(PG_BIN, "psql"), "-X", "-q", "-A", "-t",
                "-v", "ON_ERROR_STOP=1", "-d", self.url_for(dbname or self.dbname)]
        if single_tx:
            argv.append("--single-transaction")
        if file:
            argv += ["-f", file]
        if sql is not None:
            argv += ["-c", sql]
        argv += list(args)
        return self._run(argv, drop=False).stdout

    def server_log(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""


def _selftest():
    with Cluster() as c:
        print("cluster:", c.url, "dir:", c.root, "user:",
              c.run_user.pw_name if c.run_user else pwd.getpwuid(os.geteuid()).pw_name)
        print(c.psql("SELECT version()").strip())
        print(c.psql("SELECT postgis_full_version()").strip())
        root = c.root
    assert not os.path.exists(root), root
    print("stopped and removed", root)


def _selftest_replication(rounds=3):
    """A primary and its synchronous standby: a commit is visible on the
    standby when it returns (remote_apply); with the standby stopped a
    commit hangs, and returns once it is back; then rounds of SIGKILL,
    promote, rebuild, each with a write through the new primary, and every
    row there exactly once on both nodes at the end."""
    t0 = time.time()
    with Cluster(replication=True, postgis=False) as p, p.standby() as s:
        print("primary %s:%d, standby %s:%d (%.1fs)" % (p.name, p.port, s.name, s.port,
                                                         time.time() - t0))
        assert not p.in_recovery() and s.in_recovery()
        p.psql("CREATE TABLE t (n int PRIMARY KEY)")
        for n in range(1, 11):
            p.psql("INSERT INTO t VALUES (%d)" % n)
            # remote_apply: the standby shows it the moment the commit returns
            assert s.psql("SELECT count(*) FROM t WHERE n = %d" % n).strip() == "1", n
        print("remote_apply: 10 commits each visible on the standby at once")
        s.stop_server()
        argv = [os.path.join(PG_BIN, "psql"), "-X", "-q", "-d", p.url, "-c",
                "INSERT INTO t VALUES (11)"]
        hung = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(2)
        assert hung.poll() is None, "a commit returned without the synchronous standby"
        s.start_server()
        assert hung.wait(timeout=30) == 0, hung.stderr.read()
        assert s.psql("SELECT count(*) FROM t WHERE n = 11").strip() == "1"
        print("standby stopped: the commit waited 2s+, returned once it was back")
        # a commit already waiting as a new standby's base backup begins is in
        # the backup's snapshot of running transactions: the standby takes it
        # for running (its row there, not visible) until the primary's next
        # such snapshot, every 15 s or at a checkpoint (test_failover waits so)
        s.kill()
        hung = subprocess.Popen(argv[:-1] + ["INSERT INTO t VALUES (12)"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(1)
        assert hung.poll() is None, "a commit returned without the synchronous standby"
        s.rebuild_standby(p)
        assert hung.wait(timeout=30) == 0, hung.stderr.read()
        seen = s.psql("SELECT count(*) FROM t WHERE n = 12").strip()
        p.psql("CHECKPOINT")
        end = time.time() + 5
        while s.psql("SELECT count(*) FROM t WHERE n = 12").strip() != "1":
            assert time.time() < end, "a checkpoint did not show the row on the standby"
            time.sleep(0.1)
        print("a commit waiting through a base backup: on the standby %s, after a "
              "checkpoint at once" % ("at once" if seen == "1" else "not yet"))
        primary, standby, n = p, s, 12
        url = multi_url([p, s], "kengash")
        for r in range(rounds):
            t = time.time()
            kids = primary.kill(children=bool(r % 2))
            t_kill = time.time() - t
            standby.promote()
            t_promote = time.time() - t
            primary.rebuild_standby(standby)
            t_rebuild = time.time() - t
            primary, standby = standby, primary
            n += 1
            argv = [os.path.join(PG_BIN, "psql"), "-X", "-q", "-A", "-t", "-d", url, "-c",
                    "INSERT INTO t VALUES (%d) RETURNING inet_server_port()" % n]
            out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            assert out.returncode == 0, out.stderr
            assert int(out.stdout.split()[0]) == primary.port, (out.stdout, primary.port)
            assert standby.psql("SELECT count(*) FROM t WHERE n = %d" % n).strip() == "1"
            print("round %d: killed %s (%s, %d children) %.2fs, promoted %s %.2fs, "
                  "rebuilt %s %.2fs; the multi-host URL writes to %d" % (
                      r + 1, standby.name, "all" if r % 2 else "postmaster only", kids, t_kill,
                      primary.name, t_promote, standby.name, t_rebuild, primary.port))
        want = "\n".join(str(i) for i in range(1, n + 1))
        for c in (primary, standby):
            got = c.psql("SELECT n FROM t ORDER BY n").strip()
            assert got == want, (c.name, got)
        print("rows 1..%d exactly once on both nodes; %.1fs in all" % (n, time.time() - t0))
        roots = [p.root, s.root]
    assert not any(os.path.exists(r) for r in roots), roots
    print("stopped and removed", " ".join(roots))


if __name__ == "__main__":
    if sys.argv[1:] == ["--selftest"]:
        _selftest()
    elif sys.argv[1:] == ["--selftest-replication"]:
        _selftest_replication()
    else:
        print(__doc__)
        sys.exit(2)

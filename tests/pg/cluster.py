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

    python3 tests/pg/cluster.py --selftest
"""
import atexit
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

PG_BIN = os.environ.get("KG_PG_BIN", "/usr/lib/postgresql/15/bin")


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ClusterError(RuntimeError):
    pass


class Cluster:
    def __init__(self, dbname="kengash", user=None, port=None, postgis=True, keep=False,
                 max_connections=20):
        self.dbname = dbname
        self.port = port
        self.postgis = postgis
        self.keep = keep  # leave the directory behind (debugging)
        self.max_connections = max_connections
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

    def _run(self, argv, drop=True, check=True, input=None):
        env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        env.pop("PGDATA", None)
        p = subprocess.run(self._drop(argv) if drop else argv, cwd=self.root, env=env,
                           input=input, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise ClusterError("%s failed (%d):\n%s%s" % (" ".join(argv[:2]), p.returncode,
                                                        p.stdout, p.stderr))
        return p

    @property
    def url(self):
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, self.dbname)

    def url_for(self, dbname):
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, dbname)

    # ---- lifecycle ----

    def start(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        atexit.register(self.stop)
        return self

    def _start(self):
        self.root = tempfile.mkdtemp(prefix="kgpg-")
        if self._as_root:
            os.chown(self.root, self.run_user.pw_uid, self.run_user.pw_gid)
        os.chmod(self.root, 0o700)
        self.data = os.path.join(self.root, "data")
        self.log = os.path.join(self.root, "server.log")
        self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "postgres",
                   "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
                   "--no-instructions"])
        if self.port is None:
            self.port = _free_port()
        opts = " ".join([
            "-c listen_addresses=127.0.0.1", "-p %d" % self.port, "-k %s" % self.root,
            "-c fsync=off", "-c full_page_writes=off", "-c synchronous_commit=off",
            "-c shared_buffers=16MB", "-c max_connections=%d" % self.max_connections, "-c max_wal_senders=0",
            "-c wal_level=minimal", "-c autovacuum=off", "-c log_min_messages=warning",
        ])
        self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l", self.log,
                   "-o", opts, "-w", "-t", "60", "start"])
        self._running = True
        self.psql("CREATE DATABASE %s" % self.dbname, dbname="postgres")
        if self.postgis:
            self.psql("CREATE EXTENSION postgis")

    def stop(self):
        if self._running:
            self._running = False
            self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "fast",
                       "-w", "-t", "60", "stop"], check=False)
        if self.root and not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

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


if __name__ == "__main__":
    if sys.argv[1:] == ["--selftest"]:
        _selftest()
    else:
        print(__doc__)
        sys.exit(2)

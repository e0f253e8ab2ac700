"""Operations: the systemd unit (contrib/kengash.service), backups proven by
restore, and a full disk answered as a fault (503), not a disaster."""
import ctypes
import os
import re
import shutil
import socket
import subprocess
import tempfile

import pytest

from conftest import BIN, PG, ROOT

# `kengash backup`/`restore` copy an SQLite file (the online backup API, the
# copy's integrity check); with a PostgreSQL --db they refuse and point to
# pg_dump/pg_restore (test_cli.py)
sqlite_file_backup = pytest.mark.skipif(
    PG, reason="kengash backup/restore copy the SQLite database file; on PostgreSQL they refuse and "
               "point to pg_dump (tested in test_cli.py)")

UNIT = os.path.join(ROOT, "contrib", "kengash.service")
# The unit's exposure score (systemd-analyze security, 0 best .. 10 worst)
# must stay at or under this; the README gives the current score.
EXPOSURE_MAX = 2.0


def analyze():
    exe = shutil.which("systemd-analyze")
    if not exe:
        pytest.skip("systemd-analyze is not installed (Debian package systemd; scripts/deps test)")
    return exe


def unit_copy(tmp_path):
    """The unit with ExecStart pointing at the binary under test, since
    verify checks that the command exists and is executable."""
    text = open(UNIT, encoding="utf-8").read()
    assert "/usr/local/bin/kengash" in text
    path = tmp_path / "kengash.service"
    path.write_text(text.replace("/usr/local/bin/kengash", os.path.abspath(BIN)), encoding="utf-8")
    return path


def test_the_unit_verifies(tmp_path):
    exe = analyze()
    p = subprocess.run([exe, "verify", str(unit_copy(tmp_path))], capture_output=True, text=True,
                       timeout=60, cwd=str(tmp_path))
    assert p.returncode == 0 and "kengash.service" not in p.stderr, p.stderr


def test_the_unit_is_hardened(tmp_path):
    exe = analyze()
    p = subprocess.run([exe, "security", "--offline=true", str(unit_copy(tmp_path))], capture_output=True, text=True, timeout=60,
                       cwd=str(tmp_path))
    m = re.search(r"Overall exposure level for kengash.service: ([0-9.]+)", p.stdout)
    assert m, p.stdout + p.stderr
    score = float(m.group(1))
    assert score <= EXPOSURE_MAX, p.stdout
    text = open(UNIT, encoding="utf-8").read()
    for line in ["Type=notify", "DynamicUser=yes", "StateDirectory=kengash", "ProtectSystem=strict",
                 "ReadWritePaths=/var/lib/kengash", "NoNewPrivileges=yes", "PrivateTmp=yes",
                 "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                 "SystemCallFilter=@system-service", "MemoryDenyWriteExecute=yes"]:
        assert re.search("^" + re.escape(line) + "$", text, re.M), line


def linked_with_libsystemd():
    p = subprocess.run(["ldd", BIN], capture_output=True, text=True)
    return "libsystemd.so" in p.stdout


def test_sd_notify_says_ready_after_listening_and_stopping_on_sigterm(tmp_path):
    if not linked_with_libsystemd():
        pytest.skip("the binary is built without libsystemd (package libsystemd-dev): Type=simple")
    from conftest import Server
    sock_path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(30)
    os.environ["NOTIFY_SOCKET"] = sock_path
    try:
        s = Server(str(tmp_path))
        s.start()
    finally:
        del os.environ["NOTIFY_SOCKET"]
    try:
        msg = sock.recv(4096).decode()
        assert "READY=1" in msg, msg
        assert s.client().get("/healthz").status == 200
        s.proc.terminate()
        msg = sock.recv(4096).decode()
        assert "STOPPING=1" in msg, msg
    finally:
        s.stop_clean()
        sock.close()


PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1


def refuse_exec_gain():
    """What MemoryDenyWriteExecute=yes enforces, with the kernel's own
    prctl (Linux >= 6.3), inherited by the exec'd server."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        os._exit(97)


def test_the_server_runs_without_writable_executable_memory(tmp_path):
    """MemoryDenyWriteExecute=yes in the unit: serving, a PDF (cairo and
    pango) and a shutdown work when W+X mappings are refused."""
    from conftest import MODERATOR, Server
    from test_reports import scenario, url, move
    probe = subprocess.run(["true"], preexec_fn=refuse_exec_gain)
    if probe.returncode == 97:
        pytest.skip("this kernel has no PR_SET_MDWE (Linux < 6.3): cannot check MemoryDenyWriteExecute")
    s = Server(str(tmp_path))
    s.user_add(MODERATOR, "moderator", "Модератор")
    real_popen = subprocess.Popen

    def popen(*a, **kw):
        kw["preexec_fn"] = refuse_exec_gain
        return real_popen(*a, **kw)
    subprocess.Popen = popen
    try:
        s.start()
    finally:
        subprocess.Popen = real_popen
    try:
        mod = s.client()
        mod.login(MODERATOR)
        assert mod.get("/healthz").status == 200
        did = scenario(s, mod)[0]
        move(mod, did, "protocol")
        r = mod.get(url(did, "/protocol.pdf"))
        assert r.status == 200 and r.body.startswith(b"%PDF-"), r
    finally:
        s.stop_clean()


# ---- backups proven by restore ----

PAPER_AUTHOR = {"full_name": "Гарифуллин Рустем", "birth_date": "1961-04-12",
                "address": "г. Казань, ул. Бумажная, д. 3",
                "location": {"type": "Point", "coordinates": [49.1205, 55.7895]}}


def post_proposals(c, did, stop, acked, prefix):
    """Posts proposals until stop is set; appends (id, body) of each 201."""
    import time
    i = 0
    while not stop.is_set():
        body = "%s %d: сохранить сквер" % (prefix, i)
        # entered by a moderator from paper: not under the per-author rate limit
        r = c.post("/api/v1/discussions/%d/comments" % did,
                   {"kind": "proposal", "body": body, "channel": "paper", "on_behalf_of": PAPER_AUTHOR})
        if r.status == 201:
            acked.append((r.json["id"], body))
        else:
            acked.append((None, r.status))
            time.sleep(0.05)
        i += 1


@sqlite_file_backup
def test_a_backup_under_write_load_restores_every_acknowledged_proposal_and_document(tmp_path):
    import threading
    import time
    from conftest import MODERATOR
    from test_group_commit import server_with_open_discussion
    from test_projects import upload
    s, mod, d = server_with_open_discussion("kengash-backup-")
    restored = None
    try:
        docs = {}
        for k in range(3):
            data = b"%PDF-1.4\n" + os.urandom(20000 + k * 7777) + b"\n%%EOF\n"
            r = upload(mod, d["project_id"], data=data, name="doc-%d.pdf" % k)
            assert r.status == 201, r
            docs[r.json["id"]] = data
        writers = []
        for _ in range(2):
            c = s.client()
            c.login(MODERATOR)
            writers.append(c)
        stop = threading.Event()
        acked = [[] for _ in writers]
        threads = [threading.Thread(target=post_proposals, args=(c, d["id"], stop, acked[k], "w%d" % k),
                                    daemon=True) for k, c in enumerate(writers)]
        for t in threads:
            t.start()
        while sum(len(a) for a in acked) < 30:
            time.sleep(0.05)
        before = [list(a) for a in acked]   # answered 201 before the backup started
        copy = str(tmp_path / "copy.sqlite")
        p = subprocess.run([BIN, "backup", "--db", s.db, "--to", copy, "--verify"],
                           capture_output=True, text=True, timeout=300)
        n_during = sum(len(a) for a in acked) - sum(len(a) for a in before)
        stop.set()
        for t in threads:
            t.join(60)
        assert p.returncode == 0, p.stderr
        assert "verified" in p.stdout and "integrity ok" in p.stdout, p.stdout
        assert n_during > 0, "no proposal was written while the backup ran"
        assert all(i is not None for a in acked for i, _ in a), [x for a in acked for x in a if x[0] is None]
        files_copy = str(tmp_path / "files-copy")
        shutil.copytree(s.files, files_copy)   # documents are immutable: a plain copy
        assert s.stop_clean() is not None

        # a second --verify onto an existing file is refused, the first kept
        p2 = subprocess.run([BIN, "backup", "--db", s.db, "--to", copy, "--verify"],
                            capture_output=True, text=True, timeout=300)
        assert p2.returncode == 1 and "already exists" in p2.stderr

        new = tmp_path / "restored"
        new.mkdir()
        from conftest import Server
        restored = Server(str(new))
        p = subprocess.run([BIN, "restore", "--from", copy, "--db", restored.db, "--files", restored.files,
                            "--from-files", files_copy], capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
        assert "3 copied, 0 missing, 0 damaged" in p.stdout, p.stdout
        restored.start()
        for c, a in zip(writers, before):
            c.port = restored.port   # the session is in the restored database too
            for cid, body in a:
                r = c.get("/api/v1/comments/%d" % cid)
                assert r.status == 200 and r.json["body"] == body, (cid, r)
        anon = restored.client()
        for did, data in docs.items():
            r = anon.get("/api/v1/documents/%d" % did)
            assert r.status == 200 and r.body == data, did
        restored.stop_clean()
        restored = None
    finally:
        if s.proc:
            s.stop()
        if restored and restored.proc:
            restored.stop()


@sqlite_file_backup
def test_restore_reports_missing_documents_and_a_damaged_copy(tmp_path):
    from test_group_commit import server_with_open_discussion
    from test_projects import upload
    s, mod, d = server_with_open_discussion("kengash-restore-")
    try:
        r = upload(mod, d["project_id"], data=b"%PDF-1.4\nonly one\n%%EOF\n")
        assert r.status == 201, r
        sha = r.json["sha256"]
    finally:
        s.stop_clean()
    copy = str(tmp_path / "copy.sqlite")
    p = subprocess.run([BIN, "backup", "--db", s.db, "--to", copy, "--verify"], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    # the documents were not backed up: named by hash, the restore fails
    p = subprocess.run([BIN, "restore", "--from", copy, "--db", str(tmp_path / "a.sqlite"),
                        "--files", str(tmp_path / "a-files")], capture_output=True, text=True, timeout=300)
    assert p.returncode == 1 and sha in p.stderr and "missing" in p.stderr, p.stderr
    # a damaged copy is refused and leaves no database behind
    damaged = str(tmp_path / "damaged.sqlite")
    raw = bytearray(open(copy, "rb").read())
    page = 4096
    for off in range(page * 3, len(raw) - page, page * 5):
        raw[off + 100:off + 300] = os.urandom(200)
    open(damaged, "wb").write(bytes(raw))
    target = tmp_path / "b.sqlite"
    p = subprocess.run([BIN, "restore", "--from", damaged, "--db", str(target),
                        "--files", str(tmp_path / "b-files")], capture_output=True, text=True, timeout=300)
    assert p.returncode == 1 and ("FAILED" in p.stderr or "cannot" in p.stderr), p.stderr
    assert not target.exists()


# ---- a full disk is a fault ----

@pytest.mark.skipif(PG, reason="--max-db-pages caps the SQLite file (PRAGMA max_page_count, read back with "
                               "PRAGMA page_count/integrity_check); a PostgreSQL database has no page cap "
                               "for the server to set")
def test_a_full_database_answers_503_keeps_reads_and_loses_nothing(tmp_path):
    import sqlite3
    import threading
    import time
    from conftest import MODERATOR
    from test_group_commit import server_with_open_discussion
    s, mod, d = server_with_open_discussion("kengash-full-")
    did = d["id"]
    try:
        first = mod.post("/api/v1/discussions/%d/comments" % did,
                         {"kind": "proposal", "body": "до заполнения", "channel": "paper",
                          "on_behalf_of": PAPER_AUTHOR})
        assert first.status == 201, first
        assert s.stop_clean() is not None
        db = sqlite3.connect(s.db)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        outbox_before = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        db.close()
        # room for a few proposals, then the database cannot grow
        s.extra_args += ["--max-db-pages", str(pages + 40)]
        s.start()
        writers = []
        for _ in range(2):
            c = s.client()
            c.login(MODERATOR)
            writers.append(c)
        acked, refused, lock = [], [], threading.Lock()
        stop = threading.Event()

        def write(c, k):
            i = 0
            while not stop.is_set():
                body = ("w%d-%d " % (k, i)) + "предложение о сквере " * 150
                r = c.post("/api/v1/discussions/%d/comments" % did,
                           {"kind": "proposal", "body": body, "channel": "paper",
                            "on_behalf_of": PAPER_AUTHOR})
                with lock:
                    if r.status == 201:
                        acked.append((r.json["id"], body))
                    else:
                        refused.append(r)
                i += 1
        threads = [threading.Thread(target=write, args=(c, k), daemon=True) for k, c in enumerate(writers)]
        for t in threads:
            t.start()
        end = time.time() + 120
        while time.time() < end:
            with lock:
                if len(refused) >= 20:
                    break
            time.sleep(0.05)
        # reads keep working while writes are refused
        anon = s.client()
        assert anon.get("/healthz").status == 200
        assert anon.get("/api/v1/discussions/%d" % did).status == 200
        assert writers[0].get("/api/v1/comments/%d" % first.json["id"]).status == 200
        stop.set()
        for t in threads:
            t.join(60)
        assert acked, "no proposal fitted under the cap"
        assert len(refused) >= 20, "the database never filled up"
        for r in refused:
            assert r.status == 503, r
            assert r.header("Retry-After") == "60", r.headers
            body = r.json
            assert body["status"] == 503 and "full" in body["detail"], body
        assert writers[0].get("/api/v1/comments/%d" % acked[-1][0]).status == 200
        log = s.stop_clean()
        assert "err=storage_full" in log, log[-3000:]

        # space returns (no cap): the server writes again and every
        # acknowledged proposal is there, the outbox as it was
        s.extra_args = s.extra_args[:-2]
        s.start()
        c = s.client()
        c.login(MODERATOR)
        r = c.post("/api/v1/discussions/%d/comments" % did,
                   {"kind": "proposal", "body": "после освобождения места", "channel": "paper",
                    "on_behalf_of": PAPER_AUTHOR})
        assert r.status == 201, r
        for cid, body in [(first.json["id"], "до заполнения")] + acked:
            g = c.get("/api/v1/comments/%d" % cid)
            assert g.status == 200 and g.json["body"] == body, (cid, g)
        s.stop_clean()
        db = sqlite3.connect(s.db)
        assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] >= outbox_before
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
    finally:
        if s.proc:
            s.stop()


def test_a_full_files_directory_answers_503_and_recovers_when_space_returns(tmp_path):
    """The documents' directory on a small tmpfs (needs root and mount):
    uploads past its size answer 503 with Retry-After, documents already
    stored are still served, and once the file system is made larger the
    same server stores uploads again, without a restart."""
    from conftest import MODERATOR, Server
    from test_projects import make_project, upload
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small tmpfs for the files directory")
    s = Server(str(tmp_path))
    os.makedirs(s.files)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", s.files], capture_output=True,
                       text=True)
    if p.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + p.stderr.strip())
    try:
        s.user_add(MODERATOR, "moderator", "Модератор")
        s.start()
        mod = s.client()
        mod.login(MODERATOR)
        pid = make_project(mod)["id"]
        stored, full = {}, None
        for k in range(40):
            data = b"%PDF-1.4\n" + os.urandom(60000) + b"\n%%EOF\n"
            r = upload(mod, pid, data=data, name="doc-%d.pdf" % k)
            if r.status == 201:
                stored[r.json["id"]] = data
                continue
            full = r
            break
        assert stored and full is not None, "the small file system never filled up"
        assert full.status == 503, full
        assert full.header("Retry-After") == "60" and "full" in full.json["detail"], full
        anon = s.client()
        for did, data in stored.items():
            r = anon.get("/api/v1/documents/%d" % did)
            assert r.status == 200 and r.body == data
        assert anon.get("/api/v1/projects/%d" % pid).status == 200
        # space returns
        p = subprocess.run(["mount", "-o", "remount,size=8m", s.files], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        data = b"%PDF-1.4\n" + os.urandom(60000) + b"\n%%EOF\n"
        r = upload(mod, pid, data=data, name="after.pdf")
        assert r.status == 201, r
        assert anon.get("/api/v1/documents/%d" % r.json["id"]).body == data
        assert len(mod.get("/api/v1/projects/%d" % pid).json["documents"]) == len(stored) + 1
        s.stop_clean()
    finally:
        if s.proc:
            s.stop()
        subprocess.run(["umount", "-l", s.files], capture_output=True)

"""The kengash command line: --help everywhere, options from flags,
environment and config file, user add, backup while serving."""
import os
import sqlite3
import subprocess
import tempfile

import pytest

from conftest import BIN, PG, Server


def run(args, stdin=b"", env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([BIN] + args, input=stdin, capture_output=True, timeout=120, env=e)


def test_every_subcommand_has_help():
    for cmd in (["serve"], ["demo"], ["user", "add"], ["import"], ["backup"]):
        p = run(cmd + ["--help"])
        assert p.returncode == 0, (cmd, p.stderr)
        assert b"usage: kengash " + cmd[0].encode() in p.stdout
        assert b"--db" in p.stdout
    p = run(["--help"])
    assert p.returncode == 0 and b"serve" in p.stdout and b"backup" in p.stdout


def test_help_lists_the_command_table_and_each_command_answers():
    p = run(["--help"])
    assert p.returncode == 0, p.stderr
    lines = p.stdout.decode().splitlines()
    for synopsis in ("serve", "demo", "user add", "import", "backup", "restore", "alerts digest"):
        assert any(line.startswith("  %s " % synopsis) for line in lines), (synopsis, lines)
        q = run(synopsis.split() + ["--help"])
        assert q.returncode == 0, (synopsis, q.stderr)
        assert q.stdout.startswith(b"usage: kengash " + synopsis.encode()), (synopsis, q.stdout)
    # no command: the same list on standard error, exit 2
    bare = run([])
    assert bare.returncode == 2 and bare.stderr == p.stdout


def import_file(db, layer, data):
    """`kengash import --layer LAYER` of the bytes data, as a .csv file."""
    fd, path = tempfile.mkstemp(prefix="cli-", suffix=".csv")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    try:
        return run(["import", "--db", db, "--layer", layer, path])
    finally:
        os.unlink(path)


RIGHTS_HEADER = b"cadastral_number,holder_id\n"
SNILS = b"123-456-789 01"


def test_csv_reader_refuses_nul_bytes_and_a_broken_bom_by_line():
    db = os.path.join(tempfile.mkdtemp(), "csv.sqlite")
    for layer, data, line in [
        ("rights", RIGHTS_HEADER + b"16:50:011101:1," + SNILS + b"\n16:50:011101:2\x00," + SNILS + b"\n", 3),
        ("rights", RIGHTS_HEADER + b'"16:50:011101:2\x00",' + SNILS + b"\n", 2),
        ("addresses", b"id,address,lon,lat\r\na1,\x00,49.1,55.7\r\n", 2),
    ]:
        p = import_file(db, layer, data)
        assert p.returncode == 1, (layer, data, p.stderr)
        assert b"line %d: " % line in p.stderr and b"NUL byte" in p.stderr, (layer, data, p.stderr)
        assert b"nothing was imported" in p.stderr, p.stderr
    for layer, data in [("rights", b"\xef\xbb" + RIGHTS_HEADER + b"16:50:011101:1," + SNILS + b"\n"),
                        ("addresses", b"\xef\xbbid,address,lon,lat\na1,x,49.1,55.7\n")]:
        p = import_file(db, layer, data)
        assert p.returncode == 1 and b"line 1: " in p.stderr, (layer, p.stderr)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM rights_register").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM address_registry").fetchone() == (0,)


def test_csv_reader_takes_crlf_lf_and_cr_line_ends_alike():
    db = os.path.join(tempfile.mkdtemp(), "csv.sqlite")
    rows = [b"16:50:011101:1," + SNILS, b"16:50:011101:2," + SNILS]
    for eol in (b"\r\n", b"\n", b"\r"):
        p = import_file(db, "rights", b"\xef\xbb\xbf" + eol.join([RIGHTS_HEADER.strip()] + rows) + eol)
        assert p.returncode == 0 and b"imported 2 rows" in p.stdout, (eol, p.stderr)
        # a bad third row is named by its line whatever the line ends
        p = import_file(db, "rights", eol.join([RIGHTS_HEADER.strip()] + rows + [b"16:50:1:1," + SNILS]))
        assert p.returncode == 1 and b"line 4: cadastral_number" in p.stderr, (eol, p.stderr)


def test_unknown_command_and_option_are_refused():
    assert run(["fly"]).returncode == 2
    p = run(["backup", "--nope", "x"])
    assert p.returncode == 2 and b"--nope" in p.stderr


def test_user_add_validates_and_reads_password_from_stdin():
    tmp = tempfile.mkdtemp()
    db = os.path.join(tmp, "db.sqlite")
    p = run(["user", "add", "--db", db, "--email", "not-an-email", "--role", "citizen"], b"long-enough-password\n")
    assert p.returncode == 2 and b"e-mail" in p.stderr
    p = run(["user", "add", "--db", db, "--email", "a@example.org", "--role", "king"], b"long-enough-password\n")
    assert p.returncode == 2 and b"role" in p.stderr
    p = run(["user", "add", "--db", db, "--email", "a@example.org", "--role", "citizen"], b"short\n")
    assert p.returncode == 2 and b"password" in p.stderr
    p = run(["user", "add", "--db", db, "--email", "a@example.org", "--role", "citizen"], b"long-enough-password\n")
    assert p.returncode == 0, p.stderr
    # again: the existing account gets the new role
    p = run(["user", "add", "--db", db, "--email", "A@example.org", "--role", "moderator"], b"long-enough-password\n")
    assert p.returncode == 0 and b"updated" in p.stdout
    assert b"long-enough-password" not in p.stdout + p.stderr


def test_options_from_environment_and_config_file():
    tmp = tempfile.mkdtemp()
    db = os.path.join(tmp, "env.sqlite")
    p = run(["user", "add", "--email", "b@example.org", "--role", "admin"], b"long-enough-password\n",
            env={"KENGASH_DB": db})
    assert p.returncode == 0, p.stderr
    assert os.path.exists(db)
    cfg = os.path.join(tmp, "kengash.conf")
    db2 = os.path.join(tmp, "file.sqlite")
    with open(cfg, "w") as f:
        f.write("# test\ndb = %s\n" % db2)
    p = run(["user", "add", "--config", cfg, "--email", "c@example.org", "--role", "admin"], b"long-enough-password\n")
    assert p.returncode == 0, p.stderr
    assert os.path.exists(db2)


@pytest.mark.skipif(PG, reason="copies the SQLite file; on PostgreSQL `kengash backup` points to "
                    "pg_dump (test_a_postgresql_db_is_never_echoed_nor_taken_for_a_file)")
def test_backup_while_serving_is_a_consistent_copy(server, mod):
    for i in range(5):
        assert mod.post("/api/v1/projects", {"title": "Резервная копия %d" % i, "kind": "general_plan",
                                             "organizer": "УАиГ"}).status == 201
    to = os.path.join(tempfile.mkdtemp(), "copy.sqlite")
    p = run(["backup", "--db", server.db, "--to", to])
    assert p.returncode == 0, p.stderr
    src = sqlite3.connect("file:%s?mode=ro" % server.db, uri=True)
    dst = sqlite3.connect(to)
    q = "SELECT count(*), max(id) FROM projects"
    assert dst.execute(q).fetchone() == src.execute(q).fetchone()
    assert dst.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    dst.close()
    src.close()
    # never overwrites
    p = run(["backup", "--db", server.db, "--to", to])
    assert p.returncode != 0 and b"exists" in p.stderr


def test_sigterm_drains_and_exits_zero():
    s = Server(tempfile.mkdtemp())
    s.start()
    assert s.client().get("/healthz").status == 200
    assert s.stop() == 0


def test_a_postgresql_db_is_never_echoed_nor_taken_for_a_file():
    """--db postgresql://... or a key=value connection string names a
    PostgreSQL database: a subcommand that cannot reach it says so without
    the connection string (its password) and creates no file; backup and
    restore, which copy an SQLite file, point to PostgreSQL's own tools."""
    cwd = tempfile.mkdtemp()
    for url in ("postgresql://kg:s3cret-pw@127.0.0.1:1/kengash", "postgres://kg:s3cret-pw@127.0.0.1:1/kg",
                "host=127.0.0.1 port=1 dbname=kengash password=s3cret-pw",
                "password = s3cret-pw host=127.0.0.1 port=1"):
        for cmd in (["serve", "--holder-key-file", os.path.join(cwd, "k")], ["demo"]):
            p = subprocess.run([BIN] + cmd + ["--db", url], capture_output=True, timeout=60, cwd=cwd)
            assert p.returncode != 0, (cmd, p.returncode, p.stderr)
            assert b"cannot open the database (the PostgreSQL database of --db)" in p.stderr, (cmd, p.stderr)
            assert b"s3cret-pw" not in p.stdout + p.stderr, (cmd, p.stderr)
        for cmd in (["backup", "--to", "/nonexistent/x"], ["restore", "--from", "/nonexistent/x"]):
            p = subprocess.run([BIN] + cmd + ["--db", url], capture_output=True, timeout=60, cwd=cwd)
            assert p.returncode == 2, (cmd, p.returncode, p.stderr)
            assert b"pg_dump" in p.stderr, (cmd, p.stderr)
            assert b"s3cret-pw" not in p.stdout + p.stderr, (cmd, p.stderr)
    # serve made its --files directory (as on SQLite), nothing named after --db
    assert os.listdir(cwd) in ([], ["files"])


def test_serve_on_postgresql_needs_the_holder_key_file():
    """No file beside a PostgreSQL database to keep the holder key in: serve
    asks for --holder-key-file before it reaches the database."""
    cwd = tempfile.mkdtemp()
    p = subprocess.run([BIN, "serve", "--db", "postgresql://kg:s3cret-pw@127.0.0.1:1/kengash"],
                       capture_output=True, timeout=60, cwd=cwd)
    assert p.returncode != 0
    assert b"--holder-key-file is required with a PostgreSQL --db" in p.stderr, p.stderr
    assert b"s3cret-pw" not in p.stderr
    assert os.listdir(cwd) in ([], ["files"])


def test_a_replica_is_refused_beside_an_sqlite_database():
    """--db-replica names a PostgreSQL streaming replica of a PostgreSQL
    --db: beside an SQLite file serve refuses to start, without echoing it."""
    tmp = tempfile.mkdtemp()
    p = subprocess.run([BIN, "serve", "--db", os.path.join(tmp, "k.sqlite"), "--files",
                        os.path.join(tmp, "files"), "--listen", "127.0.0.1:0",
                        "--db-replica", "postgresql://kg:s3cret-pw@127.0.0.1:1/kengash"],
                       capture_output=True, timeout=60)
    assert p.returncode != 0
    assert b"--db-replica names a PostgreSQL streaming replica" in p.stderr, p.stderr
    assert b"s3cret-pw" not in p.stderr

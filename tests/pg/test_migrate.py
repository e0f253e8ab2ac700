"""`kengash migrate-to-postgres` end to end (issue 22): the real binary moves
the demo city (`kengash demo`) into a throwaway PostgreSQL 15 + PostGIS
cluster (cluster.py), and the result is read back with psql and compared
with the SQLite file through the sqlite3 shell.

    KENGASH_BIN=build/kengash /usr/bin/python3 -m pytest -q tests/pg/test_migrate.py

(Debian's python3: the sqlite3 shell and psql are the readers here, but
the cluster helper and the tests assume Debian's paths.)"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cluster import Cluster, _free_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("KENGASH_BIN", os.path.join(ROOT, "build-asan", "kengash"))
PASSWORD = "Zq7-migrate-secret-4411"
DERIVED = {"comments_fts", "discussions_fts", "comments_fts_queue", "discussions_fts_queue"}


def run(*args, env=None):
    p = subprocess.run([BIN, "migrate-to-postgres"] + list(args), capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, **(env or {})))
    assert p.returncode >= 0, "killed by signal %d: %s" % (-p.returncode, p.stderr)
    return p


def sq(db, sql):
    """Rows of sql in the SQLite file db (sqlite3 shell, mod_spatialite), as
    lists of strings ('|' separated output)."""
    p = subprocess.run(["sqlite3", "-batch", "-readonly", db],
                       input=".load mod_spatialite\n" + sql + "\n", capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return [line.split("|") for line in p.stdout.splitlines()]


def pg(c, sql, dbname=None):
    return [line.split("|") for line in c.psql(sql, dbname=dbname).splitlines()]


def new_db(c, name):
    c.psql("CREATE DATABASE %s" % name, dbname="postgres")
    c.psql("CREATE EXTENSION postgis", dbname=name)
    return c.url_for(name)


def kengash_tables(c, dbname=None):
    return [r[0] for r in pg(c, "SELECT relname FROM pg_class WHERE relkind = 'r' AND "
                                "relnamespace = 'public'::regnamespace AND relname <> "
                                "'spatial_ref_sys' ORDER BY 1", dbname)]


def one_line_error(p, *words):
    assert p.returncode == 1, (p.returncode, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("kengash migrate-to-postgres: "), p.stderr
    for w in words:
        assert w in lines[0], p.stderr


@pytest.fixture(scope="module")
def tmp():
    d = tempfile.mkdtemp(prefix="kg-migrate-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def city(tmp):
    db = os.path.join(tmp, "city.sqlite")
    p = subprocess.run([BIN, "demo", "--db", db, "--geodata", os.path.join(ROOT, "geodata"),
                        "--files", os.path.join(tmp, "files")], capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()[-3000:]
    return db


@pytest.fixture(scope="module")
def cluster():
    with Cluster() as c:
        yield c


@pytest.fixture(scope="module")
def moved(city, cluster):
    """The demo city moved once into the cluster's database kengash, which
    already holds a table of its own (not a Kengash one)."""
    cluster.psql("CREATE TABLE city_notes (id int PRIMARY KEY, note text); "
                 "INSERT INTO city_notes VALUES (1, 'kept')")
    p = run("--from", city, "--to", cluster.url)
    return p


def test_the_demo_city_moves_and_every_table_checks_out(moved, city, cluster):
    assert moved.returncode == 0, moved.stderr
    err = moved.stderr
    n = len(glob.glob(os.path.join(ROOT, "src", "store", "migrations", "pg", "0*.sql")))
    assert "schema: %d PostgreSQL migrations applied" % n in err
    assert "copy  comments " in err and "check comments " in err
    assert "MISMATCH" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("kengash: moved ") and "hashes agree" in last, last
    assert cluster.psql("SELECT note FROM city_notes").split() == ["kept"]
    p = subprocess.run([BIN, "--help"], capture_output=True, text=True)
    assert p.returncode == 0 and "migrate-to-postgres" in p.stdout


def test_a_running_server_is_not_disturbed_and_its_last_writes_are_moved(tmp, city, cluster):
    """The server keeps the file open in WAL mode; a row written just before
    (still in the WAL) is moved, and the server answers throughout."""
    live = os.path.join(tmp, "live.sqlite")
    shutil.copy(city, live)
    server = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0", "--db", live,
                               "--files", os.path.join(tmp, "files"), "--web",
                               os.path.join(ROOT, "web")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        line = server.stdout.readline().decode()
        assert "serving on port" in line, line
        port = int(line.strip().rsplit(" ", 1)[1])
        # the server may be writing (its first scheduled transitions): wait for the lock
        # a text with every byte COPY's text format escapes, and more
        subprocess.run(["sqlite3", "-cmd", ".timeout 20000", live, "INSERT INTO news (title, "
                        "body, published_at, updated_at) VALUES ('Новость', 'a' || char(9) || "
                        "'b' || char(13, 10) || 'c\\N \\. \"q\" ''s'' ☃ 😀', 1, 1);"],
                       check=True)
        assert os.path.getsize(live + "-wal") > 0
        url = new_db(cluster, "kglive")
        p = run("--from", live, "--to", url, "--quiet")
        assert p.returncode == 0, p.stderr
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=10) as r:
            assert r.status == 200
    finally:
        server.terminate()
        assert server.wait(timeout=60) == 0
    assert pg(cluster, "SELECT title FROM news", "kglive") == [["Новость"]]
    (body,), = sq(live, "SELECT hex(body) FROM news;")
    assert body.startswith("610962") and "0D0A" in body and "5C4E" in body, body
    assert pg(cluster, "SELECT upper(encode(convert_to(body, 'UTF8'), 'hex')) FROM news",
              "kglive") == [[body]]


def test_counts_per_table_are_equal(moved, city, cluster):
    tables = [t for t in kengash_tables(cluster) if t != "city_notes"]
    assert "comments" in tables and "open_comments" in tables and len(tables) > 40
    for t in tables:
        if t in DERIVED:
            continue
        (n_sq,), = sq(city, "SELECT count(*) FROM %s;" % t)
        (n_pg,), = pg(cluster, "SELECT count(*) FROM %s" % t)
        assert n_sq == n_pg, (t, n_sq, n_pg)
    (n,), = pg(cluster, "SELECT count(*) FROM comments")
    assert int(n) > 50


def test_values_are_byte_identical(moved, city, cluster):
    # published comments with a point, the longest bodies (several lines, quotes)
    q = ("SELECT id, hex(registration_number), hex(body), hex(AsBinary(location)), "
         "printf('%!.17g %!.17g', X(location), Y(location)) FROM comments WHERE "
         "GeometryType(location) = 'POINT' AND registration_number IS NOT NULL "
         "ORDER BY length(body) DESC LIMIT 3;")
    rows = sq(city, q)
    assert len(rows) == 3
    for cid, reg, body, wkb, xy in rows:
        (reg_pg, body_pg, wkb_pg, srid, wkt_pg), = pg(
            cluster, "SELECT upper(encode(convert_to(registration_number, 'UTF8'), 'hex')), "
                     "upper(encode(convert_to(body, 'UTF8'), 'hex')), "
                     "upper(encode(ST_AsBinary(location, 'NDR'), 'hex')), ST_SRID(location), "
                     "ST_AsText(location) FROM comments WHERE id = %s" % cid)
        assert (reg_pg, body_pg, wkb_pg, srid) == (reg, body, wkb, "4326")
        # ST_AsText prints the shortest exact decimals: the same doubles
        assert wkt_pg.startswith("POINT(") and wkt_pg.endswith(")"), wkt_pg
        assert [float(v) for v in wkt_pg[6:-1].split()] == [float(v) for v in xy.split()]
    (wkb,), = sq(city, "SELECT hex(AsBinary(territory)) FROM discussions ORDER BY id LIMIT 1;")
    (wkb_pg,), = pg(cluster, "SELECT upper(encode(ST_AsBinary(territory, 'NDR'), 'hex')) "
                             "FROM discussions ORDER BY id LIMIT 1")
    assert wkb_pg == wkb
    # a bytea column (the issued reports' PDFs) and a double column
    (h,), = sq(city, "SELECT hex(body) FROM report_documents ORDER BY id LIMIT 1;")
    (h_pg,), = pg(cluster, "SELECT upper(encode(body, 'hex')) FROM report_documents "
                           "ORDER BY id LIMIT 1")
    assert h_pg == h and len(h) > 1000
    (x,), = sq(city, "SELECT printf('%!.17g', minx) FROM open_comments ORDER BY id LIMIT 1;")
    (x_pg,), = pg(cluster, "SELECT minx FROM open_comments ORDER BY id LIMIT 1")
    assert float(x_pg) == float(x)


def test_identity_sequences_continue_past_the_largest_id(moved, cluster):
    out = cluster.psql("BEGIN; SELECT max(id) FROM districts; "
                       "INSERT INTO districts (name, geometry) VALUES ('Новый', ST_Multi("
                       "ST_GeomFromText('POLYGON((49 55, 49.1 55, 49.1 55.1, 49 55))', 4326))) "
                       "RETURNING id; ROLLBACK;").split()
    assert int(out[1]) == int(out[0]) + 1, out
    out = cluster.psql("BEGIN; SELECT max(id) FROM comments; "
                       "INSERT INTO comments (discussion_id, author_id, kind, body, status, "
                       "created_at, updated_at) SELECT discussion_id, author_id, kind, 'x', "
                       "'pending', 1, 1 FROM comments LIMIT 1 RETURNING id; ROLLBACK;").split()
    assert int(out[1]) == int(out[0]) + 1, out


def test_search_finds_a_russian_word(moved, cluster):
    # 'дерево' finds 'деревьев'/'деревья' through the 'russian' stemmer
    rows = pg(cluster, "SELECT c.id, c.body FROM comments_fts f JOIN comments c ON c.id = f.id "
                       "WHERE f.tsv @@ websearch_to_tsquery('russian', 'дерево')")
    assert rows and all("дерев" in r[1].lower() for r in rows), rows
    (n,), = pg(cluster, "SELECT count(*) FROM discussions_fts")
    (d,), = pg(cluster, "SELECT count(*) FROM discussions")
    assert n == d
    # the triggers work after the move: a new comment is indexed
    count = ("SELECT count(*) FROM comments_fts WHERE tsv @@ "
             "websearch_to_tsquery('russian', 'голубятня');")
    out = cluster.psql("BEGIN; " + count + "INSERT INTO comments (discussion_id, author_id, kind, "
                       "body, status, created_at, updated_at) SELECT discussion_id, author_id, "
                       "kind, 'Оставить голубятни во дворе', 'pending', 1, 1 FROM comments "
                       "LIMIT 1; " + count + "ROLLBACK;")
    assert out.split() == ["0", "1"], out


def snapshot(c, dbname=None):
    return c.psql("SELECT (SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM comments t), "
                  "(SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM accounts t), "
                  "(SELECT count(*) FROM open_comments)", dbname=dbname)


def test_a_second_run_into_the_filled_target_refuses(moved, city, cluster):
    before = snapshot(cluster)
    p = run("--from", city, "--to", cluster.url)
    one_line_error(p, "already holds", "Kengash tables")
    assert snapshot(cluster) == before


def test_a_wrong_from_file_fails_cleanly(tmp, city, cluster):
    p = run("--from", os.path.join(tmp, "missing.sqlite"), "--to", cluster.url)
    one_line_error(p, "no such file")
    junk = os.path.join(tmp, "junk.sqlite")
    with open(junk, "wb") as f:
        f.write(b"this is not a database\n" * 400)
    one_line_error(run("--from", junk, "--to", cluster.url), "is not a database")
    other = os.path.join(tmp, "other.sqlite")
    subprocess.run(["sqlite3", other, "CREATE TABLE t (a); INSERT INTO t VALUES (1);"], check=True)
    one_line_error(run("--from", other, "--to", cluster.url), "not a Kengash database")
    old = os.path.join(tmp, "old.sqlite")
    shutil.copy(city, old)
    subprocess.run(["sqlite3", old, "PRAGMA user_version = 20;"], check=True)
    one_line_error(run("--from", old, "--to", cluster.url), "schema version 20")
    p = run("--to", cluster.url)
    assert p.returncode == 2 and "--from" in p.stderr


def test_an_unreachable_server_fails_cleanly(city):
    p = run("--from", city, "--to", "postgresql://postgres@127.0.0.1:%d/kengash" % _free_port())
    one_line_error(p, "cannot connect to PostgreSQL")


def test_a_mismatch_is_an_error_naming_the_table_and_leaves_nothing(tmp, city, cluster):
    # text 'NaN' in a REAL column: SQLite keeps the text, PostgreSQL reads a
    # NaN double; the copy "succeeds" but the values differ
    bad = os.path.join(tmp, "bad.sqlite")
    shutil.copy(city, bad)
    subprocess.run(["sqlite3", bad, "UPDATE discussions SET area_m2 = 'NaN' WHERE id = 1;"],
                   check=True)
    url = new_db(cluster, "kgbad")
    p = run("--from", bad, "--to", url)
    assert p.returncode == 1, p.stderr
    assert "check discussions" in p.stderr and "MISMATCH" in p.stderr
    assert ("kengash migrate-to-postgres: table discussions: the rows differ"
            in p.stderr), p.stderr
    assert kengash_tables(cluster, "kgbad") == []


def test_a_text_postgresql_refuses_is_named_without_its_value(tmp, city, cluster):
    bad = os.path.join(tmp, "bad-utf8.sqlite")
    shutil.copy(city, bad)
    subprocess.run(["sqlite3", bad, "UPDATE accounts SET full_name = 'Сабирова ' || "
                                    "CAST(x'd0' AS TEXT) || 'x' WHERE id = 3;"], check=True)
    url = new_db(cluster, "kgutf8")
    p = run("--from", bad, "--to", url, "--quiet")
    one_line_error(p, "copying table accounts failed", "not valid UTF-8", "row 3 in key order")
    assert "Сабирова" not in p.stderr
    assert kengash_tables(cluster, "kgutf8") == []


@pytest.fixture(scope="module")
def locked(cluster):
    """A role that needs a password (scram) and is no superuser: it owns its
    databases, so triggers are disabled per table instead of through
    session_replication_role."""
    cluster.psql("CREATE ROLE kg_mover LOGIN PASSWORD '%s'" % PASSWORD, dbname="postgres")
    for name in ("kgpw1", "kgpw2"):
        new_db(cluster, name)
        cluster.psql("ALTER DATABASE %s OWNER TO kg_mover" % name, dbname="postgres")
    # without PostGIS, which only a superuser may create
    cluster.psql("CREATE DATABASE kgnogis OWNER kg_mover", dbname="postgres")
    hba = os.path.join(cluster.data, "pg_hba.conf")
    rules = "host all kg_mover 127.0.0.1/32 scram-sha-256\n"
    if os.geteuid() == 0:  # the data directory belongs to the cluster's user
        subprocess.run(cluster._drop(["sh", "-c", "cat - %s > %s.new && mv %s.new %s" % (
            hba, hba, hba, hba)]), input=rules, text=True, check=True)
    else:
        with open(hba, encoding="utf-8") as f:
            rest = f.read()
        with open(hba, "w", encoding="utf-8") as f:
            f.write(rules + rest)
    cluster.psql("SELECT pg_reload_conf()", dbname="postgres")
    return lambda db: "postgresql://kg_mover@127.0.0.1:%d/%s" % (cluster.port, db)


def test_the_password_comes_from_a_file_or_pgpassword_and_is_never_printed(tmp, city, cluster,
                                                                           locked):
    no_env = {"PGPASSWORD": ""}
    p = run("--from", city, "--to", locked("kgpw1").replace("kg_mover@",
                                                            "kg_mover:%s@" % PASSWORD))
    one_line_error(p, "holds a password", "--password-file")
    assert PASSWORD not in p.stderr
    p = run("--from", city, "--to", "host=127.0.0.1 port=%d dbname=kgpw1 user=kg_mover "
                                    "password=%s" % (cluster.port, PASSWORD))
    one_line_error(p, "holds a password")
    assert PASSWORD not in p.stderr
    one_line_error(run("--from", city, "--to", locked("kgpw1"), env=no_env),
                   "cannot connect", "no password")
    wrong = os.path.join(tmp, "wrong-password")
    with open(wrong, "w") as f:
        f.write("not-" + PASSWORD + "\n")
    p = run("--from", city, "--to", locked("kgpw1"), "--password-file", wrong, env=no_env)
    one_line_error(p, "password authentication failed")
    assert PASSWORD not in p.stderr
    right = os.path.join(tmp, "password")
    with open(right, "w") as f:
        f.write(PASSWORD + "\n")
    os.chmod(right, 0o600)
    p = run("--from", city, "--to", locked("kgpw1"), "--password-file", right, env=no_env)
    assert p.returncode == 0, p.stderr
    assert PASSWORD not in p.stderr and PASSWORD not in p.stdout
    assert "hashes agree" in p.stderr
    p = run("--from", city, "--to", locked("kgnogis"), "--quiet", env={"PGPASSWORD": PASSWORD})
    one_line_error(p, "migration 0001_init.sql failed", "permission denied to create extension")
    assert kengash_tables(cluster, "kgnogis") == []
    p = run("--from", city, "--to", locked("kgpw2"), "--quiet", env={"PGPASSWORD": PASSWORD})
    assert p.returncode == 0, p.stderr
    assert p.stderr == "" and p.stdout == ""
    # the moved data is the role's, with its triggers on again
    (n,), = pg(cluster, "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                        "WHERE NOT t.tgisinternal AND t.tgenabled = 'D'", dbname="kgpw2")
    assert n == "0"
    (owner,), = pg(cluster, "SELECT tableowner FROM pg_tables WHERE tablename = 'comments'",
                   dbname="kgpw2")
    assert owner == "kg_mover"
    assert snapshot(cluster, "kgpw1") == snapshot(cluster, "kgpw2") == snapshot(cluster)

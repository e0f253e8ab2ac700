#!/usr/bin/python3
"""Applies src/store/migrations/pg/*.sql to a throwaway PostgreSQL + PostGIS
cluster and compares the result with the SQLite schema (issue 22 spike).

    python3 tests/pg/apply.py [--keep-sqlite PATH]

1. Builds the SQLite reference: the sqlite3 shell (the python3 sqlite3
   module of Debian is built without load_extension) loads mod_spatialite,
   runs SELECT InitSpatialMetadata(1) as kg_store_migrate does, then each
   src/store/migrations/00NN_*.sql in its own transaction followed by
   PRAGMA user_version=N. A SELECT printing 0 (a SpatiaLite management
   function failing) fails the build, as in exec_migration. The tokenizer
   kg_stem (0017) exists only inside kengash: unicode61 stands in for it
   (only the columns are compared).
2. Starts a cluster (cluster.py) and applies each pg/00NN_*.sql with
   psql --single-transaction (ON_ERROR_STOP).
3. Compares: every SQLite table and view (not SpatiaLite's own, not the
   R*Tree or FTS5 shadow tables) must exist in PG with the same columns;
   every named SQLite index must exist in PG (an R*Tree idx_<t>_<c> as a
   GiST index of that name); triggers are listed for information.
4. Smoke test, the same rows in both: a project, a discussion with a
   polygon territory, accounts, published comments (a point, a small
   polygon), a pending one, a support, a residence; checks that the
   open_comments rows (cell, bbox, head) are identical in both, that the
   content and eligibility versions moved the same way, and Russian
   stemming search in PG.
Exit status 0 when nothing is missing and the smoke results agree.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cluster import Cluster  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
MIG = os.path.join(ROOT, "src", "store", "migrations")
MIG_PG = os.environ.get("KG_PG_MIGRATIONS", os.path.join(MIG, "pg"))

SPATIALITE_TRIGGER = re.compile(r"^(gii|giu|gid|ggi|ggu|gci|gcu|gcd|tmi|tmu|tmd|gti|gtu|gsi|gsu|gsd)_")


def migrations(d):
    out = []
    for p in sorted(glob.glob(os.path.join(d, "[0-9][0-9][0-9][0-9]_*.sql"))):
        out.append((int(os.path.basename(p)[:4]), os.path.basename(p), p))
    return out


def sqlite_cli(db, script, json_out=False):
    pre = ".bail on\n.load mod_spatialite\n" + (".mode json\n" if json_out else "")
    p = subprocess.run(["sqlite3", "-batch", db], input=pre + script, capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise SystemExit("sqlite3 failed (%d): %s\n%s" % (p.returncode, p.stderr, p.stdout[-2000:]))
    if json_out:
        return json.loads(p.stdout) if p.stdout.strip() else []
    return p.stdout


# ---- smoke data: the same statements for both dialects ----
# ST_GeomFromText, ST_Multi exist under these names in SpatiaLite 5 and PostGIS 3.
T0 = 1764900000  # 2025-12-05T02:00:00Z
SMOKE = """
INSERT INTO accounts (id, email, password_hash, full_name, consent_at, created_at)
  VALUES (1, 'Gulnara@Example.org', 'x', 'Гульнара Х.', {t}, {t}),
         (2, 'mod@example.org', 'x', 'Модератор', {t}, {t});
INSERT INTO projects (id, title, kind, description, organizer, created_at)
  VALUES (1, 'Проект планировки квартала', 'territory_planning', 'Деревья и дворы', 'Город', {t});
INSERT INTO discussions (id, project_id, title, status, announce_at, opens_at, closes_at,
                         territory_geojson, minx, miny, maxx, maxy, created_at, updated_at, territory)
  VALUES (1, 1, 'Квартал 17', 'open', {t}, {t}, {t2}, '{{}}', 49.10, 55.78, 49.13, 55.80, {t}, {t},
          ST_Multi(ST_GeomFromText('POLYGON((49.10 55.78, 49.13 55.78, 49.13 55.80, 49.10 55.80, 49.10 55.78))', 4326)));
INSERT INTO residences (account_id, address, source, created_at, updated_at, location)
  VALUES (1, 'г. Казань, ул. Баумана, 19', 'registry', {t}, {t}, ST_GeomFromText('POINT(49.12 55.79)', 4326));
INSERT INTO comments (id, discussion_id, author_id, registration_number, kind, body, status,
                      created_at, updated_at, location, location_geojson, display_name)
  VALUES (1, 1, 1, 'D-1/0001', 'proposal', 'Сохранить деревья во дворе: "ёлки" и клёны
и детскую площадку \\ 100%', 'published', {t}, {t},
          ST_GeomFromText('POINT(49.1234567 55.7912345)', 4326), '{{"type":"Point","coordinates":[49.1234567,55.7912345]}}', 'Гульнара Х.');
INSERT INTO comments (id, discussion_id, author_id, registration_number, kind, body, status,
                      official, created_at, updated_at, location, location_geojson)
  VALUES (2, 1, 2, NULL, 'remark', 'Ответ: площадка останется.', 'published', 1, {t1}, {t1},
          ST_GeomFromText('POLYGON((49.11 55.785, 49.115 55.785, 49.115 55.79, 49.11 55.79, 49.11 55.785))', 4326),
          '{{"type":"Polygon"}}');
INSERT INTO comments (id, discussion_id, author_id, registration_number, kind, body, status,
                      created_at, updated_at, location, location_geojson)
  VALUES (3, 1, 1, 'D-1/0002', 'question', 'Ещё не проверено', 'pending', {t1}, {t1},
          ST_GeomFromText('POINT(49.12 55.79)', 4326), '{{"type":"Point","coordinates":[49.12,55.79]}}');
INSERT INTO comment_supports (comment_id, account_id, created_at) VALUES (1, 2, {t1});
UPDATE residences SET verified = 1, verified_by = 'moderator', verified_at = {t1} WHERE account_id = 1;
""".format(t=T0, t1=T0 + 61, t2=T0 + 30 * 86400)

Q_OPEN = "SELECT cell, id, minx, miny, maxx, maxy, created_at, supports, head FROM open_comments ORDER BY id"
Q_CV = "SELECT scope, v FROM content_versions ORDER BY scope"
Q_EV = "SELECT account_id, v FROM elig_versions ORDER BY account_id"


def build_sqlite(db):
    script = ["SELECT 'INIT', InitSpatialMetadata(1);",
              "SELECT 'BASE', type, name FROM sqlite_master;"]
    for n, name, path in migrations(MIG):
        sql = open(path, encoding="utf-8").read()
        sql = sql.replace("tokenize = 'kg_stem'", "tokenize = 'unicode61'")
        script += ["BEGIN;", "SELECT 'MIG', %d;" % n, sql, "PRAGMA user_version=%d;" % n, "COMMIT;"]
    out = sqlite_cli(db, "\n".join(script) + "\n")
    base, cur, bad = set(), None, []
    for line in out.splitlines():
        if line.startswith("BASE|"):
            base.add(line.split("|", 2)[2])
        elif line.startswith("MIG|"):
            cur = int(line[4:])
        elif line.strip() == "0":
            bad.append(cur)
        elif line.startswith("INIT|") and line != "INIT|1":
            raise SystemExit("InitSpatialMetadata failed: " + line)
    if bad:
        raise SystemExit("sqlite: a statement returned 0 in migration(s) %s" % bad)
    return base, int(sqlite_cli(db, "PRAGMA user_version;").strip())


def sqlite_schema(db, base):
    objs = sqlite_cli(db, "SELECT type, name, tbl_name, sql FROM sqlite_master;", json_out=True)
    virtual = {o["name"] for o in objs if o["type"] == "table" and (o["sql"] or "").upper()
               .startswith("CREATE VIRTUAL TABLE")}
    fts = {o["name"] for o in objs if o["name"] in virtual and "fts5" in o["sql"].lower()}
    rtree = {o["name"] for o in objs if o["name"] in virtual and "rtree" in o["sql"].lower()}
    shadow = set()
    for f in fts:
        shadow |= {f + s for s in ("_data", "_idx", "_content", "_docsize", "_config")}
    for r in rtree:
        shadow |= {r + s for s in ("_node", "_parent", "_rowid")}
    rels = {}
    for o in objs:
        if o["type"] not in ("table", "view") or o["name"] in base or o["name"] in shadow \
                or o["name"] in rtree or o["name"].startswith("sqlite_"):
            continue
        rels[o["name"]] = o["type"] + (" (fts5)" if o["name"] in fts else "")
    cols, detail = {}, {}
    for row in sqlite_cli(db, "SELECT m.name AS t, m.type AS k, p.name AS c, p.\"notnull\" AS nn, "
                              "p.dflt_value AS d, p.pk AS pk FROM sqlite_master m, "
                              "pragma_table_info(m.name) p WHERE m.type IN ('table', 'view') "
                              "ORDER BY m.name, p.cid;", json_out=True):
        if row["t"] in rels:
            cols.setdefault(row["t"], []).append(row["c"])
            if row["k"] == "table" and row["t"] not in fts:
                detail[(row["t"], row["c"])] = (bool(row["nn"] or row["pk"]), norm_default(row["d"]))
    checks = {o["name"]: len(re.findall(r"\bCHECK\s*\(", o["sql"], re.I)) for o in objs
              if o["type"] == "table" and o["name"] in rels and o["name"] not in fts}
    uniq = {}
    for row in sqlite_cli(db, "SELECT m.name AS t, l.name AS i, l.origin AS o, "
                              "group_concat(ii.name, ',') AS c FROM sqlite_master m, "
                              "pragma_index_list(m.name) l, pragma_index_info(l.name) ii "
                              "WHERE m.type = 'table' AND l.\"unique\" GROUP BY m.name, l.name;",
                          json_out=True):
        if row["t"] in rels and row["t"] not in fts:
            uniq.setdefault(row["t"], set()).add(row["c"])
    for row in sqlite_cli(db, "SELECT m.name AS t, group_concat(p.name, ',') AS c FROM "
                              "sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' "
                              "AND p.pk > 0 GROUP BY m.name;", json_out=True):
        if row["t"] in rels and row["t"] not in fts:
            uniq.setdefault(row["t"], set()).add(row["c"])
    indexes = {o["name"]: o["tbl_name"] for o in objs
               if o["type"] == "index" and o["sql"] and o["name"] not in base}
    for r in rtree:
        if r.startswith("idx_"):
            indexes[r] = "(R*Tree)"
    triggers = {o["name"]: o["tbl_name"] for o in objs
                if o["type"] == "trigger" and o["name"] not in base}
    return rels, cols, indexes, triggers, detail, checks, uniq


def norm_default(d):
    """'citizen'::text -> 'citizen'; identity/sequence defaults -> None."""
    if d is None or "nextval(" in str(d):
        return None
    d = re.sub(r"::[a-z ]+$", "", str(d).strip())
    return d


POSTGIS_RELS = {"spatial_ref_sys", "geometry_columns", "geography_columns"}


def pg_json(c, sql):
    out = c.psql("SELECT coalesce(json_agg(r_), '[]') FROM (%s) r_" % sql).strip()
    return json.loads(out)


def pg_schema(c):
    rels = {r["table_name"]: r["table_type"] for r in pg_json(
        c, "SELECT table_name, table_type FROM information_schema.tables "
           "WHERE table_schema = 'public'") if r["table_name"] not in POSTGIS_RELS}
    cols = {}
    for r in pg_json(c, "SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"):
        if r["table_name"] in rels:
            cols.setdefault(r["table_name"], []).append(r["column_name"])
    indexes = {r["indexname"]: (r["tablename"], r["am"]) for r in pg_json(
        c, "SELECT i.indexname, i.tablename, am.amname AS am FROM pg_indexes i "
           "JOIN pg_class x ON x.relname = i.indexname AND x.relnamespace = 'public'::regnamespace "
           "JOIN pg_am am ON am.oid = x.relam WHERE i.schemaname = 'public'")}
    triggers = {r["tgname"]: r["rel"] for r in pg_json(
        c, "SELECT tgname, tgrelid::regclass::text AS rel FROM pg_trigger WHERE NOT tgisinternal")}
    detail = {(r["table_name"], r["column_name"]): (r["is_nullable"] == "NO",
                                                    norm_default(r["column_default"]))
              for r in pg_json(c, "SELECT c.table_name, c.column_name, c.is_nullable, "
                                  "c.column_default FROM information_schema.columns c JOIN "
                                  "information_schema.tables t USING (table_schema, table_name) "
                                  "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'")}
    checks = {r["t"]: r["n"] for r in pg_json(
        c, "SELECT conrelid::regclass::text AS t, count(*) AS n FROM pg_constraint "
           "WHERE contype = 'c' AND connamespace = 'public'::regnamespace GROUP BY 1")}
    uniq = {}
    for r in pg_json(c, "SELECT x.indrelid::regclass::text AS t, string_agg(a.attname, ',' "
                        "ORDER BY k.n) AS c FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                        "CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY k(att, n) "
                        "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.att "
                        "WHERE x.indisunique AND i.relnamespace = 'public'::regnamespace "
                        "GROUP BY x.indexrelid, x.indrelid"):
        uniq.setdefault(r["t"], set()).add(r["c"])
    return rels, cols, indexes, triggers, detail, checks, uniq


def compare(s, p):
    s_rels, s_cols, s_idx, s_trg, s_det, s_chk, s_unq = s
    p_rels, p_cols, p_idx, p_trg, p_det, p_chk, p_unq = p
    fail = 0
    print("\n== NOT NULL, defaults, CHECK counts, primary keys and uniques ==")
    n, geo_dflt = 0, []
    for k in sorted(s_det):
        if k not in p_det:
            continue  # reported as a missing column below
        n += 1
        (snn, sd), (pnn, pd) = s_det[k], p_det[k]
        if snn != pnn:
            print("%s.%s: NOT NULL SQLite %s, PG %s" % (k[0], k[1], snn, pnn))
            fail += 1
        if sd == "''" and pd is None and s_idx.get("idx_%s_%s" % k) == "(R*Tree)":
            geo_dflt.append("%s.%s" % k)
        elif sd != pd:
            print("%s.%s: default SQLite %r, PG %r" % (k[0], k[1], sd, pd))
            fail += 1
    print("%d columns compared" % n)
    if geo_dflt:
        print("ignored: DEFAULT '' that SpatiaLite's AddGeometryColumn(..., not_null 1) puts on "
              "NOT NULL geometry columns (SQLite's ADD COLUMN NOT NULL needs one; PG has none): "
              + ", ".join(geo_dflt))
    for t in sorted(s_chk):
        if s_chk[t] != p_chk.get(t, 0):
            print("%s: %d CHECK constraints in SQLite, %d in PG" % (t, s_chk[t], p_chk.get(t, 0)))
            fail += 1
    for t in sorted(s_unq):
        if s_unq[t] != p_unq.get(t, set()):
            print("%s: unique keys SQLite %s, PG %s" % (t, sorted(s_unq[t]), sorted(p_unq.get(t, ()))))
            fail += 1
    print("CHECK counts compared for %d tables, unique keys for %d" % (len(s_chk), len(s_unq)))
    rows = []
    for t in sorted(s_rels):
        if t not in p_rels:
            rows.append((t, s_rels[t], "MISSING in PG", ""))
            fail += 1
            continue
        missing = [x for x in s_cols.get(t, []) if x not in p_cols.get(t, [])]
        extra = [x for x in p_cols.get(t, []) if x not in s_cols.get(t, [])]
        order = [x for x in p_cols.get(t, []) if x in s_cols.get(t, [])] == s_cols.get(t, [])
        if missing:
            fail += 1
        note = []
        if missing:
            note.append("MISSING columns: " + ", ".join(missing))
        if extra:
            note.append("extra in PG: " + ", ".join(extra))
        if not order:
            note.append("column order differs")
        rows.append((t, s_rels[t], "ok" if not missing else "FAIL", "; ".join(note)))
    print("\n== relations: SQLite -> PostgreSQL (%d SQLite, %d PG) ==" % (len(s_rels), len(p_rels)))
    w = max(len(r[0]) for r in rows)
    for r in rows:
        print("%-*s  %-13s %-4s %s" % (w, r[0], r[1], r[2], r[3]))
    only_pg = sorted(set(p_rels) - set(s_rels))
    print("only in PG:", ", ".join(only_pg) or "-")

    print("\n== indexes ==")
    n_ok = 0
    for i in sorted(s_idx):
        if i not in p_idx:
            print("MISSING index %s on %s" % (i, s_idx[i]))
            fail += 1
        elif s_idx[i] == "(R*Tree)" and p_idx[i][1] != "gist":
            print("index %s is %s, expected gist" % (i, p_idx[i][1]))
            fail += 1
        else:
            n_ok += 1
    print("%d SQLite indexes found in PG (%d R*Tree -> GiST)" %
          (n_ok, sum(1 for i in s_idx if s_idx[i] == "(R*Tree)")))
    extra = sorted(i for i in p_idx if i not in s_idx and not i.endswith(("_pkey", "_key")))
    print("only in PG (besides pkeys/uniques):", ", ".join(extra) or "-")

    print("\n== triggers (information) ==")
    s_user = {t for t in s_trg if not SPATIALITE_TRIGGER.match(t)}
    print("SQLite: %d triggers, %d of them SpatiaLite's/R*Tree (gii_, ggu_, tmi_...: no PG counterpart)"
          % (len(s_trg), len(s_trg) - len(s_user)))
    print("PG: %d triggers" % len(p_trg))
    miss = sorted(s_user - set(p_trg))
    print("kengash triggers without a PG trigger of the same name:", ", ".join(miss) or "-")
    print("PG triggers without a SQLite one:", ", ".join(sorted(set(p_trg) - set(s_trg))) or "-")
    return fail


def close(a, b):
    return abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(a)))


def smoke(c, db):
    fail = 0
    before_pg = {"cv": pg_json(c, Q_CV), "ev": pg_json(c, Q_EV)}
    c.psql(SMOKE, single_tx=True)
    s_cv0 = sqlite_cli(db, Q_CV + ";", json_out=True)
    sqlite_cli(db, "PRAGMA foreign_keys=ON;\nBEGIN;\n" + SMOKE + "\nCOMMIT;\n")
    pg = {"open": pg_json(c, Q_OPEN), "cv": pg_json(c, Q_CV), "ev": pg_json(c, Q_EV)}
    sl = {"open": sqlite_cli(db, Q_OPEN + ";", json_out=True),
          "cv": sqlite_cli(db, Q_CV + ";", json_out=True),
          "ev": sqlite_cli(db, Q_EV + ";", json_out=True)}
    print("\n== smoke: the same inserts in both ==")
    print("content_versions before: PG %s  SQLite %s" % (before_pg["cv"], s_cv0))
    print("content_versions after:  PG %s  SQLite %s" % (pg["cv"], sl["cv"]))
    print("elig_versions after:     PG %s  SQLite %s" % (pg["ev"], sl["ev"]))
    if pg["cv"] != sl["cv"] or pg["ev"] != sl["ev"]:
        print("FAIL: versions differ")
        fail += 1
    print("open_comments rows: PG %d, SQLite %d (comment 3 is pending: no row)" %
          (len(pg["open"]), len(sl["open"])))
    if [r["id"] for r in pg["open"]] != [r["id"] for r in sl["open"]] or len(pg["open"]) != 2:
        print("FAIL: open_comments ids differ or not [1, 2]")
        fail += 1
    for a, b in zip(pg["open"], sl["open"]):
        diffs = [k for k in ("cell", "id", "created_at", "supports", "head") if a[k] != b[k]]
        diffs += [k for k in ("minx", "miny", "maxx", "maxy") if not close(a[k], b[k])]
        print("  id %d cell %d supports %d: %s" % (a["id"], a["cell"], a["supports"],
                                                  "identical" if not diffs else "DIFFER " + str(diffs)))
        if diffs:
            fail += 1
            for k in diffs:
                print("    PG:     %r\n    SQLite: %r" % (a[k], b[k]))
    print("  head of 1 (PG): %s" % pg["open"][0]["head"] if pg["open"] else "")

    # PG only: the triggers keep open_comments and FTS in step with later changes
    c.psql("UPDATE comments SET status = 'withdrawn' WHERE id = 2; "
           "DELETE FROM comment_supports WHERE comment_id = 1 AND account_id = 2", single_tx=True)
    after = pg_json(c, "SELECT id, supports FROM open_comments ORDER BY id")
    print("PG after withdrawing 2 and removing the support of 1: open_comments %s" % after)
    if after != [{"id": 1, "supports": 0}]:
        print("FAIL")
        fail += 1
    hits = pg_json(c, "SELECT id FROM comments_fts WHERE tsv @@ websearch_to_tsquery('russian', 'дерево')")
    hits2 = pg_json(c, "SELECT id FROM discussions_fts WHERE tsv @@ websearch_to_tsquery('russian', 'двор')")
    print("PG search 'дерево' in comments_fts: %s; 'двор' in discussions_fts: %s" % (hits, hits2))
    if hits != [{"id": 1}] or hits2 != [{"id": 1}]:
        print("FAIL: stemmed search")
        fail += 1
    try:
        c.psql("UPDATE report_documents SET note = 'x'; INSERT INTO report_documents "
               "(discussion_id, kind, version, body, sha256, issued_at) VALUES (1, 'protocol', 1, "
               "'\\x7b7d', repeat('0', 64), %d); UPDATE report_documents SET note = 'x'" % T0,
               single_tx=True)
        print("FAIL: report_documents update was accepted")
        fail += 1
    except Exception as e:  # noqa: BLE001
        msg = [l for l in str(e).splitlines() if "immutable" in l]
        print("PG report_documents update refused: %s" % (msg[0].strip() if msg else str(e)[:200]))
        if not msg:
            fail += 1
    dup = None
    try:
        c.psql("INSERT INTO accounts (id, email, password_hash, full_name, consent_at, created_at) "
               "VALUES (3, 'gulnara@EXAMPLE.org', 'x', 'y', 0, 0)")
        dup = False
    except Exception as e:  # noqa: BLE001
        dup = "accounts_email_key" in str(e)
    print("PG accounts.email nocase UNIQUE refuses 'gulnara@EXAMPLE.org': %s" % dup)
    if not dup:
        fail += 1
    # Deleting a supported comment: the support goes by cascade after the
    # comment, so cv_supports_d finds no discussion. SQLite then inserts a
    # NULL scope into an INTEGER PRIMARY KEY, which makes a spurious row with
    # scope max(scope)+1; the PG function skips it (NOT NULL would fail).
    c.psql("INSERT INTO comment_supports (comment_id, account_id, created_at) VALUES (1, 2, %d); "
           "DELETE FROM comments WHERE id = 1" % T0, single_tx=True)
    cv = pg_json(c, Q_CV)
    oc = pg_json(c, "SELECT id FROM open_comments")
    print("PG after deleting supported comment 1: content_versions %s, open_comments %s" % (cv, oc))
    if [r["scope"] for r in cv] != [0, 1] or oc:
        print("FAIL")
        fail += 1
    return fail


def main():
    keep = None
    if sys.argv[1:2] == ["--keep-sqlite"]:
        keep = sys.argv[2]
    s_m = [(n, name) for n, name, _ in migrations(MIG)]
    p_m = [(n, name) for n, name, _ in migrations(MIG_PG)]
    if s_m != p_m:
        print("migration lists differ:\n SQLite %s\n PG     %s" % (s_m, p_m))
        return 1
    tmp = None if keep else tempfile.mkdtemp(prefix="kgsl-")
    db = keep or os.path.join(tmp, "ref.db")
    try:
        base, ver = build_sqlite(db)
        print("SQLite reference built: user_version %d, %d migrations" % (ver, len(s_m)))
        s = sqlite_schema(db, base)
        with Cluster() as c:
            print("PostgreSQL cluster: %s" % c.url)
            for n, name, path in migrations(MIG_PG):
                try:
                    c.psql(file=path, single_tx=True)
                except Exception as e:  # noqa: BLE001
                    print("PG migration %s FAILED:\n%s" % (name, e))
                    return 1
            print("PG: %d migrations applied, each in one transaction" % len(p_m))
            fail = compare(s, pg_schema(c))
            fail += smoke(c, db)
        print("\nRESULT: %s (%d problem(s))" % ("OK" if not fail else "FAIL", fail))
        return 1 if fail else 0
    finally:
        if tmp:
            for f in os.listdir(tmp):
                os.unlink(os.path.join(tmp, f))
            os.rmdir(tmp)


if __name__ == "__main__":
    sys.exit(main())

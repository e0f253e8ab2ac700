#!/usr/bin/python3
"""Runs store unit tests (tests/unit/test_store_*.c) on PostgreSQL.

    python3 tests/pg/run_unit.py BUILD_DIR [TEST ...]

Starts a throwaway PostgreSQL 15 + PostGIS 3 cluster (cluster.py), sets
KG_TEST_PG_URL for each test binary (tests/unit/store_harness.h then opens
every store of the test on a new database of that cluster, through the
PostgreSQL driver of src/store/db_pg.c) and runs them one after another.
TEST names a binary of BUILD_DIR/tests (test_store_accounts, ...); the
default is the aggregates that pass on PostgreSQL so far (PASSING). Prints
each binary's output and a summary; exit 0 when all passed.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Cluster  # noqa: E402

# the store's unit tests that pass on PostgreSQL (docs/postgres-spike.md,
# "The engine seam", says what blocks the others)
PASSING = ["test_store", "test_store_accounts", "test_store_addresses", "test_store_alerts",
           "test_store_comments", "test_store_dept", "test_store_discussions", "test_store_ogc",
           "test_store_outbox", "test_store_participants", "test_store_projects",
           "test_store_reference", "test_store_rights", "test_store_support"]


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    build, names = argv[1], argv[2:] or PASSING
    failed = []
    with Cluster() as c:
        base = c.url_for("postgres").rsplit("/", 1)[0]
        env = dict(os.environ, KG_TEST_PG_URL=base,
                   KENGASH_SRC=os.path.dirname(os.path.dirname(os.path.dirname(
                       os.path.abspath(__file__)))))
        for name in names:
            exe = os.path.join(build, "tests", name)
            print("==", name, flush=True)
            r = subprocess.run([exe], env=env, timeout=600)
            if r.returncode != 0:
                failed.append(name)
    print("== PostgreSQL: %d of %d passed%s" % (
        len(names) - len(failed), len(names),
        ("; failed: " + " ".join(failed)) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

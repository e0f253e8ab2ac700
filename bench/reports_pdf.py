"""bench/reports_pdf.py (issue 17): a protocol with 400 entries,
first and later downloads of protocol.pdf with curl. Run from the repository root
with a release build (meson setup build-rel --buildtype=release):
  KENGASH_BIN=$PWD/build-rel/kengash /usr/bin/python3 bench/reports_pdf.py
The discussion gets one proposal through the API, then 399 copies of it
straight in the database (distinct registration numbers), then is closed
and moved to protocol."""
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.getcwd(), "tests", "api"))
from conftest import MODERATOR, Server  # noqa: E402
from test_comments import discussion, resident, spatial_db, submit  # noqa: E402
from test_reports import move, url  # noqa: E402

s = Server(tempfile.mkdtemp(prefix="kengash-measure-"))
s.user_add(MODERATOR, "moderator", "Тестовый Модератор")
s.start()
try:
    mod = s.client()
    mod.login(MODERATOR)
    did = discussion(mod)["id"]
    a = resident(s, mod)
    first = submit(a, did, body="Предложение: сохранить липовую аллею во дворе дома 7 и сделать "
                   "пешеходную дорожку вдоль сквера, с освещением и скамейками. " * 2)
    with spatial_db(s) as db:  # committed on leaving
        cols = [r[1] for r in db.execute("PRAGMA table_info(comments)") if r[1] not in ("id",)]
        sel = ", ".join("?2 || '-' || printf('%04d', ?1)" if c == "registration_number" else
                        ("seq + ?1" if c == "seq" else c) for c in cols)
        for i in range(1, 400):
            db.execute("INSERT INTO comments (%s) SELECT %s FROM comments WHERE id = ?3"
                       % (", ".join(cols), sel), (i, first["registration_number"], first["id"]))
    move(mod, did, "closed")
    move(mod, did, "protocol")
    n = len(mod.get(url(did, "/protocol")).json["residents"]) + len(mod.get(url(did, "/protocol")).json["others"])
    u = "http://127.0.0.1:%d%s" % (s.port, url(did, "/protocol.pdf"))

    def t():
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_total} %{size_download} %{http_code}", u],
                             capture_output=True, text=True, check=True).stdout.split()
        assert out[2] == "200", out
        return float(out[0]), int(out[1])

    t1, size = t()
    later = [t()[0] for _ in range(20)]
    hz = []
    for _ in range(20):
        hz.append(float(subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_total}",
                                        "http://127.0.0.1:%d/healthz" % s.port],
                                       capture_output=True, text=True, check=True).stdout))
    import time
    ex = []
    for k in range(3):
        t0 = time.perf_counter()
        r = a.get("/api/v1/me/extract.pdf?discussion=%d" % did)
        ex.append(time.perf_counter() - t0)
        assert r.status == 200, r
    print("entries %d, PDF %d bytes" % (n, size))
    print("/healthz (20): median %.2f ms" % (statistics.median(hz) * 1000))
    print("extract.pdf of the author of all 400 entries, 3 downloads: %s s" % ", ".join("%.4f" % x for x in ex))
    print("first download %.3f s" % t1)
    print("second and later (20): median %.2f ms, min %.2f ms, max %.2f ms" %
          (statistics.median(later) * 1000, min(later) * 1000, max(later) * 1000))
finally:
    s.stop()

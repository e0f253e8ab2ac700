"""Public statistics over real HTTP: the 12-month series of discussions
opened and comments submitted."""
import time

from test_comments import discussion, resident, submit


def test_by_month_has_the_last_12_months_oldest_first(anon):
    r = anon.get("/api/v1/stats")
    assert r.status == 200, r
    months = r.json["by_month"]
    assert len(months) == 12
    assert [m["month"] for m in months] == sorted(m["month"] for m in months)
    assert months[-1]["month"] == time.strftime("%Y-%m", time.gmtime())
    for m in months:
        assert set(m) == {"month", "discussions_opened", "comments"}
        assert m["discussions_opened"] >= 0 and m["comments"] >= 0


def test_by_month_counts_an_opened_discussion_and_a_submitted_comment(server, mod, anon):
    before = anon.get("/api/v1/stats").json["by_month"][-1]
    d = discussion(mod, "open")
    c = resident(server, mod)
    submit(c, d["id"])
    after = anon.get("/api/v1/stats").json["by_month"][-1]
    if after["month"] == before["month"]:  # not across a month boundary
        assert after["comments"] == before["comments"] + 1
        assert after["discussions_opened"] == before["discussions_opened"] + 1

"""Login throttling over real HTTP: too many failed logins for one e-mail,
or from one client address, are answered 429 with Retry-After, the right
password included; unknown e-mails are counted the same way; a success
resets the e-mail's counter; locks run out and grow while the failures go
on. Each test starts its own server with short --login-window and
--login-lock (hidden serve options), so the shared server is never locked
and the tests take seconds."""
import tempfile
import time
import uuid

import pytest

from conftest import PASSWORD, Server, problem

MAX_PER_EMAIL = 5
MAX_PER_IP = 20
LOCK = 2  # seconds: --login-lock
WINDOW = 120  # seconds: --login-window, longer than any test


@pytest.fixture
def srv():
    s = Server(tempfile.mkdtemp(prefix="kengash-throttle-"),
               ["--login-window", str(WINDOW), "--login-lock", str(LOCK)])
    s.user_add("alice@example.org", "citizen", "Алиса Тестова")
    s.user_add("bob@example.org", "citizen", "Боб Тестов")
    s.start()
    yield s
    s.stop_clean()


def login(s, email, password=PASSWORD):
    return s.client().post("/api/v1/session", {"email": email, "password": password})


def fail(s, email, n):
    """n wrong passwords for email, each an ordinary 401."""
    for _ in range(n):
        problem(login(s, email, "wrong-password-123"), 401)


def locked(r):
    """Asserts r is the 429 of a lock; returns Retry-After in seconds."""
    body = problem(r, 429)
    retry = r.header("Retry-After")
    assert retry is not None and retry.isdigit(), r.headers
    assert 1 <= int(retry), retry
    assert "try again" in body["detail"]
    return int(retry)


def test_account_is_locked_after_five_failures_even_for_the_right_password(srv):
    fail(srv, "alice@example.org", MAX_PER_EMAIL)
    assert locked(login(srv, "alice@example.org", "wrong-password-123")) <= LOCK
    assert locked(login(srv, "alice@example.org")) <= LOCK
    # the e-mail is what is locked, written in any case
    locked(login(srv, "ALICE@Example.org"))
    # another account from the same address is not locked
    assert login(srv, "bob@example.org").status == 200


def test_unknown_email_gets_the_same_401_and_the_same_lock(srv):
    known = login(srv, "alice@example.org", "wrong-password-123")
    unknown = login(srv, "nobody@example.org", "wrong-password-123")
    assert (known.status, known.body) == (unknown.status, unknown.body) == (401, unknown.body)
    fail(srv, "nobody@example.org", MAX_PER_EMAIL - 1)
    fail(srv, "alice@example.org", MAX_PER_EMAIL - 1)
    a, b = login(srv, "alice@example.org"), login(srv, "nobody@example.org")
    locked(a), locked(b)
    assert a.json == b.json  # nothing tells the existing account apart


def test_failures_below_the_limit_and_a_success_reset_the_counter(srv):
    fail(srv, "alice@example.org", MAX_PER_EMAIL - 1)
    assert login(srv, "alice@example.org").status == 200
    # counting starts over: four more failures and the right password still works
    fail(srv, "alice@example.org", MAX_PER_EMAIL - 1)
    assert login(srv, "alice@example.org").status == 200


def test_ip_is_locked_after_twenty_failures_across_many_emails(srv):
    # four failures each: no single e-mail reaches its own limit
    emails = ["u%d-%s@example.org" % (i, uuid.uuid4().hex[:6]) for i in range(MAX_PER_IP // 4)]
    for e in emails:
        fail(srv, e, 4)
    # the address is locked now, for every account, the right password included
    assert locked(login(srv, "bob@example.org")) <= LOCK
    locked(login(srv, "fresh-%s@example.org" % uuid.uuid4().hex[:6], "wrong-password-123"))


def test_successful_logins_do_not_use_up_the_address(srv):
    # people behind one address who log in fine never lock each other out
    for _ in range(MAX_PER_IP + 5):
        assert login(srv, "bob@example.org").status == 200
    fail(srv, "alice@example.org", MAX_PER_EMAIL - 1)
    assert login(srv, "alice@example.org").status == 200


def test_lock_runs_out_and_grows_while_failures_go_on(srv):
    fail(srv, "alice@example.org", MAX_PER_EMAIL)
    first = locked(login(srv, "alice@example.org"))
    time.sleep(first + 0.3)
    # the first lock is over; failing again at once locks for twice as long
    fail(srv, "alice@example.org", MAX_PER_EMAIL)
    second = locked(login(srv, "alice@example.org"))
    assert second > LOCK, (first, second)
    time.sleep(second + 0.3)
    r = login(srv, "alice@example.org")
    assert r.status == 200, r
    # the success forgot the history: the next lock is the short one again
    fail(srv, "alice@example.org", MAX_PER_EMAIL)
    assert locked(login(srv, "alice@example.org")) <= LOCK


def test_parallel_guesses_cannot_outrun_the_limit(srv):
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(12) as pool:
        got = list(pool.map(lambda _: login(srv, "alice@example.org", "wrong-password-123").status,
                            range(12)))
    assert got.count(401) == MAX_PER_EMAIL and got.count(429) == 12 - MAX_PER_EMAIL, got


def test_logs_keep_no_email_or_address_in_clear(srv):
    fail(srv, "alice@example.org", MAX_PER_EMAIL)
    locked(login(srv, "alice@example.org"))
    time.sleep(0.3)  # let the stderr reader catch up
    lines = [l for l in srv.stderr_lines if "login" in l]
    assert any("login locked" in l for l in lines), lines
    for l in lines:
        assert "alice" not in l and "127.0.0.1" not in l, l


def test_login_options_are_hidden_from_help():
    import subprocess
    from conftest import BIN
    out = subprocess.run([BIN, "serve", "--help"], capture_output=True, timeout=30).stdout.decode()
    assert "--listen" in out and "login-window" not in out and "login-lock" not in out

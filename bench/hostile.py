#!/usr/bin/env python3
"""What a hostile signed-in viewer and a burst of sign-in guesses cost the server.

Seeds (once, then reused) a database of 20,000 contacts whose e-mails all contain the word
"example", starts the release server on loopback, and measures:

1. one hostile search: a single "word" of 7,000 parts (`example.example.…`), as a viewer may type
   into the search box or a link: its answer time and status;
2. the contacts list's latency (p50/p95 over 40 requests, one at a time) while 4 such searches
   run at once, against the same list on an idle server;
3. a burst of 40 simultaneous wrong passwords for one account: how many were evaluated (answered
   401) rather than refused (429/503).

Usage: python3 bench/hostile.py  (after `make build`; about a minute, plus the first seed)
Environment: CLIENTELE_BIN (the binary; default $CARGO_TARGET_DIR/release/clientele), BENCH_DATA
(data folder, default /tmp/clientele-bench-hostile), BENCH_PORT (default 3311).
Prints one line per figure; run it against two builds to compare them.
"""
import concurrent.futures
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BINARY = os.environ.get("CLIENTELE_BIN", os.path.join(TARGET, "release", "clientele"))
PORT = int(os.environ.get("BENCH_PORT", "3311"))
BASE = f"http://127.0.0.1:{PORT}"
DATA = os.environ.get("BENCH_DATA", "/tmp/clientele-bench-hostile")
EMAIL, PASSWORD = "viewer@example.com", "bench-marks-the-spot"
VICTIM = "victim@example.com"
HOSTILE = urllib.parse.quote(".".join(["example"] * 7000))
TIMEOUT = 60


def ensure_data():
    marker = os.path.join(DATA, "seeded")
    if os.path.exists(marker):
        return
    shutil.rmtree(DATA, ignore_errors=True)
    os.makedirs(DATA)
    env = dict(os.environ, CLIENTELE_PASSWORD=PASSWORD, RUST_LOG="warn")
    for email, role in [(EMAIL, "viewer"), (VICTIM, "member")]:
        subprocess.run([BINARY, "user", "create", "--email", email, "--role", role, "--data-dir", DATA],
                       env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([BINARY, "seed", "--companies", "1000", "--contacts", "20000", "--data-dir", DATA],
                   env=env, check=True, stderr=subprocess.DEVNULL)
    open(marker, "w").close()


def request(path, cookie=None, data=None, timeout=TIMEOUT):
    headers = {"accept": "application/json" if data else "text/html"}
    if cookie:
        headers["cookie"] = cookie
    if data:
        headers["content-type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(BASE + path, data=data, headers=headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
            status, cookie_out = resp.status, resp.headers.get("set-cookie")
    except urllib.error.HTTPError as e:
        status, cookie_out = e.code, None
    except OSError:
        status, cookie_out = "timeout", None
    return status, (time.perf_counter() - started) * 1000, cookie_out


def sign_in():
    data = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD}).encode()
    status, _, cookie = request("/api/auth/login", data=data)
    assert status == 200, status
    return cookie.split(";")[0]


def list_latency(cookie, n=40):
    times = [request("/contacts", cookie)[1] for _ in range(n)]
    return statistics.median(times), sorted(times)[int(n * 0.95) - 1]


def main():
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} not found: run `make build` first")
    ensure_data()
    server = subprocess.Popen([BINARY, "serve", "--listen", f"127.0.0.1:{PORT}", "--data-dir", DATA],
                              env=dict(os.environ, RUST_LOG="error"), stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if request("/readyz", timeout=2)[0] == 200:
                break
            time.sleep(0.1)
        cookie = sign_in()
        idle = list_latency(cookie)
        status, ms, _ = request(f"/contacts?q={HOSTILE}", cookie)
        print(f"hostile search (7,000-part word, 20k contacts): {ms:,.0f} ms, status {status}")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            hostile = [pool.submit(request, f"/contacts?q={HOSTILE}", cookie) for _ in range(4)]
            time.sleep(0.2)
            during = list_latency(cookie)
            statuses = [f.result()[0] for f in hostile]
        print(f"contacts list idle: p50 {idle[0]:.1f} ms, p95 {idle[1]:.1f} ms")
        print(f"contacts list during 4 hostile searches: p50 {during[0]:.1f} ms, p95 {during[1]:.1f} ms"
              f" (hostile answers: {statuses})")
        guess = lambda n: request("/api/auth/login", data=urllib.parse.urlencode(
            {"email": VICTIM, "password": f"guess number {n}"}).encode())[0]
        with concurrent.futures.ThreadPoolExecutor(40) as pool:
            burst = list(pool.map(guess, range(40)))
        evaluated = sum(1 for s in burst if s == 401)
        print(f"burst of 40 simultaneous guesses: {evaluated} evaluated (limit 10), "
              f"{sum(1 for s in burst if s in (429, 503))} refused, others {[s for s in burst if s not in (401, 429, 503)]}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()

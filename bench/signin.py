#!/usr/bin/env python3
"""Sign-in latency, and how a burst of concurrent sign-ins affects page requests.

Starts the release server (`make build` first) on a fresh database on loopback, creates one account
with the CLI, then measures:
  1. sign-in latency (sequential), p50/p95;
  2. home-page latency with no other load, p50/p95;
  3. home-page latency while 8 clients sign in continuously, p50/p95, and the ratio to (2)
     (target: <= 2x; argon2 runs on the blocking pool, so page requests should not stall).
Bounded: a fixed number of requests, loopback only. Usage: python3 bench/signin.py
"""
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BINARY = os.environ.get("CLIENTELE_BIN", os.path.join(TARGET, "release", "clientele"))
PORT = int(os.environ.get("BENCH_PORT", "3300"))
BASE = f"http://127.0.0.1:{PORT}"
EMAIL, PASSWORD = "bench@example.com", "bench-marks-the-spot"


def request(path, data=None):
    req = urllib.request.Request(BASE + path, data=data, headers={"accept": "application/json"})
    if data is not None:
        req.add_header("content-type", "application/x-www-form-urlencoded")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as e:
        status = e.code
    return (time.perf_counter() - start) * 1000, status


def sign_in():
    return request("/api/auth/login", f"email={EMAIL}&password={PASSWORD}".encode())


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def page_latencies(count, threads=4):
    out, lock = [], threading.Lock()

    def worker(n):
        for _ in range(n):
            ms, status = request("/")
            assert status == 200, status
            with lock:
                out.append(ms)

    ts = [threading.Thread(target=worker, args=(count // threads,)) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def main():
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} not found: run `make build` first")
    data = tempfile.mkdtemp(prefix="clientele-bench-")
    env = dict(os.environ, CLIENTELE_PASSWORD=PASSWORD, RUST_LOG="error")
    subprocess.run([BINARY, "user", "create", "--email", EMAIL, "--role", "member", "--data-dir", data],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    site = os.environ.get("LEPTOS_SITE_ROOT", os.path.join(ROOT, "target", "site"))
    server = subprocess.Popen([BINARY, "serve", "--listen", f"127.0.0.1:{PORT}", "--data-dir", data],
                              env=dict(env, LEPTOS_SITE_ROOT=site), stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if request("/readyz")[1] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("server did not become ready")
        for _ in range(3):
            sign_in()
            request("/")

        signins = []
        for _ in range(30):
            ms, status = sign_in()
            assert status == 200, status
            signins.append(ms)

        baseline = page_latencies(200)

        stop = threading.Event()
        burst_signins = []

        def burster():
            while not stop.is_set():
                burst_signins.append(sign_in()[0])

        bursters = [threading.Thread(target=burster) for _ in range(8)]
        for t in bursters:
            t.start()
        time.sleep(0.5)
        loaded = page_latencies(200)
        stop.set()
        for t in bursters:
            t.join()

        print(f"{'measure':44} {'p50 ms':>8} {'p95 ms':>8} {'n':>5}")
        rows = [
            ("sign-in, sequential", signins),
            ("home page, idle (4 clients)", baseline),
            ("home page, during 8-client sign-in burst", loaded),
            ("sign-in, during the burst", burst_signins),
        ]
        for name, values in rows:
            print(f"{name:44} {pct(values, 50):8.1f} {pct(values, 95):8.1f} {len(values):5}")
        r50 = pct(loaded, 50) / pct(baseline, 50)
        r95 = pct(loaded, 95) / pct(baseline, 95)
        print(f"page latency ratio burst/idle: p50 {r50:.2f}x, p95 {r95:.2f}x (target <= 2x)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

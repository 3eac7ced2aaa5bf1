#!/usr/bin/env python3
"""Latency of the record pages at a million contacts, under 32 concurrent connections.

Seeds (once, then reused) a database with 1,000,000 contacts and 100,000 companies using
`clientele seed`, starts the release server on loopback, signs in, and drives each page with wrk
(Debian's `wrk` package): the contacts list, a search, a contact page, the companies list, and
`/healthz` for reference. Prints p50/p95/p99 latency and requests per second for each, and the list
page's throughput as a ratio to `/healthz` (target: p95 under 50 ms on each page).

Usage: python3 bench/records.py  (after `make build`; about 2 minutes plus the first seed)
Environment: BENCH_DATA (data folder, default /tmp/clientele-bench-1m), BENCH_CONTACTS,
BENCH_COMPANIES, BENCH_DURATION (seconds per page, default 10), BENCH_CONNECTIONS (default 32).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BINARY = os.environ.get("CLIENTELE_BIN", os.path.join(TARGET, "release", "clientele"))
SITE = os.environ.get("LEPTOS_SITE_ROOT", os.path.join(ROOT, "target", "site"))
PORT = int(os.environ.get("BENCH_PORT", "3301"))
BASE = f"http://127.0.0.1:{PORT}"
DATA = os.environ.get("BENCH_DATA", "/tmp/clientele-bench-1m")
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "1000000"))
COMPANIES = int(os.environ.get("BENCH_COMPANIES", "100000"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
EMAIL, PASSWORD = "bench@example.com", "bench-marks-the-spot"

LUA = """
done = function(summary, latency, requests)
  io.write(string.format('{"p50": %f, "p95": %f, "p99": %f, "requests": %d, "seconds": %f, "errors": %d, "non2xx": %d}\\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def ensure_data():
    # "with-work": the seed also made about 5 activities per contact and tasks (issue 13); a
    # database seeded before that is made again.
    marker = os.path.join(DATA, f"seeded-{CONTACTS}-{COMPANIES}-with-work")
    if os.path.exists(marker):
        print(f"Reusing the seeded database in {DATA}")
        return
    shutil.rmtree(DATA, ignore_errors=True)
    os.makedirs(DATA)
    env = dict(os.environ, CLIENTELE_PASSWORD=PASSWORD, RUST_LOG="warn")
    subprocess.run([BINARY, "user", "create", "--email", EMAIL, "--role", "admin", "--data-dir", DATA],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    started = time.time()
    subprocess.run([BINARY, "seed", "--companies", str(COMPANIES), "--contacts", str(CONTACTS),
                    "--data-dir", DATA], env=env, check=True)
    print(f"Seeded {CONTACTS:,} contacts and {COMPANIES:,} companies (with their activities and "
          f"tasks) in {time.time() - started:.0f} s")
    open(marker, "w").close()


def sign_in():
    data = f"email={EMAIL}&password={PASSWORD}".encode()
    req = urllib.request.Request(BASE + "/api/auth/login", data=data,
                                 headers={"accept": "application/json",
                                          "content-type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        cookie = resp.headers.get("set-cookie")
    return cookie.split(";")[0]


def get(path, cookie):
    req = urllib.request.Request(BASE + path, headers={"cookie": cookie})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.read().decode()


def wrk(path, cookie, script, header=None):
    """wrk on `path`, signed in with `cookie` (or sending `header` instead)."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "10s", "-s", script,
         "-H", header or f"Cookie: {cookie}", BASE + path],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} not found: run `make build` first")
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    ensure_data()
    server = subprocess.Popen([BINARY, "serve", "--listen", f"127.0.0.1:{PORT}", "--data-dir", DATA],
                              env=dict(os.environ, LEPTOS_SITE_ROOT=SITE, RUST_LOG="error"),
                              stderr=subprocess.DEVNULL)
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(LUA)
    script.close()
    try:
        for _ in range(100):
            try:
                if urllib.request.urlopen(BASE + "/readyz", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("server did not become ready")
        cookie = sign_in()
        # A real contact and a search that finds it by part of its e-mail.
        status, html = get("/contacts?sort=city&dir=desc", cookie)
        contact = re.search(r'href="/contacts/(\d+)"', html).group(1)
        status, page = get(f"/contacts/{contact}", cookie)
        email = re.search(r'mailto:([^"]+)"', page).group(1)
        fragment = email.split("@")[0].split(".")[0]
        pages = [
            ("contacts list", "/contacts"),
            (f"search ({fragment})", f"/contacts?q={fragment}"),
            ("contact page", f"/contacts/{contact}"),
            ("companies list", "/companies"),
            ("/healthz", "/healthz"),
        ]
        for name, path in pages:
            status, _ = get(path, cookie)
            assert status == 200, (path, status)
        idle_rss = rss_mb(server.pid)
        rows, peak = [], idle_rss
        for name, path in pages:
            result = wrk(path, cookie, script.name)
            peak = max(peak, rss_mb(server.pid))
            rows.append((name, result))
        print(f"\n{CONTACTS:,} contacts, {COMPANIES:,} companies; wrk {CONNECTIONS} connections, "
              f"{DURATION} s per page, loopback, {os.cpu_count()} cores shared with wrk\n")
        print(f"{'page':28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}  target p95 < 50 ms")
        for name, r in rows:
            rps = r["requests"] / r["seconds"]
            verdict = "" if name == "/healthz" else ("met" if r["p95"] < 50 else "MISSED")
            print(f"{name:28} {rps:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} "
                  f"{r['errors'] + r['non2xx']:7}  {verdict}")
        health = rows[-1][1]["requests"] / rows[-1][1]["seconds"]
        listing = rows[0][1]["requests"] / rows[0][1]["seconds"]
        print(f"\ncontacts list throughput / /healthz throughput: {listing / health:.3f} "
              f"({listing:.0f} vs {health:.0f} req/s)")
        print(f"server RSS: idle {idle_rss:.0f} MB, under load {peak:.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.unlink(script.name)


if __name__ == "__main__":
    main()

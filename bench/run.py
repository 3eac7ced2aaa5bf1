#!/usr/bin/env python3
"""`make bench`: one table of the figures that say whether Clientele is fast, against its targets.

On loopback, bounded in time (about 3 minutes once the database is seeded; seeding 1,000,000
contacts the first time adds about 2 minutes). Needs a release build (`make build`) and `wrk`.

1. Seeds (once, then reused) 1,000,000 contacts and 100,000 companies (bench/records.py).
2. Starts the release server on a copy of the site folder, signs in, and saves the HTML of each
   measured page into that copy, so the same server can serve the identical bytes as a static file:
   the ceiling for that page (same middleware, same cookie, no rendering and no SQL).
3. Drives each page and its static copy with wrk (32 connections), and records the server's RSS
   idle and its peak under that load.
4. Reports the WASM, JS and CSS sizes raw / gzip / brotli (the brotli files the build made).
5. Loads the pages in Chromium with a throttled network (Fast 3G, 4x CPU) for TTFB, first
   contentful paint and time to `html[data-hydrated]` (bench/hydration.mjs).

Environment: as bench/records.py (BENCH_DATA, BENCH_DURATION seconds per run, default 6;
BENCH_CONNECTIONS, default 32), BENCH_RUNS (browser loads per page, default 3).
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("BENCH_DURATION", "6")
import records  # noqa: E402  (reads the environment above)

TARGET_WASM_BR_KB = 250
TARGET_CEILING_RATIO = 0.5
TARGET_P95_MS = 50
TARGET_RSS_MB = 150


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def asset_sizes(site):
    """(kind, file, raw, gzip, brotli) for the bundle's WASM, JS and CSS."""
    pkg = os.path.join(site, "pkg")
    rows = []
    for kind, ext in (("WASM", ".wasm"), ("JS", ".js"), ("CSS", ".css")):
        names = [n for n in os.listdir(pkg) if n.endswith(ext)]
        if not names:
            continue
        name = max(names, key=lambda n: os.path.getmtime(os.path.join(pkg, n)))
        path = os.path.join(pkg, name)
        raw = open(path, "rb").read()
        gz = len(gzip.compress(raw, 9))
        br_path = path + ".br"
        if os.path.exists(br_path):
            br = os.path.getsize(br_path)
        else:
            br = int(subprocess.run(
                ["node", "-e", "const z=require('zlib');process.stdout.write(String("
                 "z.brotliCompressSync(require('fs').readFileSync(process.argv[1])).length))", path],
                check=True, capture_output=True, text=True).stdout)
        rows.append((kind, name, len(raw), gz, br))
    return rows


def main():
    if not os.path.exists(records.BINARY):
        sys.exit(f"{records.BINARY} not found: run `make build` first")
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    records.ensure_data()
    site = tempfile.mkdtemp(prefix="clientele-bench-site-")
    shutil.copytree(records.SITE, site, dirs_exist_ok=True)
    os.makedirs(os.path.join(site, "ceiling"))
    server = subprocess.Popen(
        [records.BINARY, "serve", "--listen", f"127.0.0.1:{records.PORT}", "--data-dir", records.DATA],
        env=dict(os.environ, LEPTOS_SITE_ROOT=site, RUST_LOG="error"), stderr=subprocess.DEVNULL)
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(records.LUA)
    script.close()
    started = time.time()
    try:
        for _ in range(200):
            try:
                if urllib.request.urlopen(records.BASE + "/readyz", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("server did not become ready")
        cookie = records.sign_in()
        _, listing = records.get("/contacts?sort=city&dir=desc", cookie)
        contact = re.search(r'href="/contacts/(\d+)"', listing).group(1)
        _, page = records.get(f"/contacts/{contact}", cookie)
        fragment = re.search(r'mailto:([^"]+)"', page).group(1).split("@")[0].split(".")[0]
        pages = [
            ("home", "/"),
            ("contacts list", "/contacts"),
            (f"search ({fragment})", f"/contacts?q={fragment}"),
            ("contact page", f"/contacts/{contact}"),
        ]
        ceilings = {}
        for name, path in pages:
            status, html = records.get(path, cookie)
            assert status == 200, (path, status)
            file = f"/ceiling/{len(ceilings)}.html"
            with open(os.path.join(site, file.lstrip("/")), "w") as f:
                f.write(html)
            ceilings[path] = file
        idle_rss = records.rss_mb(server.pid)
        results = []
        for name, path in pages:
            dynamic = records.wrk(path, cookie, script.name)
            static = records.wrk(ceilings[path], cookie, script.name)
            results.append((name, path, dynamic, static))
        load_rss = peak_rss_mb(server.pid)

        hydration = subprocess.run(
            ["node", os.path.join(os.path.dirname(os.path.abspath(__file__)), "hydration.mjs")],
            env=dict(os.environ, BENCH_URL=records.BASE, BENCH_EMAIL=records.EMAIL,
                     BENCH_PASSWORD=records.PASSWORD, BENCH_THROTTLE="1", BENCH_JSON="1",
                     BENCH_RUNS=os.environ.get("BENCH_RUNS", "3"),
                     BENCH_PAGES=json.dumps([p for _, p in pages])),
            capture_output=True, text=True)
        if hydration.returncode != 0:
            print(hydration.stdout, hydration.stderr)
        browser = {}
        for line in hydration.stdout.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                browser[row["page"]] = row
        sizes = asset_sizes(site)
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.unlink(script.name)
        shutil.rmtree(site, ignore_errors=True)

    verdict = lambda ok: "met" if ok else "MISSED"  # noqa: E731
    print(f"\n## Clientele benchmark — {records.CONTACTS:,} contacts, {records.COMPANIES:,} companies, "
          f"wrk {records.CONNECTIONS} connections × {records.DURATION} s per run, loopback, "
          f"{os.cpu_count()} cores shared with wrk ({time.time() - started:.0f} s)\n")
    print("| page | req/s | p50 ms | p95 ms | p99 ms | static copy req/s | ÷ ceiling | "
          "first visit, throttled: TTFB ms | FCP ms | hydrated ms | repeat visit: hydrated ms | p95 ≤ 50 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, path, d, s in results:
        rps, ceiling = d["requests"] / d["seconds"], s["requests"] / s["seconds"]
        errors = d["errors"] + d["non2xx"]
        b = browser.get(path, {})
        fmt = lambda v: f"{v:.0f}" if isinstance(v, (int, float)) else "–"  # noqa: E731
        print(f"| {name}{' (%d errors)' % errors if errors else ''} | {rps:.0f} | {d['p50']:.1f} | "
              f"{d['p95']:.1f} | {d['p99']:.1f} | {ceiling:.0f} | {rps / ceiling:.2f} | "
              f"{fmt(b.get('ttfb'))} | {fmt(b.get('fcp'))} | {fmt(b.get('hydrated'))} | "
              f"{fmt(b.get('warmHydrated'))} | "
              f"{verdict(d['p95'] <= TARGET_P95_MS)} |")
    listing = next(r for r in results if r[0] == "contacts list")
    ratio = (listing[2]["requests"] / listing[2]["seconds"]) / (listing[3]["requests"] / listing[3]["seconds"])
    print("\n| asset | file | raw | gzip | brotli |")
    print("| --- | --- | ---: | ---: | ---: |")
    for kind, name, raw, gz, br in sizes:
        print(f"| {kind} | {name} | {raw / 1024:.1f} KB | {gz / 1024:.1f} KB | {br / 1024:.1f} KB |")
    wasm_br = next((br for kind, _, _, _, br in sizes if kind == "WASM"), 0) / 1024
    print("\n| target | measured | verdict |")
    print("| --- | --- | --- |")
    print(f"| WASM ≤ {TARGET_WASM_BR_KB} KB brotli | {wasm_br:.0f} KB | {verdict(wasm_br <= TARGET_WASM_BR_KB)} |")
    print(f"| contacts list ≥ {TARGET_CEILING_RATIO:.0%} of its static-bytes ceiling | {ratio:.0%} | "
          f"{verdict(ratio >= TARGET_CEILING_RATIO)} |")
    worst = max(r[2]["p95"] for r in results)
    print(f"| p95 ≤ {TARGET_P95_MS} ms on every page at {records.CONNECTIONS} connections | worst {worst:.1f} ms | "
          f"{verdict(worst <= TARGET_P95_MS)} |")
    print(f"| RSS ≤ {TARGET_RSS_MB} MB under load | idle {idle_rss:.0f} MB, peak {load_rss:.0f} MB | "
          f"{verdict(load_rss <= TARGET_RSS_MB)} |")
    print("\nBrowser columns: medians in Chromium with Fast 3G (150 ms RTT, 1.6 Mbit/s) and a 4x slower CPU, "
          "ms from navigation start; a first visit downloads the bundle, a repeat visit has it cached.")


if __name__ == "__main__":
    main()

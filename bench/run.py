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

6. Prints each target with its "before" figure beside today's: the figures of the build before
   performance round 2 (commit 96568b7), recorded in bench/baseline.json by this same script
   (`BENCH_SAVE=bench/baseline.json` on that build). `BENCH_BEFORE_BIN` and `BENCH_BEFORE_SITE`
   (a binary and its site folder) measure the "before" build in this same run instead, which is
   the fairer comparison on a shared machine (about twice the time); with BENCH_SAVE_BEFORE=file
   (and BENCH_BEFORE_COMMIT=<its commit>) the "before" figures are written there too.

Environment: as bench/records.py (BENCH_DATA, BENCH_DURATION seconds per run, default 6;
BENCH_CONNECTIONS, default 32), BENCH_RUNS (browser loads per page, default 3), BENCH_SAVE (write
the figures as JSON to this file), BENCH_BEFORE_BIN / BENCH_BEFORE_SITE (see 6).
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
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("BENCH_DURATION", "6")
import records  # noqa: E402  (reads the environment above)

# Islands mode is adopted (ARCHITECTURE.md, "Rendering model"), so the target is round 2's 150 KB.
TARGET_WASM_BR_KB = 150
TARGET_HYDRATED_MS = 1500
TARGET_CEILING_RATIO = 0.5
TARGET_P95_MS = 50
TARGET_RSS_MB = 150


class MemorySampler:
    """Samples the server's resident memory every 50 ms while the load runs: the peak of its
    private (anonymous) memory and of its file-backed pages, which are mostly the database file
    memory-mapped by SQLite (`mmap_size`): the kernel's page cache, shared and reclaimable, which
    reads would fill just the same without the mapping."""

    def __init__(self, pid):
        import threading
        self.pid, self.anon, self.file = pid, 0.0, 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.wait(0.05):
            try:
                with open(f"/proc/{self.pid}/status") as f:
                    for line in f:
                        if line.startswith("RssAnon:"):
                            self.anon = max(self.anon, int(line.split()[1]) / 1024)
                        elif line.startswith("RssFile:"):
                            self.file = max(self.file, int(line.split()[1]) / 1024)
            except OSError:
                return

    def finish(self):
        self.stop.set()
        self.thread.join()
        return self.anon, self.file


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


def api_token(binary):
    """The bench data set's API token (made once with `clientele user token`, then kept beside
    the data); None for a build from before the API."""
    kept = os.path.join(records.DATA, "bench-api-token")
    if os.path.exists(kept):
        with open(kept) as f:
            return f.read().strip()
    made = subprocess.run(
        [binary, "--data-dir", records.DATA, "user", "token", "--email", records.EMAIL,
         "--name", "Benchmark", "--expires-days", "0"],
        capture_output=True, text=True, env=dict(os.environ, RUST_LOG="error"))
    if made.returncode != 0:
        return None
    with open(kept, "w") as f:
        f.write(made.stdout.strip())
    return made.stdout.strip()


def measure(binary, site_root):
    """Every figure of one build (a binary and its site folder), as a JSON-able dict."""
    site = tempfile.mkdtemp(prefix="clientele-bench-site-")
    shutil.copytree(site_root, site, dirs_exist_ok=True)
    os.makedirs(os.path.join(site, "ceiling"), exist_ok=True)
    server = subprocess.Popen(
        [binary, "serve", "--listen", f"127.0.0.1:{records.PORT}", "--data-dir", records.DATA],
        # The API's per-token rate would cap wrk, not the server: raised for the bench.
        env=dict(os.environ, LEPTOS_SITE_ROOT=site, RUST_LOG="error",
                 CLIENTELE_API_REQUESTS_PER_MINUTE="100000000"),
        stderr=subprocess.DEVNULL)
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(records.LUA)
    script.close()
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
        company = re.search(r'href="/companies/(\d+)"', page)
        pages = [
            ("home", "/"),
            ("contacts list", "/contacts"),
            ("search", f"/contacts?q={fragment}"),
            ("contact page", f"/contacts/{contact}"),
        ]
        # Browser timings for these; the team's pages below get server figures only.
        browser_pages = [p for _, p in pages]
        # The team's work (issue 13): a company's page with its timeline, everyone's open tasks
        # due this week, the team's activity. A build from before them has no such pages.
        work = [
            ("company page + timeline", f"/companies/{company.group(1)}" if company else None),
            ("tasks due this week", "/tasks?assignee=anyone&due=week"),
            ("team activity", "/activities"),
        ]
        for name, path in work:
            try:
                if path and records.get(path, cookie)[0] == 200:
                    pages.append((name, path))
            except urllib.error.HTTPError:
                pass
        ceilings = {}
        for name, path in pages:
            status, html = records.get(path, cookie)
            assert status == 200, (path, status)
            file = f"/ceiling/{len(ceilings)}.html"
            with open(os.path.join(site, file.lstrip("/")), "w") as f:
                f.write(html)
            ceilings[path] = file
        idle_rss = records.rss_mb(server.pid)
        results = {}
        sampler = MemorySampler(server.pid)
        for name, path in pages:
            dynamic = records.wrk(path, cookie, script.name)
            static = records.wrk(ceilings[path], cookie, script.name)
            results[name] = {"path": path, "dynamic": dynamic, "static": static}
        # The JSON API's list beside the page's (a build from before the API has none).
        api = {}
        token = api_token(binary)
        if token:
            bearer = f"Authorization: Bearer {token}"
            for name, path in [("API list", "/api/v1/contacts"),
                               ("API search", f"/api/v1/contacts?q={fragment}")]:
                api[name] = {"path": path, "dynamic": records.wrk(path, None, script.name, bearer)}
        load_rss = peak_rss_mb(server.pid)
        peak_anon, peak_file = sampler.finish()

        hydration = subprocess.run(
            ["node", os.path.join(os.path.dirname(os.path.abspath(__file__)), "hydration.mjs")],
            env=dict(os.environ, BENCH_URL=records.BASE, BENCH_EMAIL=records.EMAIL,
                     BENCH_PASSWORD=records.PASSWORD, BENCH_THROTTLE="1", BENCH_JSON="1",
                     BENCH_RUNS=os.environ.get("BENCH_RUNS", "3"),
                     BENCH_PAGES=json.dumps(browser_pages)),
            capture_output=True, text=True)
        if hydration.returncode != 0:
            print(hydration.stdout, hydration.stderr)
        for line in hydration.stdout.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                for result in results.values():
                    if result["path"] == row["page"]:
                        result["browser"] = row
        sizes = asset_sizes(site)
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.unlink(script.name)
        shutil.rmtree(site, ignore_errors=True)
    return {
        "pages": results,
        "api": api,
        "rss": {"idle": idle_rss, "peak": load_rss, "peak private": peak_anon, "peak mapped": peak_file},
        "assets": [dict(zip(("kind", "file", "raw", "gzip", "brotli"), row)) for row in sizes],
    }


def rps(run):
    return run["requests"] / run["seconds"]


def summary(figures):
    """The figures the targets are about."""
    pages = figures["pages"]
    wasm = next((a["brotli"] for a in figures["assets"] if a["kind"] == "WASM"), 0) / 1024
    hydrated = [p.get("browser", {}).get("hydrated") for p in pages.values()]
    hydrated = [h for h in hydrated if isinstance(h, (int, float))]
    return {
        "wasm": wasm,
        "list ratio": rps(pages["contacts list"]["dynamic"]) / rps(pages["contacts list"]["static"]),
        "search ratio": rps(pages["search"]["dynamic"]) / rps(pages["search"]["static"]),
        "p95": max(p["dynamic"]["p95"] for p in pages.values()),
        "hydrated": max(hydrated) if hydrated else None,
        "rss": figures["rss"]["peak"],
        # Recorded since round 2; a baseline from before has only the total.
        "private": figures["rss"].get("peak private"),
    }


def report(after, before, before_label, seconds):
    verdict = lambda ok: "met" if ok else "MISSED"  # noqa: E731
    fmt = lambda v: f"{v:.0f}" if isinstance(v, (int, float)) else "–"  # noqa: E731
    print(f"\n## Clientele benchmark — {records.CONTACTS:,} contacts, {records.COMPANIES:,} companies, "
          f"wrk {records.CONNECTIONS} connections × {records.DURATION} s per run, loopback, "
          f"{os.cpu_count()} cores shared with wrk ({seconds:.0f} s)\n")
    print("| page | req/s | p50 ms | p95 ms | p99 ms | static copy req/s | ÷ ceiling | "
          "first visit, throttled: TTFB ms | FCP ms | hydrated ms | repeat visit: hydrated ms | p95 ≤ 50 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, page in after["pages"].items():
        d, s = page["dynamic"], page["static"]
        errors = d["errors"] + d["non2xx"]
        b = page.get("browser", {})
        print(f"| {name} `{page['path']}`{' (%d errors)' % errors if errors else ''} | {rps(d):.0f} | "
              f"{d['p50']:.1f} | {d['p95']:.1f} | {d['p99']:.1f} | {rps(s):.0f} | {rps(d) / rps(s):.2f} | "
              f"{fmt(b.get('ttfb'))} | {fmt(b.get('fcp'))} | {fmt(b.get('hydrated'))} | "
              f"{fmt(b.get('warmHydrated'))} | {verdict(d['p95'] <= TARGET_P95_MS)} |")
    if after.get("api"):
        print("\n| JSON API, the same data | req/s | p50 ms | p95 ms | p99 ms | HTML page req/s | API ÷ page |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for (name, run), page in zip(after["api"].items(), ("contacts list", "search")):
            d, html = run["dynamic"], after["pages"][page]["dynamic"]
            errors = d["errors"] + d["non2xx"]
            print(f"| {name} `{run['path']}`{' (%d errors)' % errors if errors else ''} | {rps(d):.0f} | "
                  f"{d['p50']:.1f} | {d['p95']:.1f} | {d['p99']:.1f} | {rps(html):.0f} | "
                  f"{rps(d) / rps(html):.2f} |")
    print("\n| asset | file | raw | gzip | brotli |")
    print("| --- | --- | ---: | ---: | ---: |")
    for a in after["assets"]:
        print(f"| {a['kind']} | {a['file']} | {a['raw'] / 1024:.1f} KB | {a['gzip'] / 1024:.1f} KB | "
              f"{a['brotli'] / 1024:.1f} KB |")

    now = summary(after)
    then = summary(before) if before else {}
    rows = [
        (f"WASM ≤ {TARGET_WASM_BR_KB} KB brotli",
         "wasm", lambda v: f"{v:.0f} KB", lambda v: v <= TARGET_WASM_BR_KB),
        (f"contacts list ≥ {TARGET_CEILING_RATIO:.0%} of its static-bytes ceiling", "list ratio",
         lambda v: f"{v:.0%}", lambda v: v >= TARGET_CEILING_RATIO),
        (f"search ≥ {TARGET_CEILING_RATIO:.0%} of its static-bytes ceiling", "search ratio",
         lambda v: f"{v:.0%}", lambda v: v >= TARGET_CEILING_RATIO),
        (f"p95 ≤ {TARGET_P95_MS} ms at {records.CONNECTIONS} connections (worst page)",
         "p95", lambda v: f"{v:.1f} ms", lambda v: v <= TARGET_P95_MS),
        (f"first visit hydrated ≤ {TARGET_HYDRATED_MS} ms, throttled (worst page)", "hydrated",
         lambda v: f"{v:.0f} ms", lambda v: v <= TARGET_HYDRATED_MS),
        (f"private memory ≤ {TARGET_RSS_MB} MB under load (peak RssAnon)", "private",
         lambda v: f"{v:.0f} MB", lambda v: v <= TARGET_RSS_MB),
        ("RSS under load (peak VmHWM: private memory plus the memory-mapped database pages)", "rss",
         lambda v: f"{v:.0f} MB", lambda v: None),
    ]
    print(f"\n| target | before ({before_label}) | now | verdict |")
    print("| --- | ---: | ---: | --- |")
    for label, key, show, ok in rows:
        value, old = now.get(key), then.get(key)
        shown = show(value) if value is not None else "–"
        met = ok(value) if value is not None else False
        print(f"| {label} | {show(old) if old is not None else '–'} | {shown} | "
              f"{'for information' if met is None else verdict(met)} |")
    print("\nBrowser columns: medians in Chromium with Fast 3G (150 ms RTT, 1.6 Mbit/s) and a 4x slower CPU, "
          "ms from navigation start; a first visit downloads the bundle, a repeat visit has it cached.")


def main():
    if not os.path.exists(records.BINARY):
        sys.exit(f"{records.BINARY} not found: run `make build` first")
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    records.ensure_data()
    started = time.time()
    before_bin = os.environ.get("BENCH_BEFORE_BIN")
    if before_bin:
        before = measure(before_bin, os.environ["BENCH_BEFORE_SITE"])
        label = "measured in this run"
    else:
        baseline = os.path.join(os.path.dirname(os.path.abspath(__file__)), "baseline.json")
        before, label = None, "not recorded"
        if os.path.exists(baseline):
            with open(baseline) as f:
                before = json.load(f)
            label = f"{before.get('commit', '?')}, {before.get('date', '?')}"
    after = measure(records.BINARY, records.SITE)
    if os.environ.get("BENCH_SAVE"):
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
        with open(os.environ["BENCH_SAVE"], "w") as f:
            json.dump(dict(after, commit=commit, date=time.strftime("%Y-%m-%d")), f, indent=1)
    if before_bin and os.environ.get("BENCH_SAVE_BEFORE"):
        with open(os.environ["BENCH_SAVE_BEFORE"], "w") as f:
            json.dump(dict(before, commit=os.environ.get("BENCH_BEFORE_COMMIT", "?"),
                           date=time.strftime("%Y-%m-%d")), f, indent=1)
    report(after, before, label, time.time() - started)


if __name__ == "__main__":
    main()

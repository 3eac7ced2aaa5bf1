"""CSV import at scale: a contacts file of ROWS rows (default 1,000,000, exported from the seeded
bench database by `clientele export`) is uploaded to a fresh server through /import, checked and
imported while a reader keeps opening the contacts list and a writer keeps saving new contacts.
Prints the rates, the server's memory (peak resident, and its heap alone: the rest is the database
mapped into memory) and the list's and the saves' latency during the import, against the targets
(memory under 200 MB, pages responsive).

Usage: python3 bench/import.py  (after `make build` and `bench/run.py`'s seed; about 20 minutes
for a million rows; ROWS=100000 for a quick look)
"""

import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import records  # noqa: E402

ROWS = int(os.environ.get("ROWS", "1000000"))
DATA = "/tmp/clientele-bench-import"
SOURCE = "/tmp/clientele-bench-contacts.csv"
PORT = 3302
BASE = f"http://127.0.0.1:{PORT}"


def memory(pid):
    found = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                found[key] = int(value.split()[0]) / 1024
    return found


def post(path, cookie, data):
    req = urllib.request.Request(BASE + path, data=data.encode(), headers={
        "cookie": cookie, "accept": "application/json",
        "content-type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.read().decode()


def state(cookie):
    import json
    return json.loads(post("/api/import/get", cookie, "id=1"))["imports"][0]


def main():
    records.ensure_data()
    if not os.path.exists(SOURCE):
        subprocess.run([records.BINARY, "export", "contacts", "--out", SOURCE, "--data-dir",
                        records.DATA], check=True)
    file = f"/tmp/clientele-bench-{ROWS}.csv"
    with open(SOURCE, "rb") as src, open(file, "wb") as out:
        for i, line in enumerate(src):
            if i > ROWS:
                break
            out.write(line)
    shutil.rmtree(DATA, ignore_errors=True)
    os.makedirs(DATA)
    env = dict(os.environ, CLIENTELE_PASSWORD=records.PASSWORD, RUST_LOG="warn")
    subprocess.run([records.BINARY, "user", "create", "--email", records.EMAIL, "--role", "admin",
                    "--data-dir", DATA], env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([records.BINARY, "serve", "--listen", f"127.0.0.1:{PORT}",
                               "--data-dir", DATA, "--max-import-bytes", str(1 << 30)], env=env)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(BASE + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        records.BASE = BASE
        cookie = records.sign_in()
        peak = {"VmRSS": 0, "RssAnon": 0}
        latencies = []
        stop = threading.Event()

        def watch():
            while not stop.is_set():
                for key, value in memory(server.pid).items():
                    peak[key] = max(peak[key], value)
                started = time.time()
                records.get("/contacts", cookie)
                latencies.append((time.time() - started) * 1000)
                time.sleep(0.5)

        saves = []
        failed_saves = []

        def write():
            n = 0
            while not stop.is_set():
                n += 1
                started = time.time()
                try:
                    post("/api/contacts/save", cookie,
                         f"id=&version=0&first_name=Writer&last_name=Number+{n}"
                         f"&email=writer{n}%40bench.example&phone=&job_title=&company=&city="
                         f"&status=lead&tags=&notes=&owner=")
                    saves.append((time.time() - started) * 1000)
                except OSError as error:
                    failed_saves.append(str(error))
                time.sleep(0.5)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        started = time.time()
        upload = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                                 "-b", cookie, "-F", "kind=contact", "-F", f"file=@{file}",
                                 BASE + "/import/upload"], capture_output=True, text=True).stdout
        uploaded = time.time() - started
        print(f"Uploaded {os.path.getsize(file) / 1e6:.0f} MB ({ROWS:,} rows) in {uploaded:.1f} s: {upload}")
        mapping = "&".join(f"mapping[{i}]={f}" for i, f in enumerate(
            ["first_name", "last_name", "email", "phone", "job_title", "company", "company_domain",
             "city", "status", "tags", "owner", "notes", "", ""]))
        for step, busy in (("check", "Checking"), ("run", "Running")):
            started = time.time()
            post("/api/import/step", cookie, f"id=1&step={step}&{mapping}&on_existing=skip")
            while (now := state(cookie))["state"] == busy:
                time.sleep(1)
            took = time.time() - started
            counts = now["counts"]
            print(f"{step:>6}: {now['state']} in {took:.0f} s ({ROWS / took:,.0f} rows/s): {counts} {now['message']}")
        stop.set()
        watcher.join()
        writer.join()
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95)]
        saves.sort()
        print(f"Server memory: peak resident {peak['VmRSS']:.0f} MB, of which heap {peak['RssAnon']:.0f} MB"
              f" (target: under 200 MB) — {'MET' if peak['RssAnon'] < 200 else 'MISSED'} for the heap")
        print(f"Contacts list during the import: {len(latencies)} requests, p50 "
              f"{statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, max {latencies[-1]:.0f} ms")
        if saves:
            print(f"Saves of a new contact during the import: {len(saves)} saved, "
                  f"{len(failed_saves)} failed, p50 {statistics.median(saves):.0f} ms, "
                  f"p95 {saves[int(len(saves) * 0.95)]:.0f} ms, max {saves[-1]:.0f} ms")
        for error in failed_saves[:5]:
            print(f"  failed save: {error}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

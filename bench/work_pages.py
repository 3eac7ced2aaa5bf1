#!/usr/bin/env python3
"""The team's pages (activities, tasks, history; issue 13) one request at a time, on the database
`make bench` seeds (1M contacts with about 5M activities and 300K tasks): p50 / p95 per page.

Starts the release server on loopback against that database (seeding it first if needed, as
bench/run.py does), signs in, picks the busiest contact and company from the database, and times
25 GETs of each page on one keep-alive connection (the first 3 are not counted). Bounded: about
10 s once the database exists. Usage: python3 bench/work_pages.py (after `make build`).
"""
import http.client
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records  # noqa: E402


def main():
    records.ensure_data()
    server = subprocess.Popen(
        [records.BINARY, "serve", "--listen", f"127.0.0.1:{records.PORT}", "--data-dir", records.DATA],
        env=dict(os.environ, LEPTOS_SITE_ROOT=records.SITE, RUST_LOG="error"), stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                if urllib.request.urlopen(records.BASE + "/readyz", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        cookie = records.sign_in()
        db = sqlite3.connect(f"file:{os.path.join(records.DATA, 'clientele.db')}?mode=ro", uri=True)
        one = lambda sql, *args: db.execute(sql, args).fetchone()[0]  # noqa: E731
        contact = one("SELECT contact_id FROM activities WHERE contact_id IS NOT NULL "
                      "GROUP BY contact_id ORDER BY count(*) DESC LIMIT 1")
        company = one("SELECT company_id FROM activities WHERE company_id IS NOT NULL "
                      "GROUP BY company_id ORDER BY count(*) DESC LIMIT 1")
        logged = one("SELECT count(*) FROM activities WHERE company_id = ?", company)
        middle = one("SELECT happened_at || '.' || id FROM activities WHERE company_id = ? "
                     "ORDER BY happened_at DESC, id DESC LIMIT 1 OFFSET ?", company, logged // 2)
        task = one("SELECT id FROM tasks LIMIT 1")
        totals = (one("SELECT count(*) FROM activities"), one("SELECT count(*) FROM tasks"))
        pages = [
            ("home (my tasks, recent activity, counts)", "/"),
            ("contact page (open tasks, timeline, history)", f"/contacts/{contact}"),
            (f"company page, timeline of {logged} activities", f"/companies/{company}"),
            ("the same timeline, a middle page", f"/companies/{company}?timeline={middle}"),
            ("/activities", "/activities"),
            ("/tasks (mine)", "/tasks"),
            ("/tasks, everyone's overdue", "/tasks?assignee=anyone&due=overdue"),
            ("/tasks, everyone's done", "/tasks?assignee=anyone&state=done"),
            ("task page", f"/tasks/{task}"),
            ("/admin/history", "/admin/history"),
        ]
        print(f"\n{records.CONTACTS:,} contacts, {totals[0]:,} activities, {totals[1]:,} tasks; "
              "one connection, 22 requests per page\n")
        print("| page | p50 ms | p95 ms | bytes |")
        print("| --- | ---: | ---: | ---: |")
        for name, path in pages:
            conn = http.client.HTTPConnection("127.0.0.1", records.PORT, timeout=60)
            times, size = [], 0
            for _ in range(25):
                started = time.perf_counter()
                conn.request("GET", path, headers={"cookie": cookie})
                response = conn.getresponse()
                body = response.read()
                times.append((time.perf_counter() - started) * 1000)
                assert response.status == 200, (path, response.status)
                size = len(body)
            times = sorted(times[3:])
            print(f"| {name} | {statistics.median(times):.1f} | "
                  f"{times[int(len(times) * 0.95) - 1]:.1f} | {size:,} |")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Soak: many signed-in clients under load, then the server SIGKILLed during writes.

Runs against the release server binary (`make build`, or `cargo build --release --features ssr
--bin clientele`), on loopback only, on a fresh temporary database that is deleted afterwards:

  1. Load: creates members and a viewer with `clientele user create`, seeds a few thousand contacts
     (`clientele seed`), starts the server on a free loopback port and lets SOAK_CLIENTS clients,
     each signed in with its own session, do mixed reads (home, contacts list, a search, a contact
     page, companies list, the JSON list and get calls) and writes (create through the JSON call
     and as a plain HTML form post, edit with the version read, delete then restore) for
     SOAK_SECONDS. Fails on any 5xx, any connection error and any status a request of its kind
     should not get; 409 (stale edit), 404 (read of a contact deleted meanwhile), 422 and a
     viewer's 403 are expected and counted apart.
  2. Crash: restarts the server on the same database; SOAK_WRITERS writers create contacts with
     unique names and e-mails and edit their own, noting each write the server acknowledged
     (2xx/3xx received). The server is SIGKILLed SOAK_KILLS times at random moments and restarted
     each time on the same port; a write cut off by a kill is sent again once with the same
     idempotency key. At the end the server is stopped with SIGTERM and the database is checked with
     Python's sqlite3: every acknowledged create present, every acknowledged edit kept,
     `PRAGMA integrity_check` ok; then the server is started once more and /readyz must be 200.

Prints one table of figures. Exit status 0 when every check holds, 1 otherwise (2 on timeout).
The whole run is bounded by SOAK_TIMEOUT; the server is always stopped and the folder removed.

Usage: python3 bench/soak.py   (about 2 minutes with the defaults)
Environment: SOAK_SECONDS (load phase, default 60), SOAK_CLIENTS (default 24, 3 of them viewers),
SOAK_WRITERS (crash phase, default 8), SOAK_KILLS (default 5), SOAK_CONTACTS / SOAK_COMPANIES
(seeded, default 5000 / 200), SOAK_TIMEOUT (seconds, default SOAK_SECONDS + 150), SOAK_SEED (random
seed), SOAK_KEEP=1 (keep the data folder and server log), SOAK_RUST_LOG (server log filter, default
warn), CLIENTELE_BIN or CARGO_TARGET_DIR (where the binary is).
"""
import gzip
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BINARY = os.environ.get("CLIENTELE_BIN", os.path.join(TARGET, "release", "clientele"))
SITE = os.environ.get("LEPTOS_SITE_ROOT", os.path.join(ROOT, "target", "site"))
SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "24"))
VIEWERS = max(1, CLIENTS // 8)
WRITERS = int(os.environ.get("SOAK_WRITERS", "8"))
KILLS = int(os.environ.get("SOAK_KILLS", "5"))
SEED_CONTACTS = int(os.environ.get("SOAK_CONTACTS", "5000"))
SEED_COMPANIES = int(os.environ.get("SOAK_COMPANIES", "200"))
TIMEOUT = float(os.environ.get("SOAK_TIMEOUT", str(SECONDS + 150)))
KEEP = os.environ.get("SOAK_KEEP", "") not in ("", "0")
RUST_LOG = os.environ.get("SOAK_RUST_LOG", "warn")
SEED = int(os.environ.get("SOAK_SEED", str(int(time.time()))))
MEMBERS = 4
PASSWORD = "soak-test-password-1"
RUN = uuid.uuid4().hex[:8]  # makes this run's names and e-mails unique
CONTACT_FIELDS = ["id", "version", "first_name", "last_name", "email", "phone", "job_title",
                  "company", "city", "status", "tags", "notes", "owner"]
STATUSES = ["lead", "prospect", "customer", "inactive"]
# Any of these, as a client sees them, is a connection error.
NET_ERRORS = (OSError, http.client.HTTPException)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# ---------------------------------------------------------------------------------------------
# The server


class Server:
    """The release binary on a fixed loopback port and data folder; restartable."""

    def __init__(self, data, port):
        self.data, self.port = data, port
        self.proc = None
        self.log_path = os.path.join(data, "server.log")
        self.starts = 0

    def cli(self, *args, check=True):
        env = dict(os.environ, CLIENTELE_PASSWORD=PASSWORD, RUST_LOG="warn")
        return subprocess.run([BINARY, *args, "--data-dir", self.data], env=env, check=check,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              timeout=120)

    def start(self):
        self.starts += 1
        with open(self.log_path, "a") as out:
            out.write(f"\n===== soak: start #{self.starts} at {time.time():.3f} =====\n")
            out.flush()
            self.proc = subprocess.Popen(
                [BINARY, "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                env=dict(os.environ, LEPTOS_SITE_ROOT=SITE, RUST_LOG=RUST_LOG))
        started = time.perf_counter()
        while time.perf_counter() - started < 30:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode} at start-up; "
                                   f"log: {self.log_tail()}")
            try:
                if http_get(self.port, "/readyz")[0] == 200:
                    return time.perf_counter() - started
            except NET_ERRORS:
                pass
            time.sleep(0.02)
        raise RuntimeError("server not ready within 30 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, grace=40):
        """SIGTERM and wait: returns the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "killed after SIGTERM timeout"

    def ensure_dead(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def log_tail(self, lines=15, grep=None, skip=()):
        try:
            with open(self.log_path, errors="replace") as f:
                found = [re.sub(r"\x1b\[[0-9;]*m", "", l.rstrip()) for l in f
                         if (grep is None or any(g in l for g in grep))
                         and not any(s in l for s in skip)]
        except OSError:
            return []
        return found[-lines:]


def http_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# A signed-in client: one keep-alive connection, its own cookies


class Client:
    def __init__(self, port, email):
        self.port, self.email = port, email
        self.conn = None
        self.cookies = {}

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=40)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, fields=None, accept="application/json", headers=None):
        """Returns (status, headers, body bytes, seconds). Raises a NET_ERRORS on a connection error
        (after closing the connection, so the next request reconnects)."""
        h = {"accept": accept}
        if self.cookies:
            h["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            h["content-type"] = "application/x-www-form-urlencoded"
        h.update(headers or {})
        started = time.perf_counter()
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
        except NET_ERRORS:
            self.close()
            raise
        elapsed = time.perf_counter() - started
        for cookie in resp.headers.get_all("set-cookie") or []:
            pair, _, attrs = cookie.partition(";")
            name, _, value = pair.strip().partition("=")
            if "max-age=0" in attrs.lower().replace(" ", ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if resp.headers.get("connection", "").lower() == "close":
            self.close()
        return resp.status, resp.headers, data, elapsed

    def sign_in(self):
        # A burst of sign-ins may find the password-hashing queue full: the server answers 503
        # at once with Retry-After, and a client tries again.
        for _ in range(20):
            status, headers, body, _ = self.request(
                "POST", "/api/auth/login", [("email", self.email), ("password", PASSWORD)])
            if status != 503:
                break
            time.sleep(float(headers.get("retry-after", "1")))
        if status != 200 or not self.cookies:
            raise RuntimeError(f"sign-in of {self.email} failed: {status} {body[:200]!r}")


def describe(headers, body):
    """What an answer says, briefly: an HTML page's title and headings, else the start of the body."""
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    text = body.decode(errors="replace")
    if "<html" in text[:500].lower():
        found = re.findall(r"<(title|h1|h2|p)[^>]*>(.*?)</\1>", text, re.S)
        words = [re.sub(r"<[^>]+>", "", t).strip() for _, t in found]
        return "page: " + " | ".join(w for w in words if w)[:300]
    return f"body {text[:300]!r}"


def contact_form(given):
    fields = {name: "" for name in CONTACT_FIELDS}
    fields.update(given)
    fields.setdefault("idempotency_key", str(uuid.uuid4()))
    return list(fields.items())


def saved_id(headers):
    """The contact id in a save's redirect (`/contacts/12?saved=1`), or None."""
    for name in ("location", "serverfnredirect", "x-clientele-location"):
        location = headers.get(name)
        if location:
            path = urllib.parse.urlsplit(location).path.strip("/").split("/")
            if len(path) >= 2 and path[1].isdigit():
                return int(path[1])
    return None


# ---------------------------------------------------------------------------------------------
# Phase 1: load


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = {}        # kind -> [seconds]
        self.statuses = {}       # kind -> {status: count}
        self.expected_4xx = {}   # kind -> count
        self.failures = []       # (kind, what, detail)
        self.conn_errors = 0
        self.server_errors = 0
        self.unexpected = 0

    def add(self, kind, status, seconds, ok, expected=False, detail=""):
        with self.lock:
            self.latency.setdefault(kind, []).append(seconds)
            counts = self.statuses.setdefault(kind, {})
            counts[status] = counts.get(status, 0) + 1
            if ok:
                return
            if expected:
                self.expected_4xx[kind] = self.expected_4xx.get(kind, 0) + 1
                return
            if status >= 500:
                self.server_errors += 1
            else:
                self.unexpected += 1
            self.failures.append((kind, status, detail))

    def conn_error(self, kind, error):
        with self.lock:
            self.conn_errors += 1
            counts = self.statuses.setdefault(kind, {})
            counts["conn"] = counts.get("conn", 0) + 1
            self.failures.append((kind, "connection error", f"{type(error).__name__}: {error}"))


class Shared:
    """Contact ids the clients read and edit, shared between them."""

    def __init__(self, ids, hot):
        self.lock = threading.Lock()
        self.ids = list(ids)
        self.hot = list(hot)       # edited by everyone: stale edits (409) are expected
        self.terms = ["ann", "smith", "example", "lee", "soak", "555", "mar", "jo", "customer"]
        self.created = []          # (email, id) of acknowledged creates

    def pick(self):
        with self.lock:
            return random.choice(self.ids)


def load_client(index, client, viewer, shared, stats, deadline, rng):
    mine = []  # own contacts, for delete/restore

    def call(kind, method, path, fields=None, expect=(200,), allowed=(), accept="application/json",
             headers=None):
        try:
            status, hdrs, body, seconds = client.request(method, path, fields, accept, headers)
        except NET_ERRORS as error:
            stats.conn_error(kind, error)
            return None, None, None
        ok = status in expect
        detail = ""
        if not ok:
            detail = (f"{method} {path} -> {status}, x-request-id {hdrs.get('x-request-id')}, "
                      f"{describe(hdrs, body)}")
        stats.add(kind, status, seconds, ok, expected=status in allowed, detail=detail)
        return status, hdrs, body

    while time.monotonic() < deadline:
        try:
            one_request(index, client, viewer, shared, stats, rng, mine, call)
        except Exception as error:  # a bug in this script or an answer it cannot read
            stats.add("client error", 0, 0, False, detail=f"{type(error).__name__}: {error}")


def one_request(index, client, viewer, shared, stats, rng, mine, call):
    page_headers = {"accept-encoding": "gzip"}
    html = "text/html,application/xhtml+xml"
    if True:
        r = rng.random()
        if viewer:
            if r < 0.97:
                r = rng.random() * 0.55  # reads only
            else:
                call("viewer write (403)", "POST", "/api/contacts/save",
                     contact_form({"first_name": "Mallory"}), expect=(), allowed=(403,))
                return
        if r < 0.08:
            call("GET /", "GET", "/", accept=html, headers=page_headers)
        elif r < 0.16:
            call("GET /contacts", "GET", "/contacts", accept=html, headers=page_headers)
        elif r < 0.24:
            q = urllib.parse.quote(rng.choice(shared.terms))
            call("GET /contacts?q=", "GET", f"/contacts?q={q}", accept=html, headers=page_headers)
        elif r < 0.30:
            call("GET /contacts/{id}", "GET", f"/contacts/{shared.pick()}", allowed=(404,),
                 accept=html, headers=page_headers)
        elif r < 0.32:  # an old link: the "Not found" page
            call("GET /contacts/{gone}", "GET", f"/contacts/{rng.randrange(10**8, 10**9)}",
                 expect=(), allowed=(404,), accept=html, headers=page_headers)
        elif r < 0.37:
            call("GET /companies", "GET", "/companies", accept=html, headers=page_headers)
        elif r < 0.47:
            fields = [("query[q]", rng.choice(["", "", rng.choice(shared.terms)])),
                      ("query[sort]", rng.choice(["", "name", "city", "updated"]))]
            status, _, body = call("api contacts/list", "POST", "/api/contacts/list", fields)
            if status == 200 and rng.random() < 0.2:
                rows = json.loads(body)["page"]["rows"]
                with shared.lock:
                    shared.ids.extend(row["id"] for row in rows[:3])
                    if rows:
                        shared.terms.append(rows[0]["name"].split()[0].lower())
                        del shared.terms[:-40]
        elif r < 0.55:
            call("api contacts/get", "POST", "/api/contacts/get", [("id", shared.pick())],
                 allowed=(404,))
        elif r < 0.70:
            n = len(mine)
            email = f"load-{RUN}-c{index}-{n}@soak.example"
            given = {"first_name": f"Load{index}", "last_name": f"N{n}-{RUN}", "email": email,
                     "phone": f"+1 555 {index:03d} {n:04d}", "city": rng.choice(["Paris", "Lyon"]),
                     "status": rng.choice(STATUSES), "tags": "soak, load"}
            if r < 0.67:
                status, hdrs, _ = call("create (api)", "POST", "/api/contacts/save",
                                       contact_form(given), allowed=(422,))
            else:
                status, hdrs, _ = call("create (html form)", "POST", "/api/contacts/save",
                                       contact_form(given), expect=(303, 302), accept=html,
                                       headers={"referer": f"http://127.0.0.1:{client.port}/contacts/new"})
            cid = saved_id(hdrs) if status in (200, 302, 303) else None
            if status in (200, 302, 303):
                if cid is None:
                    stats.add("create id", status, 0, False, detail=f"no id in {dict(hdrs)}")
                    return
                mine.append(cid)
                with shared.lock:
                    shared.ids.append(cid)
                    shared.created.append((email, cid))
        elif r < 0.90:
            cid = rng.choice(shared.hot)
            status, _, body = call("api contacts/get", "POST", "/api/contacts/get", [("id", cid)])
            if status != 200:
                return
            c = json.loads(body)["contact"]
            given = {"id": str(cid), "version": str(c["version"]), "first_name": c["first_name"],
                     "last_name": c["last_name"], "email": c["email"], "phone": c["phone"],
                     "city": f"City {index}-{rng.randrange(1000)}", "status": rng.choice(STATUSES),
                     "tags": ", ".join(c["tags"]), "notes": f"edited by client {index}"}
            call("edit (api)", "POST", "/api/contacts/save", contact_form(given),
                 allowed=(409,))
        elif mine:
            cid = mine.pop(rng.randrange(len(mine)))
            status, _, _ = call("delete (api)", "POST", "/api/records/delete",
                                [("kind", "contact"), ("id", cid),
                                 ("idempotency_key", str(uuid.uuid4()))])
            if status == 200:
                status, _, _ = call("restore (api)", "POST", "/api/trash/restore",
                                    [("kind", "contact"), ("id", cid),
                                     ("idempotency_key", str(uuid.uuid4()))])
                if status == 200:
                    mine.append(cid)


def phase_load(server, users, stats):
    admin = Client(server.port, users["admin"])
    admin.sign_in()
    hot = []
    for i in range(12):
        status, hdrs, body, _ = admin.request(
            "POST", "/api/contacts/save",
            contact_form({"first_name": f"Hot{i}", "last_name": f"Shared-{RUN}",
                          "email": f"hot{i}-{RUN}@soak.example"}))
        if status != 200 or saved_id(hdrs) is None:
            raise RuntimeError(f"cannot create a contact: {status} {dict(hdrs)} {body[:300]!r}")
        hot.append(saved_id(hdrs))
    status, _, body, _ = admin.request("POST", "/api/contacts/list", [("query[q]", "")])
    ids = [row["id"] for row in json.loads(body)["page"]["rows"]] + hot
    admin.close()
    shared = Shared(ids, hot)

    clients = []
    for i in range(CLIENTS):
        viewer = i < VIEWERS
        email = users["viewer"] if viewer else users["members"][i % MEMBERS]
        clients.append((i, Client(server.port, email), viewer))
    started = time.perf_counter()
    sign_ins = []

    def sign_in(c):
        t = time.perf_counter()
        c.sign_in()
        sign_ins.append(time.perf_counter() - t)

    threads = [threading.Thread(target=sign_in, args=(c,)) for _, c, _ in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if len(sign_ins) != CLIENTS:
        raise RuntimeError("not every client could sign in")
    log(f"{CLIENTS} clients signed in ({VIEWERS} viewers) in {time.perf_counter() - started:.1f} s;"
        f" load for {SECONDS:.0f} s")
    rss = {"peak": 0.0}
    deadline = time.monotonic() + SECONDS
    threads = [threading.Thread(target=load_client,
                                args=(i, c, v, shared, stats, deadline, random.Random(SEED + i)),
                                daemon=True)
               for i, c, v in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        rss["peak"] = max(rss["peak"], rss_mb(server.proc.pid))
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    for _, c, _ in clients:
        c.close()
    return elapsed, sign_ins, shared, rss["peak"]


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# ---------------------------------------------------------------------------------------------
# Phase 2: crash


class Crash:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}            # email -> (id, first, last)
        self.edits = {}            # id -> (version, city) of the last acknowledged edit
        self.uncertain = set()     # ids whose last edit was cut off
        self.attempts = 0
        self.conn_errors = 0
        self.cut_off = []          # (email, given) creates cut off and not acknowledged by a retry
        self.retried_acked = 0
        self.stuck = []            # (email, body) retries answered 409 "still being processed"
        self.edits_acked = 0
        self.edits_cut = 0
        self.failures = []
        self.in_flight = 0
        self.errors = {}           # how writes were cut off: error type -> count

    def cut(self, error):
        with self.lock:
            name = type(error).__name__
            self.errors[name] = self.errors.get(name, 0) + 1


def crash_writer(index, client, crash, stop, rng):
    own = []  # [id, version, first, last, email] of own acknowledged contacts

    def send(fields):
        with crash.lock:
            crash.in_flight += 1
        try:
            return client.request("POST", "/api/contacts/save", fields)
        finally:
            with crash.lock:
                crash.in_flight -= 1

    def resend(fields):
        """Once the server is back: the same request again (a browser resending the form)."""
        until = time.monotonic() + 30
        while time.monotonic() < until:
            try:
                return send(fields)
            except ConnectionRefusedError:
                time.sleep(0.05)
            except NET_ERRORS as error:
                crash.cut(error)
                return None  # cut off again
        return None

    n = 0
    while not stop.is_set():
        n += 1
        if own and rng.random() < 0.25:
            c = rng.choice(own)
            cid, version, first, last, email = c
            city = f"Crash city {n}"
            fields = contact_form({"id": str(cid), "version": str(version), "first_name": first,
                                   "last_name": last, "email": email, "city": city})
            with crash.lock:
                crash.attempts += 1
            try:
                status, hdrs, body, _ = send(fields)
            except ConnectionRefusedError:  # the server is down: nothing was sent
                with crash.lock:
                    crash.attempts -= 1
                time.sleep(0.05)
                continue
            except NET_ERRORS as error:
                crash.cut(error)
                with crash.lock:
                    crash.conn_errors += 1
                    crash.edits_cut += 1
                    crash.uncertain.add(cid)
                own.remove(c)  # its state is unknown now: no more edits of it
                continue
            if status == 200:
                c[1] = version + 1
                with crash.lock:
                    crash.edits[cid] = (version + 1, city)
                    crash.edits_acked += 1
            else:
                with crash.lock:
                    crash.failures.append(f"edit of {cid} at version {version}: {status} "
                                          f"x-request-id {hdrs.get('x-request-id')} {body[:300]!r}")
                own.remove(c)
            continue

        first, last = f"Crash{index}", f"N{n}-{RUN}"
        email = f"crash-{RUN}-w{index}-{n}@soak.example"
        fields = contact_form({"first_name": first, "last_name": last, "email": email,
                               "tags": "soak, crash"})
        with crash.lock:
            crash.attempts += 1
        retried = False
        try:
            result = send(fields)
        except ConnectionRefusedError:  # the server is down: nothing was sent yet
            result = resend(fields)
        except NET_ERRORS as error:  # cut off: it may or may not have been saved
            crash.cut(error)
            with crash.lock:
                crash.conn_errors += 1
            result = resend(fields)
            retried = True
        if result is None:
            with crash.lock:
                crash.cut_off.append(email)
            continue
        status, hdrs, body, _ = result
        cid = saved_id(hdrs) if status == 200 else None
        if cid is not None:
            with crash.lock:
                crash.acked[email] = (cid, first, last)
                crash.retried_acked += retried
            own.append([cid, 1, first, last, email])
        elif retried and status == 409:
            with crash.lock:
                crash.stuck.append((email, body[:200]))
        else:
            with crash.lock:
                crash.failures.append(f"create {email}{' (resent)' if retried else ''}: {status} "
                                      f"x-request-id {hdrs.get('x-request-id')} {body[:300]!r}")


def phase_crash(server, users, rng):
    crash = Crash()
    writers = [Client(server.port, users["members"][i % MEMBERS]) for i in range(WRITERS)]
    for w in writers:
        w.sign_in()
    stop = threading.Event()
    threads = [threading.Thread(target=crash_writer,
                                args=(i, w, crash, stop, random.Random(SEED * 7 + i)), daemon=True)
               for i, w in enumerate(writers)]
    for t in threads:
        t.start()
    kills = []
    for k in range(KILLS):
        time.sleep(rng.uniform(1.0, 3.5))
        with crash.lock:
            in_flight, acked = crash.in_flight, len(crash.acked)
        server.kill()
        killed_at = time.perf_counter()
        restart = server.start()
        kills.append({"in_flight": in_flight, "acked_before": acked,
                      "down": time.perf_counter() - killed_at, "ready": restart})
        log(f"kill {k + 1}/{KILLS}: {in_flight} writes in flight, {acked} acknowledged so far; "
            f"back in {kills[-1]['down']:.2f} s")
    time.sleep(2.0)
    stop.set()
    for t in threads:
        t.join(timeout=45)
    for w in writers:
        w.close()
    return crash, kills


def verify(db_path, crash, shared):
    out = {"problems": []}
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        out["integrity"] = [r[0] for r in db.execute("PRAGMA integrity_check")]
        out["foreign_keys"] = len(db.execute("PRAGMA foreign_key_check").fetchall())
        present = missing = wrong = 0
        for email, (cid, first, last) in crash.acked.items():
            row = db.execute("SELECT id, first_name, last_name, deleted_at FROM contacts "
                             "WHERE email = ?", (email,)).fetchall()
            if not row:
                missing += 1
                out["problems"].append(f"acknowledged contact {cid} <{email}> is missing")
            elif row != [(cid, first, last, None)]:
                wrong += 1
                out["problems"].append(f"acknowledged contact <{email}> id {cid}: found {row}")
            else:
                present += 1
        out.update(present=present, missing=missing, wrong=wrong)
        edits_ok = edits_lost = 0
        for cid, (version, city) in crash.edits.items():
            if cid in crash.uncertain:
                continue  # a later edit was cut off: either state is right
            row = db.execute("SELECT version, city FROM contacts WHERE id = ?", (cid,)).fetchone()
            if row == (version, city):
                edits_ok += 1
            else:
                edits_lost += 1
                out["problems"].append(f"acknowledged edit of contact {cid} (version {version}, "
                                       f"{city!r}) lost: found {row}")
        out.update(edits_ok=edits_ok, edits_lost=edits_lost)
        # Writes that were cut off: saved or not, either is allowed; counted for the figures.
        out["cut_off_saved"] = sum(
            1 for email in crash.cut_off
            if db.execute("SELECT 1 FROM contacts WHERE email = ?", (email,)).fetchone())
        out["stuck_saved"] = sum(
            1 for email, _ in crash.stuck
            if db.execute("SELECT 1 FROM contacts WHERE email = ?", (email,)).fetchone())
        # Phase 1's acknowledged creates are there too (live, or in the trash meanwhile).
        load_missing = [(e, i) for e, i in shared.created
                        if db.execute("SELECT id FROM contacts WHERE email = ?", (e,)).fetchone()
                        != (i,)]
        out["load_present"] = len(shared.created) - len(load_missing)
        out["load_missing"] = len(load_missing)
        for e, i in load_missing[:10]:
            out["problems"].append(f"load phase: acknowledged contact {i} <{e}> is missing")
        out["contacts"] = db.execute("SELECT count(*) FROM contacts").fetchone()[0]
        out["wal_left"] = os.path.exists(db_path + "-wal")
    finally:
        db.close()
    return out


# ---------------------------------------------------------------------------------------------


def main():
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} not found: run `make build` first (or set CLIENTELE_BIN)")
    random.seed(SEED)
    rng = random.Random(SEED)
    data = tempfile.mkdtemp(prefix="clientele-soak-")
    server = Server(data, free_port())
    failed = []

    def on_timeout():
        print(f"\nsoak: TIMEOUT after {TIMEOUT:.0f} s: stopping the server and giving up",
              file=sys.stderr, flush=True)
        server.ensure_dead()
        for line in server.log_tail(20, skip=("forbidden",)):
            print("  server log:", line, file=sys.stderr)
        if not KEEP:
            shutil.rmtree(data, ignore_errors=True)
        os._exit(2)

    watchdog = threading.Timer(TIMEOUT, on_timeout)
    watchdog.daemon = True
    watchdog.start()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    run_started = time.perf_counter()
    try:
        log(f"soak: binary {BINARY}, data {data}, port {server.port}, seed {SEED}")
        users = {"admin": "admin@soak.example", "viewer": "viewer@soak.example",
                 "members": [f"member{i}@soak.example" for i in range(MEMBERS)]}
        server.cli("user", "create", "--email", users["admin"], "--name", "Soak Admin",
                   "--role", "admin")
        for i, email in enumerate(users["members"]):
            server.cli("user", "create", "--email", email, "--name", f"Member {i}",
                       "--role", "member")
        server.cli("user", "create", "--email", users["viewer"], "--name", "Viewer",
                   "--role", "viewer")
        if SEED_CONTACTS or SEED_COMPANIES:
            server.cli("seed", "--companies", str(SEED_COMPANIES), "--contacts", str(SEED_CONTACTS),
                       "--seed", str(SEED % 1000))
        log(f"users created, {SEED_CONTACTS} contacts and {SEED_COMPANIES} companies seeded")

        # Phase 1
        server.start()
        idle_rss = rss_mb(server.proc.pid)
        stats = Stats()
        elapsed, sign_ins, shared, peak_rss = phase_load(server, users, stats)
        stop1 = server.stop()
        log(f"load phase done; server stopped with SIGTERM, exit status {stop1}")
        if stop1 != 0:
            failed.append(f"server exit status after SIGTERM (load phase): {stop1}")

        # Phase 2
        server.start()
        crash, kills = phase_crash(server, users, rng)
        stop2 = server.stop()
        log(f"crash phase done; server stopped with SIGTERM, exit status {stop2}")
        if stop2 != 0:
            failed.append(f"server exit status after SIGTERM (crash phase): {stop2}")
        checks = verify(os.path.join(data, "clientele.db"), crash, shared)
        server.start()
        ready_status = http_get(server.port, "/readyz")[0]
        probe = Client(server.port, users["members"][0])
        probe.sign_in()
        some = next(iter(crash.acked.values()), (None,))[0]
        page_status = probe.request("GET", f"/contacts/{some}", accept="text/html")[0] if some else None
        probe.close()
        stop3 = server.stop()

        # Figures
        total = sum(len(v) for v in stats.latency.values())
        print()
        print(f"Load: {CLIENTS} signed-in clients ({VIEWERS} viewers, {MEMBERS} member accounts), "
              f"{elapsed:.0f} s, {SEED_CONTACTS:,} seeded contacts, loopback, {os.cpu_count()} cores")
        print(f"{'request':22} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuses")
        for kind in sorted(stats.latency, key=lambda k: -len(stats.latency[k])):
            lat = [s * 1000 for s in stats.latency[kind]]
            codes = " ".join(f"{k}:{v}" for k, v in sorted(stats.statuses[kind].items(),
                                                           key=lambda kv: str(kv[0])))
            print(f"{kind:22} {len(lat):7} {pct(lat, 50):8.1f} {pct(lat, 95):8.1f} "
                  f"{max(lat):8.1f}  {codes}")
        conn_only = {k: v["conn"] for k, v in stats.statuses.items()
                     if "conn" in v and k not in stats.latency}
        for kind, n in conn_only.items():
            print(f"{kind:22} {0:7} {'':8} {'':8} {'':8}  conn:{n}")
        expected = sum(stats.expected_4xx.values())
        print(f"{'total':22} {total:7}  ({total / elapsed:.0f} req/s); sign-in p50 "
              f"{pct(sign_ins, 50) * 1000:.0f} ms, max {max(sign_ins) * 1000:.0f} ms")
        print(f"5xx: {stats.server_errors}   connection errors: {stats.conn_errors}   "
              f"unexpected 4xx: {stats.unexpected}   expected 4xx: {expected} "
              f"({', '.join(f'{k} {v}' for k, v in sorted(stats.expected_4xx.items())) or 'none'})")
        print(f"server RSS: idle {idle_rss:.0f} MB, peak under load {peak_rss:.0f} MB")
        print()
        print(f"Crash: {WRITERS} writers, {KILLS} SIGKILLs (writes in flight at each: "
              f"{', '.join(str(k['in_flight']) for k in kills)}; back up in "
              f"{', '.join('%.2f' % k['down'] for k in kills)} s)")
        print(f"  writes attempted {crash.attempts}, cut off by a kill {crash.conn_errors} "
              f"(creates resent with the same key: {crash.retried_acked} acknowledged, "
              f"{len(crash.stuck)} refused 409 'still being processed', "
              f"{len(crash.cut_off)} cut off again); client errors: "
              f"{', '.join(f'{k} {v}' for k, v in sorted(crash.errors.items())) or 'none'}")
        print(f"  creates acknowledged {len(crash.acked)}: present {checks['present']}, "
              f"missing {checks['missing']}, altered {checks['wrong']}")
        print(f"  edits acknowledged {crash.edits_acked}: last one kept {checks['edits_ok']}, "
              f"lost {checks['edits_lost']} ({len(crash.uncertain)} contacts with an edit cut off "
              f"not checked)")
        print(f"  unacknowledged creates found saved: {checks['cut_off_saved']} of "
              f"{len(crash.cut_off)} cut off, {checks['stuck_saved']} of {len(crash.stuck)} "
              f"refused 409")
        print(f"  load phase creates acknowledged {len(shared.created)}: present "
              f"{checks['load_present']}, missing {checks['load_missing']}")
        print(f"  PRAGMA integrity_check: {'; '.join(checks['integrity'])[:200]}; "
              f"foreign_key_check: {checks['foreign_keys']} rows; contacts {checks['contacts']:,}")
        print(f"  after restart: /readyz {ready_status}, an acknowledged contact's page "
              f"{page_status}; clean stops exit {stop1}/{stop2}/{stop3}")
        print(f"Total time {time.perf_counter() - run_started:.0f} s")

        if stats.server_errors:
            failed.append(f"{stats.server_errors} responses with 5xx")
        if stats.conn_errors:
            failed.append(f"{stats.conn_errors} connection errors under load")
        if stats.unexpected:
            failed.append(f"{stats.unexpected} unexpected 4xx under load")
        if checks["missing"] or checks["wrong"]:
            failed.append(f"{checks['missing'] + checks['wrong']} acknowledged creates missing "
                          f"or altered after the kills")
        if checks["edits_lost"]:
            failed.append(f"{checks['edits_lost']} acknowledged edits lost after the kills")
        if checks["load_missing"]:
            failed.append(f"{checks['load_missing']} load-phase creates missing")
        if checks["integrity"] != ["ok"]:
            failed.append("integrity_check is not ok")
        if checks["foreign_keys"]:
            failed.append("foreign_key_check found rows")
        if crash.failures:
            failed.append(f"{len(crash.failures)} unexpected answers in the crash phase")
        if ready_status != 200 or page_status != 200:
            failed.append(f"after the kills: /readyz {ready_status}, contact page {page_status}")
        if len(kills) != KILLS:
            failed.append("not every kill happened")
        if stop3 != 0:
            failed.append(f"server exit status after SIGTERM (final start): {stop3}")

        details = [f"{kind}: {what}: {detail}" for kind, what, detail in stats.failures[:15]]
        details += crash.failures[:15] + checks["problems"][:15]
        if details:
            print(f"\nDetails (the first of {len(stats.failures)} under load, "
                  f"{len(crash.failures)} in the crash phase, {len(checks['problems'])} in the "
                  f"database check):")
            for line in details:
                print("  " + line)
        if failed:
            print("\nServer log (errors and warnings):")
            # (viewers' refused writes are logged as warnings: expected, left out)
            lines = server.log_tail(25, grep=("ERROR", "WARN", "panick"), skip=("forbidden",))
            for line in lines or ["(none)"]:
                print("  " + line)
    except KeyboardInterrupt:
        failed.append("interrupted")
    except Exception as error:  # a setup step failed: say what, with the server's last words
        failed.append(f"{type(error).__name__}: {error}")
        for line in server.log_tail(15):
            print("  server log:", line)
    finally:
        watchdog.cancel()
        server.ensure_dead()
        if KEEP:
            print(f"data and server log kept in {data}")
        else:
            shutil.rmtree(data, ignore_errors=True)
    if failed:
        print("\nSOAK FAILED: " + "; ".join(failed))
        sys.exit(1)
    print("\nSOAK PASSED: no 5xx, no connection errors under load, every acknowledged write "
          "survived the kills, integrity ok")


if __name__ == "__main__":
    main()

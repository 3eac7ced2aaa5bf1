#!/usr/bin/env python3
"""Cluster test: two Clientele instances on one PostgreSQL database, behind nginx over HTTPS.

Runs the release build (`make build`) on loopback only, everything in one temporary folder that is
deleted at the end (pass or fail, Ctrl-C or timeout):

  setup  installs nginx and wrk from Debian when missing (apt-get, sudo when not root); starts a
         throw-away PostgreSQL (tests/services/postgres.sh) and creates a database; starts
         instances A and B together on it (each with its own --data-dir, `--trusted-proxies
         127.0.0.1/32 --public-url https://localhost:PORT`), so the migrations' advisory lock is
         exercised; makes a self-signed certificate (openssl) and starts nginx
         (tests/cluster/nginx.conf.template) in front of both, as an unprivileged user.
  a.     The Playwright journeys (end2end/) through nginx over HTTPS: CLIENTELE_BASE_URL makes
         end2end/playwright.config.ts use it for every project instead of starting servers, and
         CLIENTELE_DATABASE_URL sends the tests' `clientele user create` to the cluster's
         database. Its one setup project registers the first administrator in the browser with
         the setup link both instances printed (CLIENTELE_SETUP_TOKEN; the run fails when they
         printed different tokens). Journeys that cannot work behind a load balancer are left out
         (SKIPPED_JOURNEYS, with the reason; printed).
  b.     Failover under mixed load: CLUSTER_CLIENTS signed-in clients (threads; http.client over
         TLS, certificate not verified, keep-alive, each with its own session cookie) read list
         pages, searches and record pages and create contacts through the contact form's endpoint
         (POST /api/contacts/save as a plain HTML form), each create with a fresh idempotency key
         sent as the form field and as the Idempotency-Key header, so that nginx may retry it on
         the other instance. Instance A is SIGKILLed at CLUSTER_KILL_AT s and restarted with the
         same flags at CLUSTER_RESTART_AT s. Counts requests, user-visible failures (connection
         errors, 5xx, any status a request of its kind should not get), latency overall and in the
         failover window (the kill to 5 s after A is ready again), and the retries in nginx's
         access log. Then: every acknowledged create (redirected to its new page) is in the
         database exactly once (psql, by its unique e-mail and its unique last name), and
         sessions signed in on A before the kill still work while A is down and after its
         restart. While A is down, the idempotency keys A claimed and never finished are listed.
  c.     Throughput: wrk through nginx on the signed-in contacts list (CLUSTER_CONTACTS contacts
         imported first with `clientele import`), with both instances, then with B stopped.
  d.     One table of figures. Exit status 0 when every check holds, 1 otherwise, 2 on timeout.

Usage: python3 tests/cluster/run.py   (or `make cluster-test`; 5 to 6 minutes, most of it
Playwright; the run copies the binary and the site first, so a rebuild meanwhile changes nothing)
Environment: CARGO_TARGET_DIR or CLIENTELE_BIN (the binary), LEPTOS_SITE_ROOT (the site folder),
CLUSTER_SECONDS (load, default 40), CLUSTER_KILL_AT (10), CLUSTER_RESTART_AT (25),
CLUSTER_CLIENTS (12), CLUSTER_CONTACTS (3000), CLUSTER_WRK_SECONDS (10), CLUSTER_TIMEOUT (whole
run, seconds, default 600), CLUSTER_SKIP_E2E=1 (leave out the Playwright journeys),
CLUSTER_KEEP=1 (keep the temporary folder: logs, nginx access log, Playwright output),
CLUSTER_STAGGER=1 (diagnosis: start B only once A is ready, so the start-up race of the
migrations is not exercised), CLUSTER_RUST_LOG (the instances' log filter).
"""
import csv
import gzip
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BINARY = os.environ.get("CLIENTELE_BIN", os.path.join(TARGET, "release", "clientele"))
SITE = os.environ.get("LEPTOS_SITE_ROOT") or next(
    (p for p in (os.path.join(TARGET, "site"), os.path.join(ROOT, "target", "site"))
     if os.path.isdir(p)), os.path.join(TARGET, "site"))
SECONDS = float(os.environ.get("CLUSTER_SECONDS", "40"))
KILL_AT = float(os.environ.get("CLUSTER_KILL_AT", "10"))
RESTART_AT = float(os.environ.get("CLUSTER_RESTART_AT", "25"))
CLIENTS = int(os.environ.get("CLUSTER_CLIENTS", "12"))
CONTACTS = int(os.environ.get("CLUSTER_CONTACTS", "3000"))
WRK_SECONDS = int(os.environ.get("CLUSTER_WRK_SECONDS", "10"))
TIMEOUT = float(os.environ.get("CLUSTER_TIMEOUT", "600"))
SKIP_E2E = os.environ.get("CLUSTER_SKIP_E2E", "") not in ("", "0")
KEEP = os.environ.get("CLUSTER_KEEP", "") not in ("", "0")
# Diagnosis only: start B once A is ready (the migrations done), instead of both at once.
STAGGER = os.environ.get("CLUSTER_STAGGER", "") not in ("", "0")
# Warnings, plus the idempotency module's note of each repeated key answered with its outcome.
RUST_LOG = os.environ.get("CLUSTER_RUST_LOG", "warn,clientele::server::idempotency=info")
SEED = int(os.environ.get("CLUSTER_SEED", str(int(time.time()))))
RUN = uuid.uuid4().hex[:8]
PASSWORD = "cluster-test-password-1"
# The administrator the Playwright journeys sign in as (end2end/tests/fixtures.ts, ADMIN).
E2E_ADMIN = ("ada@example.com", "Ada Admin", "copper-kettle-meadow")
MEMBERS = [f"member{i}@cluster.example" for i in range(4)]
CONTACT_FIELDS = ["id", "version", "first_name", "last_name", "email", "phone", "job_title",
                  "company", "city", "status", "tags", "notes", "owner"]
NET_ERRORS = (OSError, http.client.HTTPException)
WINDOW_AFTER = 5.0  # the failover window ends this long after A is ready again

# Journeys left out of the Playwright run: (project, title, how, why). "grep": left out with
# --grep-invert (of that project only, unless the project is "*").
SKIPPED_JOURNEYS = []

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the harness's own self-signed certificate


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find(command):
    return shutil.which(command, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


def as_root():
    return os.geteuid() == 0


# ---------------------------------------------------------------------------------------------
# Packages


def ensure_packages():
    """nginx, wrk, openssl and psql from Debian, when missing. PostgreSQL's server is installed by
    tests/services/postgres.sh itself. A freshly installed nginx is not started as a service:
    policy-rc.d refuses it (only when no policy is in place already)."""
    wanted = {"nginx": "nginx", "wrk": "wrk", "openssl": "openssl", "psql": "postgresql-client"}
    missing = [package for command, package in wanted.items() if not find(command)]
    if not missing:
        return
    sudo = [] if as_root() else ["sudo"]
    log(f"installing from Debian: {' '.join(missing)}")
    policy = "/usr/sbin/policy-rc.d"
    made_policy = False
    if not os.path.exists(policy):
        subprocess.run(sudo + ["sh", "-c", f"printf '#!/bin/sh\\nexit 101\\n' > {policy} && "
                                           f"chmod 755 {policy}"], check=True)
        made_policy = True
    try:
        subprocess.run(sudo + ["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(sudo + ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install",
                               "-y", "--no-install-recommends", *missing], check=True,
                       stdout=subprocess.DEVNULL)
    finally:
        if made_policy:
            subprocess.run(sudo + ["rm", "-f", policy], check=False)
    still = [c for c in wanted if not find(c)]
    if still:
        raise RuntimeError(f"still missing after apt-get: {', '.join(still)}")


# ---------------------------------------------------------------------------------------------
# The processes: PostgreSQL, the instances, nginx


class Postgres:
    def __init__(self, folder):
        self.folder = folder
        self.url = None

    def start(self):
        port = free_port()
        out = subprocess.run([os.path.join(ROOT, "tests", "services", "postgres.sh"), "start",
                              self.folder, str(port)], check=True, stdout=subprocess.PIPE,
                             text=True, timeout=180)
        self.url = out.stdout.strip().splitlines()[-1]
        self.psql("CREATE DATABASE clientele", database="postgres")
        return f"{self.url}/clientele"

    def psql(self, sql, database="clientele"):
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                              f"{self.url}/{database}", "-c", sql], check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def stop(self):
        if self.url is not None or os.path.exists(self.folder):
            subprocess.run([os.path.join(ROOT, "tests", "services", "postgres.sh"), "stop",
                            self.folder], check=False, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
            self.url = None


class Instance:
    """One `clientele serve` on a fixed loopback port with its own data folder; restartable."""

    def __init__(self, name, folder, database_url, public_url):
        self.name, self.folder = name, folder
        self.port = free_port()
        self.args = [BINARY, "serve", "--listen", f"127.0.0.1:{self.port}",
                     "--data-dir", os.path.join(folder, "data"), "--database-url", database_url,
                     "--trusted-proxies", "127.0.0.1/32", "--public-url", public_url]
        self.log_path = os.path.join(folder, "server.log")
        self.proc = None
        self.starts = 0
        os.makedirs(folder, exist_ok=True)

    @property
    def addr(self):
        return f"127.0.0.1:{self.port}"

    def spawn(self):
        self.starts += 1
        with open(self.log_path, "a") as out:
            out.write(f"\n===== cluster: start #{self.starts} at {time.time():.3f} =====\n")
            out.flush()
            self.proc = subprocess.Popen(
                self.args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                env=dict(os.environ, LEPTOS_SITE_ROOT=SITE, LEPTOS_ENV="PROD", RUST_LOG=RUST_LOG))

    def wait_ready(self, limit=60):
        started = time.monotonic()
        while time.monotonic() - started < limit:
            if self.proc.poll() is not None:
                raise RuntimeError(f"instance {self.name} exited with {self.proc.returncode} at "
                                   f"start-up: {' | '.join(self.log_tail(5))}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                try:
                    conn.request("GET", "/readyz")
                    if conn.getresponse().status == 200:
                        return
                finally:
                    conn.close()
            except NET_ERRORS:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"instance {self.name} not ready within {limit} s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, grace=40):
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

    def log_tail(self, lines=15, grep=None):
        try:
            with open(self.log_path, errors="replace") as f:
                found = [re.sub(r"\x1b\[[0-9;]*m", "", l.rstrip()) for l in f
                         if grep is None or any(g in l for g in grep)]
        except OSError:
            return []
        return found[-lines:]

    def log_count(self, text):
        try:
            with open(self.log_path, errors="replace") as f:
                return sum(1 for line in f if text in line)
        except OSError:
            return 0


class Nginx:
    def __init__(self, folder, port, upstreams):
        self.folder, self.port, self.upstreams = folder, port, upstreams
        self.proc = None
        self.binary = find("nginx")
        self.user = None
        if as_root():
            self.user = next(u for u in ("www-data", "nobody") if user_exists(u))

    def command(self, *extra):
        cmd = [self.binary, "-p", self.folder, "-c", os.path.join(self.folder, "nginx.conf"),
               "-e", os.path.join(self.folder, "error.log"), *extra]
        return (["runuser", "-u", self.user, "--"] + cmd) if self.user else cmd

    def prepare(self):
        os.makedirs(self.folder)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", os.path.join(self.folder, "key.pem"),
                        "-out", os.path.join(self.folder, "cert.pem")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        version = subprocess.run([self.binary, "-v"], stderr=subprocess.PIPE, text=True).stderr
        found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", version)
        modern = found is not None and tuple(map(int, found.groups())) >= (1, 25, 1)
        with open(os.path.join(HERE, "nginx.conf.template")) as f:
            conf = f.read()
        values = {"DIR": self.folder, "PORT": str(self.port),
                  "PORT_A": str(self.upstreams[0]), "PORT_B": str(self.upstreams[1]),
                  # `http2 on;` since nginx 1.25.1; before it, a parameter of `listen`.
                  "LISTEN_HTTP2": "" if modern else " http2",
                  "HTTP2_ON": "http2 on;" if modern else "# (HTTP/2: see `listen`)"}
        for name, value in values.items():
            conf = conf.replace("{{" + name + "}}", value)
        left = re.findall(r"\{\{[A-Z0-9_]+\}\}", conf)
        if left:
            raise RuntimeError(f"nginx.conf.template: unknown placeholders {left}")
        with open(os.path.join(self.folder, "nginx.conf"), "w") as f:
            f.write(conf)
        if self.user:
            subprocess.run(["chown", "-R", f"{self.user}:", self.folder], check=True)
        test = subprocess.run(self.command("-t", "-q"), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t failed: {test.stdout.strip()}")
        return version.strip()

    def start(self):
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.folder, "stderr.log"), "w"),
                                     start_new_session=True)
        started = time.monotonic()
        while time.monotonic() - started < 20:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}: "
                                   f"{' | '.join(self.error_log()[-5:])}")
            try:
                if https_get(self.port, "/readyz")[0] == 200:
                    return
            except NET_ERRORS:
                pass
            time.sleep(0.05)
        raise RuntimeError("nginx: /readyz not answered 200 within 20 s")

    def stop(self):
        if self.proc is None:
            return
        pid = None
        try:
            with open(os.path.join(self.folder, "nginx.pid")) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            pass
        for target in (lambda s: os.killpg(self.proc.pid, s),
                       lambda s: pid and is_nginx(pid) and os.kill(pid, s)):
            try:
                target(signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=5)
        # Its workers go with the master; wait until the pid is gone.
        until = time.monotonic() + 5
        while pid and is_nginx(pid) and time.monotonic() < until:
            time.sleep(0.05)
        self.proc = None

    def access_log_size(self):
        try:
            return os.path.getsize(os.path.join(self.folder, "access.log"))
        except OSError:
            return 0

    def access_log(self, start=0, end=None):
        """Parsed access log lines between two byte offsets."""
        try:
            with open(os.path.join(self.folder, "access.log"), "rb") as f:
                f.seek(start)
                data = f.read() if end is None else f.read(max(0, end - start))
        except OSError:
            return []
        lines = []
        for line in data.decode(errors="replace").splitlines():
            m = ACCESS.match(line)
            if m:
                lines.append(m.groupdict())
        return lines

    def error_log(self):
        try:
            with open(os.path.join(self.folder, "error.log"), errors="replace") as f:
                return [l.rstrip() for l in f]
        except OSError:
            return []


ACCESS = re.compile(r'(?P<remote>\S+) \[(?P<time>[^\]]+)\] "(?P<method>\S+) (?P<path>\S+) [^"]*" '
                    r'(?P<status>\d+) (?P<bytes>\d+) rt=(?P<rt>[\d.]+) ua="(?P<ua>[^"]*)" '
                    r'us="(?P<us>[^"]*)" urt="(?P<urt>[^"]*)" keyed=(?P<keyed>\d) rid=(?P<rid>\S*)')


def user_exists(name):
    try:
        import pwd
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def is_nginx(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip() == "nginx"
    except OSError:
        return False


def https_get(port, path, headers=None):
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=TLS, timeout=10)
    try:
        conn.request("GET", path, headers={"host": f"localhost:{port}", **(headers or {})})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def cli(database_url, folder, *args, password=PASSWORD):
    env = dict(os.environ, CLIENTELE_PASSWORD=password, RUST_LOG="warn")
    return subprocess.run([BINARY, *args, "--database-url", database_url,
                           "--data-dir", os.path.join(folder, "cli")], env=env, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=180)


# ---------------------------------------------------------------------------------------------
# A signed-in client over HTTPS through nginx: one keep-alive connection, its own cookies


class Client:
    def __init__(self, port, email, password=PASSWORD):
        self.port, self.email, self.password = port, email, password
        self.origin = f"https://localhost:{port}"
        self.conn = None
        self.cookies = {}
        self.signed_in_on = None  # the instance (upstream address) that answered the sign-in

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, fields=None, accept="text/html", headers=None):
        """(status, headers, body, seconds); raises a NET_ERRORS on a connection error."""
        h = {"host": f"localhost:{self.port}", "accept": accept}
        if self.cookies:
            h["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            h["content-type"] = "application/x-www-form-urlencoded"
            h["origin"] = self.origin
        h.update(headers or {})
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=TLS,
                                                        timeout=90)
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
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
        for _ in range(30):
            status, headers, body, _ = self.request(
                "POST", "/api/auth/login", [("email", self.email), ("password", self.password)],
                accept="application/json")
            if status != 503:
                break
            time.sleep(float(headers.get("retry-after", "1")))
        if status != 200 or not self.cookies:
            raise RuntimeError(f"sign-in of {self.email} failed: {status} {body[:200]!r}")
        self.signed_in_on = headers.get("x-clientele-upstream")

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def describe(headers, body):
    if headers.get("content-encoding") == "gzip":
        try:
            body = gzip.decompress(body)
        except OSError:
            pass
    text = body.decode(errors="replace")
    if "<html" in text[:500].lower():
        found = re.findall(r"<(title|h1|h2|p)[^>]*>(.*?)</\1>", text, re.S)
        words = [re.sub(r"<[^>]+>", "", t).strip() for _, t in found]
        return "page: " + " | ".join(w for w in words if w)[:300]
    return f"body {text[:300]!r}"


def page_text(headers, body):
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode(errors="replace")


def saved_id(headers):
    location = headers.get("location") or ""
    path = urllib.parse.urlsplit(location).path.strip("/").split("/")
    if len(path) >= 2 and path[0] == "contacts" and path[1].isdigit():
        return int(path[1])
    return None


# ---------------------------------------------------------------------------------------------
# Set-up steps


FIRST = ["Amelie", "Bastien", "Chiara", "Dmitri", "Elodie", "Farid", "Greta", "Hugo", "Ines",
         "Jonas", "Katrin", "Lars", "Mirela", "Nils", "Oona", "Piotr", "Rhea", "Soren", "Tilde",
         "Ulrich", "Vesna", "Wim", "Xenia", "Yusuf", "Zofia"]
LAST = ["Albrecht", "Bergman", "Castell", "Dufresne", "Eriksen", "Falk", "Gorski", "Halvorsen",
        "Ibarra", "Jansen", "Kowalczyk", "Lindqvist", "Moreau", "Novak", "Olander", "Petrov",
        "Rasmussen", "Sandoval", "Thorsen", "Varga", "Wieland", "Zeller"]
CITIES = ["Aarhus", "Bilbao", "Coimbra", "Dresden", "Gdansk", "Graz", "Lille", "Turku", "Utrecht"]


def seed_contacts(database_url, folder, n, rng):
    """n contacts (with 60 companies) imported with `clientele import`, i.e. through the app's own
    saving path (history, search index), as the first administrator."""
    path = os.path.join(folder, "seed.csv")
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["First name", "Last name", "E-mail", "Phone", "Company", "City", "Status",
                      "Tags"])
        for i in range(n):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            out.writerow([first, last, f"{first.lower()}.{last.lower()}.{i}@seed.example",
                          f"+44 20 7946 {i:04d}", f"Seedco {i % 60:02d}", rng.choice(CITIES),
                          rng.choice(["lead", "prospect", "customer", "inactive"]),
                          rng.choice(["", "vip", "seed, trade show"])])
    started = time.perf_counter()
    cli(database_url, folder, "import", "contacts", path, "--as", E2E_ADMIN[0])
    return time.perf_counter() - started


def setup_token(instance):
    """The setup token `instance` printed at start (while no account exists), if any."""
    for line in instance.log_tail(50, grep=["/register?setup="]):
        found = re.search(r"/register\?setup=([A-Za-z0-9_-]+)", line)
        if found:
            return found.group(1)
    return None


def run_playwright(folder, base_url, database_url, token):
    """`npx playwright test` in end2end/ through nginx; returns a summary dict."""
    report = os.path.join(folder, "playwright.json")
    # --grep-invert is matched against "<project> <file> <describe…> <title>".
    grep_invert = "|".join(("" if project == "*" else f"^{re.escape(project)} .*")
                           + re.escape(title)
                           for project, title, how, _ in SKIPPED_JOURNEYS if how == "grep")
    env = dict(os.environ, CLIENTELE_BASE_URL=base_url, CLIENTELE_DATABASE_URL=database_url,
               CLIENTELE_SETUP_TOKEN=token,
               CLIENTELE_BIN=BINARY, LEPTOS_SITE_ROOT=SITE, E2E_RUN_DIR=os.path.join(folder, "e2e"),
               PLAYWRIGHT_JSON_OUTPUT_FILE=report, PLAYWRIGHT_JSON_OUTPUT_NAME=report)
    env.pop("CI", None)
    os.makedirs(env["E2E_RUN_DIR"], exist_ok=True)
    out_path = os.path.join(folder, "playwright.log")
    started = time.perf_counter()
    with open(out_path, "w") as out:
        proc = subprocess.Popen(["npx", "playwright", "test", "--reporter=list,json",
                                 "--output", os.path.join(folder, "e2e-results"),
                                 *(["--grep-invert", grep_invert] if grep_invert else [])],
                                cwd=os.path.join(ROOT, "end2end"), env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        STATE["playwright"] = proc
        try:
            # What is left of the run's time, but what the later phases need (about 2 minutes).
            code = proc.wait(timeout=max(30, TIMEOUT - 120 - (time.perf_counter() - RUN_STARTED)))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code = "timeout"
        finally:
            STATE["playwright"] = None
    result = {"code": code, "seconds": time.perf_counter() - started, "log": out_path,
              "passed": [], "failed": [], "skipped": [], "flaky": []}
    try:
        with open(report) as f:
            data = json.load(f)
    except (OSError, ValueError):
        # Stopped before the end (no JSON report): what the list reporter printed so far.
        result["error"] = "stopped before the end: results read from its list output"
        with open(out_path, errors="replace") as f:
            for line in f:
                m = re.match(r"\s*(✓|✘|-)\s+\d+\s+(\[[^\]]+\]) › (\S+?):\d+:\d+ › (.*?)"
                             r"(?: \([\d.]+m?s\))?$", re.sub(r"\x1b\[[0-9;]*m", "", line.rstrip()))
                if m:
                    mark, project, file, title = m.groups()
                    name = f"{project} {file.replace('tests/', '')}: {title}"
                    if mark == "✓":
                        result["passed"].append(name)
                    elif mark == "-":
                        result["skipped"].append(name)
                    else:
                        result["failed"].append((name, "see playwright.log"))
        return result

    def walk(suite, path):
        for spec in suite.get("specs", []):
            for test in spec.get("tests", []):
                name = f"[{test.get('projectName')}] {spec.get('file', '')}: {spec['title']}"
                status = test.get("status")
                if status == "expected":
                    result["passed"].append(name)
                elif status == "skipped":
                    result["skipped"].append(name)
                elif status == "flaky":
                    result["flaky"].append(name)
                else:
                    errors = [e.get("message", "") for r in test.get("results", [])
                              for e in r.get("errors", [])]
                    result["failed"].append((name, re.sub(r"\x1b\[[0-9;]*m", "",
                                                          errors[0] if errors else status)))
        for child in suite.get("suites", []):
            walk(child, path + [child.get("title", "")])

    for suite in data.get("suites", []):
        walk(suite, [suite.get("title", "")])
    return result


# ---------------------------------------------------------------------------------------------
# Phase b: failover under mixed load


class Load:
    def __init__(self):
        self.lock = threading.Lock()
        self.records = []   # (start offset s, kind, status or "conn", seconds, ok)
        self.failures = []  # (start offset s, kind, detail)
        self.acked = {}     # email -> (id, last name) of creates redirected to their new page
        self.unacked = {}   # email -> last name of creates not acknowledged

    def add(self, t, kind, status, seconds, ok, detail=""):
        with self.lock:
            self.records.append((t, kind, status, seconds, ok))
            if not ok:
                self.failures.append((t, kind, detail))


def load_client(index, client, ids, terms, load, t0, deadline, rng):
    state = {"n": 0}
    while time.monotonic() < deadline:
        try:
            one_request(index, client, ids, terms, load, t0, rng, state)
        except Exception as error:  # a bug in this script, or an answer it cannot read
            load.add(time.monotonic() - t0, "harness error", 0, 0, False,
                     f"{type(error).__name__}: {error}")


def one_request(index, client, ids, terms, load, t0, rng, state):
    html = {"accept-encoding": "gzip"}
    r = rng.random()
    fields = None
    headers = dict(html)
    if r < 0.25:
        kind, method = "GET /contacts", "GET"
        path = rng.choice(["/contacts", "/contacts?sort=city", "/contacts?status=customer",
                           "/contacts?sort=updated&dir=desc"])
    elif r < 0.40:
        kind, method = "GET /contacts?q=", "GET"
        path = f"/contacts?q={urllib.parse.quote(rng.choice(terms))}"
    elif r < 0.65:
        kind, method = "GET /contacts/{id}", "GET"
        path = f"/contacts/{rng.choice(ids)}"
    elif r < 0.72:
        kind, method = "GET /companies", "GET"
        path = "/companies"
    elif r < 0.78:
        kind, method = "GET /", "GET"
        path = "/"
    else:
        kind, method, path = "create (form POST)", "POST", "/api/contacts/save"
        state["n"] += 1
        n = state["n"]
        key = str(uuid.uuid4())
        last = f"Failover{index}x{n}{RUN}"
        email = f"fo-{RUN}-c{index}-{n}@cluster.example"
        given = {name: "" for name in CONTACT_FIELDS}
        given.update(first_name=f"Client{index}", last_name=last, email=email,
                     city=rng.choice(CITIES), status="lead", tags="cluster")
        fields = list(given.items()) + [("idempotency_key", key)]
        headers.update({"idempotency-key": key,
                        "referer": f"{client.origin}/contacts/new"})
    t = time.monotonic() - t0
    try:
        status, hdrs, body, seconds = client.request(method, path, fields, headers=headers)
    except NET_ERRORS as error:
        load.add(t, kind, "conn", time.monotonic() - t0 - t, False,
                 f"{method} {path}: connection error {type(error).__name__}: {error}")
        if fields is not None:
            with load.lock:
                load.unacked[email] = last
        return
    if fields is None:
        ok = status == 200
        load.add(t, kind, status, seconds, ok,
                 "" if ok else f"{method} {path} -> {status} via "
                               f"{hdrs.get('x-clientele-upstream')}, x-request-id "
                               f"{hdrs.get('x-request-id')}, {describe(hdrs, body)}")
        return
    # Saved: redirected to the new contact's page (`/contacts/12?saved=1`). A refused plain
    # form post is redirected back to the form instead, its error kept for that page.
    cid = saved_id(hdrs) if status in (302, 303) else None
    ok = cid is not None
    detail = ""
    if not ok:
        detail = (f"POST {path} ({email}, key {key}) -> {status} after {seconds:.2f} s via "
                  f"{hdrs.get('x-clientele-upstream')}, location {hdrs.get('location')}, "
                  f"x-request-id {hdrs.get('x-request-id')}, {describe(hdrs, body)}")
        if status in (302, 303) and hdrs.get("location"):
            detail += "; " + shown_after(client, hdrs.get("location"))
    load.add(t, kind, status, seconds, ok, detail)
    with load.lock:
        if ok:
            load.acked[email] = (cid, last)
        else:
            load.unacked[email] = last


def shown_after(client, location):
    """What the page a refused form post was sent back to says (its error, from the flash)."""
    try:
        status, hdrs, body, _ = client.request("GET", location, headers={"accept-encoding": "gzip"})
    except NET_ERRORS as error:
        return f"then GET {location}: connection error {error}"
    text = page_text(hdrs, body)
    alerts = [re.sub(r"<[^>]+>", "", a).strip()
              for a in re.findall(r'role="alert"[^>]*>(.*?)</', text, re.S)]
    return f"then GET {location} -> {status}, alerts: {[a for a in alerts if a] or 'none'}"


def session_check(client, label):
    """A protected page with a session made earlier: 200 and signed in, or why not."""
    try:
        status, hdrs, body, _ = client.request("GET", "/settings")
    except NET_ERRORS as error:
        return {"label": label, "ok": False, "detail": f"connection error {error}"}
    text = page_text(hdrs, body) if status == 200 else ""
    ok = status == 200 and "Signed in as" in text
    return {"label": label, "ok": ok, "status": status,
            "via": hdrs.get("x-clientele-upstream"),
            "detail": "" if ok else f"{status} location {hdrs.get('location')} "
                                    f"{describe(hdrs, body)}"}


def phase_failover(port, pg, instances):
    a, b = instances
    rng = random.Random(SEED)
    ids = [int(row[0]) for row in pg.psql(
        "SELECT id FROM contacts WHERE deleted_at IS NULL ORDER BY random() LIMIT 1000")]
    terms = sorted({row[0].lower() for row in pg.psql(
        "SELECT DISTINCT last_name FROM contacts WHERE email LIKE '%@seed.example'")})
    terms += ["seedco", "aarhus", "vip", "44 20 7946", "nobody-at-all"]
    if not ids:
        raise RuntimeError("no contacts to read")

    # Clients, each with its own session; and probes whose sessions A made before the kill.
    clients = [Client(port, MEMBERS[i % len(MEMBERS)]) for i in range(CLIENTS)]
    for c in clients:
        c.sign_in()
    probes = []
    for attempt in range(20):
        p = Client(port, MEMBERS[attempt % len(MEMBERS)])
        p.sign_in()
        if p.signed_in_on == a.addr:
            probes.append(p)
        else:
            p.close()
        if len(probes) == 2:
            break
    if not probes:
        raise RuntimeError(f"no sign-in was answered by instance A ({a.addr}) in 20 tries")
    for p in probes:
        p.close()  # new connections later: nothing kept but the cookie
    on_a = sum(1 for c in clients if c.signed_in_on == a.addr)
    log(f"{CLIENTS} clients signed in ({on_a} of the sessions made by A, the rest by B), "
        f"{len(probes)} probe sessions made by A; load for {SECONDS:.0f} s, kill A at "
        f"{KILL_AT:.0f} s, restart at {RESTART_AT:.0f} s")

    load = Load()
    log_start = STATE["nginx"].access_log_size()
    t0 = time.monotonic()
    deadline = t0 + SECONDS
    threads = [threading.Thread(target=load_client,
                                args=(i, c, ids, terms, load, t0, deadline,
                                      random.Random(SEED + i)), daemon=True)
               for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    events = {}
    checks = []

    def sleep_until(offset):
        while time.monotonic() - t0 < offset:
            time.sleep(0.01)

    sleep_until(KILL_AT)
    a.kill()
    events["killed"] = time.monotonic() - t0
    log(f"instance A SIGKILLed at {events['killed']:.1f} s")
    sleep_until(KILL_AT + 2)
    for p in probes:
        checks.append(session_check(p, "A down"))
    # Keys claimed by requests that never stored an outcome: those still so a second later are
    # not B's requests at work, but A's, cut off by the kill.
    first = {row[0] for row in pg.psql("SELECT key FROM idempotency WHERE outcome IS NULL")}
    time.sleep(1.0)
    events["unfinished_keys"] = sorted(first & {row[0] for row in pg.psql(
        "SELECT key FROM idempotency WHERE outcome IS NULL")})
    sleep_until(RESTART_AT)
    events["restart"] = time.monotonic() - t0
    a.spawn()
    a.wait_ready()
    events["ready"] = time.monotonic() - t0
    log(f"instance A restarted at {events['restart']:.1f} s, ready at {events['ready']:.1f} s")
    for t in threads:
        t.join(timeout=SECONDS + 120)
    events["end"] = time.monotonic() - t0
    log_end = STATE["nginx"].access_log_size()
    for c in clients:
        c.close()
    # After the restart: each probe twice (round robin: both instances, most likely).
    for p in probes:
        for _ in range(2):
            checks.append(session_check(p, "A back"))
        p.close()
    return load, events, checks, STATE["nginx"].access_log(log_start, log_end)


def verify_writes(pg, load):
    emails = list(load.acked) + list(load.unacked)
    if not emails:
        return {"found": 0, "missing": [], "duplicated": [], "wrong_id": [], "unacked_saved": 0}
    rows = pg.psql(
        "SELECT email, last_name, id, deleted_at IS NULL FROM contacts "
        f"WHERE email LIKE 'fo-{RUN}-%' OR last_name LIKE 'Failover%{RUN}'")
    by_email, by_last = {}, {}
    for email, last, cid, live in rows:
        by_email.setdefault(email, []).append(int(cid))
        by_last.setdefault(last, []).append(int(cid))
    found, missing, duplicated, wrong = 0, [], [], []
    for email, (cid, last) in load.acked.items():
        e, l = by_email.get(email, []), by_last.get(last, [])
        if not e and not l:
            missing.append(f"{email} (id {cid})")
        elif len(e) > 1 or len(l) > 1:
            duplicated.append(f"{email}: ids {sorted(set(e + l))}")
        elif e != [cid]:
            wrong.append(f"{email}: acknowledged id {cid}, found {e}")
        else:
            found += 1
    unacked_saved = sum(1 for email in load.unacked if by_email.get(email))
    for email in load.unacked:
        if len(by_email.get(email, [])) > 1:
            duplicated.append(f"{email} (not acknowledged): ids {by_email[email]}")
    return {"found": found, "missing": missing, "duplicated": duplicated, "wrong_id": wrong,
            "unacked_saved": unacked_saved}


# ---------------------------------------------------------------------------------------------
# Phase c: throughput


def wrk(port, cookie, seconds):
    cmd = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s",
           "-H", f"Host: localhost:{port}", "-H", f"Cookie: {cookie}",
           "-H", "Accept: text/html", "-H", "Accept-Encoding: gzip",
           f"https://127.0.0.1:{port}/contacts"]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:\s+(.*)", out)
    return {"rps": float(rps.group(1)) if rps else float("nan"),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1).strip() if errors else "none", "out": out}


def phase_throughput(port, instances, cookie):
    a, b = instances
    status, hdrs, body = https_get(port, "/contacts", {"cookie": cookie, "accept": "text/html"})
    if status != 200:
        raise RuntimeError(f"the wrk session does not open /contacts: {status} "
                           f"{describe(hdrs, body)}")
    nginx = STATE["nginx"]
    results = {}
    for label in ("two", "one"):
        if label == "one":
            code = b.stop()
            log(f"instance B stopped (SIGTERM, exit status {code}); wrk with A alone")
        start = nginx.access_log_size()
        results[label] = wrk(port, cookie, WRK_SECONDS)
        lines = nginx.access_log(start, nginx.access_log_size())
        statuses = {}
        upstreams = {}
        for line in lines:
            statuses[line["status"]] = statuses.get(line["status"], 0) + 1
            last = line["ua"].split(", ")[-1]
            upstreams[last] = upstreams.get(last, 0) + 1
        results[label].update(statuses=statuses, upstreams=upstreams)
        log(f"wrk, {label} instance{'s' if label == 'two' else ''}: "
            f"{results[label]['rps']:.0f} req/s, statuses {statuses}, answered by {upstreams}")
    return results


# ---------------------------------------------------------------------------------------------


STATE = {"nginx": None, "instances": [], "pg": None, "playwright": None, "tmp": None,
         "cleaned": False}
CLEANUP = threading.Lock()


def cleanup():
    with CLEANUP:
        if STATE["cleaned"]:
            return
        STATE["cleaned"] = True
        proc = STATE["playwright"]
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if STATE["nginx"] is not None:
            try:
                STATE["nginx"].stop()
            except Exception as error:  # keep going: the rest must stop too
                print(f"cluster: stopping nginx: {error}", file=sys.stderr)
        for instance in STATE["instances"]:
            instance.stop(grace=10)
            instance.ensure_dead()
        if STATE["pg"] is not None:
            STATE["pg"].stop()
        tmp = STATE["tmp"]
        if tmp:
            if KEEP:
                print(f"cluster: temporary folder kept: {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)


RUN_STARTED = time.perf_counter()


def main():
    global BINARY, SITE
    run_started = RUN_STARTED
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} not found: run `make build` first (or set CLIENTELE_BIN)")
    if not os.path.isdir(os.path.join(SITE, "pkg")):
        sys.exit(f"{SITE}/pkg not found: run `make build` first (or set LEPTOS_SITE_ROOT)")

    def on_timeout():
        print(f"\ncluster: TIMEOUT after {TIMEOUT:.0f} s: stopping everything",
              file=sys.stderr, flush=True)
        cleanup()
        print(f"Total time {time.perf_counter() - run_started:.0f} s", flush=True)
        os._exit(2)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    watchdog = threading.Timer(TIMEOUT, on_timeout)
    watchdog.daemon = True
    watchdog.start()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    failed = []
    figures = {}
    try:
        ensure_packages()
        tmp = tempfile.mkdtemp(prefix="clientele-cluster-")
        STATE["tmp"] = tmp
        # PostgreSQL's and nginx's users (when run as root) must reach their folders inside.
        os.chmod(tmp, 0o711)
        log(f"cluster: binary {BINARY}, site {SITE}, folder {tmp}, seed {SEED}")
        # The whole run uses one build, even if the binary or the site is rebuilt meanwhile (an
        # instance restarted later must be the same program): copies of both, with the bundle's
        # hashes (hash.txt, read from beside the binary).
        build = os.path.join(tmp, "build")
        os.makedirs(build)
        shutil.copy2(BINARY, os.path.join(build, "clientele"))
        hashes = os.path.join(os.path.dirname(BINARY), "hash.txt")
        if os.path.exists(hashes):
            shutil.copy2(hashes, os.path.join(build, "hash.txt"))
        shutil.copytree(SITE, os.path.join(tmp, "site"))
        BINARY, SITE = os.path.join(build, "clientele"), os.path.join(tmp, "site")

        pg = Postgres(os.path.join(tmp, "postgres"))
        STATE["pg"] = pg
        database_url = pg.start()
        log(f"PostgreSQL at {pg.url}, database clientele")

        nginx_port = free_port()
        base_url = f"https://localhost:{nginx_port}"
        instances = [Instance(name, os.path.join(tmp, name.lower()), database_url, base_url)
                     for name in ("A", "B")]
        STATE["instances"] = instances
        started = time.perf_counter()
        for instance in instances:  # together: the migrations' advisory lock orders them
            instance.spawn()
            if STAGGER:
                instance.wait_ready()
        for instance in instances:
            instance.wait_ready()
        log(f"instances A ({instances[0].addr}) and B ({instances[1].addr}) ready in "
            f"{time.perf_counter() - started:.1f} s"
            + (" (B started once A was ready: CLUSTER_STAGGER)" if STAGGER else
               " (started together)"))

        nginx = Nginx(os.path.join(tmp, "nginx"), nginx_port, [i.port for i in instances])
        STATE["nginx"] = nginx
        version = nginx.prepare()
        nginx.start()
        log(f"{version} at {base_url}, running as {nginx.user or 'the caller'}")

        # Both instances print the one setup token the database keeps while no account exists.
        tokens = [setup_token(instance) for instance in instances]
        log(f"setup tokens printed by A and B: {'the same' if len(set(tokens)) == 1 else tokens}")
        if tokens[0] is None or len(set(tokens)) != 1:
            failed.append(f"the instances printed setup tokens {tokens}, not one token")
        email, name, password = E2E_ADMIN

        # a. Playwright through nginx; its setup project registers the first administrator in
        # the browser with the setup link.
        if SKIP_E2E:
            e2e = None
            cli(database_url, tmp, "user", "create", "--email", email, "--name", name,
                "--role", "admin", password=password)
            log("Playwright journeys left out (CLUSTER_SKIP_E2E); administrator created with "
                "`clientele user create`")
        else:
            log("Playwright journeys through nginx (left out: "
                + ("; ".join(f"[{p}] '{t}'" for p, t, _, _ in SKIPPED_JOURNEYS) or "none") + ")")
            e2e = run_playwright(tmp, base_url, database_url, tokens[0] or "")
            log(f"Playwright: {len(e2e['passed'])} passed, {len(e2e['failed'])} failed, "
                f"{len(e2e['flaky'])} flaky, {len(e2e['skipped'])} skipped by the specs, in "
                f"{e2e['seconds']:.0f} s (exit status {e2e['code']})")
        for i, member in enumerate(MEMBERS):
            cli(database_url, tmp, "user", "create", "--email", member, "--name",
                f"Member {i}", "--role", "member")
        log("members for the load created with `clientele user create`")

        # Realistic lists.
        seconds = seed_contacts(database_url, tmp, CONTACTS, random.Random(SEED))
        # Fresh statistics for the planner, as autovacuum would make within a minute or so: on
        # the statistics of the empty tables, the contacts list is planned as a sort of every
        # row (40 ms instead of 1 at 3,000 contacts, a sixth of the throughput).
        pg.psql("ANALYZE")
        log(f"{CONTACTS} contacts imported with `clientele import` in {seconds:.1f} s; ANALYZE")

        # b. Failover.
        load, events, checks, access = phase_failover(nginx_port, pg, instances)
        writes = verify_writes(pg, load)

        # c. Throughput.
        wrk_client = Client(nginx_port, MEMBERS[0])
        wrk_client.sign_in()
        throughput = phase_throughput(nginx_port, instances, wrk_client.cookie_header())
        wrk_client.close()

        # ---- Figures
        window = (events["killed"], events["ready"] + WINDOW_AFTER)
        lat_all = [r[3] * 1000 for r in load.records if r[2] != "conn"]
        # A request is in the window when it was under way at any moment of it (one sent just
        # before the kill and answered after it counts).
        def during(r):
            return r[0] <= window[1] and r[0] + r[3] >= window[0]
        lat_win = [r[3] * 1000 for r in load.records if r[2] != "conn" and during(r)]
        in_window = sum(1 for r in load.records if during(r))
        failures = len(load.failures)
        conn_errors = sum(1 for r in load.records if r[2] == "conn")
        server_errors = sum(1 for r in load.records if isinstance(r[2], int) and r[2] >= 500)
        retried = [l for l in access if ", " in l["ua"]]
        retried_posts = [l for l in retried if l["method"] == "POST"]
        retry_kinds = {}
        for l in retried:
            retry_kinds[l["us"]] = retry_kinds.get(l["us"], 0) + 1
        nginx_5xx = sum(1 for l in access if l["status"].startswith("5"))
        repeats = sum(i.log_count("repeated request answered with its first outcome")
                      for i in instances)
        session_ok = all(c["ok"] for c in checks) and bool(checks)
        ratio = throughput["two"]["rps"] / throughput["one"]["rps"] \
            if throughput["one"]["rps"] else float("nan")

        print()
        print(f"Failover load: {CLIENTS} clients over HTTPS through nginx, {SECONDS:.0f} s, "
              f"{CONTACTS:,} contacts; A SIGKILLed at {events['killed']:.1f} s, restarted at "
              f"{events['restart']:.1f} s, ready at {events['ready']:.1f} s; failover window "
              f"{window[0]:.1f}-{window[1]:.1f} s; {os.cpu_count()} cores")
        print(f"{'request':22} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuses")
        kinds = sorted({r[1] for r in load.records},
                       key=lambda k: -sum(1 for r in load.records if r[1] == k))
        for kind in kinds:
            recs = [r for r in load.records if r[1] == kind]
            lat = [r[3] * 1000 for r in recs if r[2] != "conn"]
            codes = {}
            for r in recs:
                codes[r[2]] = codes.get(r[2], 0) + 1
            print(f"{kind:22} {len(recs):7} {pct(lat, 50):8.1f} {pct(lat, 95):8.1f} "
                  f"{max(lat) if lat else float('nan'):8.1f}  "
                  + " ".join(f"{k}:{v}" for k, v in sorted(codes.items(), key=str)))
        print(f"{'all':22} {len(load.records):7} {pct(lat_all, 50):8.1f} "
              f"{pct(lat_all, 95):8.1f} {max(lat_all) if lat_all else float('nan'):8.1f}")
        print(f"{'in failover window':22} {in_window:7} {pct(lat_win, 50):8.1f} "
              f"{pct(lat_win, 95):8.1f} {max(lat_win) if lat_win else float('nan'):8.1f}")
        print(f"nginx: {len(access)} requests logged, {len(retried)} retried on the other "
              f"instance ({len(retried_posts)} of them keyed POSTs; upstream statuses: "
              + (", ".join(f"'{k}' {v}" for k, v in sorted(retry_kinds.items())) or "none")
              + f"), {nginx_5xx} answered 5xx; keyed repeats answered with their stored "
                f"outcome by the app: {repeats}")
        stuck = events["unfinished_keys"]
        failed_keys = [d for _, k, d in load.failures if any(key in d for key in stuck)]
        print(f"idempotency keys left claimed without an outcome by A's requests cut off by the "
              f"kill (read at {KILL_AT + 2:.0f} and {KILL_AT + 3:.0f} s): {len(stuck)}; failed "
              f"creates with one of them: {len(failed_keys)}")
        print(f"sessions made by A before the kill: "
              + ", ".join(f"{c['label']} {c.get('status', 'conn')} via {c.get('via')}"
                          for c in checks))
        print(f"writes: {len(load.acked)} creates acknowledged, {writes['found']} found exactly "
              f"once, {len(writes['missing'])} missing, {len(writes['duplicated'])} duplicated, "
              f"{len(writes['wrong_id'])} with another id; {len(load.unacked)} not acknowledged "
              f"({writes['unacked_saved']} of them saved anyway)")
        print(f"throughput (wrk -t2 -c16 {WRK_SECONDS} s, GET /contacts signed in): two instances "
              f"{throughput['two']['rps']:.0f} req/s, A alone {throughput['one']['rps']:.0f} "
              f"req/s, ratio {ratio:.2f}; non-2xx/3xx {throughput['two']['non2xx']}/"
              f"{throughput['one']['non2xx']}, statuses in nginx's log "
              f"{throughput['two']['statuses']} / {throughput['one']['statuses']}")

        e2e_line = "left out" if e2e is None else (
            f"{len(e2e['passed'])} passed, {len(e2e['failed'])} failed, {len(e2e['flaky'])} "
            f"flaky, {len(e2e['skipped'])} skipped by the specs, {len(SKIPPED_JOURNEYS)} "
            f"journeys left out ({e2e['seconds']:.0f} s)")
        figures = [
            ("Playwright journeys through nginx", e2e_line),
            ("requests under load", f"{len(load.records)} ({in_window} in the failover window)"),
            ("user-visible failures", f"{failures} ({conn_errors} connection errors, "
                                      f"{server_errors} 5xx, "
                                      f"{failures - conn_errors - server_errors} other)"),
            ("retries by nginx", f"{len(retried)} ({len(retried_posts)} keyed POSTs)"),
            ("latency all p50/p95/max", f"{pct(lat_all, 50):.0f} / {pct(lat_all, 95):.0f} / "
                                        f"{max(lat_all) if lat_all else float('nan'):.0f} ms"),
            ("latency failover p50/p95/max", f"{pct(lat_win, 50):.0f} / {pct(lat_win, 95):.0f}"
                                             f" / {max(lat_win) if lat_win else float('nan'):.0f}"
                                             f" ms"),
            ("acknowledged writes found once", f"{writes['found']} of {len(load.acked)}"),
            ("sessions survive A's loss", "yes" if session_ok else "NO"),
            ("throughput 2 vs 1 instance", f"{throughput['two']['rps']:.0f} vs "
                                           f"{throughput['one']['rps']:.0f} req/s "
                                           f"(x{ratio:.2f})"),
        ]
        print()
        width = max(len(k) for k, _ in figures)
        print(f"+-{'-' * width}-+-{'-' * 70}")
        for k, v in figures:
            print(f"| {k:{width}} | {v}")
        print(f"+-{'-' * width}-+-{'-' * 70}")

        if e2e is not None:
            if e2e["failed"] or e2e.get("error") or (e2e["code"] != 0):
                failed.append(f"Playwright through nginx: {len(e2e['failed'])} failed "
                              f"(exit status {e2e['code']}{', ' + e2e['error'] if e2e.get('error') else ''})")
            if e2e["failed"]:
                print("\nPlaywright failures (full output in the run folder's playwright.log):")
                for name, error in e2e["failed"][:20]:
                    lines = [l.strip() for l in error.strip().splitlines() if l.strip()][:3]
                    print(f"  {name}\n    " + " / ".join(lines))
            if e2e["flaky"]:
                print("Playwright flaky: " + "; ".join(e2e["flaky"]))
            if SKIPPED_JOURNEYS:
                print("\nJourneys left out of the Playwright run, and why:")
            for project, title, _, reason in SKIPPED_JOURNEYS:
                print(f"  [{project}] '{title}': {reason}")
        if failures:
            failed.append(f"{failures} user-visible failures under load")
            print(f"\nFailures (the first 15 of {failures}; offset in s from the load's start):")
            for t, kind, detail in sorted(load.failures)[:15]:
                print(f"  {t:6.2f} {kind}: {detail}")
        if writes["missing"] or writes["duplicated"] or writes["wrong_id"]:
            failed.append(f"acknowledged writes: {len(writes['missing'])} missing, "
                          f"{len(writes['duplicated'])} duplicated, "
                          f"{len(writes['wrong_id'])} with another id")
            for line in (writes["missing"] + writes["duplicated"] + writes["wrong_id"])[:15]:
                print("  " + line)
        if not session_ok:
            failed.append("sessions made before the kill did not all work after it")
            for c in checks:
                if not c["ok"]:
                    print(f"  session check ({c['label']}): {c['detail']}")
        for label in ("two", "one"):
            # 499: wrk closing its connections at the end, requests in flight cut off by the
            # client itself.
            bad = {k: v for k, v in throughput[label]["statuses"].items()
                   if k not in ("200", "499")}
            if bad or throughput[label]["non2xx"] or throughput[label]["socket_errors"] != "none":
                failed.append(f"wrk ({label}): statuses {bad}, non-2xx/3xx "
                              f"{throughput[label]['non2xx']}, socket errors "
                              f"{throughput[label]['socket_errors']}")
        if failed:
            print("\nnginx error log (last lines):")
            for line in nginx.error_log()[-10:] or ["(empty)"]:
                print("  " + line)
            for instance in instances:
                print(f"instance {instance.name} log (errors and warnings):")
                for line in instance.log_tail(12, grep=("ERROR", "WARN", "panick")) or ["(none)"]:
                    print("  " + line)
    except KeyboardInterrupt as error:
        failed.append(f"interrupted ({error})")
    except Exception as error:  # a step failed: say which, with the processes' last words
        failed.append(f"{type(error).__name__}: {error}")
        if isinstance(error, subprocess.CalledProcessError) and error.stderr:
            print(f"  stderr: {error.stderr.strip()[-1000:]}")
        for instance in STATE["instances"]:
            for line in instance.log_tail(8):
                print(f"  instance {instance.name} log: {line}")
        if STATE["nginx"] is not None:
            for line in STATE["nginx"].error_log()[-8:]:
                print(f"  nginx error log: {line}")
    finally:
        watchdog.cancel()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the clean-up is not interrupted
        cleanup()
    print(f"\nTotal time {time.perf_counter() - run_started:.0f} s")
    if failed:
        print("CLUSTER TEST FAILED: " + "; ".join(failed))
        sys.exit(1)
    print("CLUSTER TEST PASSED: " + ("" if SKIP_E2E else "the journeys through nginx, ")
          + "no user-visible failure while an instance was killed and restarted, every "
            "acknowledged write present once, sessions survived"
          + (" (B started after A: CLUSTER_STAGGER)" if STAGGER else ""))


if __name__ == "__main__":
    main()

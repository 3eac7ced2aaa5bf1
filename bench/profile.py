#!/usr/bin/env python3
"""Where the server's CPU goes per request: instruction counts under callgrind, by page and phase.

Starts the release server (built with line tables, see bench/README.md) under
`valgrind --tool=callgrind --instr-atstart=no` on loopback with a small seeded database, signs in,
saves each measured page as a static copy in a scratch site folder (the "ceiling": same server,
same middleware, no rendering, no SQL), then for each scenario: a fresh server under callgrind
(--separate-threads=yes), WARMUP requests uninstrumented, instrumentation on, N identical requests
on one keep-alive connection, one dump, kill.
Each dump is callgrind.out.<pid>.1-<thread> in OUT; `PROFILE_N=<same N> bench/profile.py phases OUT`
prints the phase table (bench/README.md explains the phases).

`bench/profile.py native` runs the same scenarios without valgrind and reports the server's
CPU time per request (utime+stime of the process from /proc, over N sequential requests) and the
client-side wall time: a rough guide only on a shared machine.

Environment: CLIENTELE_BIN (default $CARGO_TARGET_DIR/release/clientele), LEPTOS_SITE_ROOT
(default target/site), PROFILE_N (requests per scenario, default 100), PROFILE_OUT (default
/tmp/clientele-profile), PROFILE_PORT (default 3400). Loopback only; bounded.
"""
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BINARY = os.environ.get("CLIENTELE_BIN", os.path.join(TARGET, "release", "clientele"))
SITE = os.environ.get("LEPTOS_SITE_ROOT", os.path.join(ROOT, "target", "site"))
N = int(os.environ.get("PROFILE_N", "100"))
WARMUP = 10
OUT = os.environ.get("PROFILE_OUT", "/tmp/clientele-profile")
PORT = int(os.environ.get("PROFILE_PORT", "3400"))
EMAIL, PASSWORD = "profile@example.com", "profile-the-pages-1"
NO_MATCH = "zqxjvkwzqxj"


def conn():
    return http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)


def get(c, path, headers):
    c.request("GET", path, headers=headers)
    r = c.getresponse()
    body = r.read()
    return r.status, body


def sign_in():
    c = conn()
    body = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD})
    c.request("POST", "/api/auth/login", body=body, headers={
        "accept": "application/json", "content-type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    cookie = r.getheader("set-cookie")
    assert cookie, r.status
    return cookie.split(";")[0]


def make_data(data):
    env = dict(os.environ, CLIENTELE_PASSWORD=PASSWORD, RUST_LOG="warn")
    subprocess.run([BINARY, "user", "create", "--email", EMAIL, "--role", "admin", "--data-dir", data],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([BINARY, "seed", "--companies", "100", "--contacts", "2000", "--data-dir", data],
                   env=env, check=True, stdout=subprocess.DEVNULL)


def wait_ready(server, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit("server exited")
        try:
            c = conn()
            if get(c, "/readyz", {})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("server did not become ready")


def scenarios(cookie, site):
    """(name, path, headers): pages with the cookie, their static copies, and the health probe."""
    auth = {"cookie": cookie}
    c = conn()
    _, listing = get(c, "/contacts", auth)
    contact = re.search(rb'href="/contacts/(\d+)"', listing).group(1).decode()
    pages = [
        ("list 0 rows", f"/contacts?q={NO_MATCH}"),
        ("list 25 rows", "/contacts"),
        ("list 100 rows", "/contacts?per=100"),
        ("home", "/"),
        ("contact page", f"/contacts/{contact}"),
    ]
    out = [("healthz, no cookie", "/healthz", {}), ("healthz, cookie", "/healthz", auth)]
    os.makedirs(os.path.join(site, "ceiling"), exist_ok=True)
    for i, (name, path) in enumerate(pages):
        status, html = get(c, path, auth)
        assert status == 200, (path, status)
        if name.startswith("list"):
            rows = len(re.findall(rb'href="/contacts/\d+"', html))
            name = f"{name} ({len(html)} B, {rows} contact links)"
        out.append((name, path, auth))
        if name.startswith(("list 25", "list 100")):
            file = f"/ceiling/{i}.html"
            with open(os.path.join(site, file.lstrip("/")), "wb") as f:
                f.write(html)
            out.append((f"static copy of {path} ({len(html)} B)", file, auth))
    out.append(("list 25 rows, Accept-Encoding: br", "/contacts", dict(auth, **{"accept-encoding": "br"})))
    return out


def control(pid, *args):
    """callgrind_control acts when the server next runs; poke it with a cheap request meanwhile."""
    p = subprocess.Popen(["callgrind_control", *args, str(pid)], stdout=subprocess.DEVNULL)
    while p.poll() is None:
        time.sleep(0.3)
        try:
            get(conn(), "/healthz", {})
        except OSError:
            pass
    assert p.returncode == 0, args


def start(cmd, env, native):
    if not native:
        cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--separate-threads=yes",
               f"--callgrind-out-file={OUT}/callgrind.out.%p", *cmd]
    # nice execs its command in place: the pid is the server's (or valgrind's, which
    # callgrind_control wants).
    server = subprocess.Popen(["nice", "-n", "19", *cmd], env=env, stderr=subprocess.DEVNULL)
    wait_ready(server, 300)
    return server


def stop(server, native):
    if native:
        server.terminate()
    else:
        server.kill()  # no dump at exit: only the explicit dump of the batch is kept
    server.wait(timeout=120)


def run(native):
    """One server per scenario under callgrind (one instrumented batch, one dump per process:
    toggling several batches in one process gave inconsistent totals); one server for native."""
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} not found")
    work = tempfile.mkdtemp(prefix="clientele-profile-")
    data, site = os.path.join(work, "data"), os.path.join(work, "site")
    shutil.copytree(SITE, site)
    make_data(data)
    cmd = [BINARY, "serve", "--listen", f"127.0.0.1:{PORT}", "--data-dir", data,
           "--leptos-config", os.path.join(ROOT, "Leptos.toml")]
    env = dict(os.environ, LEPTOS_SITE_ROOT=site, RUST_LOG="error", CLIENTELE_LOG_FORMAT="json")
    if not native:
        os.makedirs(OUT, exist_ok=True)
        for f in os.listdir(OUT):
            if f.startswith("callgrind.out"):
                os.unlink(os.path.join(OUT, f))
    results = []
    server = start(cmd, env, native=True)  # list the scenarios and write the static copies
    try:
        cookie = sign_in()
        plan = scenarios(cookie, site)
        if not native:
            stop(server, True)
            server = None
        for name, path, headers in plan:
            if not native:
                server = start(cmd, env, native=False)
                cookie = sign_in()
                if "cookie" in headers:
                    headers = dict(headers, cookie=cookie)
            pid = server.pid
            c = conn()
            for _ in range(WARMUP):
                status, body = get(c, path, headers)
                assert status == 200, (name, status)
            if native:
                t0 = cpu_ticks(pid)
                w0 = time.perf_counter()
                for _ in range(N):
                    get(c, path, headers)
                wall = (time.perf_counter() - w0) / N * 1000
                cpu = (cpu_ticks(pid) - t0) / os.sysconf("SC_CLK_TCK") / N * 1000
                results.append((name, path, len(body), cpu, wall))
                print(f"{name}: {len(body)} B, server CPU {cpu:.2f} ms/request, wall {wall:.2f} ms", flush=True)
            else:
                control(pid, "-i", "on")
                for _ in range(N):
                    get(c, path, headers)
                label = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")
                control(pid, f"--dump={label}")
                stop(server, False)
                server = None
                print(f"dumped {name} ({len(body)} B)", flush=True)
            c.close()
    finally:
        if server is not None:
            stop(server, True)
        shutil.rmtree(work, ignore_errors=True)
    return results


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


# ---- phases ----------------------------------------------------------------------------------
# Per request, from the dumps of one server per scenario (bench/cgtree.py reads the files; each
# callgrind.out.<pid>.1-<thread> is one thread). Phases, by inclusive cost of these roots:
#   sqlite worker threads  threads running sqlite3VdbeExec: sqlx-sqlite's per-connection worker
#                          threads, i.e. every query's execution (the session's queries too)
#   leptos handler         leptos_axum::handle_response_inner::{{closure}} + the reactive tasks
#                          tokio polls on its behalf (Core::poll -> Sandboxed::poll)
#     server functions     clientele::pages::*::{__server_*::{{closure}}::{{closure}}, load_*::
#                          {{closure}}, current_user::{{closure}}}: the page's
#                          data loading on the async side (query building, awaiting the worker,
#                          decoding rows into views, dropping the rows)
#     serialisation        hydration_context AsyncDataStream::poll_next: resources encoded to JSON
#                          and escaped into the <script> that hydration reads
#     render               the rest of the leptos handler: components, reactive graph, tachys HTML
#   rest                   hyper, axum routing, middleware (tracing, request id, headers, CSRF,
#                          cookies, flash, compression), tokio; includes the session's async side
# Session lookup is measured by difference: /healthz with the session cookie minus without it.
# Allocation (malloc/free/realloc/calloc, inclusive, any thread) is reported as a share of total.
SERVER_FN = re.compile(r"^clientele::pages::\w+::(__server_\w+::\{\{closure\}\}::\{\{closure\}\}"
                       r"|load_\w+::\{\{closure\}\}|current_user::\{\{closure\}\})$")
ALLOC = {"malloc", "free", "realloc", "calloc", "posix_memalign", "aligned_alloc", "memalign"}


def load_dump(files):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import cgtree  # noqa: E402
    total = worker = 0
    self_all, calls_all = {}, {}
    for path in files:
        s, c, t = cgtree.load(path)
        total += t or 0
        if s.get("sqlite3VdbeExec", 0) > 0:
            worker += t or 0
            continue
        for k, v in s.items():
            self_all[k] = self_all.get(k, 0) + v
        for k, d in c.items():
            tgt = calls_all.setdefault(k, {})
            for k2, v in d.items():
                tgt[k2] = tgt.get(k2, 0) + v
    return total, worker, self_all, calls_all


def phases(out_dir):
    import collections
    groups = collections.defaultdict(list)
    for f in os.listdir(out_dir):
        m = re.match(r"callgrind\.out\.(\d+)\.1-\d+$", f)
        if m:
            groups[m.group(1)].append(os.path.join(out_dir, f))
    rows = []
    for pid, files in groups.items():
        with open(files[0], errors="replace") as fh:
            label = re.search(r"^desc: Trigger: Client Request: (.*)$|^desc: Trigger: dump (.*)$",
                              fh.read(4000), re.M)
        label = (label.group(1) or label.group(2)) if label else pid
        total, worker, s, c = load_dump(files)

        def incl(fn):
            return s.get(fn, 0) + sum(v for k, v in c.get(fn, {}).items() if k != fn)

        leptos = incl("leptos_axum::handle_response_inner::{{closure}}") + \
            c.get("tokio::runtime::task::core::Core<T,S>::poll", {}).get(
                "<reactive_graph::owner::arena::sandboxed::Sandboxed<Fut> as core::future::future::Future>::poll", 0)
        fns = {f for f in s.keys() | c.keys() if SERVER_FN.match(f)}
        # Inclusive of the set: members calling members are counted once.
        server_fns = sum(incl(f) for f in fns) - sum(
            v for f in fns for g, v in c.get(f, {}).items() if g in fns and g != f)
        ser = incl("<hydration_context::ssr::AsyncDataStream as futures_core::stream::Stream>::poll_next")
        alloc = sum(v for caller, d in c.items() if caller not in ALLOC and not caller.startswith("_int_")
                    for callee, v in d.items() if callee in ALLOC)
        rows.append((os.path.getmtime(files[0]), label, total, worker, leptos, server_fns, ser, alloc))
    rows.sort()
    print("| scenario | total Ir/req | sqlite worker threads | leptos handler | of which server fns "
          "(async side) | of which serialisation | of which render | rest (HTTP, middleware, session "
          "async side) | malloc/free share (non-worker threads) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    k = lambda v: f"{v / N / 1000:,.0f} K"  # noqa: E731
    for _, label, total, worker, leptos, sf, ser, alloc in rows:
        render = leptos - sf - ser
        rest = total - worker - leptos
        print(f"| {label} | {k(total)} | {k(worker)} | {k(leptos)} | {k(sf)} | {k(ser)} | {k(render)} | "
              f"{k(rest)} | {100 * alloc / max(1, total - worker):.0f}% |")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "callgrind"
    if mode == "phases":
        phases(sys.argv[2] if len(sys.argv) > 2 else OUT)
    else:
        run(native=(mode == "native"))

#!/usr/bin/env python3
"""API fuzzing: schemathesis (from PyPI) against the JSON API's own OpenAPI document.

Runs the release build (`make build`) on loopback only, in a temporary folder deleted at the end:
a fresh SQLite workspace seeded with 50 companies and 300 contacts, an administrator made with
`clientele user create`, and a read-write token made with `clientele user token`. The server's
per-token rate is raised for the run (the fuzzer sends hundreds of requests a second). Then
schemathesis generates requests from /api/v1/openapi.json (examples, fuzzing, and stateful
sequences that follow created records) and checks every answer: no 5xx, statuses, content types,
headers and bodies as the document says, invalid input refused, and the token needed.

`hooks.py` makes each well-formed `Idempotency-Key` unique (see there).
`positive_data_acceptance` is left out: the document cannot say every rule of the forms (a
contact needs a name or an e-mail; e-mail addresses and domains are unique; a company must
exist), so a schema-valid record may rightly get 422.

Usage: python3 tests/fuzz/api.py   (or `make test-api`; about 2 minutes).
Environment: CARGO_TARGET_DIR or CLIENTELE_BIN (the binary), API_FUZZ_EXAMPLES (per operation,
default 100), API_FUZZ_SEED (repeat a run), API_FUZZ_TIMEOUT (seconds, default 600),
SCHEMATHESIS (the schemathesis command; default: a virtualenv made in ~/.cache/clientele).
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BINARY = os.environ.get("CLIENTELE_BIN", os.path.join(TARGET, "release", "clientele"))
EXAMPLES = os.environ.get("API_FUZZ_EXAMPLES", "100")
TIMEOUT = int(os.environ.get("API_FUZZ_TIMEOUT", "600"))
VERSION = "4.32.5"
VENV = os.path.join(os.path.expanduser("~"), ".cache", "clientele", f"schemathesis-{VERSION}")
PASSWORD = "fuzz-orchard-sunrise-42"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def schemathesis():
    """The schemathesis command: $SCHEMATHESIS, or a virtualenv with the pinned version."""
    if os.environ.get("SCHEMATHESIS"):
        return os.environ["SCHEMATHESIS"].split()
    command = os.path.join(VENV, "bin", "schemathesis")
    if not os.path.exists(command):
        log(f"installing schemathesis {VERSION} from PyPI into {VENV}")
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "--quiet",
                        f"schemathesis=={VERSION}"], check=True)
    return [command]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(folder, *args, password=None):
    env = dict(os.environ, RUST_LOG="warn")
    env.pop("CLIENTELE_DATABASE_URL", None)
    if password:
        env["CLIENTELE_PASSWORD"] = password
    done = subprocess.run([BINARY, "--data-dir", folder, *args], env=env, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip()


def main():
    if not os.path.exists(BINARY):
        sys.exit(f"no server binary at {BINARY}: run `make build` first")
    command = schemathesis()
    tmp = tempfile.mkdtemp(prefix="clientele-fuzz-")
    server = None
    try:
        data = os.path.join(tmp, "data")
        cli(data, "seed", "--companies", "50", "--contacts", "300")
        cli(data, "user", "create", "--email", "fuzz@example.com", "--role", "admin",
            password=PASSWORD)
        token = cli(data, "user", "token", "--email", "fuzz@example.com", "--write",
                    "--expires-days", "0", "--name", "Fuzzing")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        site = os.environ.get("LEPTOS_SITE_ROOT", os.path.join(ROOT, "target", "site"))
        with open(os.path.join(tmp, "server.log"), "w") as out:
            server = subprocess.Popen(
                [BINARY, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data,
                 "--api-requests-per-minute", "1000000"],
                env=dict(os.environ, LEPTOS_SITE_ROOT=site, LEPTOS_ENV="PROD", RUST_LOG="warn"),
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("the server did not start")
        log(f"server at {base}: 50 companies, 300 contacts; schemathesis, {EXAMPLES} examples "
            "per operation")
        args = [*command, "run", f"{base}/api/v1/openapi.json",
                "--header", f"Authorization: Bearer {token}",
                "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                "--phases", "examples,fuzzing,stateful",
                "--max-examples", EXAMPLES, "--workers", "2",
                "--request-timeout", "10", "--no-color"]
        if os.environ.get("API_FUZZ_SEED"):
            args += ["--seed", os.environ["API_FUZZ_SEED"]]
        started = time.perf_counter()
        try:
            # In the temporary folder: schemathesis keeps a cache where it runs.
            hooks = dict(os.environ, SCHEMATHESIS_HOOKS="hooks",
                         PYTHONPATH=os.path.dirname(os.path.abspath(__file__)))
            done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp,
                                  env=hooks)
        except subprocess.TimeoutExpired:
            sys.exit(f"API FUZZING TIMED OUT after {TIMEOUT} s")
        output = done.stdout + done.stderr
        output = output.replace(token, "clt_…")
        print(output)
        cases = re.search(r"(\d+) generated", output)
        server_errors = sum(1 for line in open(os.path.join(tmp, "server.log"), errors="replace")
                            if "panicked" in line)
        log(f"{cases.group(1) if cases else '?'} test cases in "
            f"{time.perf_counter() - started:.0f} s; exit status {done.returncode}; "
            f"server panics: {server_errors}")
        if done.returncode != 0 or server_errors:
            sys.exit("API FUZZING FAILED")
        log("API FUZZING PASSED: no 5xx, every answer as the document says")
    finally:
        if server is not None:
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

# Clientele — the two commands a newcomer needs:
#   make run    install what is missing, build, serve on http://127.0.0.1:3000 (data in ./data)
#   make test   install what is missing, then every test (Rust, then Playwright in Chromium)
# Both are idempotent: tools already installed are detected and skipped.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Pinned tools. cargo-leptos 0.3.11 needs a newer rustc to install than the stock one; it is built
# once with that toolchain, then builds the app with the stock toolchain.
CARGO_LEPTOS_VERSION   := 0.3.11
CARGO_LEPTOS_TOOLCHAIN := 1.97.0
# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION   := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"$$/\1/p;}' Cargo.lock)

CARGO_HOME ?= $(HOME)/.cargo
# wasm-opt comes from npm's binaryen (end2end/node_modules); cargo-leptos finds tools on PATH.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(CARGO_HOME)/bin:$(PATH)
TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),target))
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup setup-rust setup-node setup-browser setup-bench build run test test-rust test-postgres test-api test-e2e bench lighthouse soak cluster-test lint fmt clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: setup-rust setup-node ## Install the build tools that are missing

setup-rust:
	@command -v cargo >/dev/null || { echo "cargo is missing: install Rust with rustup first" >&2; exit 1; }
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@if ! cargo leptos --version 2>/dev/null | grep -qF '$(CARGO_LEPTOS_VERSION)'; then \
	  echo "Installing cargo-leptos $(CARGO_LEPTOS_VERSION) (once; about 20 minutes on 2 cores)"; \
	  rustup toolchain list | grep -q '^$(CARGO_LEPTOS_TOOLCHAIN)' || rustup toolchain install $(CARGO_LEPTOS_TOOLCHAIN) --profile minimal; \
	  cargo +$(CARGO_LEPTOS_TOOLCHAIN) install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --force; \
	fi
	@test -n '$(WASM_BINDGEN_VERSION)' || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
	@if ! wasm-bindgen --version 2>/dev/null | grep -qx 'wasm-bindgen $(WASM_BINDGEN_VERSION)'; then \
	  echo "Installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  cargo install wasm-bindgen-cli --version '=$(WASM_BINDGEN_VERSION)' --force; \
	fi

setup-node:
	@command -v npm >/dev/null || { $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends nodejs npm; }
	@cd end2end && if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund; \
	fi

setup-browser:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium; }

build: setup ## Build the release server and the WASM bundle
	cargo leptos build --release --precompress

run: setup ## Build and serve on http://127.0.0.1:3000 (data in ./data/clientele.db)
	cargo leptos serve --release --precompress

test: setup setup-browser test-rust test-e2e ## Run every test: Rust unit/integration, then Playwright

test-rust:
	cargo test --locked --features ssr

test-postgres: setup ## The Rust HTTP suite against PostgreSQL (started from Debian's packages in a temporary folder, stopped after; ~3 min)
	@dir=$$(mktemp -d /tmp/clientele-pg.XXXXXX); \
	port=$$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	trap 'tests/services/postgres.sh stop '"$$dir" EXIT; \
	url=$$(tests/services/postgres.sh start "$$dir" "$$port"); \
	echo "PostgreSQL at $$url (in $$dir)"; \
	CLIENTELE_TEST_POSTGRES="$$url" cargo test --locked --features ssr --test api

test-api: setup build ## Fuzz the JSON API with schemathesis (PyPI) against its OpenAPI document (loopback; ~2 min)
	CARGO_TARGET_DIR='$(TARGET_DIR)' python3 tests/fuzz/api.py

test-e2e: build
	cd end2end && CARGO_TARGET_DIR='$(TARGET_DIR)' npx playwright test

setup-bench:
	@command -v wrk >/dev/null || { $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends wrk; }

bench: setup setup-browser setup-bench build ## Release build, seeded database, one table of figures vs targets (bench/run.py)
	CARGO_TARGET_DIR='$(TARGET_DIR)' python3 bench/run.py

lighthouse: setup setup-browser build ## Release build, Lighthouse (mobile) on five pages: scores and metrics vs targets (bench/lighthouse.mjs, ~2 min)
	CARGO_TARGET_DIR='$(TARGET_DIR)' node bench/lighthouse.mjs

soak: setup build ## Release build, then load and SIGKILL crash tests on loopback (bench/soak.py, ~2 min)
	CARGO_TARGET_DIR='$(TARGET_DIR)' python3 bench/soak.py

cluster-test: setup setup-browser build ## Two instances on PostgreSQL behind nginx (HTTPS): Playwright through it, SIGKILL failover under load, 1 vs 2 throughput (tests/cluster/run.py, ~6 min)
	CARGO_TARGET_DIR='$(TARGET_DIR)' python3 tests/cluster/run.py

lint: ## Formatting and clippy for both targets
	cargo fmt --check
	cargo clippy --locked --features ssr --all-targets -- -D warnings
	cargo clippy --locked --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

fmt: ## Format the code
	cargo fmt

clean: ## Remove build output and local data
	cargo clean
	rm -rf data end2end/test-results end2end/playwright-report

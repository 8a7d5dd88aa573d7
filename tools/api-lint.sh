#!/usr/bin/env bash
# Google's api-linter (the AIP rules: resource names, standard methods, field behaviour...) over
# every .proto under proto/, new files included; any finding fails the run, and so does a
# disable comment that no longer disables anything (tools/api_lint_report.py).
#
# Deviations we keep for wire compatibility are disabled on the element itself:
#   // (-- api-linter: <rule>=disabled
#   //     aip.dev/not-precedent: <reason>. --)
# and every one is listed in docs/lint-exceptions.md (tests/unit/test_contract.py keeps the two
# in step). That is the whole procedure for a new exception.
#
# The linter: api-linter v2.3.1 (Apache-2.0), built from its source tarball. The Go module proxy
# of our build machines refuses github.com/googleapis/api-linter, and v1.x cannot lint these
# protos, so the source comes as a file: ../shared/tools/api-linter-v2.3.1.tar.gz beside the
# checkout (override with API_LINTER_TARBALL). It is the ONE thing the project may take from
# ../shared, and it is optional: without the tarball (or without Go, or when its dependencies
# cannot be fetched) this prints that it could not run and exits 0, so a lone clone still passes
# `make lint`; buf lint and tests/unit/test_contract.py still check the AIP rules we rely on.
# API_LINT_REQUIRED=1 turns "could not run" into a failure.
#
# The tarball is pinned by its SHA-256; it is unpacked into .tools/ (gitignored) and built with
# `go build` (dependencies from the Go module proxy, versions from its go.sum). It has no .git,
# so the version is checked from the built binary's --version, not from VCS build info.
set -euo pipefail
cd "$(dirname "$0")/.."

API_LINTER_VERSION=2.3.1
API_LINTER_SHA256=8d145f992bbe240530fe430bd9559d036697ae9af118721b904b2a8928d5ea3b
TARBALL="${API_LINTER_TARBALL:-../shared/tools/api-linter-v$API_LINTER_VERSION.tar.gz}"
TOOLS="$PWD/.tools"
SOURCE="$TOOLS/api-linter-$API_LINTER_VERSION"
LINTER="$TOOLS/bin/api-linter-$API_LINTER_VERSION"
PY=.venv/bin/python

could_not_run() {
  echo "api-lint: could not run api-linter v$API_LINTER_VERSION: $1" >&2
  echo "api-lint: buf lint and tests/unit/test_contract.py still check the AIP rules we rely on." >&2
  if [[ ${API_LINT_REQUIRED:-0} == 1 ]]; then
    exit 1
  fi
  exit 0
}

built() {
  [[ -x $LINTER ]] && [[ "$("$LINTER" --version 2>/dev/null)" == "api-linter $API_LINTER_VERSION" ]]
}

build_linter() {
  [[ -f $TARBALL ]] || could_not_run "no source tarball at $TARBALL"
  command -v go >/dev/null || could_not_run "no Go toolchain to build it"
  local sum
  sum="$(sha256sum "$TARBALL" | cut -d' ' -f1)"
  [[ $sum == "$API_LINTER_SHA256" ]] || could_not_run "$TARBALL has SHA-256 $sum, not the pinned one"
  rm -rf "$SOURCE"
  mkdir -p "$TOOLS/bin"
  tar -xzf "$TARBALL" -C "$TOOLS"
  local log
  log="$(mktemp)"
  if ! (cd "$SOURCE" && go build -buildvcs=false -trimpath -o "$LINTER" ./cmd/api-linter) 2>"$log"; then
    cat "$log" >&2
    rm -f "$log"
    could_not_run "go build failed (are the Go module proxy and its checksums reachable?)"
  fi
  rm -f "$log"
  built || could_not_run "the binary built from $TARBALL does not report version $API_LINTER_VERSION"
}

built || build_linter

if [[ ! -x $PY ]]; then
  echo "api-lint: $PY missing; run 'make install'" >&2
  exit 2
fi
# google/api/*.proto from googleapis-common-protos (site-packages); google/protobuf/*.proto from
# grpc_tools: the same includes as tools/gen-python.sh.
site="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
wkt="$("$PY" -c 'import pathlib, grpc_tools; print(pathlib.Path(grpc_tools.__file__).parent / "_proto")')"

# Names relative to -I proto, the way the files import each other.
mapfile -t protos < <(cd proto && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)

reports="$(mktemp -d)"
trap 'rm -rf "$reports"' EXIT
lint() {
  "$LINTER" --output-format json -I proto -I "$site" -I "$wkt" "$@" "${protos[@]}"
}
lint >"$reports/findings.json"
lint --ignore-comment-disables >"$reports/all.json"
if ! "$PY" tools/api_lint_report.py "$reports/findings.json" "$reports/all.json"; then
  exit 1
fi
echo "api-lint: api-linter v$API_LINTER_VERSION: ${#protos[@]} files, no findings, no stale disables"

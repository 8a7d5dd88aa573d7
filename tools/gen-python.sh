#!/usr/bin/env bash
# Usage: tools/gen-python.sh OUTDIR
#
# The one protoc command line for the generated Python (messages, .pyi stubs, gRPC stubs) of
# every proto under proto/. `make gen` runs it into gen/python; tests/unit/test_generated_code.py
# runs it into a temp dir and compares byte for byte, so the two can never drift (DESIGN rule 6).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
mkdir -p "$1"
out="$(cd "$1" && pwd)"
cd "$(dirname "$0")/.."

# A generator that only adds files would leave outputs of deleted protos behind; the caller
# wipes OUTDIR first (make gen: rm -rf gen/python), and we refuse to write over leftovers.
if [[ -n "$(ls -A "$out")" ]]; then
  echo "gen-python: $out is not empty; remove it first" >&2
  exit 2
fi

PY="${PY:-.venv/bin/python}"
# google/api/*.proto ship inside googleapis-common-protos in site-packages; google/protobuf/*
# comes from grpc_tools itself (python -m grpc_tools.protoc adds its own _proto include).
site="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
# C-locale order, so the command line is the same on every machine.
mapfile -t protos < <(find proto -name '*.proto' | LC_ALL=C sort)

"$PY" -m grpc_tools.protoc -Iproto -I"$site" \
  --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" "${protos[@]}"

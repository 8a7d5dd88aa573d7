#!/usr/bin/env bash
# buf lint over proto/ with the rules and exceptions in buf.yaml.
#
# buf.yaml is a two-module workspace: `proto` (ours) and `.tools/googleapis` (google/api/*.proto
# for our imports). There is no Buf Schema Registry access here, so instead of a `deps:` entry
# this script links the google/api protos from the googleapis-common-protos package installed
# in .venv; they are never copied into the repository. google/protobuf/* is built into buf.
# Findings are reported against our files, as proto/segment/config/v1beta/<file>.proto:LINE:COL.
set -euo pipefail
cd "$(dirname "$0")/.."

BUF=node_modules/.bin/buf
PY=.venv/bin/python

# Same tool versions as CI: buf comes from package-lock.json (npm ci), Python deps from .venv.
if [[ ! -x $BUF ]]; then
  echo "buf-lint: $BUF missing; run 'npm ci' (or 'make lint', which does)" >&2
  exit 2
fi
if [[ ! -x $PY ]]; then
  echo "buf-lint: $PY missing; run 'make install'" >&2
  exit 2
fi

# Where pip put googleapis-common-protos' .proto files (site-packages/google/api).
google_api="$("$PY" -c 'import pathlib, google.api.annotations_pb2 as m; print(pathlib.Path(m.__file__).parent)')"
if [[ ! -f $google_api/annotations.proto ]]; then
  echo "buf-lint: no .proto files next to $google_api (googleapis-common-protos changed layout?)" >&2
  exit 2
fi

# Relink every run, so a recreated .venv never leaves a dangling link behind.
mkdir -p .tools/googleapis/google
ln -sfn "$google_api" .tools/googleapis/google/api

# `buf lint proto` lints our module only; the googleapis module is there to resolve imports.
exec "$BUF" lint proto

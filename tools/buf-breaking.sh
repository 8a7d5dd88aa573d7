#!/usr/bin/env bash
# SPEC §8 gate: `buf breaking` of proto/ against the released v1beta contract, an image committed
# in contract/. The rules (WIRE_JSON, plus no deleted services or methods) are in buf.yaml.
#
#   bash tools/buf-breaking.sh            check (make lint runs it; any finding fails)
#   bash tools/buf-breaking.sh --update   rewrite the baseline from proto/ (only when a release
#                                         is cut: `make contract-baseline`, docs/compatibility.md)
#
# BUF_ERROR_FORMAT=json prints one JSON finding per line, with its rule (tests read that).
#
# The baseline is a buf image in JSON, pretty-printed so that a release's diff is readable; it
# holds google/api and google/protobuf too, since buf resolves types through them, but only our
# files are compared (--exclude-imports).
set -euo pipefail
cd "$(dirname "$0")/.."

BUF=node_modules/.bin/buf
PY=.venv/bin/python
BASELINE=contract/v1beta.image.json

if [[ ! -x $BUF ]]; then
  echo "buf-breaking: $BUF missing; run 'npm ci' (or 'make lint', which does)" >&2
  exit 2
fi
if [[ ! -x $PY ]]; then
  echo "buf-breaking: $PY missing; run 'make install'" >&2
  exit 2
fi

# google/api for imports, linked from the installed googleapis-common-protos as buf-lint.sh does.
google_api="$("$PY" -c 'import pathlib, google.api.annotations_pb2 as m; print(pathlib.Path(m.__file__).parent)')"
mkdir -p .tools/googleapis/google
ln -sfn "$google_api" .tools/googleapis/google/api

if [[ ${1:-} == --update ]]; then
  image="$(mktemp --suffix=.json)"
  trap 'rm -f "$image"' EXIT
  "$BUF" build proto --exclude-source-info -o "$image"
  "$PY" -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])), indent=1))' "$image" >"$BASELINE"
  echo "buf-breaking: wrote $BASELINE"
  exit 0
fi

if [[ ! -f $BASELINE ]]; then
  echo "buf-breaking: no baseline $BASELINE; see docs/compatibility.md" >&2
  exit 2
fi
if ! "$BUF" breaking proto --against "$BASELINE" --exclude-imports \
  --error-format "${BUF_ERROR_FORMAT:-text}"; then
  echo "buf-breaking: proto/ breaks the released v1beta contract (SPEC §8); see docs/compatibility.md" >&2
  exit 1
fi

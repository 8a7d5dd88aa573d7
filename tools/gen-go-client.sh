#!/usr/bin/env bash
# Usage: tools/gen-go-client.sh MODULEDIR
#
# Generates the Go messages and gRPC stubs of every proto under proto/ into MODULEDIR/configv1beta,
# as package `configapi.local/interop/go/configv1beta` (the module of interop/go). The generated
# code is never committed: tests/interop/test_go_client.py runs this into a copy of interop/go.
# Needs the plugins that tools/interop-tools.sh builds into .tools/bin.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 MODULEDIR" >&2
  exit 2
fi
out="$(cd "$1" && pwd)"
cd "$(dirname "$0")/.."

PY="${PY:-.venv/bin/python}"
MODULE=configapi.local/interop/go
PACKAGE=$MODULE/configv1beta
for plugin in protoc-gen-go protoc-gen-go-grpc; do
  if [[ ! -x .tools/bin/$plugin ]]; then
    echo "gen-go-client: .tools/bin/$plugin missing; run 'bash tools/interop-tools.sh'" >&2
    exit 2
  fi
done

# google/api/*.proto from googleapis-common-protos (their go_package is genproto's, which the
# module requires); google/protobuf/* comes with grpc_tools.
site="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
mapfile -t protos < <(cd proto && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)

# Our protos' go_package names segment.com/config/v1beta; map them into this module instead.
mapping=()
for proto in "${protos[@]}"; do
  mapping+=("--go_opt=M$proto=$PACKAGE" "--go-grpc_opt=M$proto=$PACKAGE")
done

"$PY" -m grpc_tools.protoc -Iproto -I"$site" \
  --plugin=protoc-gen-go=.tools/bin/protoc-gen-go \
  --plugin=protoc-gen-go-grpc=.tools/bin/protoc-gen-go-grpc \
  --go_out="$out" --go_opt=module=$MODULE \
  --go-grpc_out="$out" --go-grpc_opt=module=$MODULE \
  "${mapping[@]}" "${protos[@]}"

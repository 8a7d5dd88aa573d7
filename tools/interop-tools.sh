#!/usr/bin/env bash
# The Go tools the interop tests run, built from the Go module proxy at pinned versions into
# .tools/bin (gitignored): protoc-gen-go and protoc-gen-go-grpc (the Go client's code generators),
# grpcurl (what a user exploring the API over reflection runs) and protoc-gen-grpc-gateway (the
# grpc-gateway v2 that tests/interop/test_gateway_oracle.py builds from proto/ as an oracle).
# A cached binary is reused while it reports the pinned version; the first build on a new
# machine takes 2-3 minutes.
#
# Bump deliberately: the versions are pinned so that CI builds the same tools every time.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS_BIN="$PWD/.tools/bin"
TOOLS=(
  "protoc-gen-go google.golang.org/protobuf v1.36.12 google.golang.org/protobuf/cmd/protoc-gen-go"
  "protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc v1.6.2 google.golang.org/grpc/cmd/protoc-gen-go-grpc"
  "grpcurl github.com/fullstorydev/grpcurl v1.9.4 github.com/fullstorydev/grpcurl/cmd/grpcurl"
  "protoc-gen-grpc-gateway github.com/grpc-ecosystem/grpc-gateway/v2 v2.34.0 github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway"
)

if ! command -v go >/dev/null; then
  echo "interop-tools: no Go toolchain (go) on PATH; the interop tests need one" >&2
  exit 2
fi

# The module version a binary was built from, read from its embedded build info.
built_version() {
  [[ -x $1 ]] || return 0
  go version -m "$1" 2>/dev/null | awk -v mod="$2" '($1 == "mod" || $1 == "dep") && $2 == mod { print $3 }'
}

mkdir -p "$TOOLS_BIN"
for tool in "${TOOLS[@]}"; do
  read -r name module version package <<<"$tool"
  if [[ "$(built_version "$TOOLS_BIN/$name" "$module")" != "$version" ]]; then
    echo "interop-tools: building $name ($module@$version)" >&2
    GOBIN="$TOOLS_BIN" GOFLAGS=-buildvcs=false go install "$package@$version"
  fi
done

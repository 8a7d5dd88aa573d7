#!/usr/bin/env bash
# PostgreSQL and Redis for the tests (SPEC §9 replicas; tests/services.py starts them in temp
# dirs on free ports). Debian packages, installed with apt-get when missing; PostgreSQL refuses
# to run as root, so the tests run it as the unprivileged system user `configapi-test`, made here.
set -euo pipefail

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
[[ -n "$(pg_bin)" && -x "$(pg_bin)/initdb" ]] || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "install-services: ${missing[*]} missing and not root: install them with apt-get" >&2
        exit 1
    fi
    apt-get update -qq
    # no service starts from the packages: the tests start their own, in temp dirs
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [[ $(id -u) -eq 0 ]] && ! id configapi-test >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin configapi-test
fi
echo "postgresql: $(pg_bin)  redis: $(command -v redis-server)"

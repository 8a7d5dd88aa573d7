#!/usr/bin/env bash
# Proves that the repository stands alone (issue 14): nothing in the project names the folder
# that sits beside some checkouts (../shared, the source of the docs and test data we copied
# into docs/ and tests/data/), and the tests that read test data pass from a copy of the
# repository that has nothing beside it. `make test` runs this before the suite.
#
# The one allowed use is tools/api-lint.sh, which builds api-linter from a source tarball there
# when it is present (and says it could not run when it is not).
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PY:-.venv/bin/python}"

# 1. No path out of the repository in code, tests or build files.
if grep -rnE '\.\./shared|/work/shared|parents\[3\]' --include='*.py' --include='*.sh' \
  --include='*.toml' --include='*.mjs' --include='*.go' --include='Makefile' \
  src tests tools bench interop Makefile pyproject.toml .ci | grep -v '^tools/api-lint.sh:' \
  | grep -v '^tools/check-standalone.sh:'; then
  echo "check-standalone: the lines above reach outside the repository" >&2
  exit 1
fi

# 2. A copy of the working tree (tracked and new files, as git sees them) in an empty folder.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
copy="$scratch/configapi"
mkdir "$copy"
git ls-files -z --cached --others --exclude-standard \
  | tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$copy"

# 3. Every test module that reads tests/data, run there with the copy's own code first on the
#    path; an empty parametrization fails collection (pyproject: empty_parameter_set_mark).
mapfile -t readers < <(grep -rlE '^from tests\.data import' tests | LC_ALL=C sort)
if [[ ${#readers[@]} -eq 0 ]]; then
  echo "check-standalone: no test reads tests/data; nothing to prove" >&2
  exit 1
fi
venv="$(cd "$(dirname "$PY")/.." && pwd)"
echo "check-standalone: ${#readers[@]} test modules from $copy (nothing beside it)"
log="$scratch/pytest.log"
(cd "$copy" && PYTHONPATH="$copy/src" "$venv/bin/python" -m pytest -q -p no:cacheprovider \
  "${readers[@]}") | tee "$log"
# `make test` promises 0 skipped; a skip here would be test data that went missing.
if grep -qE '[0-9]+ skipped' "$log"; then
  echo "check-standalone: tests were skipped in the copy" >&2
  exit 1
fi

"""`python -m configapi.openapi OUTFILE`: write the OpenAPI document (`make gen` runs this)."""

from __future__ import annotations

import sys
from pathlib import Path

from configapi.openapi import contract_document


def main(argv: list[str]) -> int:
    """Write the document to the one path given; exit code 2 on bad usage."""
    if len(argv) != 1:
        print("usage: python -m configapi.openapi OUTFILE", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(contract_document())
    return 0


raise SystemExit(main(sys.argv[1:]))

"""Doubles spelled as Go prints them (SPEC §1): the REST gateway's JSON-valued fields and the
filter preview's event JSON (SPEC §6.8) both follow grpc-gateway's Go protojson, whose float
formatting is Go encoding/json's.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Final

# Go (protojson's and encoding/json's appendFloat) prints a double in 'f' form with the fewest
# digits that round-trip, and in 'e' form below 1e-6 or from 1e21 on, with "e-07" cleaned to "e-7".
E_BELOW: Final = 1e-6
E_FROM: Final = 1e21


def go_number_text(value: float) -> str:
    """A finite double exactly as Go protojson prints it: `0.00001`, `1e-7`, `-0`, `1e+21`,
    `123456789012345680000` (shortest round-trip digits, 'f' form from 1e-6 below 1e21)."""
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    shortest = repr(value)  # the shortest digits that round-trip, as Go's FormatFloat(-1) finds
    magnitude = abs(value)
    if magnitude < E_BELOW or magnitude >= E_FROM:
        mantissa, _, exponent = shortest.partition("e")  # repr uses an exponent out here
        if exponent.startswith("-0"):
            exponent = "-" + exponent[2:]
        return f"{mantissa}e{exponent}"
    return format(Decimal(shortest).normalize(), "f")

"""The services of SPEC §7: validation and rules, over the repository protocol.

Each servicer has one async method per RPC, named as the RPC, taking the request message and
the admitted `Caller`; the dispatcher calls them after the policy layer has run.
"""

from __future__ import annotations

from typing import ClassVar, Protocol


class Servicer(Protocol):
    """A servicer names the service it implements: the dispatcher keys it by that name."""

    SERVICE: ClassVar[str]  # the service's full name, `segment.config.v1beta.SourceService`


def by_service(*servicers: Servicer) -> dict[str, object]:
    """The servicers keyed by the full name of the service each implements."""
    keyed: dict[str, object] = {}
    for servicer in servicers:
        if servicer.SERVICE in keyed:
            raise ValueError(f"two servicers for {servicer.SERVICE}")
        keyed[servicer.SERVICE] = servicer
    return keyed

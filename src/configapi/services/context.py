"""What every service shares: storage, the catalog, page tokens, names and the clock."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from configapi.aip.pagination import DEFAULT_PAGE_SIZE, PageTokens, page_size_of
from configapi.catalog import Catalog
from configapi.resources import Resource, ResourceRegistry
from configapi.services.cpu_lane import CpuLane
from configapi.storage.repository import Collection, Page, Repository

M = TypeVar("M", bound=Message)
# A List page stops adding items before its encoded size would pass 3 MiB (SPEC §4: gRPC clients
# refuse messages over 4 MiB); 1 KiB is kept for the page token and the response's other fields.
MAX_PAGE_BYTES = 3 * 1024 * 1024 - 1024
_ITEM_OVERHEAD = 6  # a repeated field's tag and length prefix
P = TypeVar("P", int, str)


@dataclass(frozen=True)
class ServiceContext:
    """The dependencies of the services, built once in the composition root."""

    repository: Repository
    catalog: Catalog
    page_tokens: PageTokens
    resources: ResourceRegistry
    cpu: CpuLane  # CPU-heavy validation runs here, off the event loop (SPEC §6)
    clock: Callable[[], float] = field(default=time.time)

    def resource(self, message: type[Message]) -> Resource:
        """The registry's entry for a resource message."""
        return self.resources.of_message(message.DESCRIPTOR)  # type: ignore[arg-type]

    def collection(self, message: type[M], resource: Resource | None = None) -> Collection[M]:
        """The stored collection of a resource message (or of `resource`, stored as `message`
        when the resource has no message of its own), wired by the registry's storage kind."""
        resource = resource or self.resource(message)
        return self.repository.collection(resource.kind, message, resource.type)

    def now(self) -> Timestamp:
        """The current time as a Timestamp, at millisecond precision like the original API."""
        return timestamp_at(self.clock())

    async def page(
        self,
        request: Message,
        list_after: Callable[[P | None, int], Awaitable[Page[M, P]]],
        position_type: type[P],
        default_size: int = DEFAULT_PAGE_SIZE,
    ) -> tuple[Sequence[M], str]:
        """One page for a List request and its `next_page_token` (SPEC §4)."""
        size = page_size_of(getattr(request, "page_size"), default_size)  # noqa: B009
        position = self.page_tokens.decode(request, position_type)
        page = await list_after(position, size)
        fitting = items_within(page.items, MAX_PAGE_BYTES)
        if fitting < len(page.items):
            # SPEC §4: stop before 3 MiB; reading the shorter page again gives the position of
            # its last item for the token, without the repository protocol exposing positions
            page = await list_after(position, fitting)
        if page.next_position is None:
            return page.items, ""
        return page.items, self.page_tokens.encode(request, page.next_position)


def items_within(items: Sequence[Message], budget: int) -> int:
    """How many leading items encode within `budget` bytes (at least one: a resource is at most
    1 MiB, SPEC §6, so one always fits in a page)."""
    used = 0
    for count, item in enumerate(items):
        used += item.ByteSize() + _ITEM_OVERHEAD
        if used > budget:
            return max(count, 1)
    return len(items)


def timestamp_at(seconds: float) -> Timestamp:
    """A Timestamp at millisecond precision, like the original API's."""
    stamp = Timestamp()
    stamp.FromMilliseconds(int(seconds * 1000))
    return stamp

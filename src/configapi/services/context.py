"""What every service shares: storage, the catalog, page tokens, names and the clock."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from configapi.aip.names import ResourcePattern
from configapi.aip.pagination import DEFAULT_PAGE_SIZE, PageTokens, page_size_of
from configapi.catalog import Catalog
from configapi.errors import invalid_argument
from configapi.storage.repository import Page, Repository

M = TypeVar("M", bound=Message)
P = TypeVar("P", int, str)


@dataclass(frozen=True)
class ServiceContext:
    """The dependencies of the services, built once in the composition root."""

    repository: Repository
    catalog: Catalog
    page_tokens: PageTokens
    clock: Callable[[], float] = field(default=time.time)

    def now(self) -> Timestamp:
        """The current time as a Timestamp, at millisecond precision like the original API."""
        stamp = Timestamp()
        stamp.FromMilliseconds(int(self.clock() * 1000))
        return stamp

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
        if page.next_position is None:
            return page.items, ""
        return page.items, self.page_tokens.encode(request, page.next_position)


def parse_name(pattern: ResourcePattern, value: str, field_path: str) -> Mapping[str, str]:
    """The variables of a resource name, or INVALID_ARGUMENT naming the field."""
    if not value:
        raise invalid_argument(field_path, "is required")
    variables = pattern.match(value)
    if variables is None:
        raise invalid_argument(
            field_path,
            f'"{value}" is not a valid name: expected {pattern.pattern} with valid ids'
            " (slugs match ^[a-z0-9][a-z0-9_.-]{0,62}$)",
        )
    return variables

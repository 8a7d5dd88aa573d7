"""The repository protocol the services depend on (DESIGN rule 4).

Every method is async and takes and returns protobuf messages. Positions are opaque keyset
positions (creation order); a page never costs more with a bigger collection (SPEC §4).
A second backend (PostgreSQL) implements the same protocol without touching services.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from google.protobuf.message import Message
from segment.config.v1beta import (
    access_tokens_pb2,
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
    workspaces_pb2,
)

M = TypeVar("M", bound=Message)
P = TypeVar("P", int, str)


@dataclass(frozen=True)
class Page(Generic[M, P]):
    """One page of a listing: the items and the position of the last one, if more follow."""

    items: Sequence[M]
    next_position: P | None


class Collection(Protocol[M]):
    """The resources of one kind, each under a parent resource name."""

    async def insert(self, name: str, parent: str, message: M, *, parent_type: str = "") -> None:
        """Store a new resource; ALREADY_EXISTS if the name is taken. With `parent_type`, the
        parent must exist (checked in the same transaction), else NOT_FOUND of that type."""
        ...

    async def insert_all(
        self, rows: Sequence[tuple[str, str, M]], *, requires: Mapping[str, str]
    ) -> None:
        """Store new resources, each `(name, parent, message)`, in one transaction: all or none.

        Each name must be free (ALREADY_EXISTS, naming it), and every name in `requires` must
        exist (NOT_FOUND of the resource type it maps to), checked in the same transaction."""
        ...

    async def get(self, name: str) -> M | None:
        """The resource, or None."""
        ...

    async def update(self, name: str, mutate: Callable[[M], M]) -> M | None:
        """Read, mutate and write back in one transaction; None if it does not exist.

        `mutate` may raise ApiError to abort without writing.
        """
        ...

    async def delete(self, name: str) -> bool:
        """Delete the resource and every resource under it (whose name or parent is `name` or
        starts with `name/`: a row may hang under a parent other than its name's prefix);
        False if it did not exist."""
        ...

    async def list(
        self, parent: str, after: int | None, limit: int, *, parent_type: str = ""
    ) -> Page[M, int]:
        """Up to `limit` resources of `parent` after position `after`, in creation order.

        With `parent_type`, a missing parent is NOT_FOUND of that type (AIP-132), checked in
        the same read."""
        ...


class TokenStore(Protocol):
    """Personal access tokens, found by the hash of their secret."""

    async def insert(self, token: access_tokens_pb2.AccessToken, secret_hash: bytes) -> None:
        """Store a new token (its `token` field must be empty: secrets are never stored)."""
        ...

    async def by_hash(self, secret_hash: bytes) -> access_tokens_pb2.AccessToken | None:
        """The token with this secret hash, or None."""
        ...

    async def get(self, name: str) -> access_tokens_pb2.AccessToken | None:
        """The token, or None."""
        ...

    async def delete(self, name: str) -> bool:
        """Delete a token; False if it did not exist."""
        ...

    async def list_within(
        self, workspace_names: frozenset[str], after: int | None, limit: int
    ) -> Page[access_tokens_pb2.AccessToken, int]:
        """Tokens whose workspaces are all among `workspace_names`, in creation order."""
        ...


class Repository(Protocol):
    """Everything the services store."""

    @property
    def workspaces(self) -> Collection[workspaces_pb2.Workspace]:
        """Workspaces (top level: their parent is "")."""
        ...

    @property
    def sources(self) -> Collection[sources_pb2.Source]:
        """Sources, under workspaces."""
        ...

    @property
    def destinations(self) -> Collection[destinations_pb2.Destination]:
        """Destinations, under sources."""
        ...

    @property
    def tracking_plans(self) -> Collection[tracking_plans_pb2.TrackingPlan]:
        """Tracking plans, under workspaces."""
        ...

    def collection(self, kind: str, message: type[M], resource_type: str) -> Collection[M]:
        """The collection of one storage kind (the resource registry's `Resource.kind`), whose
        messages are `message` and whose errors name `resource_type`; the properties above
        are the same collections."""
        ...

    @property
    def tokens(self) -> TokenStore:
        """Personal access tokens."""
        ...

    async def list_workspaces_in(
        self, names: frozenset[str], after: int | None, limit: int
    ) -> Page[workspaces_pb2.Workspace, int]:
        """Workspaces among `names`, in creation order."""
        ...

    async def page_token_secret(self) -> bytes:
        """The deployment's secret for signing page tokens (shared by all its processes)."""
        ...

    async def ping(self) -> None:
        """Raise UNAVAILABLE unless storage answers."""
        ...

    async def close(self) -> None:
        """Finish pending work and close."""
        ...

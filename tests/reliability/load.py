"""Write load for crash and shutdown tests: concurrent workers, a record of every outcome, and the
check that what is stored is exactly what was acknowledged, with nothing half-applied.

Each worker owns its resources (their names start with the worker's prefix) and sends one call
at a time, so when the server dies a worker has at most one call whose outcome it does not know.
That call may have been applied or not, but only whole: every resource it touches must show
either the state before it or the state after it, all of them the same one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from google.protobuf import field_mask_pb2
from google.protobuf.message import Message
from segment.config.v1beta import (
    access_tokens_pb2,
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
)

from configapi.auth.tokens import SCOPE_READ
from tests.integration.api import Api, ApiFailure
from tests.integration.harness import (
    create_destination_request,
    create_source_request,
    create_tracking_plan_request,
    destination_name,
    source_name,
)

WORKSPACE = "workspaces/acme"
PLAN_RULES = {"global": {"type": "object", "required": ["userId"]}}


@dataclass(frozen=True)
class Call:
    """One write a worker sends: the method and request, and the resources it touches."""

    method: str
    request: Message
    # the names of what it touches: resource names; a plan's display name or a token's
    # description (their names are generated, so unknown until the answer comes)
    touches: tuple[str, ...]


def worker_script(prefix: str) -> Iterator[Call]:
    """The endless sequence of writes of one worker: each source is created, updated on two
    fields at once, gets a destination that is then updated, a tracking plan, sometimes a
    token, and every third source is deleted again with its destination (a cascade)."""
    for index in itertools.count():
        slug = f"{prefix}-{index}"
        source, destination = source_name(slug), destination_name(slug, "heap")
        yield Call(
            "CreateSource",
            create_source_request(slug, display_name=f"{slug} v0", labels={"v": "0"}),
            (source,),
        )
        yield Call("UpdateSource", update_source(source, f"{slug} v1", {"v": "1"}), (source,))
        yield Call(
            "CreateDestination",
            create_destination_request(slug, "heap", enabled=True, connection_mode="CLOUD"),
            (destination,),
        )
        yield Call("UpdateDestination", update_destination(destination), (destination,))
        plan = f"{slug} plan"
        yield Call("CreateTrackingPlan", create_tracking_plan_request(plan, PLAN_RULES), (plan,))
        if index % 4 == 1:
            token = f"{slug} token"
            yield Call("CreateAccessToken", create_token_request(token), (token,))
        if index % 3 == 2:
            yield Call(
                "DeleteSource", sources_pb2.DeleteSourceRequest(name=source), (source, destination)
            )


def update_source(name: str, display_name: str, labels: Mapping[str, str]) -> Message:
    """An update of two fields in one call: a half-applied one would show one without the other."""
    request = sources_pb2.UpdateSourceRequest(
        source=sources_pb2.Source(name=name, display_name=display_name, labels=labels),
        update_mask=field_mask_pb2.FieldMask(paths=["source.display_name", "source.labels"]),
    )
    return request


def update_destination(name: str) -> Message:
    return destinations_pb2.UpdateDestinationRequest(
        destination=destinations_pb2.Destination(
            name=name, enabled=False, connection_mode=destinations_pb2.Destination.DEVICE
        ),
        update_mask=field_mask_pb2.FieldMask(
            paths=["destination.enabled", "destination.connection_mode"]
        ),
    )


def create_token_request(description: str) -> Message:
    return access_tokens_pb2.CreateAccessTokenRequest(
        access_token=access_tokens_pb2.AccessToken(
            description=description, scopes=SCOPE_READ, workspace_names=[WORKSPACE]
        )
    )


@dataclass
class Outcome:
    """A call and how it ended: `response` when acknowledged, None when unknown."""

    call: Call
    response: Message | None


@dataclass
class Load:
    """Workers sending writes until `stop_after` are acknowledged, then `on_threshold` runs.

    `on_threshold` runs synchronously inside the worker that saw the threshold acknowledgement,
    while every other worker still has a call in flight: that is the kill (or SIGTERM) point.
    """

    stop_after: int
    on_threshold: Callable[[], None]
    outcomes: list[Outcome] = field(default_factory=list)
    acknowledged: int = 0
    stopped: bool = False

    async def run_worker(self, api: Api, token: str, script: Iterator[Call]) -> None:
        """Send the script's calls one at a time until the load stops; a failure after the
        stop is an unknown outcome, one before it fails the test."""
        while not self.stopped:
            call = next(script)
            try:
                response = await api.call(call.method, call.request, token)
            except Exception as error:  # the server died under this call: outcome unknown
                if not self.stopped or isinstance(error, AssertionError):
                    raise
                if isinstance(error, ApiFailure):
                    assert error.code.name in ("UNAVAILABLE", "CANCELLED"), error
                self.outcomes.append(Outcome(call, None))
                return
            self.outcomes.append(Outcome(call, response))
            self.acknowledged += 1
            if self.acknowledged == self.stop_after:
                self.stopped = True
                self.on_threshold()


# ---- what must be stored -----------------------------------------------------------------------


@dataclass
class Expected:
    """The stored state the acknowledged writes imply, and the unknown calls still open."""

    sources: dict[str, Message | None] = field(default_factory=dict)
    destinations: dict[str, Message | None] = field(default_factory=dict)
    plans: dict[str, Message] = field(default_factory=dict)  # by display name
    tokens: dict[str, Message] = field(default_factory=dict)  # by description, with the secret
    unknown: list[Call] = field(default_factory=list)

    def record(self, outcomes: list[Outcome]) -> None:
        """Apply a finished load's acknowledged writes (in order: each worker's are sequential)."""
        for outcome in outcomes:
            if outcome.response is None:
                self.unknown.append(outcome.call)
            else:
                self._apply(outcome.call, outcome.response)

    def _apply(self, call: Call, response: Message) -> None:
        if call.method in ("CreateSource", "UpdateSource"):
            self.sources[call.touches[0]] = response
        elif call.method in ("CreateDestination", "UpdateDestination"):
            self.destinations[call.touches[0]] = response
        elif call.method == "DeleteSource":
            self.sources[call.touches[0]] = None
            self.destinations[call.touches[1]] = None
        elif call.method == "CreateTrackingPlan":
            self.plans[call.touches[0]] = response
        elif call.method == "CreateAccessToken":
            self.tokens[response.description] = response  # type: ignore[attr-defined]

    def settle(self, observed: Observed) -> None:
        """Check `observed` against this, then take each unknown call's observed branch as
        known: the next round starts from what is really stored."""
        problems = self.problems(observed)
        assert not problems, "\n".join(problems)
        for call in self.unknown:
            for name in call.touches:
                if call.method == "CreateTrackingPlan":
                    if name in observed.plans:
                        self.plans[name] = observed.plans[name]
                elif call.method == "CreateAccessToken":
                    if name in observed.tokens:
                        self.tokens[name] = observed.tokens[name]
                elif "/destinations/" in name:
                    self.destinations[name] = observed.destinations.get(name)
                else:
                    self.sources[name] = observed.sources.get(name)
        self.unknown.clear()

    def problems(self, observed: Observed) -> list[str]:
        """Every difference between what is stored and what may be stored."""
        open_names = {name for call in self.unknown for name in call.touches}
        problems = _compare(self.sources, observed.sources, open_names, "source")
        problems += _compare(self.destinations, observed.destinations, open_names, "destination")
        problems += _compare_by_key(self.plans, observed.plans, open_names, "plan")
        visible_tokens = {d: _without_secret(t) for d, t in self.tokens.items()}
        problems += _compare_by_key(visible_tokens, observed.tokens, open_names, "token")
        for call in self.unknown:
            problems += _unknown_call_problems(call, self, observed)
        return problems


def _without_secret(token: Message) -> Message:
    copy = type(token)()
    copy.CopyFrom(token)
    copy.ClearField("token")  # type: ignore[arg-type]
    return copy


def _compare(
    expected: Mapping[str, Message | None],
    observed: Mapping[str, Message],
    open_names: set[str],
    kind: str,
) -> list[str]:
    problems = []
    for name, message in expected.items():
        if name in open_names:
            continue  # an unknown call touches it: checked by _unknown_call_problems
        if observed.get(name) != message:
            problems.append(f"{kind} {name}: expected {message}, stored {observed.get(name)}")
    strays = set(observed) - set(expected) - open_names
    problems += [f"{kind} {name} is stored but was never acknowledged" for name in sorted(strays)]
    return problems


def _compare_by_key(
    expected: Mapping[str, Message], observed: Mapping[str, Message], open_keys: set[str], kind: str
) -> list[str]:
    problems = [
        f"{kind} {key}: expected {message}, stored {observed.get(key)}"
        for key, message in expected.items()
        if key not in open_keys and observed.get(key) != message
    ]
    strays = set(observed) - set(expected) - open_keys
    problems += [f"{kind} {key} is stored but was never acknowledged" for key in sorted(strays)]
    return problems


def _unknown_call_problems(call: Call, expected: Expected, observed: Observed) -> list[str]:
    """An unknown call shows wholly applied or wholly not: one branch for everything it touches."""
    before = _state_before(call, expected)
    seen = _observed_for(call, observed)
    if seen == before:
        return []
    if _applied(call, before, seen):
        return []
    return [f"{call.method} half-applied or corrupted: before {before}, stored {seen}"]


def _state_before(call: Call, expected: Expected) -> tuple[Message | None, ...]:
    if call.method == "CreateTrackingPlan":
        return (expected.plans.get(call.touches[0]),)
    if call.method == "CreateAccessToken":
        return (None,)
    return tuple(
        (expected.destinations if "/destinations/" in n else expected.sources).get(n)
        for n in call.touches
    )


def _observed_for(call: Call, observed: Observed) -> tuple[Message | None, ...]:
    if call.method == "CreateTrackingPlan":
        return (observed.plans.get(call.touches[0]),)
    if call.method == "CreateAccessToken":
        return (observed.tokens.get(call.touches[0]),)
    return tuple(
        (observed.destinations if "/destinations/" in n else observed.sources).get(n)
        for n in call.touches
    )


def _applied(
    call: Call, before: tuple[Message | None, ...], seen: tuple[Message | None, ...]
) -> bool:
    """Whether `seen` is `before` with the whole of `call` applied (generated fields aside)."""
    request: Message = call.request
    if call.method == "DeleteSource":
        return all(item is None for item in seen) and before[0] is not None
    (after,) = seen
    if after is None:
        return False
    if call.method == "CreateSource":
        sent = request.source  # type: ignore[attr-defined]
        return bool(
            after.display_name == sent.display_name  # type: ignore[attr-defined]
            and dict(after.labels) == dict(sent.labels)  # type: ignore[attr-defined]
        )
    if call.method == "UpdateSource":
        sent = request.source  # type: ignore[attr-defined]
        want = type(after)()
        want.CopyFrom(before[0])  # type: ignore[arg-type]
        want.display_name = sent.display_name  # type: ignore[attr-defined]
        want.labels.clear()  # type: ignore[attr-defined]
        want.labels.update(sent.labels)  # type: ignore[attr-defined]
        return bool(after == want)
    if call.method in ("CreateDestination", "UpdateDestination"):
        sent = request.destination  # type: ignore[attr-defined]
        if call.method == "UpdateDestination" and before[0] is None:
            return False
        return bool(
            after.enabled == sent.enabled  # type: ignore[attr-defined]
            and after.connection_mode == sent.connection_mode  # type: ignore[attr-defined]
        )
    if call.method == "CreateTrackingPlan":
        sent = request.tracking_plan  # type: ignore[attr-defined]
        return bool(after.rules == sent.rules)  # type: ignore[attr-defined]
    return call.method == "CreateAccessToken"


# ---- what is stored, read through the API ------------------------------------------------------


@dataclass
class Observed:
    """Everything the workers could have written, as the API returns it now."""

    sources: dict[str, Message] = field(default_factory=dict)
    destinations: dict[str, Message] = field(default_factory=dict)
    plans: dict[str, Message] = field(default_factory=dict)
    tokens: dict[str, Message] = field(default_factory=dict)


async def observe(api: Api, token: str) -> Observed:
    """Walk every listing of the workspace (all pages)."""
    observed = Observed()
    for source in await list_all(api, token, "ListSources", sources_pb2.ListSourcesRequest):
        observed.sources[source.name] = source  # type: ignore[attr-defined]
        destinations = await list_all(
            api,
            token,
            "ListDestinations",
            destinations_pb2.ListDestinationsRequest,
            parent=source.name,  # type: ignore[attr-defined]
        )
        for destination in destinations:
            observed.destinations[destination.name] = destination  # type: ignore[attr-defined]
    plans = await list_all(
        api, token, "ListTrackingPlans", tracking_plans_pb2.ListTrackingPlansRequest
    )
    for plan in plans:
        name = plan.display_name  # type: ignore[attr-defined]
        assert name not in observed.plans, f"two tracking plans {name!r}: one create made two"
        observed.plans[name] = plan
    tokens = await list_all(
        api, token, "ListAccessTokens", access_tokens_pb2.ListAccessTokensRequest, parent=None
    )
    for item in tokens:
        if item.description.endswith(" token"):  # type: ignore[attr-defined]
            description = item.description  # type: ignore[attr-defined]
            assert description not in observed.tokens, f"two tokens {description!r}"
            observed.tokens[description] = item
    return observed


async def list_all(
    api: Api,
    token: str,
    method: str,
    request_class: type[Message],
    parent: str | None = WORKSPACE,
    page_size: int = 100,
) -> list[Message]:
    """Every item of a listing, following `next_page_token`."""
    items: list[Message] = []
    page_token = ""
    while True:
        request = request_class(page_size=page_size, page_token=page_token)
        if parent is not None:
            request.parent = parent  # type: ignore[attr-defined]
        response = await api.call(method, request, token)
        (plural,) = [f for f in response.DESCRIPTOR.fields if f.name != "next_page_token"]
        items.extend(getattr(response, plural.name))
        page_token = response.next_page_token  # type: ignore[attr-defined]
        if not page_token:
            return items

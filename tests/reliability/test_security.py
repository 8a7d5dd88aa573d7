"""Security (README "Guarantees"): token secrets never reach logs, errors or the database (only
their SHA-256 hashes are stored); rejecting a wrong secret takes no longer when it shares a long
prefix with a real one; and no method, over either transport, lets a token reach a workspace it
does not hold.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import time
from collections.abc import Mapping
from pathlib import Path

import grpc
import pytest
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from segment.config.v1beta import access_tokens_pb2, workspaces_pb2

from configapi.auth.tokens import SCOPE_READ, SCOPE_WRITE
from tests.integration.api import Api, ApiFailure, GrpcApi
from tests.integration.examples import ALL_METHODS, MUTATING_METHODS, Targets, example_requests
from tests.integration.harness import (
    StartServer,
    World,
    attempt,
    check_failure,
    codes,
    create_destination_request,
    create_source_request,
    create_tracking_plan_request,
)
from tests.reliability.load import create_token_request, update_source
from tests.reliability.process import (
    database_files,
    fingerprint,
    open_database,
    seed,
    start_server,
    stop,
)

TRANSPORTS = ("grpc", "rest")
GET_ACME = workspaces_pb2.GetWorkspaceRequest(name="workspaces/acme")


def _wrong_variants(secret: str) -> list[str]:
    """Wrong secrets close to a real one: one character off at the end, cut, extended, cased."""
    last = "A" if secret[-1] != "A" else "B"
    return [
        secret[:-1] + last,
        secret[:-3],
        secret + "x",
        secret.upper(),
        "sgp_" + secret[4:][::-1],
    ]


def _error_text(failure: ApiFailure) -> str:
    """Everything an error shows its caller: message, details, and REST headers."""
    details = " ".join(str(detail) for detail in failure.details)
    return f"{failure.message} {details} {dict(failure.headers)}"


async def _failures_with(api: Api, token: str, calls: Mapping[str, Message]) -> list[ApiFailure]:
    failures = [await attempt(api, method, request, token) for method, request in calls.items()]
    return [f for f in failures if f is not None]


async def test_token_secrets_never_reach_logs_errors_or_the_database(tmp_path: Path) -> None:
    database = tmp_path / "config.db"
    write = seed(database)
    read = seed(database, scopes=SCOPE_READ)
    foreign = seed(database, workspace="globex")
    server = start_server(database, "--log-level", "debug", rate_limit=40)
    presented: set[str] = {write, read, foreign}
    errors: list[ApiFailure] = []
    try:
        apis = {t: server.client(t) for t in TRANSPORTS}
        made = {}
        for transport, api in apis.items():
            created = await api.call(
                "CreateAccessToken", create_token_request(f"{transport} token"), write
            )
            made[transport] = created.token  # type: ignore[attr-defined]
            await api.call("GetWorkspace", GET_ACME, made[transport])
            await api.call("CreateSource", create_source_request(f"s-{transport}"), write)
        doomed = made["rest"]
        listed = await apis["grpc"].call(
            "ListAccessTokens", access_tokens_pb2.ListAccessTokensRequest(), write
        )
        for token in listed.access_tokens:  # type: ignore[attr-defined]
            assert token.token == ""  # list never returns a secret
            if token.description == "rest token":
                await apis["grpc"].call(
                    "DeleteAccessToken",
                    access_tokens_pb2.DeleteAccessTokenRequest(name=token.name),
                    write,
                )
        presented |= set(made.values())

        for api in apis.values():
            wrong = _wrong_variants(write) + _wrong_variants(doomed) + [doomed]
            presented |= set(wrong)
            for secret in wrong:  # 401: wrong, cut, extended or deleted secrets
                errors += await _failures_with(api, secret, {"GetWorkspace": GET_ACME})
            errors += await _failures_with(  # 403: a read token writing
                api,
                read,
                {"UpdateSource": update_source("workspaces/acme/sources/s-grpc", "x", {})},
            )
            errors += await _failures_with(api, foreign, {"GetWorkspace": GET_ACME})  # 404
        for _ in range(100):  # spend the write token's budget of 40 a minute: 429
            errors += await _failures_with(apis["rest"], write, {"GetWorkspace": GET_ACME})
            if errors[-1:] and errors[-1].code == grpc.StatusCode.RESOURCE_EXHAUSTED:
                break
        assert {f.code for f in errors} >= {
            grpc.StatusCode.UNAUTHENTICATED,
            grpc.StatusCode.PERMISSION_DENIED,
            grpc.StatusCode.NOT_FOUND,
            grpc.StatusCode.RESOURCE_EXHAUSTED,
        }
        await server.close_clients()
        server.terminate()
        assert server.wait() == 0
    finally:
        stop(server)

    for failure in errors:
        shown = _error_text(failure)
        assert not [s for s in presented if s in shown], f"a secret in an error: {shown}"
    assert "sgp_" not in server.output, "a secret (or a part of one) was logged"
    assert not [s for s in presented if s[8:24] in server.output]
    stored = b"".join(path.read_bytes() for path in database_files(database))
    assert not [s for s in presented if s.encode() in stored or s[8:24].encode() in stored]

    conn = open_database(database)
    try:
        hashes = {bytes(row[0]) for row in conn.execute("SELECT secret_hash FROM access_tokens")}
    finally:
        conn.close()
    live = {write, read, foreign, made["grpc"]}
    assert hashes == {hashlib.sha256(secret.encode()).digest() for secret in live}


# ---- timing ------------------------------------------------------------------------------------


async def _admission_ns(api: Api, secret: str) -> int:
    started = time.perf_counter_ns()
    failure = await attempt(api, "GetWorkspace", GET_ACME, secret)
    elapsed = time.perf_counter_ns() - started
    assert failure is not None and failure.code == grpc.StatusCode.UNAUTHENTICATED
    return elapsed


async def test_rejecting_a_wrong_secret_does_not_depend_on_how_much_of_a_real_one_it_shares(
    start_server: StartServer,
) -> None:
    """Secrets are looked up by their SHA-256 hash, so a guess sharing all but its last
    character with a real secret is rejected exactly like one sharing nothing. Measured over
    gRPC, interleaved, median against median with a generous bound (a noisy 2-core machine):
    what it rules out is a lookup that does more work the closer a guess gets."""
    server = await start_server(serve_rest=False)
    await server.add_workspace("acme")
    secret = await server.add_token("acme")
    rng = random.Random(7)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    near = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    far = "".join(rng.choice(alphabet.replace(secret[0], "")) for _ in secret)
    api = GrpcApi(f"127.0.0.1:{server.grpc_port}")
    try:
        for _ in range(50):  # warm up connections, caches and code paths
            await _admission_ns(api, rng.choice((near, far)))
        samples: dict[str, list[int]] = {"near": [], "far": []}
        for _ in range(400):
            order = [("near", near), ("far", far)]
            rng.shuffle(order)
            for kind, guess in order:
                samples[kind].append(await _admission_ns(api, guess))
    finally:
        await api.close()
    near_median, far_median = (statistics.median(samples[k]) for k in ("near", "far"))
    slack = max(0.25 * min(near_median, far_median), 50_000)  # 25 % or 50 µs
    assert abs(near_median - far_median) <= slack, samples

    conn = open_database(server.settings.database)
    try:
        stored = [bytes(r[0]) for r in conn.execute("SELECT secret_hash FROM access_tokens")]
    finally:
        conn.close()
    assert stored == [hashlib.sha256(secret.encode()).digest()]


# ---- tenancy -----------------------------------------------------------------------------------

OK, NOT_FOUND, DENIED = "OK", "NOT_FOUND", "PERMISSION_DENIED"
# Every method of the contract, called by a token of another workspace (globex) on acme's
# resources. Global methods answer from the caller's own view; everything else is NOT_FOUND,
# exactly as if acme's resources did not exist (SPEC §3), except a token for acme, which a globex
# token may never make (403, SPEC §6.5). A read-only foreign token is refused writes first (403).
FOREIGN_WRITE: dict[str, str] = {
    "ListWorkspaces": OK,
    "GetWorkspace": NOT_FOUND,
    "ListSources": NOT_FOUND,
    "GetSource": NOT_FOUND,
    "CreateSource": NOT_FOUND,
    "UpdateSource": NOT_FOUND,
    "DeleteSource": NOT_FOUND,
    "ListDestinations": NOT_FOUND,
    "GetDestination": NOT_FOUND,
    "CreateDestination": NOT_FOUND,
    "UpdateDestination": NOT_FOUND,
    "DeleteDestination": NOT_FOUND,
    "ListTrackingPlans": NOT_FOUND,
    "GetTrackingPlan": NOT_FOUND,
    "CreateTrackingPlan": NOT_FOUND,
    "UpdateTrackingPlan": NOT_FOUND,
    "DeleteTrackingPlan": NOT_FOUND,
    "ListAccessTokens": OK,
    "GetAccessToken": NOT_FOUND,
    "CreateAccessToken": DENIED,
    "DeleteAccessToken": NOT_FOUND,
    "ListCatalogSources": OK,
    "GetCatalogSource": OK,
    "ListCatalogDestinations": OK,
    "GetCatalogDestination": OK,
    "GetSchemaConfig": NOT_FOUND,
    "UpdateSchemaConfig": NOT_FOUND,
    "ListDestinationFilters": NOT_FOUND,
    "GetDestinationFilter": NOT_FOUND,
    "CreateDestinationFilter": NOT_FOUND,
    "UpdateDestinationFilter": NOT_FOUND,
    "DeleteDestinationFilter": NOT_FOUND,
    "PreviewDestinationFilter": OK,  # global: stores and reads nothing
    "ListSourceConnections": NOT_FOUND,
    "CreateSourceConnection": NOT_FOUND,
    "BatchCreateSourceConnections": NOT_FOUND,
    "DeleteSourceConnection": NOT_FOUND,
}
FOREIGN_READ = {
    name: DENIED if name in MUTATING_METHODS else code for name, code in FOREIGN_WRITE.items()
}


def test_the_tenancy_table_covers_every_method_of_the_contract() -> None:
    assert set(FOREIGN_WRITE) == ALL_METHODS


async def _fill_acme(world: World) -> Targets:
    """One resource of each kind in acme, made by acme's own token."""
    await world.call("CreateSource", create_source_request("js"))
    await world.call("CreateDestination", create_destination_request("js", "heap"))
    plan = await world.call("CreateTrackingPlan", create_tracking_plan_request("Plan"))
    token = await world.call(
        "CreateAccessToken",
        access_tokens_pb2.CreateAccessTokenRequest(
            access_token=access_tokens_pb2.AccessToken(
                description="acme only", scopes=SCOPE_WRITE, workspace_names=[world.workspace]
            )
        ),
    )
    return Targets(
        source="js",
        destination="heap",
        tracking_plan_id=plan.name.rsplit("/", 1)[1],  # type: ignore[attr-defined]
        access_token_id=token.name.rsplit("/", 1)[1],  # type: ignore[attr-defined]
    )


@pytest.mark.parametrize("scopes", [SCOPE_WRITE, SCOPE_READ])
async def test_no_method_lets_a_foreign_token_reach_another_workspace(
    world: World, scopes: str
) -> None:
    targets = await _fill_acme(world)
    foreign = await world.server.add_token("globex", scopes=scopes)
    requests = example_requests(targets)
    before = fingerprint(world.server.settings.database)

    outcomes = {name: await attempt(world.api, name, requests[name], foreign) for name in requests}

    assert codes(outcomes) == (FOREIGN_WRITE if scopes == SCOPE_WRITE else FOREIGN_READ)
    for failure in outcomes.values():
        if failure is not None:
            check_failure(failure, failure.code)
            if failure.code == grpc.StatusCode.NOT_FOUND:  # names only what was asked for
                info = failure.detail(error_details_pb2.ResourceInfo)
                assert info.resource_name.startswith(
                    "workspaces/acme"
                ) or info.resource_name.startswith("access-tokens/")
    assert fingerprint(world.server.settings.database) == before  # nothing written
    for name in ("ListWorkspaces", "ListAccessTokens"):  # the caller's own view only
        listed = await world.api.call(name, requests[name], foreign)
        assert "acme" not in str(listed), listed

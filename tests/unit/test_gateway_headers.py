"""HTTP headers become gRPC metadata the way grpc-gateway's default header matcher forwards them."""

from __future__ import annotations

import pytest

from configapi.gateway.headers import metadata_from_headers


def forwarded(
    *headers: tuple[str, str], client: tuple[str, int] | None = None
) -> list[tuple[str, str]]:
    raw = [(key.encode(), value.encode("latin-1")) for key, value in headers]
    return metadata_from_headers(raw, client)


@pytest.mark.parametrize(
    ("header", "metadata"),
    [
        pytest.param(
            ("Authorization", "Bearer t0k"),
            [("authorization", "Bearer t0k"), ("grpcgateway-authorization", "Bearer t0k")],
            id="authorization-plain-and-prefixed",
        ),
        pytest.param(
            ("User-Agent", "curl/8"), [("grpcgateway-user-agent", "curl/8")], id="permanent"
        ),
        pytest.param(("Accept", "*/*"), [("grpcgateway-accept", "*/*")], id="permanent-accept"),
        pytest.param(
            ("Grpc-Metadata-Request-Id", "r1"), [("request-id", "r1")], id="grpc-metadata-prefix"
        ),
        pytest.param(("X-Custom", "v"), [], id="other-headers-dropped"),
        pytest.param(("Grpc-Metadata-Trace-Bin", "AAE="), [], id="binary-metadata-dropped"),
        pytest.param(("Grpc-Metadata-Grpc-Timeout", "1S"), [], id="reserved-grpc-name-dropped"),
        pytest.param(("Grpc-Metadata-Bad Key", "v"), [], id="invalid-key-dropped"),
        pytest.param(("Authorization", "Bearer caf\xe9"), [], id="non-ascii-value-dropped"),
        pytest.param(("User-Agent", "a\x01b"), [], id="control-character-dropped"),
    ],
)
def test_header_forwarding(header: tuple[str, str], metadata: list[tuple[str, str]]) -> None:
    assert forwarded(header) == metadata


def test_host_becomes_x_forwarded_host_and_client_x_forwarded_for() -> None:
    metadata = forwarded(("Host", "api.example"), client=("10.0.0.7", 5555))
    assert ("grpcgateway-host", "api.example") in metadata
    assert ("x-forwarded-host", "api.example") in metadata
    assert ("x-forwarded-for", "10.0.0.7") in metadata


def test_existing_forwarding_headers_are_kept_and_extended() -> None:
    metadata = forwarded(
        ("Host", "internal"),
        ("X-Forwarded-Host", "api.example"),
        ("X-Forwarded-For", "203.0.113.9"),
        client=("10.0.0.7", 5555),
    )
    assert ("x-forwarded-host", "api.example") in metadata
    assert ("x-forwarded-for", "203.0.113.9, 10.0.0.7") in metadata


def test_keys_are_lowercase() -> None:
    metadata = forwarded(("AUTHORIZATION", "Bearer x"), ("Grpc-Metadata-Tenant", "Acme"))
    assert all(key == key.lower() for key, _ in metadata)
    assert ("tenant", "Acme") in metadata

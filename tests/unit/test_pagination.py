"""AIP-158 page sizes and page tokens (SPEC §4)."""

from __future__ import annotations

import base64

import grpc
import pytest
from segment.config.v1beta import sources_pb2

from configapi.aip.pagination import PageTokens, page_size_of
from configapi.errors import ApiError

TOKENS = PageTokens(b"k" * 32)


@pytest.mark.parametrize(
    ("requested", "expected"),
    [(0, 100), (1, 1), (10, 10), (100, 100), (101, 100), (10_000, 100)],
    ids=["unset-means-100", "one", "ten", "max", "above-max-coerced", "far-above-coerced"],
)
def test_page_size_is_defaulted_and_coerced(requested: int, expected: int) -> None:
    assert page_size_of(requested) == expected


def test_a_collection_may_still_pick_its_own_default() -> None:
    assert page_size_of(0, default=50) == 50


def test_negative_page_size_is_invalid_argument() -> None:
    with pytest.raises(ApiError) as raised:
        page_size_of(-1)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.violations[0].field == "page_size"


def _request(
    parent: str = "workspaces/acme", token: str = "", size: int = 0
) -> sources_pb2.ListSourcesRequest:
    return sources_pb2.ListSourcesRequest(parent=parent, page_token=token, page_size=size)


def test_token_round_trips_the_position() -> None:
    token = TOKENS.encode(_request(), 42)
    assert TOKENS.decode(_request(token=token), int) == 42


def test_token_is_url_safe() -> None:
    token = TOKENS.encode(_request(), 2**40)
    assert all(c.isalnum() or c in "-_" for c in token)


def test_page_size_may_change_between_pages() -> None:
    token = TOKENS.encode(_request(size=10), 7)
    assert TOKENS.decode(_request(token=token, size=50), int) == 7


def test_no_token_means_first_page() -> None:
    assert TOKENS.decode(_request(), int) is None


def _tampered(token: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[-3] ^= 1
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "make_token",
    [
        lambda: _tampered(TOKENS.encode(_request(), 5)),
        lambda: "garbage!",
        lambda: TOKENS.encode(_request(), 5)[:-4],
        lambda: PageTokens(b"other" * 8).encode(_request(), 5),
        lambda: "ü",
    ],
    ids=["modified", "garbage", "truncated", "other-secret", "non-ascii"],
)
def test_foreign_or_modified_tokens_are_invalid_argument(make_token: object) -> None:
    token = make_token()  # type: ignore[operator]
    with pytest.raises(ApiError) as raised:
        TOKENS.decode(_request(token=token), int)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.violations[0].field == "page_token"


def test_token_reused_with_another_parent_is_invalid_argument() -> None:
    token = TOKENS.encode(_request("workspaces/acme"), 5)
    with pytest.raises(ApiError, match="other parameters"):
        TOKENS.decode(_request("workspaces/other", token=token), int)


def test_token_of_another_position_type_is_invalid_argument() -> None:
    token = TOKENS.encode(_request(), "catalog/sources/x")
    with pytest.raises(ApiError, match="malformed"):
        TOKENS.decode(_request(token=token), int)


def test_token_reveals_no_position() -> None:
    """SPEC §4: row ids are shared by every workspace; a token must not show them."""
    token = TOKENS.encode(_request(), 67)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"67" not in raw
    assert b'"p"' not in raw
    assert b"workspaces" not in raw
    assert TOKENS.encode(_request(), 68) != token


def test_modifying_the_encrypted_payload_is_detected() -> None:
    token = TOKENS.encode(_request(), 67)
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    for index in range(len(raw)):
        raw[index] ^= 0x10
        forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
        with pytest.raises(ApiError, match="modified"):
            TOKENS.decode(_request(token=forged), int)
        raw[index] ^= 0x10

"""Errors as values: `ApiError` carries a canonical code and AIP-193 rich details.

Services and storage raise `ApiError`; the gRPC boundary turns it into a `google.rpc.Status`
(SPEC §2) and the REST gateway renders the same Status as JSON. Nothing else crosses a boundary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2

DOMAIN = "config.segmentapis.com"
# A Status must reach its caller: gRPC sends it in trailers, which clients cap at 8-16 KiB
# (grpc's max_metadata_size), so echoed input is cut and only the first violations are listed.
# A 1 MB name or 5000 bad fields still get their INVALID_ARGUMENT, not a dropped stream.
MAX_TEXT_BYTES = 512
MAX_VIOLATIONS = 10


@dataclass(frozen=True)
class FieldViolation:
    """One entry of a `google.rpc.BadRequest`: which field, and what is wrong with it."""

    field: str
    description: str


@dataclass
class ApiError(Exception):
    """A canonical error with the details SPEC §2 asks for.

    `reason` is the UPPER_SNAKE_CASE ErrorInfo reason; `metadata` its dynamic values.
    """

    code: grpc.StatusCode
    message: str
    reason: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    violations: Sequence[FieldViolation] = ()
    resource_type: str = ""
    resource_name: str = ""
    retry_after_seconds: float | None = None
    # set when the Status came from elsewhere (an upstream server) and is passed on verbatim
    status_override: status_pb2.Status | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def to_status(self) -> status_pb2.Status:
        """The `google.rpc.Status` with ErrorInfo first, then the other details."""
        details = [_pack(self._error_info())]
        if self.violations:
            details.append(_pack(self._bad_request()))
        if self.resource_name:
            details.append(_pack(self._resource_info()))
        if self.retry_after_seconds is not None:
            details.append(_pack(self._retry_info(self.retry_after_seconds)))
        return status_pb2.Status(
            code=self.code.value[0], message=bounded(self.message), details=details
        )

    def _error_info(self) -> error_details_pb2.ErrorInfo:
        return error_details_pb2.ErrorInfo(
            reason=self.reason,
            domain=DOMAIN,
            metadata={key: bounded(value) for key, value in self.metadata.items()},
        )

    def _bad_request(self) -> error_details_pb2.BadRequest:
        violations = [
            error_details_pb2.BadRequest.FieldViolation(
                field=bounded(v.field), description=bounded(v.description)
            )
            for v in self.violations[:MAX_VIOLATIONS]
        ]
        return error_details_pb2.BadRequest(field_violations=violations)

    def _resource_info(self) -> error_details_pb2.ResourceInfo:
        return error_details_pb2.ResourceInfo(
            resource_type=self.resource_type,
            resource_name=bounded(self.resource_name),
            description=bounded(self.message),
        )

    @staticmethod
    def _retry_info(seconds: float) -> error_details_pb2.RetryInfo:
        delay = duration_pb2.Duration()
        delay.FromNanoseconds(int(seconds * 1e9))
        return error_details_pb2.RetryInfo(retry_delay=delay)

    @classmethod
    def from_status(cls, status: status_pb2.Status) -> ApiError:
        """Rebuild an ApiError from a Status (e.g. one received from an upstream server)."""
        return cls(
            code=code_for(status.code), message=status.message, reason="", status_override=status
        )

    def status(self) -> status_pb2.Status:
        """The Status to send: the one received verbatim, or the one built from our fields."""
        return self.status_override if self.status_override is not None else self.to_status()


def bounded(text: str) -> str:
    """`text`, or its first MAX_TEXT_BYTES bytes of UTF-8 and a note of its full length."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= MAX_TEXT_BYTES:
        return text
    kept = data[:MAX_TEXT_BYTES].decode("utf-8", "ignore")
    return f"{kept}… ({len(text)} characters in all)"


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    # deterministic: map entries (ErrorInfo.metadata) sorted by key, the same in every process
    packed.Pack(message, deterministic=True)  # type: ignore[arg-type]
    return packed


_CODES_BY_NUMBER = {code.value[0]: code for code in grpc.StatusCode}


def code_for(number: int) -> grpc.StatusCode:
    """The grpc.StatusCode for a numeric code; unknown numbers are UNKNOWN."""
    return _CODES_BY_NUMBER.get(number, grpc.StatusCode.UNKNOWN)


# ---- constructors for the errors every service raises, so wording stays uniform -------------


def invalid_argument(field_path: str, description: str) -> ApiError:
    """INVALID_ARGUMENT naming one field (SPEC §2: BadRequest with a field violation)."""
    return ApiError(
        code=grpc.StatusCode.INVALID_ARGUMENT,
        message=f"invalid {field_path}: {description}",
        reason="INVALID_ARGUMENT",
        metadata={"field": field_path},
        violations=(FieldViolation(field_path, description),),
    )


def invalid_arguments(violations: Sequence[FieldViolation]) -> ApiError:
    """INVALID_ARGUMENT with several field violations; the message names the first."""
    first = violations[0]
    return ApiError(
        code=grpc.StatusCode.INVALID_ARGUMENT,
        message=f"invalid {first.field}: {first.description}",
        reason="INVALID_ARGUMENT",
        metadata={"field": first.field},
        violations=tuple(violations),
    )


def not_found(resource_type: str, name: str) -> ApiError:
    """NOT_FOUND with ResourceInfo; also used for resources of another tenant (SPEC §3)."""
    return ApiError(
        code=grpc.StatusCode.NOT_FOUND,
        message=f'{_short(resource_type)} "{name}" not found',
        reason="RESOURCE_NOT_FOUND",
        metadata={"resource_type": resource_type, "resource_name": name},
        resource_type=resource_type,
        resource_name=name,
    )


def already_exists(resource_type: str, name: str) -> ApiError:
    """ALREADY_EXISTS with ResourceInfo."""
    return ApiError(
        code=grpc.StatusCode.ALREADY_EXISTS,
        message=f'{_short(resource_type)} "{name}" already exists',
        reason="RESOURCE_ALREADY_EXISTS",
        metadata={"resource_type": resource_type, "resource_name": name},
        resource_type=resource_type,
        resource_name=name,
    )


def internal() -> ApiError:
    """INTERNAL with a generic message: internals never reach the caller (SPEC §2)."""
    return ApiError(code=grpc.StatusCode.INTERNAL, message="internal error", reason="INTERNAL")


def unavailable(what: str) -> ApiError:
    """UNAVAILABLE: a dependency (e.g. storage) cannot be reached; the caller may retry."""
    return ApiError(
        code=grpc.StatusCode.UNAVAILABLE,
        message=f"service unavailable: {what}",
        reason="UNAVAILABLE",
    )


def _short(resource_type: str) -> str:
    """`config.segmentapis.com/TrackingPlan` → `tracking plan`, for messages."""
    kind = resource_type.rsplit("/", 1)[-1]
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in kind).strip()
    return words

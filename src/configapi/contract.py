"""The contract as descriptors: every service of segment.config.v1beta, in one place.

Everything generic (routes, request building, field behaviour, resource patterns) reads these
descriptors instead of naming methods or fields by hand (DESIGN rule 1).
"""

from __future__ import annotations

from google.protobuf.descriptor import FileDescriptor, MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from segment.config.v1beta import (
    access_tokens_pb2,
    catalog_pb2,
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
    workspaces_pb2,
)

PACKAGE = "segment.config.v1beta"

_MODULES = (
    workspaces_pb2,
    sources_pb2,
    destinations_pb2,
    tracking_plans_pb2,
    access_tokens_pb2,
    catalog_pb2,
)

FILES: tuple[FileDescriptor, ...] = tuple(module.DESCRIPTOR for module in _MODULES)

SERVICES: tuple[ServiceDescriptor, ...] = tuple(
    service for file in FILES for service in file.services_by_name.values()
)


def methods() -> list[MethodDescriptor]:
    """Every method of every service, in declaration order."""
    return [method for service in SERVICES for method in service.methods]


def method_path(method: MethodDescriptor) -> str:
    """The gRPC path of a method, `/segment.config.v1beta.SourceService/GetSource`."""
    return f"/{method.containing_service.full_name}/{method.name}"


def input_class(method: MethodDescriptor) -> type[Message]:
    """The request message class of a method."""
    return GetMessageClass(method.input_type)


def output_class(method: MethodDescriptor) -> type[Message]:
    """The response message class of a method."""
    return GetMessageClass(method.output_type)

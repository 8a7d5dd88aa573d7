"""The contract as descriptors: every service of segment.config.v1beta, in one place.

Everything generic (routes, request building, field behaviour, resource patterns) reads these
descriptors instead of naming methods or fields by hand (DESIGN rule 1).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from google.protobuf.descriptor import FileDescriptor, MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from segment.config import v1beta

PACKAGE = "segment.config.v1beta"


def _modules() -> tuple[ModuleType, ...]:
    """Every generated `*_pb2` module of the package: a new proto file needs no edit here."""
    names = sorted(m.name for m in pkgutil.iter_modules(v1beta.__path__) if m.name.endswith("_pb2"))
    return tuple(importlib.import_module(f"{PACKAGE}.{name}") for name in names)


FILES: tuple[FileDescriptor, ...] = tuple(module.DESCRIPTOR for module in _modules())

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

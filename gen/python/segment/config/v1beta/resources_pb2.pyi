from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class IdStyle(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ID_STYLE_UNSPECIFIED: _ClassVar[IdStyle]
    ID_STYLE_SLUG: _ClassVar[IdStyle]
    ID_STYLE_CATALOG_SLUG: _ClassVar[IdStyle]
    ID_STYLE_KSUID: _ClassVar[IdStyle]
    ID_STYLE_HEX: _ClassVar[IdStyle]
ID_STYLE_UNSPECIFIED: IdStyle
ID_STYLE_SLUG: IdStyle
ID_STYLE_CATALOG_SLUG: IdStyle
ID_STYLE_KSUID: IdStyle
ID_STYLE_HEX: IdStyle
RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
resource_id: _descriptor.FieldDescriptor

class ResourceId(_message.Message):
    __slots__ = ("style", "prefix", "length")
    STYLE_FIELD_NUMBER: _ClassVar[int]
    PREFIX_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    style: IdStyle
    prefix: str
    length: int
    def __init__(self, style: _Optional[_Union[IdStyle, str]] = ..., prefix: _Optional[str] = ..., length: _Optional[int] = ...) -> None: ...

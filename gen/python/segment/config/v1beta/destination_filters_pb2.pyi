import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import client_pb2 as _client_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from segment.config.v1beta import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DestinationFilter(_message.Message):
    __slots__ = ("name", "title", "description", "actions", "enabled", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IF_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    description: str
    actions: _containers.RepeatedCompositeFieldContainer[DestinationFilterAction]
    enabled: bool
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., actions: _Optional[_Iterable[_Union[DestinationFilterAction, _Mapping]]] = ..., enabled: bool = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., **kwargs) -> None: ...

class DestinationFilterAction(_message.Message):
    __slots__ = ("type", "percent", "path", "fields")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    type: str
    percent: float
    path: str
    fields: DestinationFilterFields
    def __init__(self, type: _Optional[str] = ..., percent: _Optional[float] = ..., path: _Optional[str] = ..., fields: _Optional[_Union[DestinationFilterFields, _Mapping]] = ...) -> None: ...

class DestinationFilterFields(_message.Message):
    __slots__ = ("context", "properties", "traits")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    TRAITS_FIELD_NUMBER: _ClassVar[int]
    context: DestinationFilterFieldList
    properties: DestinationFilterFieldList
    traits: DestinationFilterFieldList
    def __init__(self, context: _Optional[_Union[DestinationFilterFieldList, _Mapping]] = ..., properties: _Optional[_Union[DestinationFilterFieldList, _Mapping]] = ..., traits: _Optional[_Union[DestinationFilterFieldList, _Mapping]] = ...) -> None: ...

class DestinationFilterFieldList(_message.Message):
    __slots__ = ("fields",)
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ListDestinationFiltersRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDestinationFiltersResponse(_message.Message):
    __slots__ = ("filters", "next_page_token")
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    filters: _containers.RepeatedCompositeFieldContainer[DestinationFilter]
    next_page_token: str
    def __init__(self, filters: _Optional[_Iterable[_Union[DestinationFilter, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetDestinationFilterRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CreateDestinationFilterRequest(_message.Message):
    __slots__ = ("parent", "filter")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    parent: str
    filter: DestinationFilter
    def __init__(self, parent: _Optional[str] = ..., filter: _Optional[_Union[DestinationFilter, _Mapping]] = ...) -> None: ...

class UpdateDestinationFilterRequest(_message.Message):
    __slots__ = ("filter", "update_mask")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    filter: DestinationFilter
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, filter: _Optional[_Union[DestinationFilter, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteDestinationFilterRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class PreviewDestinationFilterRequest(_message.Message):
    __slots__ = ("filter", "input")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    filter: DestinationFilter
    input: str
    def __init__(self, filter: _Optional[_Union[DestinationFilter, _Mapping]] = ..., input: _Optional[str] = ...) -> None: ...

class PreviewDestinationFilterResponse(_message.Message):
    __slots__ = ("input", "output", "diff")
    INPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    DIFF_FIELD_NUMBER: _ClassVar[int]
    input: str
    output: str
    diff: str
    def __init__(self, input: _Optional[str] = ..., output: _Optional[str] = ..., diff: _Optional[str] = ...) -> None: ...

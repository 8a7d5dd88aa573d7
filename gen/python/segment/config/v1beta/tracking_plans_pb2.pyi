import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import client_pb2 as _client_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from segment.config.v1beta import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TrackingPlan(_message.Message):
    __slots__ = ("name", "display_name", "rules", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    rules: TrackingPlanRules
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., rules: _Optional[_Union[TrackingPlanRules, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TrackingPlanRules(_message.Message):
    __slots__ = ("identify", "group", "events", "identify_traits", "group_traits")
    GLOBAL_FIELD_NUMBER: _ClassVar[int]
    IDENTIFY_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    IDENTIFY_TRAITS_FIELD_NUMBER: _ClassVar[int]
    GROUP_TRAITS_FIELD_NUMBER: _ClassVar[int]
    identify: _struct_pb2.Struct
    group: _struct_pb2.Struct
    events: _containers.RepeatedCompositeFieldContainer[TrackingPlanEvent]
    identify_traits: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    group_traits: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    def __init__(self, identify: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., group: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., events: _Optional[_Iterable[_Union[TrackingPlanEvent, _Mapping]]] = ..., identify_traits: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., group_traits: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., **kwargs) -> None: ...

class TrackingPlanEvent(_message.Message):
    __slots__ = ("name", "description", "version", "rules")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    version: int
    rules: _struct_pb2.Struct
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., version: _Optional[int] = ..., rules: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ListTrackingPlansRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTrackingPlansResponse(_message.Message):
    __slots__ = ("tracking_plans", "next_page_token")
    TRACKING_PLANS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tracking_plans: _containers.RepeatedCompositeFieldContainer[TrackingPlan]
    next_page_token: str
    def __init__(self, tracking_plans: _Optional[_Iterable[_Union[TrackingPlan, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetTrackingPlanRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CreateTrackingPlanRequest(_message.Message):
    __slots__ = ("parent", "tracking_plan")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    TRACKING_PLAN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    tracking_plan: TrackingPlan
    def __init__(self, parent: _Optional[str] = ..., tracking_plan: _Optional[_Union[TrackingPlan, _Mapping]] = ...) -> None: ...

class UpdateTrackingPlanRequest(_message.Message):
    __slots__ = ("tracking_plan", "update_mask")
    TRACKING_PLAN_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    tracking_plan: TrackingPlan
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, tracking_plan: _Optional[_Union[TrackingPlan, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteTrackingPlanRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class SourceConnection(_message.Message):
    __slots__ = ("source_name", "tracking_plan_id")
    SOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    TRACKING_PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    source_name: str
    tracking_plan_id: str
    def __init__(self, source_name: _Optional[str] = ..., tracking_plan_id: _Optional[str] = ...) -> None: ...

class ListSourceConnectionsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSourceConnectionsResponse(_message.Message):
    __slots__ = ("connections", "next_page_token")
    CONNECTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    connections: _containers.RepeatedCompositeFieldContainer[SourceConnection]
    next_page_token: str
    def __init__(self, connections: _Optional[_Iterable[_Union[SourceConnection, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateSourceConnectionRequest(_message.Message):
    __slots__ = ("parent", "source_name")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    parent: str
    source_name: str
    def __init__(self, parent: _Optional[str] = ..., source_name: _Optional[str] = ...) -> None: ...

class BatchCreateSourceConnectionsRequest(_message.Message):
    __slots__ = ("parent", "source_names")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_NAMES_FIELD_NUMBER: _ClassVar[int]
    parent: str
    source_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, parent: _Optional[str] = ..., source_names: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchCreateSourceConnectionsResponse(_message.Message):
    __slots__ = ("connections",)
    CONNECTIONS_FIELD_NUMBER: _ClassVar[int]
    connections: _containers.RepeatedCompositeFieldContainer[SourceConnection]
    def __init__(self, connections: _Optional[_Iterable[_Union[SourceConnection, _Mapping]]] = ...) -> None: ...

class DeleteSourceConnectionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

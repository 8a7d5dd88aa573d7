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
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Source(_message.Message):
    __slots__ = ("name", "parent", "catalog_name", "display_name", "write_keys", "library_config", "labels", "create_time")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CATALOG_NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    WRITE_KEYS_FIELD_NUMBER: _ClassVar[int]
    LIBRARY_CONFIG_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    parent: str
    catalog_name: str
    display_name: str
    write_keys: _containers.RepeatedScalarFieldContainer[str]
    library_config: LibraryConfig
    labels: _containers.ScalarMap[str, str]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., parent: _Optional[str] = ..., catalog_name: _Optional[str] = ..., display_name: _Optional[str] = ..., write_keys: _Optional[_Iterable[str]] = ..., library_config: _Optional[_Union[LibraryConfig, _Mapping]] = ..., labels: _Optional[_Mapping[str, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LibraryConfig(_message.Message):
    __slots__ = ("metrics_enabled", "retry_queue", "cross_domain_id_enabled", "api_host")
    METRICS_ENABLED_FIELD_NUMBER: _ClassVar[int]
    RETRY_QUEUE_FIELD_NUMBER: _ClassVar[int]
    CROSS_DOMAIN_ID_ENABLED_FIELD_NUMBER: _ClassVar[int]
    API_HOST_FIELD_NUMBER: _ClassVar[int]
    metrics_enabled: bool
    retry_queue: bool
    cross_domain_id_enabled: bool
    api_host: str
    def __init__(self, metrics_enabled: bool = ..., retry_queue: bool = ..., cross_domain_id_enabled: bool = ..., api_host: _Optional[str] = ...) -> None: ...

class ListSourcesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSourcesResponse(_message.Message):
    __slots__ = ("sources", "next_page_token")
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sources: _containers.RepeatedCompositeFieldContainer[Source]
    next_page_token: str
    def __init__(self, sources: _Optional[_Iterable[_Union[Source, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSourceRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CreateSourceRequest(_message.Message):
    __slots__ = ("parent", "source")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    source: Source
    def __init__(self, parent: _Optional[str] = ..., source: _Optional[_Union[Source, _Mapping]] = ...) -> None: ...

class UpdateSourceRequest(_message.Message):
    __slots__ = ("source", "update_mask")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    source: Source
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, source: _Optional[_Union[Source, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteSourceRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class SchemaConfig(_message.Message):
    __slots__ = ("name", "parent", "allow_unplanned_track_events", "allow_unplanned_identify_traits", "allow_unplanned_group_traits", "allow_unplanned_track_event_properties", "allow_track_event_on_violations", "allow_identify_traits_on_violations", "allow_group_traits_on_violations", "allow_track_properties_on_violations", "forwarding_blocked_events_to", "forwarding_violations_to", "common_track_event_on_violations", "common_identify_event_on_violations", "common_group_event_on_violations")
    class ViolationAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ALLOW: _ClassVar[SchemaConfig.ViolationAction]
        OMIT_PROPERTIES: _ClassVar[SchemaConfig.ViolationAction]
        OMIT_TRAITS: _ClassVar[SchemaConfig.ViolationAction]
        BLOCK: _ClassVar[SchemaConfig.ViolationAction]
    ALLOW: SchemaConfig.ViolationAction
    OMIT_PROPERTIES: SchemaConfig.ViolationAction
    OMIT_TRAITS: SchemaConfig.ViolationAction
    BLOCK: SchemaConfig.ViolationAction
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_UNPLANNED_TRACK_EVENTS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_UNPLANNED_IDENTIFY_TRAITS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_UNPLANNED_GROUP_TRAITS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_UNPLANNED_TRACK_EVENT_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    ALLOW_TRACK_EVENT_ON_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_IDENTIFY_TRAITS_ON_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_GROUP_TRAITS_ON_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_TRACK_PROPERTIES_ON_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    FORWARDING_BLOCKED_EVENTS_TO_FIELD_NUMBER: _ClassVar[int]
    FORWARDING_VIOLATIONS_TO_FIELD_NUMBER: _ClassVar[int]
    COMMON_TRACK_EVENT_ON_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    COMMON_IDENTIFY_EVENT_ON_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    COMMON_GROUP_EVENT_ON_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    parent: str
    allow_unplanned_track_events: bool
    allow_unplanned_identify_traits: bool
    allow_unplanned_group_traits: bool
    allow_unplanned_track_event_properties: bool
    allow_track_event_on_violations: bool
    allow_identify_traits_on_violations: bool
    allow_group_traits_on_violations: bool
    allow_track_properties_on_violations: bool
    forwarding_blocked_events_to: str
    forwarding_violations_to: str
    common_track_event_on_violations: SchemaConfig.ViolationAction
    common_identify_event_on_violations: SchemaConfig.ViolationAction
    common_group_event_on_violations: SchemaConfig.ViolationAction
    def __init__(self, name: _Optional[str] = ..., parent: _Optional[str] = ..., allow_unplanned_track_events: bool = ..., allow_unplanned_identify_traits: bool = ..., allow_unplanned_group_traits: bool = ..., allow_unplanned_track_event_properties: bool = ..., allow_track_event_on_violations: bool = ..., allow_identify_traits_on_violations: bool = ..., allow_group_traits_on_violations: bool = ..., allow_track_properties_on_violations: bool = ..., forwarding_blocked_events_to: _Optional[str] = ..., forwarding_violations_to: _Optional[str] = ..., common_track_event_on_violations: _Optional[_Union[SchemaConfig.ViolationAction, str]] = ..., common_identify_event_on_violations: _Optional[_Union[SchemaConfig.ViolationAction, str]] = ..., common_group_event_on_violations: _Optional[_Union[SchemaConfig.ViolationAction, str]] = ...) -> None: ...

class GetSchemaConfigRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class UpdateSchemaConfigRequest(_message.Message):
    __slots__ = ("schema_config", "update_mask")
    SCHEMA_CONFIG_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    schema_config: SchemaConfig
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, schema_config: _Optional[_Union[SchemaConfig, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

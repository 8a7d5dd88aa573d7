from google.api import annotations_pb2 as _annotations_pb2
from google.api import client_pb2 as _client_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import resource_pb2 as _resource_pb2
from segment.config.v1beta import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CatalogSource(_message.Message):
    __slots__ = ("name", "display_name", "description", "categories", "logos")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    LOGOS_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    categories: _containers.RepeatedScalarFieldContainer[str]
    logos: Logos
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., categories: _Optional[_Iterable[str]] = ..., logos: _Optional[_Union[Logos, _Mapping]] = ...) -> None: ...

class Logos(_message.Message):
    __slots__ = ("logo", "mark")
    LOGO_FIELD_NUMBER: _ClassVar[int]
    MARK_FIELD_NUMBER: _ClassVar[int]
    logo: str
    mark: str
    def __init__(self, logo: _Optional[str] = ..., mark: _Optional[str] = ...) -> None: ...

class CatalogDestination(_message.Message):
    __slots__ = ("name", "display_name", "description", "type", "website", "status", "logos", "categories", "components", "platforms", "methods", "settings", "browserUnbundlingSupported", "browserUnbundlingPublic")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    WEBSITE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LOGOS_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    PLATFORMS_FIELD_NUMBER: _ClassVar[int]
    METHODS_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    BROWSERUNBUNDLINGSUPPORTED_FIELD_NUMBER: _ClassVar[int]
    BROWSERUNBUNDLINGPUBLIC_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    description: str
    type: str
    website: str
    status: str
    logos: Logos
    categories: DestinationCategories
    components: _containers.RepeatedCompositeFieldContainer[DestinationComponent]
    platforms: DestinationPlatforms
    methods: DestinationMethods
    settings: _containers.RepeatedCompositeFieldContainer[DestinationSetting]
    browserUnbundlingSupported: bool
    browserUnbundlingPublic: bool
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., type: _Optional[str] = ..., website: _Optional[str] = ..., status: _Optional[str] = ..., logos: _Optional[_Union[Logos, _Mapping]] = ..., categories: _Optional[_Union[DestinationCategories, _Mapping]] = ..., components: _Optional[_Iterable[_Union[DestinationComponent, _Mapping]]] = ..., platforms: _Optional[_Union[DestinationPlatforms, _Mapping]] = ..., methods: _Optional[_Union[DestinationMethods, _Mapping]] = ..., settings: _Optional[_Iterable[_Union[DestinationSetting, _Mapping]]] = ..., browserUnbundlingSupported: bool = ..., browserUnbundlingPublic: bool = ...) -> None: ...

class DestinationCategories(_message.Message):
    __slots__ = ("primary", "secondary", "additional")
    PRIMARY_FIELD_NUMBER: _ClassVar[int]
    SECONDARY_FIELD_NUMBER: _ClassVar[int]
    ADDITIONAL_FIELD_NUMBER: _ClassVar[int]
    primary: str
    secondary: str
    additional: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, primary: _Optional[str] = ..., secondary: _Optional[str] = ..., additional: _Optional[_Iterable[str]] = ...) -> None: ...

class DestinationComponent(_message.Message):
    __slots__ = ("type",)
    TYPE_FIELD_NUMBER: _ClassVar[int]
    type: str
    def __init__(self, type: _Optional[str] = ...) -> None: ...

class DestinationPlatforms(_message.Message):
    __slots__ = ("browser", "server", "mobile")
    BROWSER_FIELD_NUMBER: _ClassVar[int]
    SERVER_FIELD_NUMBER: _ClassVar[int]
    MOBILE_FIELD_NUMBER: _ClassVar[int]
    browser: bool
    server: bool
    mobile: bool
    def __init__(self, browser: bool = ..., server: bool = ..., mobile: bool = ...) -> None: ...

class DestinationMethods(_message.Message):
    __slots__ = ("alias", "group", "identify", "page_view", "track")
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    IDENTIFY_FIELD_NUMBER: _ClassVar[int]
    PAGE_VIEW_FIELD_NUMBER: _ClassVar[int]
    TRACK_FIELD_NUMBER: _ClassVar[int]
    alias: bool
    group: bool
    identify: bool
    page_view: bool
    track: bool
    def __init__(self, alias: bool = ..., group: bool = ..., identify: bool = ..., page_view: bool = ..., track: bool = ...) -> None: ...

class DestinationSetting(_message.Message):
    __slots__ = ("name", "display_name", "type", "deprecated", "required", "description", "settings", "string_validators", "number_validators", "select_validators", "map_validators")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DEPRECATED_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    STRING_VALIDATORS_FIELD_NUMBER: _ClassVar[int]
    NUMBER_VALIDATORS_FIELD_NUMBER: _ClassVar[int]
    SELECT_VALIDATORS_FIELD_NUMBER: _ClassVar[int]
    MAP_VALIDATORS_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    type: str
    deprecated: bool
    required: bool
    description: str
    settings: _containers.RepeatedCompositeFieldContainer[DestinationSetting]
    string_validators: StringValidators
    number_validators: NumberValidators
    select_validators: SelectValidators
    map_validators: MapValidators
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., type: _Optional[str] = ..., deprecated: bool = ..., required: bool = ..., description: _Optional[str] = ..., settings: _Optional[_Iterable[_Union[DestinationSetting, _Mapping]]] = ..., string_validators: _Optional[_Union[StringValidators, _Mapping]] = ..., number_validators: _Optional[_Union[NumberValidators, _Mapping]] = ..., select_validators: _Optional[_Union[SelectValidators, _Mapping]] = ..., map_validators: _Optional[_Union[MapValidators, _Mapping]] = ...) -> None: ...

class StringValidators(_message.Message):
    __slots__ = ("regexp",)
    REGEXP_FIELD_NUMBER: _ClassVar[int]
    regexp: str
    def __init__(self, regexp: _Optional[str] = ...) -> None: ...

class NumberValidators(_message.Message):
    __slots__ = ("min", "max")
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    min: int
    max: int
    def __init__(self, min: _Optional[int] = ..., max: _Optional[int] = ...) -> None: ...

class SelectValidators(_message.Message):
    __slots__ = ("select_options",)
    SELECT_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    select_options: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, select_options: _Optional[_Iterable[str]] = ...) -> None: ...

class MapValidators(_message.Message):
    __slots__ = ("regexp", "min", "max", "map_prefix", "select_options")
    REGEXP_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    MAP_PREFIX_FIELD_NUMBER: _ClassVar[int]
    SELECT_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    regexp: str
    min: int
    max: int
    map_prefix: str
    select_options: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, regexp: _Optional[str] = ..., min: _Optional[int] = ..., max: _Optional[int] = ..., map_prefix: _Optional[str] = ..., select_options: _Optional[_Iterable[str]] = ...) -> None: ...

class ListCatalogSourcesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCatalogSourcesResponse(_message.Message):
    __slots__ = ("sources", "next_page_token")
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sources: _containers.RepeatedCompositeFieldContainer[CatalogSource]
    next_page_token: str
    def __init__(self, sources: _Optional[_Iterable[_Union[CatalogSource, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetCatalogSourceRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListCatalogDestinationsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCatalogDestinationsResponse(_message.Message):
    __slots__ = ("destinations", "next_page_token")
    DESTINATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    destinations: _containers.RepeatedCompositeFieldContainer[CatalogDestination]
    next_page_token: str
    def __init__(self, destinations: _Optional[_Iterable[_Union[CatalogDestination, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetCatalogDestinationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

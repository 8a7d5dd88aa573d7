"""The REST route table, read from every method's `google.api.http` option (DESIGN rule 1).

Each binding (the rule and its `additional_bindings`) becomes one `Route` with everything the
request path needs precomputed: the parsed template, the field chain of each path variable, the
body rule and the fields query parameters must not touch. Nothing walks descriptors per request.

Lookup tries the routes of the request's HTTP method with the request's number of segments, most
specific first: at the leftmost position where two templates differ, a literal segment beats `*`,
which beats `**` (`/v1beta/catalog/sources` before a `/v1beta/{parent=*}/sources`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message

from configapi.contract import input_class
from configapi.gateway.errors import route_not_found
from configapi.gateway.httprule import PathTemplate, RequestPath, parse_template, split_path

FieldChain = tuple[FieldDescriptor, ...]


class RouteError(ValueError):
    """A `google.api.http` option that cannot be served (bad field path, duplicate route...)."""


@dataclass(frozen=True, slots=True)
class Route:
    """One HTTP binding of one method, with what transcoding needs precomputed."""

    http_method: str
    template: PathTemplate
    method: MethodDescriptor
    request_class: type[Message]
    body: str  # "" (no body), "*" (the whole request) or a top-level field name
    body_field: FieldDescriptor | None
    path_fields: tuple[tuple[str, FieldChain], ...]  # (dotted field path, its field chain)
    query_excluded: frozenset[str]  # dotted paths bound by the path or the body

    def __str__(self) -> str:
        return f"{self.http_method} {self.template.source} → {self.method.full_name}"


class RouteTable:
    """All routes, indexed by HTTP method and segment count, most specific first."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes: tuple[Route, ...] = tuple(routes)
        _reject_duplicates(self.routes)
        ordered = sorted(self.routes, key=lambda r: r.template.specificity())
        self._fixed: dict[tuple[str, int], tuple[Route, ...]] = {}
        self._deep: dict[str, tuple[Route, ...]] = {}
        for route in ordered:
            if route.template.deep_index >= 0:
                self._deep[route.http_method] = (*self._deep.get(route.http_method, ()), route)
            else:
                key = (route.http_method, len(route.template.segments))
                self._fixed[key] = (*self._fixed.get(key, ()), route)

    def lookup(self, http_method: str, raw_path: str) -> tuple[Route, dict[str, str]]:
        """The route and variable bindings for a request; ApiError NOT_FOUND if none matches.

        SPEC §2: a known path with a method it does not have is the same 404 as an unknown path.
        """
        path = split_path(raw_path)
        for route in self._candidates(http_method, path):
            bindings = route.template.match(path)
            if bindings is not None:
                return route, bindings
        raise route_not_found(http_method, raw_path)

    def _candidates(self, http_method: str, path: RequestPath) -> Sequence[Route]:
        fixed = self._fixed.get((http_method, len(path.raw)), ())
        deep = self._deep.get(http_method)
        if not deep:
            return fixed  # the common case: no `**` template for this method
        return sorted((*fixed, *deep), key=lambda r: r.template.specificity())


def build_route_table(methods: Iterable[MethodDescriptor]) -> RouteTable:
    """The route table of every binding of every method that has a `google.api.http` option."""
    return RouteTable(route for method in methods for route in routes_for(method))


def routes_for(method: MethodDescriptor) -> list[Route]:
    """The routes of one method: its rule, then its `additional_bindings`."""
    options = method.GetOptions()
    if not options.HasExtension(annotations_pb2.http):
        return []
    rule: http_pb2.HttpRule = options.Extensions[annotations_pb2.http]
    return [_route(method, binding) for binding in (rule, *rule.additional_bindings)]


def _route(method: MethodDescriptor, rule: http_pb2.HttpRule) -> Route:
    http_method, template_text = _verb_and_path(rule)
    template = parse_template(template_text)
    request = method.input_type
    path_fields = tuple(
        (v.field_path, _field_chain(request, v.field_path, method)) for v in template.variables
    )
    body_field = None
    if rule.body not in ("", "*"):
        body_field = _field_chain(request, rule.body, method)[0]
    excluded = {field_path for field_path, _ in path_fields}
    if body_field is not None:
        excluded.add(body_field.name)
    return Route(
        http_method=http_method,
        template=template,
        method=method,
        request_class=input_class(method),
        body=rule.body,
        body_field=body_field,
        path_fields=path_fields,
        query_excluded=frozenset(excluded),
    )


def _verb_and_path(rule: http_pb2.HttpRule) -> tuple[str, str]:
    pattern = rule.WhichOneof("pattern")
    if pattern is None:
        raise RouteError(f"http rule {rule.selector!r} has no pattern")
    if pattern == "custom":
        return rule.custom.kind.upper(), rule.custom.path
    path: str = getattr(rule, pattern)
    return pattern.upper(), path


def _field_chain(request: Descriptor, field_path: str, method: MethodDescriptor) -> FieldChain:
    """Resolve `source.name` to its field descriptors; every step but the last a message."""
    chain: list[FieldDescriptor] = []
    descriptor: Descriptor | None = request
    names = field_path.split(".")
    for index, name in enumerate(names):
        field = descriptor.fields_by_name.get(name) if descriptor is not None else None
        leads_on = index < len(names) - 1
        if field is None or (leads_on and (field.is_repeated or field.message_type is None)):
            raise RouteError(f"{method.full_name}: no field {field_path!r} in {request.full_name}")
        chain.append(field)
        descriptor = field.message_type
    return tuple(chain)


def _reject_duplicates(routes: Sequence[Route]) -> None:
    seen: dict[tuple[str, str], Route] = {}
    for route in routes:
        key = (route.http_method, _shape(route.template))
        if key in seen:
            raise RouteError(f"{route} duplicates {seen[key]}")
        seen[key] = route


def _shape(template: PathTemplate) -> str:
    """A template without variable names: two templates with one shape match the same paths."""
    return "/" + "/".join(template.segments) + (":" + template.verb if template.verb else "")

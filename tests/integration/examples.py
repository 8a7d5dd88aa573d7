"""One well-formed example request for every method of the contract.

The names are valid but, unless a test creates them, name nothing: a test can then show that a
check runs before the look-up (401, 403), or that a look-up fails (404).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from google.protobuf.message import Message
from segment.config.v1beta import (
    access_tokens_pb2,
    catalog_pb2,
    destination_filters_pb2,
    destinations_pb2,
    sources_pb2,
    tracking_plans_pb2,
    workspaces_pb2,
)

from configapi import contract
from tests.integration.harness import (
    create_destination_request,
    create_source_request,
    create_tracking_plan_request,
    tracking_plan,
)

MUTATING_PREFIXES = ("Create", "Update", "Delete", "BatchCreate")
ALL_METHODS = frozenset(method.name for method in contract.methods())
MUTATING_METHODS = frozenset(m for m in ALL_METHODS if m.startswith(MUTATING_PREFIXES))


@dataclass(frozen=True)
class Targets:
    """The resources the example requests name, in one workspace."""

    workspace: str = "acme"
    source: str = "nowhere"
    destination: str = "heap"
    tracking_plan_id: str = "rs_1N9oTnc5O8cv1peY65iXsSPnzGP"
    access_token_id: str = "0123456789abcdef01234567"

    @property
    def source_name(self) -> str:
        return f"workspaces/{self.workspace}/sources/{self.source}"

    @property
    def destination_name(self) -> str:
        return f"{self.source_name}/destinations/{self.destination}"

    @property
    def tracking_plan_name(self) -> str:
        return f"workspaces/{self.workspace}/tracking-plans/{self.tracking_plan_id}"

    @property
    def filter_name(self) -> str:
        return f"{self.destination_name}/filters/df_1JjE7f3gz8OXU6lVbUGuDhHcyKl"

    @property
    def connection_name(self) -> str:
        return f"{self.tracking_plan_name}/source-connections/{self.source}"

    @property
    def access_token_name(self) -> str:
        return f"access-tokens/{self.access_token_id}"


def example_requests(targets: Targets = Targets()) -> Mapping[str, Message]:
    """A request for every contract method, naming `targets`."""
    t = targets
    workspace = f"workspaces/{t.workspace}"
    update_source = sources_pb2.UpdateSourceRequest(
        source=sources_pb2.Source(name=t.source_name, display_name="x")
    )
    update_source.update_mask.paths.append("source.display_name")
    update_destination = destinations_pb2.UpdateDestinationRequest(
        destination=destinations_pb2.Destination(name=t.destination_name, enabled=True)
    )
    update_destination.update_mask.paths.append("destination.enabled")
    update_plan = tracking_plans_pb2.UpdateTrackingPlanRequest(tracking_plan=tracking_plan("x"))
    update_plan.tracking_plan.name = t.tracking_plan_name
    update_plan.update_mask.paths.append("tracking_plan.display_name")
    new_token = access_tokens_pb2.AccessToken(
        description="example", scopes="workspace:read", workspace_names=[workspace]
    )
    update_schema = sources_pb2.UpdateSchemaConfigRequest(
        schema_config=sources_pb2.SchemaConfig(name=f"{t.source_name}/schema-config")
    )
    update_schema.update_mask.paths.append("schema_config.allow_unplanned_track_events")
    new_filter = destination_filters_pb2.DestinationFilter(title="t", **{"if": "all"})
    update_filter = destination_filters_pb2.UpdateDestinationFilterRequest(filter=new_filter)
    update_filter.filter.name = t.filter_name
    update_filter.update_mask.paths.append("title")
    plan = t.tracking_plan_name
    requests: dict[str, Message] = {
        "ListWorkspaces": workspaces_pb2.ListWorkspacesRequest(),
        "GetWorkspace": workspaces_pb2.GetWorkspaceRequest(name=workspace),
        "ListSources": sources_pb2.ListSourcesRequest(parent=workspace),
        "GetSource": sources_pb2.GetSourceRequest(name=t.source_name),
        "CreateSource": create_source_request(t.source, t.workspace),
        "UpdateSource": update_source,
        "DeleteSource": sources_pb2.DeleteSourceRequest(name=t.source_name),
        "ListDestinations": destinations_pb2.ListDestinationsRequest(parent=t.source_name),
        "GetDestination": destinations_pb2.GetDestinationRequest(name=t.destination_name),
        "CreateDestination": create_destination_request(
            t.source, t.destination, workspace=t.workspace
        ),
        "UpdateDestination": update_destination,
        "DeleteDestination": destinations_pb2.DeleteDestinationRequest(name=t.destination_name),
        "ListTrackingPlans": tracking_plans_pb2.ListTrackingPlansRequest(parent=workspace),
        "GetTrackingPlan": tracking_plans_pb2.GetTrackingPlanRequest(name=t.tracking_plan_name),
        "CreateTrackingPlan": create_tracking_plan_request("Plan", workspace=t.workspace),
        "UpdateTrackingPlan": update_plan,
        "DeleteTrackingPlan": tracking_plans_pb2.DeleteTrackingPlanRequest(
            name=t.tracking_plan_name
        ),
        "ListAccessTokens": access_tokens_pb2.ListAccessTokensRequest(),
        "GetAccessToken": access_tokens_pb2.GetAccessTokenRequest(name=t.access_token_name),
        "CreateAccessToken": access_tokens_pb2.CreateAccessTokenRequest(access_token=new_token),
        "DeleteAccessToken": access_tokens_pb2.DeleteAccessTokenRequest(name=t.access_token_name),
        "ListCatalogSources": catalog_pb2.ListCatalogSourcesRequest(),
        "GetCatalogSource": catalog_pb2.GetCatalogSourceRequest(name="catalog/sources/javascript"),
        "ListCatalogDestinations": catalog_pb2.ListCatalogDestinationsRequest(),
        "GetCatalogDestination": catalog_pb2.GetCatalogDestinationRequest(
            name="catalog/destinations/heap"
        ),
        "GetSchemaConfig": sources_pb2.GetSchemaConfigRequest(
            name=f"{t.source_name}/schema-config"
        ),
        "UpdateSchemaConfig": update_schema,
        "ListDestinationFilters": destination_filters_pb2.ListDestinationFiltersRequest(
            parent=t.destination_name
        ),
        "GetDestinationFilter": destination_filters_pb2.GetDestinationFilterRequest(
            name=t.filter_name
        ),
        "CreateDestinationFilter": destination_filters_pb2.CreateDestinationFilterRequest(
            parent=t.destination_name, filter=new_filter
        ),
        "UpdateDestinationFilter": update_filter,
        "DeleteDestinationFilter": destination_filters_pb2.DeleteDestinationFilterRequest(
            name=t.filter_name
        ),
        "PreviewDestinationFilter": destination_filters_pb2.PreviewDestinationFilterRequest(
            filter=new_filter, input='{"type": "track"}'
        ),
        "ListSourceConnections": tracking_plans_pb2.ListSourceConnectionsRequest(parent=plan),
        "CreateSourceConnection": tracking_plans_pb2.CreateSourceConnectionRequest(
            parent=plan, source_name=t.source_name
        ),
        "BatchCreateSourceConnections": tracking_plans_pb2.BatchCreateSourceConnectionsRequest(
            parent=plan, source_names=[t.source_name]
        ),
        "DeleteSourceConnection": tracking_plans_pb2.DeleteSourceConnectionRequest(
            name=t.connection_name
        ),
    }
    assert set(requests) == ALL_METHODS, "every contract method needs an example request"
    return requests

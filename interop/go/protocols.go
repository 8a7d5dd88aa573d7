// The services issue 15 added, over gRPC from Go: a source's schema config, a destination's
// filter and its preview, and a tracking plan's source connections (SPEC §6.7-§6.9).
package main

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	config "configapi.local/interop/go/configv1beta"
)

// protocols runs on `destination` of `source` in `workspace`, leaving nothing behind.
func protocols(ctx context.Context, conn *grpc.ClientConn, workspace, source, destination string) error {
	if err := schemaConfig(ctx, config.NewSourceServiceClient(conn), source); err != nil {
		return err
	}
	if err := filterLifecycle(ctx, config.NewDestinationFilterServiceClient(conn), destination); err != nil {
		return err
	}
	return connections(ctx, config.NewTrackingPlanServiceClient(conn), workspace, source)
}

func schemaConfig(ctx context.Context, client config.SourceServiceClient, source string) error {
	name := source + "/schema-config"
	got, err := client.GetSchemaConfig(ctx, &config.GetSchemaConfigRequest{Name: name})
	if err != nil || !got.GetAllowUnplannedTrackEvents() || got.GetCommonTrackEventOnViolations() != config.SchemaConfig_ALLOW {
		return fmt.Errorf("GetSchemaConfig: %v %v", got, err)
	}
	updated, err := client.UpdateSchemaConfig(ctx, &config.UpdateSchemaConfigRequest{
		SchemaConfig: &config.SchemaConfig{Name: name, CommonTrackEventOnViolations: config.SchemaConfig_BLOCK},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{
			"schema_config.allow_unplanned_track_events", "schema_config.common_track_event_on_violations",
		}},
	})
	if err != nil || updated.GetAllowUnplannedTrackEvents() || updated.GetCommonTrackEventOnViolations() != config.SchemaConfig_BLOCK {
		return fmt.Errorf("UpdateSchemaConfig: %v %v", updated, err)
	}
	fmt.Println("ok UpdateSchemaConfig", name)
	return nil
}

func filterLifecycle(ctx context.Context, client config.DestinationFilterServiceClient, destination string) error {
	sample := &config.DestinationFilterAction{Type: "sample_event", Percent: 0.25, Path: "userId"}
	created, err := client.CreateDestinationFilter(ctx, &config.CreateDestinationFilterRequest{
		Parent: destination,
		Filter: &config.DestinationFilter{Title: "t", If: "event = 'Order Completed'", Actions: []*config.DestinationFilterAction{sample}},
	})
	if err != nil || !strings.HasPrefix(created.GetName(), destination+"/filters/df_") {
		return fmt.Errorf("CreateDestinationFilter: %v %v", created, err)
	}
	name := created.GetName()
	got, err := client.GetDestinationFilter(ctx, &config.GetDestinationFilterRequest{Name: name})
	if err != nil || got.GetIf() != "event = 'Order Completed'" || got.GetActions()[0].GetPercent() != 0.25 {
		return fmt.Errorf("GetDestinationFilter: %v %v", got, err)
	}
	updated, err := client.UpdateDestinationFilter(ctx, &config.UpdateDestinationFilterRequest{
		Filter:     &config.DestinationFilter{Name: name, If: "all", Enabled: true},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"if", "enabled"}},
	})
	if err != nil || updated.GetIf() != "all" || !updated.GetEnabled() || len(updated.GetActions()) != 1 {
		return fmt.Errorf("UpdateDestinationFilter: %v %v", updated, err)
	}
	list, err := client.ListDestinationFilters(ctx, &config.ListDestinationFiltersRequest{Parent: destination})
	if err != nil || len(list.GetFilters()) != 1 || list.GetFilters()[0].GetName() != name {
		return fmt.Errorf("ListDestinationFilters: %v %v", list, err)
	}
	drop := &config.DestinationFilterAction{Type: "drop_event"}
	preview, err := client.PreviewDestinationFilter(ctx, &config.PreviewDestinationFilterRequest{
		Filter: &config.DestinationFilter{If: "type = 'track'", Actions: []*config.DestinationFilterAction{drop}, Enabled: true},
		Input:  `{"type": "track", "event": "Order Completed"}`,
	})
	if err != nil || preview.GetOutput() != "" || !strings.HasPrefix(preview.GetDiff(), "-{") {
		return fmt.Errorf("PreviewDestinationFilter: %v %v", preview, err)
	}
	_, err = client.PreviewDestinationFilter(ctx, &config.PreviewDestinationFilterRequest{
		Filter: &config.DestinationFilter{If: "type = "}, Input: "{}",
	})
	if err := expectError(err, codes.InvalidArgument, "INVALID_ARGUMENT"); err != nil {
		return err
	}
	if _, err := client.DeleteDestinationFilter(ctx, &config.DeleteDestinationFilterRequest{Name: name}); err != nil {
		return fmt.Errorf("DeleteDestinationFilter: %w", err)
	}
	fmt.Println("ok DestinationFilter lifecycle and preview", name)
	return nil
}

func connections(ctx context.Context, client config.TrackingPlanServiceClient, workspace, source string) error {
	plan, err := client.CreateTrackingPlan(ctx, &config.CreateTrackingPlanRequest{
		Parent: workspace, TrackingPlan: &config.TrackingPlan{DisplayName: "Go client"},
	})
	if err != nil {
		return fmt.Errorf("CreateTrackingPlan: %w", err)
	}
	planName := plan.GetName()
	planID := planName[strings.LastIndex(planName, "/")+1:]
	connection, err := client.CreateSourceConnection(ctx, &config.CreateSourceConnectionRequest{Parent: planName, SourceName: source})
	if err != nil || connection.GetSourceName() != source || connection.GetTrackingPlanId() != planID {
		return fmt.Errorf("CreateSourceConnection: %v %v", connection, err)
	}
	_, err = client.BatchCreateSourceConnections(ctx, &config.BatchCreateSourceConnectionsRequest{
		Parent: planName, SourceNames: []string{source},
	})
	if err := expectError(err, codes.AlreadyExists, "RESOURCE_ALREADY_EXISTS"); err != nil {
		return err
	}
	list, err := client.ListSourceConnections(ctx, &config.ListSourceConnectionsRequest{Parent: planName})
	if err != nil || len(list.GetConnections()) != 1 {
		return fmt.Errorf("ListSourceConnections: %v %v", list, err)
	}
	slug := source[strings.LastIndex(source, "/")+1:]
	connectionName := planName + "/source-connections/" + slug
	if _, err := client.DeleteSourceConnection(ctx, &config.DeleteSourceConnectionRequest{Name: connectionName}); err != nil {
		return fmt.Errorf("DeleteSourceConnection: %w", err)
	}
	if _, err := client.DeleteTrackingPlan(ctx, &config.DeleteTrackingPlanRequest{Name: planName}); err != nil {
		return fmt.Errorf("DeleteTrackingPlan: %w", err)
	}
	fmt.Println("ok SourceConnection lifecycle", connectionName)
	return nil
}

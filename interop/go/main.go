// Command interop is a Go gRPC client of configapi, built from code generated from proto/ at
// test time (protoc-gen-go, protoc-gen-go-grpc). It creates, gets, lists, updates and deletes a
// source and a destination, runs the schema config, filter and source-connection methods on them
// (protocols.go), then checks one canonical error with its ErrorInfo reason.
//
// Environment: CONFIGAPI_GRPC_ADDRESS (host:port), CONFIGAPI_TOKEN (a write token),
// CONFIGAPI_WORKSPACE (default "demo"). Exit code 0 when every check passes.
package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/structpb"

	config "configapi.local/interop/go/configv1beta"
)

const domain = "config.segmentapis.com"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "go client: FAILED:", err)
		os.Exit(1)
	}
	fmt.Println("go client: all checks passed")
}

func run() error {
	address, token := os.Getenv("CONFIGAPI_GRPC_ADDRESS"), os.Getenv("CONFIGAPI_TOKEN")
	if address == "" || token == "" {
		return fmt.Errorf("set CONFIGAPI_GRPC_ADDRESS and CONFIGAPI_TOKEN")
	}
	workspace := "workspaces/" + envOr("CONFIGAPI_WORKSPACE", "demo")
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)

	sources := config.NewSourceServiceClient(conn)
	source, err := sourceLifecycle(ctx, sources, workspace)
	if err != nil {
		return err
	}
	withDestination := func(destination string) error {
		return protocols(ctx, conn, workspace, source, destination)
	}
	if err := destinationLifecycle(ctx, config.NewDestinationServiceClient(conn), source, withDestination); err != nil {
		return err
	}
	if _, err := sources.DeleteSource(ctx, &config.DeleteSourceRequest{Name: source}); err != nil {
		return fmt.Errorf("DeleteSource: %w", err)
	}
	fmt.Println("ok DeleteSource", source)
	_, err = sources.GetSource(ctx, &config.GetSourceRequest{Name: source})
	return expectError(err, codes.NotFound, "RESOURCE_NOT_FOUND")
}

// sourceLifecycle creates, gets, lists and updates a source; it returns the source's name.
func sourceLifecycle(ctx context.Context, client config.SourceServiceClient, workspace string) (string, error) {
	name := workspace + "/sources/go-client"
	created, err := client.CreateSource(ctx, &config.CreateSourceRequest{
		Parent: workspace,
		Source: &config.Source{Name: name, CatalogName: "catalog/sources/javascript"},
	})
	if err != nil {
		return "", fmt.Errorf("CreateSource: %w", err)
	}
	if created.GetName() != name || len(created.GetWriteKeys()) != 1 || created.GetLibraryConfig() == nil {
		return "", fmt.Errorf("CreateSource returned %v", created)
	}
	fmt.Println("ok CreateSource", name)

	got, err := client.GetSource(ctx, &config.GetSourceRequest{Name: name})
	if err != nil || got.GetCatalogName() != "catalog/sources/javascript" {
		return "", fmt.Errorf("GetSource: %v %v", got, err)
	}
	fmt.Println("ok GetSource", name)

	list, err := client.ListSources(ctx, &config.ListSourcesRequest{Parent: workspace, PageSize: 100})
	if err != nil {
		return "", fmt.Errorf("ListSources: %w", err)
	}
	if !slices.ContainsFunc(list.GetSources(), func(s *config.Source) bool { return s.GetName() == name }) {
		return "", fmt.Errorf("ListSources does not hold %s", name)
	}
	fmt.Println("ok ListSources", len(list.GetSources()))

	updated, err := client.UpdateSource(ctx, &config.UpdateSourceRequest{
		Source:     &config.Source{Name: name, DisplayName: "Go client"},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"source.display_name"}},
	})
	if err != nil || updated.GetDisplayName() != "Go client" {
		return "", fmt.Errorf("UpdateSource: %v %v", updated, err)
	}
	fmt.Println("ok UpdateSource", updated.GetDisplayName())
	return name, nil
}

// destinationLifecycle creates, gets, lists, updates and deletes a destination of `source`,
// running `during` on it before the delete.
func destinationLifecycle(ctx context.Context, client config.DestinationServiceClient, source string, during func(string) error) error {
	name := source + "/destinations/webhooks"
	hooks, err := structpb.NewValue([]any{"https://example.com/hook"})
	if err != nil {
		return err
	}
	created, err := client.CreateDestination(ctx, &config.CreateDestinationRequest{
		Parent: source,
		Destination: &config.Destination{
			Name:           name,
			ConnectionMode: config.Destination_CLOUD,
			Config:         []*config.DestinationConfig{{Name: name + "/config/hooks", Value: hooks}},
		},
	})
	if err != nil {
		return fmt.Errorf("CreateDestination: %w", err)
	}
	if created.GetEnabled() || len(created.GetConfig()) != 1 || created.GetConfig()[0].GetType() == "" {
		return fmt.Errorf("CreateDestination returned %v", created)
	}
	fmt.Println("ok CreateDestination", name)

	got, err := client.GetDestination(ctx, &config.GetDestinationRequest{Name: name})
	if err != nil || got.GetConnectionMode() != config.Destination_CLOUD {
		return fmt.Errorf("GetDestination: %v %v", got, err)
	}
	fmt.Println("ok GetDestination", name)

	list, err := client.ListDestinations(ctx, &config.ListDestinationsRequest{Parent: source})
	if err != nil || len(list.GetDestinations()) != 1 || list.GetNextPageToken() != "" {
		return fmt.Errorf("ListDestinations: %v %v", list, err)
	}
	fmt.Println("ok ListDestinations", len(list.GetDestinations()))

	updated, err := client.UpdateDestination(ctx, &config.UpdateDestinationRequest{
		Destination: &config.Destination{Name: name, Enabled: true},
		UpdateMask:  &fieldmaskpb.FieldMask{Paths: []string{"destination.enabled"}},
	})
	if err != nil || !updated.GetEnabled() {
		return fmt.Errorf("UpdateDestination: %v %v", updated, err)
	}
	fmt.Println("ok UpdateDestination enabled")
	if err := during(name); err != nil {
		return err
	}

	if _, err := client.DeleteDestination(ctx, &config.DeleteDestinationRequest{Name: name}); err != nil {
		return fmt.Errorf("DeleteDestination: %w", err)
	}
	fmt.Println("ok DeleteDestination", name)
	return nil
}

// expectError checks a call failed with `code` and an ErrorInfo of `reason` in our domain.
func expectError(err error, code codes.Code, reason string) error {
	st, ok := status.FromError(err)
	if !ok || st.Code() != code {
		return fmt.Errorf("want %v, got %v", code, err)
	}
	for _, detail := range st.Details() {
		if info, ok := detail.(*errdetails.ErrorInfo); ok {
			if info.GetReason() != reason || info.GetDomain() != domain {
				return fmt.Errorf("want ErrorInfo %s/%s, got %v", domain, reason, info)
			}
			fmt.Printf("ok error %s %s\n", st.Code(), info.GetReason())
			return nil
		}
	}
	return fmt.Errorf("%v carries no ErrorInfo", st.Proto())
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

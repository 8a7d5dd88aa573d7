// Command terraform drives configapi over REST the way the Terraform providers of the Config API
// do (forteilgmbh and uswitch terraform-provider-segment, through ajbosco/segment-config-go): Go's
// net/http and encoding/json into plain structs, a trailing slash on every URL, a `{}` body with
// Content-Type on every call, and List calls without page_size that never follow next_page_token.
//
// The call sequence is a provider's apply then destroy: create sources, a destination with config,
// the schema config of a source and a filter of the destination (protocols.go), tracking plans,
// connect a source to a plan (-connect), read everything back by listing (more
// than 10 of each, so that a default page of 10 would drop some from the provider's state) and,
// with -connect, find each source's plan by listing every plan's connections (uswitch's provider
// reads a source so), disconnect the source, then delete it all and check that the listings no
// longer hold it.
//
// Flags: -url (REST base URL), -token (a write token), -workspace, -count (sources and plans),
// -connect (run the source-connection steps). Exit code 0 when every step passes.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

// The plain structs a provider's client decodes into (segment-config-go's types.go).
type Source struct {
	Name          string            `json:"name,omitempty"`
	CatalogName   string            `json:"catalog_name,omitempty"`
	Parent        string            `json:"parent,omitempty"`
	WriteKeys     []string          `json:"write_keys,omitempty"`
	LibraryConfig *LibraryConfig    `json:"library_config,omitempty"`
	Labels        map[string]string `json:"labels,omitempty"`
	CreateTime    string            `json:"create_time,omitempty"`
}

type LibraryConfig struct {
	MetricsEnabled       bool   `json:"metrics_enabled"`
	RetryQueue           bool   `json:"retry_queue"`
	CrossDomainIDEnabled bool   `json:"cross_domain_id_enabled"`
	APIHost              string `json:"api_host"`
}

type Destination struct {
	Name           string              `json:"name,omitempty"`
	Parent         string              `json:"parent,omitempty"`
	DisplayName    string              `json:"display_name,omitempty"`
	Enabled        bool                `json:"enabled"`
	ConnectionMode string              `json:"connection_mode,omitempty"`
	Configs        []DestinationConfig `json:"config,omitempty"`
	CreateTime     string              `json:"create_time,omitempty"`
	UpdateTime     string              `json:"update_time,omitempty"`
}

type DestinationConfig struct {
	Name        string      `json:"name"`
	DisplayName string      `json:"display_name,omitempty"`
	Value       interface{} `json:"value"`
	Type        string      `json:"type,omitempty"`
}

type TrackingPlan struct {
	Name        string `json:"name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	Rules       Rules  `json:"rules,omitempty"`
	CreateTime  string `json:"create_time,omitempty"`
	UpdateTime  string `json:"update_time,omitempty"`
}

type Rules struct {
	Global   map[string]interface{} `json:"global,omitempty"`
	Identify map[string]interface{} `json:"identify,omitempty"`
	Group    map[string]interface{} `json:"group,omitempty"`
	Events   []Event                `json:"events,omitempty"`
}

type Event struct {
	Name        string                 `json:"name"`
	Description string                 `json:"description,omitempty"`
	Version     int                    `json:"version,omitempty"`
	Rules       map[string]interface{} `json:"rules,omitempty"`
}

type Connection struct {
	SourceName     string `json:"source_name"`
	TrackingPlanID string `json:"tracking_plan_id,omitempty"`
}

type client struct {
	base, token string
	http        *http.Client
}

func main() {
	base := flag.String("url", "", "REST base URL, e.g. http://127.0.0.1:8080")
	token := flag.String("token", "", "a write token of the workspace")
	workspace := flag.String("workspace", "demo", "workspace slug")
	count := flag.Int("count", 12, "sources and tracking plans to create (above 10 on purpose)")
	connect := flag.Bool("connect", false, "connect a source to a tracking plan (SPEC §6.9)")
	flag.Parse()
	if *base == "" || *token == "" {
		fmt.Fprintln(os.Stderr, "terraform flow: -url and -token are required")
		os.Exit(2)
	}
	c := &client{strings.TrimRight(*base, "/"), *token, &http.Client{Timeout: 30 * time.Second}}
	if err := apply(c, "workspaces/"+*workspace, *count, *connect); err != nil {
		fmt.Fprintln(os.Stderr, "terraform flow: FAILED:", err)
		os.Exit(1)
	}
	fmt.Println("terraform flow: all steps passed")
}

// call sends one request as the clients do, with the trailing slash they add to most URLs, and
// decodes a 200 response into out.
func (c *client) call(method, path string, in, out interface{}) error {
	data, err := c.send(method, path+"/", in)
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// send sends one request to /v1beta/<path> exactly (the source-connection calls of
// segment-config-go have no trailing slash) and returns the body of a 200 response.
func (c *client) send(method, path string, in interface{}) ([]byte, error) {
	body := []byte("{}")
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return nil, err
		}
	}
	request, err := http.NewRequest(method, c.base+"/v1beta/"+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	request.Header.Set("Authorization", "Bearer "+c.token)
	request.Header.Set("Content-Type", "application/json")
	response, err := c.http.Do(request)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	data, err := io.ReadAll(response.Body)
	if err != nil {
		return nil, err
	}
	if response.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, response.StatusCode, data)
	}
	return data, nil
}

func apply(c *client, workspace string, count int, connect bool) error {
	sources, err := createSources(c, workspace, count)
	if err != nil {
		return err
	}
	destination, err := createDestination(c, sources[0])
	if err != nil {
		return err
	}
	if err := configureSchema(c, sources[0], sources[1]); err != nil {
		return err
	}
	filter, err := manageFilter(c, destination)
	if err != nil {
		return err
	}
	plans, err := createPlans(c, workspace, count)
	if err != nil {
		return err
	}
	if connect {
		if err := connectSource(c, plans[0], sources[0]); err != nil {
			return err
		}
	}
	if err := readBack(c, workspace, sources, plans, destination); err != nil {
		return err
	}
	if connect {
		if err := findPlanOfEachSource(c, workspace, sources, plans[0]); err != nil {
			return err
		}
		if err := disconnectSource(c, plans[0], sources[0]); err != nil {
			return err
		}
	}
	if err := deleteFilter(c, destination, filter); err != nil {
		return err
	}
	return destroy(c, workspace, sources, plans, destination)
}

func createSources(c *client, workspace string, count int) ([]string, error) {
	var names []string
	for i := 0; i < count; i++ {
		name := fmt.Sprintf("%s/sources/tf-source-%02d", workspace, i)
		in := map[string]Source{"source": {Name: name, CatalogName: "catalog/sources/javascript"}}
		var out Source
		if err := c.call("POST", workspace+"/sources", in, &out); err != nil {
			return nil, err
		}
		if out.Name != name || len(out.WriteKeys) != 1 || out.LibraryConfig == nil {
			return nil, fmt.Errorf("created source %+v", out)
		}
		names = append(names, name)
	}
	fmt.Println("ok created", count, "sources")
	return names, nil
}

func createDestination(c *client, source string) (string, error) {
	name := source + "/destinations/amplitude"
	config := []DestinationConfig{
		{Name: name + "/config/apiKey", Value: "0123456789abcdef0123456789abcdef", Type: "string"},
		{Name: name + "/config/trackAllPages", Value: true, Type: "boolean"},
		{Name: name + "/config/eventUploadThreshold", Value: 30, Type: "number"},
		{Name: name + "/config/traitsToIncrement", Value: []string{"logins"}, Type: "list"},
	}
	in := map[string]Destination{"destination": {
		Name: name, Enabled: true, ConnectionMode: "CLOUD", Configs: config,
	}}
	var out Destination
	if err := c.call("POST", source+"/destinations", in, &out); err != nil {
		return "", err
	}
	if out.Name != name || !out.Enabled || len(out.Configs) != len(config) {
		return "", fmt.Errorf("created destination %+v", out)
	}
	fmt.Println("ok created destination", name, "with", len(out.Configs), "settings")
	return name, nil
}

func createPlans(c *client, workspace string, count int) ([]string, error) {
	var names []string
	for i := 0; i < count; i++ {
		rules := Rules{
			Global: map[string]interface{}{"type": "object"},
			Events: []Event{{Name: "Order Completed", Version: 1, Rules: map[string]interface{}{
				"type": "object", "properties": map[string]interface{}{
					"properties": map[string]interface{}{"type": "object", "required": []string{"total"}},
				},
			}}},
		}
		in := map[string]TrackingPlan{"tracking_plan": {DisplayName: fmt.Sprintf("TF plan %02d", i), Rules: rules}}
		var out TrackingPlan
		if err := c.call("POST", workspace+"/tracking-plans", in, &out); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(out.Name, workspace+"/tracking-plans/rs_") || len(out.Rules.Events) != 1 {
			return nil, fmt.Errorf("created tracking plan %+v", out)
		}
		names = append(names, out.Name)
	}
	fmt.Println("ok created", count, "tracking plans")
	return names, nil
}

// connectSource is segment-config-go's CreateTrackingPlanSourceConnection then
// ListTrackingPlanSources: `{"source_name": ...}` to the plan's source-connections (no trailing
// slash), the bare connection back (SPEC §6.9), then the plan's connections listed.
func connectSource(c *client, plan, source string) error {
	data, err := c.send("POST", plan+"/source-connections", map[string]string{"source_name": source})
	if err != nil {
		return err
	}
	var out Connection
	if err := json.Unmarshal(data, &out); err != nil {
		return fmt.Errorf("connection answer %s: %w", data, err)
	}
	if out.SourceName != source || out.TrackingPlanID != idOf(plan) {
		return fmt.Errorf("connection %+v", out)
	}
	listed, err := listConnections(c, plan)
	if err != nil {
		return err
	}
	if len(listed) != 1 || listed[0] != out {
		return fmt.Errorf("listed connections %+v", listed)
	}
	fmt.Println("ok connected", source, "to", plan)
	return nil
}

func listConnections(c *client, plan string) ([]Connection, error) {
	var listed struct {
		Connections []Connection `json:"connections"`
	}
	data, err := c.send("GET", plan+"/source-connections", nil)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &listed); err != nil {
		return nil, fmt.Errorf("connections answer %s: %w", data, err)
	}
	return listed.Connections, nil
}

// findPlanOfEachSource reads sources as uswitch's provider does: it lists the tracking plans,
// then each plan's connections, to find the plan of a source (there is no other way to ask).
func findPlanOfEachSource(c *client, workspace string, sources []string, plan string) error {
	var listedPlans struct {
		TrackingPlans []TrackingPlan `json:"tracking_plans"`
	}
	if err := c.call("GET", workspace+"/tracking-plans", nil, &listedPlans); err != nil {
		return err
	}
	planOf := map[string]string{}
	for _, p := range listedPlans.TrackingPlans {
		connections, err := listConnections(c, p.Name)
		if err != nil {
			return err
		}
		for _, connection := range connections {
			if connection.TrackingPlanID != idOf(p.Name) {
				return fmt.Errorf("plan %s lists connection %+v", p.Name, connection)
			}
			planOf[connection.SourceName] = p.Name
		}
	}
	for i, source := range sources {
		want := ""
		if i == 0 {
			want = plan
		}
		if planOf[source] != want {
			return fmt.Errorf("source %s found connected to %q, not %q", source, planOf[source], want)
		}
	}
	fmt.Println("ok listed connections of", len(listedPlans.TrackingPlans), "tracking plans: only", sources[0], "is connected")
	return nil
}

// disconnectSource is DeleteTrackingPlanSourceConnection: the source's slug under the plan, and
// the client fails unless the body is exactly `{}`.
func disconnectSource(c *client, plan, source string) error {
	data, err := c.send("DELETE", plan+"/source-connections/"+idOf(source), nil)
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(data)) != "{}" {
		return fmt.Errorf("disconnect answered %s, not {}", data)
	}
	listed, err := listConnections(c, plan)
	if err != nil {
		return err
	}
	if len(listed) != 0 {
		return fmt.Errorf("connections still listed after the disconnect: %+v", listed)
	}
	fmt.Println("ok disconnected", source, "from", plan)
	return nil
}

// idOf is the last segment of a resource name: a plan's `rs_` id, a source's slug.
func idOf(name string) string {
	return name[strings.LastIndex(name, "/")+1:]
}

// readBack lists as a provider refreshes its state: one List call each, no page_size.
func readBack(c *client, workspace string, sources, plans []string, destination string) error {
	var listedSources struct {
		Sources []Source `json:"sources"`
	}
	if err := c.call("GET", workspace+"/sources", nil, &listedSources); err != nil {
		return err
	}
	if err := holdsAll("sources", names(listedSources.Sources, func(s Source) string { return s.Name }), sources); err != nil {
		return err
	}
	var listedPlans struct {
		TrackingPlans []TrackingPlan `json:"tracking_plans"`
	}
	if err := c.call("GET", workspace+"/tracking-plans", nil, &listedPlans); err != nil {
		return err
	}
	if err := holdsAll("tracking plans", names(listedPlans.TrackingPlans, func(p TrackingPlan) string { return p.Name }), plans); err != nil {
		return err
	}
	var listedDestinations struct {
		Destinations []Destination `json:"destinations"`
	}
	if err := c.call("GET", sources[0]+"/destinations", nil, &listedDestinations); err != nil {
		return err
	}
	if len(listedDestinations.Destinations) != 1 || listedDestinations.Destinations[0].Name != destination {
		return fmt.Errorf("listed destinations %+v", listedDestinations.Destinations)
	}
	threshold := listedDestinations.Destinations[0].Configs
	if !slices.ContainsFunc(threshold, func(d DestinationConfig) bool { return d.Value == float64(30) }) {
		return fmt.Errorf("destination config read back as %+v", threshold)
	}
	fmt.Println("ok listed", len(sources), "sources,", len(plans), "tracking plans and the destination")
	return nil
}

func destroy(c *client, workspace string, sources, plans []string, destination string) error {
	for _, name := range append(append([]string{destination}, plans...), sources...) {
		var out map[string]interface{}
		if err := c.call("DELETE", name, nil, &out); err != nil {
			return err
		}
		if len(out) != 0 {
			return fmt.Errorf("DELETE %s answered %v, not {}", name, out)
		}
	}
	var listedSources struct {
		Sources []Source `json:"sources"`
	}
	if err := c.call("GET", workspace+"/sources", nil, &listedSources); err != nil {
		return err
	}
	for _, source := range listedSources.Sources {
		if slices.Contains(sources, source.Name) {
			return fmt.Errorf("%s still listed after its deletion", source.Name)
		}
	}
	var listedPlans struct {
		TrackingPlans []TrackingPlan `json:"tracking_plans"`
	}
	if err := c.call("GET", workspace+"/tracking-plans", nil, &listedPlans); err != nil {
		return err
	}
	if len(listedPlans.TrackingPlans) != 0 {
		return fmt.Errorf("tracking plans still listed after deletion: %d", len(listedPlans.TrackingPlans))
	}
	fmt.Println("ok deleted everything")
	return nil
}

func names[T any](items []T, name func(T) string) []string {
	var out []string
	for _, item := range items {
		out = append(out, name(item))
	}
	return out
}

func holdsAll(what string, listed, created []string) error {
	for _, name := range created {
		if !slices.Contains(listed, name) {
			return fmt.Errorf("%s: %s missing from a listing of %d (a provider would recreate it)", what, name, len(listed))
		}
	}
	return nil
}

// The schema config and destination-filter steps of forteilgmbh's provider (its
// source_schema_config and destination_filter resources), with the bodies segment-config-go
// sends for them (SPEC §6.7, §6.8).
package main

import (
	"fmt"
	"reflect"
	"strings"
)

// SchemaConfig is the client's SourceConfig: every field omitempty, so false and "" are never
// sent, while its update mask names twelve fields; SPEC §5 rule 2 makes a masked field that is
// absent from the body its empty value.
type SchemaConfig struct {
	Name                               string `json:"name,omitempty"`
	Parent                             string `json:"parent,omitempty"`
	AllowUnplannedTrackEvents          bool   `json:"allow_unplanned_track_events,omitempty"`
	AllowUnplannedIdentifyTraits       bool   `json:"allow_unplanned_identify_traits,omitempty"`
	AllowUnplannedGroupTraits          bool   `json:"allow_unplanned_group_traits,omitempty"`
	AllowTrackEventOnViolations        bool   `json:"allow_track_event_on_violations,omitempty"`
	AllowIdentifyTraitsOnViolations    bool   `json:"allow_identify_traits_on_violations,omitempty"`
	AllowGroupTraitsOnViolations       bool   `json:"allow_group_traits_on_violations,omitempty"`
	AllowUnplannedTrackEventProperties bool   `json:"allow_unplanned_track_event_properties,omitempty"`
	AllowTrackPropertiesOnViolations   bool   `json:"allow_track_properties_on_violations,omitempty"`
	ForwardingBlockedEventsTo          string `json:"forwarding_blocked_events_to,omitempty"`
	ForwardingViolationsTo             string `json:"forwarding_violations_to,omitempty"`
	CommonTrackEventOnViolations       string `json:"common_track_event_on_violations,omitempty"`
	CommonIdentifyEventOnViolations    string `json:"common_identify_event_on_violations,omitempty"`
	CommonGroupEventOnViolations       string `json:"common_group_event_on_violations,omitempty"`
}

type UpdateMask struct {
	Paths []string `json:"paths"`
}

// The twelve paths the client's UpdateSourceConfig always sends (not
// allow_track_properties_on_violations: that field keeps its value).
var schemaConfigPaths = []string{
	"schema_config.allow_unplanned_track_events",
	"schema_config.allow_unplanned_identify_traits",
	"schema_config.allow_unplanned_group_traits",
	"schema_config.forwarding_blocked_events_to",
	"schema_config.allow_unplanned_track_event_properties",
	"schema_config.allow_track_event_on_violations",
	"schema_config.allow_identify_traits_on_violations",
	"schema_config.allow_group_traits_on_violations",
	"schema_config.forwarding_violations_to",
	"schema_config.common_track_event_on_violations",
	"schema_config.common_identify_event_on_violations",
	"schema_config.common_group_event_on_violations",
}

// configureSchema reads the defaults every source has, then updates them as the provider does.
func configureSchema(c *client, source, forwardTo string) error {
	var current SchemaConfig
	if err := c.call("GET", source+"/schema-config", nil, &current); err != nil {
		return err
	}
	defaults := SchemaConfig{
		Name: source + "/schema-config", Parent: source, AllowUnplannedTrackEvents: true,
		AllowUnplannedIdentifyTraits: true, AllowUnplannedGroupTraits: true,
		AllowTrackEventOnViolations: true, AllowIdentifyTraitsOnViolations: true,
		AllowGroupTraitsOnViolations: true, AllowUnplannedTrackEventProperties: true,
		AllowTrackPropertiesOnViolations: true, CommonTrackEventOnViolations: "ALLOW",
		CommonIdentifyEventOnViolations: "ALLOW", CommonGroupEventOnViolations: "ALLOW",
	}
	if current != defaults {
		return fmt.Errorf("schema config of a new source: %+v", current)
	}
	wanted := defaults
	wanted.Name, wanted.Parent = "", "" // the provider sends neither
	wanted.AllowUnplannedTrackEvents = false
	wanted.AllowTrackPropertiesOnViolations = false // not in the mask: stays true
	wanted.ForwardingViolationsTo = idOf(forwardTo)
	wanted.CommonTrackEventOnViolations = "BLOCK"
	wanted.CommonIdentifyEventOnViolations = "OMIT_TRAITS"
	wanted.CommonGroupEventOnViolations = "" // omitted, but masked: back to ALLOW
	in := map[string]interface{}{"schema_config": wanted, "update_mask": UpdateMask{schemaConfigPaths}}
	var updated SchemaConfig
	if err := c.call("PATCH", source+"/schema-config", in, &updated); err != nil {
		return err
	}
	expected := wanted
	expected.Name, expected.Parent = defaults.Name, defaults.Parent
	expected.AllowTrackPropertiesOnViolations = true
	expected.CommonGroupEventOnViolations = "ALLOW"
	var read SchemaConfig
	if err := c.call("GET", source+"/schema-config", nil, &read); err != nil {
		return err
	}
	if updated != expected || read != expected {
		return fmt.Errorf("schema config updated to %+v, read back as %+v, not %+v", updated, read, expected)
	}
	fmt.Println("ok updated the schema config of", source, "with the client's 12 paths")
	return nil
}

// Filter is the client's DestinationFilter: no omitempty, so `name` and `description` go out
// empty on create. Actions are its tagged union, written as the client writes each kind.
type Filter struct {
	Name        string         `json:"name"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	If          string         `json:"if"`
	Actions     []FilterAction `json:"actions"`
	Enabled     bool           `json:"enabled"`
}

type FilterAction struct {
	Type    string       `json:"type"`
	Percent float32      `json:"percent,omitempty"`
	Path    string       `json:"path,omitempty"`
	Fields  *EventFields `json:"fields,omitempty"`
}

type EventFields struct {
	Context    *FieldList `json:"context,omitempty"`
	Traits     *FieldList `json:"traits,omitempty"`
	Properties *FieldList `json:"properties,omitempty"`
}

type FieldList struct {
	Fields []string `json:"fields"`
}

// The client sends this mask with every create and update: unprefixed paths (SPEC §6.8).
var filterMask = UpdateMask{[]string{"if", "actions", "title", "description", "enabled"}}

// manageFilter creates, reads, updates and lists a filter of the destination; its name back.
func manageFilter(c *client, destination string) (string, error) {
	created := Filter{
		Title: "Sample track", If: "type = 'track' and properties.total > 10",
		Actions: []FilterAction{
			{Type: "sample_event", Percent: 0.1, Path: "userId"},
			{Type: "blacklist_fields", Fields: &EventFields{Properties: &FieldList{[]string{"email"}}}},
		},
		Enabled: true,
	}
	var out Filter
	in := map[string]interface{}{"filter": created, "update_mask": filterMask}
	if err := c.call("POST", destination+"/filters", in, &out); err != nil {
		return "", err
	}
	if !strings.HasPrefix(out.Name, destination+"/filters/df_") || !sameFilter(out, created) {
		return "", fmt.Errorf("created filter %+v", out)
	}
	var read Filter
	if err := c.call("GET", out.Name, nil, &read); err != nil || !reflect.DeepEqual(read, out) {
		return "", fmt.Errorf("filter read back as %+v (%v), not %+v", read, err, out)
	}
	changed := out
	changed.If, changed.Enabled = "all", false
	changed.Actions = []FilterAction{{Type: "drop_event"}}
	in = map[string]interface{}{"filter": changed, "update_mask": filterMask}
	var updated Filter
	if err := c.call("PATCH", out.Name, in, &updated); err != nil {
		return "", err
	}
	if updated.Name != out.Name || !sameFilter(updated, changed) {
		return "", fmt.Errorf("filter updated to %+v", updated)
	}
	var listed struct {
		Filters []Filter `json:"filters"`
	}
	if err := c.call("GET", destination+"/filters", nil, &listed); err != nil {
		return "", err
	}
	if len(listed.Filters) != 1 || !reflect.DeepEqual(listed.Filters[0], updated) {
		return "", fmt.Errorf("listed filters %+v", listed.Filters)
	}
	fmt.Println("ok created, updated and listed filter", out.Name)
	return out.Name, nil
}

// sameFilter compares what a client sets; the response also carries `percent` and `path` on
// every action (zero values are always emitted, SPEC §1), which decode to the same zero values.
func sameFilter(got, sent Filter) bool {
	got.Name, sent.Name = "", ""
	return reflect.DeepEqual(got, sent)
}

// deleteFilter is the provider destroying the filter before its destination.
func deleteFilter(c *client, destination, filter string) error {
	if err := c.call("DELETE", filter, nil, nil); err != nil {
		return err
	}
	var listed struct {
		Filters []Filter `json:"filters"`
	}
	if err := c.call("GET", destination+"/filters", nil, &listed); err != nil {
		return err
	}
	if len(listed.Filters) != 0 {
		return fmt.Errorf("filters still listed after deletion: %+v", listed.Filters)
	}
	fmt.Println("ok deleted filter", filter)
	return nil
}

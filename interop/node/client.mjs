// A JavaScript gRPC client of configapi: @grpc/grpc-js with the protos loaded from proto/ at run
// time by @grpc/proto-loader. It creates, gets, lists, updates and deletes a source and a
// destination, runs the schema config, filter (with a preview) and source-connection methods on
// them, then checks one canonical error with its ErrorInfo reason (decoded from the
// `grpc-status-details-bin` trailer with protobufjs).
//
// Environment: CONFIGAPI_GRPC_ADDRESS (host:port), CONFIGAPI_TOKEN (a write token),
// CONFIGAPI_WORKSPACE (default "demo"), CONFIGAPI_PROTO_PATH (include directories, separated by
// ":": proto/, the one holding google/api and google/rpc, the one holding google/protobuf).
// Exit code 0 when every check passes. Run by tests/interop/test_node_client.py.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import protobuf from "protobufjs";

const DOMAIN = "config.segmentapis.com";
const PACKAGE = "segment.config.v1beta";

const address = process.env.CONFIGAPI_GRPC_ADDRESS;
const token = process.env.CONFIGAPI_TOKEN;
const includeDirs = (process.env.CONFIGAPI_PROTO_PATH ?? "").split(":").filter(Boolean);
const workspace = `workspaces/${process.env.CONFIGAPI_WORKSPACE || "demo"}`;
assert.ok(address && token && includeDirs.length, "set CONFIGAPI_GRPC_ADDRESS, CONFIGAPI_TOKEN, CONFIGAPI_PROTO_PATH");

// snake_case field names, enums by name, as the protos declare them
const definition = protoLoader.loadSync(
  ["sources", "destinations", "destination_filters", "tracking_plans"].map(
    (file) => `segment/config/v1beta/${file}.proto`,
  ),
  { includeDirs, keepCase: true, enums: String, longs: String, defaults: true, oneofs: true },
);
const api = grpc.loadPackageDefinition(definition).segment.config.v1beta;
const credentials = grpc.credentials.createInsecure();
const sources = new api.SourceService(address, credentials);
const destinations = new api.DestinationService(address, credentials);
const filters = new api.DestinationFilterService(address, credentials);
const plans = new api.TrackingPlanService(address, credentials);

const metadata = new grpc.Metadata();
metadata.set("authorization", `Bearer ${token}`);

/** A unary call as a promise. */
function call(client, method, request) {
  const deadline = new Date(Date.now() + 30_000);
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** google.rpc.Status and its details, for decoding the status trailer. */
function loadStatusTypes() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    includeDirs.map((dir) => path.join(dir, target)).find((file) => fs.existsSync(file)) ?? target;
  root.loadSync(["google/rpc/status.proto", "google/rpc/error_details.proto"], { keepCase: true });
  return { Status: root.lookupType("google.rpc.Status"), ErrorInfo: root.lookupType("google.rpc.ErrorInfo") };
}

async function sourceLifecycle() {
  const name = `${workspace}/sources/node-client`;
  const created = await call(sources, "CreateSource", {
    parent: workspace,
    source: { name, catalog_name: "catalog/sources/javascript" },
  });
  assert.equal(created.name, name);
  assert.equal(created.write_keys.length, 1);
  assert.ok(created.library_config, "library_config is always present");
  console.log("ok CreateSource", name);

  const got = await call(sources, "GetSource", { name });
  assert.equal(got.catalog_name, "catalog/sources/javascript");
  console.log("ok GetSource", name);

  const list = await call(sources, "ListSources", { parent: workspace, page_size: 100 });
  assert.ok(list.sources.some((source) => source.name === name));
  console.log("ok ListSources", list.sources.length);

  const updated = await call(sources, "UpdateSource", {
    source: { name, display_name: "Node client" },
    update_mask: { paths: ["source.display_name"] },
  });
  assert.equal(updated.display_name, "Node client");
  console.log("ok UpdateSource", updated.display_name);
  return name;
}

async function destinationLifecycle(source, during) {
  const name = `${source}/destinations/webhooks`;
  // google.protobuf.* come from protobufjs's built-in copies, whose field names are camelCase
  const hooks = { listValue: { values: [{ stringValue: "https://example.com/hook" }] } };
  const created = await call(destinations, "CreateDestination", {
    parent: source,
    destination: { name, connection_mode: "CLOUD", config: [{ name: `${name}/config/hooks`, value: hooks }] },
  });
  assert.equal(created.enabled, false);
  assert.equal(created.config.length, 1);
  assert.ok(created.config[0].type, "the server fills the setting type");
  console.log("ok CreateDestination", name);

  const got = await call(destinations, "GetDestination", { name });
  assert.equal(got.connection_mode, "CLOUD");
  console.log("ok GetDestination", name);

  const list = await call(destinations, "ListDestinations", { parent: source });
  assert.deepEqual(list.destinations.map((d) => d.name), [name]);
  assert.equal(list.next_page_token, "");
  console.log("ok ListDestinations", list.destinations.length);

  const updated = await call(destinations, "UpdateDestination", {
    destination: { name, enabled: true },
    update_mask: { paths: ["destination.enabled"] },
  });
  assert.equal(updated.enabled, true);
  console.log("ok UpdateDestination enabled");
  await during(name);

  await call(destinations, "DeleteDestination", { name });
  console.log("ok DeleteDestination", name);
}

// The services of SPEC §6.7-§6.9 on the destination and its source; leaves nothing behind.
async function protocols(source, destination) {
  const config = await call(sources, "UpdateSchemaConfig", {
    schema_config: { name: `${source}/schema-config`, common_identify_event_on_violations: "OMIT_TRAITS" },
    update_mask: { paths: ["schema_config.common_identify_event_on_violations"] },
  });
  assert.equal(config.common_identify_event_on_violations, "OMIT_TRAITS");
  assert.equal(config.allow_unplanned_track_events, true);
  console.log("ok UpdateSchemaConfig", config.name);

  const trim = { type: "whitelist_fields", fields: { properties: { fields: ["total"] } } };
  const filter = await call(filters, "CreateDestinationFilter", {
    parent: destination,
    filter: { title: "Only totals", if: "length(properties.sku) > 3", actions: [trim], enabled: true },
  });
  assert.match(filter.name, new RegExp(`^${destination}/filters/df_[0-9A-Za-z]{27}$`));
  assert.deepEqual(filter.actions[0].fields.properties.fields, ["total"]);
  const listed = await call(filters, "ListDestinationFilters", { parent: destination });
  assert.deepEqual(listed.filters.map((f) => f.name), [filter.name]);
  const input = JSON.stringify({ type: "track", properties: { sku: "ABCD", total: 5 } });
  const preview = await call(filters, "PreviewDestinationFilter", { filter, input });
  assert.equal(preview.output, '{"properties":{"total":5},"type":"track"}');
  await call(filters, "DeleteDestinationFilter", { name: filter.name });
  console.log("ok DestinationFilter lifecycle and preview", filter.name);

  const plan = await call(plans, "CreateTrackingPlan", { parent: workspace, tracking_plan: { display_name: "Node" } });
  const connected = await call(plans, "BatchCreateSourceConnections", { parent: plan.name, source_names: [source] });
  assert.deepEqual(connected.connections, [{ source_name: source, tracking_plan_id: plan.name.split("/").at(-1) }]);
  const slug = source.split("/").at(-1);
  await call(plans, "DeleteSourceConnection", { name: `${plan.name}/source-connections/${slug}` });
  const left = await call(plans, "ListSourceConnections", { parent: plan.name });
  assert.deepEqual(left.connections, []);
  await call(plans, "DeleteTrackingPlan", { name: plan.name });
  console.log("ok SourceConnection lifecycle", plan.name);
}

async function expectError(promise, code, reason) {
  const error = await promise.then(
    () => assert.fail(`want ${reason}, the call succeeded`),
    (failure) => failure,
  );
  assert.equal(error.code, code, `want code ${code}, got ${error.code}: ${error.details}`);
  const [trailer] = error.metadata.get("grpc-status-details-bin");
  assert.ok(trailer, "the error carries grpc-status-details-bin");
  const { Status, ErrorInfo } = loadStatusTypes();
  const status = Status.decode(trailer);
  assert.equal(status.code, code);
  const packed = status.details.find((d) => d.type_url === "type.googleapis.com/google.rpc.ErrorInfo");
  assert.ok(packed, "the status carries an ErrorInfo");
  const info = ErrorInfo.decode(packed.value);
  assert.equal(info.reason, reason);
  assert.equal(info.domain, DOMAIN);
  console.log("ok error", grpc.status[code], info.reason);
}

try {
  const source = await sourceLifecycle();
  await destinationLifecycle(source, (destination) => protocols(source, destination));
  await call(sources, "DeleteSource", { name: source });
  console.log("ok DeleteSource", source);
  await expectError(call(sources, "GetSource", { name: source }), grpc.status.NOT_FOUND, "RESOURCE_NOT_FOUND");
  console.log("node client: all checks passed");
} catch (error) {
  console.error("node client: FAILED:", error);
  process.exitCode = 1;
} finally {
  for (const client of [sources, destinations, filters, plans]) client.close();
}

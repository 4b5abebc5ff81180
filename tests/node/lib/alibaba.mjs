// The official Alibaba Cloud Node.js SDKs, pointed at the gateway:
//
// - tea-acs3: @alicloud/ecs20140526 (on @alicloud/openapi-core), default signing: ACS3-HMAC-SHA256
//             (openapi-core's doRequest);
// - tea-v1:   the same client with signatureAlgorithm "v2": RPC signature v1, HMAC-SHA1
//             (openapi-core's doRPCRequest);
// - pop-v1:   @alicloud/pop-core's RPCClient, the old SDK: RPC signature v1 (HMAC-SHA1), GET with the
//             parameters in the query (POST with a form body when asked).
//
// Tests give parameters by their wire names (PascalCase, as in the API reference): {DiskId, Tag:
// [{Key, Value}], ResourceId: [..]}. The tea SDK takes them through its own request model
// (<Action>Request and its nested models, filled by their names() maps), the old SDK as they are. Answers come back as the wire's PascalCase objects. Errors are the SDKs' own exceptions:
// errorOf() reads code, HTTP status and request id from them.
import assert from "node:assert/strict";
import { createRequire } from "node:module";

import { GATEWAY, UUID_RE } from "./gateway.mjs";

const require = createRequire(import.meta.url);
const Ecs = require("@alicloud/ecs20140526");
const { $OpenApiUtil } = require("@alicloud/openapi-core");
const RPCClient = require("@alicloud/pop-core").RPCClient;

export const SDKS = ["tea-acs3", "tea-v1", "pop-v1"];
export const REGION = "cn-hangzhou";
export const ACCOUNT = { accessKeyId: "LTAI5tRefAlibaba0001", accessKeySecret: "RefAlibabaSecret0001" };

function lowerFirst(name) {
  return name[0].toLowerCase() + name.slice(1);
}

/**
 * The tea SDK's request model Model filled from wire names, through the model's own names() and
 * types() (what the SDK serialises from); a name the model does not have is an error of the test,
 * never silently dropped.
 */
function model(Model, params) {
  const byWire = new Map(Object.entries(Model.names()).map(([field, wire]) => [wire, field]));
  const types = Model.types();
  const fields = {};
  for (const [wire, value] of Object.entries(params)) {
    const field = byWire.get(wire);
    assert.ok(field, `${Model.name} has no field ${wire}`);
    if (value === undefined || value === null) {
      continue;
    }
    const type = types[field];
    if (type?.type === "array" && typeof type.itemType === "function") {
      fields[field] = value.map((item) => model(type.itemType, item));
    } else if (typeof type === "function") {
      fields[field] = model(type, value);
    } else {
      fields[field] = value;
    }
  }
  return new Model(fields);
}

class TeaClient {
  constructor(sdk, creds) {
    this.sdk = sdk;
    const config = new $OpenApiUtil.Config({
      accessKeyId: creds.accessKeyId,
      accessKeySecret: creds.accessKeySecret,
      endpoint: GATEWAY.endpoint,
      protocol: "http",
      regionId: REGION,
      readTimeout: 20000,
      connectTimeout: 5000,
    });
    if (sdk === "tea-v1") {
      config.signatureAlgorithm = "v2";
    }
    this.client = new Ecs.default(config);
  }

  async call(action, params = {}) {
    const Model = Ecs[`${action}Request`];
    assert.ok(Model, `the tea SDK has no ${action}Request`);
    const request = model(Model, params);
    const response = await this.client[lowerFirst(action)](request);
    assert.equal(response.statusCode, 200, `${this.sdk} ${action}: HTTP ${response.statusCode}`);
    return response.body.toMap();
  }
}

class PopClient {
  constructor(sdk, creds, method) {
    this.sdk = sdk;
    this.method = method;
    this.client = new RPCClient({
      accessKeyId: creds.accessKeyId,
      accessKeySecret: creds.accessKeySecret,
      endpoint: `http://${GATEWAY.endpoint}`,
      apiVersion: "2014-05-26",
      opts: { timeout: 20000 },
    });
  }

  async call(action, params = {}) {
    const opts = this.method ? { method: this.method } : {};
    return this.client.request(action, params, opts);
  }
}

/** A client of SDK ("tea-acs3", "tea-v1", "pop-v1"); `method: "POST"` makes the old SDK post a form. */
export function client(sdk, { creds = ACCOUNT, method } = {}) {
  if (sdk === "tea-acs3" || sdk === "tea-v1") {
    return new TeaClient(sdk, creds);
  }
  if (sdk === "pop-v1") {
    return new PopClient(sdk, creds, method);
  }
  throw new Error(`unknown Alibaba SDK ${sdk}`);
}

/**
 * What the SDK's exception tells: {code, status, requestId, message, body}. The tea SDK raises
 * openapi-core's ClientError / ServerError (code, statusCode, requestId, data: the error body);
 * the old SDK an Error named <Code>Error with code and data (the error body), its HTTP answer in
 * entry.response.
 */
export function errorOf(sdk, err) {
  if (sdk.startsWith("tea")) {
    return {
      code: err.code,
      status: err.statusCode,
      requestId: err.requestId,
      message: err.data?.Message,
      body: err.data,
      kind: err.name,
    };
  }
  return {
    code: err.code,
    status: err.entry?.response?.statusCode,
    requestId: err.data?.RequestId,
    message: err.data?.Message,
    body: err.data,
    kind: err.name,
  };
}

/** The SDK's exception carries CODE, HTTP STATUS and a request id (a UUID). */
export function assertError(sdk, err, code, status) {
  const seen = errorOf(sdk, err);
  const shown = `${sdk}: ${err?.name}: ${err?.message} ${JSON.stringify(seen.body)}`;
  assert.equal(seen.code, code, `expected ${code}: ${shown}`);
  assert.equal(seen.status, status, `expected HTTP ${status} for ${code}: ${shown}`);
  assert.match(String(seen.requestId), UUID_RE, `no request id in the exception: ${shown}`);
  assert.equal(seen.body?.Code, code, shown);
  assert.equal(seen.body?.RequestId, seen.requestId, shown);
  if (sdk.startsWith("tea")) {
    assert.equal(err.name, status >= 500 ? "ServerError" : "ClientError", shown);
  } else {
    assert.equal(err.name, `${code}Error`, shown);
  }
  return seen;
}

export function assertRequestId(body) {
  assert.match(String(body?.RequestId), UUID_RE, `no RequestId: ${JSON.stringify(body)}`);
}

export function snapshotsOf(body) {
  return body?.Snapshots?.Snapshot ?? [];
}

export function imagesOf(body) {
  return body?.Images?.Image ?? [];
}

export function tagsOf(resource) {
  return (resource?.Tags?.Tag ?? []).map((t) => [t.TagKey, t.TagValue]).sort();
}

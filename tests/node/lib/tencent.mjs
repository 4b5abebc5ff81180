// The official Tencent Cloud Node.js SDK, pointed at the gateway:
//
// - CVM 2017-03-12: tencentcloud-sdk-nodejs-cvm (on tencentcloud-sdk-nodejs-common);
// - CBS 2017-03-12 and Tag 2018-08-13: tencentcloud-sdk-nodejs (the whole SDK; the registry has no
//   tencentcloud-sdk-nodejs-cbs or -tag), loaded per product from tencentcloud/services/<product>.
//
// Signing: TC3-HMAC-SHA256 by default ("tc3"); signMethod "HmacSHA256" gives the older form
// ("hmac256"). The SDK takes the TC3 credential scope's service from its endpoint's first DNS label
// (common/abstract_client.js: `service: this.endpoint.split(".")[0]`). Most clients here are pointed
// at <product>.localhost:<port>, as against Tencent's own cvm.tencentcloudapi.com, with an agent that
// resolves every *.localhost name to the gateway's host (what /etc/hosts does for Terraform in the
// README); the simple way, 127.0.0.1:<port> with no agent (a scope of "127"), is tested too. The
// requests themselves are the SDK's own, unchanged.
import assert from "node:assert/strict";
import dns from "node:dns";
import http from "node:http";
import { createRequire } from "node:module";

import { GATEWAY, UUID_RE } from "./gateway.mjs";

const require = createRequire(import.meta.url);
const CvmClient = require("tencentcloud-sdk-nodejs-cvm").cvm.v20170312.Client;
const CbsClient = require("tencentcloud-sdk-nodejs/tencentcloud/services/cbs").cbs.v20170312.Client;
const TagClient = require("tencentcloud-sdk-nodejs/tencentcloud/services/tag").tag.v20180813.Client;

export const REGION = "ap-guangzhou";
export const ACCOUNT = { secretId: "AKIDRefTencent00000000000000000001", secretKey: "RefTencentSecret00000000000000001" };
export const VARIANTS = ["tc3", "hmac256"];
const CLIENTS = { cvm: CvmClient, cbs: CbsClient, tag: TagClient };

/** The agent of every client here: *.localhost is the gateway's host. */
export const agent = new http.Agent({
  keepAlive: true,
  lookup: (name, options, callback) => dns.lookup(name.endsWith(".localhost") ? GATEWAY.host : name, options, callback),
});

/** <product>.localhost:<port>, the endpoint a client of PRODUCT is given. */
export function endpointOf(product) {
  return `${product}.localhost:${GATEWAY.port}`;
}

/**
 * A client of PRODUCT ("cvm", "cbs", "tag") signing as VARIANT; `endpoint` overrides the host:port
 * it is pointed at, `credential` the account; `plain` leaves the SDK's own HTTP agent in place
 * (the way a user points a client at the gateway: no agent, no hosts file).
 */
export function client(
  product,
  variant = "tc3",
  { endpoint = endpointOf(product), credential = ACCOUNT, plain = false } = {},
) {
  const Client = CLIENTS[product];
  assert.ok(Client, `no client for ${product}`);
  const profile = { httpProfile: { endpoint, protocol: "http://", reqTimeout: 20, ...(plain ? {} : { agent }) } };
  if (variant === "hmac256") {
    profile.signMethod = "HmacSHA256";
  } else {
    assert.equal(variant, "tc3", `unknown Tencent variant ${variant}`);
  }
  return new Client({ credential, region: REGION, profile });
}

/** The SDK's exception (TencentCloudSDKHttpException) carries CODE and a request id (a UUID). */
export function assertError(err, code) {
  const shown = `${err?.constructor?.name}: code=${err?.code} message=${err?.message} requestId=${err?.requestId}`;
  assert.equal(err?.constructor?.name, "TencentCloudSDKHttpException", shown);
  assert.equal(err.code, code, `expected ${code}: ${shown}`);
  assert.match(String(err.requestId), UUID_RE, `no request id in the exception: ${shown}`);
  assert.ok(err.message, `no message: ${shown}`);
  return err;
}

export function assertRequestId(body) {
  assert.match(String(body?.RequestId), UUID_RE, `no RequestId: ${JSON.stringify(body)}`);
}

/** The Tag service's name of one of the caller's images or snapshots (account segment left empty). */
export function resourceName(kind, id) {
  return `qcs::cvm:${REGION}:uin/:${kind}/${id}`;
}

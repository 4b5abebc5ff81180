// Alibaba ECS 2014-05-26 through @alicloud/ecs20140526 with signatureAlgorithm "v2" (RPC signature v1, HMAC-SHA1).
// The scenarios are in lib/alibaba-suite.mjs.
import { alibabaSuite } from "./lib/alibaba-suite.mjs";

alibabaSuite("tea-v1", "d-ali-running-data");

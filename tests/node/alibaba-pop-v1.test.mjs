// Alibaba ECS 2014-05-26 through @alicloud/pop-core's RPCClient (the old SDK: RPC signature v1, GET).
// The scenarios are in lib/alibaba-suite.mjs.
import { alibabaSuite } from "./lib/alibaba-suite.mjs";

alibabaSuite("pop-v1", "d-ali-stopped-sys");

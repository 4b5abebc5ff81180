// Alibaba ECS 2014-05-26 through @alicloud/ecs20140526 (tea, ACS3-HMAC-SHA256 signing, the default).
// The scenarios are in lib/alibaba-suite.mjs.
import { alibabaSuite } from "./lib/alibaba-suite.mjs";

alibabaSuite("tea-acs3", "d-ali-stopped-data");

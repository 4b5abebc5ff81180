// Tencent CVM / CBS 2017-03-12 and Tag 2018-08-13 through tencentcloud-sdk-nodejs, signed with
// TC3-HMAC-SHA256 (the SDK's default): a snapshot of a stopped instance's data disk, an image of that
// instance (its system disk's snapshot goes with it: DeleteBindedSnap). Scenarios: lib/tencent-suite.mjs.
import { tencentSuite } from "./lib/tencent-suite.mjs";

tencentSuite("tc3", {
  disk: "disk-tc-stopped-data",
  image: { InstanceId: "ins-tc-stopped", ForcePoweroff: true },
  deleteBindedSnap: true,
});

// Tencent CVM / CBS 2017-03-12 and Tag 2018-08-13 through tencentcloud-sdk-nodejs, signed with the
// older form (signMethod "HmacSHA256": signed parameters in a form body): a snapshot of a running
// instance's data disk, an image of a world snapshot (kept when the image goes). Scenarios:
// lib/tencent-suite.mjs.
import { tencentSuite } from "./lib/tencent-suite.mjs";

tencentSuite("hmac256", {
  disk: "disk-tc-running-data",
  image: { SnapshotIds: ["snap-tc-sys-b"] },
  deleteBindedSnap: false,
});

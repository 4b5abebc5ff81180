// The Tencent scenarios, run through one signing variant by each tencent-*.test.mjs file. Between
// them every action the gateway serves for Tencent is called: CVM CreateImage, DescribeImages,
// DeleteImages, ModifyImageAttribute; CBS CreateSnapshot, DescribeSnapshots, DeleteSnapshots,
// ModifySnapshotAttribute; Tag ModifyResourceTags, TagResources, UnTagResources,
// DescribeResourceTagsByResourceIds.
//
// Each test makes what it uses under names of its own and deletes it again; each file snapshots a
// disk and images a source no other file uses.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";

import { Cleanup, GATEWAY, rejection, realTime, unique, waitFor } from "./gateway.mjs";
import { ACCOUNT, REGION, agent, assertError, assertRequestId, client, resourceName } from "./tencent.mjs";

const IMAGE_ID_RE = /^img-[a-z0-9]{8}$/;
const SNAPSHOT_ID_RE = /^snap-[a-z0-9]{8}$/;

function pairs(tags) {
  return (tags ?? []).map((t) => [t.Key ?? t.TagKey, t.Value ?? t.TagValue]).sort();
}

/**
 * Define the scenarios for VARIANT ("tc3", "hmac256"). SETUP: {disk, image, deleteBindedSnap}: a
 * disk of acct-tc to snapshot, CreateImage's source ({InstanceId} or {SnapshotIds}), and whether
 * DeleteImages takes the image's snapshots with it (only for snapshots the image made itself).
 */
export function tencentSuite(variant, setup) {
  describe(`Tencent CVM, CBS and Tag through tencentcloud-sdk-nodejs (${variant})`, () => {
    const cvm = client("cvm", variant);
    const cbs = client("cbs", variant);
    const tag = client("tag", variant);

    after(async () => {
      await realTime();
      agent.destroy();
    });

    async function snapshot(id) {
      const body = await cbs.DescribeSnapshots({ SnapshotIds: [id] });
      assertRequestId(body);
      assert.ok(body.SnapshotSet.length <= 1, JSON.stringify(body));
      assert.equal(body.TotalCount, body.SnapshotSet.length, JSON.stringify(body));
      return body.SnapshotSet[0];
    }

    async function image(id) {
      const body = await cvm.DescribeImages({ ImageIds: [id] });
      assertRequestId(body);
      assert.ok(body.ImageSet.length <= 1, JSON.stringify(body));
      assert.equal(body.TotalCount, body.ImageSet.length, JSON.stringify(body));
      return body.ImageSet[0];
    }

    async function tags(kind, id) {
      const body = await tag.DescribeResourceTagsByResourceIds({
        ServiceType: "cvm",
        ResourcePrefix: kind,
        ResourceRegion: REGION,
        ResourceIds: [id],
      });
      assertRequestId(body);
      for (const t of body.Tags) {
        assert.equal(t.ResourceId, id, JSON.stringify(body));
      }
      return pairs(body.Tags);
    }

    test("a CBS snapshot is made, NORMAL, renamed, tagged through the Tag service and deleted", async () => {
      const cleanup = new Cleanup();
      try {
        const name = unique("node-snap");
        const started = Date.now();
        const created = await cbs.CreateSnapshot({
          DiskId: setup.disk,
          SnapshotName: name,
          Tags: [{ Key: "suite", Value: "node" }],
        });
        assertRequestId(created);
        const id = created.SnapshotId;
        assert.match(String(id), SNAPSHOT_ID_RE, JSON.stringify(created));
        const deleted = cleanup.add(`DeleteSnapshots ${id}`, () => cbs.DeleteSnapshots({ SnapshotIds: [id] }));

        const seen = [];
        const snap = await waitFor(
          async () => {
            const quick = seen.length === 0 && Date.now() - started < 1500;
            const s = await snapshot(id);
            assert.ok(s, `snapshot ${id} is not listed`);
            seen.push([s.SnapshotState, s.Percent]);
            if (quick) {
              // Within the reference world's 2 s, a new snapshot is still being made.
              assert.equal(s.SnapshotState, "CREATING", `a new snapshot is not CREATING at first: ${JSON.stringify(s)}`);
            }
            return s;
          },
          (s) => s.SnapshotState === "NORMAL",
          `snapshot ${id} NORMAL`,
        );
        for (const [state, percent] of seen.slice(0, -1)) {
          assert.equal(state, "CREATING", JSON.stringify(seen));
          assert.ok(percent < 100, JSON.stringify(seen));
        }
        assert.equal(snap.Percent, 100, JSON.stringify(snap));
        assert.deepEqual(
          [snap.SnapshotId, snap.SnapshotName, snap.DiskId, snap.DiskUsage, snap.IsPermanent],
          [id, name, setup.disk, "DATA_DISK", true],
          JSON.stringify(snap),
        );
        assert.deepEqual(pairs(snap.Tags), [["suite", "node"]], JSON.stringify(snap));

        const renamed = `${name}-renamed`;
        assertRequestId(await cbs.ModifySnapshotAttribute({ SnapshotId: id, SnapshotName: renamed }));
        assert.equal((await snapshot(id)).SnapshotName, renamed);

        const resource = resourceName("snapshot", id);
        assertRequestId(
          await tag.ModifyResourceTags({ Resource: resource, ReplaceTags: [{ TagKey: "sdk", TagValue: "nodejs" }] }),
        );
        assert.deepEqual(await tags("snapshot", id), [["sdk", "nodejs"], ["suite", "node"]]);
        const tagged = await tag.TagResources({ ResourceList: [resource], Tags: [{ TagKey: "variant", TagValue: variant }] });
        assertRequestId(tagged);
        assert.deepEqual(tagged.FailedResources ?? [], [], JSON.stringify(tagged));
        const untagged = await tag.UnTagResources({ ResourceList: [resource], TagKeys: ["suite"] });
        assertRequestId(untagged);
        assert.deepEqual(untagged.FailedResources ?? [], [], JSON.stringify(untagged));
        assert.deepEqual(await tags("snapshot", id), [["sdk", "nodejs"], ["variant", variant]]);
        // One set of tags: DescribeSnapshots shows the Tag service's at once, and filters by them.
        assert.deepEqual(pairs((await snapshot(id)).Tags), [["sdk", "nodejs"], ["variant", variant]]);
        const byTag = await cbs.DescribeSnapshots({ Filters: [{ Name: "snapshot-name", Values: [renamed] }, { Name: "tag:variant", Values: [variant] }] });
        assert.deepEqual(byTag.SnapshotSet.map((s) => s.SnapshotId), [id], JSON.stringify(byTag));

        assertRequestId(await cbs.DeleteSnapshots({ SnapshotIds: [id] }));
        deleted();
        const gone = await cbs.DescribeSnapshots({ SnapshotIds: [id] });
        assert.deepEqual([gone.TotalCount, gone.SnapshotSet], [0, []], JSON.stringify(gone));
        assert.deepEqual(await tags("snapshot", id), []);
      } finally {
        await cleanup.run();
      }
    });

    test("a CVM image is made, NORMAL, renamed, tagged and deleted", async () => {
      const cleanup = new Cleanup();
      try {
        const name = unique("node-img");
        const started = Date.now();
        const created = await cvm.CreateImage({
          ...setup.image,
          ImageName: name,
          ImageDescription: `made by tencentcloud-sdk-nodejs (${variant})`,
          TagSpecification: [{ ResourceType: "image", Tags: [{ Key: "suite", Value: "node" }] }],
        });
        assertRequestId(created);
        const id = created.ImageId;
        assert.match(String(id), IMAGE_ID_RE, JSON.stringify(created));
        const deleted = cleanup.add(`DeleteImages ${id}`, () =>
          cvm.DeleteImages({ ImageIds: [id], DeleteBindedSnap: setup.deleteBindedSnap }),
        );

        const seen = [];
        const ready = await waitFor(
          async () => {
            const quick = seen.length === 0 && Date.now() - started < 2500;
            const i = await image(id);
            assert.ok(i, `image ${id} is not listed`);
            seen.push(i.ImageState);
            if (quick) {
              // Within the reference world's 3 s (and more from an instance), a new image is CREATING.
              assert.equal(i.ImageState, "CREATING", `a new image is not CREATING at first: ${JSON.stringify(i)}`);
            }
            return i;
          },
          (i) => i.ImageState === "NORMAL",
          `image ${id} NORMAL`,
        );
        for (const state of seen.slice(0, -1)) {
          assert.equal(state, "CREATING", JSON.stringify(seen));
        }
        assert.deepEqual(
          [ready.ImageId, ready.ImageName, ready.ImageDescription, ready.ImageType],
          [id, name, `made by tencentcloud-sdk-nodejs (${variant})`, "PRIVATE_IMAGE"],
          JSON.stringify(ready),
        );
        assert.deepEqual(pairs(ready.Tags), [["suite", "node"]], JSON.stringify(ready));
        const snapshots = (ready.SnapshotSet ?? []).map((s) => s.SnapshotId);
        assert.ok(snapshots.length >= 1, JSON.stringify(ready));
        if (setup.image.SnapshotIds) {
          assert.deepEqual(snapshots, setup.image.SnapshotIds, JSON.stringify(ready));
        }
        const byName = await cvm.DescribeImages({ Filters: [{ Name: "image-name", Values: [name] }] });
        assert.deepEqual(byName.ImageSet.map((i) => i.ImageId), [id], JSON.stringify(byName));

        const renamed = `${name}-renamed`;
        assertRequestId(await cvm.ModifyImageAttribute({ ImageId: id, ImageName: renamed, ImageDescription: "renamed" }));
        const read = await image(id);
        assert.deepEqual([read.ImageName, read.ImageDescription], [renamed, "renamed"], JSON.stringify(read));

        const resource = resourceName("image", id);
        assertRequestId(
          await tag.ModifyResourceTags({
            Resource: resource,
            ReplaceTags: [{ TagKey: "tier", TagValue: "web" }],
            DeleteTags: [{ TagKey: "suite" }],
          }),
        );
        assert.deepEqual(await tags("image", id), [["tier", "web"]]);
        assert.deepEqual(pairs((await image(id)).Tags), [["tier", "web"]]);
        const byTag = await cvm.DescribeImages({ Filters: [{ Name: "image-name", Values: [renamed] }, { Name: "tag:tier", Values: ["web"] }] });
        assert.deepEqual(byTag.ImageSet.map((i) => i.ImageId), [id], JSON.stringify(byTag));

        assertRequestId(await cvm.DeleteImages({ ImageIds: [id], DeleteBindedSnap: setup.deleteBindedSnap }));
        deleted();
        const gone = await cvm.DescribeImages({ ImageIds: [id] });
        assert.deepEqual([gone.TotalCount, gone.ImageSet], [0, []], JSON.stringify(gone));
        const nameFree = await cvm.DescribeImages({ Filters: [{ Name: "image-name", Values: [renamed] }] });
        assert.deepEqual(nameFree.ImageSet, [], JSON.stringify(nameFree));
        // Its snapshots went with it when it made them itself, else they stay.
        for (const snapshotId of snapshots) {
          const left = await snapshot(snapshotId);
          if (setup.deleteBindedSnap) {
            assert.equal(left, undefined, `the image's snapshot ${snapshotId} is left: ${JSON.stringify(left)}`);
          } else {
            assert.equal(left?.SnapshotId, snapshotId, `the world's snapshot ${snapshotId} went with the image`);
          }
        }
      } finally {
        await cleanup.run();
      }
    });

    test("refusals come back through the SDK's exception with their code and request id", async () => {
      const refusals = [
        [cbs, "CreateSnapshot", { DiskId: "disk-nope", SnapshotName: "node-refused" }, "InvalidDiskId.NotFound"],
        [cbs, "DescribeSnapshots", { Filters: [{ Name: "no-such-filter", Values: ["x"] }] }, "InvalidFilter"],
        [cbs, "ModifySnapshotAttribute", { SnapshotId: "snap-tc-sys" }, "MissingParameter"],
        [cbs, "DeleteSnapshots", { SnapshotIds: ["snap-nothere"] }, "InvalidSnapshotId.NotFound"],
        [cvm, "CreateImage", { SnapshotIds: ["snap-nope"], ImageName: unique("node-refused") }, "InvalidParameter.SnapshotNotFound"],
        [cvm, "DescribeImages", { ImageIds: ["not-an-image"] }, "InvalidImageId.Malformed"],
        [cvm, "ModifyImageAttribute", { ImageId: "img-nothere1", ImageName: "abc" }, "InvalidImageId.NotFound"],
        [cvm, "DeleteImages", { ImageIds: ["img-nothere1"] }, "InvalidImageId.NotFound"],
        [
          tag,
          "ModifyResourceTags",
          { Resource: resourceName("snapshot", "snap-tc-sys"), ReplaceTags: [{ TagKey: "qcloud:x", TagValue: "v" }] },
          "InvalidParameter.ReservedTagKey",
        ],
        [
          tag,
          "TagResources",
          { ResourceList: Array.from({ length: 11 }, (_, n) => resourceName("snapshot", `snap-node${n}`)), Tags: [{ TagKey: "k", TagValue: "v" }] },
          "LimitExceeded.ResourceNumPerRequest",
        ],
        [tag, "UnTagResources", { ResourceList: [resourceName("snapshot", "snap-tc-sys")] }, "MissingParameter"],
        [
          tag,
          "DescribeResourceTagsByResourceIds",
          { ServiceType: "cos", ResourcePrefix: "snapshot", ResourceRegion: REGION, ResourceIds: ["snap-tc-sys"] },
          "InvalidParameterValue.ServiceTypeInvalid",
        ],
      ];
      for (const [c, action, params, code] of refusals) {
        const err = await rejection(c[action](params), `${action} ${JSON.stringify(params)}`);
        assertError(err, code);
      }
      // Nothing was changed by them.
      assert.deepEqual(await tags("snapshot", "snap-tc-sys"), []);
      assert.equal((await snapshot("snap-tc-sys"))?.DiskId, "disk-tc-stopped-sys");
    });

    test("a request signed with the wrong secret is refused", async () => {
      const wrong = client("cvm", variant, { credential: { secretId: ACCOUNT.secretId, secretKey: "NotTheSecret" } });
      const err = await rejection(wrong.DescribeImages({}), "a wrong secret");
      assertError(err, "AuthFailure.SignatureFailure");
    });

    if (variant === "hmac256") {
      // The older form's Nonce is Math.round(Math.random() * 65535) (the SDK's
      // common/abstract_client.js, formatRequestData): one of 65536 values, so a client that makes
      // a few hundred calls draws one again. Tencent takes the Nonce together with the Timestamp
      // against replays; a Nonce drawn again a second later is a new request, not a replay. Here
      // the SDK draws the same Nonce twice (its Math.random held to one value), one second apart.
      test("a Nonce the SDK draws again, with another Timestamp, is not a replay", async () => {
        const form = client("cvm", "hmac256");
        const random = Math.random;
        const drawn = random();
        Math.random = () => drawn;
        try {
          const first = await form.DescribeImages({ ImageIds: ["img-tcgolden"] });
          assert.deepEqual(first.ImageSet.map((i) => i.ImageId), ["img-tcgolden"], JSON.stringify(first));
          await new Promise((resolve) => setTimeout(resolve, 1100)); // another Timestamp (whole seconds)
          const second = await form.DescribeImages({ ImageIds: ["img-tcgolden"] });
          assert.deepEqual(second.ImageSet.map((i) => i.ImageId), ["img-tcgolden"], JSON.stringify(second));
        } finally {
          Math.random = random;
        }
      });
    }

    if (variant === "tc3") {
      // The SDK names the TC3 scope's service after its endpoint's first label: pointed at the
      // gateway's address itself it signs for service "127" (or "localhost:PORT"), the way a user
      // points it with no agent and no hosts file. The gateway serves that scope for every action,
      // telling the services apart by action and version.
      for (const endpoint of [GATEWAY.endpoint, `localhost:${GATEWAY.port}`]) {
        test(`a TC3 client pointed at ${endpoint.replace(/\d+$/, "PORT")} with no agent creates, polls and reads a code`, async () => {
          const cleanup = new Cleanup();
          try {
            const plainCbs = client("cbs", "tc3", { endpoint, plain: true });
            const plainCvm = client("cvm", "tc3", { endpoint, plain: true });
            const created = await plainCbs.CreateSnapshot({ DiskId: setup.disk, SnapshotName: unique("node-plain") });
            assertRequestId(created);
            const id = created.SnapshotId;
            assert.match(String(id), SNAPSHOT_ID_RE, JSON.stringify(created));
            cleanup.add(`DeleteSnapshots ${id}`, () => plainCbs.DeleteSnapshots({ SnapshotIds: [id] }));
            const read = async () => (await plainCbs.DescribeSnapshots({ SnapshotIds: [id] })).SnapshotSet[0];
            const done = await waitFor(read, (s) => s?.SnapshotState === "NORMAL", `snapshot ${id} NORMAL`);
            assert.equal(done.Percent, 100, JSON.stringify(done));
            const err = await rejection(plainCvm.DescribeImages({ ImageIds: ["golden"] }), "a malformed image id");
            assertError(err, "InvalidImageId.Malformed");
          } finally {
            await cleanup.run();
          }
        });
      }
    }
  });
}

// The Alibaba ECS scenarios (API 2014-05-26), run through one SDK by each alibaba-*.test.mjs file.
// Between them every action the gateway serves for Alibaba is called: CreateSnapshot,
// DescribeSnapshots, ModifySnapshotAttribute, DeleteSnapshot, CreateImage, DescribeImages,
// ModifyImageAttribute, DeleteImage, TagResources, UntagResources, ListTagResources and
// JoinResourceGroup.
//
// Each test makes what it uses under names of its own and deletes it again. Each SDK's file
// snapshots a disk no other file snapshots (Alibaba allows one snapshot in progress per disk), and
// its tests, which run one after the other, wait for their snapshot to be accomplished.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";

import {
  REGION,
  assertError,
  assertRequestId,
  client,
  imagesOf,
  snapshotsOf,
  tagsOf,
} from "./alibaba.mjs";
import { Cleanup, rejection, realTime, unique, waitFor } from "./gateway.mjs";

const PROGRESS_RE = /^(\d{1,3})%$/;
const SYSTEM_SNAPSHOT = "s-ali-sys"; // acct-ali's, of d-ali-stopped-sys, accomplished

function percent(value, what) {
  const m = PROGRESS_RE.exec(String(value));
  assert.ok(m, `${what}: Progress '${value}' is not N%`);
  return Number(m[1]);
}

/** Define the scenarios for SDK. DISK: a disk of acct-ali (reference world) no other file snapshots. */
export function alibabaSuite(sdk, disk) {
  describe(`Alibaba ECS through ${sdk}`, () => {
    const ecs = client(sdk);
    const call = (action, params) => ecs.call(action, params);

    after(realTime);

    async function snapshot(id) {
      const body = await call("DescribeSnapshots", { RegionId: REGION, SnapshotIds: JSON.stringify([id]) });
      assertRequestId(body);
      const found = snapshotsOf(body);
      assert.ok(found.length <= 1, JSON.stringify(body));
      return found[0];
    }

    async function image(id) {
      const body = await call("DescribeImages", { RegionId: REGION, ImageId: id, Status: "Creating,Available" });
      assertRequestId(body);
      const found = imagesOf(body);
      assert.ok(found.length <= 1, JSON.stringify(body));
      return found[0];
    }

    async function listTags(params) {
      const body = await call("ListTagResources", { RegionId: REGION, ...params });
      assertRequestId(body);
      return (body.TagResources?.TagResource ?? [])
        .map((r) => [r.ResourceId, r.ResourceType, r.TagKey, r.TagValue])
        .sort();
    }

    async function createSnapshot(cleanup, params) {
      const body = await call("CreateSnapshot", params);
      assertRequestId(body);
      assert.match(String(body.SnapshotId), /^s-\w+$/, JSON.stringify(body));
      const deleted = cleanup.add(`DeleteSnapshot ${body.SnapshotId}`, () =>
        call("DeleteSnapshot", { SnapshotId: body.SnapshotId }),
      );
      return [body.SnapshotId, deleted];
    }

    /**
     * DescribeSnapshots until accomplished (moving the clock a second a read); the states seen.
     * Within the reference world's 2 s after its create (STARTED), a snapshot is still progressing.
     */
    async function untilAccomplished(id, started) {
      const seen = [];
      const snap = await waitFor(
        async () => {
          const quick = seen.length === 0 && Date.now() - started < 1500;
          const s = await snapshot(id);
          assert.ok(s, `snapshot ${id} is not listed`);
          seen.push([s.Status, s.Progress]);
          if (quick) {
            assert.equal(s.Status, "progressing", `a new snapshot is not progressing at first: ${JSON.stringify(s)}`);
          }
          return s;
        },
        (s) => s.Status === "accomplished",
        `snapshot ${id} accomplished`,
      );
      for (const [status, progress] of seen.slice(0, -1)) {
        assert.equal(status, "progressing", JSON.stringify(seen));
        assert.ok(percent(progress, id) < 100, JSON.stringify(seen));
      }
      assert.equal(snap.Progress, "100%", JSON.stringify(snap));
      return { snap, seen };
    }

    test("a snapshot is made, accomplished, renamed, tagged, moved to a group and deleted", async () => {
      const cleanup = new Cleanup();
      try {
        const name = unique("node-snap");
        const started = Date.now();
        const [id, deleted] = await createSnapshot(cleanup, {
          DiskId: disk,
          SnapshotName: name,
          Description: `made by ${sdk}`,
          Tag: [{ Key: "suite", Value: "node" }],
        });
        const { snap } = await untilAccomplished(id, started);
        assert.equal(snap.SnapshotId, id);
        assert.equal(snap.SnapshotName, name);
        assert.equal(snap.Description, `made by ${sdk}`);
        assert.equal(snap.SourceDiskId, disk);
        assert.deepEqual(tagsOf(snap), [["suite", "node"]], JSON.stringify(snap));

        const renamed = `${name}-renamed`;
        assertRequestId(
          await call("ModifySnapshotAttribute", { SnapshotId: id, SnapshotName: renamed, Description: "renamed" }),
        );
        const read = await snapshot(id);
        assert.deepEqual([read.SnapshotName, read.Description], [renamed, "renamed"], JSON.stringify(read));

        assertRequestId(
          await call("TagResources", {
            RegionId: REGION,
            ResourceType: "snapshot",
            ResourceId: [id],
            Tag: [{ Key: "sdk", Value: sdk }],
          }),
        );
        assert.deepEqual(await listTags({ ResourceType: "snapshot", ResourceId: [id] }), [
          [id, "snapshot", "sdk", sdk],
          [id, "snapshot", "suite", "node"],
        ]);
        assert.deepEqual(tagsOf(await snapshot(id)), [["sdk", sdk], ["suite", "node"]]);
        assertRequestId(
          await call("UntagResources", { RegionId: REGION, ResourceType: "snapshot", ResourceId: [id], TagKey: ["suite"] }),
        );
        assert.deepEqual(await listTags({ ResourceType: "snapshot", ResourceId: [id] }), [[id, "snapshot", "sdk", sdk]]);

        const group = unique("rg-node");
        assertRequestId(
          await call("JoinResourceGroup", {
            RegionId: REGION,
            ResourceType: "snapshot",
            ResourceId: id,
            ResourceGroupId: group,
          }),
        );
        assert.equal((await snapshot(id)).ResourceGroupId, group);

        assertRequestId(await call("DeleteSnapshot", { SnapshotId: id }));
        deleted();
        const gone = await call("DescribeSnapshots", { RegionId: REGION, SnapshotIds: JSON.stringify([id]) });
        assert.deepEqual([gone.TotalCount, snapshotsOf(gone)], [0, []], JSON.stringify(gone));
        const byName = await call("DescribeSnapshots", { RegionId: REGION, SnapshotName: renamed });
        assert.deepEqual(snapshotsOf(byName), [], JSON.stringify(byName));
      } finally {
        await cleanup.run();
      }
    });

    test("an image is made from a snapshot, Available, renamed, tagged, moved to a group and deleted", async () => {
      const cleanup = new Cleanup();
      try {
        // A system disk's snapshot of the world (images are made of system-disk snapshots); it is
        // only read and marked, so every file may use it at once.
        const snapshotId = SYSTEM_SNAPSHOT;
        const name = unique("node-img");
        const started = Date.now();
        const created = await call("CreateImage", {
          RegionId: REGION,
          SnapshotId: snapshotId,
          ImageName: name,
          Description: `made by ${sdk}`,
          Tag: [{ Key: "suite", Value: "node" }],
        });
        assertRequestId(created);
        const id = created.ImageId;
        assert.match(String(id), /^m-\w+$/, JSON.stringify(created));
        const deleted = cleanup.add(`DeleteImage ${id}`, () => call("DeleteImage", { RegionId: REGION, ImageId: id }));

        const seen = [];
        const ready = await waitFor(
          async () => {
            const quick = seen.length === 0 && Date.now() - started < 2500;
            const i = await image(id);
            assert.ok(i, `image ${id} is not listed`);
            seen.push([i.Status, i.Progress]);
            if (quick) {
              // Within the reference world's 3 s, a new image is still being made.
              assert.equal(i.Status, "Creating", `a new image is not Creating at first: ${JSON.stringify(i)}`);
            }
            return i;
          },
          (i) => i.Status === "Available",
          `image ${id} Available`,
        );
        for (const [status, progress] of seen.slice(0, -1)) {
          assert.equal(status, "Creating", JSON.stringify(seen));
          assert.ok(percent(progress, id) < 100, JSON.stringify(seen));
        }
        assert.equal(ready.Progress, "100%", JSON.stringify(ready));
        assert.equal(ready.ImageName, name);
        assert.equal(ready.Description, `made by ${sdk}`);
        assert.deepEqual(tagsOf(ready), [["suite", "node"]], JSON.stringify(ready));
        const mapped = (ready.DiskDeviceMappings?.DiskDeviceMapping ?? []).map((d) => d.SnapshotId);
        assert.deepEqual(mapped, [snapshotId], JSON.stringify(ready));
        // Listed by default (Available) now, found by its name.
        const byName = await call("DescribeImages", { RegionId: REGION, ImageName: name });
        assert.deepEqual(imagesOf(byName).map((i) => i.ImageId), [id], JSON.stringify(byName));

        const renamed = `${name}-renamed`;
        assertRequestId(
          await call("ModifyImageAttribute", {
            RegionId: REGION,
            ImageId: id,
            ImageName: renamed,
            Description: "renamed",
            ImageFamily: "node-family",
          }),
        );
        const read = await image(id);
        assert.deepEqual(
          [read.ImageName, read.Description, read.ImageFamily],
          [renamed, "renamed", "node-family"],
          JSON.stringify(read),
        );

        const run = unique("run");
        assertRequestId(
          await call("TagResources", {
            RegionId: REGION,
            ResourceType: "image",
            ResourceId: [id],
            Tag: [{ Key: "node-run", Value: run }],
          }),
        );
        // Found by the tag alone: only this image carries this run's value.
        const byTag = await listTags({ ResourceType: "image", Tag: [{ Key: "node-run", Value: run }] });
        assert.deepEqual([...new Set(byTag.map(([resource]) => resource))], [id], JSON.stringify(byTag));
        assert.deepEqual(byTag.filter(([, , key]) => key === "node-run"), [[id, "image", "node-run", run]]);
        assert.deepEqual(tagsOf(await image(id)), [["node-run", run], ["suite", "node"]]);
        assertRequestId(await call("UntagResources", { RegionId: REGION, ResourceType: "image", ResourceId: [id], All: true }));
        assert.deepEqual(await listTags({ ResourceType: "image", ResourceId: [id] }), []);

        const group = unique("rg-node");
        assertRequestId(
          await call("JoinResourceGroup", { RegionId: REGION, ResourceType: "image", ResourceId: id, ResourceGroupId: group }),
        );
        assert.equal((await image(id)).ResourceGroupId, group);

        // The snapshot an image is made from is kept while the image lives (nothing is deleted).
        const err = await rejection(call("DeleteSnapshot", { SnapshotId: snapshotId }), "DeleteSnapshot of an image's snapshot");
        assertError(sdk, err, "SnapshotCreatedImage", 403);
        assert.ok(await snapshot(snapshotId), "the refused delete deleted the snapshot");

        assertRequestId(await call("DeleteImage", { RegionId: REGION, ImageId: id }));
        deleted();
        const gone = await call("DescribeImages", { RegionId: REGION, ImageId: id, Status: "ALL" });
        assert.deepEqual([gone.TotalCount, imagesOf(gone)], [0, []], JSON.stringify(gone));
        const nameFree = await call("DescribeImages", { RegionId: REGION, ImageName: renamed, Status: "ALL" });
        assert.deepEqual(imagesOf(nameFree), [], JSON.stringify(nameFree));

      } finally {
        await cleanup.run();
      }
    });

    test("refusals come back through the SDK's exception with their code, status and request id", async () => {
      const refusals = [
        ["CreateSnapshot", { DiskId: "d-nope", SnapshotName: "node-refused" }, "InvalidDiskId.NotFound", 404],
        ["CreateImage", { RegionId: REGION, SnapshotId: "s-nope", ImageName: unique("node-refused") }, "InvalidSnapshotId.NotFound", 404],
        ["ModifySnapshotAttribute", { SnapshotId: "s-ali-sys" }, "NoAttributeToModify", 400],
        ["ModifyImageAttribute", { RegionId: REGION, ImageId: "m-nonexistent", ImageName: "abc" }, "InvalidImageId.NotFound", 404],
        [
          "TagResources",
          { RegionId: REGION, ResourceType: "snapshot", ResourceId: ["s-ali-sys"], Tag: [{ Key: "acs:x", Value: "v" }] },
          "InvalidTagKey.Malformed",
          400,
        ],
        [
          "UntagResources",
          { RegionId: REGION, ResourceType: "snapshot", ResourceId: ["s-ali-sys"], TagKey: ["a"], All: true },
          "Param.Conflict",
          403,
        ],
        ["ListTagResources", { RegionId: REGION, ResourceType: "snapshot" }, "BothEmpty.TagsAndResources", 403],
        [
          "JoinResourceGroup",
          { RegionId: REGION, ResourceType: "image", ResourceId: "m-ali-golden", ResourceGroupId: "no-group" },
          "InvalidResourceGroup.NotFound",
          404,
        ],
        ["DeleteImage", { RegionId: REGION, ImageId: "m-ali-golden", DryRun: true }, "DryRunOperation", 400],
        ["DescribeSnapshots", { RegionId: "cn-nowhere" }, "InvalidRegionId.NotFound", 404],
      ];
      for (const [action, params, code, status] of refusals) {
        const err = await rejection(call(action, params), `${action} ${JSON.stringify(params)}`);
        assertError(sdk, err, code, status);
      }
      // Nothing was changed by them: the world's image is still there under its name, untagged.
      const golden = await image("m-ali-golden");
      assert.equal(golden?.ImageName, "golden-base", JSON.stringify(golden));
      assert.notEqual(golden?.ResourceGroupId, "no-group");
      assert.deepEqual(
        tagsOf(await snapshot("s-ali-sys")).filter(([k]) => k === "acs:x"),
        [],
      );
    });

    if (sdk === "pop-v1") {
      test("the old SDK's POST (a form body) is served as its GET", async () => {
        const post = client(sdk, { method: "POST" });
        const body = await post.call("DescribeSnapshots", { RegionId: REGION, SnapshotIds: JSON.stringify(["s-ali-data"]) });
        assertRequestId(body);
        assert.deepEqual(
          snapshotsOf(body).map((s) => [s.SnapshotId, s.SourceDiskId, s.Status]),
          [["s-ali-data", "d-ali-stopped-data", "accomplished"]],
          JSON.stringify(body),
        );
        const key = unique("node-post");
        const target = { RegionId: REGION, ResourceType: "snapshot", ResourceId: ["s-ali-data"] };
        assertRequestId(await post.call("TagResources", { ...target, Tag: [{ Key: key, Value: "v" }] }));
        try {
          assert.deepEqual(await listTags({ ...target, Tag: [{ Key: key }] }), [["s-ali-data", "snapshot", key, "v"]]);
        } finally {
          assertRequestId(await post.call("UntagResources", { ...target, TagKey: [key] }));
        }
        assert.deepEqual(await listTags({ ...target, Tag: [{ Key: key }] }), []);
        const err = await rejection(post.call("CreateSnapshot", { DiskId: "d-nope" }), "POST CreateSnapshot d-nope");
        assertError(sdk, err, "InvalidDiskId.NotFound", 404);
      });
    }

    test("a request signed with the wrong secret is refused", async () => {
      const wrong = client(sdk, { creds: { accessKeyId: "LTAI5tRefAlibaba0001", accessKeySecret: "NotTheSecret" } });
      const err = await rejection(wrong.call("DescribeSnapshots", { RegionId: REGION }), "a wrong secret");
      const seen = assertError(sdk, err, "SignatureDoesNotMatch", 400);
      assert.match(String(seen.message), /^Specified signature is not matched with our calculation/);
    });
  });
}

//! Zenlayer's actions: every fact about each, one row each (see [`crate::actions`]), with the
//! service and the API versions that have it. The reads-ahead and handler columns name
//! functions of the service crate's `protocols::zenlayer`, where the table is expanded into the
//! dispatch.

use super::versions::{Api, USER, ZEC_2024, ZEC_2025, ZRM};
use crate::action_enum;

/// ZEC, in both versions: a snapshot made through one is the same snapshot through the other.
const ZEC_BOTH: Api = Api { service: "zec", title: "ZEC", versions: &[ZEC_2025, ZEC_2024] };
/// ZEC 2025-09-01 only.
const ZEC_NEW: Api = Api { service: "zec", title: "ZEC", versions: &[ZEC_2025] };
/// ZRM (resource tags).
const ZRM_API: Api = Api { service: "zrm", title: "ZRM", versions: &[ZRM] };
/// User (resource groups).
const USER_API: Api = Api { service: "user", title: "User", versions: &[USER] };

/// The table: `zenlayer_actions!(then)` expands it with the macro `then`.
#[macro_export]
macro_rules! zenlayer_actions {
    ($then:ident) => {
        $then! {
            /// Zenlayer ZEC (APIs 2025-09-01 and 2024-04-01), and the ZRM and User calls on its
            /// resources.
            pub enum ZenlayerAction: Zenlayer("zenlayer") for $crate::zenlayer::ZlRequest
                => $crate::zenlayer::views::Answer, api $crate::zenlayer::versions::Api
            {
                // wire name                function        access  api       reads ahead                      handler
                CreateImage              => CreateImage,    Create, ZEC_NEW,  zenlayer::image_reads,           zenlayer::create_image;
                DescribeImages           => Describe,       Read,   ZEC_BOTH, zenlayer::listed_image_reads,    zenlayer::describe_images;
                DescribeCustomImages     => Describe,       Read,   ZEC_NEW,  zenlayer::listed_image_reads,    zenlayer::describe_custom_images;
                CreateSnapshot           => CreateSnapshot, Create, ZEC_BOTH, zenlayer::snapshot_reads,        zenlayer::create_snapshot;
                DescribeSnapshots        => Describe,       Read,   ZEC_BOTH, zenlayer::listed_snapshot_reads, zenlayer::describe_snapshots;
                DeleteImages             => CreateImage,    Delete, ZEC_NEW,  zenlayer::image_id_reads,        zenlayer::delete_images;
                ModifyImagesAttributes   => CreateImage,    Write,  ZEC_NEW,  zenlayer::image_id_reads,        zenlayer::modify_images;
                DeleteSnapshots          => CreateSnapshot, Delete, ZEC_BOTH, zenlayer::described_reads,       zenlayer::delete_snapshots;
                ModifySnapshotsAttribute => CreateSnapshot, Write,  ZEC_BOTH, zenlayer::described_reads,       zenlayer::modify_snapshots;
                ModifyResourceTags       => Tags,           Write,  ZRM_API,  nothing,                         zenlayer::modify_resource_tags;
                AddResourceResourceGroup => Tags,           Write,  USER_API, nothing,                         zenlayer::add_resource_resource_group;
            }
        }
    };
}

zenlayer_actions!(action_enum);

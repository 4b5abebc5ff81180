//! Alibaba ECS's actions: every fact about each, one row each (see [`crate::actions`]). The
//! reads-ahead and handler columns name functions of the service crate's
//! `protocols::alibaba`, where the table is expanded into the dispatch.

use crate::action_enum;

/// The API every Alibaba action belongs to: ECS's RPC API (tags and resource groups included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Api {
    pub product: &'static str,
    pub version: &'static str,
}

/// ECS, API version 2014-05-26.
pub const ECS: Api = Api { product: "ecs", version: super::API_VERSION };

/// The table: `alibaba_actions!(then)` expands it with the macro `then`.
#[macro_export]
macro_rules! alibaba_actions {
    ($then:ident) => {
        $then! {
            /// Alibaba ECS RPC (API 2014-05-26).
            pub enum AlibabaAction: Alibaba("alibaba") for $crate::alibaba::RpcRequest
                => $crate::alibaba::views::Answer, api $crate::alibaba::actions::Api
            {
                // wire name               function        access  api  reads ahead                 handler
                CreateSnapshot          => CreateSnapshot, Create, ECS, alibaba::snapshot_reads,    alibaba::create_snapshot;
                DescribeSnapshots       => Describe,       Read,   ECS, alibaba::described_reads,   alibaba::describe_snapshots;
                DeleteSnapshot          => CreateSnapshot, Delete, ECS, alibaba::snapshot_id_reads, alibaba::delete_snapshot;
                CreateImage             => CreateImage,    Create, ECS, alibaba::image_reads,       alibaba::create_image;
                DescribeImages          => Describe,       Read,   ECS, alibaba::listed_image_reads, alibaba::describe_images;
                DeleteImage             => CreateImage,    Delete, ECS, alibaba::image_id_reads,    alibaba::delete_image;
                ModifySnapshotAttribute => CreateSnapshot, Write,  ECS, alibaba::snapshot_id_reads, alibaba::modify_snapshot;
                ModifyImageAttribute    => CreateImage,    Write,  ECS, alibaba::image_id_reads,    alibaba::modify_image;
                TagResources            => Tags,           Write,  ECS, nothing,                    alibaba::tag_resources;
                UntagResources          => Tags,           Write,  ECS, nothing,                    alibaba::untag_resources;
                JoinResourceGroup       => Tags,           Write,  ECS, nothing,                    alibaba::join_resource_group;
                ListTagResources        => Describe,       Read,   ECS, nothing,                    alibaba::list_tag_resources;
            }
        }
    };
}

alibaba_actions!(action_enum);

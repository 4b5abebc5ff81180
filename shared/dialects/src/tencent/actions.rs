//! Tencent Cloud's actions: every fact about each, one row each (see [`crate::actions`]),
//! with the service that serves it. The reads-ahead and handler columns name functions of the
//! service crate's `protocols::tencent`, where the table is expanded into the dispatch.

use crate::action_enum;

/// The service an action belongs to: the TC3 credential scope names it, and its API version is
/// the one a request must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// CVM: images.
    Cvm,
    /// CBS: snapshots.
    Cbs,
    /// The Tag service, on resources of either.
    Tag,
}

use Service::{Cbs, Cvm, Tag};

impl Service {
    pub const ALL: [Service; 3] = [Cvm, Cbs, Tag];

    /// The service's name in a TC3 scope and in its host (`cvm.tencentcloudapi.com`).
    pub fn name(self) -> &'static str {
        match self {
            Cvm => "cvm",
            Cbs => "cbs",
            Tag => "tag",
        }
    }

    /// The service's name as the provider writes it.
    pub fn title(self) -> &'static str {
        match self {
            Cvm => "CVM",
            Cbs => "CBS",
            Tag => "Tag",
        }
    }

    /// The API version its actions are served in.
    pub fn version(self) -> &'static str {
        match self {
            Cvm | Cbs => super::API_VERSION,
            Tag => super::tags::API_VERSION,
        }
    }
}

/// The actions CVM's older form (`/v2/index.php`) serves.
pub const LEGACY: &[TencentAction] = &[TencentAction::CreateImage];

/// The table: `tencent_actions!(then)` expands it with the macro `then`.
#[macro_export]
macro_rules! tencent_actions {
    ($then:ident) => {
        $then! {
            /// Tencent Cloud CVM (images) and CBS (snapshots), API 3.0 version 2017-03-12, and the
            /// Tag service (version 2018-08-13) on them.
            pub enum TencentAction: Tencent("tencent") for $crate::tencent::TcRequest
                => $crate::tencent::views::Answer, api $crate::tencent::actions::Service
            {
                // wire name                         function        access  api  reads ahead                  handler
                CreateImage                       => CreateImage,    Create, Cvm, tencent::image_reads,        tencent::create_image;
                DescribeImages                    => Describe,       Read,   Cvm, tencent::listed_image_reads, tencent::describe_images;
                CreateSnapshot                    => CreateSnapshot, Create, Cbs, tencent::snapshot_reads,     tencent::create_snapshot;
                DescribeSnapshots                 => Describe,       Read,   Cbs, tencent::described_reads,    tencent::describe_snapshots;
                DeleteImages                      => CreateImage,    Delete, Cvm, tencent::image_id_reads,     tencent::delete_images;
                ModifyImageAttribute              => CreateImage,    Write,  Cvm, tencent::image_id_reads,     tencent::modify_image;
                DeleteSnapshots                   => CreateSnapshot, Delete, Cbs, tencent::snapshot_id_reads,  tencent::delete_snapshots;
                ModifyResourceTags                => Tags,           Write,  Tag, nothing,                     tencent::modify_resource_tags;
                TagResources                      => Tags,           Write,  Tag, nothing,                     tencent::tag_resources;
                UnTagResources                    => Tags,           Write,  Tag, nothing,                     tencent::untag_resources;
                DescribeResourceTagsByResourceIds => Describe,       Read,   Tag, nothing,                     tencent::describe_resource_tags;
                ModifySnapshotAttribute           => CreateSnapshot, Write,  Cbs, tencent::snapshot_id_reads,  tencent::modify_snapshot;
            }
        }
    };
}

tencent_actions!(action_enum);

//! The one routing table: every dialect's actions, each declared once (see [`crate::actions`]):
//! its wire name, the function that serves it, whether it writes, what it reads ahead and its
//! handler (in the dialect's module under `protocols/`). The local gateway, the Lambda functions
//! and the deployment template all follow it (a test keeps `infra/` in step).

use crate::actions::{actions, nothing, Access, Action};
use crate::pipeline::Protocol;
use crate::protocols::{alibaba, tencent, zenlayer};
use dialects::alibaba::views as ali;
use dialects::alibaba::RpcRequest;
use dialects::tencent::views as tc;
use dialects::tencent::TcRequest;
use dialects::zenlayer::views as zl;
use dialects::zenlayer::ZlRequest;
use dialects::Dialect;
use std::sync::LazyLock;

/// The Lambda functions of the project (crates under `functions/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// CreateImage and the images' other writes (DeleteImage, ModifyImageAttribute).
    CreateImage,
    /// CreateSnapshot and the snapshots' other writes (DeleteSnapshot, ModifySnapshotAttribute).
    CreateSnapshot,
    /// Every read.
    Describe,
    /// The writes that label resources of either kind: tags and resource groups (which the
    /// provider itself lists as the tag `acs:rm:rgId`).
    Tags,
}

impl Function {
    pub const ALL: [Function; 4] =
        [Function::CreateImage, Function::CreateSnapshot, Function::Describe, Function::Tags];

    /// The binary (and crate) name.
    pub fn name(self) -> &'static str {
        match self {
            Function::CreateImage => "create-image",
            Function::CreateSnapshot => "create-snapshot",
            Function::Describe => "describe",
            Function::Tags => "tags",
        }
    }
}

actions! {
    /// Alibaba ECS RPC (API 2014-05-26).
    pub enum AlibabaAction for RpcRequest => ali::Answer {
        // wire name                  function        access reads ahead                 handler
        CreateSnapshot          => CreateSnapshot, Create, alibaba::snapshot_reads,    alibaba::create_snapshot;
        DescribeSnapshots       => Describe,       Read,  alibaba::described_reads,   alibaba::describe_snapshots;
        DeleteSnapshot          => CreateSnapshot, Delete, alibaba::snapshot_id_reads, alibaba::delete_snapshot;
        CreateImage             => CreateImage,    Create, alibaba::image_reads,       alibaba::create_image;
        DescribeImages          => Describe,       Read,  alibaba::listed_image_reads, alibaba::describe_images;
        DeleteImage             => CreateImage,    Delete, alibaba::image_id_reads,    alibaba::delete_image;
        ModifySnapshotAttribute => CreateSnapshot, Write, alibaba::snapshot_id_reads, alibaba::modify_snapshot;
        ModifyImageAttribute    => CreateImage,    Write, alibaba::image_id_reads,    alibaba::modify_image;
        TagResources            => Tags,           Write, nothing,                    alibaba::tag_resources;
        UntagResources          => Tags,           Write, nothing,                    alibaba::untag_resources;
        JoinResourceGroup       => Tags,           Write, nothing,                    alibaba::join_resource_group;
        ListTagResources        => Describe,       Read,  nothing,                    alibaba::list_tag_resources;
    }

    /// Tencent Cloud CVM (images) and CBS (snapshots), API 3.0 version 2017-03-12, and the Tag
    /// service (version 2018-08-13) on them.
    pub enum TencentAction for TcRequest => tc::Answer {
        CreateImage                       => CreateImage,    Create, tencent::image_reads,       tencent::create_image;
        DescribeImages                    => Describe,       Read,  tencent::listed_image_reads, tencent::describe_images;
        CreateSnapshot                    => CreateSnapshot, Create, tencent::snapshot_reads,    tencent::create_snapshot;
        DescribeSnapshots                 => Describe,       Read,  tencent::described_reads,   tencent::describe_snapshots;
        DeleteImages                      => CreateImage,    Delete, tencent::image_id_reads,    tencent::delete_images;
        ModifyImageAttribute              => CreateImage,    Write, tencent::image_id_reads,    tencent::modify_image;
        DeleteSnapshots                   => CreateSnapshot, Delete, tencent::snapshot_id_reads, tencent::delete_snapshots;
        ModifyResourceTags                => Tags,           Write, nothing,                    tencent::modify_resource_tags;
        TagResources                      => Tags,           Write, nothing,                    tencent::tag_resources;
        UnTagResources                    => Tags,           Write, nothing,                    tencent::untag_resources;
        DescribeResourceTagsByResourceIds => Describe,       Read,  nothing,                    tencent::describe_resource_tags;
        ModifySnapshotAttribute           => CreateSnapshot, Write, tencent::snapshot_id_reads, tencent::modify_snapshot;
    }

    /// Zenlayer ZEC (APIs 2025-09-01 and 2024-04-01), and the ZRM and User calls on its
    /// resources (which service and version has which action is `dialects::zenlayer::versions`).
    pub enum ZenlayerAction for ZlRequest => zl::Answer {
        CreateImage              => CreateImage,    Create,  zenlayer::image_reads,     zenlayer::create_image;
        DescribeImages           => Describe,       Read,   zenlayer::listed_image_reads,    zenlayer::describe_images;
        DescribeCustomImages     => Describe,       Read,   zenlayer::listed_image_reads,    zenlayer::describe_custom_images;
        CreateSnapshot           => CreateSnapshot, Create,  zenlayer::snapshot_reads,  zenlayer::create_snapshot;
        DescribeSnapshots        => Describe,       Read,   zenlayer::listed_snapshot_reads, zenlayer::describe_snapshots;
        DeleteImages             => CreateImage,    Delete,  zenlayer::image_id_reads,  zenlayer::delete_images;
        ModifyImagesAttributes   => CreateImage,    Write,  zenlayer::image_id_reads,  zenlayer::modify_images;
        DeleteSnapshots          => CreateSnapshot, Delete,  zenlayer::described_reads, zenlayer::delete_snapshots;
        ModifySnapshotsAttribute => CreateSnapshot, Write,  zenlayer::described_reads, zenlayer::modify_snapshots;
        ModifyResourceTags       => Tags,           Write,  nothing,                   zenlayer::modify_resource_tags;
        AddResourceResourceGroup => Tags,           Write,  nothing,                   zenlayer::add_resource_resource_group;
    }
}

/// One served action: the dialect, the action's wire name, the function that serves it and
/// whether it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub dialect: Dialect,
    pub action: &'static str,
    pub function: Function,
    pub access: Access,
}

/// Every route, as the dialects' action declarations give them.
pub static ROUTES: LazyLock<Vec<Route>> = LazyLock::new(|| {
    let mut routes = Vec::new();
    routes.extend(routes_of::<RpcRequest>());
    routes.extend(routes_of::<TcRequest>());
    routes.extend(routes_of::<ZlRequest>());
    routes
});

fn routes_of<P: Protocol>() -> impl Iterator<Item = Route> {
    P::Action::ALL.iter().map(|a| Route {
        dialect: P::DIALECT,
        action: a.wire(),
        function: a.function(),
        access: a.access(),
    })
}

/// Which routes a process serves: all of them (the gateway, a catch-all function) or one
/// function's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Only(Function),
}

impl Scope {
    /// Whether a process with this scope serves `function`'s routes.
    pub fn serves(self, function: Function) -> bool {
        self == Scope::All || self == Scope::Only(function)
    }
}

/// The route for an action of a dialect, if this scope serves it.
pub fn find(dialect: Dialect, action: &str, scope: Scope) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.dialect == dialect && r.action == action).filter(|r| scope.serves(r.function))
}

/// The function that serves a request (its dialect and action), or `None` when no route does:
/// the catch-all then answers, as the load balancer's default target does.
pub fn function_for(req: &dialects::WireRequest) -> Option<Function> {
    let (dialect, action) = crate::dialect_action(req);
    find(dialect, &action?, Scope::All).map(|r| r.function)
}

/// The binary of the catch-all function.
pub const CATCH_ALL: &str = "catch-all";

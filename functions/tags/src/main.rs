//! The writes that label snapshots and images (TagResources, UntagResources,
//! JoinResourceGroup) as a Lambda function.

use service::{Function, Scope};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    service::lambda::run(Scope::Only(Function::Tags)).await
}

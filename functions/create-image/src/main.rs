//! CreateImage as a Lambda function (every dialect that has the action).

use service::{Function, Scope};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    service::lambda::run(Scope::Only(Function::CreateImage)).await
}

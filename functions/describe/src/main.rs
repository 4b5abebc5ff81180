//! The read actions (DescribeSnapshots, …) as a Lambda function.

use service::{Function, Scope};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    service::lambda::run(Scope::Only(Function::Describe)).await
}

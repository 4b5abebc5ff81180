//! Every route as one Lambda function: the load balancer's default target, for requests its
//! rules cannot route (actions named only in a form body, unknown actions), which it answers as
//! the provider would.

use service::Scope;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    service::lambda::run(Scope::All).await
}

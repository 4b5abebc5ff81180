//! The snapshot scheduler as a Lambda function, fired by an EventBridge schedule (hourly). The
//! event's time picks the slot (moved by the virtual clock, when one is set), so a late or
//! repeated delivery still acts for its own hour.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use service::App;

#[tokio::main]
async fn main() -> Result<(), Error> {
    service::logging::init();
    let app = App::from_env().await;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<EventBridgeEvent<serde_json::Value>>| {
        let app = app.clone();
        async move {
            let delivered = event.payload.time.unwrap_or_else(chrono::Utc::now);
            let report = service::scheduler::fire(&app, delivered).await?;
            Ok::<_, Error>(serde_json::to_value(report)?)
        }
    }))
    .await
}

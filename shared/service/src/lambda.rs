//! The Lambda entry point every HTTP function shares: the event becomes the same wire request
//! the gateway builds, and the answer goes back unchanged.

use crate::{App, Scope};
use bytes::Bytes;
use lambda_http::{service_fn, Body, Error, Request, Response};

/// Serve `scope` as a Lambda function (ALB, API Gateway or function URL events).
pub async fn run(scope: Scope) -> Result<(), Error> {
    crate::logging::init();
    // Built once per cold start, shared by every invocation.
    let app = App::from_env().await;
    lambda_http::run(service_fn(move |req: Request| {
        let app = app.clone();
        async move { Ok::<_, Error>(handle(&app, req, scope).await) }
    }))
    .await
}

pub async fn handle(app: &App, req: Request, scope: Scope) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(t) => Bytes::from(t),
        Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    };
    let wire = http::Request::from_parts(parts, bytes);
    // The same limit as the gateway's, whatever the event source lets through.
    let answer = if wire.body().len() > dialects::MAX_BODY_BYTES {
        crate::too_large(&wire)
    } else {
        app.handle(wire, scope).await
    };
    let (parts, body) = answer.into_parts();
    Response::from_parts(parts, Body::Text(String::from_utf8_lossy(&body).into_owned()))
}

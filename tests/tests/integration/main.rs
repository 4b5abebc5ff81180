//! The integration tests, as one test binary: each module is one area (a dialect's action, a
//! mechanism), each test starts what it needs (a gateway on a fresh table of DynamoDB Local) and
//! checks what a client sees on the wire. Shared helpers are in `tests/support` (the
//! `integration_tests` library).

mod alibaba_create_image;
mod alibaba_create_snapshot;
mod alibaba_delete_image;
mod alibaba_delete_snapshot;
mod alibaba_describe;
mod alibaba_modify;
mod alibaba_tags;
mod auth;
mod bad_input;
mod clock;
mod concurrency;
mod control_plane;
mod create_time_tags;
mod dashboard;
mod describe_snapshots;
mod faults;
mod hostile_input;
mod https;
mod infra_routes;
mod isolation;
mod lambda_events;
mod read_round_trips;
mod reliability;
mod replayed_actions;
mod runtime_faults;
mod scheduler;
mod slow_clients;
mod speculation;
mod speculative_deletes;
mod tencent_auth;
mod tencent_create_image;
mod tencent_lifecycle;
mod tencent_snapshots;
mod tencent_tags;
mod worlds;
mod zenlayer;
mod zenlayer_lifecycle;

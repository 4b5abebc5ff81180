//! `world load FILE [--table NAME]` — create the table if needed and load a world into it,
//! replacing the state of the accounts the world names.
//! `world check FILE` — only check the file.
//! `world verify [--table NAME]` — check the table's invariants (counters, name markers, token
//! leases, orphans); exits non-zero, listing them, when one is broken.
//!
//! A malformed world is refused with the path of the bad field, and nothing is written.
//! DynamoDB endpoint: `DYNAMODB_ENDPOINT` (unset: the AWS default chain, e.g. a deployed table).

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "world")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the table if needed and load a world into it.
    Load {
        file: String,
        #[arg(long, env = "TABLE_NAME", default_value = store::DEFAULT_TABLE)]
        table: String,
    },
    /// Only check the file.
    Check { file: String },
    /// Check the table's invariants.
    Verify {
        #[arg(long, env = "TABLE_NAME", default_value = store::DEFAULT_TABLE)]
        table: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match Args::parse().command {
        Command::Verify { table } => {
            let store = store::Store::from_env(table.clone()).await;
            match store.check_invariants(chrono::Utc::now()).await {
                Ok(broken) if broken.is_empty() => {
                    println!("table {table}: consistent");
                    ExitCode::SUCCESS
                }
                Ok(broken) => {
                    broken.iter().for_each(|b| eprintln!("table {table}: {b}"));
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("world: table {table}: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check { file: path } => {
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("world: {path}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match world::parse(&text, chrono::Utc::now()) {
                Ok(w) => {
                    println!(
                        "{path}: ok ({} accounts, {} disks, {} instances)",
                        w.accounts.len(),
                        w.disks.len(),
                        w.instances.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("world: {path}: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Load { file: path, table } => {
            let store = store::Store::from_env(table.clone()).await;
            match gateway::load_world_file(&store, &path).await {
                Ok(s) => {
                    println!(
                        "{path}: loaded into table {table} ({} accounts; {} items removed, {} written)",
                        s.accounts, s.removed, s.written
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("world: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

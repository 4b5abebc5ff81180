//! `world load FILE [--table NAME]` — create the table if needed and load a world into it,
//! replacing the state of the accounts the world names.
//! `world check FILE` — only check the file.
//! `world verify [--table NAME]` — check the table's invariants (counters, name markers, token
//! leases, orphans); exits non-zero, listing them, when one is broken.
//!
//! A malformed world is refused with the path of the bad field, and nothing is written.
//! DynamoDB endpoint: `DYNAMODB_ENDPOINT` (unset: the AWS default chain, e.g. a deployed table).

use std::process::ExitCode;

const USAGE: &str = "usage: world load FILE [--table NAME] | world check FILE | world verify [--table NAME]";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut table = std::env::var("TABLE_NAME").unwrap_or_else(|_| store::DEFAULT_TABLE.into());
    let (command, path) = match args.as_slice() {
        [c] if c == "verify" => (c.as_str(), ""),
        [c, flag, t] if c == "verify" && flag == "--table" => {
            table = t.clone();
            (c.as_str(), "")
        }
        [c, p] => (c.as_str(), p.as_str()),
        [c, p, flag, t] if flag == "--table" => {
            table = t.clone();
            (c.as_str(), p.as_str())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match command {
        "verify" => {
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
        "check" => {
            let text = match std::fs::read_to_string(path) {
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
        "load" => {
            let store = store::Store::from_env(table.clone()).await;
            match gateway::load_world_file(&store, path).await {
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
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

//! `gateway [--host 127.0.0.1] [--port 18080] [--table NAME] [--world FILE] [--proxy URL] [--control-plane]
//! [--scheduler-every SECONDS] [--tls-dir DIR] [--tls-name NAME]... [--no-tls]`
//!
//! Serves every dialect and action on one port: in-process, or with `--proxy URL` by forwarding
//! each request to its function under `cargo lambda watch` at URL. With `--world`, creates the
//! table if needed and loads the world first. The DynamoDB endpoint comes from `DYNAMODB_ENDPOINT`
//! (unset: the AWS default chain); the table from `--table`, else `TABLE_NAME`, else
//! `cloud-images`. `--control-plane` switches the operator's endpoints under `/_emulator/` on (as
//! does `EMULATOR_CONTROL_PLANE=on`; `EMULATOR_CONTROL_TOKEN` then asks for a bearer token).
//! `--scheduler-every 3600` fires the snapshot scheduler at the top of every hour, as the
//! deployment's EventBridge rule does (with `--proxy`, through the scheduler function).
//!
//! HTTPS is served on the same port: the local CA kept in `--tls-dir` (default `.cache/tls`, made
//! on first start) signs a certificate for `localhost`, `127.0.0.1`, `::1` and each `--tls-name`.
//! `--no-tls` serves plain HTTP only.

use clap::Parser;
use service::App;
use std::process::ExitCode;

/// Serve every dialect and action on one port.
#[derive(Parser)]
#[command(name = "gateway")]
struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 18080)]
    port: u16,
    /// The DynamoDB table.
    #[arg(long, env = "TABLE_NAME", default_value = store::DEFAULT_TABLE)]
    table: String,
    /// Create the table if needed and load this world before serving.
    #[arg(long)]
    world: Option<String>,
    /// Forward each request to its function under `cargo lambda watch` at this URL.
    #[arg(long)]
    proxy: Option<String>,
    /// Serve the operator's endpoints under `/_emulator/` (also `EMULATOR_CONTROL_PLANE=on`).
    #[arg(long)]
    control_plane: bool,
    /// Fire the snapshot scheduler at every multiple of this many seconds.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    scheduler_every: Option<u64>,
    /// Where the local CA is kept (made on first start).
    #[arg(long, default_value = ".cache/tls")]
    tls_dir: String,
    /// A further name for the server certificate (repeatable).
    #[arg(long = "tls-name", value_name = "NAME")]
    tls_names: Vec<String>,
    /// Serve plain HTTP only.
    #[arg(long, conflicts_with_all = ["tls_dir", "tls_names"])]
    no_tls: bool,
    /// Let a client go once the write of its answer has made no progress for this long.
    #[arg(long, value_name = "SECONDS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    write_stall: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    service::logging::init();
    let limits = gateway::Limits {
        write_stall: std::time::Duration::from_secs(args.write_stall),
        ..gateway::Limits::default()
    };
    let mut control = service::control::Control::from_env();
    if args.control_plane && control.is_none() {
        control = Some(service::control::Control::default());
    }
    // The names the certificate is made for are names the control plane is reached by.
    if let Some(c) = control.as_mut() {
        c.hosts.extend(args.tls_names.iter().map(|n| n.to_ascii_lowercase()));
    }
    // A reset without a body reloads the world this process started with.
    if let (Some(c), Some(path)) = (control.as_mut(), &args.world) {
        c.world = std::fs::read_to_string(path).ok().map(Into::into);
    }
    let tls = match (!args.no_tls).then_some(&args.tls_dir) {
        Some(dir) => match gateway::tls::local_tls(std::path::Path::new(dir), &args.tls_names) {
            Ok(tls) => Some(tls),
            Err(e) => {
                eprintln!("gateway: HTTPS: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => None,
    };
    if let (Some(c), Some(t)) = (control.as_mut(), &tls) {
        c.ca_pem = Some(t.ca_pem.clone());
    }
    let app = App::new(store::Store::from_env(args.table.clone()).await).with_control(control);
    if let Some(path) = &args.world {
        match gateway::load_world_file(&app.store, path).await {
            Ok(s) => eprintln!(
                "gateway: loaded {path} into table {} ({} accounts, {} items)",
                args.table, s.accounts, s.written
            ),
            Err(e) => {
                eprintln!("gateway: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let listener = match tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("gateway: cannot listen on {}:{}: {e}", args.host, args.port);
            return ExitCode::FAILURE;
        }
    };
    let backend = match &args.proxy {
        Some(url) => {
            eprintln!("gateway: forwarding to the functions at {url}");
            gateway::Backend::Proxy(Box::new(gateway::proxy::Proxy::new(url)), app)
        }
        None => gateway::Backend::InProcess(app),
    };
    if let Some(seconds) = args.scheduler_every {
        eprintln!("gateway: firing the snapshot scheduler every {seconds} s");
        tokio::spawn(gateway::fire_scheduler(backend.clone(), std::time::Duration::from_secs(seconds)));
    }
    eprintln!("gateway: listening on http://{}:{} (table {})", args.host, args.port, args.table);
    if let Some(t) = &tls {
        eprintln!(
            "gateway: and on https://{}:{} (CA certificate: {})",
            args.host,
            args.port,
            t.ca_path.display()
        );
    }
    tokio::select! {
        _ = gateway::serve_with_limits(listener, backend, tls, limits) => {}
        _ = tokio::signal::ctrl_c() => eprintln!("gateway: stopping"),
    }
    ExitCode::SUCCESS
}

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

use service::App;
use std::process::ExitCode;

struct Args {
    host: String,
    port: u16,
    table: String,
    world: Option<String>,
    proxy: Option<String>,
    control_plane: bool,
    scheduler_every: Option<u64>,
    tls_dir: Option<String>,
    tls_names: Vec<String>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        host: "127.0.0.1".into(),
        port: 18080,
        table: std::env::var("TABLE_NAME").unwrap_or_else(|_| store::DEFAULT_TABLE.into()),
        world: None,
        proxy: None,
        control_plane: false,
        scheduler_every: None,
        tls_dir: Some(".cache/tls".into()),
        tls_names: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => a.host = value()?,
            "--port" => a.port = value()?.parse().map_err(|_| "--port takes a number".to_string())?,
            "--table" => a.table = value()?,
            "--world" => a.world = Some(value()?),
            "--proxy" => a.proxy = Some(value()?),
            "--control-plane" => a.control_plane = true,
            "--scheduler-every" => {
                let seconds = value()?.parse().ok().filter(|s| *s > 0);
                a.scheduler_every = Some(seconds.ok_or("--scheduler-every takes a number of seconds")?);
            }
            "--tls-dir" => a.tls_dir = Some(value()?),
            "--tls-name" => a.tls_names.push(value()?),
            "--no-tls" => a.tls_dir = None,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("gateway: {e}");
            }
            eprintln!(
                "usage: gateway [--host 127.0.0.1] [--port 18080] [--table NAME] [--world FILE] [--proxy URL] [--control-plane] [--scheduler-every SECONDS] [--tls-dir DIR] [--tls-name NAME]... [--no-tls]"
            );
            return ExitCode::from(2);
        }
    };
    service::logging::init();
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
    let tls = match &args.tls_dir {
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
        _ = gateway::serve_on(listener, backend, tls) => {}
        _ = tokio::signal::ctrl_c() => eprintln!("gateway: stopping"),
    }
    ExitCode::SUCCESS
}

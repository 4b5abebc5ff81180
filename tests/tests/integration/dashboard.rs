//! The dashboard at `/_emulator/` in a real headless browser: Debian's Chromium, driven over
//! WebDriver by its ChromeDriver (`infra/local/test.sh` installs both when missing). The page
//! loads, lists the world's resources, the faults and the last requests, and a click on
//! "+3 days" moves the virtual clock and changes what it shows. The run writes a screenshot to
//! `target/screenshots/dashboard.png`.

use integration_tests::*;
use serde_json::{json, Value};
use service::control::Control;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const TOKEN: &str = "dashboard-token";

/// One WebDriver session of a ChromeDriver this test started.
struct Browser {
    driver: Child,
    base: String,
    session: String,
}

impl Drop for Browser {
    /// ChromeDriver and the browser it started share a process group of their own: end them all,
    /// whether or not the test got as far as closing its session.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        Command::new("kill").args(["-TERM", "--", &group]).status().ok();
        self.driver.wait().ok();
    }
}

fn installed(env: &str, default: &str) -> String {
    let path = std::env::var(env).unwrap_or_else(|_| default.to_string());
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} is missing: the dashboard test needs Debian's chromium and chromium-driver \
         (infra/local/test.sh installs them: apt-get install chromium chromium-driver; or set {env})"
    );
    path
}

async fn webdriver(method: &str, url: &str, body: Option<Value>) -> Value {
    let client =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let req = http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from(body.map(|b| b.to_string()).unwrap_or_default())))
        .unwrap();
    let resp = client.request(req).await.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let bytes = http_body_util::BodyExt::collect(resp.into_body()).await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{method} {url}: {e}"))
}

impl Browser {
    async fn start() -> Browser {
        let driver_path = installed("CHROMEDRIVER", CHROMEDRIVER);
        let chromium = installed("CHROMIUM", CHROMIUM);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        use std::os::unix::process::CommandExt;
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let mut browser = Browser { driver, base, session: String::new() };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1400,1300",
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args}
        }}});
        let made = webdriver("POST", &format!("{}/session", browser.base), Some(capabilities)).await;
        browser.session =
            made["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {made}")).to_string();
        browser
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let answer = webdriver(method, &format!("{}/session/{}/{path}", self.base, self.session), body).await;
        assert!(answer["value"]["error"].is_null(), "{method} {path}: {answer}");
        answer["value"].clone()
    }

    /// Run `script` in the page and give its value.
    async fn eval(&self, script: &str) -> Value {
        self.call("POST", "execute/sync", Some(json!({"script": script, "args": []}))).await
    }

    /// Wait until `script` gives `true`.
    async fn until(&self, what: &str, script: &str) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(15) {
            if self.eval(script).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let page = self.eval("return document.body.innerText").await;
        panic!("the page never showed {what}; it shows:\n{}", page.as_str().unwrap_or_default());
    }

    async fn click(&self, css: &str) {
        let found = self.call("POST", "element", Some(json!({"using": "css selector", "value": css}))).await;
        let id =
            found.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).unwrap().to_string();
        self.call("POST", &format!("element/{id}/click"), Some(json!({}))).await;
    }
}

fn shows(id: &str) -> String {
    format!("return document.querySelector('tr[data-id=\"{id}\"]') !== null")
}

#[tokio::test]
async fn the_dashboard_lists_the_world_and_a_click_moves_the_clock() {
    let world = reference_with(|w| w["settings"]["timings"] = json!({"snapshot_seconds": 0}));
    let control = Control { token: Some(TOKEN.into()), ..Control::default() };
    let gw = Gateway::start_with_control(&world, Some(control)).await;
    let bearer = format!("Bearer {TOKEN}");
    let made = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-expired"), ("RetentionDays", "1")]).await;
    assert_eq!(made.status, 200, "{}", made.text);
    let snapshot = made.field("SnapshotId");
    let refused = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-nope")]).await;
    assert_eq!(refused.status, 404);
    assert_eq!(gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({})).await.tc_code(), None);
    assert_eq!(gw.zl(ZL, "DescribeSnapshots", json!({})).await.status, 200);
    let fault =
        json!({"id": "shown-fault", "dialect": "tencent", "action": "CreateImage", "code": "InternalError"});
    let added = gw
        .raw(
            "POST",
            "/_emulator/faults",
            &[("authorization", &bearer), ("content-type", "application/json")],
            fault.to_string().into_bytes(),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.text);

    let browser = Browser::start().await;
    let page = format!("http://{}/_emulator/#token={TOKEN}", gw.addr);
    browser.call("POST", "url", Some(json!({"url": page}))).await;
    // The world's resources, the new snapshot, the fault and the requests served.
    for id in ["i-ali-stopped", "d-ali-expired", "s-ali-sys", &snapshot, "shown-fault"] {
        browser.until(id, &shows(id)).await;
    }
    browser
        .until(
            "the refused request",
            "return document.querySelector('#requests').innerText.includes('InvalidDiskId.NotFound')",
        )
        .await;
    let before = browser.eval("return document.getElementById('clock-time').textContent").await;

    browser.click("#advance-3d").await;
    // Three days on: the one-day snapshot is released and the clock shows the virtual time.
    browser.until("the snapshot gone", &shows(&snapshot).replace("!==", "===")).await;
    let after = browser.eval("return document.getElementById('clock-time').textContent").await;
    let after = chrono::DateTime::parse_from_rfc3339(after.as_str().unwrap()).unwrap();
    let ahead = after.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(ahead > chrono::Duration::hours(71), "before {before}, after {after}");
    assert_eq!(browser.eval("return document.getElementById('clock-time').className").await, "virtual");
    assert!(gw.store.snapshot(&snapshot).await.unwrap().is_none());

    let png = browser.call("GET", "screenshot", None).await;
    let png = base64_decode(png.as_str().unwrap());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("dashboard.png");
    std::fs::write(&path, &png).unwrap();
    eprintln!("figures: dashboard: screenshot {} ({} bytes)", path.display(), png.len());
    // Closing the session closes the browser.
    webdriver("DELETE", &format!("{}/session/{}", browser.base, browser.session), None).await;
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).expect("a base64 screenshot")
}

//! The built demo page, served by the real server on a temporary SQLite
//! file, in a real headless Chromium: the portal shows the seeded plan and
//! entitlements, identify reaches the database, and data is one round trip
//! from mount.

use std::time::Duration;

use portico_e2e::{env_path, mount_timing, Browser, Chromedriver, Server};
use serde_json::json;
use sqlx::Row;

const ACME: &str = "org_01JDM3ACME6Y7B0Q4P2ZXK9RWT";
const ADA: &str = "user_01JDM3ADA1R9K2X7Q5N4W8T0VB";
const GLOBEX: &str = "org_01JDM3GLOBEX5T2HF8Q1W3M7ND";
const WAIT: Duration = Duration::from_secs(30);

struct Demo {
    _dir: tempfile::TempDir,
    database: String,
    server: Server,
    _driver: Chromedriver,
    browser: Browser,
}

fn start_demo() -> Demo {
    let dist = env_path("PORTICO_DIST");
    let binary = env_path("PORTICO_SERVER_BIN");
    assert!(
        dist.join("index.html").exists(),
        "{} has no index.html: build the bundle first",
        dist.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("e2e.db").display());
    let server = Server::start(
        &binary,
        &[
            "--demo",
            "--database-url",
            &database,
            "--serve-dir",
            &dist.display().to_string(),
            "--bind",
            "127.0.0.1:0",
        ],
    )
    .unwrap();
    let driver = Chromedriver::start().unwrap();
    let browser = Browser::start(&driver).unwrap();
    Demo {
        _dir: dir,
        database,
        server,
        _driver: driver,
        browser,
    }
}

/// Runs `query` (one row, one text column per `?`-less select) against the
/// demo's database.
fn query_rows(database: &str, sql: &str, bind: &str) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(database).await.unwrap();
        let rows = sqlx::query(sql).bind(bind).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows.iter().map(|row| row.get::<String, _>(0)).collect()
    })
}

#[test]
fn the_demo_shows_the_seeded_plan_and_identify_reaches_the_database() {
    let demo = start_demo();
    let browser = &demo.browser;
    browser
        .goto(&format!("{}/?org={ACME}", demo.server.url))
        .unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-part=plan][data-state=active]')",
            WAIT,
        )
        .unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-part=entitlement-list]')",
            WAIT,
        )
        .unwrap();

    assert_eq!(browser.text("[data-part=plan-name]").unwrap(), "Pro");
    assert_eq!(browser.text("[data-part=status-badge]").unwrap(), "Active");
    assert_eq!(browser.count("[data-part=entitlement]").unwrap(), 7);
    let api_calls = browser
        .text("[data-feature=api_calls] [data-part=entitlement-value]")
        .unwrap();
    assert!(
        api_calls.contains("48") && api_calls.contains("210") && api_calls.contains("100"),
        "{api_calls}"
    );
    assert_eq!(
        browser
            .execute(
                "return document.querySelector('[data-feature=sso]').dataset.state;",
                vec![]
            )
            .unwrap(),
        json!("off")
    );
    assert!(browser
        .text("[data-testid=signed-in]")
        .unwrap()
        .contains("Ada Lovelace"));

    let timing = mount_timing(browser).unwrap();
    println!(
        "mount -> data: {} request(s) on the critical path {:?}, {} API request(s) in all, {:.1} ms",
        timing.critical_requests.len(),
        timing.critical_requests,
        timing.api_requests,
        timing.mount_to_data_ms
    );
    assert_eq!(
        timing.critical_requests.len(),
        1,
        "one round trip from mount to data: {timing:?}"
    );
    assert_eq!(timing.critical_requests, vec!["/v1/portal".to_owned()]);

    // Identify is not awaited by the page; give it a moment to land.
    let identified = |org: &str| {
        query_rows(
            &demo.database,
            "SELECT e.id FROM events e JOIN company_keys k ON k.company_id = e.company_id
             WHERE e.kind = 'identify' AND k.key_name = 'workos_organization_id' AND k.key_value = ?",
            org,
        )
    };
    for _ in 0..100 {
        if !identified(ACME).is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        identified(ACME).len(),
        1,
        "one identify event for the organization"
    );
    let company_keys = query_rows(
        &demo.database,
        "SELECT c.key_name || '=' || c.key_value FROM company_keys c
         WHERE c.company_id = (SELECT company_id FROM company_keys WHERE key_name = 'workos_organization_id' AND key_value = ?)",
        ACME,
    );
    assert_eq!(company_keys, vec![format!("workos_organization_id={ACME}")]);
    let user_keys = query_rows(
        &demo.database,
        "SELECT key_name || '=' || key_value FROM user_keys
         WHERE user_id = (SELECT user_id FROM user_keys WHERE key_name = 'workos_user_id' AND key_value = ?) ORDER BY key_name",
        ADA,
    );
    assert_eq!(
        user_keys,
        vec![
            "email=ada@acme.test".to_owned(),
            format!("workos_user_id={ADA}")
        ]
    );

    let errors = browser.console_errors().unwrap();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

#[test]
fn signing_in_to_another_organization_shows_its_plan() {
    let demo = start_demo();
    let browser = &demo.browser;
    browser.goto(&format!("{}/", demo.server.url)).unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-part=plan][data-state=active]')",
            WAIT,
        )
        .unwrap();

    browser
        .execute(
            "const select = document.querySelector('[data-testid=account-picker]');
             select.value = arguments[0];
             select.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(GLOBEX)],
        )
        .unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-part=plan][data-state=free]')",
            WAIT,
        )
        .unwrap();
    assert_eq!(browser.text("[data-part=plan-name]").unwrap(), "Free");
    browser
        .wait_for(
            "document.querySelector('[data-feature=api_calls][data-state=over-limit]')",
            WAIT,
        )
        .unwrap();
    assert!(browser
        .text("[data-testid=signed-in]")
        .unwrap()
        .contains("Globex"));
}

#[test]
fn upgrading_free_to_pro_yearly_records_the_subscription_and_an_invoice() {
    let demo = start_demo();
    let browser = &demo.browser;
    browser
        .goto(&format!("{}/?org={GLOBEX}", demo.server.url))
        .unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-part=plan][data-state=free]')",
            WAIT,
        )
        .unwrap();

    browser
        .execute(
            "document.querySelector('[data-part=plan-picker] input[value=year]').click();",
            vec![],
        )
        .unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-plan=pro] [data-part=plan-action][data-state=upgrade]')",
            WAIT,
        )
        .unwrap();
    browser
        .execute(
            "document.querySelector('[data-plan=pro] [data-part=plan-action]').click();",
            vec![],
        )
        .unwrap();
    browser.wait_for("document.querySelector('dialog[data-part=checkout][open] [data-part=preview][data-state=ready]')", WAIT).unwrap();
    // Globex has never subscribed: the plan starts with its trial.
    assert_eq!(
        browser.text("[data-part=confirm]").unwrap(),
        "Start free trial"
    );
    assert!(browser
        .text("[data-part=recurring]")
        .unwrap()
        .contains("490.00"));
    browser
        .execute(
            "document.querySelector('[data-part=confirm]').click();",
            vec![],
        )
        .unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-part=checkout-message][data-state=done]')",
            WAIT,
        )
        .unwrap();
    browser
        .wait_for(
            "document.querySelector('[data-part=plan][data-state=trialing]')",
            WAIT,
        )
        .unwrap();
    assert_eq!(
        browser
            .text("[data-part=plan] [data-part=plan-name]")
            .unwrap(),
        "Pro"
    );
    assert_eq!(
        browser
            .text("[data-part=plan] [data-part=price-interval]")
            .unwrap(),
        "per year"
    );

    let subscription = query_rows(
        &demo.database,
        "SELECT s.plan_id || '/' || s.billing_interval || '/' || s.status FROM subscriptions s
         JOIN company_keys k ON k.company_id = s.company_id
         WHERE k.key_name = 'workos_organization_id' AND k.key_value = ?",
        GLOBEX,
    );
    assert_eq!(subscription, vec!["pro/year/trialing".to_owned()]);
    let invoices = query_rows(
        &demo.database,
        "SELECT i.reason || '/' || i.status || '/' || i.lines FROM invoices i
         JOIN company_keys k ON k.company_id = i.company_id
         WHERE k.key_name = 'workos_organization_id' AND k.key_value = ?",
        GLOBEX,
    );
    assert_eq!(invoices.len(), 1, "{invoices:?}");
    assert!(
        invoices[0].starts_with("checkout/no_charge/"),
        "{invoices:?}"
    );
    assert!(invoices[0].contains("\"kind\":\"trial\""), "{invoices:?}");
    let errors = browser.console_errors().unwrap();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

#[test]
fn screenshots_of_the_demo_in_light_and_dark() {
    let demo = start_demo();
    let browser = &demo.browser;
    for theme in ["light", "dark"] {
        browser
            .goto(&format!("{}/?org={ACME}&theme={theme}", demo.server.url))
            .unwrap();
        browser
            .wait_for("document.querySelector('[data-part=invoices]')", WAIT)
            .unwrap();
        let root_theme = browser
            .execute(
                "return document.querySelector('[data-portico-root]').dataset.porticoTheme;",
                vec![],
            )
            .unwrap();
        assert_eq!(root_theme, json!(theme));
        let surface = browser
            .execute("return getComputedStyle(document.querySelector('[data-part=entitlements]')).backgroundColor;", vec![])
            .unwrap();
        let expected = if theme == "dark" {
            "rgb(23, 26, 33)"
        } else {
            "rgb(255, 255, 255)"
        };
        assert_eq!(surface, json!(expected), "{theme} theme surface");
        let path = portico_e2e::save_screenshot(browser, &format!("demo-{theme}.png")).unwrap();
        println!("screenshot: {}", path.display());
    }
}

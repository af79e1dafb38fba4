//! Scale of a page: a company with 1,000 entitlements and 500 members.
//!
//! A generated catalog (1,000 features of every kind, a plan granting them
//! all) is served with `--catalog`, not `--demo`; the company, its members,
//! subscription and usage are seeded through the API with the secret key,
//! and the page is the demo host's bench-only mode (`?bench-token=…`, see
//! `demo/main.rs`), which mounts `<Entitlements/>` with that token. Timed in
//! the page: mount → all 1,000 rows in the DOM, and one usage update
//! (`POST /v1/usage`, then a refresh of that feature alone, and then of
//! the whole portal) until the row shows it.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use portico_e2e::bench::{load_and_watch, median_p90_of, time_update, RenderTiming, UpdateTiming};
use portico_e2e::{Browser, Server};
use serde_json::{json, Value};

use super::api::{query_value, start_server, Api};
use super::report::{format_ms, write_json, Status, Table};

pub const FEATURES: usize = 1_000;
pub const MEMBERS: usize = 500;
const ORG: &str = "org_bench_scale";
// Medians of 5 swung by 10 ms from run to run on this shared 2-core
// machine; of 15, by a few.
const RENDER_RUNS: usize = 15;
const UPDATE_RUNS: usize = 15;
const MEMBER_RUNS: usize = 9;
const RENDER_BUDGET_MS: f64 = 50.0;
const UPDATE_BUDGET_MS: f64 = 5.0;
const WAIT: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Boolean,
    Limit,
    Metered,
    Seats,
}

/// Feature `i`'s kind: one seats feature, then 40% boolean, 30% limit,
/// 30% metered.
fn kind_of(i: usize) -> Kind {
    match (i, i % 10) {
        (0, _) => Kind::Seats,
        (_, 0..=3) => Kind::Boolean,
        (_, 4..=6) => Kind::Limit,
        _ => Kind::Metered,
    }
}

fn feature_id(i: usize) -> String {
    format!("f{i:04}")
}

/// The first metered feature: the row the update is timed on.
fn updated_feature() -> String {
    feature_id(
        (0..FEATURES)
            .find(|&i| kind_of(i) == Kind::Metered)
            .unwrap_or(7),
    )
}

/// A catalog with `FEATURES` features, a free default plan granting none
/// of them and a `scale` plan granting every one (limits, unlimited
/// allowances, soft limits, flags).
pub fn catalog_toml() -> String {
    let mut toml = String::from("currency = \"USD\"\ndefault_plan = \"free\"\n");
    for i in 0..FEATURES {
        let (kind, unit) = match kind_of(i) {
            Kind::Boolean => ("boolean", None),
            Kind::Limit => ("limit", Some("item")),
            Kind::Metered => ("metered", Some("call")),
            Kind::Seats => ("seats", Some("seat")),
        };
        let _ = write!(
            toml,
            "\n[[features]]\nid = \"{id}\"\nname = \"Feature {i} ({kind})\"\ndescription = \"Generated feature {i} for the scale benchmark.\"\nkind = \"{kind}\"\n",
            id = feature_id(i)
        );
        if let Some(unit) = unit {
            let _ = writeln!(toml, "unit = \"{unit}\"");
        }
    }
    toml.push_str(
        "\n[[plans]]\nid = \"free\"\nname = \"Free\"\nself_serve = true\n\n\
         [[plans]]\nid = \"scale\"\nname = \"Scale\"\ndescription = \"Everything, a thousand times.\"\nself_serve = true\n\n\
         [plans.prices]\nmonth = 99900\nyear = 999000\n\n[plans.entitlements]\n",
    );
    for i in 0..FEATURES {
        let grant = match kind_of(i) {
            Kind::Boolean => "true".to_owned(),
            Kind::Seats => "1000".to_owned(),
            Kind::Limit if i % 5 == 0 => "\"unlimited\"".to_owned(),
            Kind::Limit => "100".to_owned(),
            Kind::Metered if i % 3 == 0 => "{ limit = 10000, soft = true }".to_owned(),
            Kind::Metered => "10000".to_owned(),
        };
        let _ = writeln!(toml, "{} = {grant}", feature_id(i));
    }
    toml
}

/// Usage for numeric feature `i`, spread so that rows show every state:
/// under, at and over their limits.
fn seeded_usage(i: usize) -> Option<(u64, &'static str)> {
    let i = i as u64;
    match kind_of(i as usize) {
        Kind::Limit => Some((i % 120, "set")),
        Kind::Metered => Some(((i * 37) % 12_000, "increment")),
        Kind::Boolean | Kind::Seats => None,
    }
    .filter(|(quantity, _)| *quantity > 0)
}

fn member(n: usize) -> (String, String) {
    (
        format!("user_bench_{n:04}"),
        format!("member{n:04}@scale.test"),
    )
}

fn seed(api: &Api) -> Result<String, String> {
    api.company(ORG, "Scale Co")?;
    api.subscribe(ORG, "scale", json!([]))?;
    for n in 1..=MEMBERS {
        let (user, email) = member(n);
        api.member(ORG, &user, &email, &format!("Member {n}"))?;
    }
    for i in 0..FEATURES {
        if let Some((quantity, mode)) = seeded_usage(i) {
            api.usage(ORG, &feature_id(i), quantity, mode)?;
        }
    }
    let (user, _) = member(1);
    api.portal_token(ORG, &user)
}

/// The server on the scale catalog, serving `dist`, with the company and
/// its members seeded; and the page (with a 15-minute token) to load.
fn start_seeded(
    server_binary: &Path,
    dist: &Path,
    scratch: &Path,
) -> Result<(Server, String), String> {
    let catalog = scratch.join("scale-catalog.toml");
    std::fs::write(&catalog, catalog_toml())
        .map_err(|e| format!("cannot write {}: {e}", catalog.display()))?;
    let catalog = catalog.display().to_string();
    let dist = dist.display().to_string();
    let server = start_server(
        server_binary,
        scratch,
        "scale",
        &["--catalog", &catalog, "--serve-dir", &dist],
    )?;
    let token = seed(&Api::new(&server.url))?;
    let (user, email) = member(1);
    let page = format!(
        "{}/?bench-token={}&bench-org={ORG}&bench-user={user}&bench-email={}",
        server.url,
        query_value(&token),
        query_value(&email)
    );
    Ok((server, page))
}

/// The page the scale figures are taken on, for a person with a profiler:
/// starts the seeded server and prints its address until interrupted.
pub fn serve(server_binary: &Path, dist: &Path, scratch: &Path) -> Result<(), String> {
    let (_server, page) = start_seeded(server_binary, dist, scratch)?;
    println!("\n{FEATURES} entitlements (the token lasts 15 minutes):\n  {page}");
    println!("{MEMBERS} members, in the whole portal:\n  {page}&bench-view=portal");
    println!("\nserving until interrupted (Ctrl-C)");
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

pub fn run_scale(
    browser: &Browser,
    server_binary: &Path,
    dist: &Path,
    scratch: &Path,
    out: &Path,
    table: &mut Table,
) -> Result<(), String> {
    let (server, page) = start_seeded(server_binary, dist, scratch)?;
    let api = Api::new(&server.url);

    // Render: mount -> every row in the DOM (one warm-up load first).
    let mut renders: Vec<RenderTiming> = Vec::new();
    for run in 0..=RENDER_RUNS {
        let timing = load_and_watch(
            browser,
            &page,
            "[data-part=entitlement]",
            FEATURES as u64,
            WAIT,
        )?;
        if run > 0 {
            renders.push(timing);
        }
    }
    let rows = browser.count("[data-part=entitlement]")?;
    if rows != FEATURES as u64 {
        return Err(format!(
            "the page shows {rows} entitlements, not {FEATURES}"
        ));
    }

    // One usage update, shown by reading that feature alone (what a host
    // does after recording usage), then by reading the whole portal again
    // (one warm-up each).
    let feature = updated_feature();
    let selector = format!("[data-feature={feature}] [data-part=entitlement-value]");
    let update = |script: &str| -> Result<Vec<UpdateTiming>, String> {
        let mut updates = Vec::new();
        for run in 0..=UPDATE_RUNS {
            api.usage(ORG, &feature, 1, "increment")?;
            let timing = time_update(browser, script, &selector, WAIT)?;
            if run > 0 {
                updates.push(timing);
            }
        }
        Ok(updates)
    };
    let updates = update(&format!("window.porticoBenchRefreshFeature('{feature}')"))?;
    let full_updates = update("window.porticoBenchRefresh()")?;

    // The whole portal with the same company, and the members widget if
    // the portal has one yet.
    let whole = load_and_watch(
        browser,
        &format!("{page}&bench-view=portal"),
        "[data-part=entitlement]",
        FEATURES as u64,
        WAIT,
    )?;
    let members = members_timing(browser, &page)?;
    drop(server);

    let pick = |f: fn(&RenderTiming) -> f64| median_p90_of(&renders, f);
    let (render_median, render_p90) = pick(|r| r.mount_to_shown_ms);
    let (render_work_median, _) = pick(|r| r.data_to_shown_ms);
    let (render_fetch_median, _) = pick(|r| r.mount_to_data_ms);
    let (painted_median, _) = pick(|r| r.shown_to_painted_ms);
    let (update_median, update_p90) = median_p90_of(&updates, |u| u.refresh_to_shown_ms);
    let (update_work_median, _) = median_p90_of(&updates, |u| u.data_to_shown_ms);
    let (update_request_median, _) = median_p90_of(&updates, |u| u.request_ms);
    let (full_update_median, full_update_p90) =
        median_p90_of(&full_updates, |u| u.refresh_to_shown_ms);
    let (full_update_work_median, _) = median_p90_of(&full_updates, |u| u.data_to_shown_ms);

    table.timing(
        format!("scale: {FEATURES} entitlements, mount -> rows (median)"),
        render_median,
        "< 50 ms",
        RENDER_BUDGET_MS,
    );
    table.info(
        "  of which mount -> data / data -> rows",
        format!(
            "{} / {}",
            format_ms(render_fetch_median),
            format_ms(render_work_median)
        ),
    );
    table.info(
        "  then rows -> painted (style, layout, paint)",
        format_ms(painted_median),
    );
    table.timing(
        "scale: one usage update, refresh({features}) -> row (median)",
        update_median,
        "< 5 ms",
        UPDATE_BUDGET_MS,
    );
    table.info(
        "  of which data -> row (re-render)",
        format_ms(update_work_median),
    );
    table.info(
        "  of which the request, fetch -> last byte (browser + server)",
        format_ms(update_request_median),
    );
    table.info(
        "scale: same, refresh() of the whole portal -> row (median)",
        format_ms(full_update_median),
    );
    table.info(
        "  of which data -> row (re-render)",
        format_ms(full_update_work_median),
    );
    table.info(
        "scale: whole <Portal/>, mount -> rows",
        format_ms(whole.mount_to_shown_ms),
    );
    match &members {
        MembersResult::Absent => table.row(
            format!("scale: {MEMBERS} members"),
            "n/a",
            "members widget not present",
            Status::Info,
        ),
        MembersResult::Shown(timing) => {
            table.timing(
                format!("scale: {MEMBERS} members, mount -> rows (median)"),
                timing.mount_to_rows_ms,
                "< 50 ms",
                RENDER_BUDGET_MS,
            );
            table.info(
                "  of which member list -> rows",
                format_ms(timing.list_to_rows_ms),
            );
            table.info(
                "  then rows -> painted (style, layout, paint)",
                format_ms(timing.rows_to_painted_ms),
            );
        }
        MembersResult::Unrecognised(why) => table.row(
            format!("scale: {MEMBERS} members"),
            "n/a",
            format!("present, not timed: {why}"),
            Status::Info,
        ),
    }

    let update_json = |u: &UpdateTiming| {
        json!({
            "refresh_to_row_ms": u.refresh_to_shown_ms,
            "data_to_row_ms": u.data_to_shown_ms,
            "request_ms": u.request_ms,
            "before": u.text_before,
            "after": u.text_after,
        })
    };
    let render_json = |r: &RenderTiming| {
        json!({
            "mount_to_rows_ms": r.mount_to_shown_ms,
            "mount_to_data_ms": r.mount_to_data_ms,
            "data_to_rows_ms": r.data_to_shown_ms,
            "data_to_next_frame_ms": r.data_to_frame_ms,
            "rows_to_painted_ms": r.shown_to_painted_ms,
        })
    };
    write_json(
        out,
        "scale",
        &json!({
            "server": "portico-server built with --profile server, --catalog (generated), SQLite (WAL) on a temporary file",
            "page": "the release demo bundle in its bench mode (?bench-token=…): <Entitlements/> alone",
            "entitlements": FEATURES,
            "members": MEMBERS,
            "render": {
                "runs": RENDER_RUNS,
                "mount_to_rows_ms": { "median": render_median, "p90": render_p90, "budget": RENDER_BUDGET_MS },
                "mount_to_data_ms_median": render_fetch_median,
                "data_to_rows_ms_median": render_work_median,
                "rows_to_painted_ms_median": painted_median,
                "loads": renders.iter().map(render_json).collect::<Vec<_>>(),
            },
            "update": {
                "runs": UPDATE_RUNS,
                "feature": feature,
                "how": "refresh({ features: [feature] }): GET /v1/portal/entitlements?feature=…",
                "refresh_to_row_ms": { "median": update_median, "p90": update_p90, "budget": UPDATE_BUDGET_MS },
                "data_to_row_ms_median": update_work_median,
                "updates": updates.iter().map(update_json).collect::<Vec<_>>(),
            },
            "update_by_full_refresh": {
                "runs": UPDATE_RUNS,
                "feature": feature,
                "how": "refresh(): GET /v1/portal",
                "refresh_to_row_ms": { "median": full_update_median, "p90": full_update_p90 },
                "data_to_row_ms_median": full_update_work_median,
                "updates": full_updates.iter().map(update_json).collect::<Vec<_>>(),
            },
            "whole_portal": render_json(&whole),
            "members_widget": match &members {
                MembersResult::Absent => json!("not present"),
                MembersResult::Shown(timing) => json!({
                    "mount_to_rows_ms": timing.mount_to_rows_ms,
                    "list_to_rows_ms": timing.list_to_rows_ms,
                    "rows_to_painted_ms": timing.rows_to_painted_ms,
                    "runs": MEMBER_RUNS,
                }),
                MembersResult::Unrecognised(why) => Value::String(format!("present, not timed: {why}")),
            },
        }),
    )
}

/// Medians over [`MEMBER_RUNS`] loads of the whole portal.
struct MembersTiming {
    /// `portico:mount` → every member row shown: the portal's read, its
    /// 1,000 entitlement rows, then the members read and its rows.
    mount_to_rows_ms: f64,
    /// The member list arrived → every member row shown.
    list_to_rows_ms: f64,
    /// Member rows in the DOM → the end of the frame that paints them.
    rows_to_painted_ms: f64,
}

enum MembersResult {
    Absent,
    Shown(MembersTiming),
    Unrecognised(String),
}

/// Times the Members widget in the whole portal (`[data-part=members]`, one
/// `[data-part=member]` per member): the median of [`MEMBER_RUNS`] loads.
fn members_timing(browser: &Browser, page: &str) -> Result<MembersResult, String> {
    if browser.count("[data-part=members]")? == 0 {
        return Ok(MembersResult::Absent);
    }
    let mut runs = Vec::new();
    for _ in 0..MEMBER_RUNS {
        match load_and_watch(
            browser,
            &format!("{page}&bench-view=portal"),
            "[data-part=members] [data-part=member]",
            MEMBERS as u64,
            Duration::from_secs(15),
        ) {
            Ok(timing) => runs.push(timing),
            Err(_) => {
                return Ok(MembersResult::Unrecognised(format!(
                    "{MEMBERS} [data-part=member] rows did not appear"
                )))
            }
        }
    }
    let median = |f: fn(&RenderTiming) -> f64| median_p90_of(&runs, f).0;
    Ok(MembersResult::Shown(MembersTiming {
        mount_to_rows_ms: median(|r| r.mount_to_shown_ms),
        list_to_rows_ms: median(|r| r.members_data_to_shown_ms.unwrap_or(f64::NAN)),
        rows_to_painted_ms: median(|r| r.shown_to_painted_ms),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_mixes_every_kind_and_grants_everything() {
        let toml = catalog_toml();
        assert_eq!(toml.matches("[[features]]").count(), FEATURES);
        for kind in ["boolean", "limit", "metered", "seats"] {
            assert!(toml.contains(&format!("kind = \"{kind}\"")), "{kind}");
        }
        assert_eq!(toml.matches("kind = \"seats\"").count(), 1);
        let grants = toml.split("[plans.entitlements]").nth(1).unwrap();
        assert_eq!(
            grants.lines().filter(|l| l.contains(" = ")).count(),
            FEATURES
        );
        assert_eq!(updated_feature(), "f0007");
    }
}

//! `keys migrate`: existing records gain their WorkOS keys from a mapping;
//! conflicts are reported and create nothing; a dry run writes nothing.

mod support;

use std::process::Command;

use axum::http::StatusCode;
use portico_server::workos::key_migration::{
    migrate_keys, parse_mapping_csv, KeyMigration, Mapping, MigratedRecords,
};
use serde_json::json;
use support::workos::{at, event, organization};
use support::{Auth, TestApp};

async fn company_with(app: &TestApp, keys: serde_json::Value) -> String {
    let (status, body) = app
        .put("/v1/companies", Auth::Secret, json!({ "keys": keys }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn workos_id_of(app: &TestApp, company_id: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT key_value FROM company_keys WHERE company_id = ? AND key_name = 'workos_organization_id'",
    )
    .bind(company_id)
    .fetch_optional(&app.db.reader)
    .await
    .unwrap()
}

const MAPPING: &str = "existing_key_value,workos_id
acme-1,org_acme
globex-2,org_taken
initech-3,org_initech
\"hooli, inc\",org_hooli
nowhere-9,org_nowhere
acme-1,org_acme
umbrella-5,umbrella
";

#[tokio::test]
async fn a_csv_mapping_adds_workos_ids_and_reports_conflicts() {
    let app = TestApp::workos().await;
    let acme = company_with(&app, json!({ "legacy_org_id": "acme-1" })).await;
    let globex = company_with(&app, json!({ "legacy_org_id": "globex-2" })).await;
    let taken = company_with(&app, json!({ "workos_organization_id": "org_taken" })).await;
    let initech = company_with(
        &app,
        json!({ "legacy_org_id": "initech-3", "workos_organization_id": "org_other" }),
    )
    .await;
    let hooli = company_with(&app, json!({ "legacy_org_id": "hooli, inc" })).await;
    let umbrella = company_with(&app, json!({ "legacy_org_id": "umbrella-5" })).await;
    let rows = parse_mapping_csv(MAPPING).unwrap();
    assert_eq!(rows.len(), 7, "the header is skipped");
    let plan = |dry_run| KeyMigration {
        records: MigratedRecords::Companies,
        match_key: "legacy_org_id".into(),
        mapping: Mapping::Rows(rows.clone()),
        dry_run,
    };

    // A dry run reports and writes nothing.
    let before = app.workos_fingerprint().await;
    let dry = migrate_keys(&app.db, &plan(true), app.clock_now())
        .await
        .unwrap();
    assert_eq!(dry.added.len(), 2);
    assert_eq!(app.workos_fingerprint().await, before);

    let report = migrate_keys(&app.db, &plan(false), app.clock_now())
        .await
        .unwrap();
    assert_eq!(
        report.added,
        vec![
            (acme.clone(), "org_acme".to_owned()),
            (hooli.clone(), "org_hooli".to_owned())
        ]
    );
    assert_eq!(report.unchanged, 1, "the repeated acme line");
    assert_eq!(report.not_found.len(), 1);
    assert!(report.not_found[0].contains("nowhere-9"));
    assert_eq!(report.conflicts.len(), 2, "{:?}", report.conflicts);
    assert!(
        report.conflicts[0].contains("globex-2")
            && report.conflicts[0].contains("belong to different companies")
    );
    assert!(report.conflicts[1].contains("initech-3") && report.conflicts[1].contains("org_other"));
    assert_eq!(report.invalid.len(), 1);
    assert!(report.invalid[0].contains("umbrella"));
    assert!(dry.dry_run && !report.dry_run);

    assert_eq!(app.count("companies").await, 6, "nothing created");
    assert_eq!(workos_id_of(&app, &acme).await.as_deref(), Some("org_acme"));
    assert_eq!(
        workos_id_of(&app, &globex).await,
        None,
        "conflict: left alone"
    );
    assert_eq!(
        workos_id_of(&app, &taken).await.as_deref(),
        Some("org_taken")
    );
    assert_eq!(
        workos_id_of(&app, &initech).await.as_deref(),
        Some("org_other")
    );
    assert_eq!(workos_id_of(&app, &umbrella).await, None);

    // From now on WorkOS updates the migrated company instead of duplicating it.
    app.deliver_ok(
        &event(
            "event_1",
            "organization.updated",
            organization("org_acme", "Acme Corp", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    assert_eq!(app.count("companies").await, 6);
    let name: String = sqlx::query_scalar("SELECT name FROM companies WHERE id = ?")
        .bind(&acme)
        .fetch_one(&app.db.reader)
        .await
        .unwrap();
    assert_eq!(name, "Acme Corp");
}

#[tokio::test]
async fn an_existing_key_holding_workos_ids_is_copied() {
    let app = TestApp::new().await;
    for (email, legacy) in [("ada@acme.test", "user_ada"), ("bob@acme.test", "user_bob")] {
        let (status, _) = app
            .put(
                "/v1/users",
                Auth::Secret,
                json!({ "keys": { "email": email, "auth_id": legacy } }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // Someone else already holds user_bob.
    let (status, _) = app
        .put(
            "/v1/users",
            Auth::Secret,
            json!({ "keys": { "workos_user_id": "user_bob" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let plan = KeyMigration {
        records: MigratedRecords::Users,
        match_key: "auth_id".into(),
        mapping: Mapping::SameValues,
        dry_run: false,
    };
    let report = migrate_keys(&app.db, &plan, app.clock_now()).await.unwrap();
    assert_eq!(report.added.len(), 1);
    assert_eq!(report.added[0].1, "user_ada");
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    assert_eq!(app.count("users").await, 3);

    let same = KeyMigration {
        match_key: "workos_user_id".into(),
        ..plan
    };
    assert!(migrate_keys(&app.db, &same, app.clock_now()).await.is_err());
}

#[test]
fn malformed_mappings_are_refused_whole() {
    assert!(parse_mapping_csv("").is_err());
    assert!(parse_mapping_csv("existing_key_value,workos_id\n").is_err());
    let error = parse_mapping_csv("a,org_1\njust-one-column\n").unwrap_err();
    assert!(error.to_string().contains("line 2"), "{error}");
    assert!(parse_mapping_csv("a,\n").is_err());
}

#[tokio::test]
async fn the_command_line_reports_and_fails_on_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("portico.db").display());
    let db = portico_server::db::Db::connect(&url).await.unwrap();
    let now = portico_types::Timestamp(1_795_426_200);
    for keys in [
        json!({ "legacy_org_id": "acme-1" }),
        json!({ "legacy_org_id": "globex-2" }),
        json!({ "workos_organization_id": "org_taken" }),
    ] {
        let request = serde_json::from_value(json!({ "keys": keys })).unwrap();
        portico_server::domain::identify::upsert_company(&db, &request, now)
            .await
            .unwrap();
    }
    db.close().await;
    let csv = dir.path().join("mapping.csv");
    std::fs::write(&csv, "acme-1,org_acme\nglobex-2,org_taken\n").unwrap();

    let run = |extra: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_portico-server"));
        command
            .args([
                "keys",
                "migrate",
                "--database-url",
                &url,
                "--records",
                "companies",
            ])
            .args(["--match-key", "legacy_org_id", "--csv"])
            .arg(&csv)
            .args(extra)
            .env_remove("PORTICO_DATABASE_URL");
        command.output().unwrap()
    };
    let dry = run(&["--dry-run"]);
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        stdout.contains("would add the WorkOS key to 1 records"),
        "{stdout}"
    );
    assert!(stdout.contains("dry run: nothing was written"), "{stdout}");

    let output = run(&[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "a conflict is a failure for scripts"
    );
    assert!(
        stdout.contains("added the WorkOS key to 1 records"),
        "{stdout}"
    );
    assert!(
        stdout.contains("conflicts (nothing written for these): 1"),
        "{stdout}"
    );
    assert!(stderr.contains("1 conflicting"), "{stderr}");

    let db = portico_server::db::Db::connect(&url).await.unwrap();
    let keys: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM company_keys WHERE key_name = 'workos_organization_id'",
    )
    .fetch_one(&db.reader)
    .await
    .unwrap();
    assert_eq!(keys, 2, "org_taken and the new org_acme");
    let companies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM companies")
        .fetch_one(&db.reader)
        .await
        .unwrap();
    assert_eq!(companies, 3);
    db.close().await;
}

//! The browser's wire readers and writers agree with serde (what the server
//! speaks) on every type: values round-trip both ways, absent optional
//! fields read as serde reads them, and numbers are never rounded.

use portico::json;
use portico_types::*;
use wasm_bindgen_test::wasm_bindgen_test;

/// Reads JSON text as the client reads a response body (a JS string).
fn parse<T: portico::wire::FromJson>(text: &str) -> Result<T, json::JsonError> {
    json::parse(&js_sys::JsString::from(text))
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

fn usd(amount_minor: i64) -> Money {
    Money {
        amount_minor,
        currency: "USD".into(),
    }
}

fn keys(pairs: &[(&str, &str)]) -> Keys {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn line(kind: LineKind, amount: i64) -> BillingLine {
    BillingLine {
        kind,
        description: "Remaining time on 3 × Extra seats".into(),
        item_id: "extra_seats".into(),
        quantity: 3,
        amount: usd(amount),
        period_start: ts("2026-11-23T09:30:00Z"),
        period_end: ts("2026-12-01T09:30:00Z"),
    }
}

fn invoice() -> Invoice {
    Invoice {
        id: "inv_1".into(),
        number: "INV-000042".into(),
        status: InvoiceStatus::Declined,
        reason: InvoiceReason::Renewal,
        lines: vec![
            line(LineKind::Charge, 4900),
            line(LineKind::ProrationCredit, -1306),
        ],
        total: usd(3594),
        credit_applied: usd(0),
        amount_charged: usd(0),
        created_at: ts("2026-11-23T09:30:00Z"),
    }
}

fn subscription() -> SubscriptionSummary {
    SubscriptionSummary {
        plan_id: "pro".into(),
        status: SubscriptionStatus::PastDue,
        interval: BillingInterval::Year,
        price: Some(usd(49000)),
        current_period_start: ts("2026-01-31T00:00:00Z"),
        current_period_end: ts("2027-01-31T00:00:00Z"),
        renews_at: Some(ts("2027-01-31T00:00:00Z")),
        trial_ends_at: Some(ts("2026-02-14T00:00:00Z")),
        cancel_at_period_end: true,
        addons: vec![AddonSelection {
            addon_id: "extra_seats".into(),
            quantity: 7,
        }],
        scheduled_change: Some(ScheduledChange {
            plan_id: "free".into(),
            interval: BillingInterval::Month,
            addons: Vec::new(),
            effective_at: ts("2027-01-31T00:00:00Z"),
        }),
    }
}

fn rich_snapshot() -> PortalSnapshot {
    PortalSnapshot {
        company: Some(CompanySummary {
            id: "cmp_1".into(),
            name: Some("Acme".into()),
            keys: keys(&[("workos_organization_id", "org_1"), ("stripe", "cus_ü")]),
        }),
        user: Some(UserSummary {
            id: "usr_1".into(),
            name: None,
            keys: keys(&[("email", "a@b.test")]),
        }),
        viewer: Viewer {
            can_manage_billing: false,
            role: Some("member".into()),
        },
        plan: PlanSummary {
            id: "pro".into(),
            name: "Pro".into(),
            description: Some("For growing teams.".into()),
            prices: vec![
                PlanPrice {
                    interval: BillingInterval::Month,
                    amount: usd(4900),
                },
                PlanPrice {
                    interval: BillingInterval::Year,
                    amount: Money {
                        amount_minor: 9_007_199_254_740_991,
                        currency: "JPY".into(),
                    },
                },
            ],
            trial_days: Some(14),
            self_serve: true,
        },
        subscription: Some(subscription()),
        entitlements: vec![
            Entitlement {
                feature_id: "api_calls".into(),
                name: "API calls".into(),
                description: Some("Requests".into()),
                kind: FeatureKind::Metered,
                access: true,
                limit: Some(Limit::Count(100_000)),
                usage: Some(48_210),
                unit: Some("call".into()),
                period: Some(UsagePeriod::Monthly),
                resets_at: Some(ts("2026-12-01T00:00:00Z")),
                soft_limit: true,
                over_limit: false,
            },
            Entitlement {
                feature_id: "projects".into(),
                name: "Projects".into(),
                description: None,
                kind: FeatureKind::Limit,
                access: true,
                limit: Some(Limit::Unlimited),
                usage: Some(0),
                unit: None,
                period: None,
                resets_at: None,
                soft_limit: false,
                over_limit: false,
            },
            Entitlement {
                feature_id: "sso".into(),
                name: "SSO".into(),
                description: None,
                kind: FeatureKind::Boolean,
                access: false,
                limit: None,
                usage: None,
                unit: None,
                period: None,
                resets_at: None,
                soft_limit: false,
                over_limit: false,
            },
        ],
        plans: vec![PlanSummary {
            id: "free".into(),
            name: "Free".into(),
            description: None,
            prices: Vec::new(),
            trial_days: None,
            self_serve: true,
        }],
        addons: vec![AddonSummary {
            id: "extra_seats".into(),
            name: "Extra seats".into(),
            description: None,
            per_unit: true,
            unit: Some("seat".into()),
            max_quantity: 200,
            prices: vec![PlanPrice {
                interval: BillingInterval::Month,
                amount: usd(800),
            }],
            plans: vec!["pro".into()],
            grants: vec![
                AddonGrant {
                    feature_id: "seats".into(),
                    limit: Some(Limit::Count(1)),
                },
                AddonGrant {
                    feature_id: "sso".into(),
                    limit: None,
                },
            ],
        }],
        upcoming_invoice: Some(UpcomingInvoice {
            charge_at: ts("2027-01-31T00:00:00Z"),
            lines: vec![line(LineKind::Charge, 49000)],
            total: usd(49000),
            credit_applied: usd(1066),
            amount_due: usd(47934),
        }),
        invoices: vec![invoice()],
        credit_balance: Some(usd(1066)),
        generated_at: ts("2026-11-23T09:30:00Z"),
    }
}

fn round_trip<T>(value: &T)
where
    T: serde::Serialize + portico::wire::FromJson + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(value).unwrap();
    let back: T = parse(&text).unwrap_or_else(|e| panic!("{e}\nin {text}"));
    assert_eq!(&back, value);
}

#[wasm_bindgen_test]
fn everything_the_api_sends_reads_back_exactly() {
    round_trip(&rich_snapshot());
    let mut minimal = rich_snapshot();
    minimal.company = None;
    minimal.user = None;
    minimal.subscription = None;
    minimal.upcoming_invoice = None;
    minimal.credit_balance = None;
    minimal.plans.clear();
    minimal.addons.clear();
    minimal.invoices.clear();
    round_trip(&minimal);
    round_trip(&EntitlementsRead {
        entitlements: rich_snapshot().entitlements,
        generated_at: ts("2026-11-23T09:30:00Z"),
    });
    round_trip(&CheckoutPreview {
        preview_id: "cp_x.y".into(),
        expires_at: ts("2026-11-23T09:40:00Z"),
        request: CheckoutRequest {
            plan_id: "pro".into(),
            interval: BillingInterval::Year,
            addons: vec![AddonSelection {
                addon_id: "extra_seats".into(),
                quantity: 3,
            }],
            timing: ChangeTiming::PeriodEnd,
        },
        change: ChangeKind::IntervalChange,
        effective_at: ts("2026-11-23T09:30:00Z"),
        scheduled: false,
        lines: vec![
            line(LineKind::ProrationCredit, -1306),
            line(LineKind::Trial, 0),
            line(LineKind::ProrationCharge, 640),
        ],
        total: usd(47694),
        credit_applied: usd(0),
        due_now: usd(47694),
        credit_balance_after: usd(0),
        recurring: usd(49000),
        interval: BillingInterval::Year,
        next_charge_at: ts("2027-11-23T09:30:00Z"),
        trial_ends_at: None,
    });
    round_trip(&CheckoutResult {
        invoice: Some(invoice()),
        subscription: Some(subscription()),
    });
    round_trip(&CheckoutResult {
        invoice: None,
        subscription: None,
    });
    round_trip(&InvoiceList {
        invoices: vec![invoice()],
        upcoming: None,
    });
    round_trip(&MemberList {
        members: vec![Member {
            user_id: "usr_1".into(),
            workos_user_id: Some("user_1".into()),
            name: None,
            email: Some("a@b.test".into()),
            role: Some("admin".into()),
            status: MembershipStatus::Inactive,
            joined_at: ts("2026-11-02T10:00:00Z"),
        }],
        seats: SeatSummary {
            used: 2,
            limit: Limit::Unlimited,
            pending: 1,
            inactive: 1,
        },
    });
    round_trip(&PortalToken {
        token: "pt_x.y".into(),
        expires_at: ts("2026-11-23T09:45:00Z"),
        company: KeyRef::new("workos_organization_id", "org_1"),
        user: None,
    });
    round_trip(&IdentifyAccepted {
        event_id: "evt_1".into(),
    });
    round_trip(&ApiErrorBody {
        error: ApiError {
            code: ErrorCode::UsageExceedsLimits,
            message: "12 seats".into(),
        },
    });
}

#[wasm_bindgen_test]
fn what_the_browser_sends_is_what_serde_reads() {
    let identify = IdentifyRequest {
        company: CompanyIdentity {
            keys: keys(&[("workos_organization_id", "org_1")]),
            name: Some("Acme".into()),
            traits: Traits::from([
                ("tier".to_owned(), TraitValue::from("gold")),
                ("seats".to_owned(), TraitValue::Integer(12)),
            ]),
        },
        user: Some(UserIdentity {
            keys: keys(&[("workos_user_id", "user_1"), ("email", "a@b.test")]),
            name: None,
            traits: Traits::from([
                ("email_verified".to_owned(), TraitValue::Bool(true)),
                ("score".to_owned(), TraitValue::Number(0.5)),
            ]),
        }),
    };
    let sent: IdentifyRequest =
        serde_json::from_str(&String::from(json::stringify(&identify).unwrap())).unwrap();
    assert_eq!(sent, identify);
    let checkout = ConfirmCheckout {
        preview_id: "cp_1".into(),
        request: CheckoutRequest {
            plan_id: "pro".into(),
            interval: BillingInterval::Month,
            addons: Vec::new(),
            timing: ChangeTiming::Now,
        },
    };
    let sent: ConfirmCheckout =
        serde_json::from_str(&String::from(json::stringify(&checkout).unwrap())).unwrap();
    assert_eq!(sent, checkout);
}

#[wasm_bindgen_test]
fn numbers_are_exact_or_refused_and_errors_say_where() {
    let money: Money = parse(r#"{"amount_minor": -9007199254740991, "currency": "USD"}"#).unwrap();
    assert_eq!(money.amount_minor, -9_007_199_254_740_991);
    // Beyond 2^53, where JavaScript numbers round: read from the digits.
    let big: Money = parse(r#"{"amount_minor": 9007199254740993, "currency": "USD"}"#).unwrap();
    assert_eq!(big.amount_minor, 9_007_199_254_740_993);
    let most: Money =
        parse(r#"{"amount_minor": -9223372036854775808, "currency": "USD"}"#).unwrap();
    assert_eq!(most.amount_minor, i64::MIN);
    let too_big =
        parse::<Money>(r#"{"amount_minor": 9223372036854775808, "currency": "USD"}"#).unwrap_err();
    assert_eq!(too_big.message(), "amount_minor: number out of range");
    // Written with an exponent, a number is JavaScript's: refused where
    // that would round, never rounded.
    let thousand: Money = parse(r#"{"amount_minor": 1e3, "currency": "USD"}"#).unwrap();
    assert_eq!(thousand.amount_minor, 1000);
    let rounded =
        parse::<Money>(r#"{"amount_minor": 9.007199254740993e15, "currency": "USD"}"#).unwrap_err();
    assert_eq!(
        rounded.message(),
        "amount_minor: number too large to be exact"
    );
    let negative =
        parse::<SeatSummary>(r#"{"used": -1, "limit": null, "pending": 0, "inactive": 0}"#)
            .unwrap_err();
    assert_eq!(negative.message(), "used: expected a number of at least 0");
    let fraction = parse::<Money>(r#"{"amount_minor": 49.5, "currency": "USD"}"#).unwrap_err();
    assert_eq!(fraction.message(), "amount_minor: expected a whole number");
    let nested = parse::<InvoiceList>(r#"{"invoices": [{"id": 1}]}"#).unwrap_err();
    assert_eq!(nested.message(), "invoices[0].id: expected a string");
    let missing = parse::<Money>(r#"{"currency": "USD"}"#).unwrap_err();
    assert_eq!(missing.message(), "amount_minor: expected a number");
    assert!(parse::<Money>("not json").is_err());
    let code: ApiErrorBody =
        parse(r#"{"error": {"code": "from_the_future", "message": "m"}}"#).unwrap();
    assert_eq!(
        code.error.code,
        ErrorCode::Unknown,
        "unknown codes are tolerated"
    );
}

#[wasm_bindgen_test]
fn authkit_users_read_in_either_spelling() {
    let js: WorkosUser = parse(
        r#"{"object":"user","id":"user_1","email":"a@b.test","firstName":"Ada","lastName":"Lovelace","emailVerified":true,"profilePictureUrl":null}"#,
    )
    .unwrap();
    let rest: WorkosUser = parse(
        r#"{"id":"user_1","email":"a@b.test","first_name":"Ada","last_name":"Lovelace","email_verified":true}"#,
    )
    .unwrap();
    assert_eq!(js, rest);
    let bare: WorkosUser = parse(r#"{"id":"user_2","email":"x@y.test"}"#).unwrap();
    assert_eq!((bare.first_name, bare.email_verified), (None, false));
}

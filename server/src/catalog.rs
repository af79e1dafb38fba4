//! The catalog: features, plans, prices and per-plan entitlements, loaded
//! from a TOML file (see `server/catalog.toml`) and checked once at start-up,
//! so a typo stops the server with a clear message instead of showing a
//! customer a wrong limit.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use portico_types::{
    AddonGrant, AddonSelection, AddonSummary, BillingInterval, FeatureKind, Limit, Money,
    PlanPrice, PlanSummary,
};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalog {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("catalog is not valid TOML: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("catalog is inconsistent: {0}")]
    Invalid(String),
}

/// What a plan grants for one feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    Flag(bool),
    Allowance { limit: Limit, soft: bool },
}

#[derive(Clone, Debug)]
pub struct Feature {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub kind: FeatureKind,
    pub unit: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Recurring price per interval, in minor units of the catalog currency.
    pub prices: BTreeMap<BillingIntervalKey, i64>,
    pub trial_days: Option<u32>,
    pub self_serve: bool,
    pub grants: HashMap<String, Grant>,
}

/// `BillingInterval` with an order, for use as a map key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BillingIntervalKey {
    Month,
    Year,
}

impl From<BillingIntervalKey> for BillingInterval {
    fn from(key: BillingIntervalKey) -> Self {
        match key {
            BillingIntervalKey::Month => BillingInterval::Month,
            BillingIntervalKey::Year => BillingInterval::Year,
        }
    }
}

impl From<BillingInterval> for BillingIntervalKey {
    fn from(interval: BillingInterval) -> Self {
        match interval {
            BillingInterval::Month => BillingIntervalKey::Month,
            BillingInterval::Year => BillingIntervalKey::Year,
        }
    }
}

/// A priced item bought on top of a plan. Its grants stack on the plan's:
/// numeric allowances add up (per unit), `unlimited` wins, flags switch on.
#[derive(Clone, Debug)]
pub struct Addon {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Bought in a quantity (priced and granted per unit), or just on.
    pub per_unit: bool,
    pub unit: Option<String>,
    pub max_quantity: u32,
    /// Plans it can be added to; empty: every plan with a price.
    pub plans: Vec<String>,
    /// Price of one unit per interval, in minor units.
    pub prices: BTreeMap<BillingIntervalKey, i64>,
    /// What one unit grants.
    pub grants: HashMap<String, Grant>,
}

impl Addon {
    pub fn available_on(&self, plan_id: &str) -> bool {
        self.plans.is_empty() || self.plans.iter().any(|p| p == plan_id)
    }
}

#[derive(Clone, Debug)]
pub struct Catalog {
    pub currency: String,
    pub default_plan: String,
    /// In display order.
    pub features: Vec<Feature>,
    /// In display order.
    pub plans: Vec<Plan>,
    /// In display order.
    pub addons: Vec<Addon>,
}

impl Catalog {
    pub fn from_path(path: &Path) -> Result<Self, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Catalog::from_toml(&text)
    }

    /// The catalog in `server/catalog.toml`, built in for demo mode and tests.
    pub fn demo() -> Self {
        Catalog::from_toml(include_str!("../catalog.toml"))
            .unwrap_or_else(|e| unreachable!("the bundled demo catalog is checked by tests: {e}"))
    }

    pub fn from_toml(text: &str) -> Result<Self, CatalogError> {
        let file: CatalogFile = toml::from_str(text)?;
        file.validate()
    }

    pub fn feature(&self, id: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.id == id)
    }

    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }

    pub fn addon(&self, id: &str) -> Option<&Addon> {
        self.addons.iter().find(|a| a.id == id)
    }

    pub fn addon_summary(&self, addon: &Addon) -> AddonSummary {
        AddonSummary {
            id: addon.id.clone(),
            name: addon.name.clone(),
            description: addon.description.clone(),
            per_unit: addon.per_unit,
            unit: addon.unit.clone(),
            max_quantity: addon.max_quantity,
            prices: addon
                .prices
                .iter()
                .map(|(interval, amount)| PlanPrice {
                    interval: (*interval).into(),
                    amount: Money {
                        amount_minor: *amount,
                        currency: self.currency.clone(),
                    },
                })
                .collect(),
            plans: addon.plans.clone(),
            grants: self
                .features
                .iter()
                .filter_map(|feature| {
                    addon.grants.get(&feature.id).map(|grant| AddonGrant {
                        feature_id: feature.id.clone(),
                        limit: match grant {
                            Grant::Flag(_) => None,
                            Grant::Allowance { limit, .. } => Some(*limit),
                        },
                    })
                })
                .collect(),
        }
    }

    /// What `plan` plus `addons` grant for `feature`.
    pub fn effective_grant(
        &self,
        plan: &Plan,
        addons: &[AddonSelection],
        feature: &Feature,
    ) -> Grant {
        let mut grant = plan.grant(feature);
        for selection in addons {
            let Some(addon) = self.addon(&selection.addon_id) else {
                continue;
            };
            let Some(extra) = addon.grants.get(&feature.id) else {
                continue;
            };
            grant = match (grant, *extra) {
                (Grant::Flag(on), Grant::Flag(extra_on)) => {
                    Grant::Flag(on || (extra_on && selection.quantity > 0))
                }
                (
                    Grant::Allowance { limit, soft },
                    Grant::Allowance {
                        limit: extra_limit, ..
                    },
                ) => {
                    let limit = match (limit, extra_limit) {
                        (Limit::Unlimited, _) | (_, Limit::Unlimited) if selection.quantity > 0 => {
                            Limit::Unlimited
                        }
                        (Limit::Count(base), Limit::Count(per_unit)) => {
                            Limit::Count(base.saturating_add(
                                per_unit.saturating_mul(u64::from(selection.quantity)),
                            ))
                        }
                        (limit, _) => limit,
                    };
                    Grant::Allowance { limit, soft }
                }
                // `validate` only lets grants match their feature's kind.
                (grant, _) => grant,
            };
        }
        grant
    }

    pub fn default_plan(&self) -> &Plan {
        // `validate` guarantees the default plan exists.
        self.plan(&self.default_plan).unwrap_or(&self.plans[0])
    }

    pub fn plan_summary(&self, plan: &Plan) -> PlanSummary {
        PlanSummary {
            id: plan.id.clone(),
            name: plan.name.clone(),
            description: plan.description.clone(),
            prices: plan
                .prices
                .iter()
                .map(|(interval, amount)| PlanPrice {
                    interval: (*interval).into(),
                    amount: Money {
                        amount_minor: *amount,
                        currency: self.currency.clone(),
                    },
                })
                .collect(),
            trial_days: plan.trial_days,
            self_serve: plan.self_serve,
        }
    }

    pub fn price(&self, plan: &Plan, interval: BillingInterval) -> Option<Money> {
        plan.prices.get(&interval.into()).map(|amount| Money {
            amount_minor: *amount,
            currency: self.currency.clone(),
        })
    }
}

impl Plan {
    /// What the plan grants for a feature; a feature the plan does not list
    /// is not included.
    pub fn grant(&self, feature: &Feature) -> Grant {
        match self.grants.get(&feature.id) {
            Some(grant) => *grant,
            None if feature.kind == FeatureKind::Boolean => Grant::Flag(false),
            None => Grant::Allowance {
                limit: Limit::Count(0),
                soft: false,
            },
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    currency: String,
    default_plan: String,
    #[serde(default)]
    features: Vec<FeatureFile>,
    plans: Vec<PlanFile>,
    #[serde(default)]
    addons: Vec<AddonFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddonFile {
    id: String,
    name: String,
    description: Option<String>,
    #[serde(default)]
    per_unit: bool,
    unit: Option<String>,
    max_quantity: Option<u32>,
    #[serde(default)]
    plans: Vec<String>,
    #[serde(default)]
    prices: BTreeMap<String, i64>,
    #[serde(default)]
    entitlements: BTreeMap<String, GrantFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureFile {
    id: String,
    name: String,
    description: Option<String>,
    kind: FeatureKind,
    unit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    id: String,
    name: String,
    description: Option<String>,
    #[serde(default)]
    prices: BTreeMap<String, i64>,
    trial_days: Option<u32>,
    #[serde(default)]
    self_serve: bool,
    #[serde(default)]
    entitlements: BTreeMap<String, GrantFile>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum GrantFile {
    Flag(bool),
    Count(u64),
    Word(String),
    Detailed {
        limit: LimitFile,
        #[serde(default)]
        soft: bool,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum LimitFile {
    Count(u64),
    Word(String),
}

fn parse_limit(what: &str, feature: &str, limit: LimitFile) -> Result<Limit, CatalogError> {
    match limit {
        LimitFile::Count(n) => Ok(Limit::Count(n)),
        LimitFile::Word(w) if w == "unlimited" => Ok(Limit::Unlimited),
        LimitFile::Word(w) => Err(CatalogError::Invalid(format!(
            "{what}, feature {feature:?}: {w:?} is not a limit (use a whole number or \"unlimited\")"
        ))),
    }
}

fn parse_prices(
    what: &str,
    prices: BTreeMap<String, i64>,
) -> Result<BTreeMap<BillingIntervalKey, i64>, CatalogError> {
    let mut parsed = BTreeMap::new();
    for (interval, amount) in prices {
        let key = match interval.as_str() {
            "month" => BillingIntervalKey::Month,
            "year" => BillingIntervalKey::Year,
            other => {
                return Err(CatalogError::Invalid(format!(
                    "{what}: price interval {other:?} must be \"month\" or \"year\""
                )))
            }
        };
        if amount < 0 {
            return Err(CatalogError::Invalid(format!(
                "{what}: prices cannot be negative"
            )));
        }
        parsed.insert(key, amount);
    }
    Ok(parsed)
}

fn parse_grants(
    what: &str,
    features: &[Feature],
    entitlements: BTreeMap<String, GrantFile>,
) -> Result<HashMap<String, Grant>, CatalogError> {
    let mut grants = HashMap::new();
    for (feature_id, grant) in entitlements {
        let Some(feature) = features.iter().find(|f| f.id == feature_id) else {
            return Err(CatalogError::Invalid(format!(
                "{what} grants unknown feature {feature_id:?}"
            )));
        };
        let grant = match (feature.kind, grant) {
            (FeatureKind::Boolean, GrantFile::Flag(on)) => Grant::Flag(on),
            (FeatureKind::Boolean, _) => {
                return Err(CatalogError::Invalid(format!(
                    "{what}: {feature_id:?} is a boolean feature; grant true or false"
                )))
            }
            (_, GrantFile::Flag(_)) => {
                return Err(CatalogError::Invalid(format!(
                    "{what}: {feature_id:?} is numeric; grant a number or \"unlimited\""
                )))
            }
            (_, GrantFile::Count(n)) => Grant::Allowance {
                limit: Limit::Count(n),
                soft: false,
            },
            (_, GrantFile::Word(w)) => Grant::Allowance {
                limit: parse_limit(what, &feature_id, LimitFile::Word(w))?,
                soft: false,
            },
            (_, GrantFile::Detailed { limit, soft }) => Grant::Allowance {
                limit: parse_limit(what, &feature_id, limit)?,
                soft,
            },
        };
        grants.insert(feature_id, grant);
    }
    Ok(grants)
}

fn check_id(what: &str, id: &str) -> Result<(), CatalogError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(CatalogError::Invalid(format!(
            "{what} id {id:?} must be 1-64 characters of a-z, 0-9, '_' or '-'"
        )))
    }
}

impl CatalogFile {
    fn validate(self) -> Result<Catalog, CatalogError> {
        Money::zero(self.currency.as_str()).map_err(|e| CatalogError::Invalid(e.to_string()))?;
        if self.plans.is_empty() {
            return Err(CatalogError::Invalid("the catalog has no plans".into()));
        }
        let mut features: Vec<Feature> = Vec::with_capacity(self.features.len());
        for f in self.features {
            check_id("feature", &f.id)?;
            if features.iter().any(|seen| seen.id == f.id) {
                return Err(CatalogError::Invalid(format!(
                    "feature {:?} is listed twice",
                    f.id
                )));
            }
            features.push(Feature {
                id: f.id,
                name: f.name,
                description: f.description,
                kind: f.kind,
                unit: f.unit,
            });
        }
        let mut plans: Vec<Plan> = Vec::with_capacity(self.plans.len());
        for p in self.plans {
            check_id("plan", &p.id)?;
            if plans.iter().any(|seen| seen.id == p.id) {
                return Err(CatalogError::Invalid(format!(
                    "plan {:?} is listed twice",
                    p.id
                )));
            }
            let mut prices = BTreeMap::new();
            for (interval, amount) in p.prices {
                let key = match interval.as_str() {
                    "month" => BillingIntervalKey::Month,
                    "year" => BillingIntervalKey::Year,
                    other => {
                        return Err(CatalogError::Invalid(format!(
                            "plan {:?}: price interval {other:?} must be \"month\" or \"year\"",
                            p.id
                        )))
                    }
                };
                if amount < 0 {
                    return Err(CatalogError::Invalid(format!(
                        "plan {:?}: prices cannot be negative",
                        p.id
                    )));
                }
                prices.insert(key, amount);
            }
            let mut grants = HashMap::new();
            for (feature_id, grant) in p.entitlements {
                let Some(feature) = features.iter().find(|f| f.id == feature_id) else {
                    return Err(CatalogError::Invalid(format!(
                        "plan {:?} grants unknown feature {feature_id:?}",
                        p.id
                    )));
                };
                let grant = match (feature.kind, grant) {
                    (FeatureKind::Boolean, GrantFile::Flag(on)) => Grant::Flag(on),
                    (FeatureKind::Boolean, _) => {
                        return Err(CatalogError::Invalid(format!(
                            "plan {:?}: {feature_id:?} is a boolean feature; grant true or false",
                            p.id
                        )))
                    }
                    (_, GrantFile::Flag(_)) => {
                        return Err(CatalogError::Invalid(format!(
                            "plan {:?}: {feature_id:?} is numeric; grant a number or \"unlimited\"",
                            p.id
                        )))
                    }
                    (_, GrantFile::Count(n)) => Grant::Allowance {
                        limit: Limit::Count(n),
                        soft: false,
                    },
                    (_, GrantFile::Word(w)) => Grant::Allowance {
                        limit: parse_limit(&p.id, &feature_id, LimitFile::Word(w))?,
                        soft: false,
                    },
                    (_, GrantFile::Detailed { limit, soft }) => Grant::Allowance {
                        limit: parse_limit(&p.id, &feature_id, limit)?,
                        soft,
                    },
                };
                grants.insert(feature_id, grant);
            }
            plans.push(Plan {
                id: p.id,
                name: p.name,
                description: p.description,
                prices,
                trial_days: p.trial_days,
                self_serve: p.self_serve,
                grants,
            });
        }
        let mut addons: Vec<Addon> = Vec::with_capacity(self.addons.len());
        for a in self.addons {
            check_id("add-on", &a.id)?;
            let what = format!("add-on {:?}", a.id);
            if addons.iter().any(|seen| seen.id == a.id) {
                return Err(CatalogError::Invalid(format!("{what} is listed twice")));
            }
            if let Some(unknown) = a
                .plans
                .iter()
                .find(|id| !plans.iter().any(|p| &p.id == *id))
            {
                return Err(CatalogError::Invalid(format!(
                    "{what} names unknown plan {unknown:?}"
                )));
            }
            let prices = parse_prices(&what, a.prices)?;
            if prices.is_empty() {
                return Err(CatalogError::Invalid(format!("{what} has no price")));
            }
            let grants = parse_grants(&what, &features, a.entitlements)?;
            if grants
                .values()
                .any(|g| matches!(g, Grant::Allowance { soft: true, .. }))
            {
                return Err(CatalogError::Invalid(format!(
                    "{what}: soft limits belong to plans, not add-ons"
                )));
            }
            let max_quantity = if a.per_unit {
                a.max_quantity.unwrap_or(1000)
            } else {
                1
            };
            if max_quantity == 0 {
                return Err(CatalogError::Invalid(format!(
                    "{what}: max_quantity must be at least 1"
                )));
            }
            addons.push(Addon {
                id: a.id,
                name: a.name,
                description: a.description,
                per_unit: a.per_unit,
                unit: a.unit,
                max_quantity,
                plans: a.plans,
                prices,
                grants,
            });
        }
        if !plans.iter().any(|p| p.id == self.default_plan) {
            return Err(CatalogError::Invalid(format!(
                "default_plan {:?} is not one of the plans",
                self.default_plan
            )));
        }
        Ok(Catalog {
            currency: self.currency,
            default_plan: self.default_plan,
            features,
            plans,
            addons,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_catalog_loads() {
        let catalog = Catalog::demo();
        assert_eq!(catalog.default_plan().id, "free");
        let pro = catalog.plan("pro").unwrap();
        assert_eq!(pro.prices.get(&BillingIntervalKey::Year), Some(&49000));
        let api = catalog.feature("api_calls").unwrap();
        assert_eq!(
            pro.grant(api),
            Grant::Allowance {
                limit: Limit::Count(100_000),
                soft: true
            }
        );
        let support = catalog.feature("priority_support").unwrap();
        assert_eq!(pro.grant(support), Grant::Flag(false));
    }

    #[test]
    fn addons_stack_on_the_plan() {
        let catalog = Catalog::demo();
        let pro = catalog.plan("pro").unwrap();
        let seats = catalog.feature("seats").unwrap();
        let sso = catalog.feature("sso").unwrap();
        let api = catalog.feature("api_calls").unwrap();
        let selection = |id: &str, quantity| AddonSelection {
            addon_id: id.into(),
            quantity,
        };
        let addons = [
            selection("extra_seats", 5),
            selection("sso_connection", 1),
            selection("api_boost", 2),
        ];
        assert_eq!(
            catalog.effective_grant(pro, &addons, seats),
            Grant::Allowance {
                limit: Limit::Count(15),
                soft: false
            }
        );
        assert_eq!(
            catalog.effective_grant(pro, &addons, sso),
            Grant::Flag(true)
        );
        assert_eq!(
            catalog.effective_grant(pro, &addons, api),
            Grant::Allowance {
                limit: Limit::Count(200_000),
                soft: true
            },
            "the plan's soft limit stays soft"
        );
        assert_eq!(catalog.effective_grant(pro, &[], sso), Grant::Flag(false));
    }

    fn invalid(text: &str) -> String {
        match Catalog::from_toml(text) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted an invalid catalog:\n{text}"),
        }
    }

    #[test]
    fn inconsistent_catalogs_are_refused_with_a_reason() {
        let base = "currency = \"USD\"\ndefault_plan = \"free\"\n[[features]]\nid = \"sso\"\nname = \"SSO\"\nkind = \"boolean\"\n";
        assert!(invalid(&format!(
            "{base}[[plans]]\nid = \"free\"\nname = \"Free\"\n[plans.entitlements]\nsso = 3\n"
        ))
        .contains("boolean feature"));
        assert!(invalid(&format!(
            "{base}[[plans]]\nid = \"free\"\nname = \"Free\"\n[plans.entitlements]\nnope = true\n"
        ))
        .contains("unknown feature"));
        assert!(invalid(&format!(
            "{base}[[plans]]\nid = \"paid\"\nname = \"Paid\"\n"
        ))
        .contains("default_plan"));
        assert!(invalid(&format!(
            "{base}[[plans]]\nid = \"free\"\nname = \"Free\"\n[plans.prices]\nweek = 5\n"
        ))
        .contains("interval"));
        assert!(invalid(
            "currency = \"usd\"\ndefault_plan = \"free\"\n[[plans]]\nid = \"free\"\nname = \"F\"\n"
        )
        .contains("ISO 4217"));
        assert!(
            invalid("currency = \"USD\"\ndefault_plan = \"free\"\nplans = []\n")
                .contains("no plans")
        );
    }
}

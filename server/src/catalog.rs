//! The catalog: features, plans, prices and per-plan entitlements, loaded
//! from a TOML file (see `server/catalog.toml`) and checked once at start-up,
//! so a typo stops the server with a clear message instead of showing a
//! customer a wrong limit.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use portico_types::{BillingInterval, FeatureKind, Limit, Money, PlanPrice, PlanSummary};
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

#[derive(Clone, Debug)]
pub struct Catalog {
    pub currency: String,
    pub default_plan: String,
    /// In display order.
    pub features: Vec<Feature>,
    /// In display order.
    pub plans: Vec<Plan>,
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

fn parse_limit(plan: &str, feature: &str, limit: LimitFile) -> Result<Limit, CatalogError> {
    match limit {
        LimitFile::Count(n) => Ok(Limit::Count(n)),
        LimitFile::Word(w) if w == "unlimited" => Ok(Limit::Unlimited),
        LimitFile::Word(w) => Err(CatalogError::Invalid(format!(
            "plan {plan:?}, feature {feature:?}: {w:?} is not a limit (use a whole number or \"unlimited\")"
        ))),
    }
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

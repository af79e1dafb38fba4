//! A small client for the parts of the WorkOS REST API the sync reads: the
//! organization, user and organization-membership lists and the Events API,
//! all cursor-paginated (`after`), authenticated with the API key.

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::objects::{EventEnvelope, ListPage, Organization, OrganizationMembership, User};

/// The public WorkOS API.
pub const DEFAULT_BASE_URL: &str = "https://api.workos.com";

/// WorkOS's largest page.
pub const PAGE_SIZE: u32 = 100;

#[derive(Debug, thiserror::Error)]
pub enum WorkosApiError {
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
    #[error("WorkOS request {path} failed: {source}")]
    Request {
        path: String,
        source: reqwest::Error,
    },
    #[error("WorkOS answered {path} with {status}: {body}")]
    Status {
        path: String,
        status: u16,
        body: String,
    },
    #[error("WorkOS's answer to {path} is not what the sync expects: {source}")]
    Decode {
        path: String,
        source: serde_json::Error,
    },
}

#[derive(Clone, Debug)]
pub struct WorkosClient {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl WorkosClient {
    pub fn new(base_url: &str, api_key: &str) -> Result<Self, WorkosApiError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("portico-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(WorkosApiError::Client)?;
        Ok(WorkosClient {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
        })
    }

    async fn get_page<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<ListPage<T>, WorkosApiError> {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .bearer_auth(&self.api_key)
            .query(query)
            .send()
            .await
            .map_err(|source| WorkosApiError::Request {
                path: path.to_owned(),
                source,
            })?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|source| WorkosApiError::Request {
                path: path.to_owned(),
                source,
            })?;
        if !status.is_success() {
            let body: String = String::from_utf8_lossy(&bytes).chars().take(500).collect();
            return Err(WorkosApiError::Status {
                path: path.to_owned(),
                status: status.as_u16(),
                body,
            });
        }
        serde_json::from_slice(&bytes).map_err(|source| WorkosApiError::Decode {
            path: path.to_owned(),
            source,
        })
    }

    fn paging(after: Option<&str>) -> Vec<(&'static str, String)> {
        let mut query = vec![("limit", PAGE_SIZE.to_string())];
        if let Some(after) = after {
            query.push(("after", after.to_owned()));
        }
        query
    }

    /// `GET /organizations`
    pub async fn organizations(
        &self,
        after: Option<&str>,
    ) -> Result<ListPage<Organization>, WorkosApiError> {
        self.get_page("/organizations", &Self::paging(after)).await
    }

    /// `GET /user_management/users`
    pub async fn users(&self, after: Option<&str>) -> Result<ListPage<User>, WorkosApiError> {
        self.get_page("/user_management/users", &Self::paging(after))
            .await
    }

    /// `GET /user_management/organization_memberships` of one organization,
    /// every status (WorkOS lists only active ones unless asked).
    pub async fn memberships(
        &self,
        organization_id: &str,
        after: Option<&str>,
    ) -> Result<ListPage<OrganizationMembership>, WorkosApiError> {
        let mut query = Self::paging(after);
        query.push(("organization_id", organization_id.to_owned()));
        for status in ["active", "inactive", "pending"] {
            query.push(("statuses", status.to_owned()));
        }
        self.get_page("/user_management/organization_memberships", &query)
            .await
    }

    /// `GET /events` of the given types, oldest first, after an event id.
    pub async fn events(
        &self,
        types: &[&str],
        after: Option<&str>,
    ) -> Result<ListPage<EventEnvelope>, WorkosApiError> {
        let mut query = Self::paging(after);
        for event in types {
            query.push(("events", (*event).to_owned()));
        }
        self.get_page("/events", &query).await
    }
}

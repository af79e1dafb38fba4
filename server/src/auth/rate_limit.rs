//! A per-scope rate limit on browser writes: a fixed window per company and
//! user, in memory.
//!
//! Writes from a browser (identify, and the billing endpoints) are rare in
//! normal use: a handful per page load. The limit stops a stolen or scripted
//! token from hammering the database or the payment provider. It is keyed by
//! the verified scope, never by anything unauthenticated, so the table only
//! grows with real credentials; stale windows are dropped as it grows.
//!
//! One process, one table: behind several server processes each counts on
//! its own, which is fine for a guard rail.

use std::collections::HashMap;
use std::sync::Mutex;

use portico_types::Timestamp;

/// How many writes a scope may make per window. `max_requests == 0` turns the
/// limit off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitSettings {
    pub max_requests: u32,
    pub window_seconds: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            max_requests: 60,
            window_seconds: 60,
        }
    }
}

/// The scope has used its budget; it may write again in `retry_after_seconds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("too many writes: try again in {retry_after_seconds} seconds")]
pub struct RateLimited {
    pub retry_after_seconds: u64,
}

#[derive(Clone, Copy, Debug)]
struct Window {
    started_at: i64,
    count: u32,
}

/// Past this many tracked scopes, windows that have ended are dropped.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Default)]
pub struct WriteRateLimiter {
    settings: RateLimitSettings,
    windows: Mutex<HashMap<String, Window>>,
}

impl WriteRateLimiter {
    pub fn new(settings: RateLimitSettings) -> Self {
        WriteRateLimiter {
            settings,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one write for `key` at `now`, or refuses it.
    pub fn check(&self, key: &str, now: Timestamp) -> Result<(), RateLimited> {
        let RateLimitSettings {
            max_requests,
            window_seconds,
        } = self.settings;
        if max_requests == 0 {
            return Ok(());
        }
        let window_seconds = i64::from(window_seconds.max(1));
        // A panic while the lock was held leaves only counters behind, which
        // are still good to use.
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, w| now.0 < w.started_at + window_seconds);
        }
        let window = windows.entry(key.to_owned()).or_insert(Window {
            started_at: now.0,
            count: 0,
        });
        // A clock that went backwards also starts a new window.
        if now.0 >= window.started_at + window_seconds || now.0 < window.started_at {
            *window = Window {
                started_at: now.0,
                count: 0,
            };
        }
        if window.count >= max_requests {
            let retry_after = (window.started_at + window_seconds - now.0).max(1);
            return Err(RateLimited {
                retry_after_seconds: u64::try_from(retry_after).unwrap_or(1),
            });
        }
        window.count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_window_per_key() {
        let limiter = WriteRateLimiter::new(RateLimitSettings {
            max_requests: 2,
            window_seconds: 60,
        });
        let t = |s: i64| Timestamp(1_000 + s);
        assert!(limiter.check("a", t(0)).is_ok());
        assert!(limiter.check("a", t(10)).is_ok());
        assert_eq!(
            limiter.check("a", t(15)),
            Err(RateLimited {
                retry_after_seconds: 45
            })
        );
        assert!(limiter.check("b", t(15)).is_ok(), "keys are independent");
        assert!(limiter.check("a", t(60)).is_ok(), "a new window");
    }

    #[test]
    fn zero_turns_it_off() {
        let limiter = WriteRateLimiter::new(RateLimitSettings {
            max_requests: 0,
            window_seconds: 60,
        });
        for _ in 0..100 {
            assert!(limiter.check("a", Timestamp(0)).is_ok());
        }
    }
}

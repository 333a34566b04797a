//! Rate limits on sign-up, login and email links: in process (governor) in the embedded mode,
//! in Redis (a counter per fixed window, shared by every replica) in production.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{Quota, RateLimiter};

use crate::error::ApiError;

/// One limit: at most `limit` hits per `window` for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    pub name: &'static str,
    pub limit: u32,
    pub window: Duration,
}

pub const SIGNUP_PER_IP: Rule = Rule { name: "signup-ip", limit: 20, window: Duration::from_secs(3600) };
pub const LINK_PER_ADDRESS: Rule = Rule { name: "link-address", limit: 3, window: Duration::from_secs(900) };
pub const LINK_PER_IP: Rule = Rule { name: "link-ip", limit: 20, window: Duration::from_secs(900) };
pub const LOGIN_PER_IP: Rule = Rule { name: "login-ip", limit: 30, window: Duration::from_secs(900) };

const RULES: [Rule; 4] = [SIGNUP_PER_IP, LINK_PER_ADDRESS, LINK_PER_IP, LOGIN_PER_IP];

type Keyed = RateLimiter<
    String,
    governor::state::keyed::DefaultKeyedStateStore<String>,
    governor::clock::DefaultClock,
    governor::middleware::NoOpMiddleware,
>;

pub enum Limiter {
    Memory(HashMap<&'static str, Keyed>),
    Redis(redis::aio::ConnectionManager),
}

impl Limiter {
    pub fn memory() -> Limiter {
        let mut map = HashMap::new();
        for rule in RULES {
            let burst = NonZeroU32::new(rule.limit).unwrap_or(NonZeroU32::MIN);
            let period = rule.window / rule.limit.max(1);
            if let Some(q) = Quota::with_period(period) {
                map.insert(rule.name, RateLimiter::keyed(q.allow_burst(burst)));
            }
        }
        Limiter::Memory(map)
    }

    /// Counts one hit for `key`; a 429 with the wait when over the limit.
    pub async fn hit(&self, rule: Rule, key: &str) -> Result<(), ApiError> {
        let key = key.to_lowercase();
        match self {
            Limiter::Memory(map) => match map.get(rule.name).map(|l| l.check_key(&key)) {
                Some(Err(not_until)) => {
                    let wait = not_until
                        .wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
                    Err(ApiError::TooManyRequests(wait.as_secs().max(1)))
                }
                _ => Ok(()),
            },
            Limiter::Redis(conn) => {
                let window = rule.window.as_secs().max(1);
                let now = crate::clock::now().and_utc().timestamp().unsigned_abs();
                let bucket = now / window;
                let redis_key = format!("ratelimit:{}:{}:{bucket}", rule.name, crate::secrets::hash(&key));
                let (count,): (u64,) = redis::pipe()
                    .atomic()
                    .incr(&redis_key, 1)
                    .expire(&redis_key, i64::try_from(window).unwrap_or(3600))
                    .ignore()
                    .query_async(&mut conn.clone())
                    .await
                    .map_err(|e| ApiError::Unavailable(format!("the rate limiter (redis) is unavailable: {e}")))?;
                if count > u64::from(rule.limit) {
                    Err(ApiError::TooManyRequests((bucket + 1) * window - now))
                } else {
                    Ok(())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_memory_limiter_allows_the_limit_then_refuses_per_key() {
        let l = Limiter::memory();
        for _ in 0..LINK_PER_ADDRESS.limit {
            assert!(l.hit(LINK_PER_ADDRESS, "a@x.gov.uk").await.is_ok());
        }
        assert!(matches!(l.hit(LINK_PER_ADDRESS, "A@X.gov.uk").await, Err(ApiError::TooManyRequests(_))));
        assert!(l.hit(LINK_PER_ADDRESS, "b@x.gov.uk").await.is_ok());
    }
}

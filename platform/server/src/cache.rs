//! The shared cache: Redis when `REDIS_URL` is set, otherwise nothing beyond the process.

use std::time::Duration;

use redis::aio::ConnectionManager;

/// Connects to Redis, giving up after `timeout` (the connection manager on its own would retry
/// for ever, turning a wrong `REDIS_URL` into a hang).
pub async fn connect_redis(url: &str, timeout: Duration) -> anyhow::Result<ConnectionManager> {
    let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?;
    let manager = tokio::time::timeout(timeout, ConnectionManager::new(client))
        .await
        .map_err(|_| anyhow::anyhow!("REDIS_URL: no answer from Redis within {}s", timeout.as_secs()))?
        .map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?;
    Ok(manager)
}

/// True when Redis answers a PING within a second.
pub async fn ping(manager: &ConnectionManager) -> Result<(), String> {
    let mut conn = manager.clone();
    let pong = tokio::time::timeout(Duration::from_secs(1), redis::cmd("PING").query_async::<String>(&mut conn)).await;
    match pong {
        Ok(Ok(p)) if p == "PONG" => Ok(()),
        Ok(Ok(other)) => Err(format!("unexpected reply {other:?}")),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 1s".into()),
    }
}

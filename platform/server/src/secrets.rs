//! Secrets: random tokens for links, sessions and API keys (only their SHA-256 is stored), and
//! sealing of tenants' OIDC client secrets with the deployment's key.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use sha2::{Digest, Sha256};

/// 32 random bytes from the operating system, URL-safe base64 (43 characters).
pub fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness from the operating system: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored for a token: its SHA-256, hex.
pub fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two strings in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A key given as base64 of exactly 32 bytes.
pub fn parse_key(text: &str) -> Result<[u8; 32], String> {
    let bytes = STANDARD
        .decode(text.trim())
        .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim()))
        .map_err(|_| "must be base64 (e.g. the output of `openssl rand -base64 32`)".to_string())?;
    bytes.try_into().map_err(|b: Vec<u8>| format!("must be 32 bytes once decoded, not {}", b.len()))
}

/// The embedded mode's key: `<data dir>/secret.key`, made on first use, readable by the owner only.
pub fn key_file(path: &std::path::Path) -> anyhow::Result<[u8; 32]> {
    if let Ok(text) = std::fs::read_to_string(path) {
        return parse_key(&text).map_err(|m| anyhow::anyhow!("{}: {m}", path.display()));
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness from the operating system: {e}"))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| anyhow::anyhow!("creating {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, STANDARD.encode(key).as_bytes())?;
    Ok(key)
}

/// Seals and opens secrets with ChaCha20-Poly1305. The context (a tenant id) is bound in as
/// associated data, so a sealed secret copied to another tenant's row does not open.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Sealer {
        Sealer { cipher: ChaCha20Poly1305::new(Key::from_slice(key)) }
    }

    pub fn seal(&self, secret: &str, context: &str) -> anyhow::Result<String> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no randomness from the operating system: {e}"))?;
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: secret.as_bytes(), aad: context.as_bytes() })
            .map_err(|_| anyhow::anyhow!("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str, context: &str) -> anyhow::Result<String> {
        let bytes = STANDARD.decode(sealed).map_err(|_| anyhow::anyhow!("sealed secret is not base64"))?;
        if bytes.len() < 12 + 16 {
            anyhow::bail!("sealed secret is too short");
        }
        let (nonce, body) = bytes.split_at(12);
        let plain =
            self.cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: context.as_bytes() }).map_err(
                |_| anyhow::anyhow!("the sealed secret does not open with this key (was PLATFORM_SECRET_KEY changed?)"),
            )?;
        String::from_utf8(plain).map_err(|_| anyhow::anyhow!("sealed secret is not text"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_only_as_hashes() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), a);
        assert_eq!(hash(&a), hash(&a));
    }

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_context() {
        let s = Sealer::new(&[7u8; 32]);
        let sealed = s.seal("client-secret", "tenant-a").unwrap();
        assert!(!sealed.contains("client-secret"));
        assert_eq!(s.open(&sealed, "tenant-a").unwrap(), "client-secret");
        assert!(s.open(&sealed, "tenant-b").is_err());
        assert!(Sealer::new(&[8u8; 32]).open(&sealed, "tenant-a").is_err());
        // Two seals of the same secret differ (fresh nonce).
        assert_ne!(sealed, s.seal("client-secret", "tenant-a").unwrap());
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(parse_key(&STANDARD.encode([1u8; 32])).is_ok());
        assert!(parse_key("c2hvcnQ=").unwrap_err().contains("32 bytes"));
        assert!(parse_key("not base64 !!").is_err());
    }
}

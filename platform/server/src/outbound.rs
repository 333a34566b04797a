//! Every outbound HTTP request to a trust's identity provider (discovery, signing keys, tokens):
//! the address policy that keeps a tenant-chosen URL from reaching inside the platform's own
//! network, and the guarded client that applies it to each request.
//!
//! A tenant admin chooses the issuer, and any anonymous visitor can make the server fetch it, so
//! the server must not become a way to reach its loopback, private network or cloud metadata
//! service. Each request: https only; the host resolved once and refused if any address is not
//! public; the connection then made to exactly the addresses that were checked, so a name that
//! answers differently the second time (DNS rebinding) cannot slip through. Hosts the operator
//! allows (`oidc_allowed_hosts`) skip the address check and may use plain http.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};
use url::{Host, Url};

/// Longest wait for one request: name lookup, connection, and the whole answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Discovery documents and key sets are a few kilobytes; anything this large is not one.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// A host the operator allows although it is local (the tests' provider, or one on the
/// operator's own network). It skips the address check and may use plain http.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    host: HostName,
    /// None: any port.
    port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostName {
    Ip(IpAddr),
    /// Lower case, without a trailing dot.
    Name(String),
}

impl std::fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.host, self.port) {
            (HostName::Ip(IpAddr::V6(a)), Some(p)) => write!(f, "[{a}]:{p}"),
            (HostName::Ip(ip), Some(p)) => write!(f, "{ip}:{p}"),
            (HostName::Ip(ip), None) => write!(f, "{ip}"),
            (HostName::Name(n), Some(p)) => write!(f, "{n}:{p}"),
            (HostName::Name(n), None) => write!(f, "{n}"),
        }
    }
}

/// Parses the operator's comma-separated `host` or `host:port` entries (IPv6 in brackets when a
/// port follows). The message names the entry at fault.
pub fn parse_allowed_hosts(text: &str) -> Result<Vec<AllowedHost>, String> {
    let mut hosts = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let host = parse_allowed_host(entry).ok_or_else(|| {
            format!("{entry:?} is not a host or host:port such as idp.trust.internal or 127.0.0.1:8443")
        })?;
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    Ok(hosts)
}

fn parse_allowed_host(entry: &str) -> Option<AllowedHost> {
    let port = |p: &str| p.parse::<u16>().ok().filter(|p| *p != 0);
    if let Some(rest) = entry.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let ip = inside.parse::<Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(port(p.strip_prefix(':')?)?),
        };
        return Some(AllowedHost { host: HostName::Ip(IpAddr::V6(ip)), port });
    }
    // A bare IPv6 address has colons of its own, so it cannot take a port.
    if let Ok(ip) = entry.parse::<Ipv6Addr>() {
        return Some(AllowedHost { host: HostName::Ip(IpAddr::V6(ip)), port: None });
    }
    let (host, port) = match entry.split_once(':') {
        Some((h, p)) => (h, Some(port(p)?)),
        None => (entry, None),
    };
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Some(AllowedHost { host: HostName::Ip(IpAddr::V4(ip)), port });
    }
    let name = normalise_name(host);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
        return None;
    }
    Some(AllowedHost { host: HostName::Name(name), port })
}

fn normalise_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Why an address is not fetched from, or None for an ordinary public address. The ranges are
/// those IANA's special-purpose registries mark as not globally reachable, plus the ones that
/// lead to them (IPv4 inside IPv6).
pub fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(a) => classify_v4(a),
        IpAddr::V6(a) => classify_v6(a),
    }
}

fn classify_v4(a: Ipv4Addr) -> Option<&'static str> {
    let [a0, a1, a2, _] = a.octets();
    Some(match (a0, a1, a2) {
        (0, _, _) => "an unspecified (0.0.0.0/8) address",
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => "a private address",
        (100, 64..=127, _) => "a carrier-grade NAT (shared) address",
        (127, _, _) => "a loopback address",
        (169, 254, _) => "a link-local address, where cloud metadata services answer",
        (192, 0, 0) => "an IETF protocol address",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (192, 88, 99) => "a 6to4 relay address",
        (198, 18..=19, _) => "a benchmarking address",
        (224..=239, _, _) => "a multicast address",
        (240..=255, _, _) => "a reserved or broadcast address",
        _ => return None,
    })
}

fn classify_v6(a: Ipv6Addr) -> Option<&'static str> {
    let s = a.segments();
    let v4_at = |i: usize| Ipv4Addr::from((u32::from(s[i]) << 16) | u32::from(s[i + 1]));
    let low_v4 = v4_at(6);
    if a.is_unspecified() {
        return Some("the unspecified address");
    }
    if a.is_loopback() {
        return Some("a loopback address");
    }
    // Forms that carry an IPv4 address reach that address, so they are judged by it.
    if let Some(v4) = a.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    if s[..6] == [0; 6] {
        return classify_v4(low_v4).or(Some("a deprecated IPv4-compatible address"));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return classify_v4(low_v4);
    }
    if s[0] == 0x2002 {
        return classify_v4(v4_at(1));
    }
    Some(match s {
        [0x64, 0xff9b, 1, ..] => "a local-use NAT64 address",
        [0x100, 0, 0, 0, ..] => "a discard-only address",
        // Teredo carries an IPv4 address too, obscured; none is needed to reach a provider.
        [0x2001, 0, ..] => "a Teredo address",
        [0x2001, 2, 0, ..] => "a benchmarking address",
        [0x2001, 0xdb8, ..] => "a documentation address",
        [0x3fff, b, ..] if b < 0x1000 => "a documentation address",
        [x, ..] if x & 0xfe00 == 0xfc00 => "a unique-local (private) address",
        [x, ..] if x & 0xffc0 == 0xfe80 => "a link-local address",
        [x, ..] if x & 0xffc0 == 0xfec0 => "a site-local address",
        [x, ..] if x & 0xff00 == 0xff00 => "a multicast address",
        _ => return None,
    })
}

/// Why a host name is not looked up at all, or None. These names are local by definition, so
/// what they resolve to depends on the machine, not on the internet.
pub fn classify_name(name: &str) -> Option<&'static str> {
    let name = normalise_name(name);
    let last = name.rsplit('.').next().unwrap_or("");
    Some(match last {
        "localhost" => "a loopback name",
        _ if !name.contains('.') => "a single-label name, resolved against the server's own network",
        "local" => "a multicast-DNS (.local) name",
        "internal" => "an internal name, where cloud metadata services such as metadata.google.internal answer",
        "localdomain" | "lan" | "corp" | "home" => "a local-network name",
        _ if name.ends_with(".home.arpa") => "a home-network name",
        _ => return None,
    })
}

/// Why an address is not fetched from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("is not a URL")]
    NotUrl,
    #[error("must use https")]
    Scheme,
    #[error("has no host")]
    NoHost,
    #[error("{host} is {kind}")]
    Address { host: String, kind: &'static str },
    #[error("{host} is {kind}")]
    Name { host: String, kind: &'static str },
    /// The address itself stays out of the text, which a tenant admin reads: it would tell them
    /// what the platform's internal names resolve to. The server log has it.
    #[error("{host} resolves to {kind}")]
    Resolved { host: String, ip: IpAddr, kind: &'static str },
    #[error("{host} could not be resolved ({detail})")]
    Unresolved { host: String, detail: String },
}

impl Refusal {
    /// The sentence a tenant admin sees under the issuer field.
    pub fn advice(&self) -> String {
        match self {
            Refusal::NotUrl | Refusal::NoHost => {
                format!(
                    "{self}: enter the identity provider's issuer URL, such as https://login.microsoftonline.com/…/v2.0"
                )
            }
            Refusal::Scheme => {
                "must use https (plain http only for a local provider the platform's operator allows)".into()
            }
            Refusal::Unresolved { .. } => format!("{self}: check the address"),
            Refusal::Address { .. } | Refusal::Name { .. } | Refusal::Resolved { .. } => format!(
                "{self}: the platform only contacts identity providers at public addresses, never loopback, \
                 private, link-local or cloud-metadata ones (the platform's operator can allow a local provider)"
            ),
        }
    }
}

/// A request the guard did not send, or that failed on the way. The text is for the server log
/// and the trust's admin, never for an anonymous visitor (it would tell a closed port from an
/// open one).
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("{url}: not fetched: {refusal}")]
    Refused { url: String, refusal: Refusal },
    #[error("{url}: {detail}")]
    Request { url: String, detail: String },
    #[error("{url}: the answer is larger than {} bytes", MAX_RESPONSE_BYTES)]
    TooLarge { url: String },
    #[error("{url}: no complete answer within {} seconds", REQUEST_TIMEOUT.as_secs())]
    Timeout { url: String },
    #[error("the request could not be built: {0}")]
    Invalid(String),
}

/// An error and its causes on one line (openidconnect's own messages leave the causes out).
pub fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let next = c.to_string();
        if !text.contains(&next) {
            text = format!("{text}: {next}");
        }
        cause = c.source();
    }
    text
}

/// Where a checked URL may be fetched from.
#[derive(Debug)]
struct Target {
    /// The name to pin to `addrs`; None for an IP literal, which is not looked up.
    name: Option<String>,
    addrs: Vec<SocketAddr>,
    allowed: bool,
}

#[derive(Debug)]
enum Lookup {
    /// The operating system's resolver, through tokio.
    System,
    /// Fixed answers, so tests can play a name that resolves somewhere it should not.
    #[cfg(test)]
    Fixed(Vec<(String, Vec<IpAddr>)>),
}

/// The guarded client: the only way the server talks to identity providers. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    allowed: Arc<[AllowedHost]>,
    lookup: Arc<Lookup>,
}

impl Client {
    pub fn new(allowed: Vec<AllowedHost>) -> Client {
        Client { allowed: allowed.into(), lookup: Arc::new(Lookup::System) }
    }

    fn allows(&self, url: &Url) -> bool {
        let host = match url.host() {
            Some(Host::Ipv4(a)) => HostName::Ip(IpAddr::V4(a)),
            Some(Host::Ipv6(a)) => HostName::Ip(IpAddr::V6(a)),
            Some(Host::Domain(d)) => HostName::Name(normalise_name(d)),
            None => return false,
        };
        let port = url.port_or_known_default();
        self.allowed.iter().any(|a| a.host == host && (a.port.is_none() || a.port == port))
    }

    /// Checks an issuer as a tenant admin enters it: the same rules as each request, the name
    /// looked up now (the check at each request is the one that protects; this one explains).
    pub async fn check_issuer(&self, issuer: &str) -> Result<(), Refusal> {
        let url = Url::parse(issuer.trim()).map_err(|_| Refusal::NotUrl)?;
        self.vet(&url).await.map(|_| ())
    }

    async fn vet(&self, url: &Url) -> Result<Target, Refusal> {
        let allowed = self.allows(url);
        match url.scheme() {
            "https" => {}
            "http" if allowed => {}
            _ => return Err(Refusal::Scheme),
        }
        let port = url.port_or_known_default().ok_or(Refusal::NoHost)?;
        let literal = |ip: IpAddr| match classify(ip) {
            Some(kind) if !allowed => Err(Refusal::Address { host: ip.to_string(), kind }),
            _ => Ok(Target { name: None, addrs: vec![SocketAddr::new(ip, port)], allowed }),
        };
        let name = match url.host() {
            None => return Err(Refusal::NoHost),
            Some(Host::Ipv4(a)) => return literal(IpAddr::V4(a)),
            Some(Host::Ipv6(a)) => return literal(IpAddr::V6(a)),
            Some(Host::Domain(d)) => d.to_string(),
        };
        if !allowed && let Some(kind) = classify_name(&name) {
            return Err(Refusal::Name { host: name, kind });
        }
        let addrs = self.resolve(&name, port).await?;
        if !allowed {
            // Any bad address refuses the name: the connector could pick any of them.
            for a in &addrs {
                if let Some(kind) = classify(a.ip()) {
                    return Err(Refusal::Resolved { host: name, ip: a.ip(), kind });
                }
            }
        }
        Ok(Target { name: Some(name), addrs, allowed })
    }

    async fn resolve(&self, name: &str, port: u16) -> Result<Vec<SocketAddr>, Refusal> {
        let unresolved = |detail: String| Refusal::Unresolved { host: name.to_string(), detail };
        let addrs: Vec<SocketAddr> = match &*self.lookup {
            Lookup::System => {
                match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::lookup_host((name, port))).await {
                    Err(_) => return Err(unresolved("no answer in time".into())),
                    Ok(Err(e)) => return Err(unresolved(e.to_string())),
                    Ok(Ok(found)) => found.collect(),
                }
            }
            #[cfg(test)]
            Lookup::Fixed(table) => table
                .iter()
                .filter(|(n, _)| *n == normalise_name(name))
                .flat_map(|(_, ips)| ips.iter().map(|ip| SocketAddr::new(*ip, port)))
                .collect(),
        };
        if addrs.is_empty() {
            return Err(unresolved("no addresses".into()));
        }
        Ok(addrs)
    }

    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, OutboundError> {
        let url = Url::parse(&request.uri().to_string()).map_err(|e| OutboundError::Invalid(e.to_string()))?;
        // Logged and shown to the trust's admin: the origin and path are enough, never a query.
        let shown = format!("{}{}", url.origin().ascii_serialization(), url.path());
        match tokio::time::timeout(REQUEST_TIMEOUT, self.fetch_checked(request, &url, &shown)).await {
            Ok(result) => result,
            Err(_) => Err(OutboundError::Timeout { url: shown }),
        }
    }

    async fn fetch_checked(&self, request: HttpRequest, url: &Url, shown: &str) -> Result<HttpResponse, OutboundError> {
        let target = self.vet(url).await.map_err(|refusal| {
            tracing::info!(url = shown, ?refusal, "identity-provider request not sent");
            OutboundError::Refused { url: shown.into(), refusal }
        })?;
        let failed = |e: reqwest::Error| OutboundError::Request { url: shown.into(), detail: describe(&e) };
        // A client per request, so the one name it may look up answers with the addresses
        // checked above and nothing else; any other name fails. Proxies are off: a proxy would
        // resolve the name itself. Redirects are not followed: a provider's discovery document,
        // keys and token endpoint have no reason to redirect, and a followed hop would be a
        // request this guard had not checked; a 3xx goes back to openidconnect, which refuses it.
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .https_only(!target.allowed)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .dns_resolver(Arc::new(NoLookup));
        if let Some(name) = &target.name {
            builder = builder.resolve_to_addrs(name, &target.addrs);
        }
        let client = builder.build().map_err(failed)?;
        let request = reqwest::Request::try_from(request).map_err(failed)?;
        let mut response = client.execute(request).await.map_err(failed)?;
        if response.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
            return Err(OutboundError::TooLarge { url: shown.into() });
        }
        let mut answer = openidconnect::http::Response::builder().status(response.status()).version(response.version());
        for (name, value) in response.headers() {
            answer = answer.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(OutboundError::TooLarge { url: shown.into() });
            }
            body.extend_from_slice(&chunk);
        }
        answer.body(body).map_err(|e| OutboundError::Invalid(e.to_string()))
    }
}

impl<'c> AsyncHttpClient<'c> for Client {
    type Error = OutboundError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, OutboundError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.fetch(request))
    }
}

/// The resolver behind the pinned name: it answers nothing, so no unchecked lookup can happen.
struct NoLookup;

impl reqwest::dns::Resolve for NoLookup {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let name = name.as_str().to_string();
        Box::pin(async move { Err(format!("{name} was not checked, so it is not looked up").into()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn every_special_range_is_refused_in_each_form() {
        let refused = [
            // IPv4
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.0.1",
            "169.254.169.254",
            "169.254.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.170",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            // IPv6
            "::",
            "::1",
            "fe80::1",
            "febf::1",
            "fc00::1",
            "fd00:ec2::254",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "3fff::1",
            "100::1",
            "2001::1",
            "2001:2::1",
            "64:ff9b:1::1",
            // IPv4 inside IPv6: mapped, compatible, NAT64 and 6to4 forms of refused addresses.
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::ffff:0.0.0.0",
            "::127.0.0.1",
            "::10.1.2.3",
            "::8.8.8.8",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
        ];
        for text in refused {
            assert!(classify(ip(text)).is_some(), "{text} should be refused");
        }
        let public = [
            "8.8.8.8",
            "1.1.1.1",
            "20.190.128.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.167.1.1",
            "169.253.0.1",
            "11.0.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4009:81e::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "3fff:1000::1",
        ];
        for text in public {
            assert_eq!(classify(ip(text)), None, "{text} is public");
        }
        assert!(classify(ip("169.254.169.254")).unwrap().contains("metadata"));
        assert!(classify(ip("::ffff:127.0.0.1")).unwrap().contains("loopback"));
    }

    #[test]
    fn local_names_are_refused_before_any_lookup() {
        for name in [
            "localhost",
            "LOCALHOST",
            "localhost.",
            "idp.localhost",
            "metadata.google.internal",
            "metadata.google.internal.",
            "printer.local",
            "router.home.arpa",
            "box.localdomain",
            "metadata",
            "vm",
        ] {
            assert!(classify_name(name).is_some(), "{name} should be refused");
        }
        for name in ["login.microsoftonline.com", "idp.durham.gov.uk", "accounts.google.com."] {
            assert_eq!(classify_name(name), None, "{name}");
        }
    }

    #[test]
    fn allowed_hosts_parse_and_bad_entries_are_named() {
        let hosts = parse_allowed_hosts(" 127.0.0.1:8443, idp.Trust.internal., [::1]:9000, ::1, localhost ,").unwrap();
        let shown: Vec<String> = hosts.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["127.0.0.1:8443", "idp.trust.internal", "[::1]:9000", "::1", "localhost"]);
        assert_eq!(parse_allowed_hosts("").unwrap(), []);
        for bad in [
            "http://127.0.0.1",
            "idp:0",
            "idp:70000",
            "idp:x",
            "a b",
            "*.trust.internal",
            "[::1",
            "[::1]x",
            "-a.b",
            "idp/x",
        ] {
            let err = parse_allowed_hosts(&format!("ok.example, {bad}")).unwrap_err();
            assert!(err.contains(&format!("{bad:?}")), "{bad}: {err}");
        }
    }

    fn client(allowed: &str, table: &[(&str, &[&str])]) -> Client {
        let table = table.iter().map(|(n, ips)| ((*n).to_string(), ips.iter().map(|i| ip(i)).collect())).collect();
        Client { allowed: parse_allowed_hosts(allowed).unwrap().into(), lookup: Arc::new(Lookup::Fixed(table)) }
    }

    async fn check(c: &Client, url: &str) -> Result<(), Refusal> {
        c.check_issuer(url).await
    }

    #[tokio::test]
    async fn urls_need_https_and_a_public_address() {
        let c = client(
            "",
            &[("idp.example.org", &["20.190.128.1"]), ("inside.example.org", &["20.190.128.1", "10.0.0.7"])],
        );
        assert_eq!(check(&c, "https://idp.example.org/tenant/v2.0").await, Ok(()));
        assert_eq!(check(&c, "http://idp.example.org/").await, Err(Refusal::Scheme));
        assert_eq!(check(&c, "ftp://idp.example.org/").await, Err(Refusal::Scheme));
        assert_eq!(check(&c, "not a url").await, Err(Refusal::NotUrl));
        // One private address among public ones is enough to refuse.
        assert!(
            matches!(check(&c, "https://inside.example.org/").await, Err(Refusal::Resolved { ip: found, .. }) if found == ip("10.0.0.7"))
        );
        assert!(matches!(check(&c, "https://nowhere.example.org/").await, Err(Refusal::Unresolved { .. })));
        // IP literals in every spelling the URL parser accepts.
        for url in [
            "https://127.0.0.1/",
            "https://127.1/",
            "https://2130706433/",
            "https://0x7f.0.0.1/",
            "https://0177.0.0.1/",
            "https://127.0.0.1./",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:7f00:1]/",
            "https://[0:0:0:0:0:ffff:a9fe:a9fe]/",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.0.0.1/",
            "https://0.0.0.0/",
            "https://[fe80::1]/",
            "https://[fd00:ec2::254]/",
        ] {
            assert!(matches!(check(&c, url).await, Err(Refusal::Address { .. })), "{url}");
        }
        for url in ["https://localhost/", "https://localhost./", "https://metadata.google.internal/", "https://vm/"] {
            assert!(matches!(check(&c, url).await, Err(Refusal::Name { .. })), "{url}");
        }
    }

    #[tokio::test]
    async fn the_system_resolver_is_checked_too() {
        // localhost is refused by name; looked up anyway, its addresses are refused as well.
        let c = Client::new(Vec::new());
        let addrs = c.resolve("localhost", 443).await.unwrap();
        assert!(addrs.iter().all(|a| classify(a.ip()) == Some("a loopback address")), "{addrs:?}");
    }

    #[tokio::test]
    async fn an_allowed_host_may_be_local_and_plain_http_but_only_on_its_port() {
        let c = client("127.0.0.1:8443, idp.trust.internal, [::1]:9000", &[("idp.trust.internal", &["10.1.2.3"])]);
        assert_eq!(check(&c, "http://127.0.0.1:8443/").await, Ok(()));
        assert_eq!(check(&c, "https://127.0.0.1:8443/").await, Ok(()));
        assert_eq!(check(&c, "http://127.0.0.1:8444/").await, Err(Refusal::Scheme));
        assert!(matches!(check(&c, "https://127.0.0.1:8444/").await, Err(Refusal::Address { .. })));
        assert_eq!(check(&c, "http://idp.trust.internal:81/").await, Ok(()));
        assert_eq!(check(&c, "https://IDP.trust.internal./").await, Ok(()));
        assert_eq!(check(&c, "http://[::1]:9000/").await, Ok(()));
        assert_eq!(check(&c, "http://[::1]:9001/").await, Err(Refusal::Scheme));
        // The allowance is for the address as written, not for other spellings of it.
        assert!(matches!(check(&c, "https://[::ffff:127.0.0.1]:8443/").await, Err(Refusal::Address { .. })));
    }

    /// A one-shot HTTP server on loopback: answers each connection with `answer`; counts them.
    async fn serve(answer: Vec<u8>) -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = count.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(&answer).await;
                let _ = socket.shutdown().await;
            }
        });
        (port, count)
    }

    fn get(url: &str) -> HttpRequest {
        openidconnect::http::Request::builder().uri(url).body(Vec::new()).unwrap()
    }

    #[tokio::test]
    async fn a_refused_address_is_never_connected_to() {
        let (port, count) = serve(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".to_vec()).await;
        let c = Client::new(Vec::new());
        for url in [
            format!("http://127.0.0.1:{port}/"),
            format!("https://127.0.0.1:{port}/"),
            format!("https://localhost:{port}/"),
        ] {
            let err = c.call(get(&url)).await.unwrap_err();
            assert!(matches!(err, OutboundError::Refused { .. }), "{url}: {err}");
        }
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn the_connection_goes_to_the_checked_address() {
        let (port, count) = serve(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".to_vec()).await;
        // No real resolver knows this name: the answer comes only from the check's lookup, so
        // the request reaching the server shows the connection used the checked address.
        let c = client(&format!("rebind.example:{port}"), &[("rebind.example", &["127.0.0.1"])]);
        let answer =
            c.call(get(&format!("http://rebind.example:{port}/.well-known/openid-configuration"))).await.unwrap();
        assert_eq!((answer.status().as_u16(), answer.body().as_slice()), (200, b"{}".as_slice()));
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn redirects_are_not_followed_and_answers_are_bounded() {
        let (port, _) =
            serve(b"HTTP/1.1 302 Found\r\nlocation: http://169.254.169.254/\r\ncontent-length: 0\r\n\r\n".to_vec())
                .await;
        let c = Client::new(parse_allowed_hosts(&format!("127.0.0.1:{port}")).unwrap());
        let answer = c.call(get(&format!("http://127.0.0.1:{port}/"))).await.unwrap();
        assert_eq!(answer.status().as_u16(), 302, "handed back, not followed");

        let mut big = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", MAX_RESPONSE_BYTES + 1).into_bytes();
        big.resize(big.len() + MAX_RESPONSE_BYTES + 1, b' ');
        let (port, _) = serve(big).await;
        let c = Client::new(parse_allowed_hosts(&format!("127.0.0.1:{port}")).unwrap());
        let err = c.call(get(&format!("http://127.0.0.1:{port}/"))).await.unwrap_err();
        assert!(matches!(err, OutboundError::TooLarge { .. }), "{err}");

        // No length announced: the bound holds while reading.
        let mut big = b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_vec();
        big.resize(big.len() + MAX_RESPONSE_BYTES + 10, b' ');
        let (port, _) = serve(big).await;
        let c = Client::new(parse_allowed_hosts(&format!("127.0.0.1:{port}")).unwrap());
        let err = c.call(get(&format!("http://127.0.0.1:{port}/"))).await.unwrap_err();
        assert!(matches!(err, OutboundError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn errors_describe_their_causes() {
        let e = OutboundError::Refused {
            url: "https://127.0.0.1/.well-known/openid-configuration".into(),
            refusal: Refusal::Address { host: "127.0.0.1".into(), kind: "a loopback address" },
        };
        assert_eq!(
            describe(&e),
            "https://127.0.0.1/.well-known/openid-configuration: not fetched: 127.0.0.1 is a loopback address"
        );
    }
}

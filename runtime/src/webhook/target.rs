//! Where webhooks may be delivered.
//!
//! A profile token creates webhooks, so a target is an address chosen by a
//! client: without a policy it could make the server probe internal ports
//! and read the first bytes of their answers. Loopback is allowed (a demo's
//! receiver runs next to the server); private, link-local, unique-local,
//! shared (CGNAT), unspecified, multicast, reserved and cloud-metadata
//! ranges are refused unless the server allows them
//! ([`super::WebhookConfig::allow_private`]). IPv4 addresses embedded in
//! IPv6 ones (mapped, compatible, NAT64) are judged as the IPv4 address.
//!
//! Names are checked twice: at creation (every address the name resolves
//! to) and at each delivery, by the client's resolver ([`Guard`]), which
//! hands the connector only the addresses it checked — a name that later
//! resolves elsewhere does not get through.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

/// Why a url may not be a webhook target.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("url `{0}` has no host")]
    NoHost(String),
    #[error("url `{url}`: the host `{host}` does not resolve: {reason}")]
    DoesNotResolve {
        url: String,
        host: String,
        reason: String,
    },
    #[error("url `{url}`: the host `{host}` has no address")]
    NoAddress { url: String, host: String },
    #[error(
        "url `{url}` points at {ip}{}, a {range} address; webhooks may target public addresses and loopback only (the server's `--allow-private-webhooks` allows private ranges)",
        embedded.map(|v4| format!(" (IPv4 {v4})")).unwrap_or_default()
    )]
    Refused {
        url: String,
        ip: IpAddr,
        /// The IPv4 address inside an IPv6 one, which decided.
        embedded: Option<Ipv4Addr>,
        range: &'static str,
    },
}

/// Why `ip` may not be a webhook target, or `None` when it may.
pub fn refused_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => refused_v6(v6),
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_loopback() => return None,
        (0, _, _) => "unspecified (0.0.0.0/8)",
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => "private (RFC 1918)",
        (169, 254, _) => "link-local and cloud metadata (169.254.0.0/16)",
        (100, 64..=127, _) => "shared address space / CGNAT and cloud metadata (100.64.0.0/10)",
        (192, 0, 0) => "IETF protocol assignments (192.0.0.0/24)",
        (198, 18..=19, _) => "benchmarking (198.18.0.0/15)",
        (224..=239, _, _) => "multicast (224.0.0.0/4)",
        (240..=255, _, _) => "reserved and broadcast (240.0.0.0/4)",
        _ => return None,
    })
}

fn refused_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_loopback() {
        return None;
    }
    if ip.is_unspecified() {
        return Some("unspecified (::)");
    }
    if let Some(v4) = embedded_v4(ip) {
        return refused_v4(v4);
    }
    Some(match ip.segments()[0] {
        0xfc00..=0xfdff => "unique-local (fc00::/7), including cloud metadata",
        0xfe80..=0xfebf => "link-local (fe80::/10)",
        0xfec0..=0xfeff => "site-local (fec0::/10)",
        0xff00..=0xffff => "multicast (ff00::/8)",
        _ => return None,
    })
}

/// The IPv4 address inside an IPv6 one: mapped (`::ffff:a.b.c.d`),
/// compatible (`::a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`). Such an address
/// reaches the IPv4 host, so the IPv4 address decides.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        Some(v4)
    } else if s[..6] == [0; 6] || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., hi, lo] = s;
        Some(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)))
    } else {
        None
    }
}

/// Checks the url's host: a literal address directly, a name by resolving
/// it (every address must be allowed). Blocking (it may resolve a name).
pub fn check_url(url: &reqwest::Url, allow_private: bool) -> Result<(), TargetError> {
    if allow_private {
        return Ok(());
    }
    let Some(host) = url.host_str() else {
        return Err(TargetError::NoHost(url.to_string()));
    };
    if let Some(ip) = literal(host) {
        return check_ip(url, ip);
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| TargetError::DoesNotResolve {
            url: url.to_string(),
            host: host.to_string(),
            reason: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(TargetError::NoAddress {
            url: url.to_string(),
            host: host.to_string(),
        });
    }
    for a in addrs {
        check_ip(url, a.ip())?;
    }
    Ok(())
}

/// The address a url's host names literally (`[..]` around IPv6).
pub fn literal(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Checks a literal address a url names (resolved names are checked by
/// [`Guard`]); `Ok` for names.
pub fn check_literal(url: &reqwest::Url, allow_private: bool) -> Result<(), TargetError> {
    match url.host_str().and_then(literal) {
        Some(ip) if !allow_private => check_ip(url, ip),
        _ => Ok(()),
    }
}

fn check_ip(url: &reqwest::Url, ip: IpAddr) -> Result<(), TargetError> {
    let Some(range) = refused_range(ip) else {
        return Ok(());
    };
    let embedded = match ip {
        IpAddr::V6(v6) => embedded_v4(v6),
        IpAddr::V4(_) => None,
    };
    Err(TargetError::Refused {
        url: url.to_string(),
        ip,
        embedded,
        range,
    })
}

/// The webhook client's resolver: resolves with the system, keeps only the
/// allowed addresses, and the client connects to those. A name that
/// resolves only to refused addresses fails the delivery.
pub struct Guard {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for Guard {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| allow_private || refused_range(a.ip()).is_none())
                .collect();
            if allowed.is_empty() {
                let shown: Vec<String> = found.iter().map(|a| a.ip().to_string()).collect();
                let e: Box<dyn std::error::Error + Send + Sync> = format!(
                    "`{host}` resolves to no address a webhook may target ({}); private ranges need `--allow-private-webhooks`",
                    if shown.is_empty() { "none".to_string() } else { shown.join(", ") }
                )
                .into();
                return Err(e);
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(s: &str) -> bool {
        refused_range(s.parse().expect("an address")).is_some()
    }

    #[test]
    fn loopback_and_public_are_allowed_private_ranges_are_not() {
        for ok in [
            "127.0.0.1",
            "127.8.9.10",
            "::1",
            "::ffff:127.0.0.1",
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
        ] {
            assert!(!refused(ok), "{ok} should be allowed");
        }
        for bad in [
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.100.100.200",
            "192.0.0.170",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(refused(bad), "{bad} should be refused");
        }
    }

    #[test]
    fn urls_with_literal_addresses_are_judged_without_resolving() {
        let url = |s: &str| reqwest::Url::parse(s).expect("a url");
        assert!(check_url(&url("http://127.0.0.1:9/hook"), false).is_ok());
        assert!(check_url(&url("http://[::1]:9/hook"), false).is_ok());
        let e = check_url(&url("http://169.254.169.254/latest"), false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("169.254.169.254") && e.contains("link-local"),
            "{e}"
        );
        assert!(check_url(&url("http://[::ffff:a00:1]/"), false).is_err());
        assert!(check_url(&url("http://10.0.0.1/"), true).is_ok());
    }

    #[test]
    fn refusals_read_as_they_always_have() {
        let url = reqwest::Url::parse("http://[::ffff:a00:1]/").expect("a url");
        assert_eq!(
            check_url(&url, false).unwrap_err().to_string(),
            "url `http://[::ffff:a00:1]/` points at ::ffff:10.0.0.1 (IPv4 10.0.0.1), a private (RFC 1918) address; webhooks may target public addresses and loopback only (the server's `--allow-private-webhooks` allows private ranges)"
        );
    }
}

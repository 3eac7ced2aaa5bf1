//! Where a request comes from: the client's address (through trusted reverse proxies only), its
//! browser, and whether it is the server's own machine asking directly.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap};
use ipnet::IpNet;

/// Where a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// The client's address: the peer's, or, when the peer is a trusted proxy, the first address
    /// of the forwarding chain (read from the nearest hop) that is not a trusted proxy.
    pub ip: IpAddr,
    pub user_agent: String,
    /// Connected over loopback, to a loopback host name (`localhost`, `127.0.0.1`, `[::1]`), with
    /// no sign of a proxy: someone on the server's own machine, not a proxied visitor nor a page
    /// using DNS rebinding.
    pub loopback: bool,
}

/// Headers that show a request came through a proxy.
const PROXY_HEADERS: [&str; 5] = [
    "forwarded",
    "x-forwarded-for",
    "x-real-ip",
    "x-forwarded-host",
    "via",
];

/// Which header the trusted proxies set to name the client (they pass the other one through from
/// the client unchanged, so only this one is believed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For` (nginx `$proxy_add_x_forwarded_for`, HAProxy `forwardfor`, most load
    /// balancers).
    #[default]
    XForwardedFor,
    /// The standard `Forwarded` header's `for=` values.
    Forwarded,
}

/// Reads where `request` comes from, believing the forwarding header `header` only from
/// `trusted` peers.
pub fn client_of(request: &Request, trusted: &[IpNet], header: ForwardedHeader) -> Client {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| {
            request
                .extensions()
                .get::<ConnectInfo<crate::server::tls::TlsPeer>>()
                .map(|c| c.0 .0)
        })
        .map_or(IpAddr::from([127, 0, 0, 1]), |a| a.ip().to_canonical());
    let headers = request.headers();
    let proxied = PROXY_HEADERS.iter().any(|h| headers.contains_key(*h));
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect();
    Client {
        ip: client_address(peer, headers, trusted, header),
        user_agent,
        loopback: peer.is_loopback() && !proxied && host.is_some_and(is_loopback_host),
    }
}

/// The client's address: `peer`, unless `peer` is trusted, then walking the forwarding chain
/// from the nearest hop back while the hops are trusted proxies. (IPv4 addresses written as IPv6,
/// `::ffff:127.0.0.1`, count as the IPv4 address.)
fn client_address(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ForwardedHeader,
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_chain(headers, header).into_iter().rev() {
        // A hop that names no address (`unknown`, an obfuscated name) ends what can be known.
        let Some(ip) = hop.map(|ip| ip.to_canonical()) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// The addresses of the forwarding chain, client first, from `header`.
fn forwarded_chain(headers: &HeaderMap, header: ForwardedHeader) -> Vec<Option<IpAddr>> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    if header == ForwardedHeader::Forwarded {
        return values("forwarded")
            .iter()
            .map(|element| {
                element.split(';').find_map(|pair| {
                    let (key, value) = pair.split_once('=')?;
                    key.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| parse_node(value.trim().trim_matches('"')))
                        .flatten()
                })
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .map(|v| parse_node(v))
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711` → the address.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|ip| ip.parse().ok())
}

/// Whether a `Host` value names this machine's loopback interface.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// What sign-in attempts from `ip` are counted under: the address itself, or for IPv6 its /64
/// network (one subscriber gets a whole /64, so single addresses would be free to rotate).
pub fn throttle_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    const XFF: ForwardedHeader = ForwardedHeader::XForwardedFor;

    #[test]
    fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        let peer = ip("198.51.100.7");
        assert_eq!(client_address(peer, &h, &[], XFF), peer);
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(client_address(peer, &h, &trusted, XFF), peer);
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let trusted = nets(&["127.0.0.1/32", "10.0.0.0/8"]);
        let proxy = ip("127.0.0.1");
        // The client may prepend anything: only the hops added by trusted proxies count.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.1.2.3")]);
        assert_eq!(client_address(proxy, &h, &trusted, XFF), ip("203.0.113.9"));
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(client_address(proxy, &h, &trusted, XFF), ip("203.0.113.9"));
        // Without a header, the proxy itself.
        assert_eq!(
            client_address(proxy, &HeaderMap::new(), &trusted, XFF),
            proxy
        );
        // A proxy on loopback reached through an IPv6 socket is still the trusted 127.0.0.1.
        let mapped = ip("::ffff:127.0.0.1").to_canonical();
        assert_eq!(client_address(mapped, &h, &trusted, XFF), ip("203.0.113.9"));
    }

    #[test]
    fn only_the_header_the_proxies_set_is_believed() {
        let trusted = nets(&["127.0.0.1/32"]);
        let proxy = ip("127.0.0.1");
        // nginx sets X-Forwarded-For and passes the client's own `Forwarded` through.
        let h = headers(&[
            ("forwarded", "for=198.51.100.99"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(client_address(proxy, &h, &trusted, XFF), ip("203.0.113.9"));
        let fwd = ForwardedHeader::Forwarded;
        let h = headers(&[
            (
                "forwarded",
                "for=192.0.2.60;proto=https, for=\"[2001:db8:cafe::17]:4711\"",
            ),
            ("x-forwarded-for", "198.51.100.1"),
        ]);
        assert_eq!(
            client_address(proxy, &h, &trusted, fwd),
            ip("2001:db8:cafe::17")
        );
        let h = headers(&[("forwarded", "For=\"192.0.2.43:47011\"")]);
        assert_eq!(client_address(proxy, &h, &trusted, fwd), ip("192.0.2.43"));
        // An obfuscated hop: the chain stops at the proxy.
        let h = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(client_address(proxy, &h, &trusted, fwd), proxy);
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost:3000",
            "127.0.0.1:3000",
            "[::1]:3000",
            "LOCALHOST",
            "127.0.0.1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "rebind.evil:3000",
            "crm.example.com",
            "10.0.0.1:3000",
            "[2001:db8::1]:80",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn ipv6_clients_are_throttled_by_their_network() {
        assert_eq!(throttle_key(ip("203.0.113.9")), "203.0.113.9");
        assert_eq!(
            throttle_key(ip("2001:db8:1:2:aaaa::1")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            throttle_key(ip("2001:db8:1:2:bbbb::9")),
            throttle_key(ip("2001:db8:1:2:aaaa::1"))
        );
        assert_eq!(throttle_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
    }
}

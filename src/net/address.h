#pragma once
// IP addresses and which of them outbound requests may reach by default. Only globally routable
// unicast addresses are "public"; every other range is refused unless an administrator allows
// the destination by name (net/outbound.h), because a URL that a user or a remote model server
// can choose would otherwise reach the machine's own services, the cloud metadata service
// (169.254.169.254) or the internal network (server-side request forgery).
//
// Refused IPv4: 0/8 this network, 10/8 private, 100.64/10 shared (carrier NAT), 127/8 loopback,
// 169.254/16 link-local, 172.16/12 private, 192.0.0/24 IETF protocol assignments, 192.0.2/24,
// 198.51.100/24, 203.0.113/24 documentation, 192.88.99/24 6to4 relay, 192.168/16 private,
// 198.18/15 benchmarking, 224/4 multicast, 240/4 reserved and broadcast.
// Refused IPv6: :: unspecified, ::1 loopback, ::ffff:0:0/96 IPv4-mapped, ::/96 IPv4-compatible,
// 64:ff9b::/96 and 64:ff9b:1::/48 NAT64 (they embed an IPv4 address), 100::/64 discard,
// 2001::/23 IETF protocol assignments (Teredo included), 2001:db8::/32 documentation, 2002::/16
// 6to4 (embeds IPv4), fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local,
// ff00::/8 multicast.
//
// Thread-safety: value types and pure functions.
#include <array>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace hitloop::net {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4

  std::string ToString() const;     // "127.0.0.1", "::1"
  bool operator==(const IpAddress&) const = default;
};

// Parses a numeric address in canonical text form (dotted decimal or IPv6 without brackets).
Result<IpAddress> ParseIp(const std::string& text);

// Why `a` is not a public unicast address ("loopback", "link-local", ...), or "" when it is.
std::string ReservedReason(const IpAddress& a);

}  // namespace hitloop::net

#include "net/address.h"

#include <arpa/inet.h>

#include <cstring>
#include <span>

namespace hitloop::net {
namespace {

struct Range {
  const char* prefix;
  int bits;
  const char* reason;
};

constexpr Range kV4[] = {
    {"0.0.0.0", 8, "'this network' (0.0.0.0/8)"},
    {"10.0.0.0", 8, "private (10.0.0.0/8)"},
    {"100.64.0.0", 10, "shared address space (100.64.0.0/10)"},
    {"127.0.0.0", 8, "loopback (127.0.0.0/8)"},
    {"169.254.0.0", 16, "link-local (169.254.0.0/16, cloud metadata)"},
    {"172.16.0.0", 12, "private (172.16.0.0/12)"},
    {"192.0.0.0", 24, "IETF protocol assignments (192.0.0.0/24)"},
    {"192.0.2.0", 24, "documentation (192.0.2.0/24)"},
    {"192.88.99.0", 24, "6to4 relay anycast (192.88.99.0/24)"},
    {"192.168.0.0", 16, "private (192.168.0.0/16)"},
    {"198.18.0.0", 15, "benchmarking (198.18.0.0/15)"},
    {"198.51.100.0", 24, "documentation (198.51.100.0/24)"},
    {"203.0.113.0", 24, "documentation (203.0.113.0/24)"},
    {"224.0.0.0", 4, "multicast (224.0.0.0/4)"},
    {"240.0.0.0", 4, "reserved (240.0.0.0/4, broadcast)"},
};

constexpr Range kV6[] = {
    {"::", 128, "unspecified (::)"},
    {"::1", 128, "loopback (::1)"},
    {"::ffff:0:0", 96, "IPv4-mapped (::ffff:0:0/96)"},
    {"::", 96, "IPv4-compatible (::/96)"},
    {"64:ff9b::", 96, "NAT64 (64:ff9b::/96)"},
    {"64:ff9b:1::", 48, "local NAT64 (64:ff9b:1::/48)"},
    {"100::", 64, "discard-only (100::/64)"},
    {"2001:db8::", 32, "documentation (2001:db8::/32)"},
    {"2001::", 23, "IETF protocol assignments (2001::/23, Teredo)"},
    {"2002::", 16, "6to4 (2002::/16)"},
    {"fc00::", 7, "unique local (fc00::/7)"},
    {"fe80::", 10, "link-local (fe80::/10)"},
    {"fec0::", 10, "site-local (fec0::/10)"},
    {"ff00::", 8, "multicast (ff00::/8)"},
};

bool InPrefix(const IpAddress& a, const IpAddress& p, int bits) {
  for (int i = 0; i < bits / 8; ++i) {
    if (a.bytes[i] != p.bytes[i]) return false;
  }
  if (bits % 8 == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits % 8));
  return (a.bytes[bits / 8] & mask) == (p.bytes[bits / 8] & mask);
}

}  // namespace

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

Result<IpAddress> ParseIp(const std::string& text) {
  IpAddress a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) return a;
  return InvalidArgument("not a numeric IP address: " + text);
}

std::string ReservedReason(const IpAddress& a) {
  for (const Range& r : a.v6 ? std::span<const Range>(kV6) : std::span<const Range>(kV4)) {
    auto p = ParseIp(r.prefix);
    if (p.ok() && InPrefix(a, *p, r.bits)) return r.reason;
  }
  return "";
}

}  // namespace hitloop::net

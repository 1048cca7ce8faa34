#pragma once
// URLs of outbound requests (model backends, webhooks, imports from URLs), parsed strictly and
// put in one canonical form so that the address policy (net/address.h) and the allow-list
// (net/outbound.h) judge what will really be connected to.
//
//   scheme   http | https (case-insensitive); anything else is refused
//   host     a name (lowercased, one trailing dot dropped: "localhost." is "localhost"), an IPv4
//            address in any of the forms inet_aton and browsers accept ("2130706433",
//            "0x7f.1", "0177.0.0.1", "127.1") rewritten as dotted decimal, or a bracketed IPv6
//            address ("[::ffff:127.0.0.1]") kept without its brackets in canonical text form
//   port     1-65535, default 80 / 443
//   target   path and query ("/" when empty); the fragment is dropped
// Refused (InvalidArgument, naming the URL): user info ("http://a@b" — credentials go in
// --auth, and "@" is the classic way to make a URL look like another host), backslashes,
// whitespace or control characters, percent-escapes in the host, IPv6 zone ids, a host whose
// last label is numeric but that is not a valid IPv4 address ("1.2.3.256").
//
// Thread-safety: pure functions. Errors: InvalidArgument.
#include <string>
#include <string_view>

#include "core/status.h"

namespace hitloop::net {

struct Url {
  std::string scheme;      // "http" | "https"
  std::string host;        // canonical (see above); IPv6 without brackets
  bool host_is_ip = false;
  bool host_is_ipv6 = false;
  int port = 0;
  std::string target;      // "/path?query"

  // "host:port" as the allow-list names it ("[::1]:9090" for IPv6).
  std::string HostPort() const;
  // scheme://host:port (the origin, for redirects and clients).
  std::string Origin() const;
  // The whole canonical URL.
  std::string ToString() const { return Origin() + target; }
};

Result<Url> ParseUrl(std::string_view text);

// Parses an IPv4 address in inet_aton's forms (1 to 4 parts; each decimal, 0x hex or 0-leading
// octal; the last part fills the remaining bytes) into dotted decimal. InvalidArgument otherwise.
Result<std::string> ParseIpv4Loose(std::string_view text);

// Resolves `ref` (a Location header: absolute URL, "//host/path", "/path" or "path") against
// `base`, then parses it as above.
Result<Url> ResolveReference(const Url& base, std::string_view ref);

}  // namespace hitloop::net

#include "net/url.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstdint>
#include <vector>

namespace hitloop::net {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One part of a loose IPv4 address: decimal, 0x hex or 0-leading octal. False when not a number.
bool ParseIpv4Part(std::string_view p, uint64_t* out) {
  if (p.empty()) return false;
  int base = 10;
  if (p.size() >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p.remove_prefix(2);
    if (p.empty()) {  // "0x" alone is 0 for inet_aton
      *out = 0;
      return true;
    }
  } else if (p.size() >= 2 && p[0] == '0') {
    base = 8;
    p.remove_prefix(1);
  }
  uint64_t v = 0;
  for (char c : p) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    if (d >= base) return false;
    v = v * base + d;
    if (v > 0xffffffffULL) return false;
  }
  *out = v;
  return true;
}

// Whether a host's last label looks numeric (a browser would then treat the host as IPv4).
bool LastLabelNumeric(std::string_view host) {
  size_t dot = host.rfind('.');
  std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.empty()) return false;
  uint64_t ignored;
  return ParseIpv4Part(last, &ignored) ||
         (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X'));
}

bool ValidNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

Status Bad(std::string_view url, const std::string& why) {
  return InvalidArgument("url '" + std::string(url) + "': " + why);
}

}  // namespace

Result<std::string> ParseIpv4Loose(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string_view::npos ? std::string_view::npos
                                                                      : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() > 4) return InvalidArgument("not an IPv4 address: " + std::string(text));
  std::vector<uint64_t> v(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!ParseIpv4Part(parts[i], &v[i])) {
      return InvalidArgument("not an IPv4 address: " + std::string(text));
    }
  }
  uint64_t addr = 0;
  for (size_t i = 0; i + 1 < v.size(); ++i) {
    if (v[i] > 255) return InvalidArgument("IPv4 part out of range: " + std::string(text));
    addr |= v[i] << (8 * (3 - i));
  }
  const int rest_bytes = 4 - static_cast<int>(v.size() - 1);
  if (rest_bytes < 4 && v.back() >= (1ULL << (8 * rest_bytes))) {
    return InvalidArgument("IPv4 part out of range: " + std::string(text));
  }
  addr |= v.back();
  return std::to_string((addr >> 24) & 255) + "." + std::to_string((addr >> 16) & 255) + "." +
         std::to_string((addr >> 8) & 255) + "." + std::to_string(addr & 255);
}

std::string Url::HostPort() const {
  return (host_is_ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Url::Origin() const { return scheme + "://" + HostPort(); }

Result<Url> ParseUrl(std::string_view text) {
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f) return Bad(text, "whitespace or control character");
    if (c == '\\') return Bad(text, "backslash");
  }
  size_t colon = text.find("://");
  if (colon == std::string_view::npos) return Bad(text, "expected scheme://host");
  Url u;
  u.scheme = Lower(text.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https") return Bad(text, "scheme must be http or https");
  std::string_view rest = text.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) {
    return Bad(text, "user info in the URL is refused (use --auth USER:PASS)");
  }
  std::string_view host_text, port_text;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad(text, "unclosed '[' in host");
    host_text = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Bad(text, "unexpected text after ']'");
      port_text = after.substr(1);
    }
    if (host_text.find('%') != std::string_view::npos) return Bad(text, "IPv6 zone ids are refused");
    in6_addr a6;
    const std::string h(host_text);
    if (inet_pton(AF_INET6, h.c_str(), &a6) != 1) return Bad(text, "invalid IPv6 address");
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &a6, buf, sizeof buf);
    u.host = buf;
    u.host_is_ip = u.host_is_ipv6 = true;
  } else {
    size_t pc = authority.rfind(':');
    host_text = authority.substr(0, pc);
    if (pc != std::string_view::npos) port_text = authority.substr(pc + 1);
    if (pc != std::string_view::npos && port_text.empty()) return Bad(text, "empty port");
    std::string host = Lower(host_text);
    if (!host.empty() && host.back() == '.') host.pop_back();
    if (host.empty()) return Bad(text, "empty host");
    for (char c : host) {
      if (c == '%') return Bad(text, "percent-escapes in the host are refused");
      if (!ValidNameChar(c)) return Bad(text, std::string("invalid character in host: '") + c + "'");
    }
    if (host.front() == '.' || host.back() == '.' || host.find("..") != std::string::npos) {
      return Bad(text, "empty label in host");
    }
    if (LastLabelNumeric(host)) {
      auto ip = ParseIpv4Loose(host);
      if (!ip.ok()) return Bad(text, ip.status().message());
      u.host = *ip;
      u.host_is_ip = true;
    } else {
      u.host = host;
    }
  }
  if (port_text.empty()) {
    u.port = u.scheme == "https" ? 443 : 80;
  } else {
    if (port_text.size() > 5) return Bad(text, "port out of range");
    int p = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') return Bad(text, "port must be digits");
      p = p * 10 + (c - '0');
    }
    if (p < 1 || p > 65535) return Bad(text, "port out of range");
    u.port = p;
  }
  size_t hash = tail.find('#');
  if (hash != std::string_view::npos) tail = tail.substr(0, hash);
  u.target = tail.empty() ? "/" : std::string(tail);
  if (u.target[0] == '?') u.target = "/" + u.target;
  return u;
}

Result<Url> ResolveReference(const Url& base, std::string_view ref) {
  if (ref.find("://") != std::string_view::npos) return ParseUrl(ref);
  if (ref.rfind("//", 0) == 0) return ParseUrl(base.scheme + ":" + std::string(ref));
  std::string target;
  if (!ref.empty() && ref[0] == '/') {
    target = std::string(ref);
  } else {
    std::string dir = base.target.substr(0, base.target.find('?'));
    dir = dir.substr(0, dir.rfind('/') + 1);
    target = dir + std::string(ref);
  }
  return ParseUrl(base.Origin() + target);
}

}  // namespace hitloop::net

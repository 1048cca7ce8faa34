#include "net/outbound.h"

#include <httplib.h>
#include <netdb.h>
#include <sodium.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace hitloop::net {
namespace {

class GetAddrInfoResolver : public Resolver {
 public:
  Result<std::vector<IpAddress>> Resolve(const std::string& host) override {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
    if (rc != 0) return NotFound("cannot resolve '" + host + "': " + gai_strerror(rc));
    std::vector<IpAddress> out;
    for (addrinfo* p = res; p != nullptr; p = p->ai_next) {
      IpAddress a;
      if (p->ai_family == AF_INET) {
        std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr, 4);
      } else if (p->ai_family == AF_INET6) {
        a.v6 = true;
        std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in6*>(p->ai_addr)->sin6_addr, 16);
      } else {
        continue;
      }
      if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    }
    freeaddrinfo(res);
    return out;
  }
};

std::string Base64(const std::string& s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool SameOrigin(const Url& a, const Url& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port;
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

using SteadyClock = std::chrono::steady_clock;

// One request to `u`, connecting to `addr`, no redirects followed.
// *connect_failed says the address could not be connected to (the next one may be tried).
Result<FetchResponse> Hop(const Url& u, const IpAddress& addr, const std::string& method,
                          const FetchRequest& req, const FetchLimits& limits,
                          SteadyClock::time_point deadline, bool* connect_failed) {
  *connect_failed = false;
  const auto left_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           deadline - SteadyClock::now()).count();
  if (left_ms <= 0) return IoError("outbound: " + u.ToString() + ": time-out (total)");
  httplib::Client cli(u.Origin());
  if (!cli.is_valid()) return InvalidArgument("outbound: " + u.ToString() + ": unsupported URL");
  cli.set_hostname_addr_map({{u.host, addr.ToString()}});
  auto ms = [](int64_t v) { return std::chrono::milliseconds(std::max<int64_t>(1, v)); };
  cli.set_connection_timeout(ms(std::min(limits.connect_timeout_ms, left_ms)));
  cli.set_read_timeout(ms(std::min(limits.read_timeout_ms, left_ms)));
  cli.set_write_timeout(ms(std::min(limits.read_timeout_ms, left_ms)));
  cli.set_follow_location(false);
  cli.set_keep_alive(false);
  cli.set_compress(false);

  httplib::Request hr;
  hr.method = method;
  hr.path = u.target;
  hr.set_header("User-Agent", "hitloop");
  hr.set_header("Accept", "application/json");
  for (const auto& [k, v] : req.headers) hr.set_header(k, v);
  if (!req.basic_user.empty() && !req.basic_pass.empty()) {
    hr.set_header("Authorization", "Basic " + Base64(req.basic_user + ":" + req.basic_pass));
  }
  if (method == "POST") {
    hr.body = req.body;
    hr.set_header("Content-Type", req.content_type);
  }
  FetchResponse out;
  bool too_big = false, too_slow = false;
  hr.response_handler = [&](const httplib::Response& r) {
    const std::string len = r.get_header_value("Content-Length");
    if (!len.empty() && len.size() < 20 && std::stoull(len) > limits.max_response_bytes) {
      too_big = true;
      return false;
    }
    return true;
  };
  hr.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (out.body.size() + n > limits.max_response_bytes) {
      too_big = true;
      return false;
    }
    if (SteadyClock::now() > deadline) {
      too_slow = true;
      return false;
    }
    out.body.append(data, n);
    return true;
  };
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  const bool ok = cli.send(hr, res, err);
  if (too_big) {
    return ResourceExhausted("outbound: " + u.ToString() + ": response larger than " +
                             std::to_string(limits.max_response_bytes) + " bytes");
  }
  if (too_slow || (!ok && SteadyClock::now() > deadline)) {
    return IoError("outbound: " + u.ToString() + ": time-out (total " +
                   std::to_string(limits.total_timeout_ms) + " ms)");
  }
  if (!ok) {
    *connect_failed = err == httplib::Error::Connection;
    return IoError("outbound: " + u.ToString() + " (" + addr.ToString() + "): " +
                   httplib::to_string(err));
  }
  out.status = res.status;
  out.content_type = res.get_header_value("Content-Type");
  out.final_url = u.ToString();
  out.address = addr.ToString();
  if (IsRedirect(res.status)) out.body = res.get_header_value("Location");
  return out;
}

}  // namespace

std::shared_ptr<Resolver> SystemResolver() { return std::make_shared<GetAddrInfoResolver>(); }

Result<std::string> CanonicalAllowEntry(const std::string& entry) {
  const size_t colon = entry.rfind(':');
  if (colon == std::string::npos || colon + 1 == entry.size() ||
      entry.find_first_of("/?#@") != std::string::npos) {
    return InvalidArgument("--allow-outbound '" + entry + "': expected HOST:PORT");
  }
  auto u = ParseUrl("http://" + entry);
  if (!u.ok()) return InvalidArgument("--allow-outbound '" + entry + "': " + u.status().message());
  return u->HostPort();
}

Result<AllowList> AllowList::Parse(const std::vector<std::string>& entries) {
  AllowList a;
  for (const std::string& e : entries) {
    ASSIGN_OR_RETURN(std::string c, CanonicalAllowEntry(e));
    if (std::find(a.entries_.begin(), a.entries_.end(), c) == a.entries_.end()) {
      a.entries_.push_back(std::move(c));
    }
  }
  return a;
}

bool AllowList::Allows(const Url& u) const {
  return std::find(entries_.begin(), entries_.end(), u.HostPort()) != entries_.end();
}

Result<std::vector<IpAddress>> CheckDestination(const Url& u, const AllowList& allow,
                                                Resolver& resolver) {
  std::vector<IpAddress> addrs;
  if (u.host_is_ip) {
    ASSIGN_OR_RETURN(IpAddress a, ParseIp(u.host));
    addrs.push_back(a);
  } else {
    ASSIGN_OR_RETURN(addrs, resolver.Resolve(u.host));
  }
  if (addrs.empty()) return NotFound("cannot resolve '" + u.host + "': no addresses");
  if (allow.Allows(u)) return addrs;
  for (const IpAddress& a : addrs) {
    const std::string why = ReservedReason(a);
    if (why.empty()) continue;
    std::string what = u.host_is_ip ? a.ToString() : u.host + " resolves to " + a.ToString();
    return PermissionDenied("outbound: " + u.Origin() + ": " + what + ", which is " + why +
                            "; refused (an administrator can allow it with --allow-outbound " +
                            u.HostPort() + ")");
  }
  return addrs;
}

Fetcher::Fetcher(AllowList allow, std::shared_ptr<Resolver> resolver)
    : allow_(std::move(allow)), resolver_(std::move(resolver)) {}

Result<FetchResponse> Fetcher::Fetch(const FetchRequest& req, const FetchLimits& limits) const {
  if (req.method != "GET" && req.method != "POST") {
    return InvalidArgument("outbound: method must be GET or POST");
  }
  ASSIGN_OR_RETURN(Url u, ParseUrl(req.url));
  ASSIGN_OR_RETURN(std::vector<IpAddress> addrs, CheckDestination(u, allow_, *resolver_));
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(limits.total_timeout_ms);
  std::string method = req.method;
  for (int hop = 0;; ++hop) {
    // Every address was checked; the first that accepts a connection is used from then on.
    Result<FetchResponse> attempt = IoError("outbound: no address");
    for (size_t i = 0; i < addrs.size(); ++i) {
      bool connect_failed = false;
      attempt = Hop(u, addrs[i], method, req, limits, deadline, &connect_failed);
      if (!connect_failed) {
        addrs = {addrs[i]};
        break;
      }
    }
    if (!attempt.ok()) return attempt.status();
    FetchResponse r = std::move(attempt).value();
    if (!IsRedirect(r.status)) return r;
    if (r.body.empty()) return r;  // a redirect without Location: the caller sees the status
    ASSIGN_OR_RETURN(Url next, ResolveReference(u, r.body));
    if (!SameOrigin(u, next)) {
      return PermissionDenied("outbound: " + u.ToString() + " redirected to " + next.ToString() +
                              ": redirects to another host are not followed");
    }
    if (hop + 1 > limits.max_redirects) {
      return IoError("outbound: " + req.url + ": more than " +
                     std::to_string(limits.max_redirects) + " redirects");
    }
    if (r.status == 303 || ((r.status == 301 || r.status == 302) && method == "POST")) {
      method = "GET";
    }
    u = std::move(next);  // same origin: the address used above is reused, never re-resolved
  }
}

}  // namespace hitloop::net

#pragma once
// Outbound HTTP(S) requests that are safe by default: the one place hitloop fetches a URL (model
// backends, and any later webhook or import-from-URL). HTTP otherwise lives only in server/;
// this module is its outbound half and knows nothing of hitloop's routes.
//
// What Fetch guarantees, for every request and every redirect hop:
//   - the URL is parsed strictly and canonically (net/url.h), so "0x7f.1", "2130706433",
//     "[::ffff:127.0.0.1]" or "localhost." are judged as the addresses they are;
//   - the host name is resolved ONCE, every address it resolves to is checked (net/address.h),
//     and the connection goes to the checked address (the HTTP client is told the address; it
//     never resolves the name again), so a name that answers a public address to the check and
//     127.0.0.1 to the connection (DNS rebinding, Label Studio's CVE-2023-47116) cannot get
//     through; redirects to the same origin reuse that address;
//   - a destination whose address is not public is refused unless the administrator allowed
//     it by name: an allow-list entry "HOST:PORT" matches the URL's canonical host and port
//     exactly ("127.0.0.1:9090", "models.internal:8080", "[::1]:9090"); it does not match
//     other names that resolve to the same address, nor other ports;
//   - redirects are followed only to the same scheme, host and port (at most max_redirects);
//     a redirect anywhere else is refused, never followed;
//   - time caps: connect (connect_timeout_ms), each read (read_timeout_ms) and the whole
//     exchange (total_timeout_ms); size cap: max_response_bytes of (decoded) body, checked
//     against Content-Length first and then while reading.
// Errors: InvalidArgument (bad URL or allow entry), PermissionDenied (destination refused:
// the message names the address, why, and the --allow-outbound entry that would allow it),
// NotFound (the name does not resolve), IoError (connect/read failure or time-out),
// ResourceExhausted (response too large). HTTP error statuses are NOT errors: the caller reads
// Response::status.
// Thread-safety: a Fetcher is immutable after construction; Fetch may be called from several
// threads when the Resolver allows it (the system resolver does).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "net/address.h"
#include "net/url.h"

namespace hitloop::net {

// Name -> addresses. The system one uses getaddrinfo; tests give their own.
class Resolver {
 public:
  virtual ~Resolver() = default;
  virtual Result<std::vector<IpAddress>> Resolve(const std::string& host) = 0;
};
std::shared_ptr<Resolver> SystemResolver();

// Destinations allowed although their address is not public. Entries are canonicalised
// ("LOCALHOST.:9090" -> "localhost:9090", "0x7f.1:80" -> "127.0.0.1:80").
class AllowList {
 public:
  // InvalidArgument when an entry is not HOST:PORT.
  static Result<AllowList> Parse(const std::vector<std::string>& entries);
  bool Allows(const Url& u) const;
  const std::vector<std::string>& entries() const { return entries_; }

 private:
  std::vector<std::string> entries_;
};

// "HOST:PORT" in canonical form, or InvalidArgument.
Result<std::string> CanonicalAllowEntry(const std::string& entry);

// The addresses a request to `u` may connect to (in the resolver's order; Fetch uses the first
// that accepts a connection): resolved once and checked against `allow` — refused when ANY of
// them is not public and the destination is not allowed. PermissionDenied / NotFound as above.
Result<std::vector<IpAddress>> CheckDestination(const Url& u, const AllowList& allow,
                                                Resolver& resolver);

struct FetchLimits {
  int64_t connect_timeout_ms = 1000;     // Label Studio's ML_CONNECTION_TIMEOUT
  int64_t read_timeout_ms = 100000;      // Label Studio's ML_TIMEOUT_DEFAULT
  int64_t total_timeout_ms = 100000;
  size_t max_response_bytes = 16u << 20;
  int max_redirects = 3;
};

struct FetchRequest {
  std::string method = "GET";            // GET | POST
  std::string url;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string basic_user, basic_pass;    // Basic auth when both are set
};

struct FetchResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string final_url;                 // after same-origin redirects
  std::string address;                   // the address connected to
};

class Fetcher {
 public:
  explicit Fetcher(AllowList allow, std::shared_ptr<Resolver> resolver = SystemResolver());
  Result<FetchResponse> Fetch(const FetchRequest& req, const FetchLimits& limits) const;
  const AllowList& allow() const { return allow_; }

 private:
  AllowList allow_;
  std::shared_ptr<Resolver> resolver_;
};

}  // namespace hitloop::net

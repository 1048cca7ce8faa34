#pragma once
// AuthThrottle: failed sign-ins and bad bearer tokens per client address. After `limit`
// failures within one window (a minute), every token or sign-in attempt from that address is
// answered 429 (with Retry-After) until the window ends: guessing tokens costs a minute per
// `limit` guesses per address. Successful attempts do not reset the count. Memory is bounded:
// at most `max_addresses` addresses are tracked (the oldest windows are dropped first).
// Thread-safe.
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hitloop::server {

class AuthThrottle {
 public:
  AuthThrottle(int limit, int64_t window_ms, size_t max_addresses = 100'000)
      : limit_(limit), window_ms_(window_ms), max_addresses_(max_addresses) {}
  // Milliseconds until `address` may try again (0: it may now). limit <= 0: never throttled.
  int64_t BlockedFor(const std::string& address, int64_t now_ms);
  // Records a failed attempt from `address`.
  void Fail(const std::string& address, int64_t now_ms);

 private:
  struct Window {
    int64_t start = 0;
    int failures = 0;
  };
  const int limit_;
  const int64_t window_ms_;
  const size_t max_addresses_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> by_address_;
};

}  // namespace hitloop::server

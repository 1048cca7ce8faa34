#include "server/throttle.h"

namespace hitloop::server {

int64_t AuthThrottle::BlockedFor(const std::string& address, int64_t now_ms) {
  if (limit_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return 0;
  const int64_t end = it->second.start + window_ms_;
  if (now_ms >= end) {
    by_address_.erase(it);
    return 0;
  }
  return it->second.failures >= limit_ ? end - now_ms : 0;
}

void AuthThrottle::Fail(const std::string& address, int64_t now_ms) {
  if (limit_ <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (by_address_.size() >= max_addresses_ && by_address_.count(address) == 0) {
    for (auto it = by_address_.begin(); it != by_address_.end();) {
      it = now_ms >= it->second.start + window_ms_ ? by_address_.erase(it) : std::next(it);
    }
    if (by_address_.size() >= max_addresses_) by_address_.erase(by_address_.begin());
  }
  Window& w = by_address_[address];
  if (w.failures == 0 || now_ms >= w.start + window_ms_) {
    w.start = now_ms;
    w.failures = 0;
  }
  ++w.failures;
}

}  // namespace hitloop::server

#pragma once
// Clock: the only source of wall time in hitloop, so tests can fake lease expiry.
// Units: milliseconds since the Unix epoch. SystemClock is thread-safe; FakeClock is
// thread-safe (atomic) so a test may advance it while a server thread reads it.
#include <atomic>
#include <cstdint>
#include <string>

namespace hitloop {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMillis() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  // Process-wide instance; never destroyed.
  static SystemClock* Default();
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_millis = 1'700'000'000'000) : now_(start_millis) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Advance(int64_t millis) { now_ += millis; }
  void Set(int64_t millis) { now_ = millis; }

 private:
  std::atomic<int64_t> now_;
};

// ISO-8601 UTC with milliseconds, e.g. "2026-11-27T23:41:12.000Z".
std::string FormatIso8601(int64_t millis);

}  // namespace hitloop

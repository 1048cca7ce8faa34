#include "core/clock.h"

#include <chrono>
#include <ctime>
#include <string>

namespace hitloop {

int64_t SystemClock::NowMillis() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

SystemClock* SystemClock::Default() {
  static SystemClock* clock = new SystemClock();  // intentionally leaked: lives for the process
  return clock;
}

std::string FormatIso8601(int64_t millis) {
  std::time_t secs = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(millis % 1000));
  return out;
}

}  // namespace hitloop

#include "cli/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace hitloop::cli {

namespace {
int64_t SteadyMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Progress::Progress(std::string label) : label_(std::move(label)), enabled_(::isatty(2) == 1) {}

Progress::~Progress() { Finish(); }

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  int64_t now = SteadyMs();
  if (drawn_ && now - last_ms_ < 100) return;
  last_ms_ = now;
  drawn_ = true;
  if (total > 0) {
    double f = static_cast<double>(done) / static_cast<double>(total);
    if (f > 1) f = 1;
    int width = 30, filled = static_cast<int>(f * width);
    std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%", label_.c_str(), filled,
                 "##############################", width - filled, "", static_cast<int>(f * 100));
  } else {
    std::fprintf(stderr, "\r%s %llu", label_.c_str(), static_cast<unsigned long long>(done));
  }
  std::fflush(stderr);
}

void Progress::Finish() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace hitloop::cli

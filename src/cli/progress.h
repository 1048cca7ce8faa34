#pragma once
// A progress bar on stderr when stderr is a terminal; silent otherwise.
#include <cstdint>
#include <string>

namespace hitloop::cli {

class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  // `total` 0 = unknown. Redraws at most ~10 times a second.
  void Update(uint64_t done, uint64_t total);
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  int64_t last_ms_ = 0;
};

}  // namespace hitloop::cli

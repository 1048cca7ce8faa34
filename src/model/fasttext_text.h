#pragma once
// For model/ only: what the fastText-backed model (fasttext_model.cc) and representation
// (ft_vectors.cc) share. fastText reads and writes files, so both stage their input and model
// bytes in the system's temporary folder; each path is unique in the process (a counter) and
// across processes (the pid). Thread-safe.
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "text/normalize.h"

namespace hitloop::model {

// <tmp>/<prefix>-<pid>-<n>-<what>, e.g. "hitloop-ft-123-0-train.txt".
inline std::string FastTextTempPath(std::string_view prefix, const char* what) {
  static std::atomic<uint64_t> counter{0};
  return (std::filesystem::temp_directory_path() /
          (std::string(prefix) + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter++) + "-" + what))
      .string();
}

// fastText reads one example per line and splits on whitespace.
inline std::string FastTextLine(std::string_view raw) {
  std::string s = text::NormalizeLossy(raw);
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f') c = ' ';
  }
  return s;
}

}  // namespace hitloop::model

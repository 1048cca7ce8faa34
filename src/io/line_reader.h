#pragma once
// LineReader: reads a file line by line in constant memory. A line longer than the limit is
// reported (too_long = true) and skipped without being held in memory. Also reports progress.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/status.h"

namespace hitloop::io {

class LineReader {
 public:
  LineReader() = default;
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // "-" reads stdin.
  Status Open(const std::string& path, size_t max_line_bytes);
  // Sets *line to the next line without its '\n' (and without a trailing '\r'); valid until the
  // next call. Returns false at end of file.
  Result<bool> Next(std::string_view* line, bool* too_long);
  // Keep a trailing '\r' in the lines Next returns (CSV: a CR inside a quoted field is data).
  void set_keep_cr(bool keep) { keep_cr_ = keep; }
  int64_t line_number() const { return line_no_; }
  uint64_t bytes_read() const { return consumed_; }
  uint64_t total_bytes() const { return total_; }  // 0 when unknown (pipes)

 private:
  bool Fill();

  FILE* f_ = nullptr;
  bool owns_ = false;
  std::string path_;
  std::string buf_;
  size_t start_ = 0, end_ = 0;
  size_t max_ = 0;
  bool eof_ = false;
  bool keep_cr_ = false;
  int64_t line_no_ = 0;
  uint64_t consumed_ = 0, total_ = 0;
};

}  // namespace hitloop::io

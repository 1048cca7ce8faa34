#pragma once
// JsonArrayReader: reads a file holding one JSON array (or one JSON object) element by element,
// in memory bounded by the element size limit. Each element's text is handed out unparsed, with
// the line it starts on, after two checks that must precede any parse: its size (over the limit
// it is skipped, not held) and its nesting depth (see io/json_limits.h). Scalars in the array are
// elements too (the caller decides they are wrong) — nothing is dropped silently.
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/status.h"

namespace hitloop::io {

class JsonArrayReader {
 public:
  JsonArrayReader() = default;
  ~JsonArrayReader();
  JsonArrayReader(const JsonArrayReader&) = delete;
  JsonArrayReader& operator=(const JsonArrayReader&) = delete;

  Status Open(const std::string& path, size_t max_element_bytes, int max_depth);

  struct Element {
    std::string text;        // the element's JSON text (empty when too_long or too_deep)
    int64_t line = 0;        // 1-based line of its first byte
    bool too_long = false;   // over max_element_bytes (text not kept)
    bool too_deep = false;   // nested deeper than max_depth (text not kept)
  };
  // Next element; false at the end. A file whose top level is an object yields that object as
  // its only element (top_is_object()). Structural errors (no array, missing comma, text after
  // the end) come back as InvalidArgument naming the line.
  Result<bool> Next(Element* out);
  bool top_is_object() const { return top_is_object_; }
  bool empty_file() const { return empty_; }
  uint64_t bytes_read() const { return consumed_; }
  uint64_t total_bytes() const { return total_; }

 private:
  int Get();   // next byte or -1 at EOF
  int Peek();  // without consuming
  Result<int> SkipSpace();

  FILE* f_ = nullptr;
  std::string buf_;
  size_t pos_ = 0, end_ = 0;
  size_t max_ = 0;
  int max_depth_ = 0;
  int64_t line_ = 1;
  uint64_t consumed_ = 0, total_ = 0;
  bool started_ = false, finished_ = false, top_is_object_ = false, empty_ = false;
  bool need_comma_ = false;
  std::string path_;
};

}  // namespace hitloop::io

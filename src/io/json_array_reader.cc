#include "io/json_array_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace hitloop::io {

JsonArrayReader::~JsonArrayReader() {
  if (f_ != nullptr) std::fclose(f_);
}

Status JsonArrayReader::Open(const std::string& path, size_t max_element_bytes, int max_depth) {
  path_ = path;
  max_ = max_element_bytes;
  max_depth_ = max_depth;
  f_ = std::fopen(path.c_str(), "rb");
  if (f_ == nullptr) return IoError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fileno(f_), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return InvalidArgument(path + ": is a directory");
    total_ = static_cast<uint64_t>(st.st_size);
  }
  buf_.resize(1 << 16);
  return Status::Ok();
}

int JsonArrayReader::Peek() {
  if (pos_ == end_) {
    if (f_ == nullptr) return -1;
    end_ = std::fread(buf_.data(), 1, buf_.size(), f_);
    pos_ = 0;
    if (end_ == 0) return -1;
  }
  return static_cast<unsigned char>(buf_[pos_]);
}

int JsonArrayReader::Get() {
  int c = Peek();
  if (c < 0) return c;
  ++pos_;
  ++consumed_;
  if (c == '\n') ++line_;
  return c;
}

Result<int> JsonArrayReader::SkipSpace() {
  for (;;) {
    int c = Peek();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { Get(); continue; }
    if (c < 0 && std::ferror(f_)) return IoError(path_ + ": read error");
    return c;
  }
}

Result<bool> JsonArrayReader::Next(Element* out) {
  *out = Element();
  auto err = [&](const std::string& what) {
    return InvalidArgument(path_ + ":" + std::to_string(line_) + ": " + what);
  };
  if (finished_) return false;
  if (!started_) {
    started_ = true;
    // A UTF-8 byte-order mark is allowed before the value.
    if (Peek() == 0xEF) { Get(); if (Get() != 0xBB || Get() != 0xBF) return err("malformed JSON"); }
    ASSIGN_OR_RETURN(int c, SkipSpace());
    if (c < 0) { finished_ = empty_ = true; return false; }
    if (c == '{') {
      top_is_object_ = true;
    } else if (c == '[') {
      Get();
    } else {
      return err("expected a JSON array of tasks (or one task object)");
    }
  }
  if (!top_is_object_) {
    ASSIGN_OR_RETURN(int c, SkipSpace());
    if (c == ']') {
      Get();
      finished_ = true;
      ASSIGN_OR_RETURN(int rest, SkipSpace());
      if (rest >= 0) return err("text after the end of the array");
      return false;
    }
    if (c < 0) return err("malformed JSON: the array is not closed");
    if (need_comma_) {
      if (c != ',') return err("malformed JSON: expected ',' or ']' between tasks");
      Get();
      ASSIGN_OR_RETURN(c, SkipSpace());
      if (c < 0) return err("malformed JSON: the array is not closed");
      if (c == ']') return err("malformed JSON: ',' before ']'");
    }
  }
  need_comma_ = true;
  out->line = line_;
  // Copy one value: brackets counted outside strings; a scalar ends at , ] or space at depth 0.
  int depth = 0;
  bool in_string = false, escaped = false;
  size_t bytes = 0;
  auto keep = [&](int c) {
    if (++bytes > max_) {
      out->too_long = true;
      out->text.clear();
      out->text.shrink_to_fit();
    }
    if (!out->too_long && !out->too_deep) out->text.push_back(static_cast<char>(c));
  };
  for (;;) {
    int c = Peek();
    if (c < 0) {
      if (std::ferror(f_)) return IoError(path_ + ": read error");
      if (depth > 0 || in_string) return err("malformed JSON: unexpected end of file");
      break;
    }
    if (in_string) {
      Get();
      keep(c);
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') {
        in_string = false;
        if (depth == 0) break;
      }
      continue;
    }
    if (depth == 0 && bytes > 0 && (c == ',' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) break;
    Get();
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth_ && !out->too_deep) {
        out->too_deep = true;
        out->text.clear();
        out->text.shrink_to_fit();
      }
    } else if (c == ']' || c == '}') {
      --depth;
      if (depth < 0) return err("malformed JSON: unbalanced '" + std::string(1, static_cast<char>(c)) + "'");
    }
    keep(c);
    if ((c == ']' || c == '}') && depth == 0) break;
  }
  if (top_is_object_) {
    finished_ = true;
    ASSIGN_OR_RETURN(int rest, SkipSpace());
    if (rest >= 0) return err("text after the end of the task");
  }
  return true;
}

}  // namespace hitloop::io

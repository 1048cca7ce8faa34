#include "io/line_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace hitloop::io {

LineReader::~LineReader() {
  if (f_ != nullptr && owns_) std::fclose(f_);
}

Status LineReader::Open(const std::string& path, size_t max_line_bytes) {
  path_ = path;
  max_ = max_line_bytes;
  if (path == "-") {
    f_ = stdin;
    owns_ = false;
  } else {
    f_ = std::fopen(path.c_str(), "rb");
    if (f_ == nullptr) return IoError(path + ": cannot open: " + std::strerror(errno));
    owns_ = true;
    struct stat st {};
    if (::fstat(fileno(f_), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return InvalidArgument(path + ": is a directory");
      total_ = static_cast<uint64_t>(st.st_size);
    }
  }
  buf_.resize(std::max<size_t>(1 << 20, max_ + 2));
  return Status::Ok();
}

bool LineReader::Fill() {
  if (eof_) return false;
  if (start_ > 0) {
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (end_ == buf_.size()) return false;
  size_t n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, f_);
  if (n == 0) eof_ = true;
  end_ += n;
  return n > 0;
}

Result<bool> LineReader::Next(std::string_view* line, bool* too_long) {
  *too_long = false;
  for (;;) {
    const char* b = buf_.data() + start_;
    const void* nl = std::memchr(b, '\n', end_ - start_);
    if (nl != nullptr) {
      size_t len = static_cast<const char*>(nl) - b;
      ++line_no_;
      consumed_ += len + 1;
      start_ += len + 1;
      if (!keep_cr_ && len > 0 && b[len - 1] == '\r') --len;
      if (len > max_) *too_long = true;
      *line = std::string_view(b, len);
      return true;
    }
    if (end_ - start_ > max_ + 1) {
      // Over the limit with no newline in sight: discard up to the next newline.
      ++line_no_;
      *too_long = true;
      for (;;) {
        consumed_ += end_ - start_;
        start_ = end_ = 0;
        if (!Fill()) {
          if (std::ferror(f_)) return IoError(path_ + ": read error");
          *line = std::string_view();
          return true;
        }
        const void* p = std::memchr(buf_.data(), '\n', end_);
        if (p != nullptr) {
          size_t skip = static_cast<const char*>(p) - buf_.data() + 1;
          consumed_ += skip;
          start_ = skip;
          *line = std::string_view();
          return true;
        }
      }
    }
    if (!Fill()) {
      if (std::ferror(f_)) return IoError(path_ + ": read error");
      if (end_ > start_) {  // last line without a trailing newline
        size_t len = end_ - start_;
        ++line_no_;
        consumed_ += len;
        *line = std::string_view(buf_.data() + start_, len);
        if (!keep_cr_ && len > 0 && (*line)[len - 1] == '\r') *line = line->substr(0, len - 1);
        if (line->size() > max_) *too_long = true;
        start_ = end_;
        return true;
      }
      return false;
    }
  }
}

}  // namespace hitloop::io

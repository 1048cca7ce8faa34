#include "text/tokenize.h"

#include <utf8proc.h>

namespace hitloop::text {
namespace {

bool IsWordChar(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::vector<std::string_view> Tokenize(std::string_view s) {
  std::vector<std::string_view> tokens;
  const auto* base = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t size = static_cast<utf8proc_ssize_t>(s.size());
  utf8proc_ssize_t pos = 0;
  utf8proc_ssize_t start = -1;
  while (pos < size) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t len = 0;
    // ASCII fast path: most of the text we see is ASCII.
    if (base[pos] < 0x80) {
      cp = base[pos];
      len = 1;
    } else {
      len = utf8proc_iterate(base + pos, size - pos, &cp);
      if (len <= 0) { cp = -1; len = 1; }
    }
    bool word = cp >= 0 && (cp < 0x80 ? ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
                                         (cp >= '0' && cp <= '9'))
                                      : IsWordChar(cp));
    if (word) {
      if (start < 0) start = pos;
    } else if (start >= 0) {
      tokens.emplace_back(s.data() + start, static_cast<size_t>(pos - start));
      start = -1;
    }
    pos += len;
  }
  if (start >= 0) tokens.emplace_back(s.data() + start, static_cast<size_t>(size - start));
  return tokens;
}

}  // namespace hitloop::text

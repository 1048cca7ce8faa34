#include "text/normalize.h"

#include <utf8proc.h>

#include <cstdlib>

namespace hitloop::text {

Result<std::string> Normalize(std::string_view utf8) {
  // ASCII fast path: NFKC leaves ASCII as it is, case folding lowers A-Z, and no ASCII code
  // point is default-ignorable, so the result is the lowered copy (NormalizeTest checks every
  // ASCII code point against utf8proc).
  bool ascii = true;
  for (char c : utf8) ascii &= static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    std::string lowered(utf8);
    for (char& c : lowered) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return lowered;
  }
  utf8proc_uint8_t* out = nullptr;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                      UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                                      UTF8PROC_IGNORE);
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
                                    static_cast<utf8proc_ssize_t>(utf8.size()), &out, options);
  if (n < 0) {
    return InvalidArgument(std::string("text: ") + utf8proc_errmsg(n));
  }
  std::string result(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  std::free(out);
  return result;
}

std::string NormalizeLossy(std::string_view utf8) {
  auto r = Normalize(utf8);
  if (r.ok()) return std::move(r).value();
  // Rebuild with U+FFFD for each undecodable byte, then normalise the clean string.
  std::string clean;
  clean.reserve(utf8.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(utf8.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t len = utf8proc_iterate(p, left, &cp);
    if (len <= 0) {
      clean += "\xEF\xBF\xBD";
      ++p;
      --left;
      continue;
    }
    clean.append(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
    p += len;
    left -= len;
  }
  auto again = Normalize(clean);
  return again.ok() ? std::move(again).value() : std::string();
}

}  // namespace hitloop::text

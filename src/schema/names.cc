#include "schema/names.h"

#include <utf8proc.h>

#include <string>

namespace hitloop {

Status ValidateName(std::string_view what, std::string_view name, size_t max_bytes) {
  const std::string w(what);
  if (name.empty()) return InvalidArgument(w + ": empty");
  if (name.size() > max_bytes) {
    return InvalidArgument(w + ": longer than " + std::to_string(max_bytes) + " bytes");
  }
  if (name == "." || name == "..") return InvalidArgument(w + ": '.' and '..' are not names");
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(name.data());
  const auto n = static_cast<utf8proc_ssize_t>(name.size());
  for (utf8proc_ssize_t i = 0; i < n;) {
    int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(p + i, n - i, &cp);
    if (len <= 0) return InvalidArgument(w + ": not valid UTF-8");
    if (cp == '/' || cp == '\\') return InvalidArgument(w + ": no '/' or '\\'");
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
      return InvalidArgument(w + ": no control characters (tab, newline, ...)");
    }
    const bool space = utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
    if (space && (i == 0 || i + len == n)) {
      return InvalidArgument(w + ": no leading or trailing spaces");
    }
    i += len;
  }
  return Status::Ok();
}

}  // namespace hitloop

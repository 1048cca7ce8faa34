#pragma once
// Unicode normalisation for features: NFKC + case fold (utf8proc), so "ﬁle", "FILE" and "file"
// hash to the same feature. Thread-safe (pure functions).
#include <string>
#include <string_view>

#include "core/status.h"

namespace hitloop::text {

// NFKC + case fold + strip default-ignorable code points. Invalid UTF-8 is an InvalidArgument
// error (the importer validates earlier, so this means a caller bug or raw bytes).
Result<std::string> Normalize(std::string_view utf8);

// Like Normalize, but never fails: invalid UTF-8 bytes are replaced by U+FFFD first.
std::string NormalizeLossy(std::string_view utf8);

}  // namespace hitloop::text

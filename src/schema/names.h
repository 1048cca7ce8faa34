#pragma once
// The one rule for the names people give projects and users, applied wherever one is created
// (the Store, so the CLI and the API alike): a name must be addressable as one segment of an API
// path (/api/v1/projects/{project}, /api/v1/users/{user}) and printable in a terminal or a page.
#include <cstddef>
#include <string_view>

#include "core/status.h"

namespace hitloop {

inline constexpr size_t kMaxProjectNameBytes = 200;
inline constexpr size_t kMaxUserNameBytes = 100;

// OK when `name` is 1..max_bytes bytes of valid UTF-8 without '/', '\', control characters
// (C0, DEL, C1), leading or trailing white space, and is not "." or "..". Otherwise
// InvalidArgument("<what>: ...") saying which rule it breaks.
Status ValidateName(std::string_view what, std::string_view name, size_t max_bytes);

}  // namespace hitloop

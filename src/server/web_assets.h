#pragma once
// Web UI files embedded into the binary at build time (cmake/embed_web.cmake).
#include <optional>
#include <string_view>

namespace hitloop::server {
// Returns the bytes of web/<path> (path relative, '/'-separated) or nullopt. Lookups are exact
// string matches against a fixed table, so no request path can reach the file system.
std::optional<std::string_view> FindWebAsset(std::string_view path);
}  // namespace hitloop::server

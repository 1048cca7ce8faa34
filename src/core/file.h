#pragma once
// File helpers. AtomicWriteFile writes `path.tmp`, fsyncs it, renames it over `path` and fsyncs
// the directory, so a crash leaves either the old file or the new one, never a torn one.
#include <string>
#include <string_view>

#include "core/status.h"

namespace hitloop {

Status AtomicWriteFile(const std::string& path, std::string_view bytes);
Result<std::string> ReadFile(const std::string& path);

}  // namespace hitloop

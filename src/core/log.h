#pragma once
// Logging goes through spdlog to stderr. Modules below cli/ and server/ log but never print to
// stdout (stdout belongs to command output) and never exit.
#include <spdlog/spdlog.h>

namespace hitloop {
// Sets the global level from "debug", "info", "warn", "error", "off". Unknown -> info.
void SetLogLevel(const char* level);
}  // namespace hitloop

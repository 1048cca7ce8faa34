#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace hitloop {
void SetLogLevel(const char* level) {
  static auto logger = [] {
    auto l = spdlog::stderr_color_mt("hitloop");
    spdlog::set_default_logger(l);
    return l;
  }();
  (void)logger;
  spdlog::set_level(spdlog::level::from_str(level ? level : "info"));
}
}  // namespace hitloop

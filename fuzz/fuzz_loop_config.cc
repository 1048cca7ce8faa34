// libFuzzer target: the loop configuration (loop/config.h). The input is a project's config JSON
// as stored (`hitloop project config`, the server's config route): ParseLoopConfig must accept or
// refuse it, and what it accepts must survive LoopConfigToJson -> MergeLoopConfig ->
// ParseLoopConfig unchanged (the serialised form is what the store keeps).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "loop/config.h"

using namespace hitloop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  // The same text as a "loop" object merged into an empty config (the config route's path).
  auto merged = loop::MergeLoopConfig("{}", in);
  (void)merged;
  auto config = loop::ParseLoopConfig(in);
  if (!config.ok()) return 0;
  const std::string once = loop::LoopConfigToJson(*config);
  auto stored = loop::MergeLoopConfig("{}", once);
  if (!stored.ok()) {
    std::fprintf(stderr, "accepted config does not re-read: %s\n%s\n", stored.status().ToString().c_str(),
                 once.c_str());
    std::abort();
  }
  auto again = loop::ParseLoopConfig(*stored);
  if (!again.ok() || loop::LoopConfigToJson(*again) != once) {
    std::fprintf(stderr, "config round trip changed it:\n%s\n", once.c_str());
    std::abort();
  }
  return 0;
}

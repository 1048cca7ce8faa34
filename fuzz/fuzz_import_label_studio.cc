// libFuzzer target: Label Studio JSON import (fuzz/import_target.h).
#include "import_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return hitloop::fuzz::FuzzImport("label-studio", hitloop::TaskType::kSingleLabel, ".json", data, size);
}

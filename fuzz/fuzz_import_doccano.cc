// libFuzzer target: doccano import (fuzz/import_target.h).
#include "import_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return hitloop::fuzz::FuzzImport("doccano", hitloop::TaskType::kSingleLabel, ".jsonl", data, size);
}

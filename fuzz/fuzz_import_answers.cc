// libFuzzer target: answers CSV import (io/answers.h) into a project with items 1, 2, 3, a, b (fuzz/import_target.h).
#include "import_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return hitloop::fuzz::FuzzImport("answers", hitloop::TaskType::kSingleLabel, ".csv", data, size);
}

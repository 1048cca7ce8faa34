// libFuzzer target: TRL preference-pair import into a pairwise project (fuzz/import_target.h).
#include "import_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return hitloop::fuzz::FuzzImport("trl", hitloop::TaskType::kPairwisePreference, ".jsonl", data, size);
}

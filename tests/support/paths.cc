// The only test file compiled with the checkout's and the binary's paths (tests/support/paths.h).
#include "support/paths.h"

namespace hitloop::testing {

const char* SourceDir() { return HITLOOP_SOURCE_DIR_PATH; }
const char* HitloopBinary() { return HITLOOP_BINARY_PATH; }

}  // namespace hitloop::testing

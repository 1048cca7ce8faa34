#pragma once
// Elapsed seconds on the steady clock, for the timings reports print (a plan's seconds_train, a
// backup's copy_seconds): never wall time, never an input to a decision. One definition for every
// module: the sanitizer build compiles several files of a module as one translation unit (CMake
// unity build, scripts/test-asan.sh), where a helper defined in two of them collides.
#include <chrono>

namespace hitloop {

using SteadyClock = std::chrono::steady_clock;

inline double SecondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

}  // namespace hitloop

#pragma once
// For store/postgres/ only: the time the PostgreSQL store stamps rows with when the caller gave
// none (as the SQLite store does), from the process's SystemClock. One definition for the
// backend's files (a unity build compiles several of them as one translation unit).
#include <cstdint>

#include "core/clock.h"

namespace hitloop::pg {

inline int64_t Now() { return SystemClock::Default()->NowMillis(); }

}  // namespace hitloop::pg

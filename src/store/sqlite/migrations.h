#pragma once
// The SQLite schema as an ordered list of migrations. PRAGMA user_version records how many have
// been applied; each runs in its own transaction. Append only: never edit a released migration.
#include <vector>

namespace hitloop::sqlite {
const std::vector<const char*>& Migrations();
}  // namespace hitloop::sqlite

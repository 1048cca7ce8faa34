#pragma once
// The scope version: a counter of changes to what servers cache to authenticate and scope a
// request (users, project memberships, projects, labels; server/scope_cache.h). On PostgreSQL a
// trigger on those tables bumps it (one row, table scope_version) in the transaction that makes
// the change, whichever process makes it (another server's admin route, the CLI), so a server
// that reads a different value than last time knows its cache may be stale and starts it over.
// SQLite has no counter: its servers' caches expire after --scope-cache-ms.
// Borrows `store` for the call (not thread-safe per Store, like the Store). Call it outside a
// transaction or inside one: it reads one row.
#include <cstdint>
#include <optional>

#include "core/status.h"
#include "store/store.h"

namespace hitloop {

// The database's scope version, or nullopt when the backend keeps none (SQLite). Errors are the
// store's (IoError when the connection is gone).
Result<std::optional<int64_t>> ReadScopeVersion(Store& store);

}  // namespace hitloop

#pragma once
// Copying a whole hitloop database between backends (`hitloop db copy --from SRC --to DST`):
// SQLite -> PostgreSQL, PostgreSQL -> SQLite (and SQLite -> SQLite, PostgreSQL -> PostgreSQL).
//
// Every table's rows are copied with their ids (projects, labels, items, annotations,
// predictions, queue, leases, users, memberships, sessions, idempotency keys, cycles,
// detections), so an export of the copy reads the same as an export of the source. The source is
// read in one read snapshot (it may be in use); the destination is written in one transaction
// and must be empty (a new SQLite file, or a PostgreSQL database without hitloop data): nothing of
// a failed copy is left in it. Locations are as store/open.h's OpenStore takes them.
// Errors: FailedPrecondition for a destination that holds data or a backend this build lacks;
// the first failing row's error otherwise (naming its table).
#include <cstdint>
#include <map>
#include <string>

#include "core/status.h"

namespace hitloop {

struct CopyStats {
  std::map<std::string, int64_t> rows;  // table -> rows copied
};

Result<CopyStats> CopyDatabase(const std::string& from, const std::string& to);

}  // namespace hitloop

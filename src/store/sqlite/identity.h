#pragma once
// For store/sqlite/ only: is an open SQLite connection a hitloop database this build can use?
// Shared by SqliteStore::Open (before it writes anything) and the backup/restore/check functions
// (store/backup.h), so every way in refuses the same files with the same words.
#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "core/status.h"
#include "store/open.h"

namespace hitloop::sqlite {

// SQLite's application_id of a hitloop database: "hlop".
inline constexpr int64_t kHitloopApplicationId = 0x686C6F70;

// Reads application_id, user_version and the table names of `db` (opened on `path`; one-off
// statements, nothing written). Refused, naming `path`: a file that is not a database at all
// (Corruption), another application's file (a foreign application_id, or tables but no hitloop
// schema) and a negative or newer-than-this-build version (FailedPrecondition); with kMustExist
// also an empty database (NotFound). On success *version (if given) is the schema version, 0 for
// an empty database.
Status CheckHitloopIdentity(sqlite3* db, const std::string& path, OpenMode mode, int64_t* version);

// The newest schema version this build knows (the number of migrations).
int64_t LatestSchemaVersion();

}  // namespace hitloop::sqlite

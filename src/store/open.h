#pragma once
// Opening a database with a say in whether it may be created (store.h's OpenSqliteStore(path)
// always may: it is OpenSqliteStore(path, OpenMode::kCreateIfMissing)).
#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace hitloop {

// kCreateIfMissing: a missing file becomes a new, empty hitloop database (mode 0600). kMustExist:
// a missing file, or an empty one, is NotFound (commands that only read or serve never create a
// database from a mistyped path).
enum class OpenMode { kCreateIfMissing, kMustExist };

// Opens (and migrates) the SQLite database at `path`. Refused before anything is written to it:
// another application's SQLite file (a foreign application_id, or tables but no hitloop schema)
// and a negative or newer-than-this-build schema version (FailedPrecondition naming the path).
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode);

}  // namespace hitloop

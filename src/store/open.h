#pragma once
// Opening a database with a say in whether it may be created (store.h's OpenSqliteStore(path)
// always may: it is OpenSqliteStore(path, OpenMode::kCreateIfMissing)), and OpenStore: the one
// way commands and the server open a database, SQLite or PostgreSQL by its location.
#include <memory>
#include <string>
#include <string_view>

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

// Opens (and migrates) the PostgreSQL database named by a libpq conninfo ("postgresql://USER@
// HOST:PORT/DB", "postgres://...", or "host=... dbname=..."). The database itself must exist
// (createdb); kCreateIfMissing creates hitloop's tables in it, kMustExist refuses a database
// without them (NotFound). Refused untouched: a database with tables but no hitloop schema and
// a newer-than-this-build schema (FailedPrecondition). FailedPrecondition when this build has no
// PostgreSQL support (cmake -DHITLOOP_POSTGRES=OFF).
// Where PostgreSQL's Store differs from store.h's words (docs/POSTGRES.md): Claim passes over
// entries another connection is claiming or finishing at that instant instead of waiting, so its
// pick may be the next-best entry and nullopt can be momentary while other transactions hold the
// last candidates (callers ask again later); CheckIntegrity runs logical checks of hitloop's
// invariants (no page-level check); text must be valid UTF-8 without NUL bytes (InvalidArgument).
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo, OpenMode mode);

// True when `location` names a PostgreSQL database (postgresql:// or postgres://).
bool IsPostgresLocation(std::string_view location);

// Opens `location`: a postgresql:// or postgres:// URI is PostgreSQL, anything else a SQLite
// file path.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location, OpenMode mode);

// Whether this build can open PostgreSQL databases.
bool PostgresSupported();

}  // namespace hitloop

#pragma once
// Whole-database maintenance on hitloop's SQLite files: an online backup, a checked restore and a
// health check (`hitloop db backup|restore|check`, cli/cmd_db.cc). Implemented in
// store/sqlite/backup.cc; callers never see SQLite.
//
// Files: every path named here is a file path. Nothing is created or replaced in place: a new
// file is written to a temporary file in the destination's folder (".NAME.tmp-XXXXXX", mode 0600),
// synced, and only then given its name, so a crash (kill -9, power loss) leaves either no file or
// a complete one, plus at worst that temporary file, which may be deleted. An existing file is
// replaced only with `force`.
//
// Errors name the file and the reason: NotFound (missing file), FailedPrecondition (another
// application's file, an unsupported schema version, an existing destination without force, a
// database apparently in use), Corruption (not a database, or it fails integrity_check),
// IoError. Thread-safety: free functions, each with its own connections.
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace hitloop {

struct BackupOptions {
  bool force = false;  // replace an existing destination
  bool verify = true;  // run integrity_check on the copy before giving it its name
};

struct BackupStats {
  int64_t bytes = 0;  // size of the copy
  int64_t pages = 0;
  int64_t schema_version = 0;  // of the copy (= the source's)
  double copy_seconds = 0;     // the snapshot copy itself (a reader on the source)
  double verify_seconds = 0;   // integrity_check of the copy (0 without verify)
};

// Copies the whole database at `source` (a hitloop database; refused as OpenSqliteStore with
// kMustExist refuses) to the new file `dest`, online: the copy is one read snapshot of the source
// taken while other connections and processes (a running `hitloop serve`) keep writing, and it
// holds every transaction committed before the snapshot began and none after. Writers are not
// blocked. Nothing is written to the source.
Result<BackupStats> BackupDatabase(const std::string& source, const std::string& dest,
                                   const BackupOptions& options);

// What CheckDatabase found. `problems` is empty for a healthy database.
struct CheckReport {
  int64_t schema_version = 0;    // PRAGMA user_version of the file
  int64_t latest_version = 0;    // the newest this build knows (older ones are migrated on open)
  std::string integrity = "ok";  // PRAGMA integrity_check, its lines joined by "; "
  int64_t foreign_key_violations = 0;
  std::vector<std::string> problems;  // each "PATH: what is wrong"
};

// Checks the hitloop database at `path` without writing to it: that it is one (identity and
// schema version as OpenSqliteStore checks them), PRAGMA integrity_check and PRAGMA
// foreign_key_check. A file that cannot be checked at all (missing, foreign, not a database,
// unreadable) is an error; problems found inside a readable hitloop database are in the report.
Result<CheckReport> CheckDatabase(const std::string& path);

// Restores the backup file `backup` into the database path `dest`. The backup must be a hitloop
// database of a supported schema version that passes integrity_check and foreign_key_check;
// otherwise nothing is written. A missing `dest` becomes a new database (mode 0600, temporary
// file then its name); an existing one must be a hitloop database and is replaced only with
// `force`, in one SQLite transaction (other connections see the old or the new database, never
// a mix). Stop `hitloop serve` on `dest` first: a running server would keep its leases and
// sessions in memory. Returns the restored file's schema version (it is migrated when opened).
Result<CheckReport> RestoreDatabase(const std::string& backup, const std::string& dest, bool force);

}  // namespace hitloop

#include "store/sqlite/identity.h"

#include "store/sqlite/migrations.h"

namespace hitloop::sqlite {
namespace {

// The first column of the first row of `sql` as an integer; an error names `path` and `what`.
Status QueryInt(sqlite3* db, const std::string& path, const char* sql, const char* what,
                int64_t* out, int64_t* out2 = nullptr) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int64(s, 0);
    if (out2 != nullptr) *out2 = sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    return Status::Ok();
  }
  sqlite3_finalize(s);
  const int code = sqlite3_extended_errcode(db);
  std::string msg = path + ": " + what + ": " + sqlite3_errmsg(db);
  if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB) return Corruption(msg);
  if ((code & 0xff) == SQLITE_BUSY) return Conflict(msg);
  return IoError(msg);
}

}  // namespace

int64_t LatestSchemaVersion() { return static_cast<int64_t>(Migrations().size()); }

Status CheckHitloopIdentity(sqlite3* db, const std::string& path, OpenMode mode,
                            int64_t* version_out) {
  int64_t app_id = 0, version = 0, tables = 0, ours = 0;
  RETURN_IF_ERROR(QueryInt(db, path, "PRAGMA application_id", "read application_id", &app_id));
  RETURN_IF_ERROR(QueryInt(db, path, "PRAGMA user_version", "read user_version", &version));
  RETURN_IF_ERROR(QueryInt(
      db, path,
      "SELECT count(*), count(*) FILTER (WHERE name IN ('projects','items','annotations')) "
      "FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
      "read schema", &tables, &ours));
  // Older hitloop databases carry no application_id (0); a new one is stamped at its first
  // migration.
  if (app_id != 0 && app_id != kHitloopApplicationId) {
    return FailedPrecondition(path + ": not a hitloop database (SQLite application_id " +
                              std::to_string(app_id) + ")");
  }
  if (version < 0) {
    return FailedPrecondition(path + ": invalid database schema version " +
                              std::to_string(version));
  }
  const int64_t known = LatestSchemaVersion();
  if (version > known) {
    return FailedPrecondition(path + ": database schema version " + std::to_string(version) +
                              " is newer than this hitloop (" + std::to_string(known) + ")");
  }
  if ((version == 0 && tables > 0) || (version > 0 && ours < 3)) {
    return FailedPrecondition(path + ": not a hitloop database (it holds " +
                              std::to_string(tables) + " other tables); refusing to change it");
  }
  if (version == 0 && mode == OpenMode::kMustExist) {
    return NotFound(path + ": empty database (create one with `hitloop project create`)");
  }
  if (version_out != nullptr) *version_out = version;
  return Status::Ok();
}

}  // namespace hitloop::sqlite

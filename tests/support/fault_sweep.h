#pragma once
// Helpers for fault-injection sweeps (support/faulty_vfs.h): each injection point runs on a fresh
// copy of a closed template database, and afterwards the database is checked the way
// `hitloop db check` checks it (store/backup.h, CheckDatabase: identity, schema version,
// integrity_check, foreign_key_check) plus the open-queue counts the triggers keep
// (queue_open_counts) against the queue itself.
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "store/backup.h"

namespace hitloop::testing {

// Replaces the database `to` (and its -wal/-shm) with a copy of the closed database `from`.
inline void CopyDatabase(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ec;
    fs::remove(to + suffix, ec);
    if (fs::exists(from + suffix)) fs::copy_file(from + suffix, to + suffix);
  }
}

// One integer from `sql` on a fresh read-only connection (-1 when no row or an error).
inline int64_t QueryDatabaseInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t v = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
      v = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return v;
}

// "" when the database at `path` is healthy, otherwise what is wrong.
inline std::string DatabaseProblems(const std::string& path) {
  auto report = CheckDatabase(path);
  if (!report.ok()) return "db check: " + report.status().ToString();
  std::string out;
  for (const auto& p : report->problems) out += p + "; ";
  if (report->schema_version != report->latest_version) {
    out += "schema version " + std::to_string(report->schema_version) + "; ";
  }
  const int64_t wrong_counts = QueryDatabaseInt(
      path,
      "SELECT COUNT(*) FROM (SELECT project_id, pool, kind, COUNT(*) AS n FROM queue WHERE open=1 "
      "GROUP BY 1,2,3) q FULL OUTER JOIN (SELECT * FROM queue_open_counts WHERE n != 0) c "
      "USING(project_id, pool, kind) WHERE q.n IS NOT c.n");
  if (wrong_counts != 0) out += "queue_open_counts disagree with the queue (" + std::to_string(wrong_counts) + ")";
  return out;
}

}  // namespace hitloop::testing

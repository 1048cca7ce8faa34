#pragma once
// RawExec: runs `sql` on a fresh raw SQLite connection to `path` (created if missing; foreign keys
// off, SQLite's default), outside SqliteStore. "" on success, else SQLite's error message. For
// tests that set up or inspect a database file behind the store's back.
#include <sqlite3.h>

#include <string>

namespace hitloop::testing {

inline std::string RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::string e = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return e;
  }
  char* err = nullptr;
  std::string out;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) out = err ? err : "error";
  sqlite3_free(err);
  sqlite3_close(db);
  return out;
}

}  // namespace hitloop::testing

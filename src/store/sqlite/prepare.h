#pragma once
// For SqliteStore's own .cc files only (not a public header): inside a SqliteStore method that
// returns Status or Result<T>, declares `Stmt var` for the cached prepared statement of `sql`, or
// returns the preparation error.
#define PREPARE(var, sql)                               \
  Status var##_st;                                      \
  sqlite3_stmt* var##_raw = Prepare(sql, &var##_st);    \
  if (var##_raw == nullptr) return var##_st;            \
  Stmt var(var##_raw)

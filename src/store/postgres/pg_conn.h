#pragma once
// For store/postgres/ only: libpq helpers. Parameters are always bound (PQexecPrepared /
// PQexecParams), never spliced into SQL text; results come back in text format.
//
// PgParams collects one statement's parameters: numbers and text in text format, byte strings
// (bytea) in binary format. PgRows owns a PGresult. Neither is thread-safe; both live on one
// connection's thread.
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace hitloop::pg {

class PgParams {
 public:
  PgParams& Add(int64_t v);
  PgParams& Add(int v) { return Add(static_cast<int64_t>(v)); }
  PgParams& Add(double v);  // %.17g: exact round trip
  PgParams& Add(bool v) { return AddText(v ? "t" : "f"); }
  PgParams& Add(std::string_view v) { return AddText(v); }
  PgParams& Add(const std::string& v) { return AddText(v); }
  PgParams& Add(const char* v) { return AddText(v); }
  PgParams& AddText(std::string_view v);
  PgParams& AddBytes(const void* p, size_t n);  // bytea, binary format
  PgParams& AddNull();
  // A text[] array literal of `v` (each element quoted and escaped), bound as one parameter.
  PgParams& AddTextArray(const std::vector<std::string>& v);
  template <typename T>
  PgParams& AddOpt(const std::optional<T>& v) {
    return v ? Add(*v) : AddNull();
  }

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  // Stored by value so the parameters stay valid however the caller's strings change.
  std::vector<std::string> storage_;
  std::vector<bool> null_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  mutable std::vector<const char*> values_;
};

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};

// A result set (rows of text). Row and column indexes are 0-based.
class PgRows {
 public:
  PgRows() = default;
  explicit PgRows(PGresult* r) : r_(r) {}
  int rows() const { return r_ ? PQntuples(r_.get()) : 0; }
  int64_t affected() const;  // rows an INSERT/UPDATE/DELETE touched
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string Text(int row, int col) const {
    return std::string(PQgetvalue(r_.get(), row, col), PQgetlength(r_.get(), row, col));
  }
  int64_t Int(int row, int col) const;
  double Double(int row, int col) const;
  bool Bool(int row, int col) const { return PQgetvalue(r_.get(), row, col)[0] == 't'; }
  std::string Bytes(int row, int col) const;  // a bytea column (hex text) decoded

 private:
  std::unique_ptr<PGresult, PgResultDeleter> r_;
};

// "postgresql://..." or "postgres://...": a PostgreSQL conninfo, not a file path.
bool IsPostgresUri(std::string_view location);

// The conninfo with any password removed, for messages.
std::string RedactConninfo(const std::string& conninfo);

}  // namespace hitloop::pg

namespace hitloop::pg {
// PostgreSQL's text holds valid UTF-8 without NUL bytes only (SQLite's holds any bytes): text
// that does not fit is refused here (InvalidArgument naming `field`), before any statement runs,
// so a bad record cannot abort an enclosing transaction.
Status CheckText(std::string_view field, std::string_view v);
}  // namespace hitloop::pg

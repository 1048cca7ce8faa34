// CopyDatabase (store/copy.h): table by table, row by row, ids kept. A Source reads one table in
// key order inside a read snapshot; a Sink inserts into an empty, migrated destination inside one
// transaction and, at the end, puts back what the backend derives itself (PostgreSQL: id
// sequences and claim rows; SQLite's open-queue counters follow its triggers).
#include "store/copy.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "store/open.h"
#include "store/sqlite/sqlite_store.h"
#ifdef HITLOOP_HAVE_POSTGRES
#include "store/postgres/pg_store.h"
#endif

namespace hitloop {
namespace {

enum class Col { kInt, kReal, kText, kBlob, kBool };
struct Column {
  const char* name;
  Col type;
};
struct Table {
  const char* name;
  std::vector<Column> cols;
  const char* order;
};

// Parents before children (foreign keys). Columns both schemas share, with the same meaning.
const std::vector<Table>& Tables() {
  using C = Col;
  static const std::vector<Table> kTables = {
      {"projects", {{"id", C::kInt}, {"name", C::kText}, {"task_type", C::kText}, {"config", C::kText},
                    {"created_at", C::kInt}}, "id"},
      {"labels", {{"project_id", C::kInt}, {"idx", C::kInt}, {"name", C::kText}, {"created_at", C::kInt}},
       "project_id, idx"},
      {"items", {{"id", C::kInt}, {"project_id", C::kInt}, {"external_id", C::kText}, {"text", C::kText},
                 {"vector", C::kBlob}, {"meta", C::kText}, {"content_hash", C::kText}, {"split", C::kText},
                 {"state", C::kText}, {"labels", C::kText}, {"label_source", C::kText},
                 {"label_annotator", C::kText}, {"label_confidence", C::kReal}, {"import_tag", C::kText},
                 {"created_at", C::kInt}, {"hold", C::kText}}, "id"},
      {"annotations", {{"id", C::kInt}, {"project_id", C::kInt}, {"item_id", C::kInt}, {"labels", C::kText},
                       {"source", C::kText}, {"annotator", C::kText}, {"confidence", C::kReal},
                       {"time_spent_ms", C::kInt}, {"kind", C::kText}, {"created_at", C::kInt}}, "id"},
      {"predictions", {{"project_id", C::kInt}, {"item_id", C::kInt}, {"model_version", C::kText},
                       {"label", C::kText}, {"confidence", C::kReal}, {"distribution", C::kBlob},
                       {"created_at", C::kInt}}, "project_id, item_id, model_version"},
      {"staged_predictions", {{"project_id", C::kInt}, {"model_version", C::kText}, {"created_at", C::kInt}},
       "project_id, model_version"},
      {"queue", {{"id", C::kInt}, {"project_id", C::kInt}, {"item_id", C::kInt}, {"pool", C::kText},
                 {"kind", C::kText}, {"priority", C::kReal}, {"overlap", C::kInt}, {"done", C::kInt},
                 {"open", C::kBool}, {"created_at", C::kInt}, {"busy_until", C::kInt}, {"reason", C::kText}},
       "id"},
      {"leases", {{"id", C::kText}, {"queue_id", C::kInt}, {"item_id", C::kInt}, {"project_id", C::kInt},
                  {"annotator", C::kText}, {"pool", C::kText}, {"kind", C::kText}, {"created_at", C::kInt},
                  {"expires_at", C::kInt}, {"state", C::kText}, {"finished_at", C::kInt}}, "queue_id, id"},
      {"users", {{"id", C::kInt}, {"name", C::kText}, {"role", C::kText}, {"pools", C::kText},
                 {"token_hash", C::kBlob}, {"disabled", C::kBool}, {"created_at", C::kInt}}, "id"},
      {"project_members", {{"project_id", C::kInt}, {"user_id", C::kInt}}, "project_id, user_id"},
      {"sessions", {{"hash", C::kBlob}, {"user_id", C::kInt}, {"created_at", C::kInt}, {"expires_at", C::kInt}},
       "user_id, created_at"},
      {"idempotency", {{"user_id", C::kInt}, {"key", C::kText}, {"fingerprint", C::kText}, {"status", C::kInt},
                       {"body", C::kText}, {"created_at", C::kInt}}, "user_id, created_at"},
      {"cycles", {{"project_id", C::kInt}, {"cycle", C::kInt}, {"created_at", C::kInt}, {"record", C::kText}},
       "project_id, cycle"},
      {"detections", {{"item_id", C::kInt}, {"detector", C::kText}, {"project_id", C::kInt}, {"value", C::kText},
                      {"confidence", C::kReal}, {"detail", C::kText}}, "item_id, detector"},
      {"gold_answers", {{"project_id", C::kInt}, {"annotator", C::kText}, {"item_id", C::kInt},
                        {"correct", C::kBool}, {"counted", C::kBool}, {"answered_at", C::kInt}},
       "project_id, annotator, item_id"},
      {"reviews", {{"id", C::kInt}, {"project_id", C::kInt}, {"annotation_id", C::kInt}, {"item_id", C::kInt},
                   {"annotator", C::kText}, {"reviewer", C::kText}, {"verdict", C::kText}, {"comment", C::kText},
                   {"created_at", C::kInt}}, "id"},
      {"admin_actions", {{"id", C::kInt}, {"at", C::kInt}, {"actor", C::kText}, {"action", C::kText},
                         {"project", C::kText}, {"target", C::kText}, {"detail", C::kText}}, "id"},
  };
  return kTables;
}

struct Value {
  bool null = false;
  int64_t i = 0;
  double d = 0;
  std::string s;  // text or blob bytes
};
using Row = std::vector<Value>;
using RowFn = std::function<Status(const Row&)>;

std::string ColumnList(const Table& t) {
  std::string out;
  for (const auto& c : t.cols) out += std::string(out.empty() ? "" : ", ") + c.name;
  return out;
}

class Source {
 public:
  virtual ~Source() = default;
  virtual Status Scan(const Table& t, const RowFn& fn) = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Insert(const Table& t, const Row& row) = 0;
  virtual Status Finish() = 0;  // derived state, then commit
};

// ---------------------------------------------------------------- SQLite

class SqliteSource final : public Source {
 public:
  explicit SqliteSource(sqlite::SqliteStore* s) : s_(s) {}
  Status Scan(const Table& t, const RowFn& fn) override {
    const std::string sql = "SELECT " + ColumnList(t) + " FROM " + t.name + " ORDER BY " + t.order;
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(s_->db(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      return IoError(std::string("copy: read ") + t.name + ": " + sqlite3_errmsg(s_->db()));
    }
    sqlite::Stmt st(raw, /*owned=*/true);
    Row row(t.cols.size());
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      for (size_t c = 0; c < t.cols.size(); ++c) {
        Value& v = row[c];
        v.null = st.IsNull(static_cast<int>(c));
        if (v.null) continue;
        switch (t.cols[c].type) {
          case Col::kInt:
          case Col::kBool: v.i = st.Int(static_cast<int>(c)); break;
          case Col::kReal: v.d = st.Double(static_cast<int>(c)); break;
          case Col::kText: v.s = st.Text(static_cast<int>(c)); break;
          case Col::kBlob: {
            const int n = sqlite3_column_bytes(raw, static_cast<int>(c));
            const void* p = sqlite3_column_blob(raw, static_cast<int>(c));
            v.s.assign(static_cast<const char*>(p), static_cast<size_t>(n));
            break;
          }
        }
      }
      RETURN_IF_ERROR(fn(row));
    }
    if (rc != SQLITE_DONE) return IoError(std::string("copy: read ") + t.name + ": " + sqlite3_errmsg(s_->db()));
    return Status::Ok();
  }

 private:
  sqlite::SqliteStore* s_;
};

class SqliteSink final : public Sink {
 public:
  explicit SqliteSink(sqlite::SqliteStore* s) : s_(s) {}
  ~SqliteSink() override {
    for (auto& [name, st] : stmts_) sqlite3_finalize(st);
  }
  Status Insert(const Table& t, const Row& row) override {
    sqlite3_stmt*& st = stmts_[t.name];
    if (st == nullptr) {
      std::string sql = std::string("INSERT INTO ") + t.name + "(" + ColumnList(t) + ") VALUES(";
      for (size_t c = 0; c < t.cols.size(); ++c) sql += c ? ",?" : "?";
      sql += ")";
      if (sqlite3_prepare_v2(s_->db(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        return IoError(std::string("copy: write ") + t.name + ": " + sqlite3_errmsg(s_->db()));
      }
    }
    sqlite3_reset(st);
    for (size_t c = 0; c < t.cols.size(); ++c) {
      const int i = static_cast<int>(c) + 1;
      const Value& v = row[c];
      if (v.null) { sqlite3_bind_null(st, i); continue; }
      switch (t.cols[c].type) {
        case Col::kInt:
        case Col::kBool: sqlite3_bind_int64(st, i, v.i); break;
        case Col::kReal: sqlite3_bind_double(st, i, v.d); break;
        case Col::kText: sqlite3_bind_text(st, i, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT); break;
        case Col::kBlob: sqlite3_bind_blob(st, i, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT); break;
      }
    }
    if (sqlite3_step(st) != SQLITE_DONE) {
      return IoError(std::string("copy: write ") + t.name + ": " + sqlite3_errmsg(s_->db()));
    }
    return Status::Ok();
  }
  Status Finish() override { return s_->Commit(); }  // queue_open_counts: kept by its triggers

 private:
  sqlite::SqliteStore* s_;
  std::map<std::string, sqlite3_stmt*> stmts_;
};

// ---------------------------------------------------------------- PostgreSQL

#ifdef HITLOOP_HAVE_POSTGRES
class PgSource final : public Source {
 public:
  explicit PgSource(pg::PgStore* s) : s_(s) {}
  Status Scan(const Table& t, const RowFn& fn) override {
    // A cursor inside the read snapshot: a million rows never sit in memory at once.
    const std::string declare = "DECLARE hitloop_copy NO SCROLL CURSOR FOR SELECT " + ColumnList(t) +
                                " FROM " + t.name + " ORDER BY " + t.order;
    pg::PgRows none;
    RETURN_IF_ERROR(s_->ExecRows(declare.c_str(), &none, "copy: declare cursor"));
    Status st = [&]() -> Status {
      Row row(t.cols.size());
      for (;;) {
        pg::PgRows r;
        RETURN_IF_ERROR(s_->ExecRows("FETCH 5000 FROM hitloop_copy", &r, "copy: fetch"));
        for (int i = 0; i < r.rows(); ++i) {
          for (size_t c = 0; c < t.cols.size(); ++c) {
            const int col = static_cast<int>(c);
            Value& v = row[c];
            v.null = r.IsNull(i, col);
            if (v.null) continue;
            switch (t.cols[c].type) {
              case Col::kInt:
              case Col::kBool: v.i = r.Int(i, col); break;
              case Col::kReal: v.d = r.Double(i, col); break;
              case Col::kText: v.s = r.Text(i, col); break;
              case Col::kBlob: v.s = r.Bytes(i, col); break;
            }
          }
          RETURN_IF_ERROR(fn(row));
        }
        if (r.rows() == 0) return Status::Ok();
      }
    }();
    pg::PgRows closed;
    Status close = s_->ExecRows("CLOSE hitloop_copy", &closed, "copy: close cursor");
    return st.ok() ? close : st;
  }

 private:
  pg::PgStore* s_;
};

class PgSink final : public Sink {
 public:
  explicit PgSink(pg::PgStore* s) : s_(s) {}
  // Rows wait and go in multi-row INSERTs (up to ~60,000 parameters each): a round trip per row
  // made a 1M-item copy take minutes on the test cluster.
  Status Insert(const Table& t, const Row& row) override {
    if (table_ != nullptr && table_ != &t) RETURN_IF_ERROR(Flush());
    table_ = &t;
    pending_.push_back(row);
    for (const Value& v : row) pending_bytes_ += v.s.size();
    const size_t per_statement = std::max<size_t>(1, 60000 / t.cols.size());
    // Also bounded in bytes: items of up to 1 MiB each must not make a gigabyte statement.
    return pending_.size() >= per_statement || pending_bytes_ >= (16u << 20) ? Flush() : Status::Ok();
  }
  Status Flush() {
    if (table_ == nullptr || pending_.empty()) return Status::Ok();
    const Table& t = *table_;
    std::string sql = std::string("INSERT INTO ") + t.name + "(" + ColumnList(t) + ") VALUES";
    pg::PgParams p;
    for (size_t r = 0; r < pending_.size(); ++r) {
      sql += r ? ",(" : "(";
      for (size_t c = 0; c < t.cols.size(); ++c) {
        sql += (c ? ",$" : "$") + std::to_string(p.size() + 1);
        const Value& v = pending_[r][c];
        if (v.null) {
          p.AddNull();
          continue;
        }
        switch (t.cols[c].type) {
          case Col::kInt: p.Add(v.i); break;
          case Col::kBool: p.Add(v.i != 0); break;
          case Col::kReal: p.Add(v.d); break;
          case Col::kText: p.AddText(v.s); break;
          case Col::kBlob: p.AddBytes(v.s.data(), v.s.size()); break;
        }
      }
      sql += ")";
    }
    pending_.clear();
    pending_bytes_ = 0;
    const std::string what = std::string("copy: write ") + t.name;
    return s_->Query(sql, p, what.c_str());
  }
  Status Finish() override {
    RETURN_IF_ERROR(Flush());
    // Ids go on from the copied ones; every queued item gets its claim row (pg_store_queue.cc).
    RETURN_IF_ERROR(s_->ExecScript(
        "SELECT setval(pg_get_serial_sequence('projects','id'), COALESCE((SELECT max(id) FROM projects), 0) + 1, false);"
        "SELECT setval(pg_get_serial_sequence('items','id'), COALESCE((SELECT max(id) FROM items), 0) + 1, false);"
        "SELECT setval(pg_get_serial_sequence('annotations','id'), COALESCE((SELECT max(id) FROM annotations), 0) + 1, false);"
        "SELECT setval(pg_get_serial_sequence('queue','id'), COALESCE((SELECT max(id) FROM queue), 0) + 1, false);"
        "SELECT setval(pg_get_serial_sequence('users','id'), COALESCE((SELECT max(id) FROM users), 0) + 1, false);"
        "SELECT setval(pg_get_serial_sequence('reviews','id'), COALESCE((SELECT max(id) FROM reviews), 0) + 1, false);"
        "SELECT setval(pg_get_serial_sequence('admin_actions','id'), COALESCE((SELECT max(id) FROM admin_actions), 0) + 1, false);"
        "INSERT INTO claim_locks(item_id) SELECT DISTINCT item_id FROM queue ON CONFLICT DO NOTHING",
        "copy: sequences and claim rows"));
    return s_->Commit();
  }

 private:
  pg::PgStore* s_;
  const Table* table_ = nullptr;
  std::vector<Row> pending_;
  size_t pending_bytes_ = 0;
};
#endif

struct Opened {
  std::unique_ptr<Store> store;
  std::unique_ptr<Source> source;
  std::unique_ptr<Sink> sink;
};

Result<Opened> OpenEnd(const std::string& location, bool as_source) {
  Opened o;
  const OpenMode mode = as_source ? OpenMode::kMustExist : OpenMode::kCreateIfMissing;
  if (IsPostgresLocation(location)) {
#ifdef HITLOOP_HAVE_POSTGRES
    ASSIGN_OR_RETURN(auto s, pg::PgStore::Open(location, mode));
    if (as_source) o.source = std::make_unique<PgSource>(s.get());
    else o.sink = std::make_unique<PgSink>(s.get());
    o.store = std::move(s);
#else
    return OpenPostgresStore(location, mode).status();
#endif
  } else {
    ASSIGN_OR_RETURN(auto s, sqlite::SqliteStore::Open(location, mode));
    if (as_source) o.source = std::make_unique<SqliteSource>(s.get());
    else o.sink = std::make_unique<SqliteSink>(s.get());
    o.store = std::move(s);
  }
  return o;
}

}  // namespace

Result<CopyStats> CopyDatabase(const std::string& from, const std::string& to) {
  if (from == to) return InvalidArgument("db copy: --from and --to are the same database");
  ASSIGN_OR_RETURN(Opened src, OpenEnd(from, /*as_source=*/true));
  ASSIGN_OR_RETURN(Opened dst, OpenEnd(to, /*as_source=*/false));
  ASSIGN_OR_RETURN(auto projects, dst.store->ListProjects());
  ASSIGN_OR_RETURN(auto users, dst.store->ListUsers());
  if (!projects.empty() || !users.empty()) {
    return FailedPrecondition("db copy: the destination already holds hitloop data; copy into an empty one");
  }
  CopyStats stats;
  RETURN_IF_ERROR(src.store->BeginRead());
  Status st = dst.store->Begin();
  if (st.ok()) {
    for (const Table& t : Tables()) {
      int64_t n = 0;
      st = src.source->Scan(t, [&](const Row& row) -> Status {
        ++n;
        return dst.sink->Insert(t, row);
      });
      if (!st.ok()) break;
      stats.rows[t.name] = n;
    }
    if (st.ok()) st = dst.sink->Finish();
    else (void)dst.store->Rollback();
  }
  Status end = src.store->EndRead();
  if (!st.ok()) return st;
  if (!end.ok()) return end;
  return stats;
}

}  // namespace hitloop

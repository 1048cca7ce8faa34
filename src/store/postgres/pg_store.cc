// PgStore: connection, migrations, transactions, projects, items, annotations, predictions.
// Queue, leases and status: pg_store_queue.cc. Users and sessions: pg_store_auth.cc. Cycles,
// detections and holds: pg_store_cycles.cc.
#include "store/postgres/pg_store.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "schema/names.h"
#include "store/postgres/pg_clock.h"
#include "store/postgres/pg_labels.h"
#include "store/postgres/pg_migrations.h"

namespace hitloop {

#ifdef HITLOOP_HAVE_POSTGRES
bool PostgresSupported() { return true; }

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo, OpenMode mode) {
  auto r = pg::PgStore::Open(conninfo, mode);
  if (!r.ok()) return r.status();
  return std::unique_ptr<Store>(std::move(r).value());
}
#endif

namespace pg {
namespace {

// Serialises migrations of one database across processes (pg_advisory_lock's key: "hlmg").
constexpr int64_t kMigrationLockKey = 0x686C6D67;

}  // namespace

PgStore::~PgStore() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Status PgStore::ErrorFrom(const PGresult* r, const char* what) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = where_ + ": " + what + ": " + PQerrorMessage(conn_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (PQstatus(conn_) != CONNECTION_OK) {
    poisoned_ = true;  // the connection is gone, and with it any open transaction
    return IoError(msg + " (connection lost)");
  }
  const std::string code = state ? state : "";
  if (code.rfind("23", 0) == 0) return AlreadyExists(msg);
  if (code == "40001" || code == "40P01" || code == "55P03" || code == "57014") return Conflict(msg);
  if (code == "53100") return FailedPrecondition(msg + " (disk full)");
  if (code.rfind("XX", 0) == 0) return Corruption(msg);
  return IoError(msg);
}

Status PgStore::ExecScript(const char* sql, const char* what) {
  PGresult* r = PQexec(conn_, sql);
  const ExecStatusType s = PQresultStatus(r);
  Status st = (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) ? Status::Ok() : ErrorFrom(r, what);
  PQclear(r);
  return st;
}

Status PgStore::ExecRows(const char* sql, PgRows* out, const char* what) {
  PGresult* r = PQexec(conn_, sql);
  const ExecStatusType s = PQresultStatus(r);
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    Status st = ErrorFrom(r, what);
    PQclear(r);
    return st;
  }
  *out = PgRows(r);
  return Status::Ok();
}

Status PgStore::Query(const std::string& sql, const PgParams& params, PgRows* out, const char* what) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = "hl" + std::to_string(prepared_.size() + 1);
    PGresult* r = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      Status st = ErrorFrom(r, what);
      PQclear(r);
      return st;
    }
    PQclear(r);
    it = prepared_.emplace(sql, name).first;
  }
  PGresult* r = PQexecPrepared(conn_, it->second.c_str(), params.size(), params.values(),
                               params.lengths(), params.formats(), 0);
  const ExecStatusType s = PQresultStatus(r);
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    Status st = ErrorFrom(r, what);
    PQclear(r);
    return st;
  }
  if (out != nullptr) *out = PgRows(r);
  else PQclear(r);
  return Status::Ok();
}

Status PgStore::CheckWritable() const {
  if (poisoned_) {
    return FailedPrecondition(where_ + ": store refused write after an earlier commit failure; reopen");
  }
  return Status::Ok();
}

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& conninfo, OpenMode mode) {
  std::unique_ptr<PgStore> s(new PgStore());
  s->where_ = RedactConninfo(conninfo);
  s->conn_ = PQconnectdb(conninfo.c_str());
  if (s->conn_ == nullptr) return IoError(s->where_ + ": cannot connect: out of memory");
  if (PQstatus(s->conn_) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(s->conn_);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return IoError(s->where_ + ": cannot connect: " + msg);
  }
  // Quiet NOTICEs (CREATE ... IF NOT EXISTS and the like) instead of printing them on stderr.
  PQsetNoticeProcessor(s->conn_, [](void*, const char*) {}, nullptr);
  RETURN_IF_ERROR(s->ExecScript(
      "SET client_encoding='UTF8'; SET lock_timeout='10s'; SET TIME ZONE 'UTC';"
      " SET default_transaction_isolation='read committed'", "configure session"));
  RETURN_IF_ERROR(s->Migrate(mode));
  return s;
}

Status PgStore::Migrate(OpenMode mode) {
  PgRows rows;
  RETURN_IF_ERROR(Query(
      "SELECT count(*), count(*) FILTER (WHERE tablename='hitloop_schema') FROM pg_tables"
      " WHERE schemaname = current_schema()", PgParams(), &rows, "read schema"));
  const int64_t tables = rows.Int(0, 0);
  const bool ours = rows.Int(0, 1) > 0;
  if (tables > 0 && !ours) {
    return FailedPrecondition(where_ + ": not a hitloop database (it holds " + std::to_string(tables) +
                              " other tables); refusing to change it");
  }
  if (!ours && mode == OpenMode::kMustExist) {
    return NotFound(where_ + ": empty database (create one with `hitloop project create`)");
  }
  const auto& migrations = Migrations();
  const int64_t known = static_cast<int64_t>(migrations.size());
  // Several servers may start at once: one migrates, the others wait and find it done.
  PgParams key;
  key.Add(kMigrationLockKey);
  RETURN_IF_ERROR(Query("SELECT pg_advisory_lock($1::bigint)", key, "lock for migration"));
  Status st = [&]() -> Status {
    RETURN_IF_ERROR(ExecScript("CREATE TABLE IF NOT EXISTS hitloop_schema(version BIGINT NOT NULL)",
                               "create hitloop_schema"));
    PgRows v;
    RETURN_IF_ERROR(Query("SELECT max(version) FROM hitloop_schema", PgParams(), &v, "read version"));
    int64_t version = v.IsNull(0, 0) ? 0 : v.Int(0, 0);
    if (version > known) {
      return FailedPrecondition(where_ + ": database schema version " + std::to_string(version) +
                                " is newer than this hitloop (" + std::to_string(known) + ")");
    }
    for (int64_t next = version; next < known; ++next) {
      RETURN_IF_ERROR(ExecScript("BEGIN", "begin migration"));
      Status m = ExecScript(migrations[static_cast<size_t>(next)], "migrate");
      if (m.ok()) {
        PgParams p;
        p.Add(next + 1);
        m = Query("DELETE FROM hitloop_schema", PgParams(), "record version");
        if (m.ok()) m = Query("INSERT INTO hitloop_schema(version) VALUES($1::bigint)", p, "record version");
      }
      if (!m.ok()) {
        (void)ExecScript("ROLLBACK", "rollback migration");
        return m;
      }
      RETURN_IF_ERROR(ExecScript("COMMIT", "commit migration"));
    }
    return Status::Ok();
  }();
  (void)Query("SELECT pg_advisory_unlock($1::bigint)", key, "unlock migration");
  return st;
}

// ---------------------------------------------------------------- transactions

namespace {
std::string SavepointName(int depth) { return "hitloop_sp" + std::to_string(depth); }
}  // namespace

Status PgStore::Begin() {
  RETURN_IF_ERROR(CheckWritable());
  if (read_txn_) return FailedPrecondition(where_ + ": write inside a read snapshot");
  if (depth_ == 0) {
    RETURN_IF_ERROR(ExecScript("BEGIN ISOLATION LEVEL READ COMMITTED", "begin"));
  } else {
    if (PQtransactionStatus(conn_) != PQTRANS_INTRANS) return Abandoned();
    RETURN_IF_ERROR(ExecScript(("SAVEPOINT " + SavepointName(depth_)).c_str(), "savepoint"));
  }
  ++depth_;
  return Status::Ok();
}

Status PgStore::Abandoned() {
  poisoned_ = true;
  vector_dims_.clear();
  return IoError(where_ + ": transaction abandoned by the database after an earlier error");
}

Status PgStore::Commit() {
  if (depth_ == 0) return FailedPrecondition("commit without transaction");
  if (depth_ > 1) {
    --depth_;
    const std::string name = SavepointName(depth_);
    Status st = PQtransactionStatus(conn_) == PQTRANS_INTRANS
                    ? ExecScript(("RELEASE SAVEPOINT " + name).c_str(), "release savepoint")
                    : IoError(where_ + ": a statement of this transaction failed");
    if (!st.ok()) {
      // Leave the enclosing transaction as it was before this level began.
      vector_dims_.clear();
      (void)ExecScript(("ROLLBACK TO SAVEPOINT " + name).c_str(), "rollback to savepoint");
      (void)ExecScript(("RELEASE SAVEPOINT " + name).c_str(), "release savepoint");
    }
    return st;
  }
  depth_ = 0;
  // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK, not an error.
  if (PQtransactionStatus(conn_) != PQTRANS_INTRANS) {
    (void)ExecScript("ROLLBACK", "rollback");
    return Abandoned();
  }
  PGresult* r = PQexec(conn_, "COMMIT");
  Status st = PQresultStatus(r) == PGRES_COMMAND_OK && std::strcmp(PQcmdStatus(r), "COMMIT") == 0
                  ? Status::Ok()
                  : ErrorFrom(r, "commit");
  if (st.ok() && PQresultStatus(r) == PGRES_COMMAND_OK && std::strcmp(PQcmdStatus(r), "COMMIT") != 0) {
    st = IoError(where_ + ": commit: the database rolled the transaction back");
  }
  PQclear(r);
  if (!st.ok()) {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) (void)ExecScript("ROLLBACK", "rollback");
    poisoned_ = true;  // fail-stop (store.h)
    vector_dims_.clear();
  }
  return st;
}

Status PgStore::Rollback() {
  vector_dims_.clear();
  if (depth_ == 0) return Status::Ok();
  if (depth_ > 1) {
    --depth_;
    const std::string name = SavepointName(depth_);
    Status st = ExecScript(("ROLLBACK TO SAVEPOINT " + name).c_str(), "rollback to savepoint");
    if (st.ok()) st = ExecScript(("RELEASE SAVEPOINT " + name).c_str(), "release savepoint");
    return st;
  }
  depth_ = 0;
  if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return Status::Ok();
  return ExecScript("ROLLBACK", "rollback");
}

void PgStore::SetLockWait(int64_t ms) {
  PgParams p;
  p.AddText(std::to_string(std::max<int64_t>(ms, 0)) + "ms");
  (void)Query("SELECT set_config('lock_timeout', $1, false)", p, "set lock_timeout");
}

Status PgStore::BeginRead() {
  if (read_depth_ == 0 && depth_ == 0) {
    RETURN_IF_ERROR(ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin read"));
    read_txn_ = true;
  }
  ++read_depth_;
  return Status::Ok();
}

Status PgStore::EndRead() {
  if (read_depth_ == 0) return FailedPrecondition("EndRead without BeginRead");
  if (--read_depth_ > 0 || !read_txn_) return Status::Ok();
  read_txn_ = false;
  if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return Status::Ok();
  if (PQtransactionStatus(conn_) == PQTRANS_INERROR) return ExecScript("ROLLBACK", "end read");
  return ExecScript("COMMIT", "end read");
}

Status PgStore::AutoTxn(const std::function<Status()>& fn) {
  RETURN_IF_ERROR(CheckWritable());
  return InTransaction(fn);
}

Status PgStore::AutoTxnOneStatement(const std::function<Status()>& fn) {
  RETURN_IF_ERROR(CheckWritable());
  if (depth_ > 0) return fn();
  return InTransaction(fn);
}

// ---------------------------------------------------------------- projects

Result<Project> PgStore::CreateProject(const Project& p) {
  RETURN_IF_ERROR(ValidateName("project name", p.name, kMaxProjectNameBytes));
  for (const auto& l : p.labels) RETURN_IF_ERROR(ValidateLabelName(l));
  RETURN_IF_ERROR(CheckText("project name", p.name));
  RETURN_IF_ERROR(CheckText("config", p.config_json));
  for (const auto& l : p.labels) RETURN_IF_ERROR(CheckText("label", l));
  Project out = p;
  out.created_at = p.created_at ? p.created_at : Now();
  Status st = AutoTxn([&]() -> Status {
    PgParams params;
    params.Add(p.name).Add(TaskTypeName(p.type)).Add(p.config_json).Add(out.created_at);
    PgRows rows;
    Status ins = Query("INSERT INTO projects(name, task_type, config, created_at) VALUES($1,$2,$3,$4)"
                       " RETURNING id", params, &rows, "insert project");
    if (ins.code() == StatusCode::kAlreadyExists) return AlreadyExists("project '" + p.name + "' already exists");
    RETURN_IF_ERROR(ins);
    out.id = rows.Int(0, 0);
    for (size_t i = 0; i < p.labels.size(); ++i) {
      PgParams lp;
      lp.Add(out.id).Add(static_cast<int64_t>(i)).Add(p.labels[i]).Add(out.created_at);
      Status l = Query("INSERT INTO labels(project_id, idx, name, created_at) VALUES($1,$2,$3,$4)", lp,
                       "insert label");
      if (l.code() == StatusCode::kAlreadyExists) return InvalidArgument("label '" + p.labels[i] + "' listed twice");
      RETURN_IF_ERROR(l);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Project> PgStore::LoadProject(const PgRows& rows, int row) {
  Project p;
  p.id = rows.Int(row, 0);
  p.name = rows.Text(row, 1);
  auto type = ParseTaskType(rows.Text(row, 2));
  if (!type.ok()) return Corruption("project " + p.name + ": " + type.status().message());
  p.type = *type;
  p.config_json = rows.Text(row, 3);
  p.created_at = rows.Int(row, 4);
  PgParams params;
  params.Add(p.id);
  PgRows labels;
  RETURN_IF_ERROR(Query("SELECT name FROM labels WHERE project_id=$1 ORDER BY idx", params, &labels,
                        "read labels"));
  for (int i = 0; i < labels.rows(); ++i) p.labels.push_back(labels.Text(i, 0));
  return p;
}

Result<Project> PgStore::GetProject(const std::string& name) {
  PgParams params;
  params.Add(name);
  PgRows rows;
  RETURN_IF_ERROR(Query("SELECT id, name, task_type, config, created_at FROM projects WHERE name=$1",
                        params, &rows, "read project"));
  if (rows.rows() == 0) return NotFound("project '" + name + "' not found");
  return LoadProject(rows, 0);
}

Result<Project> PgStore::GetProjectById(int64_t id) {
  PgParams params;
  params.Add(id);
  PgRows rows;
  RETURN_IF_ERROR(Query("SELECT id, name, task_type, config, created_at FROM projects WHERE id=$1",
                        params, &rows, "read project"));
  if (rows.rows() == 0) return NotFound("project " + std::to_string(id) + " not found");
  return LoadProject(rows, 0);
}

Result<std::vector<Project>> PgStore::ListProjects() {
  PgRows rows;
  RETURN_IF_ERROR(Query("SELECT id, name, task_type, config, created_at FROM projects ORDER BY id",
                        PgParams(), &rows, "list projects"));
  std::vector<Project> out;
  for (int i = 0; i < rows.rows(); ++i) {
    ASSIGN_OR_RETURN(Project p, LoadProject(rows, i));
    out.push_back(std::move(p));
  }
  return out;
}

Status PgStore::AddLabel(int64_t project_id, const std::string& label) {
  RETURN_IF_ERROR(ValidateLabelName(label));
  RETURN_IF_ERROR(CheckText("label", label));
  return AutoTxn([&]() -> Status {
    PgParams params;
    params.Add(project_id);
    PgRows rows;
    // The project's row lock orders concurrent AddLabels (the next idx is read, then written).
    RETURN_IF_ERROR(Query("SELECT id FROM projects WHERE id=$1 FOR UPDATE", params, &rows, "lock project"));
    if (rows.rows() == 0) return NotFound("project " + std::to_string(project_id));
    params.Add(label).Add(Now());
    Status st = Query("INSERT INTO labels(project_id, idx, name, created_at) SELECT $1,"
                      " COALESCE(MAX(idx)+1, 0), $2, $3 FROM labels WHERE project_id=$1",
                      params, "insert label");
    if (st.code() == StatusCode::kAlreadyExists) return AlreadyExists("label '" + label + "' already exists");
    return st;
  });
}

Status PgStore::SetProjectConfig(int64_t project_id, const std::string& config_json) {
  RETURN_IF_ERROR(CheckText("config", config_json));
  return AutoTxn([&]() -> Status {
    PgParams params;
    params.Add(config_json).Add(project_id);
    PgRows rows;
    RETURN_IF_ERROR(Query("UPDATE projects SET config=$1 WHERE id=$2", params, &rows, "update project config"));
    if (rows.affected() == 0) return NotFound("project " + std::to_string(project_id));
    return Status::Ok();
  });
}

}  // namespace pg
}  // namespace hitloop

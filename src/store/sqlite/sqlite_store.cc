#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/prepare.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "core/clock.h"
#include "schema/names.h"
#include "store/sqlite/identity.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_store_internal.h"

namespace hitloop {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode) {
  auto r = sqlite::SqliteStore::Open(path, mode);
  if (!r.ok()) return r.status();
  return std::unique_ptr<Store>(std::move(r).value());
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  return OpenSqliteStore(path, OpenMode::kCreateIfMissing);
}

namespace sqlite {

SqliteStore::~SqliteStore() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status SqliteStore::Error(const std::string& what) const {
  int code = sqlite3_extended_errcode(db_);
  std::string msg = path_ + ": " + what + ": " + sqlite3_errmsg(db_);
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Corruption(msg);
  if ((code & 0xff) == SQLITE_CONSTRAINT) return AlreadyExists(msg);
  if ((code & 0xff) == SQLITE_BUSY) return Conflict(msg);
  // Disk full: the server answers 503 with a scrubbed message (FailedPrecondition), never 413.
  if ((code & 0xff) == SQLITE_FULL) return FailedPrecondition(msg + " (disk full)");
  return IoError(msg);
}

Status SqliteStore::CheckWritable() const {
  if (poisoned_) {
    return FailedPrecondition(path_ + ": store refused write after an earlier commit failure; reopen");
  }
  return Status::Ok();
}

// SQLite's busy handler: keep trying for the lock every millisecond until the wait is over.
// SQLite keeps no queue for its write lock, and sqlite3_busy_timeout's schedule sleeps up to
// 100 ms between tries: a writer that commits and begins again at once (a cycle's chunked
// transactions) then kept the lock from the server's writer for ~1.5 s at a time (claims of
// 1,528 ms = the schedule's 328 ms + 12 × 100 ms under load). Polling every millisecond takes
// the lock in the gaps between such transactions.
int SqliteStore::PollForLock(void* lock_wait, int count) {
  auto* w = static_cast<LockWait*>(lock_wait);
  const auto now = std::chrono::steady_clock::now();
  if (count == 0) w->since = now;
  if (now - w->since >= std::chrono::milliseconds(w->ms)) return 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return 1;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, OpenMode mode) {
  // Memory statistics cost a global mutex on every allocation; hitloop does not read them.
  static const bool configured = [] { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }();
  (void)configured;
  std::unique_ptr<SqliteStore> s(new SqliteStore());
  s->path_ = path;
  const bool is_memory = path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0;
  if (!is_memory) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (mode == OpenMode::kMustExist) {
        return NotFound(path + ": no such database (create one with `hitloop project create`)");
      }
      // A new database is readable by its owner only; SQLite gives its -wal and -shm files the
      // same mode as the database file.
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0 && errno != EEXIST) {
        return IoError(path + ": cannot create database: " + std::strerror(errno));
      }
      if (fd >= 0) ::close(fd);
    } else if (!S_ISREG(st.st_mode)) {
      return FailedPrecondition(path + ": not a regular file");
    }
  }
  const int create = mode == OpenMode::kCreateIfMissing ? SQLITE_OPEN_CREATE : 0;
  int rc = sqlite3_open_v2(path.c_str(), &s->db_,
                           SQLITE_OPEN_READWRITE | create | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = s->db_ ? sqlite3_errmsg(s->db_) : "out of memory";
    return IoError(path + ": cannot open database: " + msg);
  }
  sqlite3_busy_handler(s->db_, PollForLock, &s->lock_wait_);
  sqlite3_extended_result_codes(s->db_, 1);
  // Another application's database (or one from the future) is refused before journal_mode or a
  // migration writes anything to it. A file that is not a database at all fails here too.
  RETURN_IF_ERROR(s->CheckIdentity(mode));
  RETURN_IF_ERROR(s->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(s->Exec("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(s->Exec("PRAGMA foreign_keys=ON"));
  RETURN_IF_ERROR(s->Exec("PRAGMA cache_size=-65536"));  // 64 MiB page cache
  RETURN_IF_ERROR(s->Exec("PRAGMA temp_store=MEMORY"));
  RETURN_IF_ERROR(s->Migrate());
  return s;
}

Status SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) return Corruption(path_ + ": " + msg);
    if (rc == SQLITE_BUSY) return Conflict(path_ + ": " + msg);
    if ((rc & 0xff) == SQLITE_FULL) return FailedPrecondition(path_ + ": " + msg + " (disk full)");
    return IoError(path_ + ": " + msg);
  }
  return Status::Ok();
}

sqlite3_stmt* SqliteStore::Prepare(const std::string& sql, Status* st) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    *st = Error("prepare");
    return nullptr;
  }
  cache_.emplace(sql, stmt);
  return stmt;
}

Status SqliteStore::CheckIdentity(OpenMode mode) {
  return CheckHitloopIdentity(db_, path_, mode, nullptr);
}

Status SqliteStore::Migrate() {
  int64_t version = 0;
  {
    PREPARE(s, "PRAGMA user_version");
    if (s.Step() == SQLITE_ROW) version = s.Int(0);
    else return Error("read user_version");
  }
  const auto& migrations = Migrations();
  if (version > static_cast<int64_t>(migrations.size())) {
    return FailedPrecondition(path_ + ": database schema version " + std::to_string(version) +
                              " is newer than this hitloop (" + std::to_string(migrations.size()) + ")");
  }
  for (size_t v = static_cast<size_t>(version); v < migrations.size(); ++v) {
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status st = Exec(migrations[v]);
    if (st.ok() && v == 0) st = Exec(("PRAGMA application_id=" + std::to_string(kHitloopApplicationId)).c_str());
    if (st.ok()) st = Exec(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
    if (!st.ok()) {
      (void)Exec("ROLLBACK");
      return st;
    }
    RETURN_IF_ERROR(Exec("COMMIT"));
  }
  return Status::Ok();
}

namespace {
std::string SavepointName(int depth) { return "hitloop_sp" + std::to_string(depth); }
}  // namespace

Status SqliteStore::Run(const std::string& sql) {
  Status st;
  sqlite3_stmt* raw = Prepare(sql, &st);
  if (raw == nullptr) return st;
  Stmt s(raw);
  int rc = s.Step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Error(sql);
  return Status::Ok();
}

// Nesting: depth 1 is the real transaction (BEGIN IMMEDIATE ... COMMIT); each deeper level is a
// SAVEPOINT named after its depth, so the names always match the Begin/Commit pairing.
Status SqliteStore::Begin() {
  RETURN_IF_ERROR(CheckWritable());
  if (read_txn_) return FailedPrecondition(path_ + ": write inside a read snapshot");
  if (depth_ == 0) {
    RETURN_IF_ERROR(Run("BEGIN IMMEDIATE"));
  } else {
    // SQLite ended the transaction on its own (some I/O errors do): the enclosing writes are
    // gone while their owner still expects a commit. Fail-stop.
    if (!DbInTransaction()) return Abandoned();
    RETURN_IF_ERROR(Run("SAVEPOINT " + SavepointName(depth_)));
  }
  ++depth_;
  return Status::Ok();
}

// SQLite rolled the transaction back on its own (after an I/O or constraint error in a statement):
// nothing of it can be trusted, so the store stops accepting writes (fail-stop).
Status SqliteStore::Abandoned() {
  poisoned_ = true;
  vector_dims_.clear();
  return IoError(path_ + ": transaction abandoned by the database after an earlier error");
}

Status SqliteStore::Commit() {
  if (depth_ == 0) return FailedPrecondition("commit without transaction");
  if (depth_ > 1) {
    --depth_;
    if (!DbInTransaction()) return Abandoned();
    const std::string name = SavepointName(depth_);
    Status st = Run("RELEASE " + name);
    if (!st.ok()) {
      // Leave the enclosing transaction as it was before this level began.
      vector_dims_.clear();
      (void)Run("ROLLBACK TO " + name);
      (void)Run("RELEASE " + name);
    }
    return st;
  }
  depth_ = 0;
  if (!DbInTransaction()) return Abandoned();
  Status st = Run("COMMIT");
  if (!st.ok()) {
    if (DbInTransaction()) (void)Run("ROLLBACK");
    // SQLITE_BUSY on COMMIT is retryable in principle, but we cannot tell a half-done fsync
    // from a clean refusal here: fail-stop (CONTRIBUTING.md, "Errors").
    poisoned_ = true;
    vector_dims_.clear();
    return st;
  }
  return Status::Ok();
}

Status SqliteStore::Rollback() {
  vector_dims_.clear();  // may name a vector size only the rolled-back writes had
  if (depth_ == 0) return Status::Ok();
  if (depth_ > 1) {
    --depth_;
    if (!DbInTransaction()) return Abandoned();
    const std::string name = SavepointName(depth_);
    Status st = Run("ROLLBACK TO " + name);
    if (st.ok()) st = Run("RELEASE " + name);
    return st;
  }
  depth_ = 0;
  if (!DbInTransaction()) return Status::Ok();
  return Run("ROLLBACK");
}

void SqliteStore::SetLockWait(int64_t ms) { lock_wait_.ms = std::max<int64_t>(ms, 0); }

// A deferred BEGIN takes no lock until the first read, and that read's snapshot then holds
// until COMMIT. Inside a write transaction there is nothing to do.
Status SqliteStore::BeginRead() {
  if (read_depth_ == 0 && depth_ == 0) {
    RETURN_IF_ERROR(Run("BEGIN"));
    read_txn_ = true;
  }
  ++read_depth_;
  return Status::Ok();
}

Status SqliteStore::EndRead() {
  if (read_depth_ == 0) return FailedPrecondition("EndRead without BeginRead");
  if (--read_depth_ > 0 || !read_txn_) return Status::Ok();
  read_txn_ = false;
  if (!DbInTransaction()) return Status::Ok();  // SQLite ended it on an error
  Status st = Run("COMMIT");
  if (!st.ok() && DbInTransaction()) (void)Run("ROLLBACK");
  return st;
}

Status SqliteStore::AutoTxn(const std::function<Status()>& fn) {
  RETURN_IF_ERROR(CheckWritable());
  return InTransaction(fn);
}

Status SqliteStore::AutoTxnOneStatement(const std::function<Status()>& fn) {
  RETURN_IF_ERROR(CheckWritable());
  if (depth_ > 0) return fn();
  return InTransaction(fn);
}

// ---------------------------------------------------------------- projects

Result<Project> SqliteStore::CreateProject(const Project& p) {
  RETURN_IF_ERROR(ValidateName("project name", p.name, kMaxProjectNameBytes));
  for (const auto& l : p.labels) RETURN_IF_ERROR(ValidateLabelName(l));
  Project out = p;
  out.created_at = p.created_at ? p.created_at : Now();
  Status st = AutoTxn([&]() -> Status {
    {
      PREPARE(s, "INSERT INTO projects(name, task_type, config, created_at) VALUES(?,?,?,?)");
      s.Bind(1, p.name).Bind(2, std::string(TaskTypeName(p.type))).Bind(3, p.config_json).Bind(4, out.created_at);
      if (s.Step() != SQLITE_DONE) {
        if ((sqlite3_extended_errcode(db_) & 0xff) == SQLITE_CONSTRAINT) {
          return AlreadyExists("project '" + p.name + "' already exists");
        }
        return Error("insert project");
      }
    }
    out.id = sqlite3_last_insert_rowid(db_);
    for (size_t i = 0; i < p.labels.size(); ++i) {
      PREPARE(s, "INSERT INTO labels(project_id, idx, name, created_at) VALUES(?,?,?,?)");
      s.Bind(1, out.id).Bind(2, static_cast<int64_t>(i)).Bind(3, p.labels[i]).Bind(4, out.created_at);
      if (s.Step() != SQLITE_DONE) {
        if ((sqlite3_extended_errcode(db_) & 0xff) == SQLITE_CONSTRAINT) {
          return InvalidArgument("label '" + p.labels[i] + "' listed twice");
        }
        return Error("insert label");
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Project> SqliteStore::LoadProject(Stmt& s) {
  Project p;
  p.id = s.Int(0);
  p.name = s.Text(1);
  auto type = ParseTaskType(s.Text(2));
  if (!type.ok()) return Corruption("project " + p.name + ": " + type.status().message());
  p.type = *type;
  p.config_json = s.Text(3);
  p.created_at = s.Int(4);
  PREPARE(l, "SELECT name FROM labels WHERE project_id=? ORDER BY idx");
  l.Bind(1, p.id);
  int rc;
  while ((rc = l.Step()) == SQLITE_ROW) p.labels.push_back(l.Text(0));
  if (rc != SQLITE_DONE) return Error("read labels");
  return p;
}

Result<Project> SqliteStore::GetProject(const std::string& name) {
  PREPARE(s, "SELECT id, name, task_type, config, created_at FROM projects WHERE name=?");
  s.Bind(1, name);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return NotFound("project '" + name + "' not found");
  if (rc != SQLITE_ROW) return Error("read project");
  return LoadProject(s);
}

Result<Project> SqliteStore::GetProjectById(int64_t id) {
  PREPARE(s, "SELECT id, name, task_type, config, created_at FROM projects WHERE id=?");
  s.Bind(1, id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return NotFound("project " + std::to_string(id) + " not found");
  if (rc != SQLITE_ROW) return Error("read project");
  return LoadProject(s);
}

Result<std::vector<Project>> SqliteStore::ListProjects() {
  std::vector<int64_t> ids;
  {
    PREPARE(s, "SELECT id FROM projects ORDER BY id");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) ids.push_back(s.Int(0));
    if (rc != SQLITE_DONE) return Error("list projects");
  }
  std::vector<Project> out;
  for (int64_t id : ids) {
    ASSIGN_OR_RETURN(Project p, GetProjectById(id));
    out.push_back(std::move(p));
  }
  return out;
}

Status SqliteStore::AddLabel(int64_t project_id, const std::string& label) {
  RETURN_IF_ERROR(ValidateLabelName(label));
  return AutoTxn([&]() -> Status {
    int64_t next = 0;
    {
      PREPARE(s, "SELECT COALESCE(MAX(idx)+1, 0) FROM labels WHERE project_id=?");
      s.Bind(1, project_id);
      if (s.Step() != SQLITE_ROW) return Error("read labels");
      next = s.Int(0);
    }
    PREPARE(s, "INSERT INTO labels(project_id, idx, name, created_at) VALUES(?,?,?,?)");
    s.Bind(1, project_id).Bind(2, next).Bind(3, label).Bind(4, Now());
    if (s.Step() != SQLITE_DONE) {
      if ((sqlite3_extended_errcode(db_) & 0xff) == SQLITE_CONSTRAINT) {
        return AlreadyExists("label '" + label + "' already exists");
      }
      return Error("insert label");
    }
    return Status::Ok();
  });
}

Status SqliteStore::SetProjectConfig(int64_t project_id, const std::string& config_json) {
  return AutoTxn([&]() -> Status {
    PREPARE(s, "UPDATE projects SET config=? WHERE id=?");
    s.Bind(1, config_json).Bind(2, project_id);
    if (s.Step() != SQLITE_DONE) return Error("update project config");
    if (sqlite3_changes(db_) == 0) return NotFound("project " + std::to_string(project_id));
    return Status::Ok();
  });
}

Status SqliteStore::CheckIntegrity() {
  PREPARE(s, "PRAGMA integrity_check");
  std::string report;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (!report.empty()) report += "; ";
    report += s.Text(0);
  }
  if (rc != SQLITE_DONE) return Error("integrity_check");
  if (report != "ok") return Corruption(path_ + ": integrity_check: " + report);
  return Status::Ok();
}

}  // namespace sqlite
}  // namespace hitloop

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/prepare.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/ids.h"
#include "schema/names.h"
#include "store/sqlite/identity.h"
#include "store/sqlite/migrations.h"

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
namespace {

std::string LabelsToJson(const std::vector<std::string>& labels) {
  return nlohmann::json(labels).dump();
}

std::vector<std::string> LabelsFromJson(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  // Fast path for what the store itself writes: ["a","b"] with no escapes, no spaces, no
  // control characters. Anything else goes through the JSON parser.
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
    bool simple = true;
    size_t i = 1;
    while (simple && i < s.size() - 1) {
      if (s[i] != '"') { simple = false; break; }
      const size_t close = s.find('"', i + 1);
      if (close == std::string::npos || close >= s.size() - 1) { simple = false; break; }
      for (size_t c = i + 1; c < close; ++c) {
        const unsigned char ch = static_cast<unsigned char>(s[c]);
        if (ch == '\\' || ch < 0x20) { simple = false; break; }
      }
      if (!simple) break;
      out.emplace_back(s, i + 1, close - i - 1);
      i = close + 1;
      if (s[i] == ',') {
        ++i;
        if (i >= s.size() - 1) simple = false;  // a trailing comma
      } else if (i != s.size() - 1) {
        simple = false;
      }
    }
    if (simple) return out;
    out.clear();
  }
  auto j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

int64_t Now() { return SystemClock::Default()->NowMillis(); }

}  // namespace

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
  sqlite3_busy_timeout(s->db_, 10000);
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

void SqliteStore::SetLockWait(int64_t ms) {
  sqlite3_busy_timeout(db_, static_cast<int>(std::clamp<int64_t>(ms, 0, INT32_MAX)));
}

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

// ---------------------------------------------------------------- items

Result<PutItemResult> SqliteStore::PutItem(const Item& item, const std::string& import_tag,
                                           int64_t* id) {
  PutItemResult result = PutItemResult::kInserted;
  // Every vector of a project has the same length (the featurizer's dense block): a record
  // whose vector disagrees is refused here, so the importer names its file and line, instead of
  // every later cycle failing on it.
  if (!item.vector.empty()) {
    int64_t want = 0;
    if (auto it = vector_dims_.find(item.project_id); it != vector_dims_.end()) {
      want = it->second;
    } else {
      PREPARE(q, "SELECT length(vector) / 4 FROM items WHERE project_id=? AND vector IS NOT NULL AND hold IS NULL LIMIT 1");
      q.Bind(1, item.project_id);
      const int rc = q.Step();
      if (rc == SQLITE_ROW) want = q.Int(0);
      else if (rc != SQLITE_DONE) return Error("read the project's vector size");
      if (want > 0) vector_dims_[item.project_id] = want;
    }
    if (want > 0 && want != static_cast<int64_t>(item.vector.size())) {
      return InvalidArgument("vector: has " + std::to_string(item.vector.size()) +
                             " dimensions, the project's vectors have " + std::to_string(want));
    }
  }
  Status st = AutoTxnOneStatement([&]() -> Status {
    PREPARE(s,
            "INSERT INTO items(project_id, external_id, text, vector, meta, content_hash, split, state,"
            " labels, label_source, label_annotator, label_confidence, import_tag, created_at)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(project_id, external_id) DO NOTHING");
    s.Bind(1, item.project_id).BindStatic(2, item.external_id).BindStatic(3, item.text);
    if (item.vector.empty()) s.BindNull(4);
    else s.BindBlob(4, item.vector.data(), item.vector.size() * sizeof(float));
    s.BindStatic(5, item.meta_json).BindStatic(6, item.content_hash);
    s.BindStatic(7, SplitName(item.split)).BindStatic(8, ItemStateName(item.state));
    std::string labels_json;
    if (item.labels.empty()) s.BindNull(9);
    else { labels_json = LabelsToJson(item.labels); s.BindStatic(9, labels_json); }
    if (item.label_source) s.BindStatic(10, LabelSourceName(*item.label_source)); else s.BindNull(10);
    if (item.label_source) s.BindStatic(11, item.label_annotator); else s.BindNull(11);
    if (item.label_confidence) s.Bind(12, *item.label_confidence); else s.BindNull(12);
    s.BindStatic(13, import_tag).Bind(14, Now());
    if (s.Step() != SQLITE_DONE) return Error("insert item " + item.external_id);
    if (sqlite3_changes(db_) == 1) {
      *id = sqlite3_last_insert_rowid(db_);
      result = PutItemResult::kInserted;
      if (!item.vector.empty()) vector_dims_[item.project_id] = static_cast<int64_t>(item.vector.size());
      return Status::Ok();
    }
    PREPARE(q, "SELECT id, import_tag FROM items WHERE project_id=? AND external_id=?");
    q.Bind(1, item.project_id).BindStatic(2, item.external_id);
    if (q.Step() != SQLITE_ROW) return Error("find item " + item.external_id);
    *id = q.Int(0);
    result = (!import_tag.empty() && q.Text(1) == import_tag) ? PutItemResult::kDuplicateInImport
                                                              : PutItemResult::kExisting;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return result;
}

static const char* kItemColumns =
    "id, project_id, external_id, text, vector, meta, content_hash, split, state, labels,"
    " label_source, label_annotator, label_confidence, hold";

Item SqliteStore::ReadItem(Stmt& s, bool with_vectors) const {
  Item it;
  it.id = s.Int(0);
  it.project_id = s.Int(1);
  it.external_id = s.Text(2);
  it.text = s.Text(3);
  if (with_vectors && !s.IsNull(4)) {
    int n = sqlite3_column_bytes(s.get(), 4);
    const void* p = sqlite3_column_blob(s.get(), 4);
    it.vector.resize(static_cast<size_t>(n) / sizeof(float));
    if (n > 0) std::memcpy(it.vector.data(), p, it.vector.size() * sizeof(float));
  }
  it.meta_json = s.Text(5);
  it.content_hash = s.Text(6);
  it.split = s.Text(7) == "gold" ? Split::kGold : Split::kPool;
  auto st = ParseItemState(s.Text(8));
  it.state = st.ok() ? *st : ItemState::kUnlabeled;
  if (!s.IsNull(9)) it.labels = LabelsFromJson(s.Text(9));
  if (!s.IsNull(10)) {
    auto src = ParseLabelSource(s.Text(10));
    if (src.ok()) it.label_source = *src;
  }
  it.label_annotator = s.Text(11);
  if (!s.IsNull(12)) it.label_confidence = s.Double(12);
  if (!s.IsNull(13)) it.hold = s.Text(13);
  return it;
}

Result<Item> SqliteStore::GetItem(int64_t item_id) {
  PREPARE(s, std::string("SELECT ") + kItemColumns + " FROM items WHERE id=?");
  s.Bind(1, item_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return NotFound("item " + std::to_string(item_id) + " not found");
  if (rc != SQLITE_ROW) return Error("read item");
  return ReadItem(s, true);
}

Result<std::optional<Item>> SqliteStore::FindItem(int64_t project_id, const std::string& external_id) {
  PREPARE(s, std::string("SELECT ") + kItemColumns + " FROM items WHERE project_id=? AND external_id=?");
  s.Bind(1, project_id).Bind(2, external_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Item>();
  if (rc != SQLITE_ROW) return Error("read item");
  return std::optional<Item>(ReadItem(s, true));
}

Status SqliteStore::ScanItems(int64_t project_id, const std::function<bool(const Item&)>& fn,
                              bool with_vectors, bool with_quarantined) {
  // Not cached: a scan may run while callbacks issue other queries on this connection.
  sqlite3_stmt* raw = nullptr;
  // NOT INDEXED: a rowid-order table scan beats an index walk plus a sort and row lookups.
  std::string sql =
      std::string("SELECT ") + kItemColumns + " FROM items NOT INDEXED WHERE project_id=? AND " +
      (with_quarantined ? "(hold IS NULL OR hold='quarantined')" : "hold IS NULL") + " ORDER BY id";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) return Error("prepare scan");
  Stmt s(raw, /*owned=*/true);
  s.Bind(1, project_id);
  int rc;
  Status st;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (!fn(ReadItem(s, with_vectors))) break;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = Error("scan items");
  return st;
}

Status SqliteStore::SetItemState(int64_t item_id, ItemState state) {
  return AutoTxn([&]() -> Status {
    PREPARE(s, "UPDATE items SET state=? WHERE id=?");
    s.BindStatic(1, ItemStateName(state)).Bind(2, item_id);
    if (s.Step() != SQLITE_DONE) return Error("update item state");
    if (sqlite3_changes(db_) == 0) return NotFound("item " + std::to_string(item_id));
    return Status::Ok();
  });
}

// ---------------------------------------------------------------- annotations

Result<int64_t> SqliteStore::AppendAnnotation(const Annotation& a) {
  int64_t id = 0;
  Status st = AutoTxn([&]() -> Status {
    int64_t project_id = 0;
    std::string state;
    {
      PREPARE(s, "SELECT project_id, state, hold FROM items WHERE id=?");
      s.Bind(1, a.item_id);
      int rc = s.Step();
      if (rc == SQLITE_DONE) return NotFound("item " + std::to_string(a.item_id) + " not found");
      if (rc != SQLITE_ROW) return Error("read item");
      project_id = s.Int(0);
      state = s.Text(1);
      if (!s.IsNull(2)) {
        return Conflict("item " + std::to_string(a.item_id) + " is " + s.Text(2) +
                                  ": it takes no annotations");
      }
    }
    const int64_t created = a.created_at ? a.created_at : Now();
    const std::string labels_json = LabelsToJson(a.labels);
    {
      PREPARE(s,
              "INSERT INTO annotations(project_id, item_id, labels, source, annotator, confidence,"
              " time_spent_ms, kind, created_at) VALUES(?,?,?,?,?,?,?,?,?)");
      s.Bind(1, project_id).Bind(2, a.item_id).BindStatic(3, labels_json);
      s.BindStatic(4, LabelSourceName(a.source)).BindStatic(5, a.annotator);
      if (a.confidence) s.Bind(6, *a.confidence); else s.BindNull(6);
      s.Bind(7, a.time_spent_ms).BindStatic(8, a.kind).Bind(9, created);
      if (s.Step() != SQLITE_DONE) return Error("insert annotation");
      id = sqlite3_last_insert_rowid(db_);
    }
    const bool people = a.source == LabelSource::kHuman || a.source == LabelSource::kAudit;
    // A machine label never overwrites a person's.
    if (!people && state == "labeled") return Status::Ok();
    PREPARE(u,
            "UPDATE items SET labels=?, label_source=?, label_annotator=?, label_confidence=?, state=?"
            " WHERE id=?");
    u.BindStatic(1, labels_json).BindStatic(2, LabelSourceName(a.source)).BindStatic(3, a.annotator);
    if (a.confidence) u.Bind(4, *a.confidence); else u.BindNull(4);
    u.BindStatic(5, people ? "labeled" : "auto").Bind(6, a.item_id);
    if (u.Step() != SQLITE_DONE) return Error("update item label");
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return id;
}

namespace {
Annotation ReadAnnotation(Stmt& s) {
  Annotation a;
  a.id = s.Int(0);
  a.item_id = s.Int(1);
  a.labels = LabelsFromJson(s.Text(2));
  auto src = ParseLabelSource(s.Text(3));
  a.source = src.ok() ? *src : LabelSource::kHuman;
  a.annotator = s.Text(4);
  if (!s.IsNull(5)) a.confidence = s.Double(5);
  a.time_spent_ms = s.Int(6);
  a.kind = s.Text(7);
  a.created_at = s.Int(8);
  return a;
}
constexpr const char* kAnnotationColumns =
    "id, item_id, labels, source, annotator, confidence, time_spent_ms, kind, created_at";
}  // namespace

Result<std::vector<Annotation>> SqliteStore::ListAnnotations(int64_t item_id) {
  PREPARE(s, std::string("SELECT ") + kAnnotationColumns + " FROM annotations WHERE item_id=? ORDER BY id");
  s.Bind(1, item_id);
  std::vector<Annotation> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadAnnotation(s));
  if (rc != SQLITE_DONE) return Error("list annotations");
  return out;
}

Status SqliteStore::ScanAnnotations(int64_t project_id, const std::function<bool(const Annotation&)>& fn,
                                    int64_t after_id) {
  sqlite3_stmt* raw = nullptr;
  std::string sql = std::string("SELECT ") + kAnnotationColumns +
                    " FROM annotations WHERE project_id=? AND id>? ORDER BY id";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) return Error("prepare scan");
  Stmt s(raw, /*owned=*/true);
  s.Bind(1, project_id).Bind(2, after_id);
  int rc;
  Status st;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (!fn(ReadAnnotation(s))) break;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) st = Error("scan annotations");
  return st;
}

// ---------------------------------------------------------------- predictions

Status SqliteStore::PutPrediction(const Prediction& p) {
  return AutoTxnOneStatement([&]() -> Status {
    PREPARE(s,
            "INSERT INTO predictions(item_id, model_version, label, confidence, distribution, created_at,"
            " project_id) VALUES(?1,?2,?3,?4,?5,?6,(SELECT project_id FROM items WHERE id=?1))"
            " ON CONFLICT(project_id, item_id, model_version) DO UPDATE SET"
            " label=excluded.label, confidence=excluded.confidence,"
            " distribution=excluded.distribution, created_at=excluded.created_at");
    s.Bind(1, p.item_id).BindStatic(2, p.model_version).BindStatic(3, p.label).Bind(4, p.confidence);
    if (p.distribution.empty()) s.BindNull(5);
    else s.BindBlob(5, p.distribution.data(), p.distribution.size() * sizeof(double));
    s.Bind(6, p.created_at ? p.created_at : Now());
    if (s.Step() != SQLITE_DONE) return Error("insert prediction");
    return Status::Ok();
  });
}

Result<std::optional<Prediction>> SqliteStore::LatestPrediction(int64_t item_id) {
  PREPARE(s,
          "SELECT item_id, model_version, label, confidence, distribution, created_at FROM predictions"
          " WHERE item_id=? ORDER BY created_at DESC, model_version DESC LIMIT 1");
  s.Bind(1, item_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Prediction>();
  if (rc != SQLITE_ROW) return Error("read prediction");
  Prediction p = PredictionFromRow(s);
  return std::optional<Prediction>(std::move(p));
}

Status SqliteStore::ScanLatestPredictions(int64_t project_id, int64_t after_item_id,
                                          const std::function<bool(const Prediction&)>& fn) {
  sqlite3_stmt* raw = nullptr;
  const char* sql =
      "SELECT item_id, model_version, label, confidence, distribution, created_at FROM predictions"
      " WHERE project_id=? AND item_id>? ORDER BY item_id";
  if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) return Error("prepare scan");
  Stmt s(raw, /*owned=*/true);
  s.Bind(1, project_id).Bind(2, after_item_id);
  std::optional<Prediction> pending;
  int rc;
  bool stopped = false;
  while ((rc = s.Step()) == SQLITE_ROW) {
    Prediction p = PredictionFromRow(s);
    if (pending && pending->item_id != p.item_id) {
      if (!fn(*pending)) { stopped = true; pending.reset(); break; }
      pending.reset();
    }
    // Several model versions per item: keep the newest.
    if (!pending || p.created_at >= pending->created_at) pending = std::move(p);
  }
  Status st;
  if (!stopped && rc != SQLITE_DONE) st = Error("scan predictions");
  if (st.ok() && pending) fn(*pending);
  return st;
}

// ---------------------------------------------------------------- queue and leases

Result<int64_t> SqliteStore::Enqueue(const QueueEntry& e) {
  if (e.overlap < 1) return InvalidArgument("overlap: must be >= 1");
  int64_t id = 0;
  Status st = AutoTxn([&]() -> Status {
    PREPARE(s,
            "INSERT INTO queue(project_id, item_id, pool, kind, priority, overlap, done, open, created_at, reason)"
            " VALUES(?,?,?,?,?,?,0,1,?,?) ON CONFLICT(item_id, kind) WHERE open=1 DO UPDATE SET"
            " pool=excluded.pool, priority=excluded.priority, overlap=excluded.overlap, busy_until=0,"
            " reason=excluded.reason RETURNING id");
    s.Bind(1, e.project_id).Bind(2, e.item_id).Bind(3, e.pool).Bind(4, e.kind).Bind(5, e.priority);
    s.Bind(6, static_cast<int64_t>(e.overlap)).Bind(7, Now()).Bind(8, e.reason);
    if (s.Step() != SQLITE_ROW) return Error("enqueue");
    id = s.Int(0);
    if (s.Step() != SQLITE_DONE) return Error("enqueue");
    PREPARE(u, "UPDATE items SET state='queued' WHERE id=? AND state IN ('unlabeled','auto')");
    u.Bind(1, e.item_id);
    if (u.Step() != SQLITE_DONE) return Error("mark queued");
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return id;
}

Status SqliteStore::ClearQueue(int64_t project_id, const std::string& kind) {
  return AutoTxn([&]() -> Status {
    // Entries someone holds or has partly answered stay; untouched ones close.
    PREPARE(s,
            "UPDATE queue SET open=0 WHERE project_id=? AND kind=? AND open=1 AND done=0 AND NOT EXISTS"
            " (SELECT 1 FROM leases l WHERE l.queue_id=queue.id AND l.state='active' AND l.expires_at>?)");
    s.Bind(1, project_id).Bind(2, kind).Bind(3, Now());
    if (s.Step() != SQLITE_DONE) return Error("clear queue");
    PREPARE(u,
            "UPDATE items SET state='unlabeled' WHERE project_id=? AND state='queued' AND NOT EXISTS"
            " (SELECT 1 FROM queue q WHERE q.item_id=items.id AND q.open=1)");
    u.Bind(1, project_id);
    if (u.Step() != SQLITE_DONE) return Error("clear queue states");
    return Status::Ok();
  });
}

Result<std::optional<ClaimResult>> SqliteStore::Claim(const ClaimRequest& req) {
  if (req.pools.empty()) return std::optional<ClaimResult>();
  std::string sql =
      "SELECT q.id, q.item_id, q.pool, q.kind, q.priority, q.overlap, q.done, q.reason FROM queue q"
      " WHERE q.project_id=?1 AND q.open=1 AND q.pool IN (";
  for (size_t i = 0; i < req.pools.size(); ++i) sql += (i ? ",?" : "?") + std::to_string(4 + i);
  sql += ")";
  size_t next = 4 + req.pools.size();
  if (!req.kinds.empty()) {
    sql += " AND q.kind IN (";
    for (size_t i = 0; i < req.kinds.size(); ++i) sql += (i ? ",?" : "?") + std::to_string(next + i);
    sql += ")";
    next += req.kinds.size();
  }
  const size_t exclude_at = next;
  if (!req.exclude_kinds.empty()) {
    sql += " AND q.kind NOT IN (";
    for (size_t i = 0; i < req.exclude_kinds.size(); ++i) sql += (i ? ",?" : "?") + std::to_string(next + i);
    sql += ")";
  }
  // The busy_until test is answered from the index (queue_claim covers it), before the lease
  // subqueries (SQLite codes terms with subqueries last): held entries cost no lease lookups.
  sql +=
      " AND q.busy_until<=?2"
      " AND q.done + (SELECT COUNT(*) FROM leases l WHERE l.queue_id=q.id AND l.state='active'"
      "   AND l.expires_at>?2) < q.overlap"
      " AND NOT EXISTS (SELECT 1 FROM leases m WHERE m.queue_id=q.id AND m.annotator=?3 AND"
      "   (m.state IN ('submitted','skipped') OR (m.state='active' AND m.expires_at>?2)))"
      // An item can have two open entries (a review and an audit the cycle drew while the
      // review was out): the overlap is per item, so an item held under one entry is not handed
      // out under another until that lease ends.
      " AND NOT EXISTS (SELECT 1 FROM queue o JOIN leases h ON h.queue_id=o.id"
      "   WHERE o.item_id=q.item_id AND o.id!=q.id AND o.open=1"
      "   AND h.state='active' AND h.expires_at>?2)"
      // An adjudication is never given to one of the people whose answers it settles.
      " AND NOT (q.kind='adjudicate' AND EXISTS (SELECT 1 FROM queue r JOIN leases d ON d.queue_id=r.id"
      "   WHERE r.item_id=q.item_id AND r.id!=q.id AND d.annotator=?3 AND d.state='submitted'))"
      " ORDER BY q.priority DESC, q.id LIMIT 1";
  std::optional<ClaimResult> out;
  Status st = AutoTxn([&]() -> Status {
    QueueEntry e;
    {
      PREPARE(s, sql);
      s.Bind(1, req.project_id).Bind(2, req.now).Bind(3, req.annotator);
      for (size_t i = 0; i < req.pools.size(); ++i) s.Bind(static_cast<int>(4 + i), req.pools[i]);
      for (size_t i = 0; i < req.kinds.size(); ++i) s.Bind(static_cast<int>(4 + req.pools.size() + i), req.kinds[i]);
      for (size_t i = 0; i < req.exclude_kinds.size(); ++i) {
        s.Bind(static_cast<int>(exclude_at + i), req.exclude_kinds[i]);
      }
      int rc = s.Step();
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return Error("claim");
      e.id = s.Int(0);
      e.project_id = req.project_id;
      e.item_id = s.Int(1);
      e.pool = s.Text(2);
      e.kind = s.Text(3);
      e.priority = s.Double(4);
      e.overlap = static_cast<int>(s.Int(5));
      e.done = static_cast<int>(s.Int(6));
      e.reason = s.Text(7);
    }
    Lease l;
    l.id = req.lease_id.empty() ? TimeOrderedId(req.now) : req.lease_id;
    l.item_id = e.item_id;
    l.project_id = req.project_id;
    l.annotator = req.annotator;
    l.pool = e.pool;
    l.kind = e.kind;
    l.created_at = req.now;
    l.expires_at = req.now + req.ttl_ms;
    PREPARE(ins,
            "INSERT INTO leases(id, queue_id, item_id, project_id, annotator, pool, kind, created_at,"
            " expires_at, state) VALUES(?,?,?,?,?,?,?,?,?,'active')");
    ins.Bind(1, l.id).Bind(2, e.id).Bind(3, l.item_id).Bind(4, l.project_id).Bind(5, l.annotator);
    ins.Bind(6, l.pool).Bind(7, l.kind).Bind(8, l.created_at).Bind(9, l.expires_at);
    if (ins.Step() != SQLITE_DONE) return Error("insert lease");
    {
      // This lease may have filled the entry's last slot: then nobody can claim it before the
      // first of its unexpired leases expires (or one ends early, which resets the hint).
      PREPARE(busy,
              "UPDATE queue SET busy_until=(SELECT MIN(expires_at) FROM leases l WHERE l.queue_id=?1"
              " AND l.state='active' AND l.expires_at>?2) WHERE id=?1 AND done+(SELECT COUNT(*) FROM"
              " leases l WHERE l.queue_id=?1 AND l.state='active' AND l.expires_at>?2)>=overlap");
      busy.Bind(1, e.id).Bind(2, req.now);
      if (busy.Step() != SQLITE_DONE) return Error("mark queue entry busy");
    }
    out = ClaimResult{std::move(l), std::move(e)};
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Lease> SqliteStore::GetLease(const std::string& lease_id) {
  PREPARE(s,
          "SELECT id, item_id, project_id, annotator, pool, kind, created_at, expires_at, state"
          " FROM leases WHERE id=?");
  s.Bind(1, lease_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return NotFound("lease not found");
  if (rc != SQLITE_ROW) return Error("read lease");
  Lease l = LeaseFromRow(s);
  return l;
}

Status SqliteStore::FinishLease(const std::string& lease_id, const std::string& annotator,
                                const std::string& new_state, int64_t now) {
  if (new_state != "submitted" && new_state != "released" && new_state != "skipped") {
    return InvalidArgument("lease state: " + new_state);
  }
  return AutoTxn([&]() -> Status {
    int64_t queue_id = 0;
    {
      PREPARE(s, "SELECT queue_id, annotator, state, expires_at FROM leases WHERE id=?");
      s.Bind(1, lease_id);
      int rc = s.Step();
      if (rc == SQLITE_DONE) return NotFound("lease not found");
      if (rc != SQLITE_ROW) return Error("read lease");
      if (s.Text(1) != annotator) return Conflict("lease is held by someone else");
      if (s.Text(2) != "active") return Conflict("lease is " + s.Text(2));
      if (s.Int(3) <= now) return Conflict("lease expired");
      queue_id = s.Int(0);
    }
    {
      PREPARE(u, "UPDATE leases SET state=?, finished_at=? WHERE id=? AND state='active'");
      u.Bind(1, new_state).Bind(2, now).Bind(3, lease_id);
      if (u.Step() != SQLITE_DONE) return Error("finish lease");
      if (sqlite3_changes(db_) != 1) return Conflict("lease changed concurrently");
    }
    // A lease that ends early frees its slot (or, submitted, turns it into a done one): the
    // entry's busy hint is reset, and the next claim counts its leases.
    if (new_state == "submitted") {
      PREPARE(q, "UPDATE queue SET done=done+1, open=CASE WHEN done+1>=overlap THEN 0 ELSE open END,"
                 " busy_until=0 WHERE id=?");
      q.Bind(1, queue_id);
      if (q.Step() != SQLITE_DONE) return Error("update queue");
    } else {
      PREPARE(q, "UPDATE queue SET busy_until=0 WHERE id=? AND busy_until!=0");
      q.Bind(1, queue_id);
      if (q.Step() != SQLITE_DONE) return Error("update queue");
    }
    return Status::Ok();
  });
}

// ---------------------------------------------------------------- status

Result<ProjectStatus> SqliteStore::GetStatus(int64_t project_id) {
  ProjectStatus out;
  {
    PREPARE(s,
            "SELECT state, label_source, split, COUNT(*), hold FROM items WHERE project_id=?"
            " GROUP BY state, label_source, split, hold");
    s.Bind(1, project_id);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      int64_t n = s.Int(3);
      if (!s.IsNull(4)) {
        (s.Text(4) == "deleted" ? out.deleted : out.quarantined) += n;
        continue;
      }
      out.items += n;
      out.by_state[s.Text(0)] += n;
      if (!s.IsNull(1)) out.by_label_source[s.Text(1)] += n;
      out.by_split[s.Text(2)] += n;
    }
    if (rc != SQLITE_DONE) return Error("status");
  }
  {
    PREPARE(s,
            "SELECT labels, COUNT(*) FROM items WHERE project_id=? AND labels IS NOT NULL AND hold IS NULL"
            " GROUP BY labels");
    s.Bind(1, project_id);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      for (const auto& l : LabelsFromJson(s.Text(0))) out.by_label[l] += s.Int(1);
    }
    if (rc != SQLITE_DONE) return Error("status labels");
  }
  {
    PREPARE(s, "SELECT COUNT(*) FROM annotations WHERE project_id=?");
    s.Bind(1, project_id);
    if (s.Step() != SQLITE_ROW) return Error("status annotations");
    out.annotations = s.Int(0);
  }
  {
    PREPARE(s,
            "SELECT COUNT(DISTINCT item_id) FROM predictions WHERE project_id=?");
    s.Bind(1, project_id);
    if (s.Step() != SQLITE_ROW) return Error("status predictions");
    out.predictions = s.Int(0);
  }
  {
    PREPARE(s, "SELECT COALESCE(SUM(n), 0) FROM queue_open_counts WHERE project_id=?");  // migration 6
    s.Bind(1, project_id);
    if (s.Step() != SQLITE_ROW) return Error("status queue");
    out.queued = s.Int(0);
  }
  {
    PREPARE(s, "SELECT COUNT(*) FROM leases WHERE project_id=? AND state='active' AND expires_at>?");
    s.Bind(1, project_id).Bind(2, Now());
    if (s.Step() != SQLITE_ROW) return Error("status leases");
    out.active_leases = s.Int(0);
  }
  return out;
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

Lease LeaseFromRow(const Stmt& s) {
  Lease l;
  l.id = s.Text(0);
  l.item_id = s.Int(1);
  l.project_id = s.Int(2);
  l.annotator = s.Text(3);
  l.pool = s.Text(4);
  l.kind = s.Text(5);
  l.created_at = s.Int(6);
  l.expires_at = s.Int(7);
  l.state = s.Text(8);
  return l;
}

Prediction PredictionFromRow(const Stmt& s) {
  Prediction p;
  p.item_id = s.Int(0);
  p.model_version = s.Text(1);
  p.label = s.Text(2);
  p.confidence = s.Double(3);
  if (!s.IsNull(4)) {
    const int n = sqlite3_column_bytes(s.get(), 4);
    p.distribution.resize(static_cast<size_t>(n) / sizeof(double));
    if (n > 0) std::memcpy(p.distribution.data(), sqlite3_column_blob(s.get(), 4), p.distribution.size() * sizeof(double));
  }
  p.created_at = s.Int(5);
  return p;
}

}  // namespace sqlite
}  // namespace hitloop

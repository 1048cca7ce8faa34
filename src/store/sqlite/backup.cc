// store/backup.h on SQLite.
//
// The copy uses SQLite's online backup API (sqlite3_backup_*) in ONE step (nPage = -1) rather than
// VACUUM INTO: a single step runs inside one read transaction on the source, so the copy is one
// consistent snapshot, and in WAL mode that reader blocks no writer (a running server keeps
// committing; only the checkpoint waits for the reader). Page-by-page copying costs about a
// memcpy per page, while VACUUM INTO rebuilds every table and index (slower on a large database;
// bench/RESULTS.md "Backup and restore" has both timed). Stepping a few pages at a time would
// give progress but restarts from the first page whenever another connection commits in between,
// which under a busy server may never finish. The same call copies a checked backup into a
// database on restore, where it runs as one write transaction on the destination.
#include "store/backup.h"

#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/stopwatch.h"
#include "store/sqlite/identity.h"

namespace hitloop {
namespace {

using sqlite::CheckHitloopIdentity;

// One connection, closed on scope exit.
struct Conn {
  sqlite3* db = nullptr;
  Conn() = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() { Close(); }
  void Close() {
    if (db != nullptr) sqlite3_close_v2(db);
    db = nullptr;
  }
};

Status SqlError(sqlite3* db, const std::string& path, const std::string& what) {
  const int code = sqlite3_extended_errcode(db) & 0xff;
  std::string msg = path + ": " + what + ": " + sqlite3_errmsg(db);
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Corruption(msg);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Conflict(msg);
  if (code == SQLITE_FULL) return FailedPrecondition(msg + " (disk full)");
  return IoError(msg);
}

Status Open(const std::string& path, bool read_only, Conn* c) {
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &c->db, flags, nullptr) != SQLITE_OK) {
    std::string msg = c->db ? sqlite3_errmsg(c->db) : "out of memory";
    return IoError(path + ": cannot open database: " + msg);
  }
  sqlite3_busy_timeout(c->db, 10000);
  sqlite3_extended_result_codes(c->db, 1);
  return Status::Ok();
}

Status Exec(sqlite3* db, const std::string& path, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return SqlError(db, path, sql);
  return Status::Ok();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// A write-ahead log with frames in it (an empty one, as a read-only connection leaves, is inert).
bool NonEmptyWal(const std::string& db_path) {
  struct stat st;
  return ::stat((db_path + "-wal").c_str(), &st) == 0 && st.st_size > 0;
}

// A file that must exist, be a regular file and not be empty. `kind` names it in the message.
Status CheckInputFile(const std::string& path, const char* kind) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound(path + ": no such " + kind);
    return IoError(path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return FailedPrecondition(path + ": not a regular file");
  if (st.st_size == 0) return NotFound(path + ": empty file, not a hitloop database");
  return Status::Ok();
}

// A destination path: its folder exists; it is not a folder; it exists only with `force`; no
// -wal file sits beside it (it would be replayed into whatever file takes the name).
Status CheckDestination(const std::string& path, bool force, bool* exists) {
  struct stat st;
  *exists = ::stat(path.c_str(), &st) == 0;
  if (*exists && !S_ISREG(st.st_mode)) return FailedPrecondition(path + ": not a regular file");
  if (*exists && !force) {
    return FailedPrecondition(path + ": already exists; --force replaces it");
  }
  if (!*exists && NonEmptyWal(path)) {
    return FailedPrecondition(path + "-wal exists without " + path +
                              ": a leftover write-ahead log would be replayed into the new file; "
                              "move it away first");
  }
  return Status::Ok();
}

std::string DirName(const std::string& path) {
  std::string copy = path;
  return ::dirname(copy.data());
}

std::string BaseName(const std::string& path) {
  std::string copy = path;
  return ::basename(copy.data());
}

Status SyncPath(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return IoError(path + ": cannot open to sync: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return IoError(path + ": fsync: " + std::strerror(err));
  return Status::Ok();
}

// A temporary file beside `dest` (mode 0600), deleted on scope exit unless Published.
class TempFile {
 public:
  ~TempFile() {
    if (!path_.empty()) {
      ::unlink(path_.c_str());
      for (const char* suffix : {"-journal", "-wal", "-shm"}) ::unlink((path_ + suffix).c_str());
    }
  }
  Status Create(const std::string& dest) {
    dir_ = DirName(dest);
    std::string templ = dir_ + "/." + BaseName(dest) + ".tmp-XXXXXX";
    int fd = ::mkstemp(templ.data());
    if (fd < 0) return IoError(templ + ": cannot create a temporary file: " + std::strerror(errno));
    ::fchmod(fd, 0600);
    ::close(fd);
    path_ = templ;
    return Status::Ok();
  }
  const std::string& path() const { return path_; }
  // Syncs the file, gives it the name `dest` (replacing an existing file only with `force`, and
  // then atomically) and syncs the folder.
  Status Publish(const std::string& dest, bool force) {
    RETURN_IF_ERROR(SyncPath(path_, false));
    if (force) {
      if (::rename(path_.c_str(), dest.c_str()) != 0) {
        return IoError(dest + ": cannot rename " + path_ + " to it: " + std::strerror(errno));
      }
    } else if (::link(path_.c_str(), dest.c_str()) == 0) {
      ::unlink(path_.c_str());
    } else if (errno == EEXIST) {
      return FailedPrecondition(dest + ": already exists; --force replaces it");
    } else {
      // A file system without hard links: check, then rename (a small window for a race).
      if (Exists(dest)) return FailedPrecondition(dest + ": already exists; --force replaces it");
      if (::rename(path_.c_str(), dest.c_str()) != 0) {
        return IoError(dest + ": cannot rename " + path_ + " to it: " + std::strerror(errno));
      }
    }
    path_.clear();
    return SyncPath(dir_, true);
  }

 private:
  std::string dir_, path_;
};

// Copies every page of `from` into `to` (see the top of this file for why in one step).
Status CopyAll(sqlite3* from, const std::string& from_path, sqlite3* to,
               const std::string& to_path) {
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (b == nullptr) return SqlError(to, to_path, "start copy from " + from_path);
  int rc;
  for (int attempt = 0;; ++attempt) {
    rc = sqlite3_backup_step(b, -1);
    if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || attempt >= 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const int finish = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    const int code = rc & 0xff;
    std::string msg = to_path + ": copy from " + from_path + ": " + sqlite3_errstr(rc);
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Corruption(msg);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
      return Conflict(msg + " (the database stayed locked)");
    if (code == SQLITE_FULL) return FailedPrecondition(msg + " (disk full)");
    return IoError(msg);
  }
  if (finish != SQLITE_OK) return SqlError(to, to_path, "finish copy from " + from_path);
  return Status::Ok();
}

Result<int64_t> PragmaInt(sqlite3* db, const std::string& path, const char* sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(s);
  int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW) return SqlError(db, path, sql);
  return v;
}

// integrity_check and foreign_key_check into `r` (a check that cannot run is a problem too).
void RunChecks(sqlite3* db, const std::string& path, CheckReport* r) {
  r->integrity.clear();
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr);
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) break;
    const unsigned char* t = sqlite3_column_text(s, 0);
    if (!r->integrity.empty()) r->integrity += "; ";
    r->integrity += t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) {
    r->integrity = std::string("could not run: ") + sqlite3_errmsg(db);
  }
  if (r->integrity != "ok") r->problems.push_back(path + ": integrity_check: " + r->integrity);

  r->foreign_key_violations = 0;
  std::string first;
  s = nullptr;
  rc = sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, nullptr);
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) break;
    if (++r->foreign_key_violations <= 3) {
      auto text = [&](int c) {
        const unsigned char* t = sqlite3_column_text(s, c);
        return std::string(t ? reinterpret_cast<const char*>(t) : "NULL");
      };
      first += (first.empty() ? "" : ", ") + text(0) + " row " + text(1) + " -> " + text(2);
    }
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) {
    r->problems.push_back(path + ": foreign_key_check could not run: " + sqlite3_errmsg(db));
  } else if (r->foreign_key_violations > 0) {
    r->problems.push_back(path +
                          ": foreign_key_check: " + std::to_string(r->foreign_key_violations) +
                          " rows point at missing rows (" + first +
                          (r->foreign_key_violations > 3 ? ", ..." : "") + ")");
  }
}

// Opens `path` read-only as a hitloop database and checks it (CheckDatabase's body).
Result<CheckReport> OpenAndCheck(const std::string& path, const char* kind, Conn* c) {
  RETURN_IF_ERROR(CheckInputFile(path, kind));
  RETURN_IF_ERROR(Open(path, /*read_only=*/true, c));
  CheckReport r;
  r.latest_version = sqlite::LatestSchemaVersion();
  RETURN_IF_ERROR(CheckHitloopIdentity(c->db, path, OpenMode::kMustExist, &r.schema_version));
  RunChecks(c->db, path, &r);
  return r;
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "; ") + s;
  return out;
}

// Copies database `from` into the fresh temporary file `tmp`, opened as *out. The temporary file
// is thrown away on any failure and synced before it is named: no journal.
Status CopyIntoTemp(sqlite3* from, const std::string& from_path, const TempFile& tmp, Conn* out) {
  RETURN_IF_ERROR(Open(tmp.path(), /*read_only=*/false, out));
  RETURN_IF_ERROR(Exec(out->db, tmp.path(), "PRAGMA journal_mode=OFF"));
  RETURN_IF_ERROR(Exec(out->db, tmp.path(), "PRAGMA synchronous=OFF"));
  return CopyAll(from, from_path, out->db, tmp.path());
}

}  // namespace

Result<BackupStats> BackupDatabase(const std::string& source, const std::string& dest,
                                   const BackupOptions& options) {
  RETURN_IF_ERROR(CheckInputFile(source, "database"));
  bool dest_exists = false;
  RETURN_IF_ERROR(CheckDestination(dest, options.force, &dest_exists));
  if (dest_exists) {
    struct stat a, b;
    if (::stat(source.c_str(), &a) == 0 && ::stat(dest.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino) {
      return FailedPrecondition(dest + ": is the database being backed up");
    }
    if (NonEmptyWal(dest)) {
      return FailedPrecondition(dest + ": a database in use (" + dest +
                                "-wal exists); not replaced");
    }
  }
  BackupStats stats;
  Conn src;
  RETURN_IF_ERROR(Open(source, /*read_only=*/false, &src));
  RETURN_IF_ERROR(
      CheckHitloopIdentity(src.db, source, OpenMode::kMustExist, &stats.schema_version));

  TempFile tmp;
  RETURN_IF_ERROR(tmp.Create(dest));
  {
    Conn out;
    const auto t0 = SteadyClock::now();
    RETURN_IF_ERROR(CopyIntoTemp(src.db, source, tmp, &out));
    stats.copy_seconds = SecondsSince(t0);
    src.Close();  // the snapshot ends here
    ASSIGN_OR_RETURN(stats.pages, PragmaInt(out.db, tmp.path(), "PRAGMA page_count"));
    ASSIGN_OR_RETURN(int64_t page_size, PragmaInt(out.db, tmp.path(), "PRAGMA page_size"));
    stats.bytes = stats.pages * page_size;
    if (options.verify) {
      const auto t1 = SteadyClock::now();
      CheckReport r;
      RunChecks(out.db, dest, &r);
      stats.verify_seconds = SecondsSince(t1);
      if (!r.problems.empty()) {
        return Corruption(dest + ": the copy of " + source + " fails its check (" +
                          Joined(r.problems) + "); run `hitloop db check` on the source");
      }
    }
  }
  RETURN_IF_ERROR(tmp.Publish(dest, options.force));
  return stats;
}

Result<CheckReport> CheckDatabase(const std::string& path) {
  Conn c;
  return OpenAndCheck(path, "database", &c);
}

Result<CheckReport> RestoreDatabase(const std::string& backup, const std::string& dest,
                                    bool force) {
  Conn in;
  ASSIGN_OR_RETURN(CheckReport report, OpenAndCheck(backup, "backup file", &in));
  if (!report.problems.empty()) {
    return Corruption(backup + ": not restored: " + Joined(report.problems));
  }
  bool dest_exists = false;
  RETURN_IF_ERROR(CheckDestination(dest, force, &dest_exists));
  if (dest_exists) {
    struct stat a, b;
    if (::stat(backup.c_str(), &a) == 0 && ::stat(dest.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino) {
      return FailedPrecondition(dest + ": is the backup file itself");
    }
    // Replaced in place, in one write transaction of SQLite's own: the database's -wal stays
    // consistent and a crash leaves the old or the new database.
    Conn out;
    RETURN_IF_ERROR(Open(dest, /*read_only=*/false, &out));
    RETURN_IF_ERROR(CheckHitloopIdentity(out.db, dest, OpenMode::kCreateIfMissing, nullptr));
    RETURN_IF_ERROR(CopyAll(in.db, backup, out.db, dest));
    return report;
  }
  TempFile tmp;
  RETURN_IF_ERROR(tmp.Create(dest));
  {
    Conn out;
    RETURN_IF_ERROR(CopyIntoTemp(in.db, backup, tmp, &out));
  }
  RETURN_IF_ERROR(tmp.Publish(dest, /*force=*/false));
  return report;
}

}  // namespace hitloop

// SqliteStore: users, project membership, browser sessions and idempotency keys (the server's
// tables, migration 2). Secrets never arrive here: tokens and session ids come in hashed.
#include <sodium.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_store.h"
#include "schema/names.h"
#include "store/sqlite/prepare.h"

namespace hitloop {

const char* RoleName(Role r) {
  switch (r) {
    case Role::kAnnotator: return "annotator";
    case Role::kReviewer: return "reviewer";
    case Role::kAdmin: return "admin";
  }
  return "annotator";
}

Result<Role> ParseRole(std::string_view s) {
  if (s == "annotator") return Role::kAnnotator;
  if (s == "reviewer") return Role::kReviewer;
  if (s == "admin") return Role::kAdmin;
  return InvalidArgument("role: expected admin|reviewer|annotator, got '" + std::string(s) + "'");
}

namespace sqlite {

namespace {
constexpr const char* kUserColumns = "u.id, u.name, u.role, u.pools, u.created_at, u.disabled";

std::string Sel(const char* rest) { return std::string("SELECT ") + kUserColumns + " FROM users u " + rest; }
}  // namespace

Result<std::optional<User>> SqliteStore::ReadUser(Stmt& s) {
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<User>();
  if (rc != SQLITE_ROW) return Error("read user");
  User u;
  u.id = s.Int(0);
  u.name = s.Text(1);
  auto role = ParseRole(s.Text(2));
  if (!role.ok()) return Corruption("users.role: " + role.status().message());
  u.role = *role;
  u.pools.clear();
  auto j = nlohmann::json::parse(s.Text(3), nullptr, /*allow_exceptions=*/false);
  if (j.is_array()) {
    for (const auto& p : j) {
      if (p.is_string()) u.pools.push_back(p.get<std::string>());
    }
  }
  u.created_at = s.Int(4);
  u.disabled = s.Int(5) != 0;
  return std::optional<User>(std::move(u));
}

Result<User> SqliteStore::CreateUser(const User& u, const std::string& token_hash) {
  RETURN_IF_ERROR(ValidateName("user name", u.name, kMaxUserNameBytes));
  if (token_hash.size() < 16) return InvalidArgument("token hash: too short");
  for (const auto& p : u.pools) {
    if (p.empty()) return InvalidArgument("pools: empty pool name");
    if (p == kGoldPool) return InvalidArgument(std::string("pools: '") + kGoldPool + "' is reserved (gold questions)");
    if (p == kReworkPool) return InvalidArgument(std::string("pools: '") + kReworkPool + "' is reserved (rework)");
  }
  User out = u;
  Status st = AutoTxn([&]() -> Status {
    PREPARE(s, "INSERT INTO users(name, role, pools, token_hash, disabled, created_at) VALUES(?,?,?,?,?,?)");
    s.Bind(1, u.name).Bind(2, std::string(RoleName(u.role))).Bind(3, nlohmann::json(u.pools).dump());
    s.BindBlob(4, token_hash.data(), token_hash.size()).Bind(5, int64_t{u.disabled ? 1 : 0});
    s.Bind(6, u.created_at);
    if (s.Step() != SQLITE_DONE) {
      if ((sqlite3_extended_errcode(db_) & 0xff) == SQLITE_CONSTRAINT) {
        return AlreadyExists("user '" + u.name + "' already exists");
      }
      return Error("insert user");
    }
    out.id = sqlite3_last_insert_rowid(db_);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status SqliteStore::SetUserToken(int64_t user_id, const std::string& token_hash) {
  return AutoTxn([&]() -> Status {
    PREPARE(s, "UPDATE users SET token_hash=? WHERE id=?");
    s.BindBlob(1, token_hash.data(), token_hash.size()).Bind(2, user_id);
    if (s.Step() != SQLITE_DONE) return Error("set token");
    if (sqlite3_changes(db_) != 1) return NotFound("user not found");
    // A new token ends the old sessions too.
    PREPARE(d, "DELETE FROM sessions WHERE user_id=?");
    d.Bind(1, user_id);
    if (d.Step() != SQLITE_DONE) return Error("end sessions");
    return Status::Ok();
  });
}

Status SqliteStore::SetUserDisabled(int64_t user_id, bool disabled) {
  return AutoTxn([&]() -> Status {
    PREPARE(s, "UPDATE users SET disabled=? WHERE id=?");
    s.Bind(1, int64_t{disabled ? 1 : 0}).Bind(2, user_id);
    if (s.Step() != SQLITE_DONE) return Error("disable user");
    if (sqlite3_changes(db_) != 1) return NotFound("user not found");
    if (disabled) {
      PREPARE(d, "DELETE FROM sessions WHERE user_id=?");
      d.Bind(1, user_id);
      if (d.Step() != SQLITE_DONE) return Error("end sessions");
    }
    return Status::Ok();
  });
}

Result<std::optional<User>> SqliteStore::FindUserByTokenHash(const std::string& token_hash) {
  std::string stored;
  std::optional<User> u;
  {
    PREPARE(s, std::string("SELECT ") + kUserColumns +
                        ", u.token_hash FROM users u WHERE u.token_hash=? AND u.disabled=0");
    s.BindBlob(1, token_hash.data(), token_hash.size());
    ASSIGN_OR_RETURN(u, ReadUser(s));
    if (!u) return u;
    stored = std::string(static_cast<const char*>(sqlite3_column_blob(s.get(), 6)),
                         sqlite3_column_bytes(s.get(), 6));
  }
  // The index lookup is by equality; confirm in constant time so the comparison itself leaks
  // nothing about the stored hash.
  if (stored.size() != token_hash.size() ||
      sodium_memcmp(stored.data(), token_hash.data(), stored.size()) != 0) {
    return std::optional<User>();
  }
  return u;
}

Result<std::optional<User>> SqliteStore::FindUserByName(const std::string& name) {
  PREPARE(s, Sel("WHERE u.name=?"));
  s.Bind(1, name);
  return ReadUser(s);
}

Result<std::vector<User>> SqliteStore::ListUsers() {
  PREPARE(s, Sel("ORDER BY u.name"));
  std::vector<User> out;
  while (true) {
    ASSIGN_OR_RETURN(auto u, ReadUser(s));
    if (!u) break;
    out.push_back(std::move(*u));
  }
  return out;
}

Status SqliteStore::AddMember(int64_t project_id, int64_t user_id) {
  return AutoTxn([&]() -> Status {
    PREPARE(s, "INSERT OR IGNORE INTO project_members(project_id, user_id) VALUES(?,?)");
    s.Bind(1, project_id).Bind(2, user_id);
    if (s.Step() != SQLITE_DONE) {
      if ((sqlite3_extended_errcode(db_) & 0xff) == SQLITE_CONSTRAINT) return NotFound("project or user not found");
      return Error("add member");
    }
    return Status::Ok();
  });
}

Result<std::vector<int64_t>> SqliteStore::ListMemberProjects(int64_t user_id) {
  PREPARE(s, "SELECT project_id FROM project_members WHERE user_id=? ORDER BY project_id");
  s.Bind(1, user_id);
  std::vector<int64_t> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(s.Int(0));
  if (rc != SQLITE_DONE) return Error("list members");
  return out;
}

Result<bool> SqliteStore::IsMember(int64_t project_id, int64_t user_id) {
  PREPARE(s, "SELECT 1 FROM project_members WHERE project_id=? AND user_id=?");
  s.Bind(1, project_id).Bind(2, user_id);
  int rc = s.Step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error("is member");
}

Status SqliteStore::CreateSession(const std::string& session_hash, int64_t user_id, int64_t now,
                                  int64_t expires_at) {
  return AutoTxn([&]() -> Status {
    // Expired sessions are swept as new ones arrive: no background thread.
    PREPARE(d, "DELETE FROM sessions WHERE expires_at<=?");
    d.Bind(1, now);
    if (d.Step() != SQLITE_DONE) return Error("sweep sessions");
    PREPARE(s, "INSERT INTO sessions(hash, user_id, created_at, expires_at) VALUES(?,?,?,?)");
    s.BindBlob(1, session_hash.data(), session_hash.size()).Bind(2, user_id).Bind(3, now).Bind(4, expires_at);
    if (s.Step() != SQLITE_DONE) return Error("insert session");
    return Status::Ok();
  });
}

Result<std::optional<User>> SqliteStore::FindSession(const std::string& session_hash, int64_t now) {
  PREPARE(s, Sel("JOIN sessions x ON x.user_id=u.id WHERE x.hash=? AND x.expires_at>? AND u.disabled=0"));
  s.BindBlob(1, session_hash.data(), session_hash.size()).Bind(2, now);
  return ReadUser(s);
}

Status SqliteStore::DeleteSession(const std::string& session_hash) {
  return AutoTxn([&]() -> Status {
    PREPARE(s, "DELETE FROM sessions WHERE hash=?");
    s.BindBlob(1, session_hash.data(), session_hash.size());
    if (s.Step() != SQLITE_DONE) return Error("delete session");
    return Status::Ok();
  });
}

Result<std::optional<IdempotentResponse>> SqliteStore::GetIdempotent(int64_t user_id,
                                                                     const std::string& key) {
  PREPARE(s, "SELECT fingerprint, status, body FROM idempotency WHERE user_id=? AND key=?");
  s.Bind(1, user_id).Bind(2, key);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<IdempotentResponse>();
  if (rc != SQLITE_ROW) return Error("read idempotency key");
  IdempotentResponse r;
  r.fingerprint = s.Text(0);
  r.status = static_cast<int>(s.Int(1));
  r.body = s.Text(2);
  return std::optional<IdempotentResponse>(std::move(r));
}

Status SqliteStore::PutIdempotent(int64_t user_id, const std::string& key, const IdempotentResponse& r,
                                  int64_t now) {
  return AutoTxn([&]() -> Status {
    PREPARE(s,
                 "INSERT INTO idempotency(user_id, key, fingerprint, status, body, created_at)"
                 " VALUES(?,?,?,?,?,?)");
    s.Bind(1, user_id).Bind(2, key).Bind(3, r.fingerprint).Bind(4, static_cast<int64_t>(r.status));
    s.Bind(5, r.body).Bind(6, now);
    if (s.Step() != SQLITE_DONE) {
      if ((sqlite3_extended_errcode(db_) & 0xff) == SQLITE_CONSTRAINT) {
        return AlreadyExists("idempotency key already used");
      }
      return Error("store idempotency key");
    }
    return Status::Ok();
  });
}

Result<std::map<std::pair<std::string, std::string>, int64_t>> SqliteStore::QueueCounts(int64_t project_id) {
  // queue_open_counts is kept by triggers (migration 6).
  PREPARE(s, "SELECT pool, kind, n FROM queue_open_counts WHERE project_id=? AND n>0");
  s.Bind(1, project_id);
  std::map<std::pair<std::string, std::string>, int64_t> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out[{s.Text(0), s.Text(1)}] = s.Int(2);
  if (rc != SQLITE_DONE) return Error("queue counts");
  return out;
}

Result<int64_t> SqliteStore::CountOpenQueue(int64_t project_id, const std::vector<std::string>& pools) {
  int64_t total = 0;
  for (const auto& pool : pools) {
    // queue_open_counts is kept by triggers (migration 6): a lookup, not a count.
    PREPARE(s, "SELECT COALESCE(SUM(n), 0) FROM queue_open_counts WHERE project_id=? AND pool=?");
    s.Bind(1, project_id).Bind(2, pool);
    if (s.Step() != SQLITE_ROW) return Error("count queue");
    total += s.Int(0);
  }
  return total;
}

Result<std::vector<Lease>> SqliteStore::ListSubmittedLeases(int64_t project_id, const std::string& annotator,
                                                            int limit) {
  // leases_by_annotator (migration 8): an index range walked from its newest end.
  PREPARE(s,
          "SELECT id, item_id, project_id, annotator, pool, kind, created_at, expires_at, state FROM leases"
          " WHERE project_id=? AND annotator=? AND state='submitted' ORDER BY created_at DESC, id DESC LIMIT ?");
  s.Bind(1, project_id).Bind(2, annotator).Bind(3, static_cast<int64_t>(std::max(0, limit)));
  std::vector<Lease> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    ASSIGN_OR_RETURN(Lease l, LeaseFromRow(s));
    out.push_back(std::move(l));
  }
  if (rc != SQLITE_DONE) return Error("list submitted leases");
  return out;
}


}  // namespace sqlite
}  // namespace hitloop

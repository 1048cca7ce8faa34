// PgStore: users, project membership, browser sessions and idempotency keys. Secrets never
// arrive here: tokens and session ids come in hashed (bytea).
#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "schema/names.h"
#include "store/postgres/pg_store.h"

namespace hitloop::pg {

namespace {
constexpr const char* kUserColumns = "u.id, u.name, u.role, u.pools, u.created_at, u.disabled";
std::string Sel(const char* rest) { return std::string("SELECT ") + kUserColumns + " FROM users u " + rest; }

Result<User> UserFromRow(const PgRows& r, int i) {
  User u;
  u.id = r.Int(i, 0);
  u.name = r.Text(i, 1);
  auto role = ParseRole(r.Text(i, 2));
  if (!role.ok()) return Corruption("users.role: " + role.status().message());
  u.role = *role;
  u.pools.clear();
  auto j = nlohmann::json::parse(r.Text(i, 3), nullptr, /*allow_exceptions=*/false);
  if (j.is_array()) {
    for (const auto& p : j) {
      if (p.is_string()) u.pools.push_back(p.get<std::string>());
    }
  }
  u.created_at = r.Int(i, 4);
  u.disabled = r.Bool(i, 5);
  return u;
}
}  // namespace

Result<std::optional<User>> PgStore::ReadUser(const PgRows& rows) {
  if (rows.rows() == 0) return std::optional<User>();
  ASSIGN_OR_RETURN(User u, UserFromRow(rows, 0));
  return std::optional<User>(std::move(u));
}

Result<User> PgStore::CreateUser(const User& u, const std::string& token_hash) {
  RETURN_IF_ERROR(ValidateName("user name", u.name, kMaxUserNameBytes));
  RETURN_IF_ERROR(CheckText("user name", u.name));
  if (token_hash.size() < 16) return InvalidArgument("token hash: too short");
  for (const auto& p : u.pools) {
    if (p.empty()) return InvalidArgument("pools: empty pool name");
    if (p == kGoldPool) return InvalidArgument(std::string("pools: '") + kGoldPool + "' is reserved (gold questions)");
    if (p == kReworkPool) return InvalidArgument(std::string("pools: '") + kReworkPool + "' is reserved (rework)");
    RETURN_IF_ERROR(CheckText("pool", p));
  }
  User out = u;
  Status st = AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(u.name).Add(RoleName(u.role)).Add(nlohmann::json(u.pools).dump());
    p.AddBytes(token_hash.data(), token_hash.size()).Add(u.disabled).Add(u.created_at);
    PgRows r;
    Status ins = Query("INSERT INTO users(name, role, pools, token_hash, disabled, created_at)"
                       " VALUES($1,$2,$3,$4,$5,$6) RETURNING id", p, &r, "insert user");
    if (ins.code() == StatusCode::kAlreadyExists) return AlreadyExists("user '" + u.name + "' already exists");
    RETURN_IF_ERROR(ins);
    out.id = r.Int(0, 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status PgStore::SetUserToken(int64_t user_id, const std::string& token_hash) {
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.AddBytes(token_hash.data(), token_hash.size()).Add(user_id);
    PgRows r;
    RETURN_IF_ERROR(Query("UPDATE users SET token_hash=$1 WHERE id=$2", p, &r, "set token"));
    if (r.affected() != 1) return NotFound("user not found");
    PgParams d;
    d.Add(user_id);
    return Query("DELETE FROM sessions WHERE user_id=$1", d, "end sessions");  // a new token ends them
  });
}

Status PgStore::SetUserDisabled(int64_t user_id, bool disabled) {
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(disabled).Add(user_id);
    PgRows r;
    RETURN_IF_ERROR(Query("UPDATE users SET disabled=$1 WHERE id=$2", p, &r, "disable user"));
    if (r.affected() != 1) return NotFound("user not found");
    if (!disabled) return Status::Ok();
    PgParams d;
    d.Add(user_id);
    return Query("DELETE FROM sessions WHERE user_id=$1", d, "end sessions");
  });
}

Result<std::optional<User>> PgStore::FindUserByTokenHash(const std::string& token_hash) {
  PgParams p;
  p.AddBytes(token_hash.data(), token_hash.size());
  PgRows r;
  RETURN_IF_ERROR(Query(std::string("SELECT ") + kUserColumns +
                            ", u.token_hash FROM users u WHERE u.token_hash=$1 AND NOT u.disabled",
                        p, &r, "find user by token"));
  ASSIGN_OR_RETURN(auto u, ReadUser(r));
  if (!u) return u;
  // The index lookup is by equality; confirm in constant time.
  const std::string stored = r.Bytes(0, 6);
  if (stored.size() != token_hash.size() ||
      sodium_memcmp(stored.data(), token_hash.data(), stored.size()) != 0) {
    return std::optional<User>();
  }
  return u;
}

Result<std::optional<User>> PgStore::FindUserByName(const std::string& name) {
  if (!CheckText("user name", name).ok()) return std::optional<User>();
  PgParams p;
  p.Add(name);
  PgRows r;
  RETURN_IF_ERROR(Query(Sel("WHERE u.name=$1"), p, &r, "find user"));
  return ReadUser(r);
}

Result<std::vector<User>> PgStore::ListUsers() {
  PgRows r;
  RETURN_IF_ERROR(Query(Sel("ORDER BY u.name COLLATE \"C\""), PgParams(), &r, "list users"));
  std::vector<User> out;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(User u, UserFromRow(r, i));
    out.push_back(std::move(u));
  }
  return out;
}

Status PgStore::AddMember(int64_t project_id, int64_t user_id) {
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(project_id).Add(user_id);
    Status st = Query("INSERT INTO project_members(project_id, user_id) VALUES($1,$2) ON CONFLICT DO NOTHING",
                      p, "add member");
    if (st.code() == StatusCode::kAlreadyExists) return NotFound("project or user not found");  // foreign key
    return st;
  });
}

Result<std::vector<int64_t>> PgStore::ListMemberProjects(int64_t user_id) {
  PgParams p;
  p.Add(user_id);
  PgRows r;
  RETURN_IF_ERROR(Query("SELECT project_id FROM project_members WHERE user_id=$1 ORDER BY project_id", p, &r,
                        "list members"));
  std::vector<int64_t> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.Int(i, 0));
  return out;
}

Result<bool> PgStore::IsMember(int64_t project_id, int64_t user_id) {
  PgParams p;
  p.Add(project_id).Add(user_id);
  PgRows r;
  RETURN_IF_ERROR(Query("SELECT 1 FROM project_members WHERE project_id=$1 AND user_id=$2", p, &r, "is member"));
  return r.rows() > 0;
}

Status PgStore::CreateSession(const std::string& session_hash, int64_t user_id, int64_t now,
                              int64_t expires_at) {
  return AutoTxn([&]() -> Status {
    PgParams d;
    d.Add(now);
    RETURN_IF_ERROR(Query("DELETE FROM sessions WHERE expires_at<=$1", d, "sweep sessions"));
    PgParams p;
    p.AddBytes(session_hash.data(), session_hash.size()).Add(user_id).Add(now).Add(expires_at);
    return Query("INSERT INTO sessions(hash, user_id, created_at, expires_at) VALUES($1,$2,$3,$4)", p,
                 "insert session");
  });
}

Result<std::optional<User>> PgStore::FindSession(const std::string& session_hash, int64_t now) {
  PgParams p;
  p.AddBytes(session_hash.data(), session_hash.size()).Add(now);
  PgRows r;
  RETURN_IF_ERROR(Query(Sel("JOIN sessions x ON x.user_id=u.id WHERE x.hash=$1 AND x.expires_at>$2"
                            " AND NOT u.disabled"), p, &r, "find session"));
  return ReadUser(r);
}

Status PgStore::DeleteSession(const std::string& session_hash) {
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.AddBytes(session_hash.data(), session_hash.size());
    return Query("DELETE FROM sessions WHERE hash=$1", p, "delete session");
  });
}

Result<std::optional<IdempotentResponse>> PgStore::GetIdempotent(int64_t user_id, const std::string& key) {
  if (!CheckText("idempotency key", key).ok()) return std::optional<IdempotentResponse>();
  PgParams p;
  p.Add(user_id).Add(key);
  PgRows r;
  RETURN_IF_ERROR(Query("SELECT fingerprint, status, body FROM idempotency WHERE user_id=$1 AND key=$2", p, &r,
                        "read idempotency key"));
  if (r.rows() == 0) return std::optional<IdempotentResponse>();
  IdempotentResponse out;
  out.fingerprint = r.Text(0, 0);
  out.status = static_cast<int>(r.Int(0, 1));
  out.body = r.Text(0, 2);
  return std::optional<IdempotentResponse>(std::move(out));
}

Status PgStore::PutIdempotent(int64_t user_id, const std::string& key, const IdempotentResponse& resp,
                              int64_t now) {
  RETURN_IF_ERROR(CheckText("idempotency key", key));
  RETURN_IF_ERROR(CheckText("fingerprint", resp.fingerprint));
  RETURN_IF_ERROR(CheckText("body", resp.body));
  return AutoTxn([&]() -> Status {
    PgParams p;
    p.Add(user_id).Add(key).Add(resp.fingerprint).Add(resp.status).Add(resp.body).Add(now);
    Status st = Query("INSERT INTO idempotency(user_id, key, fingerprint, status, body, created_at)"
                      " VALUES($1,$2,$3,$4,$5,$6)", p, "store idempotency key");
    if (st.code() == StatusCode::kAlreadyExists) return AlreadyExists("idempotency key already used");
    return st;
  });
}

}  // namespace hitloop::pg

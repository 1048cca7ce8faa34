#include "store/action_log.h"

#include <sqlite3.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_store.h"
#ifdef HITLOOP_HAVE_POSTGRES
#include "store/postgres/pg_store.h"
#endif

namespace hitloop {
namespace {

Status Validate(const AdminAction& a) {
  if (a.actor.empty()) return InvalidArgument("admin action: actor: empty");
  if (a.action.empty()) return InvalidArgument("admin action: action: empty");
  auto j = nlohmann::json::parse(a.detail.empty() ? "{}" : a.detail, nullptr, false);
  if (!j.is_object()) return InvalidArgument("admin action: detail: not a JSON object");
  return Status::Ok();
}

// SQLite, on the store's connection: one statement, inside the caller's transaction.
Status SqliteError(sqlite3* db, const char* what) {
  const int code = sqlite3_extended_errcode(db);
  const std::string msg = std::string("admin action log: ") + what + ": " + sqlite3_errmsg(db);
  if ((code & 0xff) == SQLITE_FULL) return FailedPrecondition(msg + " (disk full)");
  if ((code & 0xff) == SQLITE_BUSY) return Conflict(msg);
  return IoError(msg);
}

struct Finalize {
  sqlite3_stmt* s = nullptr;
  ~Finalize() { sqlite3_finalize(s); }
};

Status SqliteAppend(sqlite::SqliteStore& store, const AdminAction& a) {
  sqlite3* db = store.db();
  if (sqlite3_get_autocommit(db) != 0) {
    return Internal("admin action log: " + a.action + " written outside the change's transaction");
  }
  Finalize f;
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO admin_actions(at, actor, action, project, target, detail) "
                         "VALUES(?,?,?,?,?,?)",
                         -1, &f.s, nullptr) != SQLITE_OK) {
    return SqliteError(db, "prepare");
  }
  sqlite3_bind_int64(f.s, 1, a.at);
  const std::string detail = a.detail.empty() ? "{}" : a.detail;
  const std::string* texts[] = {&a.actor, &a.action, &a.project, &a.target, &detail};
  for (int i = 0; i < 5; ++i) {
    sqlite3_bind_text(f.s, i + 2, texts[i]->data(), static_cast<int>(texts[i]->size()), SQLITE_STATIC);
  }
  if (sqlite3_step(f.s) != SQLITE_DONE) return SqliteError(db, "insert");
  return Status::Ok();
}

std::string ColumnText(sqlite3_stmt* s, int c) {
  const unsigned char* t = sqlite3_column_text(s, c);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(s, c)))
           : std::string();
}

constexpr const char kListSql[] =
    "SELECT id, at, actor, action, project, target, detail FROM admin_actions "
    "WHERE (?1 = '' OR project = ?1) AND (?2 = '' OR actor = ?2) AND (?3 <= 0 OR id < ?3) "
    "ORDER BY id DESC LIMIT ?4";

Result<std::vector<AdminAction>> SqliteList(sqlite::SqliteStore& store, const AdminActionQuery& q) {
  sqlite3* db = store.db();
  Finalize f;
  if (sqlite3_prepare_v2(db, kListSql, -1, &f.s, nullptr) != SQLITE_OK) return SqliteError(db, "prepare");
  sqlite3_bind_text(f.s, 1, q.project.data(), static_cast<int>(q.project.size()), SQLITE_STATIC);
  sqlite3_bind_text(f.s, 2, q.actor.data(), static_cast<int>(q.actor.size()), SQLITE_STATIC);
  sqlite3_bind_int64(f.s, 3, q.before_id);
  sqlite3_bind_int64(f.s, 4, q.limit);
  std::vector<AdminAction> out;
  int rc;
  while ((rc = sqlite3_step(f.s)) == SQLITE_ROW) {
    AdminAction a;
    a.id = sqlite3_column_int64(f.s, 0);
    a.at = sqlite3_column_int64(f.s, 1);
    a.actor = ColumnText(f.s, 2);
    a.action = ColumnText(f.s, 3);
    a.project = ColumnText(f.s, 4);
    a.target = ColumnText(f.s, 5);
    a.detail = ColumnText(f.s, 6);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "read");
  std::reverse(out.begin(), out.end());
  return out;
}

#ifdef HITLOOP_HAVE_POSTGRES
Status PgAppend(pg::PgStore& store, const AdminAction& a) {
  for (const std::string* t : {&a.actor, &a.action, &a.project, &a.target, &a.detail}) {
    RETURN_IF_ERROR(pg::CheckText("admin action", *t));
  }
  pg::PgParams p;
  p.Add(a.at).Add(a.actor).Add(a.action).Add(a.project).Add(a.target).Add(a.detail.empty() ? "{}" : a.detail);
  return store.Query(
      "INSERT INTO admin_actions(at, actor, action, project, target, detail) VALUES($1,$2,$3,$4,$5,$6)",
      p, "admin action log: insert");
}

Result<std::vector<AdminAction>> PgList(pg::PgStore& store, const AdminActionQuery& q) {
  pg::PgParams p;
  p.Add(q.project).Add(q.actor).Add(q.before_id).Add(q.limit);
  pg::PgRows r;
  RETURN_IF_ERROR(store.Query(
      "SELECT id, at, actor, action, project, target, detail FROM admin_actions "
      "WHERE ($1 = '' OR project = $1) AND ($2 = '' OR actor = $2) AND ($3::bigint <= 0 OR id < $3::bigint) "
      "ORDER BY id DESC LIMIT $4",
      p, &r, "admin action log: read"));
  std::vector<AdminAction> out;
  for (int i = r.rows() - 1; i >= 0; --i) {
    AdminAction a;
    a.id = r.Int(i, 0);
    a.at = r.Int(i, 1);
    a.actor = r.Text(i, 2);
    a.action = r.Text(i, 3);
    a.project = r.Text(i, 4);
    a.target = r.Text(i, 5);
    a.detail = r.Text(i, 6);
    out.push_back(std::move(a));
  }
  return out;
}
#endif

}  // namespace

Status AppendAdminAction(Store& store, const AdminAction& a) {
  RETURN_IF_ERROR(Validate(a));
  if (auto* s = dynamic_cast<sqlite::SqliteStore*>(&store)) return SqliteAppend(*s, a);
#ifdef HITLOOP_HAVE_POSTGRES
  if (auto* pg = dynamic_cast<pg::PgStore*>(&store)) return PgAppend(*pg, a);
#endif
  return Internal("admin action log: unknown store backend");
}

Result<std::vector<AdminAction>> ListAdminActions(Store& store, const AdminActionQuery& q) {
  if (q.limit < 1 || q.limit > 10000) {
    return InvalidArgument("admin action log: limit: " + std::to_string(q.limit) + " is not in 1..10000");
  }
  if (auto* s = dynamic_cast<sqlite::SqliteStore*>(&store)) return SqliteList(*s, q);
#ifdef HITLOOP_HAVE_POSTGRES
  if (auto* pg = dynamic_cast<pg::PgStore*>(&store)) return PgList(*pg, q);
#endif
  return Internal("admin action log: unknown store backend");
}

}  // namespace hitloop

#pragma once
// The admin action log: who changed users, roles, membership, project settings and labels, item
// holds (quarantine, delete, restore), gold marks and flags, and when. Append-only (the table
// refuses UPDATE and DELETE, as the annotation history does); read by admins through
// `hitloop log` (cli/cmd_log.cc) and GET /api/v1/admin/log (server/handlers_admin.cc).
//
// Same transaction as the change: AppendAdminAction writes through the store's own connection, so
// called between the change's Begin() and Commit() (or inside the writer's job for it,
// store/group_commit.h, or Store::InTransaction) the entry is durable exactly when the change is:
// a change that rolls back leaves no entry, and no change is committed without its entry. On
// SQLite it refuses to run outside a transaction (Internal), so a caller cannot forget.
//
// Implemented for both backends beside operations.h's functions (store/action_log.cc): SQLite
// through SqliteStore's connection, PostgreSQL through PgStore::Query. Borrows `store` for the
// call; not thread-safe per Store, like the Store.
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace hitloop {

struct AdminAction {
  int64_t id = 0;       // assigned by the store, increasing
  int64_t at = 0;       // ms since epoch (the caller's clock)
  std::string actor;    // a user's name (server) or "cli:LOGIN" (the command line)
  std::string action;   // what, dotted: "user.create", "items.quarantine", "project.config", ...
  std::string project;  // the project's name; "" for server-wide changes (users)
  std::string target;   // what it was done to: a user's name, item ids, a label
  std::string detail;   // a JSON object with the rest ("{}" when there is nothing more)
};

// Appends `a` (id ignored). InvalidArgument for an empty actor or action, or a detail that is not
// a JSON object.
Status AppendAdminAction(Store& store, const AdminAction& a);

struct AdminActionQuery {
  std::string project;     // only this project's entries ("" = all)
  std::string actor;       // only this actor's ("" = all)
  int64_t before_id = 0;   // > 0: only entries older than this id (paging back)
  int64_t limit = 100;     // the newest `limit` entries that match, 1..10000
};

// The matching entries, oldest first (the newest `limit` of them).
Result<std::vector<AdminAction>> ListAdminActions(Store& store, const AdminActionQuery& q);

}  // namespace hitloop

// hitloop user add NAME --role admin|reviewer|annotator [--pools general,experts] [--projects a,b]
// hitloop user list | hitloop user disable NAME | hitloop user rotate-token NAME
// A new token is printed once (stdout, alone on its line); only its hash is stored.
#include <cstdio>

#include "cli/admin_log.h"
#include "cli/command.h"
#include "store/open.h"
#include "core/clock.h"
#include "core/ids.h"
#include "server/server.h"
#include "store/store.h"

namespace hitloop::cli {
namespace {

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s + ",") {
    if (c == ',') {
      size_t b = cur.find_first_not_of(" \t"), e = cur.find_last_not_of(" \t");
      if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

}  // namespace

void RegisterUser(CLI::App& app, GlobalOptions& g, int* exit_code) {
  auto* user = app.add_subcommand("user", "Manage users and their API tokens");
  user->require_subcommand(1);

  struct AddOpts {
    std::string name, role, pools = "general", projects;
  };
  static AddOpts o;
  auto* add = user->add_subcommand("add", "Add a user and print their API token (shown once)");
  add->add_option("NAME", o.name, "User name")->required();
  add->add_option("--role", o.role, "admin | reviewer | annotator")->required();
  add->add_option("--pools", o.pools, "Comma-separated task pools this user serves")->capture_default_str();
  add->add_option("--projects", o.projects, "Comma-separated projects to join (admins see all)");
  add->callback([&g, exit_code] {
    auto role = ParseRole(o.role);
    if (!role.ok()) { *exit_code = Fail(role.status()); return; }
    User u;
    u.name = o.name;
    u.role = *role;
    u.pools = SplitList(o.pools);
    if (u.pools.empty()) { *exit_code = Fail(InvalidArgument("--pools: at least one pool")); return; }
    u.created_at = SystemClock::Default()->NowMillis();
    auto store = OpenStore(g.db_path, OpenMode::kCreateIfMissing);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    Store& s = **store;
    std::string token = RandomToken(32);
    Status st = s.InTransaction([&]() -> Status {
      ASSIGN_OR_RETURN(User created, s.CreateUser(u, server::HashSecret(token)));
      for (const auto& name : SplitList(o.projects)) {
        auto p = s.GetProject(name);
        if (!p.ok()) return p.status();
        RETURN_IF_ERROR(s.AddMember(p->id, created.id));
      }
      return LogCliAction(s, "user.create", "", created.name,
                          {{"role", RoleName(created.role)}, {"pools", created.pools},
                           {"projects", SplitList(o.projects)}});
    });
    if (!st.ok()) { *exit_code = Fail(st); return; }
    std::fprintf(stderr, "added %s '%s' (pools: %s); API token (shown once):\n", RoleName(u.role),
                 u.name.c_str(), o.pools.c_str());
    std::printf("%s\n", token.c_str());
  });

  auto* list = user->add_subcommand("list", "List users");
  list->callback([&g, exit_code] {
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto users = (*store)->ListUsers();
    if (!users.ok()) { *exit_code = Fail(users.status()); return; }
    for (const auto& u : *users) {
      std::string pools;
      for (const auto& p : u.pools) pools += (pools.empty() ? "" : ",") + p;
      std::printf("%s\t%s\t%s%s\n", u.name.c_str(), RoleName(u.role), pools.c_str(), u.disabled ? "\tdisabled" : "");
    }
  });

  static std::string target;
  auto* disable = user->add_subcommand("disable", "Disable a user (ends their sessions)");
  disable->add_option("NAME", target)->required();
  auto* rotate = user->add_subcommand("rotate-token", "Issue a new token (the old one stops working)");
  rotate->add_option("NAME", target)->required();
  auto find = [&g](Store& s) -> Result<User> {
    ASSIGN_OR_RETURN(auto u, s.FindUserByName(target));
    if (!u) return NotFound("user '" + target + "' not found");
    return *u;
  };
  disable->callback([&g, exit_code, find] {
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto u = find(**store);
    if (!u.ok()) { *exit_code = Fail(u.status()); return; }
    Status st = (*store)->InTransaction([&]() -> Status {
      RETURN_IF_ERROR((*store)->SetUserDisabled(u->id, true));
      return LogCliAction(**store, "user.disable", "", u->name);
    });
    if (!st.ok()) { *exit_code = Fail(st); return; }
    std::printf("disabled '%s'\n", u->name.c_str());
  });
  rotate->callback([&g, exit_code, find] {
    auto store = OpenStore(g.db_path, OpenMode::kMustExist);
    if (!store.ok()) { *exit_code = Fail(store.status()); return; }
    auto u = find(**store);
    if (!u.ok()) { *exit_code = Fail(u.status()); return; }
    std::string token = RandomToken(32);
    Status st = (*store)->InTransaction([&]() -> Status {
      RETURN_IF_ERROR((*store)->SetUserToken(u->id, server::HashSecret(token)));
      return LogCliAction(**store, "user.rotate-token", "", u->name);
    });
    if (!st.ok()) { *exit_code = Fail(st); return; }
    std::fprintf(stderr, "new API token for '%s' (shown once):\n", u->name.c_str());
    std::printf("%s\n", token.c_str());
  });
}

}  // namespace hitloop::cli

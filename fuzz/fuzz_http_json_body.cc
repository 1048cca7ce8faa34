// libFuzzer target: the JSON bodies of the server's routes. A real `hitloop serve`
// (server::Server, the same dispatcher, authentication and handlers) runs in this process on a
// loopback port with its database in the process's temporary folder, an admin and a single-label
// project "p" with queued items. The first input byte picks a POST route (kRoutes); the rest is
// the body. Lease routes get a lease claimed just before (POST tasks/next). A crash, a sanitizer
// report, a 5xx answer or no answer at all is a finding (abort).
#include <httplib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"
#include "fuzz_util.h"
#include "server/server.h"
#include "store/store.h"

using namespace hitloop;

namespace {

constexpr const char* kToken = "fuzz-admin-token";
// POST routes with a JSON body ({lease} routes are claimed first). Not here: import (a streamed
// upload, the import targets read its formats) and cycle (a model training run per input).
constexpr const char* kRoutes[] = {
    "/api/v1/session",
    "/api/v1/projects/p/tasks/next",
    "/api/v1/leases/{lease}/submit",
    "/api/v1/leases/{lease}/skip",
    "/api/v1/leases/{lease}/release",
    "/api/v1/leases/{lease}/amend",
    "/api/v1/projects",
    "/api/v1/projects/p/members",
    "/api/v1/projects/p/queue",
    "/api/v1/users",
    "/api/v1/projects/p/items/quarantine",
    "/api/v1/projects/p/items/delete",
    "/api/v1/projects/p/items/restore",
};

struct Env {
  FakeClock clock{1'700'000'000'000};
  std::unique_ptr<Store> store;
  std::unique_ptr<server::Server> server;
  std::unique_ptr<httplib::Client> client;
  int64_t project_id = 0;
  int refills = 0;
};

void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_http_json_body: %s\n", what);
  std::abort();
}

// Queues 50 more items in "p" (the annotator routes need work to claim).
void Refill(Env& env) {
  Store& s = *env.store;
  if (!s.Begin().ok()) Fail("begin");
  for (int i = 0; i < 50; ++i) {
    Item it;
    it.project_id = env.project_id;
    it.external_id = "i" + std::to_string(env.refills) + "-" + std::to_string(i);
    it.text = "text of " + it.external_id;
    it.meta_json = R"({"source":"fuzz"})";
    it.content_hash = it.external_id;
    int64_t id = 0;
    if (!s.PutItem(it, "", &id).ok()) Fail("put item");
    QueueEntry e;
    e.project_id = env.project_id;
    e.item_id = id;
    e.pool = "general";
    e.kind = "review";
    if (!s.Enqueue(e).ok()) Fail("enqueue");
  }
  if (!s.Commit().ok()) Fail("commit");
  ++env.refills;
}

Env& GetEnv() {
  static Env* env = [] {
    auto* e = new Env;
    const std::string db = hitloop::fuzz::TempDir() + "/hitloop.db";
    auto s = OpenSqliteStore(db);
    if (!s.ok()) Fail("open store");
    e->store = std::move(*s);
    Project p;
    p.name = "p";
    p.labels = {"ham", "spam"};
    auto created = e->store->CreateProject(p);
    if (!created.ok()) Fail("create project");
    e->project_id = created->id;
    User admin;
    admin.name = "admin";
    admin.role = Role::kAdmin;
    if (!e->store->CreateUser(admin, server::HashSecret(kToken)).ok()) Fail("create user");
    Refill(*e);
    server::ServerOptions o;
    o.db_path = db;
    o.port = 0;
    o.clock = &e->clock;
    o.threads = 2;
    o.access_log = false;
    o.max_json_body = 64 * 1024;
    o.auth_failures_per_minute = 0;
    e->server = std::make_unique<server::Server>(o);
    if (!e->server->Start().ok()) Fail("start server");
    e->client = std::make_unique<httplib::Client>("127.0.0.1", e->server->port());
    e->client->set_read_timeout(20, 0);
    e->client->set_keep_alive(true);
    return e;
  }();
  return *env;
}

httplib::Result Post(Env& env, const std::string& path, const std::string& body) {
  httplib::Headers h = {{"Authorization", std::string("Bearer ") + kToken}};
  return env.client->Post(path, h, body, "application/json");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Env& env = GetEnv();
  std::string path = kRoutes[data[0] % std::size(kRoutes)];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (const size_t at = path.find("{lease}"); at != std::string::npos) {
    auto claim = Post(env, "/api/v1/projects/p/tasks/next", "{}");
    if (!claim) Fail("no answer to tasks/next");
    if (claim->status != 200) {  // queue empty (204) or every item leased: more work
      Refill(env);
      env.clock.Advance(24LL * 3600 * 1000);  // leases expire
      return 0;
    }
    auto j = nlohmann::json::parse(claim->body, nullptr, false);
    if (j.is_discarded() || !j["lease"]["id"].is_string()) Fail("tasks/next: no lease id");
    path.replace(at, 7, j["lease"]["id"].get<std::string>());
  }
  auto r = Post(env, path, body);
  if (!r) Fail("no answer");
  if (r->status >= 500) {
    std::fprintf(stderr, "POST %s -> %d %s\n", path.c_str(), r->status, r->body.c_str());
    Fail("5xx answer");
  }
  return 0;
}

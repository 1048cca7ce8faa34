#pragma once
// An in-process `hitloop serve` on an ephemeral port with a fake clock, plus helpers to set up
// projects, users and queued items directly through the Store, and a small HTTP client.
#include <httplib.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "server/server.h"
#include "store/open.h"
#include "store/store.h"
#include "support/store_backends.h"
#include "support/temp_dir.h"

namespace hitloop::testing {

struct HttpReply {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  nlohmann::json json() const {
    auto j = nlohmann::json::parse(body, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
  }
  std::string header(const std::string& k) const {
    auto it = headers.find(k);
    return it == headers.end() ? "" : it->second;
  }
};

class ServerFixture {
 public:
  // With HITLOOP_TEST_SERVER_PG=1 (and HITLOOP_TEST_PG, tests/support/store_backends.h) the
  // server runs on a fresh PostgreSQL database instead of a SQLite file (scripts/test.sh).
  ServerFixture() {
    db_path_ = dir_.File("hitloop.db");
#ifdef HITLOOP_HAVE_POSTGRES
    const char* pg = std::getenv("HITLOOP_TEST_SERVER_PG");
    if (pg != nullptr && std::string(pg) == "1" && PgTestUnavailable().empty()) {
      pg_db_ = PgTestDbName(dir_.path());
      const std::string err = PgAdmin("CREATE DATABASE " + pg_db_);
      EXPECT_TRUE(err.empty()) << err;
      db_path_ = PgUriFor(pg_db_);
    }
#endif
    auto s = OpenStore(db_path_, OpenMode::kCreateIfMissing);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  ~ServerFixture() {
    if (server_) server_->Stop();
#ifdef HITLOOP_HAVE_POSTGRES
    if (!pg_db_.empty()) {
      server_.reset();
      store_.reset();
      (void)PgAdmin("DROP DATABASE IF EXISTS " + pg_db_ + " WITH (FORCE)");
    }
#endif
  }

  Store& store() { return *store_; }
  FakeClock& clock() { return clock_; }
  std::string db_path() const { return db_path_; }

  void Start(int64_t lease_ttl_ms = 60'000) {
    server::ServerOptions o;
    o.db_path = db_path();
    o.port = 0;
    o.clock = &clock_;
    o.lease_ttl_ms = lease_ttl_ms;
    o.threads = 8;
    o.access_log = false;
    o.max_json_body = 64 * 1024;
    o.scope_cache_ms = scope_cache_ms;
    if (configure) configure(o);
    server_ = std::make_unique<server::Server>(o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  int port() const { return server_->port(); }
  int64_t scope_cache_ms = 1000;  // ServerOptions::scope_cache_ms for the next Start()
  std::function<void(server::ServerOptions&)> configure;  // last changes to the next Start()'s options
  void Stop() { server_->Stop(); }

  Project AddProject(const std::string& name, const std::vector<std::string>& labels,
                     TaskType type = TaskType::kSingleLabel) {
    Project p;
    p.name = name;
    p.labels = labels;
    p.type = type;
    auto r = store_->CreateProject(p);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : p;
  }

  // Token is "tok-<name>" (tests only; real tokens are 256-bit random).
  User AddUser(const std::string& name, Role role, const std::vector<std::string>& pools,
               const std::vector<std::string>& projects) {
    User u;
    u.name = name;
    u.role = role;
    u.pools = pools;
    auto r = store_->CreateUser(u, server::HashSecret(Token(name)));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& pn : projects) {
      auto p = store_->GetProject(pn);
      EXPECT_TRUE(p.ok());
      EXPECT_TRUE(store_->AddMember(p->id, r->id).ok());
    }
    return r.ok() ? *r : u;
  }
  static std::string Token(const std::string& name) { return "tok-" + name; }

  // Items <prefix>1..<prefix>n, queued in `pool` with priority n..1 (so prefix1 comes first). In a
  // pairwise project each item is a prompt with two responses, in a ranking project with three.
  std::vector<int64_t> AddQueuedItems(const Project& p, int n, const std::string& pool = "general",
                                      int overlap = 1, const std::string& kind = "review",
                                      const std::string& prefix = "i", double base_priority = 0) {
    std::vector<int64_t> ids;
    EXPECT_TRUE(store_->Begin().ok());  // one commit for the whole batch
    for (int i = 1; i <= n; ++i) {
      Item it;
      it.project_id = p.id;
      it.external_id = prefix + std::to_string(i);
      it.text = "text of " + it.external_id;
      it.meta_json = R"({"source":"test"})";
      if (p.type == TaskType::kPairwisePreference || p.type == TaskType::kRanking) {
        it.meta_json = R"({"source":"test","prompt":"prompt of )" + it.external_id +
                       R"(","responses":[{"text":"first"},{"text":"second"})" +
                       (p.type == TaskType::kRanking ? R"(,{"text":"third"}]})" : "]}");
      }
      it.content_hash = "h-" + p.name + "-" + it.external_id;
      int64_t id = 0;
      auto r = store_->PutItem(it, "", &id);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      QueueEntry e;
      e.project_id = p.id;
      e.item_id = id;
      e.pool = pool;
      e.kind = kind;
      e.overlap = overlap;
      e.priority = base_priority + n - i + 1;
      EXPECT_TRUE(store_->Enqueue(e).ok());
      ids.push_back(id);
    }
    EXPECT_TRUE(store_->Commit().ok());
    return ids;
  }

  // `user` empty = anonymous. Extra headers are added as given.
  HttpReply Call(const std::string& user, const std::string& method, const std::string& path,
                 const std::string& body = "", httplib::Headers headers = {}) {
    httplib::Client cli("127.0.0.1", port());
    cli.set_read_timeout(10, 0);
    if (!user.empty()) headers.emplace("Authorization", "Bearer " + Token(user));
    const char* ctype = "application/json";
    auto send = [&]() -> httplib::Result {
      if (method == "GET") return cli.Get(path.c_str(), headers);
      if (method == "DELETE") return cli.Delete(path.c_str(), headers, body, ctype);
      return cli.Post(path.c_str(), headers, body, ctype);
    };
    httplib::Result r = send();
    HttpReply out;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no response (" << httplib::to_string(r.error()) << ")";
      return out;
    }
    out.status = r->status;
    out.body = r->body;
    out.headers = r->headers;
    return out;
  }

 private:
  TempDir dir_;
  std::string db_path_;  // a SQLite file in dir_, or a postgresql:// URI
  std::string pg_db_;    // the PostgreSQL database made for this fixture ("" = SQLite)
  FakeClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<server::Server> server_;
};

}  // namespace hitloop::testing

// Public routes of handlers_web.cc beyond the pages: /readyz (readiness for a load balancer).
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "unit/server/server_fixture.h"

#ifdef HITLOOP_HAVE_POSTGRES
#include <libpq-fe.h>
#endif

namespace hitloop {
namespace {

using testing::ServerFixture;

TEST(Readyz, ReadyWhenTheDatabaseAnswersAndHealthzKeepsItsContract) {
  ServerFixture f;
  f.AddProject("p", {"a", "b"});
  f.Start();
  auto ready = f.Call("", "GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.json(), nlohmann::json({{"ready", true}})) << ready.body;
  auto health = f.Call("", "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json(), nlohmann::json({{"ok", true}, {"writer", "running"}})) << health.body;
}

#ifdef HITLOOP_HAVE_POSTGRES
// Sets an environment variable for a scope (the fixture reads HITLOOP_TEST_SERVER_PG when built).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// The database goes away under a running server (here: every connection to it is terminated,
// as a PostgreSQL restart or failover does): /readyz says 503 at once, and its body names no
// host, socket folder, user or database (the caller is anonymous).
TEST(Readyz, NotReadyWithoutLocationsWhenPostgresDropsTheConnections) {
  if (auto why = testing::PgTestUnavailable(); !why.empty()) GTEST_SKIP() << why;
  std::optional<ServerFixture> f;
  {
    ScopedEnv pg("HITLOOP_TEST_SERVER_PG", "1");
    f.emplace();
  }
  const std::string uri = f->db_path();
  ASSERT_EQ(uri.rfind("postgresql:///", 0), 0u) << uri;
  const std::string db = uri.substr(14, uri.find('?') - 14);
  f->AddProject("p", {"a", "b"});
  f->Start();
  ASSERT_EQ(f->Call("", "GET", "/readyz").status, 200);

  PGconn* admin = PQconnectdb(std::getenv("HITLOOP_TEST_PG"));
  ASSERT_EQ(PQstatus(admin), CONNECTION_OK) << PQerrorMessage(admin);
  const char* params[] = {db.c_str()};
  PGresult* r = PQexecParams(admin,
                             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                             " WHERE datname = $1 AND pid <> pg_backend_pid()",
                             1, nullptr, params, nullptr, nullptr, 0);
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(admin);
  EXPECT_GT(std::atoi(PQgetvalue(r, 0, 0)), 0);
  PQclear(r);
  PQfinish(admin);

  auto ready = f->Call("", "GET", "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_EQ(ready.json()["ready"], false) << ready.body;
  EXPECT_TRUE(ready.json()["reason"].is_string()) << ready.body;
  for (const std::string& secret : {db, std::string("postgres"), std::string("host"),
                                    std::string("hitloop@"), std::string("/")}) {
    EXPECT_EQ(ready.body.find(secret), std::string::npos) << secret << " in " << ready.body;
  }
}
#endif

}  // namespace
}  // namespace hitloop

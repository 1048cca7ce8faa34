// The cycle route (handlers_loop.cc) across processes: one cycle per project on PostgreSQL.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "store/operations.h"
#include "unit/server/server_fixture.h"

namespace hitloop {
namespace {

using testing::ServerFixture;

#ifdef HITLOOP_HAVE_POSTGRES
// A cycle of the project running in another process (here: its lock held on another connection)
// makes the server's cycle route answer 409 at once, naming the project; another project's cycle
// is not held up by it.
TEST(CycleRoute, RefusesWhileAnotherProcessRunsACycleOfTheProject) {
  if (auto why = testing::PgTestUnavailable(); !why.empty()) GTEST_SKIP() << why;
  std::optional<ServerFixture> f;
  {
    const char* old = std::getenv("HITLOOP_TEST_SERVER_PG");
    const std::string saved = old ? old : "";
    setenv("HITLOOP_TEST_SERVER_PG", "1", 1);
    f.emplace();
    if (old)
      setenv("HITLOOP_TEST_SERVER_PG", saved.c_str(), 1);
    else
      unsetenv("HITLOOP_TEST_SERVER_PG");
  }
  const Project p = f->AddProject("p", {"a", "b"});
  f->AddUser("boss", Role::kAdmin, {"general"}, {"p"});
  f->Start();

  auto other = OpenStore(f->db_path(), OpenMode::kMustExist);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto held = LockCycle(**other, p.id, p.name, /*wait=*/false);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  auto r = f->Call("boss", "POST", "/api/v1/projects/p/cycle", "{}");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("a cycle of project p is running (another process)"), std::string::npos)
      << r.body;

  held->reset();  // that cycle ends: the route now runs its own (here: refused for want of items)
  auto after = f->Call("boss", "POST", "/api/v1/projects/p/cycle", "{}");
  EXPECT_NE(after.status, 409) << after.body;
  EXPECT_EQ(after.body.find("is running"), std::string::npos) << after.body;
}
#endif

}  // namespace
}  // namespace hitloop

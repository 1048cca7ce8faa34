// Fault injection at every write of one submit through the server (support/faulty_vfs.h): the
// submit's batch on the group-commit writer and its commit. A clean run counts the writes and
// syncs of one POST .../submit; then, on a fresh server per injection point k = 1..N, the k-th
// write fails (EIO, ENOSPC, short write) or the k-th fsync fails. After each: the submit answered
// 200 and its label is in the database, or it answered 503 with no path in the body, and then the
// server says so (the writer is fail-stop): /healthz and /readyz answer 503 and name the stopped
// writer, and further writes answer 503, while reads still work.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "support/fault_sweep.h"
#include "support/faulty_vfs.h"
#include "unit/server/server_fixture.h"

namespace hitloop {
namespace {

using testing::Fault;
using testing::ServerFixture;

struct SubmitRun {
  int status = 0;
  std::string body;
  bool labelled = false;  // the item has the answer, read after the server stopped
  int health = 0, ready = 0, next_claim = 0, read = 0;
  std::string health_body;
};

// A server with one claimed task; `arm` runs just before the submit, `disarm` just after.
SubmitRun Submit(const std::function<void()>& arm, const std::function<void()>& disarm) {
  SubmitRun out;
  ServerFixture f;
  auto p = f.AddProject("p", {"a", "b"});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  const std::vector<int64_t> ids = f.AddQueuedItems(p, 3);
  f.Start();
  auto next = f.Call("ann", "POST", "/api/v1/projects/p/tasks/next", "{}");
  EXPECT_EQ(next.status, 200) << next.body;
  const std::string lease = next.json()["lease"]["id"];
  arm();
  auto submit = f.Call("ann", "POST", "/api/v1/leases/" + lease + "/submit", R"({"label":"a"})");
  disarm();
  out.status = submit.status;
  out.body = submit.body;
  auto health = f.Call("", "GET", "/healthz");
  out.health = health.status;
  out.health_body = health.body;
  out.ready = f.Call("", "GET", "/readyz").status;
  out.next_claim = f.Call("ann", "POST", "/api/v1/projects/p/tasks/next", "{}").status;
  out.read = f.Call("ann", "GET", "/api/v1/projects/p").status;
  f.Stop();
  auto anns = f.store().ListAnnotations(ids[0]);
  EXPECT_TRUE(anns.ok());
  out.labelled = anns.ok() && !anns->empty();
  EXPECT_EQ(testing::DatabaseProblems(f.db_path()), "");
  return out;
}

TEST(WriterFaultsTest, AFaultAtAnyWriteOfASubmitIs503AndStopsTheWriterVisiblyOrIsHarmless) {
  if (const char* pg = std::getenv("HITLOOP_TEST_SERVER_PG"); pg != nullptr && std::string(pg) == "1") {
    GTEST_SKIP() << "the faulty VFS is SQLite's: this server would run on PostgreSQL";
  }
  testing::InstallFaultyVfs();
  testing::SkipRealSyncs(true);
  int64_t writes = 0, syncs = 0, w0 = 0, s0 = 0;
  const SubmitRun clean = Submit(
      [&] { w0 = testing::Writes(), s0 = testing::Syncs(); },
      [&] { writes = testing::Writes() - w0, syncs = testing::Syncs() - s0; });
  ASSERT_EQ(clean.status, 200) << clean.body;
  ASSERT_TRUE(clean.labelled);
  ASSERT_GT(writes, 0);
  ASSERT_GT(syncs, 0);

  int points = 0, refused = 0;
  for (Fault fault : testing::kEveryFault) {
    const int64_t n = fault == Fault::kFsync ? syncs : writes;
    for (int64_t k = 1; k <= n; ++k) {
      SCOPED_TRACE(std::string(testing::FaultName(fault)) + " at " + std::to_string(k) + " of " +
                   std::to_string(n));
      const SubmitRun r = Submit([&] { testing::ArmFault(fault, k); }, [] { testing::Disarm(); });
      ++points;
      EXPECT_TRUE(testing::FaultFired());
      EXPECT_EQ(r.read, 200) << "reads keep working";
      if (r.status == 200) {
        EXPECT_TRUE(r.labelled) << "an acknowledged submit was lost";
        EXPECT_EQ(r.health, 200) << r.health_body;
        EXPECT_EQ(r.next_claim, 200);
        continue;
      }
      ++refused;
      EXPECT_EQ(r.status, 503) << r.body;
      EXPECT_EQ(r.body.find('/'), std::string::npos) << r.body;
      EXPECT_EQ(r.health, 503) << r.health_body;
      EXPECT_NE(r.health_body.find("stopped"), std::string::npos) << r.health_body;
      EXPECT_EQ(r.ready, 503);
      EXPECT_EQ(r.next_claim, 503) << "a stopped writer took a claim";
    }
  }
  std::cerr << "submit: " << writes << " writes, " << syncs << " syncs, " << points
            << " injection points, " << refused << " answered 503\n";
}

}  // namespace
}  // namespace hitloop

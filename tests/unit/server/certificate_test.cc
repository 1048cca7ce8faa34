// The certificate's progress reaches the annotator page too (GET /api/v1/projects/{p} →
// "certificate"): the same block the dashboard shows (GET …/metrics), read from the same cycle
// records through loop::ComputeLoopStatus, so "12 of at least 149 audits" reads the same on both.
#include "server/certificate.h"

#include <gtest/gtest.h>

#include "loop/config.h"
#include "loop/cycle_record.h"
#include "unit/server/server_fixture.h"

namespace hitloop {
namespace {

using testing::ServerFixture;

TEST(Certificate, AnnotatorSeesTheDashboardsProgress) {
  ServerFixture f;
  auto p = f.AddProject("p", {"a", "b"});
  f.AddUser("adm", Role::kAdmin, {"general"}, {});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  f.Start();
  auto cfg = loop::ParseLoopConfig(p.config_json);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();

  auto before = f.Call("ann", "GET", "/api/v1/projects/p");
  ASSERT_EQ(before.status, 200) << before.body;
  const auto b = before.json()["certificate"];
  EXPECT_EQ(b["cycles"], 0);
  EXPECT_EQ(b["audits_counted"], 0);
  EXPECT_EQ(b["min_audits_needed"], loop::ComputeLoopStatus(*cfg, {}).min_audits_needed);
  EXPECT_GT(b["min_audits_needed"].get<int64_t>(), 0);
  EXPECT_FALSE(b.contains("cycle"));

  loop::CycleRecord r;
  r.cycle = 1;
  r.audits_total = 12;
  r.audit_precision.lower_bound = 0.5;
  ASSERT_TRUE(f.store().AppendCycle(p.id, 1000, loop::CycleRecordToJson(r)).ok());

  auto mine = f.Call("ann", "GET", "/api/v1/projects/p");
  ASSERT_EQ(mine.status, 200) << mine.body;
  auto dash = f.Call("adm", "GET", "/api/v1/projects/p/metrics");
  ASSERT_EQ(dash.status, 200) << dash.body;
  auto c = mine.json()["certificate"];
  auto d = dash.json()["certificate"];
  EXPECT_EQ(c["audits_counted"], 12);
  EXPECT_EQ(c["cycle"], 1);
  EXPECT_EQ(c["certified"], false);
  // The dashboard adds the audits answered since the cycle (a scan of the answers); the rest is
  // the same block.
  ASSERT_TRUE(d.contains("audits_answered_since_cycle"));
  d.erase("audits_answered_since_cycle");
  EXPECT_EQ(c, d);
  // The fields the page already reads stay (contracts).
  const auto j = mine.json();
  EXPECT_TRUE(j.contains("queued_by_kind"));
  EXPECT_TRUE(j.contains("queued_total"));
  EXPECT_EQ(j["name"], "p");
}

TEST(Certificate, NoCycleHasNoCycleNumber) {
  Project p;
  p.name = "p";
  p.labels = {"a", "b"};
  auto cfg = loop::ParseLoopConfig(p.config_json);
  ASSERT_TRUE(cfg.ok());
  const auto j = server::CertificateJson(p, {});
  EXPECT_EQ(j["cycles"], 0);
  EXPECT_FALSE(j.contains("cycle"));
  EXPECT_TRUE(j["precision_lower_bound"].is_null());
  EXPECT_EQ(j["min_audits_needed"], loop::ComputeLoopStatus(*cfg, {}).min_audits_needed);
}

}  // namespace
}  // namespace hitloop

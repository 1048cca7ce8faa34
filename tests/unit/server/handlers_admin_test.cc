// The dashboard's certificate block (GET /api/v1/projects/{p}/metrics → "certificate") says what
// `hitloop status` says: both read the newest cycle record through loop::ComputeLoopStatus.
#include <gtest/gtest.h>

#include "loop/config.h"
#include "loop/cycle_record.h"
#include "unit/server/server_fixture.h"

namespace hitloop {
namespace {

using testing::ServerFixture;

TEST(HandlersAdmin, CertificateIsTheLoopStatusOfTheNewestCycle) {
  ServerFixture f;
  auto p = f.AddProject("p", {"a", "b"});
  f.AddUser("adm", Role::kAdmin, {"general"}, {});
  f.Start();

  auto empty = f.Call("adm", "GET", "/api/v1/projects/p/metrics");
  ASSERT_EQ(empty.status, 200) << empty.body;
  const auto ce = empty.json()["certificate"];
  auto cfg = loop::ParseLoopConfig(p.config_json);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  const loop::LoopStatus none = loop::ComputeLoopStatus(*cfg, {});
  EXPECT_EQ(ce["cycles"], 0);
  EXPECT_EQ(ce["min_audits_needed"], none.min_audits_needed);
  EXPECT_EQ(ce["audits_counted"], 0);
  EXPECT_EQ(ce["certified"], false);
  EXPECT_TRUE(ce["precision_lower_bound"].is_null());

  // Two cycles; the newest counted 40 audits and certified one class.
  for (int64_t audits : {12, 40}) {
    loop::CycleRecord r;
    r.cycle = audits == 12 ? 1 : 2;
    r.audits_total = audits;
    r.audit_precision.lower_bound = 0.875;
    r.auto_accepted = 7;
    r.min_audits_needed = 1;  // the config's figure is the one shown, as in `hitloop status`
    loop::ClassThresholdRecord a, b;
    a.label = "a";
    a.certified = audits == 40;
    b.label = "b";
    r.classes = {a, b};
    ASSERT_TRUE(f.store().AppendCycle(p.id, 1000 * audits, loop::CycleRecordToJson(r)).ok());
  }
  auto rows = f.store().ListCycles(p.id);
  ASSERT_TRUE(rows.ok());
  const loop::LoopStatus ls = loop::ComputeLoopStatus(*cfg, *rows);
  ASSERT_TRUE(ls.last.has_value());

  auto m = f.Call("adm", "GET", "/api/v1/projects/p/metrics");
  ASSERT_EQ(m.status, 200) << m.body;
  const auto c = m.json()["certificate"];
  EXPECT_EQ(c["cycles"], 2);
  EXPECT_EQ(c["cycle"], 2);
  EXPECT_EQ(c["audits_counted"], 40);
  EXPECT_EQ(c["min_audits_needed"], ls.min_audits_needed);
  EXPECT_NE(c["min_audits_needed"], 1);
  EXPECT_EQ(c["certified"], true);
  EXPECT_EQ(c["certified_classes"], 1);
  EXPECT_EQ(c["precision_lower_bound"], 0.875);
  EXPECT_EQ(c["auto_accepted"], 7);
  EXPECT_EQ(c["target_precision"], ls.target_precision);
  EXPECT_EQ(c["confidence"], ls.confidence);
}

}  // namespace
}  // namespace hitloop

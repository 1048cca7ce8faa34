#include "loop/audit_region.h"

#include <gtest/gtest.h>

#include "loop/certify.h"

namespace hitloop::loop {
namespace {

TEST(AuditRegion, DrawRegionStartsAboveTheFirstCandidateTheAuditsBlock) {
  const auto& grid = DefaultThresholdGrid();
  const std::vector<float> conf(5000, 0.999f);  // plenty of routable items everywhere
  // No audits yet: nothing is blocked, the region is everything above the lowest candidate.
  EXPECT_DOUBLE_EQ(ChooseDrawThreshold({}, conf, grid, 0.02, 0.05, 100), 0.5);
  // 300 clean audits at 0.999, 100 audits at 0.91 with 30 errors: the candidate 0.9 is shown
  // to be more than 2% wrong, so 0.93 is the lowest one still reachable.
  std::vector<std::pair<float, uint8_t>> audits(300, {0.999f, 0});
  for (int i = 0; i < 100; ++i) audits.push_back({0.91f, i < 30 ? 1 : 0});
  EXPECT_DOUBLE_EQ(ChooseDrawThreshold(audits, conf, grid, 0.02, 0.05, 100), 0.93);
  // A region too small for min_items is widened: only 50 routable items reach 0.93.
  std::vector<float> few(50, 0.95f);
  few.insert(few.end(), 500, 0.86f);
  EXPECT_DOUBLE_EQ(ChooseDrawThreshold(audits, few, grid, 0.02, 0.05, 300), 0.85);
  // Errors that do not prove anything (1 in 300) block nothing.
  audits.assign(299, {0.999f, 0});
  audits.push_back({0.999f, 1});
  EXPECT_DOUBLE_EQ(ChooseDrawThreshold(audits, conf, grid, 0.02, 0.05, 100), 0.5);
}

TEST(AuditRegion, RunsStartOnEntryAndBreakOnExit) {
  std::vector<int32_t> since = AdvanceRegionRuns({}, {}, 0, 3);  // whole-pool draw 0
  EXPECT_EQ(since, (std::vector<int32_t>{0, 0, 0}));
  since = AdvanceRegionRuns(since, std::vector<uint8_t>{1, 0, 1}, 1, 3);
  EXPECT_EQ(since, (std::vector<int32_t>{0, kNotInRegion, 0}));
  since = AdvanceRegionRuns(since, std::vector<uint8_t>{1, 1, 0}, 2, 3);
  EXPECT_EQ(since, (std::vector<int32_t>{0, 2, kNotInRegion}));
  since = AdvanceRegionRuns(since, {}, 3, 3);  // a whole-pool draw contains everyone
  EXPECT_EQ(since, (std::vector<int32_t>{0, 2, 3}));
}

TEST(AuditRegion, AnAuditCountsOnlyInsideEveryRegionOfItsWindow) {
  // Drawn at 3 from a region, item in the regions since draw 2: windows starting at 2 or 3.
  EXPECT_TRUE(AuditInWindow(3, false, 2, 3));
  EXPECT_TRUE(AuditInWindow(3, false, 2, 2));
  EXPECT_FALSE(AuditInWindow(3, false, 2, 1));  // region 1 need not have contained it
  EXPECT_FALSE(AuditInWindow(1, false, 0, 2));  // drawn before the window from a region
  EXPECT_TRUE(AuditInWindow(1, true, 0, 2));    // a whole-pool draw contains every region
  EXPECT_TRUE(AuditInWindow(-1, false, 0, 2));  // unknown draw (before regions): whole pool
  EXPECT_FALSE(AuditInWindow(3, false, kNotInRegion, 3));
}

TEST(AuditRegion, WindowIsTheLatestWithEnoughAuditsElseTheFullest) {
  // Five audited items drawn at 0..4 from regions, all in every region since draw 0.
  const std::vector<int32_t> since = {0, 0, 0, 0, 0, 0};
  const std::vector<int32_t> draw = {0, 1, 2, 3, 4, -1};
  const std::vector<uint8_t> whole = {0, 0, 0, 0, 0, 0};
  const std::vector<uint8_t> counted = {1, 1, 1, 1, 1, 0};
  EXPECT_EQ(ChooseAuditWindow(since, draw, whole, counted, 5, 2), 3);
  EXPECT_EQ(ChooseAuditWindow(since, draw, whole, counted, 5, 5), 0);
  EXPECT_EQ(ChooseAuditWindow(since, draw, whole, counted, 5, 50), 0);
  // Item 0 left the regions at draw 2 and came back: it only counts for windows from 2 on,
  // where its draw (0) is outside the window.
  const std::vector<int32_t> since2 = {2, 0, 0, 0, 0, 0};
  EXPECT_EQ(ChooseAuditWindow(since2, draw, whole, counted, 5, 5), 1);  // 4 is the most: from 1
}

TEST(AuditRegion, OrderIsDrawMajorAndLabelFree) {
  EXPECT_LT(AuditOrder(-1, 99), AuditOrder(0, 1));
  EXPECT_LT(AuditOrder(0, 12345), AuditOrder(1, 1));
  EXPECT_EQ(AuditOrder(2, 7), AuditOrder(2, 7));
  EXPECT_NE(AuditOrder(2, 7), AuditOrder(2, 8));
}

}  // namespace
}  // namespace hitloop::loop

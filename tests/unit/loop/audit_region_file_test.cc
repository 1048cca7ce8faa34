#include "loop/audit_region_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/file.h"
#include "loop/audit_region.h"
#include "support/temp_dir.h"

namespace hitloop::loop {
namespace {

TEST(AuditRegionFile, RoundTripKeepsTheNewestTwoAndNeverReadsALostFileOptimistically) {
  hitloop::testing::TempDir dir;
  const std::string d = dir.path() + "/models";
  // No file at all: a project from before audit regions.
  EXPECT_EQ(LoadAuditRegions(d, 3).origin, AuditRegionState::Origin::kNone);
  const std::vector<int64_t> ids = {10, 11, 12};
  const std::vector<int32_t> since = {1, kNotInRegion, 2};
  std::unordered_map<int64_t, std::pair<int32_t, uint8_t>> draws = {{10, {1, 0}}, {12, {2, 1}}};
  for (int64_t c : {1, 2, 3}) ASSERT_TRUE(SaveAuditRegions(d, c, ids, since, draws).ok());
  EXPECT_FALSE(std::filesystem::exists(d + "/audit-regions-c1.bin"));
  const AuditRegionState st = LoadAuditRegions(d, 3);
  ASSERT_EQ(st.origin, AuditRegionState::Origin::kLoaded);
  EXPECT_EQ(st.since.at(10), 1);
  EXPECT_EQ(st.since.at(11), kNotInRegion);
  EXPECT_EQ(st.draws.at(12), (std::pair<int32_t, uint8_t>{2, 1}));
  // A flipped byte: the checksum fails and the state counts as lost, not as "no regions".
  auto bytes = ReadFile(d + "/audit-regions-c3.bin");
  ASSERT_TRUE(bytes.ok());
  (*bytes)[12] ^= 0x40;
  ASSERT_TRUE(AtomicWriteFile(d + "/audit-regions-c3.bin", *bytes).ok());
  EXPECT_EQ(LoadAuditRegions(d, 3).origin, AuditRegionState::Origin::kLost);
  EXPECT_EQ(LoadAuditRegions(d, 4).origin, AuditRegionState::Origin::kLost);  // missing
}

}  // namespace
}  // namespace hitloop::loop

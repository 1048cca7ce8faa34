#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace hitloop {
namespace {

bool IsHex32(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TEST(IdsTest, RandomIdsAreHexAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = RandomId();
    EXPECT_TRUE(IsHex32(id)) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(IdsTest, TimeOrderedIdsSortByTimeAndKeepRandomBits) {
  std::set<std::string> seen;
  std::string prev;
  for (int64_t t = 1'700'000'000'000; t < 1'700'000'000'000 + 500; ++t) {
    std::string id = TimeOrderedId(t);
    EXPECT_TRUE(IsHex32(id)) << id;
    if (!prev.empty()) EXPECT_LT(prev, id) << "a later time must sort later";
    prev = id;
    EXPECT_TRUE(seen.insert(id).second);
  }
  // The same millisecond: the ids share their 12-character time prefix and differ after it.
  std::string a = TimeOrderedId(42), b = TimeOrderedId(42);
  EXPECT_EQ(a.substr(0, 12), "00000000002a");
  EXPECT_EQ(a.substr(0, 12), b.substr(0, 12));
  EXPECT_NE(a.substr(12), b.substr(12));
  EXPECT_EQ(TimeOrderedId(-5).substr(0, 12), "000000000000");
}

}  // namespace
}  // namespace hitloop

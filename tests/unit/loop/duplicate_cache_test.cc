#include "loop/duplicate_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/file.h"
#include "support/temp_dir.h"

namespace hitloop::loop {
namespace {

const char* kLong =
    "the quarterly budget meeting moves to thursday afternoon in the large conference room please "
    "bring the printed minutes from last week and the revised spending plan for the team";

struct Pool {
  std::vector<std::string> store;
  std::vector<std::string_view> Texts() const { return {store.begin(), store.end()}; }
};

Pool MakePool() {
  Pool p;
  p.store = {kLong,
             "",  // a vector-only item: nobody's duplicate
             std::string("  ") + kLong + "\n",
             "win a free prize now click here",
             std::string(kLong) + " thanks",
             ""};
  return p;
}

// Groups compared member by member (index, kind, similarity, exact_of).
void ExpectSameGroups(const std::vector<autolabel::DuplicateGroup>& a,
                      const std::vector<autolabel::DuplicateGroup>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t g = 0; g < a.size(); ++g) {
    EXPECT_EQ(a[g].representative, b[g].representative);
    ASSERT_EQ(a[g].members.size(), b[g].members.size());
    for (size_t m = 0; m < a[g].members.size(); ++m) {
      EXPECT_EQ(a[g].members[m].index, b[g].members[m].index);
      EXPECT_EQ(a[g].members[m].kind, b[g].members[m].kind);
      EXPECT_EQ(a[g].members[m].similarity, b[g].members[m].similarity);
      EXPECT_EQ(a[g].members[m].exact_of, b[g].members[m].exact_of);
    }
  }
}

TEST(DuplicateCache, GroupsAreIndexedByPoolPositionAndSkipEmptyTexts) {
  const Pool p = MakePool();
  auto groups = FindPoolDuplicates(p.Texts(), autolabel::DuplicateOptions{});
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  const auto& g = (*groups)[0];
  EXPECT_EQ(g.representative, 0u);
  ASSERT_EQ(g.members.size(), 3u);
  EXPECT_EQ(g.members[0].index, 0u);
  EXPECT_EQ(g.members[1].index, 2u);
  EXPECT_EQ(g.members[1].kind, autolabel::DuplicateKind::kExact);
  EXPECT_EQ(g.members[1].exact_of, 0u);
  EXPECT_EQ(g.members[2].index, 4u);
  EXPECT_EQ(g.members[2].kind, autolabel::DuplicateKind::kNear);
}

TEST(DuplicateCache, ASecondCycleOnTheSamePoolReadsTheGroupsBack) {
  hitloop::testing::TempDir dir;
  const std::string d = dir.path() + "/models";
  Pool p = MakePool();
  const autolabel::DuplicateOptions o;
  auto direct = FindPoolDuplicates(p.Texts(), o);
  ASSERT_TRUE(direct.ok());
  auto first = PoolDuplicatesCached(p.Texts(), o, d);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->reused);
  ExpectSameGroups(first->groups, *direct);
  auto second = PoolDuplicatesCached(p.Texts(), o, d);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->reused);
  ExpectSameGroups(second->groups, *direct);
  // No cache folder: always a search.
  auto uncached = PoolDuplicatesCached(p.Texts(), o, "");
  ASSERT_TRUE(uncached.ok());
  EXPECT_FALSE(uncached->reused);
}

TEST(DuplicateCache, AnyChangeToThePoolOrTheOptionsSearchesAgain) {
  hitloop::testing::TempDir dir;
  const std::string d = dir.path() + "/models";
  Pool p = MakePool();
  autolabel::DuplicateOptions o;
  ASSERT_TRUE(PoolDuplicatesCached(p.Texts(), o, d).ok());
  // An edited text (same length: the key hashes the bytes, not only the lengths).
  p.store[3] = "win a free prize now click HERE";
  auto edited = PoolDuplicatesCached(p.Texts(), o, d);
  ASSERT_TRUE(edited.ok());
  EXPECT_FALSE(edited->reused);
  // An imported item, here an exact copy of item 3: the new answer has it.
  p.store.push_back("win a free prize now click HERE");
  auto grown = PoolDuplicatesCached(p.Texts(), o, d);
  ASSERT_TRUE(grown.ok());
  EXPECT_FALSE(grown->reused);
  ASSERT_EQ(grown->groups.size(), 2u);
  EXPECT_EQ(grown->groups[1].members.back().index, 6u);
  // Other options (exact only).
  o.near = false;
  auto exact = PoolDuplicatesCached(p.Texts(), o, d);
  ASSERT_TRUE(exact.ok());
  EXPECT_FALSE(exact->reused);
  auto again = PoolDuplicatesCached(p.Texts(), o, d);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->reused);
}

TEST(DuplicateCache, ACorruptOrTruncatedFileIsSearchedAgainNeverTrusted) {
  hitloop::testing::TempDir dir;
  const std::string d = dir.path() + "/models";
  const std::string file = d + "/duplicate-groups.bin";
  const Pool p = MakePool();
  const autolabel::DuplicateOptions o;
  auto direct = FindPoolDuplicates(p.Texts(), o);
  ASSERT_TRUE(direct.ok());
  ASSERT_TRUE(PoolDuplicatesCached(p.Texts(), o, d).ok());
  auto bytes = ReadFile(file);
  ASSERT_TRUE(bytes.ok());
  for (size_t at : {size_t{0}, size_t{20}, bytes->size() / 2, bytes->size() - 1}) {
    std::string bad = *bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x5A);
    ASSERT_TRUE(AtomicWriteFile(file, bad).ok());
    auto r = PoolDuplicatesCached(p.Texts(), o, d);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->reused) << "flipped byte " << at;
    ExpectSameGroups(r->groups, *direct);
  }
  ASSERT_TRUE(AtomicWriteFile(file, bytes->substr(0, bytes->size() - 9)).ok());
  auto truncated = PoolDuplicatesCached(p.Texts(), o, d);
  ASSERT_TRUE(truncated.ok());
  EXPECT_FALSE(truncated->reused);
  ExpectSameGroups(truncated->groups, *direct);
}

}  // namespace
}  // namespace hitloop::loop

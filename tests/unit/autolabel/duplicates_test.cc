#include "autolabel/duplicates.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.h"

namespace hitloop::autolabel {
namespace {

std::string Words(Rng& rng, int n) {
  static const char* kWords[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
                                 "hotel", "india", "juliet", "kilo", "lima", "mike", "november",
                                 "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform",
                                 "victor", "whiskey", "xray", "yankee", "zulu"};
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += kWords[rng.Below(26)];
    s += std::to_string(rng.Below(50));
  }
  return s;
}

TEST(DuplicatesTest, RejectsBadOptions) {
  DuplicateOptions o;
  o.threshold = 0.0;
  EXPECT_FALSE(DuplicateFinder::Create(o).ok());
  o.threshold = 1.5;
  EXPECT_FALSE(DuplicateFinder::Create(o).ok());
  o = {};
  o.num_perm = 3;
  EXPECT_FALSE(DuplicateFinder::Create(o).ok());
  o = {};
  o.shingle_words = 0;
  EXPECT_EQ(DuplicateFinder::Create(o).status().code(), StatusCode::kInvalidArgument);
}

TEST(DuplicatesTest, LshParamsCoverThreshold) {
  for (double t : {0.5, 0.7, 0.8, 0.9, 0.95}) {
    const LshParams p = ChooseLshParams(t, 128);
    ASSERT_GT(p.bands, 0);
    ASSERT_LE(p.bands * p.rows, 128);
    // A pair exactly at the threshold becomes a candidate with high probability.
    const double at_t = 1.0 - std::pow(1.0 - std::pow(t, p.rows), p.bands);
    EXPECT_GE(at_t, 0.99) << "threshold " << t << " bands " << p.bands << " rows " << p.rows;
  }
}

TEST(DuplicatesTest, ExactAndNearGroups) {
  Rng rng(7);
  const std::string base = Words(rng, 60);
  std::string near = base;
  near.replace(near.rfind(' '), std::string::npos, " changedword");  // last word differs
  const std::vector<std::string> texts = {base, Words(rng, 60), "  " + base + "\n", near, Words(rng, 60), ""};
  auto groups = FindDuplicates(texts);
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  const DuplicateGroup& g = (*groups)[0];
  EXPECT_EQ(g.representative, 0u);
  ASSERT_EQ(g.members.size(), 3u);
  EXPECT_EQ(g.members[0].index, 0u);
  EXPECT_EQ(g.members[0].kind, DuplicateKind::kExact);
  EXPECT_EQ(g.members[1].index, 2u);
  EXPECT_EQ(g.members[1].kind, DuplicateKind::kExact);
  EXPECT_DOUBLE_EQ(g.members[1].similarity, 1.0);
  EXPECT_EQ(g.members[2].index, 3u);
  EXPECT_EQ(g.members[2].kind, DuplicateKind::kNear);
  EXPECT_GE(g.members[2].similarity, 0.8);
  EXPECT_LT(g.members[2].similarity, 1.0);
}

TEST(DuplicatesTest, ThresholdIsRespected) {
  // Two texts sharing about half their shingles: grouped at 0.3, not at 0.8.
  Rng rng(11);
  const std::string a = Words(rng, 40);
  const std::string b = a.substr(0, a.size() / 2) + " " + Words(rng, 20);
  DuplicateOptions lo;
  lo.threshold = 0.3;
  auto g_lo = FindDuplicates({a, b}, lo);
  ASSERT_TRUE(g_lo.ok());
  EXPECT_EQ(g_lo->size(), 1u);
  auto g_hi = FindDuplicates({a, b});
  ASSERT_TRUE(g_hi.ok());
  EXPECT_TRUE(g_hi->empty());
}

TEST(DuplicatesTest, EmptyBinaryHugeAndMixedScriptNeverCrash) {
  std::string binary(4096, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 37);
  const std::string huge(8 << 20, 'x');
  const std::string mixed = "Привет мир hello world 你好世界 مرحبا بالعالم";
  auto g = FindDuplicates({"", "", binary, binary, huge, mixed, mixed + " "});
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->size(), 3u);  // the two empties, the two binaries, the two mixed-script texts
  auto none = FindDuplicates({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(DuplicatesTest, RandomNearCopiesAreFoundSeeded) {
  const uint64_t seed = 20261128;
  Rng rng(seed);
  std::vector<std::string> texts;
  for (int i = 0; i < 300; ++i) texts.push_back(Words(rng, 50));
  // 50 near copies: the first word replaced (Jaccard of 3-shingles 47/49).
  for (int i = 0; i < 50; ++i) {
    std::string t = texts[i];
    const size_t sp = t.find(' ');
    t = "replaced" + t.substr(sp);
    texts.push_back(t);
  }
  auto groups = FindDuplicates(texts);
  ASSERT_TRUE(groups.ok()) << "seed " << seed;
  size_t paired = 0;
  for (const auto& g : *groups) {
    if (g.members.size() == 2 && g.members[1].index == g.members[0].index + 300) ++paired;
  }
  EXPECT_GE(paired, 49u) << "seed " << seed;
  EXPECT_LE(groups->size(), 52u) << "seed " << seed;
}

}  // namespace
}  // namespace hitloop::autolabel

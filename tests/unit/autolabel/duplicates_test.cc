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

// Regression: a one-word edit of a 12-30-word text was not a near duplicate at the
// default threshold, because one edited word changes up to three word 3-shingles (Jaccard ~0.54 for
// 12 words). Short texts are now also compared word by word (edit similarity 1 - d/length).
TEST(Regression, OneWordEditsOfShortTextsAreNearDuplicates) {
  const uint64_t seed = 20261206;
  Rng rng(seed);
  std::vector<std::string> texts;
  const int n = 200;
  for (int i = 0; i < n; ++i) texts.push_back(Words(rng, 12 + static_cast<int>(rng.Below(19))));
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> w;
    std::string t = texts[i];
    for (size_t p = 0; p != std::string::npos;) {
      const size_t q = t.find(' ', p);
      w.push_back(t.substr(p, q == std::string::npos ? q : q - p));
      p = q == std::string::npos ? q : q + 1;
    }
    const size_t at = rng.Below(w.size());
    switch (i % 3) {
      case 0: w[at] = "substituted"; break;
      case 1: w.insert(w.begin() + static_cast<std::ptrdiff_t>(at), "inserted"); break;
      default: w.erase(w.begin() + static_cast<std::ptrdiff_t>(at)); break;
    }
    std::string c;
    for (const auto& x : w) c += (c.empty() ? "" : " ") + x;
    texts.push_back(c);
  }
  auto groups = FindDuplicates(texts);
  ASSERT_TRUE(groups.ok());
  size_t paired = 0, wrong = 0;
  for (const auto& g : *groups) {
    if (g.members.size() == 2 && g.members[1].index == g.members[0].index + n) {
      ++paired;
      EXPECT_EQ(g.members[1].kind, DuplicateKind::kNear);
      EXPECT_GE(g.members[1].similarity, 0.8);
      EXPECT_LT(g.members[1].similarity, 1.0);
    } else {
      ++wrong;
    }
  }
  EXPECT_GE(paired, static_cast<size_t>(n * 0.98)) << "seed " << seed;
  EXPECT_EQ(wrong, 0u) << "seed " << seed;

  // Without the word comparison (the behaviour before the fix) most are missed.
  DuplicateOptions shingles_only;
  shingles_only.edit_max_words = 0;
  auto old_groups = FindDuplicates(texts, shingles_only);
  ASSERT_TRUE(old_groups.ok());
  EXPECT_LT(old_groups->size(), static_cast<size_t>(n / 2));
}

TEST(DuplicatesTest, WordEditsAreBoundedByTheThresholdAndLength) {
  // 10 words: at 0.8 two edits are allowed, three are not; texts under edit_min_words only by shingles.
  const std::string a = "one two three four five six seven eight nine ten";
  const std::string two = "one two THREEX four five six seven eight NINEX ten";
  const std::string three = "ONEX two three four FIVEX six seven eight NINEX ten";
  auto g2 = FindDuplicates({a, two});
  ASSERT_TRUE(g2.ok());
  ASSERT_EQ(g2->size(), 1u);
  EXPECT_NEAR((*g2)[0].members[1].similarity, 0.8, 1e-9);
  auto g3 = FindDuplicates({a, three});
  ASSERT_TRUE(g3.ok());
  EXPECT_TRUE(g3->empty());
  auto short_pair = FindDuplicates({"red green blue", "red green black"});
  ASSERT_TRUE(short_pair.ok());
  EXPECT_TRUE(short_pair->empty());
  DuplicateOptions bad;
  bad.edit_min_words = 0;
  EXPECT_EQ(DuplicateFinder::Create(bad).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hitloop::autolabel

#include "text/featurizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace hitloop::text {
namespace {

double Norm(const SparseRow& r) { return std::sqrt(Dot(r, r)); }

TEST(FeaturizerTest, TextRowsAreSortedUniqueAndUnitLength) {
  Featurizer f;
  std::vector<FeatureInput> in = {{"the cat sat on the mat", {}}, {"The CAT!", {}}, {"", {}}};
  auto rows = f.FitTransform(in).value();
  ASSERT_EQ(rows.size(), 3u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(Norm(rows[i]), 1.0, 1e-5);
    for (size_t j = 1; j < rows[i].size(); ++j) EXPECT_LT(rows[i][j - 1].index, rows[i][j].index);
    for (const auto& x : rows[i]) EXPECT_LT(x.index, f.text_dim());
  }
  EXPECT_TRUE(rows[2].empty());
  // Normalisation: case does not change the features.
  EXPECT_NEAR(Dot(f.Transform({"THE cat", {}}), f.Transform({"the cat", {}})), 1.0, 1e-5);
}

// The character n-grams are those of the space-separated words, punctuation kept ("the," and
// "the" differ; scikit-learn's char_wb), while the word features are those of the tokens. With
// char_ngram_words = false (format version 1 files) punctuation changes nothing.
TEST(FeaturizerTest, CharacterNgramsKeepPunctuationUnlessTokensAreAskedFor) {
  Featurizer f;
  std::vector<FeatureInput> in = {{"the cat", {}}, {"the, cat", {}}};
  ASSERT_TRUE(f.FitTransform(in).ok());
  const double d = Dot(f.Transform({"THE cat", {}}), f.Transform({"the, cat", {}}));
  EXPECT_LT(d, 0.999);
  EXPECT_GT(d, 0.5);  // the tokens and the n-grams of "cat" are shared
  FeaturizerOptions o;
  o.char_ngram_words = false;
  Featurizer g(o);
  ASSERT_TRUE(g.FitTransform(in).ok());
  EXPECT_NEAR(Dot(g.Transform({"THE cat", {}}), g.Transform({"the, cat", {}})), 1.0, 1e-5);
  // Runs of spaces, tabs and newlines separate words alike.
  EXPECT_NEAR(Dot(f.Transform({"the  cat\n", {}}), f.Transform({"the\tcat", {}})), 1.0, 1e-5);
}

TEST(FeaturizerTest, IdfDownweightsCommonTerms) {
  FeaturizerOptions o;
  o.word_bigrams = false;
  o.char_ngram_min = 0;
  Featurizer f(o);
  std::vector<FeatureInput> in = {{"common rare", {}}, {"common", {}}, {"common", {}}};
  auto rows = f.FitTransform(in).value();
  ASSERT_EQ(rows[0].size(), 2u);
  const auto common = f.Transform({"common", {}})[0].index;
  float w_common = 0, w_rare = 0;
  for (const auto& x : rows[0]) (x.index == common ? w_common : w_rare) = x.value;
  EXPECT_GT(w_rare, w_common);
}

TEST(FeaturizerTest, DenseVectorsAreScaledAndAppendedAfterText) {
  Featurizer f;
  std::vector<float> v1 = {2, 0, -4}, v2 = {1, 5, 2};
  std::vector<FeatureInput> in = {{"", v1}, {"word", v2}};
  auto rows = f.FitTransform(in).value();
  EXPECT_EQ(f.dense_dims(), 3u);
  EXPECT_EQ(f.dim(), f.text_dim() + 3);
  // Vector-only row: max-abs scaled, zeros stay implicit.
  ASSERT_EQ(rows[0].size(), 2u);
  EXPECT_EQ(rows[0][0].index, f.text_dim());
  EXPECT_FLOAT_EQ(rows[0][0].value, 1.0f);
  EXPECT_FLOAT_EQ(rows[0][1].value, -1.0f);
  // Text + vector: both blocks present.
  size_t dense = 0;
  for (const auto& x : rows[1]) dense += x.index >= f.text_dim();
  EXPECT_EQ(dense, 3u);
  EXPECT_GT(rows[1].size(), 3u);
}

// FitTransform's threads split the corpus; rows and the fitted IDF must not depend on the count.
TEST(FeaturizerTest, RowsAreTheSameForAnyThreadCount) {
  std::vector<std::string> texts;
  for (int i = 0; i < 1500; ++i) {
    texts.push_back("item " + std::to_string(i) + " says " + std::string(static_cast<size_t>(i % 7 + 1), 'x') +
                    (i % 3 == 0 ? " naïve café" : " plain words here"));
  }
  std::vector<FeatureInput> in;
  for (const auto& t : texts) in.push_back({t, {}});
  Featurizer one, three;
  auto a = one.FitTransform(in, 1).value();
  auto b = three.FitTransform(in, 3).value();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].size(), b[i].size()) << i;
    for (size_t j = 0; j < a[i].size(); ++j) {
      EXPECT_EQ(a[i][j].index, b[i][j].index);
      EXPECT_EQ(a[i][j].value, b[i][j].value);
    }
  }
  const auto probe = one.Transform({"item 7 says xx", {}});
  const auto probe3 = three.Transform({"item 7 says xx", {}});
  ASSERT_EQ(probe.size(), probe3.size());
  for (size_t j = 0; j < probe.size(); ++j) EXPECT_EQ(probe[j].value, probe3[j].value);
}

TEST(FeaturizerTest, RejectsInconsistentVectorLengths) {
  Featurizer f;
  std::vector<float> a = {1, 2}, b = {1, 2, 3};
  std::vector<FeatureInput> in = {{"", a}, {"", b}};
  auto r = f.FitTransform(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hitloop::text

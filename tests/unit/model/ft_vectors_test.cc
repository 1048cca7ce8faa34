#include "model/ft_vectors.h"

#include <gtest/gtest.h>

#include <cmath>

#include "unit/al/synthetic_data.h"

namespace hitloop::model {
namespace {

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
}

class FastTextVectorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new hitloop::testing::SyntheticText(hitloop::testing::MakeSyntheticText(1500, 4, 21));
    RepresentationOptions o;
    o.dims = 24;
    o.threads = 1;
    ft_ = new FastTextVectors(o);
    std::vector<Example> pool;
    for (const auto& t : data_->texts) pool.push_back({nullptr, t});
    fit_ = ft_->Fit(pool);
  }
  static void TearDownTestSuite() {
    delete ft_;
    delete data_;
  }
  std::vector<float> Vec(std::string_view text) const {
    std::vector<float> v(ft_->dims());
    EXPECT_TRUE(ft_->Transform({nullptr, text}, v).ok());
    return v;
  }
  static hitloop::testing::SyntheticText* data_;
  static FastTextVectors* ft_;
  static Status fit_;
};
hitloop::testing::SyntheticText* FastTextVectorsTest::data_ = nullptr;
FastTextVectors* FastTextVectorsTest::ft_ = nullptr;
Status FastTextVectorsTest::fit_;

// The document vector is the mean of the unit-normalised word vectors, minus the pool's mean.
TEST_F(FastTextVectorsTest, PoolsUnitWordVectorsByTheMean) {
  ASSERT_TRUE(fit_.ok()) << fit_.ToString();
  ASSERT_EQ(ft_->dims(), 24);
  const auto a = Vec("topic1word3"), b = Vec("filler7"), ab = Vec("topic1word3 filler7");
  const auto& m = ft_->mean();
  ASSERT_EQ(m.size(), 24u);
  double na = 0;
  for (int j = 0; j < 24; ++j) na += (a[j] + m[j]) * (a[j] + m[j]);
  EXPECT_NEAR(std::sqrt(na), 1.0, 1e-4);
  for (int j = 0; j < 24; ++j) EXPECT_NEAR(ab[j], 0.5f * (a[j] + b[j]), 1e-5) << j;
  // No words: the zero vector (AugmentRows then adds nothing for it).
  for (float x : Vec("")) EXPECT_EQ(x, 0.0f);
  // A word never seen still gets a vector from its character n-grams.
  const auto u = Vec("topic1word3zz");
  double nu = 0;
  for (int j = 0; j < 24; ++j) nu += (u[j] + m[j]) * (u[j] + m[j]);
  EXPECT_NEAR(std::sqrt(nu), 1.0, 1e-4);
}

TEST_F(FastTextVectorsTest, TopicsClusterAndTheModelRoundTrips) {
  ASSERT_TRUE(fit_.ok());
  auto test = hitloop::testing::MakeSyntheticText(200, 4, 22);
  std::vector<std::vector<float>> z;
  for (const auto& t : test.texts) z.push_back(Vec(t));
  double same = 0, diff = 0;
  int ns = 0, nd = 0;
  for (size_t i = 0; i < z.size(); ++i) {
    for (size_t j = i + 1; j < z.size(); ++j) {
      const double c = Cosine(z[i], z[j]);
      (test.labels[i] == test.labels[j] ? same : diff) += c;
      ++(test.labels[i] == test.labels[j] ? ns : nd);
    }
  }
  EXPECT_GT(same / ns, diff / nd + 0.1) << same / ns << " vs " << diff / nd;
  auto payload = ft_->Serialize();
  ASSERT_TRUE(payload.ok());
  FastTextVectors back({});
  ASSERT_TRUE(back.Deserialize(*payload).ok());
  std::vector<float> v(24);
  ASSERT_TRUE(back.Transform({nullptr, test.texts[0]}, v).ok());
  EXPECT_EQ(v, z[0]);
}

TEST(FastTextVectorsNoFitTest, EmptyPoolAndUnfitted) {
  FastTextVectors ft({});
  std::vector<float> v(4);
  EXPECT_EQ(ft.Transform({nullptr, "a"}, v).code(), StatusCode::kFailedPrecondition);
  std::vector<Example> pool = {{nullptr, ""}, {nullptr, "  "}};
  EXPECT_EQ(ft.Fit(pool).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hitloop::model

#include "model/lsa.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/rng.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::model {
namespace {

// A known rank-5 matrix U diag(s) V^T with orthonormal U, V.
Eigen::MatrixXf KnownLowRank(int rows, int cols, const std::vector<float>& s, uint64_t seed) {
  Rng rng(seed);
  std::normal_distribution<float> normal;
  Eigen::MatrixXf g1(rows, s.size()), g2(cols, s.size());
  for (int i = 0; i < g1.size(); ++i) g1.data()[i] = normal(rng.engine());
  for (int i = 0; i < g2.size(); ++i) g2.data()[i] = normal(rng.engine());
  Eigen::HouseholderQR<Eigen::MatrixXf> q1(g1), q2(g2);
  const Eigen::MatrixXf u = q1.householderQ() * Eigen::MatrixXf::Identity(rows, s.size());
  const Eigen::MatrixXf v = q2.householderQ() * Eigen::MatrixXf::Identity(cols, s.size());
  Eigen::VectorXf sv(s.size());
  for (size_t i = 0; i < s.size(); ++i) sv(i) = s[i];
  return u * sv.asDiagonal() * v.transpose();
}

TEST(RandomizedSvdTest, RecoversAKnownLowRankMatrix) {
  const std::vector<float> s = {10, 7, 5, 3, 1};
  const Eigen::MatrixXf dense = KnownLowRank(200, 150, s, 3);
  const Eigen::SparseMatrix<float, Eigen::RowMajor> a = dense.sparseView();
  auto svd = RandomizedSvd(a, 5, 5, 2, 11);
  ASSERT_TRUE(svd.ok()) << svd.status().ToString();
  for (int j = 0; j < 5; ++j) EXPECT_NEAR(svd->sigma(j), s[j], 1e-3 * s[0]) << j;
  // Orthonormal right vectors, and A V V^T reconstructs A.
  const Eigen::MatrixXf vtv = svd->v.transpose() * svd->v;
  EXPECT_LT((vtv - Eigen::MatrixXf::Identity(5, 5)).norm(), 1e-3);
  const Eigen::MatrixXf rec = dense * svd->v * svd->v.transpose();
  EXPECT_LT((dense - rec).norm() / dense.norm(), 1e-3);
}

TEST(RandomizedSvdTest, RankBeyondTheMatrixIsRejected) {
  Eigen::SparseMatrix<float, Eigen::RowMajor> a(8, 6);
  a.insert(0, 0) = 1;
  EXPECT_EQ(RandomizedSvd(a, 5, 5, 1, 1).status().code(), StatusCode::kInvalidArgument);
}

double LsaCosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
}

TEST(LsaTest, SameTopicDocumentsAreCloserAndTheStateRoundTrips) {
  auto data = hitloop::testing::MakeSimulationInput(800, 200, 4, 5);
  std::vector<Example> pool;
  for (size_t i = 0; i < data.pool.rows.size(); ++i) pool.push_back({&data.pool.rows[i], ""});
  RepresentationOptions o;
  o.dims = 20;
  Lsa lsa(o);
  ASSERT_TRUE(lsa.Fit(pool).ok());
  ASSERT_EQ(lsa.dims(), 20);
  EXPECT_TRUE(std::is_sorted(lsa.singular_values().rbegin(), lsa.singular_values().rend()));
  std::vector<std::vector<float>> z(data.test.rows.size(), std::vector<float>(20));
  for (size_t i = 0; i < z.size(); ++i) {
    ASSERT_TRUE(lsa.Transform({&data.test.rows[i], ""}, z[i]).ok());
  }
  double same = 0, diff = 0;
  int ns = 0, nd = 0;
  for (size_t i = 0; i < z.size(); ++i) {
    for (size_t j = i + 1; j < z.size(); ++j) {
      const double c = LsaCosine(z[i], z[j]);
      if (data.test.labels[i] == data.test.labels[j]) {
        same += c;
        ++ns;
      } else {
        diff += c;
        ++nd;
      }
    }
  }
  // Topics share filler words; the latent space still separates them on average.
  EXPECT_GT(same / ns, diff / nd + 0.1) << same / ns << " vs " << diff / nd;

  auto payload = lsa.Serialize();
  ASSERT_TRUE(payload.ok());
  Lsa back(o);
  ASSERT_TRUE(back.Deserialize(*payload).ok());
  std::vector<float> again(20);
  ASSERT_TRUE(back.Transform({&data.test.rows[0], ""}, again).ok());
  EXPECT_EQ(again, z[0]);
  EXPECT_EQ(back.Deserialize(payload->substr(0, payload->size() - 3)).code(),
            StatusCode::kCorruption);
}

TEST(LsaTest, UnfittedAndTooSmallPools) {
  Lsa lsa({});
  text::SparseRow row = {{1, 1.0f}};
  std::vector<float> out(1);
  EXPECT_EQ(lsa.Transform({&row, ""}, out).code(), StatusCode::kFailedPrecondition);
  std::vector<Example> pool = {{&row, ""}, {&row, ""}};
  EXPECT_EQ(lsa.Fit(pool).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hitloop::model

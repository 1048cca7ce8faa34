#include "model/rff.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/rng.h"
#include "model/logreg.h"

namespace hitloop::model {
namespace {

text::SparseRow RffDense(const std::vector<float>& x, uint32_t offset) {
  text::SparseRow r;
  for (size_t d = 0; d < x.size(); ++d) {
    if (x[d] != 0) r.push_back({offset + static_cast<uint32_t>(d), x[d]});
  }
  return r;
}

TEST(RffTest, InnerProductsApproximateTheGaussianKernel) {
  RandomFourierFeatures rff({});
  const float sigma = 1.5f;
  rff.Init(6, sigma, 6000, 9);
  Rng rng(4);
  double worst = 0;
  for (int t = 0; t < 40; ++t) {
    std::vector<float> x(6), y(6);
    double d2 = 0;
    for (int d = 0; d < 6; ++d) {
      x[d] = static_cast<float>(rng.Uniform() * 2 - 1);
      y[d] = static_cast<float>(rng.Uniform() * 2 - 1);
      d2 += (x[d] - y[d]) * (x[d] - y[d]);
    }
    const auto rx = RffDense(x, 0), ry = RffDense(y, 0);
    std::vector<float> zx(6000), zy(6000);
    ASSERT_TRUE(rff.Transform({&rx, ""}, zx).ok());
    ASSERT_TRUE(rff.Transform({&ry, ""}, zy).ok());
    double dot = 0;
    for (int j = 0; j < 6000; ++j) dot += zx[j] * zy[j];
    const double k = std::exp(-d2 / (2.0 * sigma * sigma));
    worst = std::max(worst, std::fabs(dot - k));
  }
  // Monte-Carlo error ~ 1/sqrt(D) = 0.013; 40 pairs stay well inside 0.06.
  EXPECT_LT(worst, 0.06);
}

// Two concentric rings: no linear model on (x, y) beats the majority by much; on the features
// of the kernel map a linear model separates them.
TEST(RffTest, MakesALinearModelNonlinear) {
  Rng rng(2);
  const uint32_t offset = 1000;  // the dense block starts after the "text" columns
  std::vector<text::SparseRow> rows;
  std::vector<int> y;
  for (int i = 0; i < 600; ++i) {
    const int c = static_cast<int>(rng.Below(2));
    const double r = (c ? 2.0 : 1.0) + 0.15 * (rng.Uniform() - 0.5);
    const double a = rng.Uniform() * 2 * std::numbers::pi;
    rows.push_back(RffDense({static_cast<float>(r * std::cos(a)), static_cast<float>(r * std::sin(a))},
                         offset));
    y.push_back(c);
  }
  std::vector<Example> ex;
  for (const auto& r : rows) ex.push_back({&r, ""});
  RepresentationOptions ro;
  ro.text_dim = offset;
  ro.dims = 300;
  RepresentationSet set;
  set.push_back(std::make_unique<RandomFourierFeatures>(ro));
  ASSERT_TRUE(set[0]->Fit(ex).ok());
  EXPECT_GT(static_cast<RandomFourierFeatures&>(*set[0]).sigma(), 0.5f);
  std::vector<text::SparseRow> aug = rows;
  ASSERT_TRUE(AugmentRows(set, ex, offset + 2, 1.0f, 2, &aug).ok());

  auto accuracy = [&](const std::vector<text::SparseRow>& r) {
    std::vector<Example> e;
    for (const auto& row : r) e.push_back({&row, ""});
    std::vector<Example> tr(e.begin(), e.begin() + 400), te(e.begin() + 400, e.end());
    std::vector<int> ytr(y.begin(), y.begin() + 400);
    ClassifierOptions co;
    co.threads = 1;
    LogReg m(co);
    EXPECT_TRUE(m.Train(tr, ytr, 2).ok());
    std::vector<float> p(te.size() * 2);
    EXPECT_TRUE(m.Predict(te, p).ok());
    double ok = 0;
    for (size_t i = 0; i < te.size(); ++i) ok += (p[2 * i + 1] > p[2 * i]) == (y[400 + i] == 1);
    return ok / te.size();
  };
  const double plain = accuracy(rows), kernel = accuracy(aug);
  EXPECT_LT(plain, 0.75);
  EXPECT_GT(kernel, 0.95) << "plain " << plain;

  auto payload = set[0]->Serialize();
  ASSERT_TRUE(payload.ok());
  RandomFourierFeatures back(ro);
  ASSERT_TRUE(back.Deserialize(*payload).ok());
  std::vector<float> a(300), b(300);
  ASSERT_TRUE(set[0]->Transform(ex[0], a).ok());
  ASSERT_TRUE(back.Transform(ex[0], b).ok());
  EXPECT_EQ(a, b);
}

TEST(RffTest, PoolWithoutVectorsIsRejected) {
  RepresentationOptions ro;
  ro.text_dim = 100;
  RandomFourierFeatures rff(ro);
  text::SparseRow r = {{3, 1.0f}};
  std::vector<Example> ex = {{&r, ""}};
  EXPECT_EQ(rff.Fit(ex).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hitloop::model

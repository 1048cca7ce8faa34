#include "model/calibration.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.h"
#include "model/registry.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::model {
namespace {

// Labels drawn from softmax(z); the model reports softmax(3 z): over-confident by T = 3.
void MakeOverconfident(size_t n, int k, uint64_t seed, std::vector<float>* probs,
                       std::vector<int>* labels) {
  Rng rng(seed);
  for (size_t i = 0; i < n; ++i) {
    std::vector<double> z(k), p(k), q(k);
    double sp = 0, sq = 0;
    for (int c = 0; c < k; ++c) {
      z[c] = 2.0 * rng.Uniform();
      sp += p[c] = std::exp(z[c]);
      sq += q[c] = std::exp(3 * z[c]);
    }
    double u = rng.Uniform() * sp;
    int y = k - 1;
    for (int c = 0; c < k; ++c) {
      u -= p[c];
      if (u <= 0) { y = c; break; }
    }
    labels->push_back(y);
    for (int c = 0; c < k; ++c) probs->push_back(static_cast<float>(q[c] / sq));
  }
}

TEST(CalibrationTest, RecoversTheTemperatureOfAnOverconfidentModel) {
  std::vector<float> probs;
  std::vector<int> labels;
  MakeOverconfident(4000, 4, 3, &probs, &labels);
  const double t = FitTemperature(probs, labels, 4).value();
  EXPECT_NEAR(t, 3.0, 0.4);
  const double nll_before = NegativeLogLikelihood(probs, labels, 4, 1.0);
  const double ece_before = ExpectedCalibrationError(probs, labels, 4);
  std::vector<float> calibrated = probs;
  ApplyTemperature(t, calibrated, 4);
  EXPECT_LT(NegativeLogLikelihood(calibrated, labels, 4, 1.0), nll_before);
  EXPECT_LT(ExpectedCalibrationError(calibrated, labels, 4), ece_before * 0.6);
  // The argmax never changes.
  for (size_t i = 0; i < labels.size(); ++i) {
    auto a = std::max_element(probs.begin() + i * 4, probs.begin() + i * 4 + 4) - probs.begin();
    auto b = std::max_element(calibrated.begin() + i * 4, calibrated.begin() + i * 4 + 4) -
             calibrated.begin();
    ASSERT_EQ(a, b);
  }
}

TEST(CalibrationTest, WellCalibratedInputKeepsTemperatureNearOne) {
  std::vector<float> probs;
  std::vector<int> labels;
  MakeOverconfident(4000, 3, 9, &probs, &labels);
  ApplyTemperature(3.0, probs, 3);  // undo the over-confidence
  EXPECT_NEAR(FitTemperature(probs, labels, 3).value(), 1.0, 0.15);
}

TEST(CalibrationTest, CalibratedClassifierDoesNotHurtHeldOutLikelihood) {
  auto data = hitloop::testing::MakeSimulationInput(600, 400, 4, 17);
  std::vector<Example> tr, te;
  for (size_t i = 0; i < data.pool.rows.size(); ++i) tr.push_back({&data.pool.rows[i], ""});
  for (size_t i = 0; i < data.test.rows.size(); ++i) te.push_back({&data.test.rows[i], ""});
  auto raw = CreateClassifier("logreg", {}).value();
  auto cal = CreateClassifier("calibrated:logreg", {}).value();
  ASSERT_TRUE(raw->Train(tr, data.pool.labels, 4).ok());
  ASSERT_TRUE(cal->Train(tr, data.pool.labels, 4).ok());
  std::vector<float> pr(te.size() * 4), pc(te.size() * 4);
  ASSERT_TRUE(raw->Predict(te, pr).ok());
  ASSERT_TRUE(cal->Predict(te, pc).ok());
  const double t = static_cast<CalibratedClassifier&>(*cal).temperature();
  EXPECT_NE(t, 1.0);
  // Slack: the held-out temperature is fitted on 20% of the pool, not on the test set.
  EXPECT_LE(NegativeLogLikelihood(pc, data.test.labels, 4, 1.0),
            NegativeLogLikelihood(pr, data.test.labels, 4, 1.0) + 0.02);
}

}  // namespace
}  // namespace hitloop::model

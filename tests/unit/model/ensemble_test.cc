#include "model/ensemble.h"

#include <gtest/gtest.h>

#include "model/registry.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::model {
namespace {

TEST(EnsembleTest, MembersDisagreeAndTheirMeanIsThePrediction) {
  auto data = hitloop::testing::MakeSimulationInput(120, 60, 3, 4);
  std::vector<Example> tr, te;
  for (size_t i = 0; i < data.pool.rows.size(); ++i) tr.push_back({&data.pool.rows[i], ""});
  for (size_t i = 0; i < data.test.rows.size(); ++i) te.push_back({&data.test.rows[i], ""});
  ClassifierOptions o;
  o.ensemble_size = 4;
  auto m = CreateClassifier("bagged:logreg", o).value();
  ASSERT_TRUE(m->Train(tr, data.pool.labels, 3).ok());
  auto& bag = static_cast<BootstrapEnsemble&>(*m);
  ASSERT_EQ(bag.size(), 4u);
  std::vector<std::vector<float>> each;
  ASSERT_TRUE(bag.PredictMembers(te, &each).ok());
  EXPECT_NE(each[0], each[1]);  // bootstrap resamples differ
  std::vector<float> mean(te.size() * 3);
  ASSERT_TRUE(m->Predict(te, mean).ok());
  for (size_t i = 0; i < mean.size(); ++i) {
    EXPECT_NEAR(mean[i], (each[0][i] + each[1][i] + each[2][i] + each[3][i]) / 4, 1e-5);
  }
}

}  // namespace
}  // namespace hitloop::model

#include "model/registry.h"

#include <gtest/gtest.h>

namespace hitloop::model {
namespace {

TEST(ModelRegistryTest, CreatesEveryListedModelAndWrappers) {
  for (const auto& name : ClassifierNames()) {
    auto m = CreateClassifier(name, {});
    ASSERT_TRUE(m.ok()) << name;
    EXPECT_EQ((*m)->name(), name);
  }
  EXPECT_EQ(CreateClassifier("calibrated:logreg", {}).value()->name(), "calibrated:logreg");
  EXPECT_EQ(CreateClassifier("bagged:logreg", {}).value()->name(), "bagged:logreg");
  auto bad = CreateClassifier("svm", {});
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("logreg"), std::string::npos);
}

}  // namespace
}  // namespace hitloop::model

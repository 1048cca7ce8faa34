#include "model/model_file.h"

#include <gtest/gtest.h>

#include "core/file.h"
#include "model/registry.h"
#include "support/temp_dir.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::model {
namespace {

struct Trained {
  al::SimulationInput data;
  std::vector<Example> ex;
  std::unique_ptr<Classifier> model;
};

Trained TrainSmall(const std::string& name) {
  Trained t;
  t.data = hitloop::testing::MakeSimulationInput(150, 10, 3, 21);
  for (size_t i = 0; i < t.data.pool.rows.size(); ++i) {
    t.ex.push_back({&t.data.pool.rows[i], t.data.pool.texts[i]});
  }
  t.model = CreateClassifier(name, ClassifierOptions{}).value();
  EXPECT_TRUE(t.model->Train(t.ex, t.data.pool.labels, 3).ok());
  return t;
}

TEST(ModelFileTest, RoundTripGivesIdenticalPredictions) {
  for (const std::string name : {"logreg", "calibrated:logreg", "bagged:logreg"}) {
    SCOPED_TRACE(name);
    auto t = TrainSmall(name);
    hitloop::testing::TempDir dir;
    const std::string path = dir.path() + "/m.hlm";
    ASSERT_TRUE(SaveModel(*t.model, path).ok());
    auto loaded = LoadModel(path);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ((*loaded)->name(), name);
    std::vector<float> a(t.ex.size() * 3), b(t.ex.size() * 3);
    ASSERT_TRUE(t.model->Predict(t.ex, a).ok());
    ASSERT_TRUE((*loaded)->Predict(t.ex, b).ok());
    EXPECT_EQ(a, b);
  }
}

TEST(ModelFileTest, EveryFlippedByteIsRejected) {
  auto t = TrainSmall("logreg");
  const std::string bytes = EncodeModel(*t.model).value();
  // Every byte of the header and a spread of payload bytes.
  for (size_t i = 0; i < bytes.size(); i += (i < 64 ? 1 : bytes.size() / 97 + 1)) {
    std::string bad = bytes;
    bad[i] ^= 0x20;
    auto r = DecodeModel(bad);
    ASSERT_FALSE(r.ok()) << "flipped byte " << i << " was accepted";
    EXPECT_TRUE(r.status().code() == StatusCode::kCorruption ||
                r.status().code() == StatusCode::kNotFound)
        << i << ": " << r.status().ToString();
  }
}

TEST(ModelFileTest, TruncatedExtendedAndForeignFilesAreRejected) {
  auto t = TrainSmall("logreg");
  const std::string bytes = EncodeModel(*t.model).value();
  EXPECT_EQ(DecodeModel(bytes.substr(0, bytes.size() - 1)).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeModel(bytes + "x").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeModel("").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeModel("__label__spam hello").status().code(), StatusCode::kCorruption);
  hitloop::testing::TempDir dir;
  const std::string path = dir.path() + "/m.hlm";
  std::string bad = bytes;
  bad[bad.size() / 2] ^= 1;
  ASSERT_TRUE(AtomicWriteFile(path, bad).ok());
  auto r = LoadModel(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace hitloop::model

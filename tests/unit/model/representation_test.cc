#include "model/representation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/file.h"
#include "model/logreg.h"
#include "model/model_file.h"
#include "support/temp_dir.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::model {
namespace {

TEST(RepresentationRegistryTest, NamesAndUnknown) {
  EXPECT_EQ(RepresentationNames(), (std::vector<std::string>{"lsa", "ftvec", "rff", "patches"}));
  for (const auto& n : RepresentationNames()) {
    auto r = CreateRepresentation(n, {});
    ASSERT_TRUE(r.ok()) << n;
    EXPECT_EQ((*r)->name(), n);
  }
  auto bad = CreateRepresentation("pca", {});
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("lsa"), std::string::npos);
}

TEST(ModelSpecTest, Parses) {
  auto plain = ParseModelSpec("logreg").value();
  EXPECT_TRUE(plain.representations.empty());
  EXPECT_EQ(plain.classifier, "logreg");
  auto two = ParseModelSpec("lsa,ftvec+calibrated:logreg").value();
  EXPECT_EQ(two.representations, (std::vector<std::string>{"lsa", "ftvec"}));
  EXPECT_EQ(two.classifier, "calibrated:logreg");
  for (const char* bad : {"", "+logreg", "lsa+", "lsa,+logreg", "pca+logreg", "lsa,lsa+logreg",
                          "lsa+rff+logreg"}) {
    EXPECT_FALSE(ParseModelSpec(bad).ok()) << bad;
  }
}

TEST(AugmentRowsTest, AppendsNormalisedBlocksAfterTheOffset) {
  auto data = hitloop::testing::MakeSimulationInput(300, 10, 3, 8);
  std::vector<Example> pool;
  for (size_t i = 0; i < data.pool.rows.size(); ++i) pool.push_back({&data.pool.rows[i], ""});
  RepresentationOptions o;
  o.dims = 8;
  auto set = FitRepresentations(std::vector<std::string>{"lsa"}, pool, o);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  const uint32_t offset = 1u << 16;  // the featurizer's dim() (hash_bits 16, no vectors)
  auto rows = data.pool.rows;
  ASSERT_TRUE(AugmentRows(*set, pool, offset, 0.5f, 2, &rows).ok());
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    ASSERT_TRUE(std::is_sorted(r.begin(), r.end(),
                               [](const auto& a, const auto& b) { return a.index < b.index; }));
    double block = 0;
    size_t n_block = 0;
    for (const auto& f : r) {
      if (f.index < offset) continue;
      EXPECT_LT(f.index, offset + 8);
      block += f.value * f.value;
      ++n_block;
    }
    EXPECT_EQ(r.size() - n_block, data.pool.rows[i].size());
    if (n_block) EXPECT_NEAR(std::sqrt(block), 0.5, 1e-4);
  }
  // A block offset inside the sparse columns would collide: rejected.
  auto again = data.pool.rows;
  EXPECT_EQ(AugmentRows(*set, pool, 4, 1.0f, 1, &again).code(), StatusCode::kInvalidArgument);
}

TEST(RepresentationFileTest, RoundTripAndCorruption) {
  hitloop::testing::TempDir dir;
  auto data = hitloop::testing::MakeSimulationInput(300, 10, 3, 8);
  std::vector<Example> pool;
  for (size_t i = 0; i < data.pool.rows.size(); ++i) pool.push_back({&data.pool.rows[i], ""});
  RepresentationOptions o;
  o.dims = 6;
  auto set = FitRepresentations(std::vector<std::string>{"lsa"}, pool, o).value();
  const std::string path = dir.path() + "/pool.repr";
  ASSERT_TRUE(SaveRepresentation(*set[0], path).ok());
  auto back = LoadRepresentation(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  std::vector<float> a(6), b(6);
  ASSERT_TRUE(set[0]->Transform(pool[0], a).ok());
  ASSERT_TRUE((*back)->Transform(pool[0], b).ok());
  EXPECT_EQ(a, b);

  std::string bytes = ReadFile(path).value();
  bytes[bytes.size() / 2] ^= 1;
  EXPECT_EQ(DecodeRepresentation(bytes).status().code(), StatusCode::kCorruption);
  // A classifier's file is not a representation, and the other way round.
  LogReg m({});
  std::vector<int> y(data.pool.labels.begin(), data.pool.labels.end());
  ASSERT_TRUE(m.Train(pool, y, 3).ok());
  EXPECT_EQ(DecodeRepresentation(EncodeModel(m).value()).status().code(),
            StatusCode::kCorruption);
  EXPECT_FALSE(DecodeModel(EncodeRepresentation(*set[0]).value()).ok());
}

}  // namespace
}  // namespace hitloop::model

#include "preference/reward_model.h"

#include <gtest/gtest.h>

#include "core/rng.h"
#include "support/temp_dir.h"

namespace hitloop::preference {
namespace {

// Synthetic preferences: polite answers ("please", "glad to help") beat rude ones ("stupid",
// "go away"), with 10% of the pairs flipped. The model must learn the words.
std::vector<std::string> Texts(Rng& rng, bool polite, int n) {
  const std::vector<std::string> good = {"please", "glad to help", "happy to explain", "thank you"};
  const std::vector<std::string> bad = {"stupid question", "go away", "figure it out yourself", "whatever"};
  const std::vector<std::string> filler = {"the answer is", "you could try", "in short", "maybe", "well"};
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string t = filler[rng.Below(filler.size())] + " " + (polite ? good : bad)[rng.Below(4)] + " " +
                    filler[rng.Below(filler.size())];
    out.push_back(t);
  }
  return out;
}

TEST(RewardModelTest, LearnsAPreferenceAndSurvivesSaveLoad) {
  const uint64_t seed = 5;
  Rng rng(seed);
  const int n = 400;
  auto polite = Texts(rng, true, n), rude = Texts(rng, false, n);
  std::vector<RewardPair> train;
  for (int i = 0; i < 300; ++i) {
    const bool flip = rng.Uniform() < 0.1;
    train.push_back({"a question", flip ? rude[i] : polite[i], flip ? polite[i] : rude[i]});
  }
  auto m = RewardModel::Train(train, {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  int right = 0;
  for (int i = 300; i < n; ++i) right += m->Score("a question", polite[i]) > m->Score("a question", rude[i]);
  EXPECT_GE(right, 95) << "seed " << seed;

  testing::TempDir dir;
  const std::string path = dir.File("reward.hlrm");
  ASSERT_TRUE(m->Save(path).ok());
  auto loaded = RewardModel::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_DOUBLE_EQ(loaded->Score("a question", polite[350]), m->Score("a question", polite[350]));
}

TEST(RewardModelTest, CorruptFilesAreRejectedNotLoaded) {
  std::vector<RewardPair> train = {{"q", "good answer", "bad answer"}, {"q", "fine answer", "awful answer"}};
  auto m = RewardModel::Train(train, {});
  ASSERT_TRUE(m.ok());
  std::string bytes = m->Encode();
  ASSERT_TRUE(RewardModel::Decode(bytes).ok());
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x20;
  EXPECT_EQ(RewardModel::Decode(flipped).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(RewardModel::Decode(bytes.substr(0, bytes.size() - 3)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(RewardModel::Decode("HLMODEL").status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(RewardModel::Train({}, {}).ok());
}

}  // namespace
}  // namespace hitloop::preference

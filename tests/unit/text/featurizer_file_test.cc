#include "text/featurizer_file.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/file.h"
#include "core/ids.h"
#include "support/temp_dir.h"

namespace hitloop::text {
namespace {

// A small fitted featurizer with a text block and a dense block.
Featurizer Fitted() {
  FeaturizerOptions o;
  o.hash_bits = 10;
  Featurizer f(o);
  const std::vector<float> v1 = {1.0f, -4.0f, 0.0f}, v2 = {0.5f, 2.0f, 0.0f};
  std::vector<FeatureInput> in = {{"the cat sat on the mat", v1},
                                  {"a dog chased the cat", v2},
                                  {"völlig unerwartet: the end", v1}};
  EXPECT_TRUE(f.FitTransform(in).ok());
  return f;
}

void ExpectSameRows(const Featurizer& a, const Featurizer& b) {
  const std::vector<float> v = {0.25f, -1.0f, 3.0f};
  for (const char* t : {"the cat", "an unseen sentence entirely", "", "völlig"}) {
    const SparseRow ra = a.Transform({t, v}), rb = b.Transform({t, v});
    ASSERT_EQ(ra.size(), rb.size()) << t;
    for (size_t i = 0; i < ra.size(); ++i) {
      EXPECT_EQ(ra[i].index, rb[i].index);
      EXPECT_EQ(ra[i].value, rb[i].value);
    }
  }
}

TEST(FeaturizerFileTest, SaveLoadGivesIdenticalRows) {
  const Featurizer f = Fitted();
  hitloop::testing::TempDir dir;
  const std::string path = dir.path() + "/pool.hlf";
  ASSERT_TRUE(SaveFeaturizer(f, path).ok());
  auto loaded = LoadFeaturizer(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->dim(), f.dim());
  EXPECT_EQ(loaded->dense_dims(), 3u);
  ExpectSameRows(f, *loaded);
  // Options other than the defaults survive too.
  FeaturizerOptions o;
  o.hash_bits = 12;
  o.char_ngram_min = 0;
  o.word_bigrams = false;
  Featurizer g(o);
  std::vector<FeatureInput> in = {{"alpha beta", {}}, {"beta gamma", {}}};
  ASSERT_TRUE(g.FitTransform(in).ok());
  auto g2 = DecodeFeaturizer(EncodeFeaturizer(g));
  ASSERT_TRUE(g2.ok());
  EXPECT_EQ(g2->options().hash_bits, 12);
  EXPECT_EQ(g2->options().char_ngram_min, 0);
  EXPECT_FALSE(g2->options().word_bigrams);
  EXPECT_TRUE(g2->options().char_ngram_words);
  ExpectSameRows(g, *g2);
}

// A file of format version 1 (written before char_ngram_words: no last byte) is read with the
// rule it was written under, n-grams of the tokens, so a saved project keeps its features.
TEST(FeaturizerFileTest, AVersionOneFileKeepsTheTokenNgramsItWasWrittenWith) {
  FeaturizerOptions o;
  o.hash_bits = 10;
  o.char_ngram_words = false;
  Featurizer old(o);
  std::vector<FeatureInput> in = {{"a gloss; \"an example\"", {}}, {"another, gloss", {}}};
  ASSERT_TRUE(old.FitTransform(in).ok());
  std::string bytes = EncodeFeaturizer(old);
  // Rewrite as version 1: drop the payload's last byte, fix version, length and checksum.
  const size_t header = 8 + 4 + 8 + 8;
  bytes.pop_back();
  const uint32_t v1 = 1;
  const uint64_t length = bytes.size() - header;
  const uint64_t sum = Hash64(std::string_view(bytes).substr(header));
  std::memcpy(bytes.data() + 8, &v1, sizeof(v1));
  std::memcpy(bytes.data() + 12, &length, sizeof(length));
  std::memcpy(bytes.data() + 20, &sum, sizeof(sum));
  auto loaded = DecodeFeaturizer(bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_FALSE(loaded->options().char_ngram_words);
  ExpectSameRows(old, *loaded);
  // The current default differs on punctuated text, so the flag matters.
  FeaturizerOptions now = o;
  now.char_ngram_words = true;
  Featurizer fresh(now);
  ASSERT_TRUE(fresh.FitTransform(in).ok());
  EXPECT_NE(fresh.Transform({"a gloss; \"an example\"", {}}).size(),
            loaded->Transform({"a gloss; \"an example\"", {}}).size());
}

TEST(FeaturizerFileTest, EveryFlippedByteIsRejected) {
  const std::string bytes = EncodeFeaturizer(Fitted());
  for (size_t i = 0; i < bytes.size(); i += (i < 96 ? 1 : bytes.size() / 211 + 1)) {
    std::string bad = bytes;
    bad[i] ^= 0x10;
    auto r = DecodeFeaturizer(bad);
    ASSERT_FALSE(r.ok()) << "flipped byte " << i << " was accepted";
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << i << ": " << r.status().ToString();
  }
}

TEST(FeaturizerFileTest, TruncatedExtendedForeignAndInconsistentFilesAreRejected) {
  const std::string bytes = EncodeFeaturizer(Fitted());
  for (const std::string& bad :
       {bytes.substr(0, bytes.size() - 1), bytes + "x", bytes.substr(0, 12), std::string(),
        std::string("HLMODEL") + std::string(1, '\0') + bytes.substr(8)}) {
    EXPECT_EQ(DecodeFeaturizer(bad).status().code(), StatusCode::kCorruption) << bad.size();
  }
  // A payload with a valid checksum that does not describe a featurizer (hash_bits 40).
  std::string forged = bytes;
  const size_t header = 8 + 4 + 8 + 8;
  const int32_t bits = 40;
  std::memcpy(forged.data() + header, &bits, sizeof(bits));
  const uint64_t sum = Hash64(std::string_view(forged).substr(header));
  std::memcpy(forged.data() + header - 8, &sum, sizeof(sum));
  auto r = DecodeFeaturizer(forged);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("hash_bits"), std::string::npos) << r.status().ToString();

  hitloop::testing::TempDir dir;
  const std::string path = dir.path() + "/f.hlf";
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 1;
  ASSERT_TRUE(AtomicWriteFile(path, flipped).ok());
  auto loaded = LoadFeaturizer(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(loaded.status().message().find(path), std::string::npos);
  EXPECT_FALSE(LoadFeaturizer(dir.path() + "/missing.hlf").ok());
}

}  // namespace
}  // namespace hitloop::text

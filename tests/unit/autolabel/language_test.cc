#include "autolabel/language.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"
#include "support/paths.h"

namespace hitloop::autolabel {
namespace {

// The model is fetched by scripts/fetch-models.sh (`make test` runs it first). Tests that need it
// try the fetch once and skip with a reason when the model is still unavailable (offline).
std::string ModelPath() {
  static const std::string path = [] {
    const std::string p = std::string(HITLOOP_SOURCE_DIR) + "/models/lid.176.ftz";
    if (!std::filesystem::exists(p)) {
      const std::string cmd = std::string("bash ") + HITLOOP_SOURCE_DIR + "/scripts/fetch-models.sh >/dev/null 2>&1";
      (void)std::system(cmd.c_str());
    }
    return std::filesystem::exists(p) ? p : std::string();
  }();
  return path;
}

std::unique_ptr<LanguageIdentifier> OpenModelOrNull() {
  const std::string p = ModelPath();
  if (p.empty()) return nullptr;
  LanguageOptions o;
  o.model_path = p;
  o.expected_sha256 = kLid176FtzSha256;
  auto r = LanguageIdentifier::Open(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(LanguageTest, FastTextCommonLanguages) {
  auto lid = OpenModelOrNull();
  if (!lid) GTEST_SKIP() << "models/lid.176.ftz missing and scripts/fetch-models.sh failed (offline?)";
  ASSERT_TRUE(lid->has_fasttext());
  struct Case { const char* text; const char* lang; };
  const Case cases[] = {
      {"All human beings are born free and equal in dignity and rights.", "en"},
      {"Tous les êtres humains naissent libres et égaux en dignité et en droits.", "fr"},
      {"Alle Menschen sind frei und gleich an Würde und Rechten geboren.", "de"},
      {"Todos los seres humanos nacen libres e iguales en dignidad y derechos.", "es"},
      {"Все люди рождаются свободными и равными в своем достоинстве и правах.", "ru"},
      {"人人生而自由，在尊严和权利上一律平等。", "zh"},
      {"すべての人間は、生れながらにして自由であり、かつ、尊厳と権利とについて平等である。", "ja"},
      {"جميع الناس يولدون أحرارا متساوين في الكرامة والحقوق.", "ar"},
  };
  for (const auto& c : cases) {
    const auto r = lid->Identify(c.text);
    EXPECT_EQ(r.language, c.lang) << c.text;
    EXPECT_GT(r.confidence, 0.5) << c.text;
    EXPECT_STREQ(r.backend, "fasttext");
  }
}

TEST(LanguageTest, Cld2FallbackWorksWithoutModel) {
  auto lid = LanguageIdentifier::Cld2Only();
  EXPECT_FALSE(lid->has_fasttext());
  const auto r = lid->Identify(
      "All human beings are born free and equal in dignity and rights. They are endowed with reason "
      "and conscience and should act towards one another in a spirit of brotherhood.");
  EXPECT_EQ(r.language, "en");
  EXPECT_STREQ(r.backend, "cld2");
  EXPECT_GT(r.confidence, 0.5);
}

TEST(LanguageTest, MissingOrCorruptModelIsAClearError) {
  LanguageOptions o;
  o.model_path = "/nonexistent/lid.176.ftz";
  auto r = LanguageIdentifier::Open(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);

  hitloop::testing::TempDir dir;
  const std::string bad = dir.path() + "/lid.176.ftz";
  std::ofstream(bad) << "not a model";
  o.model_path = bad;
  o.expected_sha256 = kLid176FtzSha256;
  r = LanguageIdentifier::Open(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  o.expected_sha256.clear();  // no checksum: fastText's own format check must still reject it
  r = LanguageIdentifier::Open(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
}

TEST(LanguageTest, EmptyShortBinaryHugeMixed) {
  std::vector<std::unique_ptr<LanguageIdentifier>> lids;
  lids.push_back(LanguageIdentifier::Cld2Only());
  if (auto m = OpenModelOrNull()) lids.push_back(std::move(m));
  std::string binary(2048, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 131);
  std::string huge;
  while (huge.size() < (16 << 20)) huge += "The quick brown fox jumps over the lazy dog. ";
  for (const auto& lid : lids) {
    EXPECT_EQ(lid->Identify("").language, "und");
    EXPECT_EQ(lid->Identify("ok").language, "und");
    EXPECT_EQ(lid->Identify("12345 !!! 678").language, "und");
    EXPECT_DOUBLE_EQ(lid->Identify("").confidence, 0.0);
    const auto b = lid->Identify(binary);
    EXPECT_FALSE(b.language.empty());
    EXPECT_EQ(lid->Identify(huge).language, "en");
    const auto mixed = lid->Identify("hello 你好 привет مرحبا");
    EXPECT_FALSE(mixed.language.empty());
    EXPECT_LE(mixed.confidence, 1.0);
  }
}

TEST(LanguageTest, CodeNormalisation) {
  EXPECT_EQ(NormalizeLanguageCode("un"), "und");
  EXPECT_EQ(NormalizeLanguageCode("zh-Hant"), "zh");
  EXPECT_EQ(NormalizeLanguageCode("iw"), "he");
  EXPECT_EQ(NormalizeLanguageCode("xx-Qaai"), "und");
  EXPECT_EQ(NormalizeLanguageCode("ceb"), "ceb");
}

}  // namespace
}  // namespace hitloop::autolabel

namespace hitloop::autolabel {
namespace {

// CLD2 stops at a U+0000 (or any other non-interchange code point) and leaves its outputs
// unwritten: the language and confidence stored were whatever was on the stack.
TEST(Regression, LanguageOfTextWithNulIsDefined) {
  auto lid = LanguageIdentifier::Cld2Only();
  std::string text =
      "All human beings are born free and equal in dignity and rights. They are endowed with reason "
      "and conscience and should act towards one another in a spirit of brotherhood.";
  text.insert(40, std::string(1, '\0'));
  text += std::string("\x7f\xef\xbf\xbf", 4);  // DEL and the noncharacter U+FFFF
  for (int i = 0; i < 3; ++i) {
    const auto r = lid->Identify(text);
    EXPECT_EQ(r.language, "en");
    EXPECT_GE(r.confidence, 0.5);
    EXPECT_LE(r.confidence, 1.0);
    EXPECT_STREQ(r.backend, "cld2");
  }
  const auto only_nul = lid->Identify(std::string(64, '\0'));
  EXPECT_EQ(only_nul.language, "und");
  EXPECT_GE(only_nul.confidence, 0.0);
  EXPECT_LE(only_nul.confidence, 1.0);
}

}  // namespace
}  // namespace hitloop::autolabel

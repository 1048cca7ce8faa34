#include "autolabel/normalize.h"

#include <gtest/gtest.h>

namespace hitloop::autolabel {
namespace {

TEST(NormalizeTest, CaseWhitespaceAndUnicodeForms) {
  EXPECT_EQ(NormalizeForHash("  Hello\t\tWORLD \n"), "hello world");
  // NFKC: the "ﬁ" ligature and full-width letters fold to ASCII.
  EXPECT_EQ(NormalizeForHash("\xEF\xAC\x81le ＡＢＣ"), "file abc");
  EXPECT_EQ(NormalizeForHash("Straße"), NormalizeForHash("STRASSE"));
  EXPECT_EQ(NormalizeForHash(""), "");
}

TEST(NormalizeTest, InvalidUtf8IsReplacedNotFatal) {
  const std::string bad = std::string("ab") + '\xff' + '\xfe' + "cd";
  EXPECT_EQ(CountInvalidUtf8Bytes(bad), 2u);
  EXPECT_EQ(SanitizeUtf8(bad), "ab\xEF\xBF\xBD\xEF\xBF\xBD" "cd");
  EXPECT_FALSE(NormalizeForHash(bad).empty());
  EXPECT_FALSE(ShingleHashes(bad, 3).empty());
}

TEST(NormalizeTest, TokensSplitUnspacedScriptsPerCharacter) {
  const auto t = Tokens("Hello, 世界! naïve");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0], "hello");
  EXPECT_EQ(t[1], "世");
  EXPECT_EQ(t[2], "界");
  EXPECT_EQ(t[3], "naïve");
}

TEST(NormalizeTest, ShinglesShortTextAndOrder) {
  EXPECT_TRUE(ShingleHashes("", 3).empty());
  EXPECT_TRUE(ShingleHashes("!!! ???", 3).empty());
  EXPECT_EQ(ShingleHashes("one two", 3).size(), 1u);   // fewer tokens than k: one shingle
  EXPECT_EQ(ShingleHashes("a b c d e", 3).size(), 3u);
  // Order matters inside a shingle.
  EXPECT_NE(ShingleHashes("a b c", 3), ShingleHashes("c b a", 3));
  EXPECT_EQ(ShingleHashes("A  B c", 3), ShingleHashes("a b C", 3));
}

}  // namespace
}  // namespace hitloop::autolabel

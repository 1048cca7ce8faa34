#include "text/tokenize.h"

#include <gtest/gtest.h>

namespace hitloop::text {
namespace {

std::vector<std::string> Tok(std::string_view s) {
  std::vector<std::string> out;
  for (auto t : Tokenize(s)) out.emplace_back(t);
  return out;
}

TEST(TokenizeTest, SplitsOnNonWordCharacters) {
  EXPECT_EQ(Tok("hello, world! it's 2024"),
            (std::vector<std::string>{"hello", "world", "it", "s", "2024"}));
  EXPECT_TRUE(Tok("  ... !!").empty());
}

TEST(TokenizeTest, KeepsNonAsciiLettersAndMarks) {
  EXPECT_EQ(Tok("caf\xC3\xA9 na\xC3\xAFve"), (std::vector<std::string>{"caf\xC3\xA9", "na\xC3\xAFve"}));
  EXPECT_EQ(Tok("\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\xBC\xD0\xB8\xD1\x80").size(), 2u);
}

}  // namespace
}  // namespace hitloop::text

#include "text/normalize.h"

#include <gtest/gtest.h>
#include <utf8proc.h>

#include <cstdlib>
#include <random>
#include <string>

namespace hitloop::text {
namespace {

TEST(NormalizeTest, CaseFoldsAndAppliesCompatibilityForms) {
  EXPECT_EQ(Normalize("HeLLo").value(), "hello");
  EXPECT_EQ(Normalize("\xEF\xAC\x81le").value(), "file");        // U+FB01 ligature fi
  EXPECT_EQ(Normalize("Stra\xC3\x9F" "e").value(), "strasse");     // ß folds to ss
  EXPECT_EQ(Normalize("\xEF\xBC\xA1").value(), "a");               // fullwidth A
  EXPECT_EQ(Normalize("e\xCC\x81").value(), "\xC3\xA9");           // e + combining acute -> é
}

TEST(NormalizeTest, InvalidUtf8IsAnErrorButLossyNeverFails) {
  EXPECT_FALSE(Normalize("ab\xFF" "cd").ok());
  EXPECT_EQ(NormalizeLossy("AB\xFF" "CD"), "ab\xEF\xBF\xBD" "cd");
}

// What utf8proc itself makes of `s` with Normalize's options (the path before the ASCII shortcut).
std::string ByUtf8proc(const std::string& s) {
  utf8proc_uint8_t* out = nullptr;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                      UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                                      UTF8PROC_IGNORE);
  const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                          static_cast<utf8proc_ssize_t>(s.size()), &out, options);
  EXPECT_GE(n, 0);
  std::string r(reinterpret_cast<const char*>(out), n < 0 ? 0 : static_cast<size_t>(n));
  std::free(out);
  return r;
}

// Normalize skips utf8proc for ASCII text: the shortcut must give what utf8proc gives, for every
// ASCII code point (NUL and controls included) and for random ASCII strings.
TEST(NormalizeTest, TheAsciiShortcutAgreesWithUtf8procOnEveryAsciiCodePoint) {
  for (int c = 0; c < 128; ++c) {
    const std::string s(1, static_cast<char>(c));
    EXPECT_EQ(Normalize(s).value(), ByUtf8proc(s)) << "code point " << c;
    EXPECT_EQ(NormalizeLossy("x" + s + "Y"), ByUtf8proc("x" + s + "Y")) << "code point " << c;
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 40, ' ');
    for (char& ch : s) ch = static_cast<char>(rng() % 128);
    EXPECT_EQ(Normalize(s).value(), ByUtf8proc(s));
  }
  EXPECT_EQ(Normalize("").value(), "");
}

}  // namespace
}  // namespace hitloop::text

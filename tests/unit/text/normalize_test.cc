#include "text/normalize.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hitloop::text

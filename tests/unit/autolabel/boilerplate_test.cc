#include "autolabel/boilerplate.h"

#include <gtest/gtest.h>

namespace hitloop::autolabel {
namespace {

std::string KindAt(const std::vector<TextBlock>& blocks, const std::string& text, const std::string& needle) {
  const size_t pos = text.find(needle);
  for (const auto& b : blocks)
    if (pos >= b.start && pos < b.end) return b.kind;
  return "<none>";
}

void ExpectCover(const std::vector<TextBlock>& blocks, size_t size) {
  size_t at = 0;
  for (const auto& b : blocks) {
    EXPECT_EQ(b.start, at);
    EXPECT_LT(b.start, b.end);
    at = b.end;
  }
  EXPECT_EQ(at, size);
}

TEST(BoilerplateTest, ReplyWithQuoteSignatureAndFooter) {
  const std::string text =
      "Hi Bob,\n\nThe build is fixed now, see commit 42.\n\n"
      "On Mon, Jan 1, 2024 at 10:00 Alice <a@x.org> wrote:\n> Is the build still broken?\n> Thanks\n\n"
      "-- \nBob Smith | ACME Corp\n+1 555 0100\n\n"
      "_______________________________________________\n"
      "Dev mailing list\nDev@lists.example.org\nhttps://lists.example.org/mailman/listinfo/dev\n";
  const auto blocks = DetectBoilerplate(text);
  ExpectCover(blocks, text.size());
  EXPECT_EQ(KindAt(blocks, text, "The build is fixed"), "content");
  EXPECT_EQ(KindAt(blocks, text, "On Mon, Jan 1"), "quoted");
  EXPECT_EQ(KindAt(blocks, text, "> Is the build"), "quoted");
  EXPECT_EQ(KindAt(blocks, text, "Bob Smith"), "signature");
  EXPECT_EQ(KindAt(blocks, text, "Dev mailing list"), "unsubscribe");
  EXPECT_EQ(KindAt(blocks, text, "_____"), "unsubscribe");
  EXPECT_EQ(ContentText(text, blocks), "Hi Bob,\n\nThe build is fixed now, see commit 42.\n\n");
  for (const auto& b : blocks) EXPECT_EQ(b.boilerplate, b.kind != "content");
}

TEST(BoilerplateTest, DisclaimerValedictionNavigation) {
  const std::string text =
      "Home | Products | About us | Contact\n\n"
      "Please find the quarterly report attached; numbers are up eight percent.\n"
      "Let me know if anything is unclear before Friday's meeting.\n\n"
      "Best regards,\nJane Doe\nFinance\n\n"
      "This e-mail is confidential and intended solely for the addressee. If you have received this "
      "e-mail in error please notify the sender.\n";
  const auto blocks = DetectBoilerplate(text);
  ExpectCover(blocks, text.size());
  EXPECT_EQ(KindAt(blocks, text, "Home | Products"), "navigation");
  EXPECT_EQ(KindAt(blocks, text, "quarterly report"), "content");
  EXPECT_EQ(KindAt(blocks, text, "Best regards"), "signature");
  EXPECT_EQ(KindAt(blocks, text, "Jane Doe"), "signature");
  EXPECT_EQ(KindAt(blocks, text, "confidential"), "disclaimer");
}

TEST(BoilerplateTest, SpamUnsubscribeFooter) {
  const std::string text =
      "Lowest mortgage rates in years! Apply today and save thousands.\n"
      "Our brokers are standing by to help you.\n\n\n"
      "To be removed from our mailing list, reply with REMOVE in the subject line.\n";
  const auto blocks = DetectBoilerplate(text);
  EXPECT_EQ(KindAt(blocks, text, "Lowest mortgage"), "content");
  EXPECT_EQ(KindAt(blocks, text, "To be removed"), "unsubscribe");
}

TEST(BoilerplateTest, EmptyBinaryHugeMixed) {
  EXPECT_TRUE(DetectBoilerplate("").empty());
  EXPECT_DOUBLE_EQ(BlocksConfidence({}), 0.0);
  std::string binary(5000, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 13);
  ExpectCover(DetectBoilerplate(binary), binary.size());
  std::string huge;
  while (huge.size() < (3 << 20)) huge += "a line of content\n> a quoted line\n";
  const auto hb = DetectBoilerplate(huge);
  ExpectCover(hb, huge.size());
  EXPECT_EQ(hb.back().kind, "content");  // the part past max_bytes
  EXPECT_DOUBLE_EQ(hb.back().confidence, 0.0);
  const std::string mixed = "Привет!\n你好\n> مرحبا\n";
  const auto mb = DetectBoilerplate(mixed);
  ExpectCover(mb, mixed.size());
  EXPECT_EQ(KindAt(mb, mixed, "> "), "quoted");
}

}  // namespace
}  // namespace hitloop::autolabel

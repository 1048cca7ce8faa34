#include "preference/item.h"

#include <gtest/gtest.h>

namespace hitloop::preference {
namespace {

TEST(ItemTest, SplitsAnHhDialogueIntoTurns) {
  auto m = ParseHhDialogue("\n\nHuman: hi there\n\nAssistant: Hello! How can I help?\n\nHuman: a joke\n\nAssistant: No.");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->size(), 4u);
  EXPECT_EQ((*m)[0].role, "user");
  EXPECT_EQ((*m)[0].content, "hi there");
  EXPECT_EQ((*m)[1].content, "Hello! How can I help?");
  EXPECT_EQ((*m)[3].role, "assistant");
  EXPECT_EQ((*m)[3].content, "No.");
  EXPECT_FALSE(ParseHhDialogue("just text").ok());
  EXPECT_FALSE(ParseHhDialogue("preamble\n\nHuman: x").ok());
}

TEST(ItemTest, MarkersInsideATurnAreText) {
  auto m = ParseHhDialogue("Human: say Assistant: twice\n\nAssistant: ok");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0].content, "say Assistant: twice");
}

TEST(ItemTest, MetaJsonRoundTripKeepsUserMeta) {
  PreferenceItem item;
  item.messages = {{"user", "Q?"}};
  item.responses = {{"r1", "yes", "m1"}, {"", "no", ""}};
  auto meta = ToMetaJson(item, R"({"source":"x"})");
  ASSERT_TRUE(meta.ok());
  EXPECT_NE(meta->find("\"source\":\"x\""), std::string::npos);
  auto back = FromMetaJson(*meta);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->conversational());
  EXPECT_EQ(back->responses[0].id, "r1");
  EXPECT_EQ(back->responses[0].model, "m1");
  EXPECT_EQ(back->responses[1].text, "no");
  EXPECT_EQ(PromptText(*back), "User: Q?");
  EXPECT_EQ(LastUserTurn(*back), "Q?");
  EXPECT_FALSE(FromMetaJson(R"({"source":"x"})").ok());
}

}  // namespace
}  // namespace hitloop::preference

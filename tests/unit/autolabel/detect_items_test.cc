#include "autolabel/detect_items.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hitloop::autolabel {
namespace {

TEST(DetectItems, ParsesTheDetectorList) {
  auto all = ParseDetectorChoice("all");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->Has("format") && all->Has("language") && all->Has("boilerplate"));
  auto none = ParseDetectorChoice("none");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->Has("format") || none->Has("language") || none->Has("boilerplate"));
  auto two = ParseDetectorChoice("format,boilerplate");
  ASSERT_TRUE(two.ok());
  EXPECT_TRUE(two->Has("format") && !two->Has("language") && two->Has("boilerplate"));
  EXPECT_EQ(ParseDetectorChoice("format,colour").status().code(), StatusCode::kInvalidArgument);
}

TEST(DetectItems, EveryItemGetsOneAnswerPerDetectorIncludingEmptyBinaryAndHugeInput) {
  const std::string email =
      "Hello team,\n\nThe report is attached and the numbers look good this quarter.\n\n-- \n"
      "Alice Example\nSenior Analyst\n";
  const std::string binary("\x00\x01\xff\xfe garbage \x00", 14);
  const std::string huge(5 << 20, 'a');
  const std::string mixed = "Das ist ein deutscher Satz über das Wetter. 这是一个中文句子。";
  std::vector<std::string> texts = {email, "", binary, huge, mixed, "{\"a\": [1, 2, 3]}"};
  std::vector<ItemText> items;
  for (size_t i = 0; i < texts.size(); ++i) items.push_back({static_cast<int64_t>(i + 1), texts[i]});
  auto lid = LanguageIdentifier::Cld2Only();
  DetectItemsOptions o;
  o.language = lid.get();
  const std::vector<Detection> ds = DetectItems(items, o);
  ASSERT_EQ(ds.size(), texts.size() * 3);
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(ds[3 * i].item_id, static_cast<int64_t>(i + 1));
    EXPECT_EQ(ds[3 * i].detector, "format");
    EXPECT_EQ(ds[3 * i + 1].detector, "language");
    EXPECT_EQ(ds[3 * i + 2].detector, "boilerplate");
    for (int d = 0; d < 3; ++d) {
      EXPECT_GE(ds[3 * i + d].confidence, 0.0);
      EXPECT_LE(ds[3 * i + d].confidence, 1.0);
      EXPECT_FALSE(ds[3 * i + d].value.empty());
    }
  }
  EXPECT_EQ(ds[1].value, "en");
  EXPECT_EQ(ds[2].value, "mixed");  // the signature is boilerplate, the rest content
  auto spans = nlohmann::json::parse(ds[2].detail_json);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0][2], "signature");
  EXPECT_LT(spans[0][0].get<size_t>(), spans[0][1].get<size_t>());
  EXPECT_EQ(ds[3].value, "empty");
  EXPECT_EQ(ds[4].value, "und");
  EXPECT_EQ(ds[6].value, "binary");
  EXPECT_EQ(ds[15].value, "json");
}

TEST(DetectItems, ThreadsDoNotChangeTheAnswers) {
  std::vector<std::string> texts;
  for (int i = 0; i < 500; ++i) {
    texts.push_back(i % 3 ? "Plain prose about item number " + std::to_string(i) + " and its weather."
                          : "key: value\nother: " + std::to_string(i) + "\n");
  }
  std::vector<ItemText> items;
  for (size_t i = 0; i < texts.size(); ++i) items.push_back({static_cast<int64_t>(i), texts[i]});
  DetectItemsOptions one, two;
  one.detectors.Remove("language");
  two.detectors.Remove("language");
  one.threads = 1;
  two.threads = 2;
  const auto a = DetectItems(items, one), b = DetectItems(items, two);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].item_id, b[i].item_id);
    EXPECT_EQ(a[i].value, b[i].value);
  }
}

}  // namespace
}  // namespace hitloop::autolabel

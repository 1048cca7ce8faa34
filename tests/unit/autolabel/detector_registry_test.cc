#include "autolabel/detector_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autolabel/detector_choice.h"

namespace hitloop::autolabel {
namespace {

std::vector<std::string> Names() {
  std::vector<std::string> names;
  for (const DetectorEntry& e : Detectors()) names.emplace_back(e.name);
  return names;
}

TEST(DetectorRegistry, ListsTheDetectorsInRegistryOrder) {
  EXPECT_EQ(Names(), (std::vector<std::string>{"format", "language", "boilerplate"}));
  EXPECT_EQ(DetectorNamesList(), "format, language, boilerplate");
  for (size_t i = 0; i < Detectors().size(); ++i)
    EXPECT_EQ(DetectorIndex(Detectors()[i].name), static_cast<int>(i));
  EXPECT_EQ(DetectorIndex("colour"), -1);
  EXPECT_EQ(DetectorIndex(""), -1);
  EXPECT_TRUE(Detectors()[DetectorIndex("language")].needs_language);
  EXPECT_FALSE(Detectors()[DetectorIndex("format")].needs_language);
  EXPECT_LE(Detectors().size(), kMaxDetectors);
}

TEST(DetectorRegistry, UnknownNameErrorListsTheKnownNames) {
  const Status st = UnknownDetector("colour");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "unknown detector 'colour' (use format, language, boilerplate)");
  auto parsed = ParseDetectorChoice("format,colour");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), st.message());
  DetectorChoice c = DetectorChoice::None();
  EXPECT_EQ(c.Add("colour").message(), st.message());
  EXPECT_TRUE(c.empty());
}

TEST(DetectorRegistry, EveryDetectorAnswersForAnEmptyAndANonEmptyText) {
  auto lid = LanguageIdentifier::Cld2Only();
  const DetectorContext context{lid.get()};
  for (const DetectorEntry& e : Detectors()) {
    for (const std::string& text :
         {std::string(), std::string("The quick brown fox jumps over the lazy dog.")}) {
      const Detection d = e.detect(text, context);
      EXPECT_FALSE(d.value.empty()) << e.name << " on '" << text << "'";
      EXPECT_GE(d.confidence, 0.0) << e.name;
      EXPECT_LE(d.confidence, 1.0) << e.name;
      EXPECT_EQ(d.item_id, 0) << e.name << ": the caller fills item_id";
      EXPECT_TRUE(d.detector.empty()) << e.name << ": the caller fills detector";
    }
  }
}

TEST(DetectorRegistry, ChoiceIsASetOfRegisteredNamesWrittenInRegistryOrder) {
  const DetectorChoice all;
  for (const DetectorEntry& e : Detectors()) EXPECT_TRUE(all.Has(e.name)) << e.name;
  EXPECT_FALSE(all.Has("colour"));
  EXPECT_TRUE(all.NeedsLanguage());
  EXPECT_EQ(DetectorChoiceText(all), "format,language,boilerplate");
  EXPECT_EQ(DetectorChoiceText(DetectorChoice::None()), "none");
  for (const char* list : {"", "none", ","}) {
    auto c = ParseDetectorChoice(list);
    ASSERT_TRUE(c.ok()) << list;
    EXPECT_TRUE(c->empty()) << list;
  }
  auto two =
      ParseDetectorChoice("boilerplate,,format,");  // read in any order, written in registry order
  ASSERT_TRUE(two.ok());
  EXPECT_FALSE(two->NeedsLanguage());
  EXPECT_EQ(DetectorChoiceText(*two), "format,boilerplate");
  EXPECT_TRUE(all.Covers(*two));
  EXPECT_FALSE(two->Covers(all));
  DetectorChoice some = all;
  some.Remove("language");
  EXPECT_EQ(DetectorChoiceText(some), "format,boilerplate");
  // "all" and "none" are whole lists, not names.
  for (const char* bad : {"format,all", "none,format", "Format", " format"}) {
    EXPECT_EQ(ParseDetectorChoice(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace hitloop::autolabel

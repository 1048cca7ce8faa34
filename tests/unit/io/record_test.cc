#include "io/record.h"

#include <gtest/gtest.h>

#include "core/rng.h"

namespace hitloop::io {
namespace {

TEST(RecordTest, ParsesAllFields) {
  Record r;
  ASSERT_TRUE(ParseJsonRecord(R"({"id": 7, "text": "hi", "vector": [1, 2], "label": "a",
      "prediction": {"label": "b", "score": 0.5}, "meta": {"k": "v"}, "split": "gold"})", {}, &r).ok());
  EXPECT_EQ(r.id, "7");
  EXPECT_EQ(r.vector, (std::vector<float>{1, 2}));
  EXPECT_EQ(r.labels, std::vector<std::string>{"a"});
  EXPECT_EQ(*r.prediction_label, "b");
  EXPECT_EQ(r.meta_json, R"({"k":"v"})");
  EXPECT_EQ(r.split, "gold");
}

TEST(RecordTest, ErrorsNameTheField) {
  Record r;
  auto msg = [&](const char* line) { return ParseJsonRecord(line, {}, &r).message(); };
  EXPECT_EQ(msg(R"({"id": "", "text": "x"})"), "id: empty");
  EXPECT_EQ(msg(R"({"id": [1], "text": "x"})"), "id: must be a string or an integer");
  EXPECT_EQ(msg(R"({"id": "a", "text": "x", "meta": [1]})"), "meta: must be a JSON object");
  EXPECT_EQ(msg(R"({"id": "a", "text": "x", "split": "train"})"), "split: must be \"pool\" or \"gold\"");
  EXPECT_EQ(msg(R"({"id": "a", "text": "x", "confidence": 2})"), "confidence: must be in [0, 1]");
  EXPECT_EQ(msg(R"({"id": "a", "text": "x", "prediction": {"score": 1}})"), "prediction.label: missing or not a string");
  EXPECT_EQ(msg(R"([1, 2])"), "record: must be a JSON object");
}

TEST(RecordTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xE2\x82"));       // truncated
}

// Random corruptions of a valid line never crash the parser and always produce either a record
// or an error that names a field.
TEST(RecordTest, RandomCorruptionsGiveCleanErrors) {
  const std::string base =
      R"({"id":"x1","text":"héllo wörld","vector":[0.5,1e3],"label":"a","prediction":{"label":"a","score":0.9},"meta":{"m":[1,{"n":null}]}})";
  const uint64_t seed = 20261127;
  Rng rng(seed);
  for (int i = 0; i < 5000; ++i) {
    std::string s = base;
    int edits = 1 + static_cast<int>(rng.Below(4));
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng.Below(s.size());
      switch (rng.Below(3)) {
        case 0: s[pos] = static_cast<char>(rng.Below(256)); break;
        case 1: s.erase(pos, 1 + rng.Below(5)); break;
        default: s.insert(pos, 1, "{}[]\",:\\\x80"[rng.Below(10)]); break;
      }
      if (s.empty()) s = "{";
    }
    Record r;
    Status st = ParseJsonRecord(s, {}, &r);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << "seed " << seed << " case " << i;
      EXPECT_NE(st.message().find(": "), std::string::npos) << st.message();
    }
  }
}

// ~65k levels of '[' in meta (200 KB, under the record limit) overflowed the stack in the JSON
// library's copy/dump. The depth is now checked before the parse.
TEST(RecordTest, DeeplyNestedMetaIsRefusedNotACrash) {
  std::string meta = std::string(65000, '[') + std::string(65000, ']');
  std::string line = R"({"id": "a", "text": "x", "meta": {"k": )" + meta + "}}";
  Record r;
  Status st = ParseJsonRecord(line, {}, &r);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "record: nested deeper than 100 levels");
  // Brackets inside strings do not count; 100 levels (record, meta, 98 arrays) are fine, 101 not.
  auto nested = [](int n) {
    return R"({"id": "a", "text": "[[[[[[", "meta": {"k": )" + std::string(n, '[') + std::string(n, ']') + "}}";
  };
  EXPECT_TRUE(ParseJsonRecord(nested(98), {}, &r).ok());
  EXPECT_FALSE(ParseJsonRecord(nested(99), {}, &r).ok());
}

}  // namespace
}  // namespace hitloop::io

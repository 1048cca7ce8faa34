#include "core/serial.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hitloop {
namespace {

TEST(SerialTest, VectorsRoundTrip) {
  Writer w;
  w.PutVector(std::vector<float>{1.5f, -2.0f});
  w.Put<int32_t>(7);
  const std::string bytes = w.Take();
  Reader r(bytes);
  std::vector<float> v;
  int32_t x = 0;
  ASSERT_TRUE(r.GetVector(&v));
  ASSERT_TRUE(r.Get(&x));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(v, (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(x, 7);
}

TEST(SerialTest, ShortInputIsRefused) {
  Writer w;
  w.Put<uint64_t>(3);  // claims 3 floats, holds none
  const std::string bytes = w.Take();
  Reader r(bytes);
  std::vector<float> v;
  EXPECT_FALSE(r.GetVector(&v));
}

// Regression (found by fuzz_featurizer_file): a vector of length 0 was read with
// memcpy(v->data(), ..., 0) where the empty vector's data() is null — undefined behaviour that
// UBSan reports ("null pointer passed as argument 1"). Fails before the fix in the sanitizer tier
// (scripts/test-asan.sh) and under the fuzz build; a plain build cannot observe it.
TEST(Regression, SerialReaderReadsAnEmptyVectorWithoutNullMemcpy) {
  Writer w;
  w.PutVector(std::vector<float>{});
  w.Put<uint8_t>(1);
  const std::string bytes = w.Take();
  Reader r(bytes);
  std::vector<float> v;
  ASSERT_TRUE(r.GetVector(&v));
  EXPECT_TRUE(v.empty());
  uint8_t tail = 0;
  ASSERT_TRUE(r.Get(&tail));
  EXPECT_EQ(tail, 1);
  EXPECT_TRUE(r.done());
}

}  // namespace
}  // namespace hitloop

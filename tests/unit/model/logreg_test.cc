#include "model/logreg.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <thread>

#include "core/serial.h"

#include "al/simulation.h"
#include "unit/al/synthetic_data.h"

namespace hitloop::model {
namespace {

std::vector<Example> AllExamples(const al::LabeledRows& d) {
  std::vector<Example> ex;
  for (size_t i = 0; i < d.rows.size(); ++i) ex.push_back({&d.rows[i], d.texts[i]});
  return ex;
}

double Accuracy(const Classifier& m, const al::LabeledRows& d) {
  auto ex = AllExamples(d);
  const int k = m.num_classes();
  std::vector<float> p(ex.size() * k);
  EXPECT_TRUE(m.Predict(ex, p).ok());
  double ok = 0;
  for (size_t i = 0; i < ex.size(); ++i) {
    const float* r = p.data() + i * k;
    ok += (std::max_element(r, r + k) - r) == d.labels[i];
  }
  return ok / ex.size();
}

TEST(LogRegTest, LearnsSyntheticTopicsAboveFloor) {
  auto data = hitloop::testing::MakeSimulationInput(800, 400, 4, 11);
  LogReg m(ClassifierOptions{});
  ASSERT_TRUE(m.Train(AllExamples(data.pool), data.pool.labels, 4).ok());
  // Majority class is ~40%; measured 0.745 on this seed (topics 2 and 3 overlap on purpose).
  EXPECT_GE(Accuracy(m, data.test), 0.70);
}

TEST(LogRegTest, DistributionsSumToOneAndUnseenClassesGetZero) {
  auto data = hitloop::testing::MakeSimulationInput(200, 50, 3, 5);
  std::vector<Example> ex;
  std::vector<int> y;
  for (size_t i = 0; i < data.pool.rows.size(); ++i) {
    if (data.pool.labels[i] == 2) continue;  // class 2 never seen
    ex.push_back({&data.pool.rows[i], data.pool.texts[i]});
    y.push_back(data.pool.labels[i]);
  }
  LogReg m(ClassifierOptions{});
  ASSERT_TRUE(m.Train(ex, y, 3).ok());
  std::vector<float> p(ex.size() * 3);
  ASSERT_TRUE(m.Predict(ex, p).ok());
  for (size_t i = 0; i < ex.size(); ++i) {
    EXPECT_NEAR(p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2], 1.0, 1e-5);
    EXPECT_EQ(p[i * 3 + 2], 0.0f);
  }
}

TEST(LogRegTest, SingleClassAndBadInput) {
  text::SparseRow r = {{1, 1.0f}};
  std::vector<Example> ex = {{&r, ""}, {&r, ""}};
  LogReg m(ClassifierOptions{});
  std::vector<int> y = {1, 1};
  ASSERT_TRUE(m.Train(ex, y, 3).ok());
  std::vector<float> p(6);
  ASSERT_TRUE(m.Predict(ex, p).ok());
  EXPECT_FLOAT_EQ(p[1], 1.0f);
  std::vector<int> bad = {0, 7};
  EXPECT_EQ(m.Train(ex, bad, 3).code(), StatusCode::kInvalidArgument);
  LogReg untrained(ClassifierOptions{});
  EXPECT_EQ(untrained.Predict(ex, p).code(), StatusCode::kFailedPrecondition);
}


std::vector<Example> WithIds(const al::LabeledRows& d, size_t n) {
  std::vector<Example> ex;
  for (size_t i = 0; i < n; ++i) ex.push_back({&d.rows[i], d.texts[i], i + 1});
  return ex;
}

TEST(LogRegTest, WarmStartedRetrainAgreesWithAColdTrainOnTheSameLabels) {
  auto data = hitloop::testing::MakeSimulationInput(900, 400, 4, 21);
  std::vector<int> y700(data.pool.labels.begin(), data.pool.labels.begin() + 700);
  std::vector<int> y900(data.pool.labels.begin(), data.pool.labels.begin() + 900);
  LogReg warm(ClassifierOptions{});
  ASSERT_TRUE(warm.Train(WithIds(data.pool, 700), y700, 4).ok());  // last cycle
  ASSERT_TRUE(warm.Train(WithIds(data.pool, 900), y900, 4).ok());  // warm from it
  LogReg cold(ClassifierOptions{});
  ASSERT_TRUE(cold.Train(WithIds(data.pool, 900), y900, 4).ok());
  auto ex = AllExamples(data.test);
  std::vector<float> pw(ex.size() * 4), pc(ex.size() * 4);
  ASSERT_TRUE(warm.Predict(ex, pw).ok());
  ASSERT_TRUE(cold.Predict(ex, pc).ok());
  double max_diff = 0;
  for (size_t i = 0; i < pw.size(); ++i) max_diff = std::max<double>(max_diff, std::fabs(pw[i] - pc[i]));
  // Both stop at liblinear's tolerance (0.1 on the dual gradient), from different starts.
  EXPECT_LT(max_diff, 0.05);
  EXPECT_NEAR(Accuracy(warm, data.test), Accuracy(cold, data.test), 0.01);
}

TEST(LogRegTest, OneAndTwoTrainingThreadsLearnTheSameWeights) {
  auto data = hitloop::testing::MakeSimulationInput(600, 10, 5, 4);
  ClassifierOptions one, two;
  one.threads = 1;
  two.threads = 2;
  LogReg a(one), b(two);
  ASSERT_TRUE(a.Train(AllExamples(data.pool), data.pool.labels, 5).ok());
  ASSERT_TRUE(b.Train(AllExamples(data.pool), data.pool.labels, 5).ok());
  auto sa = a.Serialize(), sb = b.Serialize();
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ(sa.value(), sb.value());
}

TEST(LogRegTest, ScoresMatchAPlainDotProductForManyClasses) {
  // 11 classes: weight rows are padded to 16 floats inside; the SIMD scorer must ignore the pad.
  auto data = hitloop::testing::MakeSimulationInput(700, 50, 11, 9);
  LogReg m(ClassifierOptions{});
  ASSERT_TRUE(m.Train(AllExamples(data.pool), data.pool.labels, 11).ok());
  auto bytes = m.Serialize();
  ASSERT_TRUE(bytes.ok());
  LogReg copy(ClassifierOptions{});
  ASSERT_TRUE(copy.Deserialize(bytes.value()).ok());
  auto ex = AllExamples(data.test);
  std::vector<float> d1(ex.size() * 11), d2(ex.size() * 11);
  ASSERT_TRUE(m.DecisionValues(ex, d1).ok());
  ASSERT_TRUE(copy.DecisionValues(ex, d2).ok());
  EXPECT_EQ(d1, d2);
  // Recompute from the serialized payload (packed rows of 11) for one example by hand.
  // Payload: version u32, k i32, C f64, seen, ids, weights, bias (model/serial.h vectors).
  Reader r(bytes.value());
  uint32_t version = 0;
  int32_t k = 0;
  double c = 0;
  std::vector<uint8_t> seen;
  std::vector<uint32_t> ids;
  std::vector<float> w, bias;
  ASSERT_TRUE(r.Get(&version) && r.Get(&k) && r.Get(&c) && r.GetVector(&seen) &&
              r.GetVector(&ids) && r.GetVector(&w) && r.GetVector(&bias));
  ASSERT_EQ(k, 11);
  std::map<uint32_t, size_t> row;
  for (size_t i = 0; i < ids.size(); ++i) row[ids[i]] = i;
  for (size_t e = 0; e < 5; ++e) {
    for (int cl = 0; cl < 11; ++cl) {
      if (!seen[cl]) continue;
      double s = bias[cl];
      for (const auto& f : *ex[e].features) {
        auto it = row.find(f.index);
        if (it != row.end()) s += static_cast<double>(w[it->second * 11 + cl]) * f.value;
      }
      EXPECT_NEAR(d1[e * 11 + cl], s, 1e-4);
    }
  }
}

// Regression: the SIMD scorer (logreg.cc, scoring::Accumulate) stored 8-float blocks through a
// vector type declared aligned(4), which clang 14 still took as 32-byte aligned; the accumulator
// is a std::vector<float> (16-byte aligned), so every prediction was undefined behaviour. The
// ASan+UBSan tier (scripts/test-asan.sh) stops on it ("store to misaligned address ... requires
// 32 byte alignment"); a plain build cannot observe it. 3 classes (one block) and 11 (two).
TEST(LogRegTest, ScoringStoresToAnAccumulatorOfAnyAlignment) {
  for (int classes : {3, 11}) {
    auto data = hitloop::testing::MakeSimulationInput(300, 40, classes, 5);
    LogReg m(ClassifierOptions{});
    ASSERT_TRUE(m.Train(AllExamples(data.pool), data.pool.labels, classes).ok());
    auto ex = AllExamples(data.test);
    std::vector<float> p(ex.size() * classes);
    ASSERT_TRUE(m.Predict(ex, p).ok());
    for (size_t i = 0; i < ex.size(); ++i) {
      EXPECT_NEAR(std::accumulate(p.begin() + i * classes, p.begin() + (i + 1) * classes, 0.0), 1.0,
                  1e-4);
    }
  }
}

// Regression: clang 14's ThreadSanitizer instrumented the ifunc resolver of the scorer's
// target_clones (logreg.cc, scoring::Accumulate), which the dynamic loader runs before the TSan
// runtime is initialised: every TSan-built binary linking model/ died at load (SIGSEGV in
// __tsan_func_entry), before any test ran. The TSan tier (scripts/test-tsan.sh, short form too)
// builds this file, so there the binary starting at all is the check; the test then scores from
// two threads at once on one trained model (Predict is const: no data race for TSan to report).
TEST(Regression, ThreadSanitizerBuildsStartAndScore) {
  auto data = hitloop::testing::MakeSimulationInput(300, 40, 3, 7);
  LogReg m(ClassifierOptions{});
  ASSERT_TRUE(m.Train(AllExamples(data.pool), data.pool.labels, 3).ok());
  const auto ex = AllExamples(data.test);
  std::vector<float> p1(ex.size() * 3), p2(ex.size() * 3);
  Status s1, s2;
  std::thread t([&] { s1 = m.Predict(ex, p1); });
  s2 = m.Predict(ex, p2);
  t.join();
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_EQ(p1, p2);
}

// Regression (fuzz_model_file, 2026-12-07; the input is fuzz/corpus/fuzz_model_file/
// regress_oom_logreg_far_feature_id): a 62-byte logreg payload whose one weight row sat at
// feature id ~2^30 made LogReg::BuildIndex allocate a dense feature -> row table of max id + 1
// entries, 2.2 GB from a tiny file (libFuzzer stopped on its memory limit). The table must stay
// proportional to the model, and scores through it must not change: here two rows, at ids 3
// and 2^30 - 5, checked against the hand sum, with the process's resident memory growing by far
// less than the 4 GB a dense table would touch.
size_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long pages = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &pages, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

TEST(Regression, LogRegPayloadWithAFarFeatureIdStaysSmall) {
  const uint32_t far = (1u << 30) - 5;
  Writer w;
  w.Put<uint32_t>(1);     // payload version
  w.Put<int32_t>(2);      // classes
  w.Put<double>(1.0);     // C
  w.PutVector(std::vector<uint8_t>{1, 1});
  w.PutVector(std::vector<uint32_t>{3, far});
  w.PutVector(std::vector<float>{0.5f, -0.5f, 2.0f, 1.0f});  // row-major, 2 classes per row
  w.PutVector(std::vector<float>{0.25f, -0.25f});
  const size_t before = ResidentBytes();
  LogReg m(ClassifierOptions{});
  ASSERT_TRUE(m.Deserialize(w.Take()).ok());
  const text::SparseRow row = {{3, 2.0f}, {7, 5.0f}, {far, -1.0f}, {far + 1, 9.0f}};
  const std::vector<Example> ex = {{&row, ""}};
  std::vector<float> d(2);
  ASSERT_TRUE(m.DecisionValues(ex, d).ok());
  EXPECT_NEAR(d[0], 0.25 + 2.0 * 0.5 - 1.0 * 2.0, 1e-6);
  EXPECT_NEAR(d[1], -0.25 + 2.0 * -0.5 - 1.0 * 1.0, 1e-6);
  const size_t after = ResidentBytes();
  ASSERT_GT(before, 0u);
  EXPECT_LT(after, before + (size_t{256} << 20)) << "resident memory grew by "
                                                 << ((after - before) >> 20) << " MiB";
  // Serialized and read again, it scores the same.
  auto again = m.Serialize();
  ASSERT_TRUE(again.ok());
  LogReg copy(ClassifierOptions{});
  ASSERT_TRUE(copy.Deserialize(again.value()).ok());
  std::vector<float> d2(2);
  ASSERT_TRUE(copy.DecisionValues(ex, d2).ok());
  EXPECT_EQ(d, d2);
}

}  // namespace
}  // namespace hitloop::model

#include "model/patches.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/rng.h"
#include "model/logreg.h"

namespace hitloop::model {
namespace {

constexpr uint32_t kOffset = 1000;  // the dense block starts after the "text" columns
constexpr int kSide = 12;

text::SparseRow Dense(const std::vector<float>& x) {
  text::SparseRow r;
  for (size_t d = 0; d < x.size(); ++d) {
    if (x[d] != 0) r.push_back({kOffset + static_cast<uint32_t>(d), x[d]});
  }
  return r;
}

// A kSide x kSide image of stripes (horizontal when c == 0, vertical when c == 1) at a random
// phase and period, plus noise: every pixel's mean is the same for both classes, so a linear
// model on the pixels cannot tell them apart; oriented-edge filters can.
std::vector<float> Stripes(int c, Rng& rng) {
  const double phase = rng.Uniform() * 2 * std::numbers::pi;
  const double period = 3.0 + 2.0 * rng.Uniform();
  std::vector<float> img(kSide * kSide);
  for (int r = 0; r < kSide; ++r) {
    for (int col = 0; col < kSide; ++col) {
      const double t = c == 0 ? r : col;
      img[r * kSide + col] = static_cast<float>(
          0.5 + 0.4 * std::sin(2 * std::numbers::pi * t / period + phase) + 0.1 * rng.Uniform());
    }
  }
  return img;
}

struct Data {
  std::vector<text::SparseRow> rows;
  std::vector<int> y;
  std::vector<Example> Examples() const {
    std::vector<Example> ex;
    for (const auto& r : rows) ex.push_back({&r, ""});
    return ex;
  }
};

Data Make(int n, uint64_t seed) {
  Rng rng(seed);
  Data d;
  for (int i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng.Below(2));
    d.rows.push_back(Dense(Stripes(c, rng)));
    d.y.push_back(c);
  }
  return d;
}

RepresentationOptions Options(int dims) {
  RepresentationOptions ro;
  ro.text_dim = kOffset;
  ro.dims = dims;
  return ro;
}

TEST(PatchesTest, LearntFiltersSeparateStripeOrientationsThePixelsCannot) {
  Data d = Make(600, 3);
  const std::vector<Example> ex = d.Examples();
  RepresentationSet set;
  set.push_back(std::make_unique<PatchFeatures>(Options(4 * 32)));
  ASSERT_TRUE(set[0]->Fit(ex).ok());
  EXPECT_EQ(set[0]->dims(), 128);
  EXPECT_EQ(static_cast<PatchFeatures&>(*set[0]).side(), kSide);
  std::vector<text::SparseRow> aug = d.rows;
  ASSERT_TRUE(AugmentRows(set, ex, kOffset + kSide * kSide, 1.0f, 2, &aug).ok());

  auto accuracy = [&](const std::vector<text::SparseRow>& r) {
    std::vector<Example> e;
    for (const auto& row : r) e.push_back({&row, ""});
    std::vector<Example> tr(e.begin(), e.begin() + 400), te(e.begin() + 400, e.end());
    std::vector<int> ytr(d.y.begin(), d.y.begin() + 400);
    ClassifierOptions co;
    co.threads = 1;
    LogReg m(co);
    EXPECT_TRUE(m.Train(tr, ytr, 2).ok());
    std::vector<float> p(te.size() * 2);
    EXPECT_TRUE(m.Predict(te, p).ok());
    double ok = 0;
    for (size_t i = 0; i < te.size(); ++i) ok += (p[2 * i + 1] > p[2 * i]) == (d.y[400 + i] == 1);
    return ok / te.size();
  };
  const double plain = accuracy(d.rows), patches = accuracy(aug);
  EXPECT_LT(plain, 0.75);
  EXPECT_GT(patches, 0.95) << "plain " << plain;
}

// A dense vector block is not normalised (its norm here is ~6), so the appended block gets the
// vector's own norm rather than 1: otherwise a linear model would have to give it ~6x the weights.
TEST(PatchesTest, TheBlockWeighsAsMuchAsTheImageItCameFrom) {
  Data d = Make(60, 4);
  const std::vector<Example> ex = d.Examples();
  RepresentationSet set;
  set.push_back(std::make_unique<PatchFeatures>(Options(40)));
  ASSERT_TRUE(set[0]->Fit(ex).ok());
  std::vector<text::SparseRow> aug = d.rows;
  const uint32_t offset = kOffset + kSide * kSide;
  ASSERT_TRUE(AugmentRows(set, ex, offset, 1.0f, 1, &aug).ok());
  for (size_t i = 0; i < aug.size(); ++i) {
    double image = 0, block = 0;
    for (const auto& f : aug[i]) (f.index >= offset ? block : image) += double(f.value) * f.value;
    EXPECT_GT(std::sqrt(image), 3.0);
    EXPECT_NEAR(std::sqrt(block), std::sqrt(image), 1e-3 * std::sqrt(image));
  }
}

TEST(PatchesTest, TransformIsDeterministicAndSurvivesSerialisation) {
  Data d = Make(100, 5);
  const std::vector<Example> ex = d.Examples();
  PatchFeatures a(Options(40));
  ASSERT_TRUE(a.Fit(ex).ok());
  PatchFeatures again(Options(40));
  ASSERT_TRUE(again.Fit(ex).ok());
  auto payload = a.Serialize();
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(*payload, *again.Serialize());  // same seed, same pool: same filters
  PatchFeatures back(Options(0));
  ASSERT_TRUE(back.Deserialize(*payload).ok());
  std::vector<float> x(a.dims()), y(back.dims());
  ASSERT_TRUE(a.Transform(ex[7], x).ok());
  ASSERT_TRUE(back.Transform(ex[7], y).ok());
  EXPECT_EQ(x, y);
  for (float v : x) EXPECT_GE(v, 0.0f);  // triangle activations pooled: never negative
}

TEST(PatchesTest, MalformedPayloadIsCorruption) {
  Data d = Make(50, 6);
  PatchFeatures a(Options(40));
  ASSERT_TRUE(a.Fit(d.Examples()).ok());
  std::string payload = *a.Serialize();
  PatchFeatures b(Options(0));
  EXPECT_EQ(b.Deserialize(payload.substr(0, payload.size() - 3)).code(), StatusCode::kCorruption);
  EXPECT_EQ(b.Deserialize("").code(), StatusCode::kCorruption);
  std::vector<float> out(4);
  EXPECT_EQ(b.Transform(d.Examples()[0], out).code(), StatusCode::kFailedPrecondition);
}

TEST(PatchesTest, VectorsThatAreNotSquareImagesAreRejected) {
  std::vector<text::SparseRow> rows = {Dense(std::vector<float>(50, 0.5f))};  // 50: not a square
  std::vector<Example> ex = {{&rows[0], ""}};
  PatchFeatures p(Options(0));
  Status st = p.Fit(ex);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("square"), std::string::npos) << st.message();
  text::SparseRow text_only = {{3, 1.0f}};
  std::vector<Example> none = {{&text_only, ""}};
  EXPECT_EQ(p.Fit(none).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hitloop::model

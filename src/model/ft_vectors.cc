#include "model/ft_vectors.h"

#include <fasttext/fasttext.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "core/file.h"
#include "core/rng.h"
#include "core/serial.h"
#include "model/fasttext_text.h"

namespace hitloop::model {
namespace {

// Bounds the model: (words + buckets) × dims floats.
constexpr int kBuckets = 100000;
constexpr int kEpochs = 5;

}  // namespace

FastTextVectors::FastTextVectors(const RepresentationOptions& options) : options_(options) {}
FastTextVectors::~FastTextVectors() = default;

Status FastTextVectors::Fit(std::span<const Example> pool) {
  std::vector<size_t> idx(pool.size());
  std::iota(idx.begin(), idx.end(), size_t{0});
  if (options_.max_fit_items > 0 && idx.size() > options_.max_fit_items) {
    Rng rng(options_.seed * 0x9E3779B97F4A7C15ULL + 11);
    rng.Shuffle(idx);
    idx.resize(options_.max_fit_items);
  }
  const std::string input = FastTextTempPath("hitloop-ftvec", "pool.txt");
  size_t words = 0;
  {
    std::ofstream f(input, std::ios::binary);
    for (size_t i : idx) {
      const std::string line = FastTextLine(pool[i].text);
      std::istringstream ss(line);
      for (std::string w; ss >> w;) ++words;
      f << line << '\n';
    }
    if (!f) return IoError("ftvec: cannot write " + input);
  }
  if (words == 0) {
    std::error_code ec;
    std::filesystem::remove(input, ec);
    return InvalidArgument("ftvec: the pool has no text");
  }
  fasttext::Args args;
  args.input = input;
  args.model = fasttext::model_name::sg;
  args.dim = options_.dims > 0 ? options_.dims : kDefaultDims;
  args.epoch = kEpochs;
  args.minCount = 2;
  args.minn = 3;
  args.maxn = 6;
  args.bucket = kBuckets;
  args.thread = std::max(1, options_.threads);
  args.verbose = 0;
  args.seed = static_cast<int>(options_.seed & 0x7fffffff);
  auto ft = std::make_unique<fasttext::FastText>();
  Status st;
  try {
    ft->train(args);
  } catch (const std::exception& e) {
    st = InvalidArgument(std::string("ftvec: training failed: ") + e.what());
  }
  std::error_code ec;
  std::filesystem::remove(input, ec);
  RETURN_IF_ERROR(st);
  dims_ = ft->getDimension();
  ft_ = std::move(ft);
  // The common component: the mean raw document vector over the fitted items.
  mean_.assign(dims_, 0.0f);
  std::vector<double> sum(dims_, 0.0);
  std::vector<float> v(dims_);
  size_t docs = 0;
  for (size_t i : idx) {
    if (!RawVector(pool[i].text, v)) continue;
    for (int j = 0; j < dims_; ++j) sum[j] += v[j];
    ++docs;
  }
  if (docs > 0) {
    for (int j = 0; j < dims_; ++j) mean_[j] = static_cast<float>(sum[j] / static_cast<double>(docs));
  }
  return Status::Ok();
}

bool FastTextVectors::RawVector(std::string_view text, std::span<float> out) const {
  std::fill(out.begin(), out.end(), 0.0f);
  fasttext::Vector v(dims_);
  std::istringstream ss(FastTextLine(text));
  int n = 0;
  for (std::string w; ss >> w;) {
    ft_->getWordVector(v, w);
    const float norm = v.norm();
    if (!(norm > 0)) continue;
    for (int j = 0; j < dims_; ++j) out[j] += v[j] / norm;
    ++n;
  }
  if (n == 0) return false;
  for (float& x : out) x /= static_cast<float>(n);
  return true;
}

Status FastTextVectors::Transform(const Example& ex, std::span<float> out) const {
  if (!ft_) return FailedPrecondition("ftvec: not fitted");
  if (out.size() != static_cast<size_t>(dims_)) {
    return InvalidArgument("ftvec: output has the wrong size");
  }
  try {
    // No words: the zero vector (AugmentRows then adds nothing for it).
    if (!RawVector(ex.text, out)) return Status::Ok();
  } catch (const std::exception& e) {
    return Internal(std::string("ftvec: ") + e.what());
  }
  for (int j = 0; j < dims_; ++j) out[j] -= mean_[j];
  return Status::Ok();
}

Result<std::string> FastTextVectors::Serialize() const {
  if (!ft_) return FailedPrecondition("ftvec: not fitted");
  const std::string path = FastTextTempPath("hitloop-ftvec", "model.bin");
  try {
    ft_->saveModel(path);
  } catch (const std::exception& e) {
    return IoError(std::string("ftvec: save failed: ") + e.what());
  }
  auto bytes = ReadFile(path);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (!bytes.ok()) return bytes.status();
  Writer w;
  w.Put<uint32_t>(1);  // payload version
  w.PutVector(mean_);
  w.PutString(*bytes);
  return w.Take();
}

Status FastTextVectors::Deserialize(std::string_view payload) {
  Reader r(payload);
  uint32_t version = 0;
  std::vector<float> mean;
  std::string bytes;
  if (!r.Get(&version) || version != 1 || !r.GetVector(&mean) || !r.GetString(&bytes) ||
      !r.done() || mean.empty() ||
      !std::all_of(mean.begin(), mean.end(), [](float x) { return std::isfinite(x); })) {
    return Corruption("ftvec: malformed payload");
  }
  const std::string path = FastTextTempPath("hitloop-ftvec", "load.bin");
  {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) return IoError("ftvec: cannot write " + path);
  }
  auto ft = std::make_unique<fasttext::FastText>();
  Status st;
  try {
    ft->loadModel(path);
  } catch (const std::exception& e) {
    st = Corruption(std::string("ftvec: load failed: ") + e.what());
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  RETURN_IF_ERROR(st);
  if (ft->getDimension() < 1 || static_cast<size_t>(ft->getDimension()) != mean.size()) {
    return Corruption("ftvec: model and mean vector disagree");
  }
  dims_ = ft->getDimension();
  ft_ = std::move(ft);
  mean_ = std::move(mean);
  return Status::Ok();
}

}  // namespace hitloop::model

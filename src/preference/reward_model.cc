#include "preference/reward_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_set>

#include "core/file.h"
#include "core/ids.h"
#include "core/parallel.h"
#include "core/serial.h"
#include "model/dual_cd.h"
#include "text/featurizer_file.h"
#include "text/normalize.h"
#include "text/tokenize.h"

namespace hitloop::preference {
namespace {

constexpr char kMagic[8] = {'H', 'L', 'R', 'E', 'W', 'R', 'D', '\0'};
constexpr size_t kDense = std::size(kDenseNames);

// The dense block: the response's length and its relation to the prompt (see the header).
std::vector<float> DenseFeatures(std::string_view prompt, std::string_view response) {
  const std::string np = text::NormalizeLossy(prompt);
  const std::string nr = text::NormalizeLossy(response);
  const auto pt = text::Tokenize(np);
  const auto rt = text::Tokenize(nr);
  std::unordered_set<std::string_view> pset(pt.begin(), pt.end()), rset(rt.begin(), rt.end());
  size_t covered = 0, fresh = 0;
  for (std::string_view w : pset) covered += rset.count(w);
  for (std::string_view w : rset) fresh += pset.count(w) == 0;
  std::vector<float> f(kDense);
  f[0] = static_cast<float>(std::log1p(static_cast<double>(response.size())));
  f[1] = static_cast<float>(std::log1p(static_cast<double>(rt.size())));
  f[2] = pset.empty() ? 0.0f : static_cast<float>(covered) / static_cast<float>(pset.size());
  f[3] = rset.empty() ? 0.0f : static_cast<float>(fresh) / static_cast<float>(rset.size());
  f[4] = response.find('?') != std::string_view::npos ? 1.0f : 0.0f;
  return f;
}

text::FeaturizerOptions FeaturizerOptionsFor(const RewardOptions& o) {
  text::FeaturizerOptions f;
  f.hash_bits = o.hash_bits;
  f.word_unigrams = true;
  f.word_bigrams = true;
  f.char_ngram_min = o.char_ngrams ? 3 : 0;
  f.char_ngram_max = o.char_ngrams ? 5 : 0;
  return f;
}

// a - b for sorted sparse rows.
void Difference(const text::SparseRow& a, const text::SparseRow& b, model::CsrRows* x) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    uint32_t col;
    float v;
    if (j == b.size() || (i < a.size() && a[i].index < b[j].index)) {
      col = a[i].index;
      v = a[i++].value;
    } else if (i == a.size() || b[j].index < a[i].index) {
      col = b[j].index;
      v = -b[j++].value;
    } else {
      col = a[i].index;
      v = a[i++].value - b[j++].value;
    }
    if (v != 0.0f) {
      x->col.push_back(col);
      x->val.push_back(v);
    }
  }
  x->row_start.push_back(x->col.size());
}

}  // namespace

text::SparseRow RewardModel::Features(std::string_view prompt, std::string_view response) const {
  std::vector<float> dense;
  if (options_.dense) dense = DenseFeatures(prompt, response);
  return featurizer_.Transform({response, dense});
}

Result<RewardModel> RewardModel::Train(std::span<const RewardPair> pairs, const RewardOptions& options) {
  if (pairs.empty()) return InvalidArgument("reward model: no comparisons with a winner to learn from");
  RewardModel m;
  m.options_ = options;
  m.featurizer_ = text::Featurizer(FeaturizerOptionsFor(options));
  // Fit IDF and dense scaling on every training response (chosen rows first, then rejected).
  std::vector<std::vector<float>> dense(2 * pairs.size());
  std::vector<text::FeatureInput> corpus(2 * pairs.size());
  if (options.dense) {
    ParallelFor(pairs.size(), options.threads, 256, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        dense[i] = DenseFeatures(pairs[i].prompt, pairs[i].chosen);
        dense[pairs.size() + i] = DenseFeatures(pairs[i].prompt, pairs[i].rejected);
      }
    });
  }
  for (size_t i = 0; i < pairs.size(); ++i) {
    corpus[i] = {pairs[i].chosen, dense[i]};
    corpus[pairs.size() + i] = {pairs[i].rejected, dense[pairs.size() + i]};
  }
  ASSIGN_OR_RETURN(std::vector<text::SparseRow> rows, m.featurizer_.FitTransform(corpus, options.threads));
  model::CsrRows x;
  x.cols = m.featurizer_.dim();
  x.row_start.reserve(pairs.size() + 1);
  x.row_start.push_back(0);
  size_t nonzeros = 0;
  for (const auto& r : rows) nonzeros += r.size();
  x.col.reserve(nonzeros);
  x.val.reserve(nonzeros);
  for (size_t i = 0; i < pairs.size(); ++i) Difference(rows[i], rows[pairs.size() + i], &x);
  // No intercept: flipping a pair's sign gives the same loss, so every pair is a +1 example.
  std::vector<int8_t> y(pairs.size(), 1);
  model::DualCdOptions solver;
  solver.c = options.c;
  solver.eps = 0.01;
  solver.seed = options.seed;
  std::vector<double> alpha(pairs.size(), model::ColdDualValue(options.c));
  std::vector<double> w;
  model::SolveLogisticDual(x, y, solver, alpha, &w);
  for (uint32_t j = 0; j < w.size(); ++j) {
    if (w[j] != 0.0) {
      m.weight_index_.push_back(j);
      m.weight_value_.push_back(static_cast<float>(w[j]));
    }
  }
  return m;
}

double RewardModel::Score(std::string_view prompt, std::string_view response) const {
  const text::SparseRow row = Features(prompt, response);
  double s = 0.0;
  size_t k = 0;
  for (const text::Feature& f : row) {
    k = std::lower_bound(weight_index_.begin() + static_cast<std::ptrdiff_t>(k), weight_index_.end(), f.index) -
        weight_index_.begin();
    if (k == weight_index_.size()) break;
    if (weight_index_[k] == f.index) s += static_cast<double>(weight_value_[k]) * f.value;
  }
  return s;
}

std::string RewardModel::Encode() const {
  Writer w;
  w.Put<int32_t>(options_.hash_bits);
  w.Put<uint8_t>(options_.char_ngrams ? 1 : 0);
  w.Put<uint8_t>(options_.dense ? 1 : 0);
  w.Put<double>(options_.c);
  w.Put<uint64_t>(options_.seed);
  w.PutString(text::EncodeFeaturizer(featurizer_));
  w.PutVector(weight_index_);
  w.PutVector(weight_value_);
  const std::string payload = w.Take();
  Writer head;
  head.Put<uint32_t>(kRewardFileVersion);
  head.Put<uint64_t>(payload.size());
  head.Put<uint64_t>(Hash64(payload));
  return std::string(kMagic, sizeof(kMagic)) + head.Take() + payload;
}

Result<RewardModel> RewardModel::Decode(std::string_view bytes) {
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Corruption("reward model: bad magic (not a hitloop reward model)");
  }
  Reader head(bytes.substr(sizeof(kMagic)));
  uint32_t version = 0;
  uint64_t length = 0, checksum = 0;
  if (!head.Get(&version) || !head.Get(&length) || !head.Get(&checksum)) return Corruption("reward model: truncated header");
  if (version != kRewardFileVersion) return Corruption("reward model: unsupported version " + std::to_string(version));
  const size_t at = sizeof(kMagic) + 4 + 8 + 8;
  if (bytes.size() - at != length) return Corruption("reward model: payload length mismatch (truncated or extended file)");
  const std::string_view payload = bytes.substr(at);
  if (Hash64(payload) != checksum) return Corruption("reward model: checksum mismatch");
  Reader r(payload);
  RewardModel m;
  uint8_t chars = 0, dense = 0;
  std::string featurizer;
  if (!r.Get(&m.options_.hash_bits) || !r.Get(&chars) || !r.Get(&dense) || !r.Get(&m.options_.c) ||
      !r.Get(&m.options_.seed) || !r.GetString(&featurizer) || !r.GetVector(&m.weight_index_) ||
      !r.GetVector(&m.weight_value_) || !r.done()) {
    return Corruption("reward model: malformed payload");
  }
  m.options_.char_ngrams = chars != 0;
  m.options_.dense = dense != 0;
  auto f = text::DecodeFeaturizer(featurizer);
  if (!f.ok()) return Corruption("reward model: " + f.status().message());
  m.featurizer_ = std::move(*f);
  if (m.weight_index_.size() != m.weight_value_.size()) return Corruption("reward model: weight table mismatch");
  for (size_t i = 0; i < m.weight_index_.size(); ++i) {
    if (m.weight_index_[i] >= m.featurizer_.dim() || (i > 0 && m.weight_index_[i] <= m.weight_index_[i - 1]) ||
        !std::isfinite(m.weight_value_[i])) {
      return Corruption("reward model: bad weight table");
    }
  }
  if (m.options_.dense && m.featurizer_.dense_dims() != kDense) return Corruption("reward model: dense block size");
  return m;
}

Status RewardModel::Save(const std::string& path) const { return AtomicWriteFile(path, Encode()); }

Result<RewardModel> RewardModel::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  auto m = Decode(bytes);
  if (!m.ok()) return Status(m.status().code(), path + ": " + m.status().message());
  return m;
}

}  // namespace hitloop::preference

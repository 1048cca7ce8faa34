#include "text/featurizer.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/ids.h"
#include "core/parallel.h"
#include "text/normalize.h"
#include "text/tokenize.h"

namespace hitloop::text {
namespace {

// Distinct hash seeds keep a word, a bigram and a character n-gram with equal bytes apart.
constexpr uint64_t kUnigramSeed = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t kBigramSeed = 0xc2b2ae3d27d4eb4fULL;
constexpr uint64_t kCharSeed = 0x165667b19e3779f9ULL;

// Byte offsets of UTF-8 code point starts in s, plus s.size() at the end, into *starts (a
// buffer the caller reuses: one allocation per text, not per word).
void CodePointStarts(std::string_view s, std::vector<uint32_t>* starts) {
  starts->clear();
  for (uint32_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts->push_back(i);
  }
  starts->push_back(static_cast<uint32_t>(s.size()));
}

// Runs of non-space bytes (ASCII space, tab, CR, LF, VT, FF separate; NFKC has already turned
// the other Unicode spaces into U+0020).
std::vector<std::string_view> SplitOnSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (i < s.size()) {
    while (i < s.size() && space(s[i])) ++i;
    const size_t b = i;
    while (i < s.size() && !space(s[i])) ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

// Sorts bucket indices below 2^bits: LSD radix sort, 11 bits a pass, for long rows (a long text's
// thousands of n-grams); std::sort for short ones. Sorting was two thirds of featurizing.
void SortIndices(std::vector<uint32_t>* v, int bits, std::vector<uint32_t>* scratch) {
  if (v->size() < 512) {
    std::sort(v->begin(), v->end());
    return;
  }
  constexpr int kDigit = 11;
  constexpr uint32_t kBuckets = 1u << kDigit;
  scratch->resize(v->size());
  uint32_t count[kBuckets];
  for (int shift = 0; shift < bits; shift += kDigit) {
    std::fill(count, count + kBuckets, 0u);
    for (uint32_t x : *v) ++count[(x >> shift) & (kBuckets - 1)];
    uint32_t sum = 0;
    for (uint32_t& c : count) {
      const uint32_t n = c;
      c = sum;
      sum += n;
    }
    for (uint32_t x : *v) (*scratch)[count[(x >> shift) & (kBuckets - 1)]++] = x;
    v->swap(*scratch);
  }
}

}  // namespace

Featurizer::Featurizer(FeaturizerOptions options)
    : options_(options), text_dim_(1u << std::clamp(options.hash_bits, 4, 28)) {}

SparseRow Featurizer::HashCounts(std::string_view raw) const {
  SparseRow row;
  if (raw.empty()) return row;
  const std::string norm = NormalizeLossy(raw);
  const auto tokens = Tokenize(norm);
  const uint32_t mask = text_dim_ - 1;
  // Exact for ASCII (an upper bound otherwise), so the row is never reallocated while it grows.
  // The spans whose character n-grams are taken: the tokens, or the space-separated words.
  const std::vector<std::string_view> words =
      options_.char_ngram_min > 0 && options_.char_ngram_words ? SplitOnSpaces(norm) : tokens;
  size_t expect = tokens.size() * 2;
  if (options_.char_ngram_min > 0) {
    const size_t kinds = static_cast<size_t>(options_.char_ngram_max - options_.char_ngram_min + 1);
    for (std::string_view w : words) expect += kinds * (w.size() + 2);
  }
  // Every n-gram counts 1: collect bucket indices, sort them, and count runs (the row Canonicalize
  // would give, faster).
  std::vector<uint32_t> idx;
  idx.reserve(expect);
  std::string buf;
  std::vector<uint32_t> starts;
  for (size_t t = 0; t < tokens.size(); ++t) {
    if (options_.word_unigrams) {
      idx.push_back(static_cast<uint32_t>(Hash64(tokens[t], kUnigramSeed)) & mask);
    }
    if (options_.word_bigrams && t + 1 < tokens.size()) {
      buf.assign(tokens[t]);
      buf.push_back(' ');
      buf.append(tokens[t + 1]);
      idx.push_back(static_cast<uint32_t>(Hash64(buf, kBigramSeed)) & mask);
    }
  }
  if (options_.char_ngram_min > 0) {
    for (std::string_view w : words) {
      buf.assign("<");
      buf.append(w);
      buf.push_back('>');
      CodePointStarts(buf, &starts);
      const int n_cp = static_cast<int>(starts.size()) - 1;
      for (int n = options_.char_ngram_min; n <= options_.char_ngram_max; ++n) {
        for (int i = 0; i + n <= n_cp; ++i) {
          std::string_view g(buf.data() + starts[i], starts[i + n] - starts[i]);
          idx.push_back(static_cast<uint32_t>(Hash64(g, kCharSeed)) & mask);
        }
      }
    }
  }
  std::vector<uint32_t> scratch;
  SortIndices(&idx, std::clamp(options_.hash_bits, 4, 28), &scratch);
  size_t distinct = 0;
  for (size_t i = 0; i < idx.size(); ++i) distinct += i == 0 || idx[i] != idx[i - 1];
  row.reserve(distinct);  // exact: rows of a corpus stay in memory
  for (size_t i = 0; i < idx.size(); ++i) {
    if (i > 0 && idx[i] == idx[i - 1]) {
      row.back().value += 1.0f;
    } else {
      row.push_back({idx[i], 1.0f});
    }
  }
  return row;
}

void Featurizer::FinishRow(SparseRow* row, std::span<const float> vector) const {
  for (auto& f : *row) {
    float tf = options_.sublinear_tf ? 1.0f + std::log(f.value) : f.value;
    float idf = idf_.empty() ? 1.0f : (idf_[f.index] > 0 ? idf_[f.index] : max_idf_);
    f.value = tf * idf;
  }
  L2Normalize(row);
  const size_t dims = std::min(vector.size(), dense_scale_.size());
  for (size_t d = 0; d < dims; ++d) {
    const float v = vector[d] * dense_scale_[d];
    if (v != 0.0f) row->push_back({text_dim_ + static_cast<uint32_t>(d), v});
  }
}

Result<std::vector<SparseRow>> Featurizer::FitTransform(std::span<const FeatureInput> corpus, int threads) {
  // Dense dimension: all non-empty vectors must agree.
  size_t dims = 0;
  for (size_t i = 0; i < corpus.size(); ++i) {
    const size_t n = corpus[i].vector.size();
    if (n == 0) continue;
    if (dims == 0) dims = n;
    if (n != dims) {
      return InvalidArgument("record " + std::to_string(i) + ": vector has " + std::to_string(n) +
                             " dimensions, earlier records have " + std::to_string(dims));
    }
  }
  std::vector<float> max_abs(dims, 0.0f);
  for (const auto& in : corpus) {
    for (size_t d = 0; d < in.vector.size(); ++d) {
      max_abs[d] = std::max(max_abs[d], std::fabs(in.vector[d]));
    }
  }
  dense_scale_.assign(dims, 0.0f);
  for (size_t d = 0; d < dims; ++d) dense_scale_[d] = max_abs[d] > 0 ? 1.0f / max_abs[d] : 0.0f;

  std::vector<SparseRow> rows(corpus.size());
  ParallelFor(corpus.size(), threads, 256, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) rows[i] = HashCounts(corpus[i].text);
  });

  idf_.clear();
  if (options_.idf) {
    std::vector<uint32_t> df(text_dim_, 0);
    size_t n_docs = 0;
    for (const auto& r : rows) {
      if (r.empty()) continue;
      ++n_docs;
      for (const auto& f : r) ++df[f.index];
    }
    idf_.assign(text_dim_, 0.0f);
    const double n = static_cast<double>(n_docs);
    max_idf_ = static_cast<float>(std::log((1.0 + n) / 1.0) + 1.0);
    for (uint32_t j = 0; j < text_dim_; ++j) {
      idf_[j] = static_cast<float>(std::log((1.0 + n) / (1.0 + df[j])) + 1.0);
    }
  }
  ParallelFor(corpus.size(), threads, 256, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) FinishRow(&rows[i], corpus[i].vector);
  });
  return rows;
}

Result<Featurizer> Featurizer::FromState(State st) {
  const FeaturizerOptions& o = st.options;
  if (o.hash_bits < 4 || o.hash_bits > 28) return InvalidArgument("featurizer: bad hash_bits");
  if (o.char_ngram_min < 0 || o.char_ngram_max > 32 ||
      (o.char_ngram_min > 0 && o.char_ngram_min > o.char_ngram_max)) {
    return InvalidArgument("featurizer: bad character n-gram range");
  }
  Featurizer f(o);
  if (!st.idf.empty() && st.idf.size() != f.text_dim_) {
    return InvalidArgument("featurizer: IDF table does not match hash_bits");
  }
  if (!st.idf.empty() && !o.idf) return InvalidArgument("featurizer: IDF table with idf off");
  auto finite = [](float v) { return std::isfinite(v); };
  if (!std::all_of(st.idf.begin(), st.idf.end(), finite) || !std::isfinite(st.max_idf) ||
      !std::all_of(st.dense_scale.begin(), st.dense_scale.end(), finite)) {
    return InvalidArgument("featurizer: non-finite weights");
  }
  f.idf_ = std::move(st.idf);
  f.max_idf_ = st.max_idf;
  f.dense_scale_ = std::move(st.dense_scale);
  return f;
}

SparseRow Featurizer::Transform(const FeatureInput& input) const {
  SparseRow row = HashCounts(input.text);
  FinishRow(&row, input.vector);
  return row;
}

}  // namespace hitloop::text

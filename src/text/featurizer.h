#pragma once
// Featurizer: turns a record's (text, vector) into one sparse feature row.
//
// Text features (fastText/Vowpal-Wabbit style hashing, no vocabulary to store):
//   - the text is normalised (NFKC + case fold) and tokenised (text/tokenize.h);
//   - word unigrams and word bigrams of the tokens, and character n-grams of each "<word>" — a
//     word being a run of non-space characters, punctuation kept (scikit-learn's char_wb) —
//     are hashed with XXH3 (a different seed per kind) into 2^hash_bits buckets. Punctuation
//     inside the n-grams carries structure the tokens drop (a gloss's `; "example"`): on
//     wordnet the full-pool model gains 3 points over n-grams of the tokens (bench/HISTORY.md,
//     "Character n-grams keep punctuation"). char_ngram_words = false is the old rule (n-grams
//     of each "<token>"), kept for featurizer files of format version 1;
//   - counts become sublinear TF (1 + ln tf) times smoothed IDF, ln((1 + N) / (1 + df)) + 1,
//     learnt by Fit over a corpus (the unlabelled pool: IDF needs no labels);
//   - the text block is L2-normalised.
// Dense features: a record's `vector` goes to indices [2^hash_bits, 2^hash_bits + dims), scaled
// per dimension by its maximum absolute value over the fitted corpus (keeps zeros sparse, keeps
// values in [-1, 1]). Records with both get both blocks in one row.
//
// Thread-safety: after Fit, Transform is const and safe to call from many threads.
// Errors: Fit rejects vectors of inconsistent length (InvalidArgument, naming the input index).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "text/sparse.h"

namespace hitloop::text {

struct FeaturizerOptions {
  int hash_bits = 20;        // text buckets = 2^hash_bits
  bool word_unigrams = true;
  bool word_bigrams = true;
  int char_ngram_min = 3;    // character n-grams of "<token>"; 0 disables
  int char_ngram_max = 5;
  bool char_ngram_words = true;  // n-grams of space-separated words (punctuation kept), not tokens
  bool sublinear_tf = true;
  bool idf = true;
};

struct FeatureInput {
  std::string_view text;          // may be empty
  std::span<const float> vector;  // may be empty
};

class Featurizer {
 public:
  explicit Featurizer(FeaturizerOptions options = {});

  // Learns IDF weights and dense scaling from `corpus` and returns the corpus's rows (cheaper
  // than Fit followed by Transform: each text is tokenised once). Replaces any previous fit.
  // `threads` hash and finish rows in parallel; the rows are the same for any thread count.
  Result<std::vector<SparseRow>> FitTransform(std::span<const FeatureInput> corpus, int threads = 1);

  // Rows for new inputs with the fitted weights. Vector dimensions beyond the fitted count are
  // ignored; features never seen by Fit get the maximum IDF.
  SparseRow Transform(const FeatureInput& input) const;

  // Total feature dimension: 2^hash_bits + dense dims.
  uint32_t dim() const { return text_dim_ + static_cast<uint32_t>(dense_scale_.size()); }
  uint32_t text_dim() const { return text_dim_; }
  uint32_t dense_dims() const { return static_cast<uint32_t>(dense_scale_.size()); }
  const FeaturizerOptions& options() const { return options_; }

  // The fitted state as plain data, for text/featurizer_file.h (which frames, checksums and
  // validates it). FromState returns InvalidArgument when the parts do not fit together.
  struct State {
    FeaturizerOptions options;
    std::vector<float> idf;          // empty, or 2^hash_bits values
    float max_idf = 1.0f;
    std::vector<float> dense_scale;
  };
  State ToState() const { return {options_, idf_, max_idf_, dense_scale_}; }
  static Result<Featurizer> FromState(State state);

 private:
  // Raw hashed counts of the text block (sorted, duplicates summed).
  SparseRow HashCounts(std::string_view text) const;
  void FinishRow(SparseRow* text_counts, std::span<const float> vector) const;

  FeaturizerOptions options_;
  uint32_t text_dim_;
  std::vector<float> idf_;          // size text_dim_ when options_.idf, else empty
  float max_idf_ = 1.0f;
  std::vector<float> dense_scale_;  // 1 / max|x_d| (0 for an all-zero dimension)
};

}  // namespace hitloop::text

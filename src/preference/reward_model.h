#pragma once
// The built-in reward model: a linear Bradley–Terry model on response features,
//   r(prompt, response) = w . phi(prompt, response),  P(a preferred to b) = sigmoid(r_a - r_b),
// fitted by L2-regularised logistic regression on phi(chosen) - phi(rejected) without an
// intercept (model/dual_cd.h, liblinear's dual solver). This is the InstructGPT reward-model
// loss with a linear scorer in place of the transformer.
//
// phi has two blocks:
//   - the response's text (text/featurizer.h: NFKC + case fold, hashed word 1-2-grams and, with
//     `char_ngrams`, character 3-5-grams of each word, sublinear TF-IDF fitted on the training
//     responses, L2-normalised);
//   - a few dense features of the response and its relation to the prompt (kDenseNames): length,
//     how much of the last user turn it takes up, how much of it is new, whether it asks back.
// Which help was measured on HH-RLHF harmless pairs (bench/preference/, bench/RESULTS.md).
//
// Ties and both-bad answers carry no direction and are not training pairs.
// Thread-safety: a trained model is immutable; Score is const and safe from many threads.
// Files: "HLREWRD\0" | version u32 | payload length u64 | XXH3-64 of payload u64 | payload,
// written atomically (core/file.h); Load validates everything before use (Corruption otherwise).
// Plain data, never executable.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "text/featurizer.h"

namespace hitloop::preference {

inline constexpr uint32_t kRewardFileVersion = 1;

struct RewardOptions {
  int hash_bits = 20;
  bool char_ngrams = true;
  bool dense = true;       // the dense block (length and prompt relation)
  double c = 1.0;          // inverse regularisation strength
  uint64_t seed = 1;       // coordinate order of the solver
  int threads = 1;         // featurisation threads (not saved; the model is the same for any count)
};

// One training comparison: `chosen` was preferred to `rejected` as an answer to `prompt`
// (the prompt as text; conversational prompts rendered, the last user turn is what matters).
struct RewardPair {
  std::string_view prompt;  // last user turn (or the plain prompt)
  std::string_view chosen;
  std::string_view rejected;
};

class RewardModel {
 public:
  RewardModel() = default;
  RewardModel(RewardModel&&) = default;
  RewardModel& operator=(RewardModel&&) = default;
  RewardModel(const RewardModel&) = delete;
  RewardModel& operator=(const RewardModel&) = delete;

  // InvalidArgument when `pairs` is empty.
  static Result<RewardModel> Train(std::span<const RewardPair> pairs, const RewardOptions& options);

  // Reward of one response to `prompt` (same meaning as RewardPair::prompt).
  double Score(std::string_view prompt, std::string_view response) const;

  const RewardOptions& options() const { return options_; }
  size_t nonzero_weights() const { return weight_index_.size(); }

  std::string Encode() const;
  static Result<RewardModel> Decode(std::string_view bytes);
  Status Save(const std::string& path) const;   // Io on failure; the old file stays
  static Result<RewardModel> Load(const std::string& path);

 private:
  text::SparseRow Features(std::string_view prompt, std::string_view response) const;

  RewardOptions options_;
  text::Featurizer featurizer_;
  std::vector<uint32_t> weight_index_;  // sorted feature indices with a nonzero weight
  std::vector<float> weight_value_;
};

// Names of the dense features, in their order in phi.
inline constexpr const char* kDenseNames[] = {"log_chars", "log_words", "share_of_prompt_words",
                                              "new_word_share", "asks_question"};

}  // namespace hitloop::preference

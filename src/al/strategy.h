#pragma once
// al::Strategy — one interface for every query strategy (VW-style: one file per strategy, one
// list in al/registry.cc).
//
// The caller (the live loop or `hitloop simulate al`) scores the unlabelled candidates with the
// current model and hands the distributions — plus, when the strategy asks for them, a
// committee's distributions and low-dimensional embeddings — to Select, which returns the batch
// to send to people. Candidates are addressed by position 0..n-1 in the context; mapping them
// back to item ids is the caller's job.
//
// Thread-safety: strategies are stateless; Select is const and may run concurrently (each call
// with its own Rng). Errors: InvalidArgument when the context lacks what requirements() asked
// for or its spans disagree in size. Nothing prints.
#include <Eigen/Dense>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/status.h"

namespace hitloop::al {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct ScoringContext {
  size_t num_candidates = 0;
  int num_classes = 0;
  // num_candidates × num_classes distributions of the current model, row-major.
  std::span<const float> probs;
  // Per committee member, a num_candidates × num_classes block (query-by-committee).
  const std::vector<std::vector<float>>* committee = nullptr;
  // num_candidates × d, rows L2-normalised (al/embedding.h), for diversity/density strategies.
  const RowMatrix* embedding = nullptr;
  // Embeddings of (a sample of) the already-labelled items, rows L2-normalised (k-center).
  const RowMatrix* labeled_embedding = nullptr;
};

struct Requirements {
  bool committee = false;
  bool embedding = false;
};

class Strategy {
 public:
  Strategy() = default;
  Strategy(const Strategy&) = delete;
  Strategy& operator=(const Strategy&) = delete;
  virtual ~Strategy() = default;

  virtual std::string name() const = 0;
  virtual Requirements requirements() const { return {}; }
  // Returns min(batch, num_candidates) distinct positions, most informative first. Ties are
  // broken at random with `rng`, so equal scores do not favour low positions.
  virtual Result<std::vector<size_t>> Select(const ScoringContext& ctx, size_t batch,
                                             Rng& rng) const = 0;
};

// Checks probs/committee/embedding sizes against the context and the strategy's requirements.
Status ValidateContext(const ScoringContext& ctx, const Requirements& req);

}  // namespace hitloop::al

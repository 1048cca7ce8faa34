#pragma once
// Which model a cycle trains, and on which rows.
//
// - Representations learnt from the pool (model/representation.h) that the loop config needs
//   ("representations", the model spec, and the candidates when "model" is "auto") are learnt once
//   per project and saved next to the models (<models_dir>/repr-NAME.model, checksummed model
//   framing, plus repr-NAME.json with the pool size it was learnt on); every later cycle loads
//   them, and learns them again only when the pool has grown by more than
//   loop.representation_refresh (a fraction) since, or when the file is missing or corrupt.
// - ResolveModel: "model": "auto" compares loop.model_candidates by cross-validation on the
//   training labels (model/selection.h: largest estimated certifiable coverage at the project's
//   epsilon, delta; best accuracy when none has any) and reports the comparison; any other value
//   is the model used, unchanged. The chosen spec then sees exactly its own representation blocks.
//
// Ownership: borrows its inputs for the call. Thread-safety: none shared. Errors: Status; a
// representation that cannot be learnt (e.g. "rff" on a text-only pool) is an error naming it.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "loop/config.h"
#include "model/representation.h"
#include "model/selection.h"

namespace hitloop::loop {

struct RepresentationRecord {
  std::string name;
  std::string path;
  int64_t fitted_pool_size = 0;  // pool size it was learnt on
  bool learnt = false;           // learnt this cycle (else loaded)
  std::string reason;            // why it was learnt ("no file", "pool grew 25%", ...)
  int dims = 0;
  double seconds = 0;
};

// Representation names the config needs, in a stable order (config order, then specs' order).
Result<std::vector<std::string>> NeededRepresentations(const LoopConfig& cfg);

// Loads or learns `names` for this pool (see above); the caller appends their blocks to the rows
// (model::AugmentRows) at the featurizer's dim() and records model::BlockLayout.
struct PreparedRepresentations {
  model::RepresentationSet set;
  std::vector<model::RepresentationBlock> blocks;  // set by the caller (model::BlockLayout)
  std::vector<RepresentationRecord> records;
};
Result<PreparedRepresentations> PrepareRepresentations(
    std::span<const std::string> names, const std::string& models_dir, double refresh,
    const model::RepresentationOptions& options, std::span<const model::Example> pool);

// The model this cycle uses and, when "auto", the comparison that picked it.
struct ModelResolution {
  std::string spec;
  std::optional<model::SelectionResult> choice;
};
// `train` are the training examples (full augmented rows), `train_y` their labels.
Result<ModelResolution> ResolveModel(const LoopConfig& cfg,
                                     std::span<const model::RepresentationBlock> blocks,
                                     std::span<const model::Example> train,
                                     std::span<const int> train_y, int k,
                                     const model::ClassifierOptions& options, uint64_t seed);

// `examples` as `spec` sees them: unchanged when the spec uses exactly the blocks present, else
// rows copied into `storage` with only the spec's blocks. InvalidArgument when the spec needs a
// representation that is absent.
Result<std::vector<model::Example>> ViewForSpec(const std::string& spec,
                                                std::span<const model::RepresentationBlock> blocks,
                                                std::span<const model::Example> examples,
                                                std::vector<text::SparseRow>* storage);

std::string ModelChoiceJson(const std::optional<model::SelectionResult>& choice,
                            const std::string& spec);
std::string RepresentationsJson(const std::vector<RepresentationRecord>& records);

}  // namespace hitloop::loop

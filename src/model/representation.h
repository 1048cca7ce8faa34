#pragma once
// model::Representation — a feature map learnt WITHOUT labels from the project's own pool
// (unlabelled items), trained once per project and reused every cycle. Its output is a dense
// block appended to each item's sparse row (text/featurizer.h), after the featurizer's columns,
// so every classifier of model/registry.h learns from the sparse n-grams and the block together.
//
// Registered representations (model/representation.cc is the only list):
//   "lsa"    randomised truncated SVD of the pool's sparse feature matrix (latent semantic
//            analysis; model/lsa.h): the row's coordinates in the top singular directions
//   "ftvec"  fastText skip-gram word/subword vectors trained unsupervised on the pool's text,
//            averaged (unit-norm words) into one document vector (model/ft_vectors.h)
//   "rff"    random Fourier features of the dense vector block (Gaussian-kernel approximation,
//            Rahimi & Recht 2007; model/rff.h): a nonlinear map for image-like vectors
//   "patches" single-layer convolutional features of square images: k-means filters learnt from
//            the pool's own 6 x 6 patches, triangle activation, quadrant pooling (Coates, Ng &
//            Lee 2011; model/patches.h)
// Each block is L2-normalised (an all-zero block stays zero) and scaled by the AugmentRows weight
// times Representation::InputNorm: 1 for the text representations (the n-gram block has norm 1),
// the item's own vector norm for "rff" and "patches" (a dense vector block is not normalised, so
// a unit-norm block beside it would weigh ~10x less in a linear model: on Fashion-MNIST, 6,000
// random labels, "patches+logreg" reached 0.818 test accuracy with a unit-norm block and 0.860
// with the block at ten times that norm, about the pixels' norm; bench/HISTORY.md).
//
// Model specs: "REPR[,REPR...]+CLASSIFIER" (e.g. "lsa+logreg", "lsa,ftvec+logreg") names a
// classifier trained on rows augmented with those representations; a name without '+' is a
// classifier on the plain rows. ParseModelSpec splits them; the caller augments the rows
// (AugmentRows) and creates the classifier by its own name.
//
// Files: SaveRepresentation/LoadRepresentation use the model-file framing of model/model_file.h
// (magic, version, name "repr:NAME", payload length, XXH3 checksum, atomic write), so a flipped
// byte is a Corruption error at load time.
//
// Contract: Fit never sees labels. Transform is const and thread-safe after Fit/Deserialize and
// deterministic for a given fitted state. Errors as Status; nothing prints; no exception leaves.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/classifier.h"
#include "text/sparse.h"

namespace hitloop::model {

struct RepresentationOptions {
  int dims = 0;              // output dimension; 0 = the representation's default
  uint64_t seed = 1;
  int threads = 2;
  uint32_t text_dim = 0;     // feature indices >= text_dim are the dense vector block ("rff")
  size_t max_fit_items = 30000;  // a seeded sample of the pool is enough to learn the map
  float weight = 1.0f;       // scale of the L2-normalised block inside the row
};

class Representation {
 public:
  Representation() = default;
  Representation(const Representation&) = delete;
  Representation& operator=(const Representation&) = delete;
  virtual ~Representation() = default;

  virtual std::string name() const = 0;
  // Learns the map from unlabelled examples (features and/or text). InvalidArgument when the
  // pool gives it nothing to learn from (e.g. "rff" without dense vectors).
  virtual Status Fit(std::span<const Example> pool) = 0;
  virtual int dims() const = 0;
  // Writes dims() values for one example (before the block normalisation). FailedPrecondition
  // when not fitted.
  virtual Status Transform(const Example& example, std::span<float> out) const = 0;
  virtual Result<std::string> Serialize() const = 0;
  virtual Status Deserialize(std::string_view payload) = 0;
  // The norm of the part of the row the block is computed from; AugmentRows gives the block
  // weight × this norm, so a block and its source weigh alike in a linear model. 1 by default
  // (text representations: the n-gram block is L2-normalised); a dense vector's own norm for the
  // image representations ("rff", "patches"), whose vector block is not normalised.
  virtual float InputNorm(const Example& example) const {
    (void)example;
    return 1.0f;
  }
};

// The dense vector block of a row: the features at indices >= text_dim (the featurizer puts an
// item's `vector` there). DenseWidth: 1 + the highest such index - text_dim (0 when none);
// DenseBlock: *x = the block's first `width` values, zeros where the row has none (a null row:
// all zeros); DenseNorm: the L2 norm of features [text_dim, text_dim + width).
uint32_t DenseWidth(const text::SparseRow& row, uint32_t text_dim);
void DenseBlock(const text::SparseRow* row, uint32_t text_dim, uint32_t width, std::vector<float>* x);
float DenseNorm(const Example& example, uint32_t text_dim, uint32_t width);

// NotFound for an unknown name (the message lists the known ones).
Result<std::unique_ptr<Representation>> CreateRepresentation(std::string_view name,
                                                             const RepresentationOptions& options);
std::vector<std::string> RepresentationNames();

struct ModelSpec {
  std::vector<std::string> representations;  // in the order given
  std::string classifier;
};
// "lsa,ftvec+logreg" -> {{"lsa","ftvec"}, "logreg"}; "logreg" -> {{}, "logreg"}. InvalidArgument
// for an empty part or an unknown representation (classifier names are checked by the registry).
Result<ModelSpec> ParseModelSpec(std::string_view spec);

// Fitted representations of one spec.
using RepresentationSet = std::vector<std::unique_ptr<Representation>>;

// Creates and fits every named representation on `pool` (options.seed differs per member).
Result<RepresentationSet> FitRepresentations(std::span<const std::string> names,
                                             std::span<const Example> pool,
                                             const RepresentationOptions& options);

// Appends the blocks of `set`, in order, to each row: block b's column j is feature index
// offset + (sum of earlier blocks' dims) + j. `offset` must be at least the featurizer's dim()
// (so no block collides with a sparse column); rows stay sorted. Uses `threads` threads.
Status AugmentRows(const RepresentationSet& set, std::span<const Example> examples,
                   uint32_t offset, float weight, int threads,
                   std::vector<text::SparseRow>* rows);

// Where one representation's block sits in augmented rows: columns [begin, end).
struct RepresentationBlock {
  std::string name;
  uint32_t begin = 0, end = 0;
};
// The blocks AugmentRows lays out for `set` at `offset`.
std::vector<RepresentationBlock> BlockLayout(const RepresentationSet& set, uint32_t offset);
// `row` as a spec naming `keep` sees it: the columns before the first block, plus the blocks
// named in `keep`. InvalidArgument when `keep` names a representation `blocks` lacks.
Status FilterRow(const text::SparseRow& row, std::span<const RepresentationBlock> blocks,
                 std::span<const std::string> keep, text::SparseRow* out);
// True when `keep` names exactly the blocks present (the rows can be used as they are).
bool UsesAllBlocks(std::span<const RepresentationBlock> blocks, std::span<const std::string> keep);

// Framing (model/model_file.h's scheme) for representation files.
Result<std::string> EncodeRepresentation(const Representation& r);
Result<std::unique_ptr<Representation>> DecodeRepresentation(
    std::string_view bytes, const RepresentationOptions& options = {});
Status SaveRepresentation(const Representation& r, const std::string& path);
Result<std::unique_ptr<Representation>> LoadRepresentation(
    const std::string& path, const RepresentationOptions& options = {});

}  // namespace hitloop::model

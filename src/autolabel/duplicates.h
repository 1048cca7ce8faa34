#pragma once
// Exact and near-duplicate detection.
//
// Exact: two texts are exact duplicates when their NormalizeForHash forms (NFKC, case fold,
// whitespace collapsed) have the same 64-bit XXH3 hash.
// Near: MinHash signatures over word k-shingles (Broder 1997, "On the resemblance and containment
// of documents"), candidate pairs from LSH banding (Leskovec, Rajaraman & Ullman, "Mining of
// Massive Datasets", ch. 3.4), each candidate verified by the exact Jaccard similarity of the two
// shingle sets; pairs at or above the threshold are joined.
// Short texts: one edited word changes up to k shingles, so the shingle Jaccard of a 12-word
// text and its one-word edit is ~0.54, far below a useful threshold (it is length-sensitive). Texts
// of edit_min_words..edit_max_words tokens are therefore also compared word by word: candidates
// from a second LSH over their word sets (banded for word-set Jaccard t/(2-t), the least a pair at
// edit similarity t can have), verified by word-level Levenshtein distance d; a pair is near when
// its edit similarity 1 - d/max(length) reaches the same threshold (at 0.8: one edit per 5 words). Groups are the connected components
// (single linkage) of exact and verified near pairs, so two members of a group may be less
// similar than the threshold to each other while each is linked through a chain of members.
//
// Usage: DuplicateFinder::Create(options) → Add(text) for every item in order → Groups().
// Memory: per distinct text, num_perm*4 bytes of signature plus 8 bytes per distinct shingle, and
// for a short text another num_perm*4 bytes plus 8 per word; exact repeats cost 16 bytes. Texts
// themselves are not kept.
// Thread-safety: a DuplicateFinder is not thread-safe; use one per thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace hitloop::autolabel {

struct DuplicateOptions {
  double threshold = 0.8;   // Jaccard similarity of shingle sets, in (0, 1]
  int num_perm = 128;       // MinHash signature length, in [16, 1024]
  int shingle_words = 3;    // k of the word k-shingles, in [1, 16]
  bool near = true;         // false: exact duplicates only
  uint64_t seed = 0x68746c70;  // permutation seed (fixed default: repeatable groups)
  // A band bucket holding more than this many texts is linked as a chain (each text verified
  // against the next) instead of all pairs, bounding the work for large near-duplicate clusters.
  size_t max_bucket_pairs = 64;
  // Texts with this many tokens are also compared by word edit distance (see above); 0 = off.
  int edit_min_words = 8;
  int edit_max_words = 40;
};

enum class DuplicateKind { kExact, kNear };
const char* DuplicateKindName(DuplicateKind k);  // "exact" | "near"

struct DuplicateMember {
  size_t index = 0;          // position in Add() order
  DuplicateKind kind = DuplicateKind::kNear;  // kExact: another member has the same normal form
  double similarity = 0.0;   // 1.0 for kExact; else the best verified similarity to another
                             // member (shingle Jaccard, or word edit similarity for short texts)
  size_t exact_of = 0;       // smallest index with the same normal form (== index if unique)
};

struct DuplicateGroup {
  size_t representative = 0;             // smallest index in the group (first seen)
  std::vector<DuplicateMember> members;  // size >= 2, sorted by index, includes the representative
};

// LSH banding chosen for a threshold: bands*rows <= num_perm such that a pair exactly at the
// threshold becomes a candidate with probability >= 0.99 (more similar pairs: higher), with the
// least false-positive area below the threshold — false positives only cost a verification.
struct LshParams { int bands = 0; int rows = 0; };
LshParams ChooseLshParams(double threshold, int num_perm);

class DuplicateFinder {
 public:
  // Errors: InvalidArgument when an option is out of range.
  static Result<std::unique_ptr<DuplicateFinder>> Create(const DuplicateOptions& options);
  ~DuplicateFinder();
  DuplicateFinder(const DuplicateFinder&) = delete;
  DuplicateFinder& operator=(const DuplicateFinder&) = delete;

  // Adds the next text (index = number of earlier Add calls). Any bytes are accepted: invalid
  // UTF-8 is replaced, empty text is an exact duplicate of other empty texts only.
  void Add(std::string_view text);
  size_t size() const;

  // Groups of two or more, ordered by representative. May be called more than once.
  std::vector<DuplicateGroup> Groups() const;

  const LshParams& lsh() const;

 private:
  struct Impl;
  explicit DuplicateFinder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Convenience: groups for a whole vector of texts.
Result<std::vector<DuplicateGroup>> FindDuplicates(const std::vector<std::string>& texts,
                                                   const DuplicateOptions& options = {});

}  // namespace hitloop::autolabel

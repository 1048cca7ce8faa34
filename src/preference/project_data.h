#pragma once
// A preference project's items and people's answers, read from the store for the reward model,
// aggregation and simulation. Reads only; thread-compatible (one Store per thread).
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "preference/answer.h"
#include "preference/item.h"
#include "schema/types.h"
#include "store/store.h"

namespace hitloop::preference {

struct ProjectComparison {
  size_t item = 0;        // index into ProjectPreferences::items
  std::string annotator;
  Judgement judgement;    // the requested criterion's
  std::vector<int> shown; // display order, when recorded
};

struct ProjectPreferences {
  std::vector<int64_t> item_ids;
  std::vector<std::string> external_ids;
  std::vector<PreferenceItem> items;
  std::vector<char> gold;                      // per item: a gold question (known answer)
  // people's answers (human and audit), arrival order, without those an amendment replaced
  std::vector<ProjectComparison> comparisons;
  int64_t without_criterion = 0;               // answers that do not judge the requested criterion
};

// People's current answers among `all` (arrival order kept): human and audit answers, without
// those an amendment replaced — of one person's answers to one item in one role (kind) through the
// server, only the newest counts. Imported answers (kind "import" or "answer") are all kept: a file
// may hold one person's two answers. The rule of io/exporter.h's ForEachExportItem.
std::vector<Annotation> CurrentAnswers(std::vector<Annotation> all);

// `criterion` "" = the overall judgement, or the answer's first judgement when it has no overall
// one. FailedPrecondition when the project is not a preference project; InvalidArgument for a
// criterion the project does not have; Corruption when a stored item or answer does not decode.
Result<ProjectPreferences> LoadProjectPreferences(Store& store, const Project& project,
                                                  const std::string& criterion = "");

}  // namespace hitloop::preference

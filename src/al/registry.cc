// The only list of strategies. Adding one = one file + one line here + one test file.
#include "al/registry.h"

#include "al/strategies.h"

namespace hitloop::al {
namespace {

struct Entry {
  const char* name;
  std::unique_ptr<Strategy> (*create)();
};

const Entry kStrategies[] = {
    {"random", NewRandomStrategy},
    {"least-confidence", NewLeastConfidenceStrategy},
    {"margin", NewMarginStrategy},
    {"entropy", NewEntropyStrategy},
    {"qbc-vote", NewQbcVoteEntropyStrategy},
    {"qbc-kl", NewQbcKlStrategy},
    {"density-weighted", NewDensityWeightedStrategy},
    {"kcenter", NewKCenterStrategy},
    {"cluster-margin", NewClusterMarginStrategy},
};

}  // namespace

std::vector<std::string> StrategyNames() {
  std::vector<std::string> names;
  for (const auto& e : kStrategies) names.emplace_back(e.name);
  return names;
}

Result<std::unique_ptr<Strategy>> CreateStrategy(std::string_view name) {
  for (const auto& e : kStrategies) {
    if (name == e.name) return e.create();
  }
  std::string known;
  for (const auto& e : kStrategies) known += std::string(known.empty() ? "" : ", ") + e.name;
  return NotFound("unknown strategy '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace hitloop::al

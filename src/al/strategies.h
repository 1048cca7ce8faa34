#pragma once
// Constructors of the built-in strategies, one per file; only al/registry.cc should call these
// (everyone else goes through CreateStrategy).
#include <memory>

#include "al/strategy.h"

namespace hitloop::al {

std::unique_ptr<Strategy> NewRandomStrategy();
std::unique_ptr<Strategy> NewLeastConfidenceStrategy();
std::unique_ptr<Strategy> NewMarginStrategy();
std::unique_ptr<Strategy> NewEntropyStrategy();
std::unique_ptr<Strategy> NewQbcVoteEntropyStrategy();
std::unique_ptr<Strategy> NewQbcKlStrategy();
std::unique_ptr<Strategy> NewDensityWeightedStrategy();
std::unique_ptr<Strategy> NewKCenterStrategy();
std::unique_ptr<Strategy> NewClusterMarginStrategy();

}  // namespace hitloop::al

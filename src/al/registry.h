#pragma once
// The one list of query strategies (al/registry.cc): random, least-confidence, margin, entropy,
// qbc-vote, qbc-kl, density-weighted, kcenter, cluster-margin. Thread-safe.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "al/strategy.h"

namespace hitloop::al {

// NotFound for an unknown name (the message lists the known ones).
Result<std::unique_ptr<Strategy>> CreateStrategy(std::string_view name);
std::vector<std::string> StrategyNames();
// The strategy `hitloop simulate al` and the live loop use when none is named; chosen by the
// measurements in bench/RESULTS.md (see docs/ACTIVE_LEARNING.md).
inline constexpr std::string_view kDefaultStrategy = "margin";

}  // namespace hitloop::al

#pragma once
// Internals shared by bradley_terry.cc and plackett_luce.cc (not a public interface).
#include <functional>
#include <vector>

#include "core/status.h"
#include "preference/bradley_terry.h"

namespace hitloop::preference::internal {

// True when every item can reach every other along "beat" edges (Hunter 2004, Assumption 1:
// the MLE exists). beats[i] lists the items i beat at least once (ties count both ways).
bool StronglyConnected(const std::vector<std::vector<int>>& beats);

// The MM loop both models share. `wins[i]` is i's pick count; `denominator(p, &d)` fills
// d[i] = sum over i's comparisons of weight / (sum of abilities in the choice set).
// Handles the prior, centring and convergence; fills everything but std_error.
Abilities RunMm(const std::vector<double>& wins,
                const std::function<void(const std::vector<double>&, std::vector<double>*)>& denominator,
                const FitOptions& options);

}  // namespace hitloop::preference::internal

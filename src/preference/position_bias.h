#pragma once
// Position bias of people's comparisons: how often the response shown on the left wins a pairwise
// comparison, with a 95% interval. 0.5 inside the interval = no measurable bias. Only answers
// that carry their display order ("shown:BA", preference/answer.h) count; imported TRL/HH pairs
// carry none. Thread-safety: a pure function.
#include <cstdint>

#include "core/status.h"
#include "preference/project_data.h"
#include "quality/annotator_accuracy.h"

namespace hitloop::preference {

struct PositionBias {
  int64_t decided = 0;        // two-response comparisons with a recorded order and a winner
  int64_t left_wins = 0;      // of those, won by the response shown first (left)
  double p_left = 0.0;        // left_wins / decided (0 when none)
  quality::Interval interval; // Wilson interval at `confidence` ([0, 1] when none decided)
  int64_t ties = 0;           // with a recorded order, not counted in `decided`
  int64_t both_bad = 0;
  int64_t order_unknown = 0;  // answers without a recorded display order (e.g. imported)
  int64_t not_pairwise = 0;   // answers to items with more than two responses
};

// Errors: InvalidArgument when confidence is outside (0, 1).
Result<PositionBias> MeasurePositionBias(const ProjectPreferences& data, double confidence = 0.95);

}  // namespace hitloop::preference

#include "preference/position_bias.h"

namespace hitloop::preference {

Result<PositionBias> MeasurePositionBias(const ProjectPreferences& data, double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0))
    return InvalidArgument("position bias: confidence must be in (0, 1)");
  PositionBias b;
  for (const ProjectComparison& c : data.comparisons) {
    if (data.items[c.item].responses.size() != 2) {
      ++b.not_pairwise;
      continue;
    }
    if (c.shown.size() != 2) {
      ++b.order_unknown;
      continue;
    }
    const Judgement& j = c.judgement;
    if (j.both_bad) {
      ++b.both_bad;
      continue;
    }
    if (j.IsTie() || j.order.empty() || j.order[0].size() != 1) {
      ++b.ties;
      continue;
    }
    ++b.decided;
    b.left_wins += j.order[0][0] == c.shown[0];
  }
  if (b.decided > 0) {
    b.p_left = static_cast<double>(b.left_wins) / static_cast<double>(b.decided);
    ASSIGN_OR_RETURN(b.interval, quality::BinomialInterval(b.left_wins, b.decided, confidence));
  }
  return b;
}

}  // namespace hitloop::preference

#include "al/strategy.h"

namespace hitloop::al {

Status ValidateContext(const ScoringContext& ctx, const Requirements& req) {
  if (ctx.num_classes < 1) return InvalidArgument("strategy: num_classes must be >= 1");
  const size_t cells = ctx.num_candidates * static_cast<size_t>(ctx.num_classes);
  if (ctx.probs.size() != cells) {
    return InvalidArgument("strategy: probs has " + std::to_string(ctx.probs.size()) +
                           " values, expected " + std::to_string(cells));
  }
  if (req.committee) {
    if (ctx.committee == nullptr || ctx.committee->size() < 2) {
      return InvalidArgument("strategy: needs a committee of at least 2 members");
    }
    for (const auto& m : *ctx.committee) {
      if (m.size() != cells) return InvalidArgument("strategy: committee member has wrong size");
    }
  }
  if (req.embedding) {
    if (ctx.embedding == nullptr ||
        static_cast<size_t>(ctx.embedding->rows()) != ctx.num_candidates) {
      return InvalidArgument("strategy: needs one embedding row per candidate");
    }
    if (ctx.labeled_embedding != nullptr && ctx.labeled_embedding->rows() > 0 &&
        ctx.labeled_embedding->cols() != ctx.embedding->cols()) {
      return InvalidArgument("strategy: labelled embedding width differs");
    }
  }
  return Status::Ok();
}

}  // namespace hitloop::al

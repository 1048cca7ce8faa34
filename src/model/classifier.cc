#include "model/classifier.h"

namespace hitloop::model {

Status ValidateTrainingInput(std::span<const Example> examples, std::span<const int> labels,
                             int num_classes) {
  if (examples.empty()) return InvalidArgument("train: no examples");
  if (examples.size() != labels.size()) {
    return InvalidArgument("train: " + std::to_string(examples.size()) + " examples but " +
                           std::to_string(labels.size()) + " labels");
  }
  if (num_classes < 1) return InvalidArgument("train: num_classes must be >= 1");
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= num_classes) {
      return InvalidArgument("train: label " + std::to_string(labels[i]) + " of example " +
                             std::to_string(i) + " outside [0, " + std::to_string(num_classes) +
                             ")");
    }
  }
  return Status::Ok();
}

}  // namespace hitloop::model

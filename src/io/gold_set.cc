#include "io/gold_set.h"

#include "io/record.h"

namespace hitloop::io {

Status ReadGoldSet(const std::string& path, size_t cap, const std::string& who, GoldSet* out) {
  return ReadJsonlFile(path, RecordLimits(), [&](int64_t, Record& r) -> Status {
    if (cap && out->texts.size() >= cap) return Status::Ok();
    if (r.labels.size() != 1) {
      return InvalidArgument("label: " + who + " needs exactly one gold label per record");
    }
    out->texts.push_back(std::move(r.text));
    out->vectors.push_back(std::move(r.vector));
    out->labels.push_back(std::move(r.labels[0]));
    out->meta.push_back(std::move(r.meta_json));
    return Status::Ok();
  });
}

Status ReadMultiLabelGoldSet(const std::string& path, size_t cap, const std::string& who,
                             MultiLabelGoldSet* out) {
  return ReadJsonlFile(path, RecordLimits(), [&](int64_t, Record& r) -> Status {
    if (cap && out->texts.size() >= cap) return Status::Ok();
    if (r.labels.empty()) return InvalidArgument("label: " + who + " needs gold labels per record");
    out->texts.push_back(std::move(r.text));
    out->vectors.push_back(std::move(r.vector));
    out->label_sets.push_back(std::move(r.labels));
    out->meta.push_back(std::move(r.meta_json));
    return Status::Ok();
  });
}

}  // namespace hitloop::io

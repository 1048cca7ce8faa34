#include "store/store.h"

namespace hitloop {

Status Store::InTransaction(const std::function<Status()>& fn) {
  RETURN_IF_ERROR(Begin());
  Status st;
  try {
    st = fn();
  } catch (...) {
    // A throw must not leave the connection inside a transaction (in the server that would hold
    // the write lock for good): undo, then let the exception go on.
    (void)Rollback();
    throw;
  }
  if (!st.ok()) {
    (void)Rollback();
    return st;
  }
  return Commit();
}

Status Store::PutPredictions(std::span<const Prediction> ps) {
  for (const Prediction& p : ps) RETURN_IF_ERROR(PutPrediction(p));
  return Status::Ok();
}

Status Store::InReadSnapshot(const std::function<Status()>& fn) {
  RETURN_IF_ERROR(BeginRead());
  Status st = fn();
  Status end = EndRead();
  return st.ok() ? end : st;
}

Result<std::vector<PutItemOutcome>> Store::PutItems(std::span<const Item> items,
                                                   const std::string& import_tag) {
  std::vector<PutItemOutcome> out(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    Result<PutItemResult> r = PutItem(items[i], import_tag, &out[i].id);
    if (r.ok()) {
      out[i].result = *r;
    } else if (r.status().code() == StatusCode::kInvalidArgument) {
      out[i].status = r.status();
    } else {
      return r.status();
    }
  }
  return out;
}

}  // namespace hitloop

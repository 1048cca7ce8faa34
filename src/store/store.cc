#include "store/store.h"

namespace hitloop {

Status Store::InTransaction(const std::function<Status()>& fn) {
  RETURN_IF_ERROR(Begin());
  Status st = fn();
  if (!st.ok()) {
    (void)Rollback();
    return st;
  }
  return Commit();
}

Status Store::InReadSnapshot(const std::function<Status()>& fn) {
  RETURN_IF_ERROR(BeginRead());
  Status st = fn();
  Status end = EndRead();
  return st.ok() ? end : st;
}

}  // namespace hitloop

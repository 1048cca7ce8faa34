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

}  // namespace hitloop

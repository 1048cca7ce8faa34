#include "cli/command.h"

#include <cstdio>

namespace hitloop::cli {

int Fail(const Status& st) {
  std::fprintf(stderr, "error: %s\n", st.message().c_str());
  return st.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace hitloop::cli

#include "cli/command.h"

#include <cstdio>

namespace hitloop::cli {

std::span<const Registrar> Commands() {
  static constexpr Registrar kCommands[] = {
      RegisterProject, RegisterImport,   RegisterExport, RegisterStatus, RegisterCycle,
      RegisterReport,  RegisterSimulate, RegisterDetect, RegisterServe,  RegisterUser,
      RegisterQuality, RegisterReward, RegisterItem,   RegisterDb,     RegisterModel,
      RegisterReview,  RegisterLog,
  };
  return kCommands;
}

int Fail(const Status& st) {
  std::fprintf(stderr, "error: %s\n", st.message().c_str());
  return st.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace hitloop::cli

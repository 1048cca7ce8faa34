#include "store/open.h"

namespace hitloop {

bool IsPostgresLocation(std::string_view location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, OpenMode mode) {
  if (IsPostgresLocation(location)) return OpenPostgresStore(location, mode);
  return OpenSqliteStore(location, mode);
}

#ifndef HITLOOP_HAVE_POSTGRES
bool PostgresSupported() { return false; }

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string&, OpenMode) {
  return FailedPrecondition(
      "this hitloop was built without PostgreSQL support (install libpq-dev and rebuild with "
      "-DHITLOOP_POSTGRES=ON)");
}
#endif

}  // namespace hitloop

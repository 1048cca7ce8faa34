#include "store/scope_version.h"

#ifdef HITLOOP_HAVE_POSTGRES
#include "store/postgres/pg_store.h"
#endif

namespace hitloop {

Result<std::optional<int64_t>> ReadScopeVersion(Store& store) {
#ifdef HITLOOP_HAVE_POSTGRES
  if (auto* pg = dynamic_cast<pg::PgStore*>(&store)) {
    pg::PgRows rows;
    RETURN_IF_ERROR(pg->Query("SELECT v FROM scope_version WHERE id=1", pg::PgParams(), &rows,
                              "read the scope version"));
    if (rows.rows() != 1) return Internal(pg->where() + ": scope_version: no row");
    return std::optional<int64_t>(rows.Int(0, 0));
  }
#endif
  return std::optional<int64_t>();
}

}  // namespace hitloop

#include "store/operations.h"

#ifdef HITLOOP_HAVE_POSTGRES
#include "store/postgres/pg_store.h"
#endif

namespace hitloop {
namespace {
class NoCycleLock final : public CycleLock {};

#ifdef HITLOOP_HAVE_POSTGRES
pg::PgStore* AsPostgres(Store& store) { return dynamic_cast<pg::PgStore*>(&store); }
#endif
}  // namespace

Result<std::unique_ptr<CycleLock>> LockCycle(Store& store, int64_t project_id,
                                             const std::string& project_name, bool wait) {
#ifdef HITLOOP_HAVE_POSTGRES
  if (pg::PgStore* pg = AsPostgres(store)) return pg->LockCycle(project_id, project_name, wait);
#endif
  return std::unique_ptr<CycleLock>(new NoCycleLock());
}

Status PingStore(Store& store, int64_t timeout_ms) {
#ifdef HITLOOP_HAVE_POSTGRES
  if (pg::PgStore* pg = AsPostgres(store)) return pg->Ping(timeout_ms);
#endif
  return store.ListProjects().status();
}

Status SetStatementTimeout(Store& store, int64_t ms) {
  if (ms < 0)
    return InvalidArgument("statement timeout: " + std::to_string(ms) + " ms is negative");
#ifdef HITLOOP_HAVE_POSTGRES
  if (pg::PgStore* pg = AsPostgres(store)) return pg->SetStatementTimeout(ms);
#endif
  return FailedPrecondition("statement timeouts are for PostgreSQL databases (this is SQLite)");
}

}  // namespace hitloop

#pragma once
// For store/postgres/ only: the PostgreSQL schema, one SQL script per version. Version N is
// Migrations()[N-1]; the applied version is the one row of hitloop_schema. PostgreSQL's schema
// starts at the SQLite schema's version 9 (same tables, columns and meaning), so its numbering
// is its own.
#include <vector>

namespace hitloop::pg {

const std::vector<const char*>& Migrations();

}  // namespace hitloop::pg

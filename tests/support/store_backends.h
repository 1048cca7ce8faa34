#pragma once
// The Store backends the backend-parameterised tests run against (TEST_P suites instantiated
// with ::testing::ValuesIn(kStoreBackends)):
//   sqlite:   a file in the test's temporary folder;
//   postgres: a fresh database per test on the cluster named by HITLOOP_TEST_PG (a libpq
//             conninfo with rights to CREATE DATABASE; scripts/pg-test-cluster.sh starts one and
//             scripts/test.sh sets it). Without HITLOOP_TEST_PG, or in a build without
//             PostgreSQL, its tests are skipped (GTEST_SKIP) with the reason.
// A test opens its backend with Open(dir) (again with the same dir to reopen the same database)
// and calls Cleanup(dir) when done (drops the PostgreSQL database).
#include <cctype>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <string>

#include "store/open.h"
#include "store/store.h"

#ifdef HITLOOP_HAVE_POSTGRES
#include <libpq-fe.h>
#include <unistd.h>
#endif

namespace hitloop::testing {

struct StoreBackend {
  const char* name;
  std::function<Result<std::unique_ptr<Store>>(const std::string& dir)> open;
  // "" when the backend can run here; otherwise why its tests are skipped.
  std::function<std::string()> unavailable;
  std::function<void(const std::string& dir)> cleanup;
};

inline void PrintTo(const StoreBackend& b, std::ostream* os) { *os << b.name; }

inline std::string PgTestUnavailable() {
#ifndef HITLOOP_HAVE_POSTGRES
  return "built without PostgreSQL (HITLOOP_POSTGRES=OFF)";
#else
  const char* c = std::getenv("HITLOOP_TEST_PG");
  if (c == nullptr || *c == '\0') {
    return "HITLOOP_TEST_PG is not set (a conninfo of a PostgreSQL cluster the tests may create "
           "databases on; scripts/pg-test-cluster.sh start prints one)";
  }
  return "";
#endif
}

#ifdef HITLOOP_HAVE_POSTGRES
// HITLOOP_TEST_PG's conninfo with its dbname replaced by `dbname`, as key='value' pairs.
inline std::string PgConninfoFor(const std::string& dbname) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(std::getenv("HITLOOP_TEST_PG"), &err);
  if (opts == nullptr) {
    if (err) PQfreemem(err);
    return "";
  }
  std::string out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    std::string key = o->keyword;
    std::string val = key == "dbname" ? dbname : (o->val ? o->val : "");
    if (val.empty()) continue;
    std::string quoted;
    for (char ch : val) {
      if (ch == '\'' || ch == '\\') quoted += '\\';
      quoted += ch;
    }
    out += key + "='" + quoted + "' ";
  }
  PQconninfoFree(opts);
  return out;
}

// The same as a postgresql:// URI (what --db and ServerOptions::db_path take).
inline std::string PgUriFor(const std::string& dbname) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(std::getenv("HITLOOP_TEST_PG"), &err);
  if (opts == nullptr) {
    if (err) PQfreemem(err);
    return "";
  }
  auto encode = [](const std::string& v) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char ch : v) {
      if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
        out += static_cast<char>(ch);
      } else {
        out += '%';
        out += kHex[ch >> 4];
        out += kHex[ch & 15];
      }
    }
    return out;
  };
  std::string query;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    std::string key = o->keyword;
    if (key == "dbname" || o->val == nullptr || *o->val == '\0') continue;
    query += (query.empty() ? "?" : "&") + key + "=" + encode(o->val);
  }
  PQconninfoFree(opts);
  return "postgresql:///" + dbname + query;
}

// Runs one administrative statement (CREATE/DROP DATABASE) on the cluster's own database.
inline std::string PgAdmin(const std::string& sql) {
  PGconn* c = PQconnectdb(std::getenv("HITLOOP_TEST_PG"));
  std::string err;
  if (PQstatus(c) != CONNECTION_OK) {
    err = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) err = PQerrorMessage(c);
    PQclear(r);
  }
  PQfinish(c);
  return err;
}

// A database name of our own making per test folder (never user text).
inline std::string PgTestDbName(const std::string& dir) {
  return "hlt_" + std::to_string(::getpid()) + "_" + std::to_string(std::hash<std::string>{}(dir) % 1000000007);
}

inline std::mutex& PgCreatedMu() {
  static std::mutex mu;
  return mu;
}
inline std::set<std::string>& PgCreated() {
  static std::set<std::string> created;
  return created;
}

inline Result<std::unique_ptr<Store>> OpenPgTestStore(const std::string& dir) {
  const std::string db = PgTestDbName(dir);
  {
    std::lock_guard<std::mutex> lock(PgCreatedMu());
    if (PgCreated().insert(db).second) {
      const std::string err = PgAdmin("CREATE DATABASE " + db);
      if (!err.empty()) return IoError("create test database " + db + ": " + err);
    }
  }
  return OpenPostgresStore(PgConninfoFor(db), OpenMode::kCreateIfMissing);
}
#endif

inline const StoreBackend kStoreBackends[] = {
    {"sqlite", [](const std::string& dir) { return OpenSqliteStore(dir + "/hitloop.db"); },
     [] { return std::string(); }, [](const std::string&) {}},
#ifdef HITLOOP_HAVE_POSTGRES
    {"postgres", [](const std::string& dir) { return OpenPgTestStore(dir); }, PgTestUnavailable,
     [](const std::string& dir) {
       if (!PgTestUnavailable().empty()) return;
       std::lock_guard<std::mutex> lock(PgCreatedMu());
       if (PgCreated().erase(PgTestDbName(dir)) == 0) return;
       (void)PgAdmin("DROP DATABASE IF EXISTS " + PgTestDbName(dir) + " WITH (FORCE)");
     }},
#else
    {"postgres", [](const std::string&) -> Result<std::unique_ptr<Store>> {
       return FailedPrecondition("built without PostgreSQL");
     }, PgTestUnavailable, [](const std::string&) {}},
#endif
};

}  // namespace hitloop::testing

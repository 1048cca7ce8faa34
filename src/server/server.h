#pragma once
// hitloop serve: the HTTP JSON API (/api/v1) and the embedded web UI, on cpp-httplib.
//
// Every request goes through one dispatcher (server.cc) that matches the route table
// (routes.h), authenticates (bearer token or session cookie), and applies the route's access
// rule before the handler runs: the one authorisation choke point. A resource the caller may not
// see answers 404 exactly like a missing one.
//
// Threading: httplib runs handlers on a fixed pool of `threads` workers; each handler borrows
// its own Store connection from a pool for reads (WAL: readers never wait for the writer).
// Writes that hand out or finish work (claim, submit, skip, release, amend, enqueue) run as jobs
// on one writer thread that owns the write connection and commits many requests' jobs in one
// transaction, each job in its own savepoint (group commit, store/group_commit.h); so SQLite
// never busy-waits between this server's own threads, and other processes sharing the database
// are still safe through SQLite's locking. No claim or submit answers 200 before the transaction
// holding its writes has committed (WAL + synchronous=FULL).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/status.h"

namespace hitloop::server {

struct ServerOptions {
  std::string db_path = "hitloop.db";
  std::string host = "127.0.0.1";
  int port = 8080;                     // 0 = any free port (tests)
  const Clock* clock = nullptr;        // not owned; nullptr = SystemClock
  int64_t lease_ttl_ms = 10 * 60 * 1000;
  int64_t session_ttl_ms = 12 * 60 * 60 * 1000;
  int threads = 96;                    // worker threads (requests being served at once)
  size_t max_json_body = 1 << 20;      // bytes; larger JSON bodies get 413
  size_t max_upload = size_t{1} << 30; // bytes for the import upload
  int read_timeout_s = 15;
  int write_timeout_s = 30;
  int keep_alive_timeout_s = 5;
  // A request's header and body must arrive within this many seconds of its first byte (of the
  // accept, for a new connection), else 408 and close; streaming uploads are exempt once their
  // admin is authenticated (they keep the per-read timeout). Connections waiting for a request
  // hold no worker thread (server/conn_poller.h).
  int request_timeout_s = 20;
  int max_header_count = 100;          // header lines per request; more: 431
  size_t max_header_bytes = 32 * 1024; // header bytes per request; more: 431
  // Open connections from one peer address; more are answered 503 at once. 0 = no limit (set
  // that behind a reverse proxy, where every connection comes from the proxy's address).
  int max_connections_per_address = 256;
  // Failed sign-ins / bad bearer tokens per client address per minute; past it: 429 for every
  // token or sign-in attempt from that address until the minute ends. 0 = no limit.
  int auth_failures_per_minute = 30;
  bool access_log = true;              // one JSON line per request on stderr
  // How long users, projects and memberships read for authentication stay in memory
  // (server/scope_cache.h; 0 = read them on every request).
  int64_t scope_cache_ms = 1000;
  // PostgreSQL only (Start() refuses them, InvalidArgument, with a SQLite db_path):
  // db_pool_size: the most connections request handlers hold at once (0 = one per running
  // request, up to `threads`); a request waits for a free one. The writers have one more each,
  // so a server opens at most db_pool_size + db_writers connections.
  // statement_timeout_ms: PostgreSQL's statement_timeout on every connection of this server
  // (0 = none): a statement running longer is cancelled (the request fails, 409/503), the
  // cycle route's included.
  int db_pool_size = 0;
  int64_t statement_timeout_ms = 0;
  // db_writers: write transactions this server runs at once (store/group_commit.h: K writers,
  // each with its own connection, as K servers would). 0 = the default: 1 on SQLite (its one
  // write lock), kDefaultPgWriters on PostgreSQL. More than 1 on SQLite is refused.
  int db_writers = 0;
};
inline constexpr int kDefaultPgWriters = 4;

class ServerImpl;

// Owns the listening socket and the worker threads. Not copyable.
class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the database (migrating it), binds host:port and starts serving on a background
  // thread. Returns the error if the database cannot be opened or the port cannot be bound.
  Status Start();
  // The bound port (useful with port 0). Valid after Start().
  int port() const;
  // Stops accepting connections, lets in-flight requests finish, joins the threads. Idempotent.
  void Stop();
  // Blocks until the server stops (after Stop() from another thread or a listen failure).
  void Wait();

 private:
  std::unique_ptr<ServerImpl> impl_;
};

// Token hashing shared by the server and `hitloop user add`: 32-byte BLAKE2b of the token
// (tokens are 256-bit random, so an unkeyed hash is enough and no server secret is needed).
std::string HashSecret(const std::string& secret);

}  // namespace hitloop::server

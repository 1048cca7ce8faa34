#pragma once
// Internals of server::Server, shared by server.cc and the route handlers. Not a public API.
#include <httplib.h>

#include <atomic>
#include <map>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server/conn_poller.h"
#include "server/routes.h"
#include "server/scope_cache.h"
#include "server/throttle.h"
#include "server/server.h"
#include "server/task_mix.h"
#include "store/group_commit.h"
#include "store/store.h"

namespace hitloop::server {

inline constexpr const char* kSessionCookie = "hitloop_session";

// The value of cookie `name` in the request ("" when absent).
std::string CookieValue(const httplib::Request& req, const std::string& name);
// Anything but GET and HEAD.
bool IsUnsafeMethod(const std::string& m);

// Store connections for the worker threads (a Store is one connection and not thread-safe).
// Connections are opened on demand and reused; at most one per concurrently running request,
// and at most `max_open` in all when it is > 0 (Acquire then waits for one to be returned).
// Each new connection gets `statement_timeout_ms` (> 0; PostgreSQL only, store/operations.h).
class StorePool {
 public:
  explicit StorePool(std::string path, int max_open = 0, int64_t statement_timeout_ms = 0)
      : path_(std::move(path)), max_open_(max_open), statement_timeout_ms_(statement_timeout_ms) {}
  class Handle {
   public:
    Handle(StorePool* pool, std::unique_ptr<Store> s) : pool_(pool), store_(std::move(s)) {}
    Handle(Handle&& o) noexcept : pool_(o.pool_), store_(std::move(o.store_)) {}
    Handle& operator=(Handle&&) = delete;
    ~Handle();
    Store& store() { return *store_; }

   private:
    StorePool* pool_;
    std::unique_ptr<Store> store_;
  };
  Result<Handle> Acquire();  // thread-safe

 private:
  void Return(std::unique_ptr<Store> s);
  std::string path_;
  const int max_open_;
  const int64_t statement_timeout_ms_;
  std::mutex mu_;
  std::condition_variable returned_;
  int open_ = 0;  // connections made and not closed (free or lent out)
  std::vector<std::unique_ptr<Store>> free_;
};

struct RouteMetrics {
  int64_t requests = 0;
  int64_t total_us = 0;
  int64_t max_us = 0;
  int64_t errors_5xx = 0;
};

class ServerImpl {
 public:
  explicit ServerImpl(ServerOptions options);
  ~ServerImpl();
  Status Start();
  void Stop();
  void Wait();
  int port() const { return port_; }
  const ServerOptions& options() const { return options_; }
  nlohmann::json MetricsJson();
  TaskMix& task_mix() { return task_mix_; }  // audits interleaved with reviews (task_mix.h)
  // The connections waiting for a request (server.cc's httplib::Server subclass hands them over).
  ConnPoller* poller() { return poller_.get(); }
  // Failed sign-ins and bad tokens per client address (server/throttle.h).
  AuthThrottle& auth_throttle() { return auth_throttle_; }
  // Runs `fn` on a worker thread (httplib's pool); false when there is no pool (stopping).
  bool RunOnWorker(std::function<void()> fn);

 private:
  // Start's steps (server.cc).
  Result<int> CheckOptions() const;
  Status OpenStores(int writers);
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res);
  Status Listen();
  const Route* FindRoute(const httplib::Request& req, std::map<std::string, std::string>* params,
                         bool* path_known) const;
  void Dispatch(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader);
  // The request pipeline (pipeline.cc). A step that stops the request sends its error response
  // and returns false. Authenticate sets c.user (unset: anonymous); ResolveScope sets c.project
  // and c.lease from the route's parameters; ReadBody fills c.body (not for streaming routes).
  bool Authenticate(Ctx& c, const Route& route, ReadSnapshot& snapshot, uint64_t generation, bool* via_cookie);
  bool AuthorizeRole(Ctx& c, const Route& route, bool via_cookie);
  bool ResolveScope(Ctx& c, ReadSnapshot& snapshot, uint64_t generation);
  bool ReadBody(Ctx& c, const Route& route, const httplib::ContentReader* reader);

  ServerOptions options_;
  StorePool pool_;
  ScopeCache scope_;
  AuthThrottle auth_throttle_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = -1;
  static constexpr int kListenBacklog = 1024;  // capped by net.core.somaxconn
  static constexpr int64_t kWriterLockWaitMs = 120'000;  // the writer's wait for another writer
  int listen_fd_ = -1;  // httplib's listening socket (owned by httplib)
  std::unique_ptr<ConnPoller> poller_;
  std::mutex queue_mu_;
  httplib::TaskQueue* task_queue_ = nullptr;  // httplib's worker pool (owned by httplib)
  std::mutex stop_mu_;
  std::atomic<bool> stopping_{false};
  // The one write connection: claim/submit/skip/release/amend/enqueue run on it as jobs,
  // group-committed (store/group_commit.h). Created by Start(), destroyed by Stop() after the
  // worker threads have finished.
  std::unique_ptr<GroupCommitter> writer_;
  std::mutex cycle_mu_;
  std::mutex log_mu_;
  std::mutex metrics_mu_;
  std::map<std::string, RouteMetrics> metrics_;
  TaskMix task_mix_;
};

}  // namespace hitloop::server

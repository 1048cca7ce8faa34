// The HTTP front: httplib setup, security headers, size limits, the access log, and the one
// dispatcher that authenticates and authorises every request against the route table.
#include "server/server.h"
#include "store/open.h"
#include "store/operations.h"
#include "store/scope_version.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/log.h"
#include "server/routes.h"
#include "server/server_impl.h"

namespace hitloop::server {

std::string HashSecret(const std::string& secret) {
  static const bool ready = [] { return sodium_init() >= 0; }();
  (void)ready;
  unsigned char out[32];
  crypto_generichash(out, sizeof(out), reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(out), sizeof(out));
}

// ---------------------------------------------------------------- store pool

StorePool::Handle::~Handle() {
  if (store_ != nullptr) pool_->Return(std::move(store_));
}

Result<StorePool::Handle> StorePool::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    returned_.wait(lock, [&] { return !free_.empty() || max_open_ <= 0 || open_ < max_open_; });
    if (!free_.empty()) {
      auto s = std::move(free_.back());
      free_.pop_back();
      return Handle(this, std::move(s));
    }
    ++open_;  // a place for the connection opened below
  }
  auto opened = [&]() -> Result<std::unique_ptr<Store>> {
    ASSIGN_OR_RETURN(std::unique_ptr<Store> s, OpenStore(path_, OpenMode::kMustExist));
    if (statement_timeout_ms_ > 0) RETURN_IF_ERROR(SetStatementTimeout(*s, statement_timeout_ms_));
    return s;
  }();
  if (!opened.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    returned_.notify_one();
    return opened.status();
  }
  return Handle(this, std::move(opened).value());
}

void StorePool::Return(std::unique_ptr<Store> s) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(std::move(s));
  returned_.notify_one();
}

// ---------------------------------------------------------------- impl

namespace {

// Per-request facts for the access log, set on the worker thread that runs the request.
thread_local std::chrono::steady_clock::time_point t_start;
thread_local std::string t_user;
thread_local std::string t_route;

const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";


// "gzip, deflate, br;q=1" -> "gzip, deflate".
std::string WithoutBrotli(const std::string& accept) {
  std::string out;
  size_t pos = 0;
  while (pos <= accept.size()) {
    size_t end = accept.find(',', pos);
    if (end == std::string::npos) end = accept.size();
    std::string part = accept.substr(pos, end - pos);
    const size_t b = part.find_first_not_of(' ');
    part = b == std::string::npos ? "" : part.substr(b);
    const size_t e = part.find_last_not_of(' ');
    part = e == std::string::npos ? "" : part.substr(0, e + 1);
    std::string token = part.substr(0, part.find(';'));
    while (!token.empty() && token.back() == ' ') token.pop_back();
    if (!part.empty() && token != "br") out += (out.empty() ? "" : ", ") + part;
    pos = end + 1;
  }
  return out;
}

// One request's connection, for httplib's process_request: the header the poller saw complete
// is read in one recv; every later read and write waits at most the per-read/per-write timeout,
// and reads also stop at the request's deadline (ConnPoller's rule, kept for the body).
class ConnStream final : public httplib::Stream {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  ConnStream(int fd, int read_ms, int write_ms) : fd_(fd), read_ms_(read_ms), write_ms_(write_ms) {}

  bool Prefetch(size_t n) {
    buf_.resize(n);
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::recv(fd_, buf_.data() + got, n - got, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;
      got += static_cast<size_t>(r);
    }
    return true;
  }
  void SetDeadline(TimePoint t) { deadline_ = t; has_deadline_ = true; }
  void ClearDeadline() { has_deadline_ = false; }
  void RequestClose() { close_ = true; }
  // The connection cannot carry another request (a read or write failed or timed out, or the
  // response said Connection: close).
  bool done() const { return broken_ || close_; }

  bool is_readable() const override { return pos_ < buf_.size() || Wait(POLLIN, read_ms_, true); }
  bool is_writable() const override { return Wait(POLLOUT, write_ms_, false); }
  ssize_t read(char* ptr, size_t size) override {
    if (pos_ < buf_.size()) {
      const size_t k = std::min(size, buf_.size() - pos_);
      std::memcpy(ptr, buf_.data() + pos_, k);
      pos_ += k;
      return static_cast<ssize_t>(k);
    }
    if (!Wait(POLLIN, read_ms_, true)) {
      broken_ = true;
      return -1;
    }
    ssize_t r;
    do {
      r = ::recv(fd_, ptr, size, 0);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) broken_ = true;
    return r;
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) {
      broken_ = true;
      return -1;
    }
    ssize_t r;
    do {
      r = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    if (r < 0) broken_ = true;
    return r;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { Address(true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { Address(false, ip, port); }
  socket_t socket() const override { return fd_; }

 private:
  bool Wait(short events, int timeout_ms, bool with_deadline) const {
    for (;;) {
      int t = timeout_ms;
      if (with_deadline && has_deadline_) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline_ - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
          broken_ = true;
          return false;
        }
        t = static_cast<int>(std::min<int64_t>(t, left));
      }
      pollfd p{fd_, events, 0};
      const int r = ::poll(&p, 1, t);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) broken_ = true;
      return r > 0;
    }
  }
  void Address(bool peer, std::string& ip, int& port) const {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    const int rc = peer ? ::getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &len)
                        : ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
    ip.clear();
    port = 0;
    if (rc != 0) return;
    char buf[INET6_ADDRSTRLEN] = {0};
    if (ss.ss_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof(buf));
      port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof(buf));
      port = ntohs(a->sin6_port);
    }
    ip = buf;
  }

  const int fd_;
  const int read_ms_;
  const int write_ms_;
  std::vector<char> buf_;
  size_t pos_ = 0;
  TimePoint deadline_{};
  bool has_deadline_ = false;
  bool close_ = false;
  mutable bool broken_ = false;
};

// The stream of the request this worker thread is serving (null outside one).
thread_local ConnStream* t_stream = nullptr;

}  // namespace

// httplib::Server with its per-connection loop replaced: an accepted socket goes to the
// ConnPoller instead of keeping a worker until it closes; a worker serves exactly one request
// whose header has arrived, then hands the connection back.
class GuardedHttpServer final : public httplib::Server {
 public:
  explicit GuardedHttpServer(ServerImpl* impl) : impl_(impl) {}

  void ServeOne(int fd, size_t header_bytes, ConnPoller::TimePoint first_byte, int served) {
    ConnPoller* poller = impl_->poller();
    const int read_ms = static_cast<int>(read_timeout_sec_ * 1000 + read_timeout_usec_ / 1000);
    const int write_ms = static_cast<int>(write_timeout_sec_ * 1000 + write_timeout_usec_ / 1000);
    ConnStream strm(fd, read_ms, write_ms);
    if (!strm.Prefetch(header_bytes)) {
      poller->Close(fd);
      return;
    }
    strm.SetDeadline(first_byte + std::chrono::seconds(impl_->options().request_timeout_s));
    const bool last = static_cast<size_t>(served) + 1 >= keep_alive_max_count_;
    bool connection_closed = false;
    t_stream = &strm;
    const bool ok = process_request(strm, last, connection_closed, {});
    t_stream = nullptr;
    if (!ok || last || connection_closed || strm.done()) {
      poller->Close(fd);
    } else {
      poller->Return(fd, served + 1);
    }
  }

 private:
  bool process_and_close_socket(socket_t sock) override {
    impl_->poller()->Adopt(sock);
    return true;
  }
  ServerImpl* impl_;
};

bool ServerImpl::RunOnWorker(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(queue_mu_);
  if (task_queue_ == nullptr) return false;
  task_queue_->enqueue(std::move(fn));
  return true;
}

ServerImpl::ServerImpl(ServerOptions options)
    : options_(std::move(options)),
      pool_(options_.db_path, options_.db_pool_size, options_.statement_timeout_ms),
      scope_(options_.scope_cache_ms),
      auth_throttle_(options_.auth_failures_per_minute, 60'000) {
  if (options_.clock == nullptr) options_.clock = SystemClock::Default();
}

ServerImpl::~ServerImpl() { Stop(); }

namespace {

// The first route whose pattern matches `path` and whose method is `method` (HEAD answers as GET);
// `*path_known` says whether any pattern matched (so a wrong method is 405, not 404).
const Route* MatchRoute(const std::string& method, const std::string& path, bool decode,
                        std::map<std::string, std::string>* params, bool* path_known) {
  *path_known = false;
  for (const Route& r : Routes()) {
    params->clear();
    if (!MatchPattern(r.pattern, path, params, decode)) continue;
    *path_known = true;
    if (method == r.method || (method == "HEAD" && std::string(r.method) == "GET")) return &r;
  }
  params->clear();
  return nullptr;
}

}  // namespace

const Route* ServerImpl::FindRoute(const httplib::Request& req,
                                   std::map<std::string, std::string>* params,
                                   bool* path_known) const {
  // The raw target first, its segments decoded after matching (an id with a '/' sent as %2F is
  // one segment); then httplib's decoded path, for a client that encoded a literal part.
  const std::string raw = RawTargetPath(req.target);
  if (raw.empty()) return MatchRoute(req.method, req.path, false, params, path_known);
  const Route* r = MatchRoute(req.method, raw, true, params, path_known);
  if (r == nullptr && !*path_known && raw != req.path) {
    r = MatchRoute(req.method, req.path, false, params, path_known);
  }
  return r;
}

// Options that cannot work together are refused before anything opens; returns the number of
// writer connections.
Result<int> ServerImpl::CheckOptions() const {
  // The socket API takes 16 bits: 70000 would silently listen on 4464.
  if (options_.port < 0 || options_.port > 65535) {
    return InvalidArgument("port " + std::to_string(options_.port) + " is out of range (0-65535)");
  }
  if ((options_.db_pool_size != 0 || options_.statement_timeout_ms != 0) &&
      !IsPostgresLocation(options_.db_path)) {
    return InvalidArgument(
        "--db-pool-size and --statement-timeout-ms are for a PostgreSQL --db (postgresql://...); "
        "a SQLite server opens one connection per running request and its statements wait on "
        "SQLite's lock (busy timeout) instead");
  }
  if (options_.db_pool_size < 0 || options_.statement_timeout_ms < 0 || options_.db_writers < 0) {
    return InvalidArgument("--db-pool-size, --statement-timeout-ms and --db-writers must not be negative");
  }
  const bool postgres = IsPostgresLocation(options_.db_path);
  if (options_.db_writers > 1 && !postgres) {
    return InvalidArgument("--db-writers above 1 is for a PostgreSQL --db (postgresql://...): "
                           "SQLite has one write lock");
  }
  return options_.db_writers > 0 ? options_.db_writers : (postgres ? kDefaultPgWriters : 1);
}

Status ServerImpl::OpenStores(int writers) {
  {
    // Open (and migrate) up front so a bad --db fails at start, not on the first request, and
    // keep a few connections ready so the first burst of requests does not pay for opening.
    std::vector<StorePool::Handle> warm;
    const int cap = options_.db_pool_size > 0 ? options_.db_pool_size : 4;
    for (int i = 0; i < std::min({options_.threads, 4, cap}); ++i) {
      auto h = pool_.Acquire();
      if (!h.ok()) return h.status();
      warm.push_back(std::move(*h));
    }
  }
  {
    std::vector<std::unique_ptr<Store>> stores;
    for (int i = 0; i < writers; ++i) {
      auto w = OpenStore(options_.db_path, OpenMode::kMustExist);
      if (!w.ok()) return w.status();
      // A cycle's or an import's final transaction on a big project holds SQLite's write lock for
      // seconds (about 10 s on 1M items): claims and submits wait for it rather than fail with 503.
      (*w)->SetLockWait(kWriterLockWaitMs);
      if (options_.statement_timeout_ms > 0) {
        RETURN_IF_ERROR(SetStatementTimeout(**w, options_.statement_timeout_ms));
      }
      stores.push_back(std::move(w).value());
    }
    writer_ = std::make_unique<GroupCommitter>(std::move(stores), GroupCommitter::Options{});
  }
  return Status::Ok();
}

Status ServerImpl::Start() {
  ASSIGN_OR_RETURN(const int writers, CheckOptions());
  RETURN_IF_ERROR(OpenStores(writers));
  auto guarded = std::make_unique<GuardedHttpServer>(this);
  GuardedHttpServer* serve_one = guarded.get();
  http_ = std::move(guarded);
  httplib::Server& s = *http_;
  const int threads = options_.threads;
  s.new_task_queue = [this, threads] {
    auto* pool = new httplib::ThreadPool(static_cast<size_t>(threads));
    std::lock_guard<std::mutex> lock(queue_mu_);
    task_queue_ = pool;
    return pool;
  };
  ConnPoller::Options po;
  po.request_timeout_ms = options_.request_timeout_s * 1000;
  po.keep_alive_timeout_ms = options_.keep_alive_timeout_s * 1000;
  po.max_header_bytes = options_.max_header_bytes;
  po.max_header_count = options_.max_header_count;
  po.max_per_address = options_.max_connections_per_address;
  poller_ = std::make_unique<ConnPoller>(
      po, [this, serve_one](int fd, size_t header_bytes, ConnPoller::TimePoint first_byte, int served) {
        return RunOnWorker([serve_one, fd, header_bytes, first_byte, served] {
          serve_one->ServeOne(fd, header_bytes, first_byte, served);
        });
      });
  RETURN_IF_ERROR(poller_->Start());
  s.set_read_timeout(options_.read_timeout_s, 0);
  s.set_write_timeout(options_.write_timeout_s, 0);
  s.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  s.set_keep_alive_max_count(1000);
  s.set_tcp_nodelay(true);
  // The listening socket: SO_REUSEADDR only (httplib's default adds SO_REUSEPORT, which lets a
  // second server bind the same port and silently share its connections), and remembered so its
  // backlog can be raised after bind (httplib listens with a backlog of 5: a burst of browsers
  // or clients connecting at once overflowed it and waited for SYN retransmits, 1-3 s).
  listen_fd_ = -1;
  s.set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd_ = sock;
  });
  s.set_payload_max_length(options_.max_upload);
  s.set_default_headers({
      {"Content-Security-Policy", kCsp},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Cache-Control", "no-store"},
  });

  // Size limits before any body is read: only streaming routes may exceed the JSON limit, and
  // only they may use chunked encoding (whose length is not known up front).
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return PreRoute(req, res);
  });

  // A response that says Connection: close (refused before its body was read) ends the
  // connection: the unread body must not be parsed as the next request.
  s.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (t_stream != nullptr && res.get_header_value("Connection") == "close") t_stream->RequestClose();
  });

  auto plain = [this](const httplib::Request& req, httplib::Response& res) { Dispatch(req, res, nullptr); };
  auto with_reader = [this](const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& reader) { Dispatch(req, res, &reader); };
  s.Get(".*", plain);
  s.Delete(".*", plain);
  s.Put(".*", plain);
  s.Patch(".*", plain);
  s.Post(".*", plain);
  s.Post(".*", with_reader);
  s.Options(".*", plain);

  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("server: unhandled exception: {}", what);
    SendErrorBody(res, 500, "internal", "internal error");
  });

  if (options_.access_log) {
    s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - t_start).count();
      nlohmann::json line = {{"ts", FormatIso8601(options_.clock->NowMillis())},
                             {"method", req.method},
                             {"path", req.path},
                             {"route", t_route},
                             {"status", res.status},
                             {"ms", static_cast<double>(us) / 1000.0},
                             {"bytes", res.body.size()},
                             {"user", t_user},
                             {"remote", req.remote_addr}};
      std::string out = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      std::lock_guard<std::mutex> lock(log_mu_);
      std::fwrite(out.data(), 1, out.size(), stderr);
    });
  }

  return Listen();
}

httplib::Server::HandlerResponse ServerImpl::PreRoute(const httplib::Request& req, httplib::Response& res) {
  t_start = std::chrono::steady_clock::now();
  // cpp-httplib compresses every text and JSON response with brotli at quality 11 whenever
  // the client accepts br: 5-20 ms of CPU a response (app.js: 22 ms instead of 0.8 ms; a claim
  // 6-12 ms instead of 1.4-2.9), which the annotator page paid on every load. gzip costs about
  // as much as no compression, so br is dropped from what the client accepts. (The request
  // object is httplib's own non-const local; the handler type just says const.)
  if (req.has_header("Accept-Encoding")) {
    auto& mutable_req = const_cast<httplib::Request&>(req);
    std::string kept = WithoutBrotli(req.get_header_value("Accept-Encoding"));
    mutable_req.headers.erase("Accept-Encoding");
    if (!kept.empty()) mutable_req.headers.emplace("Accept-Encoding", kept);
  }
  t_user.clear();
  t_route.clear();
  std::map<std::string, std::string> params;
  bool known = false;
  const Route* r = FindRoute(req, &params, &known);
  bool streaming = r != nullptr && r->streaming;
  size_t limit = streaming ? options_.max_upload : options_.max_json_body;
  // No route takes multipart bodies, and httplib's content reader throws on one (the handlers
  // read a plain body): refused before a byte of it is read, on every route.
  {
    std::string ctype = req.get_header_value("Content-Type");
    std::transform(ctype.begin(), ctype.end(), ctype.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (ctype.find("multipart/") != std::string::npos) {
      SendErrorBody(res, 415, "unsupported_media_type", "multipart bodies are not accepted");
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
  }
  if (req.has_header("Content-Length")) {
    uint64_t n = 0;
    try {
      n = std::stoull(req.get_header_value("Content-Length"));
    } catch (...) {
      n = UINT64_MAX;
    }
    if (n > limit) {
      SendErrorBody(res, 413, "too_large", "request body too large");
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
  }
  if (!streaming && req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos) {
    SendErrorBody(res, 411, "length_required", "Content-Length required");
    res.set_header("Connection", "close");
    return httplib::Server::HandlerResponse::Handled;
  }
  // HTTP/1.1: no Content-Length and no Transfer-Encoding means no body. httplib 0.11 would
  // wait for one until the read timeout on POST, so such requests are dispatched right here.
  if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding") &&
      req.method != "GET" && req.method != "HEAD") {
    Dispatch(req, res, nullptr);
    return httplib::Server::HandlerResponse::Handled;
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

Status ServerImpl::Listen() {
  httplib::Server& s = *http_;
  port_ = options_.port == 0 ? s.bind_to_any_port(options_.host)
                             : (s.bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ < 0) {
    // Almost always a port in use (another `hitloop serve`, a demo left running): say so and how
    // to choose another, rather than only that it failed.
    const std::string port = std::to_string(options_.port);
    return IoError(
        "cannot listen on " + options_.host + ":" + port + ": port " + port +
        " is in use (another hitloop serve or another program?) or not allowed; choose another "
        "with --port N");
  }
  if (listen_fd_ >= 0 && ::listen(listen_fd_, kListenBacklog) != 0) {
    spdlog::warn("server: could not raise the listen backlog: {}", std::strerror(errno));
  }
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  // listen_after_bind sets is_running() once it is accepting; wait briefly for that.
  for (int i = 0; i < 2000 && !http_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

void ServerImpl::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  // Requests already being served finish; later requests on kept-alive connections get 503
  // (httplib 0.11 would otherwise keep serving those connections after stop()).
  stopping_ = true;
  // Connections waiting for a request close first (nothing was started on them); requests
  // already handed to workers finish, and their connections close when handed back.
  if (poller_ != nullptr) poller_->Stop();
  if (http_ != nullptr) http_->stop();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    task_queue_ = nullptr;  // deleted by httplib when listen_after_bind returned
  }
  // The worker threads are joined: no job can be handed to the writer any more.
  if (writer_ != nullptr) {
    GroupCommitter::Stats w = writer_->stats();
    spdlog::info("server: writer ran {} jobs in {} transactions (largest {}; {} jobs and {} "
                 "transactions failed); {:.1f} s in jobs, {:.1f} s in BEGIN/COMMIT (slowest "
                 "{:.1f} ms, {} over 10 ms)",
                 w.jobs, w.batches, w.largest_batch, w.failed_jobs, w.failed_batches,
                 static_cast<double>(w.job_us) / 1e6, static_cast<double>(w.commit_us) / 1e6,
                 static_cast<double>(w.max_commit_us) / 1e3, w.commits_over_10ms);
    writer_.reset();
  }
}

void ServerImpl::Wait() {
  while (http_ != nullptr && http_->is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void ServerImpl::Dispatch(const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader* reader) {
  auto started = std::chrono::steady_clock::now();
  if (stopping_) {
    // Shutting down: a request that arrives now on a kept-alive connection was never started,
    // so it is refused (not acknowledged) rather than served; in-flight ones finish normally.
    res.set_header("Connection", "close");
    res.set_header("Retry-After", "1");
    SendErrorBody(res, 503, "unavailable", "server is shutting down");
    return;
  }
  auto store_handle = pool_.Acquire();
  if (!store_handle.ok()) {
    spdlog::error("server: cannot open store: {}", store_handle.status().ToString());
    res.status = 503;
    if (req.path == "/readyz") {  // its own contract (handlers.h: HandleReady), still scrubbed
      res.set_content(R"({"ready":false,"reason":"cannot connect to the database"})", "application/json");
      return;
    }
    SendErrorBody(res, 503, "unavailable", "store unavailable");
    return;
  }
  Ctx c{req, res, *this, store_handle->store(), options_};
  c.now = options_.clock->NowMillis();
  c.writer = writer_.get();
  c.cycle_mu = &cycle_mu_;
  c.reader = reader;
  bool known = false;
  const Route* route = FindRoute(req, &c.params, &known);
  if (route == nullptr) {
    if (known) {
      SendErrorBody(c.res, 405, "method_not_allowed", "method not allowed");
    } else {
      SendError(c, NotFound("no such route"));
    }
    return;
  }
  t_route = route->pattern;

  // The request pipeline (pipeline.cc): who is asking, may they, which project or lease.
  {
    // Another process may have changed users, members or projects (PostgreSQL): one row read
    // every ScopeCache::kVersionCheckMs tells, and a changed version clears the cache before this
    // request reads from it. A failed read leaves the cache to its TTL (the request's own reads
    // report a lost connection).
    if (scope_.VersionCheckDue()) {
      auto version = ReadScopeVersion(c.store);
      if (version.ok() && version->has_value()) scope_.ObserveVersion(**version);
    }
    ReadSnapshot snapshot(c.store, /*open_now=*/false);
    const uint64_t generation = scope_.Generation();
    bool via_cookie = false;
    if (!Authenticate(c, *route, snapshot, generation, &via_cookie)) return;
    if (c.user) t_user = c.user->name;
    if (!AuthorizeRole(c, *route, via_cookie)) return;
    if (!ResolveScope(c, snapshot, generation)) return;
    snapshot.End();
  }
  // An authorised upload may take longer than the request deadline (the per-read timeout stays).
  if (route->streaming && t_stream != nullptr) t_stream->ClearDeadline();
  if (!ReadBody(c, *route, reader)) return;
  // A handler's error comes back as a Status and is answered here; an OK handler has answered.
  // (A handler that throws is answered by the exception handler above: 500 "internal".)
  if (Status st = route->handler(c); !st.ok()) SendError(c, st);
  // Whatever an admin changes (users, members, projects, a cycle's thresholds) is seen by the
  // next request: the scope cache starts over after every state-changing admin route.
  if (route->min_role == MinRole::kAdmin && IsUnsafeMethod(req.method)) scope_.Clear();

  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  std::lock_guard<std::mutex> lock(metrics_mu_);
  RouteMetrics& m = metrics_[route->pattern];
  m.requests += 1;
  m.total_us += us;
  if (us > m.max_us) m.max_us = us;
  if (res.status >= 500) m.errors_5xx += 1;
}

nlohmann::json ServerImpl::MetricsJson() {
  std::lock_guard<std::mutex> lock(metrics_mu_);
  nlohmann::json routes = nlohmann::json::object();
  for (const auto& [pattern, m] : metrics_) {
    routes[pattern] = {{"requests", m.requests},
                       {"mean_ms", m.requests ? static_cast<double>(m.total_us) / m.requests / 1000.0 : 0.0},
                       {"max_ms", static_cast<double>(m.max_us) / 1000.0},
                       {"errors_5xx", m.errors_5xx}};
  }
  return {{"routes", routes}};
}

// ---------------------------------------------------------------- public wrapper

Server::Server(ServerOptions options) : impl_(std::make_unique<ServerImpl>(std::move(options))) {}
Server::~Server() { impl_->Stop(); }
Status Server::Start() { return impl_->Start(); }
int Server::port() const { return impl_->port(); }
void Server::Stop() { impl_->Stop(); }
void Server::Wait() { impl_->Wait(); }

}  // namespace hitloop::server

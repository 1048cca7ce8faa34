#pragma once
// ConnPoller: waits for HTTP requests to arrive on idle and new connections without holding a
// worker thread, so slow or silent clients cannot starve the workers.
//
// cpp-httplib 0.11 gives every connection a worker thread from accept to close: a client that
// sends its header one byte a second held a worker for as long as it liked (the read timeout is
// per read), and eight such sockets stopped a server with --threads 8. Here one epoll thread
// holds every connection that is waiting for a request: a connection goes to a worker only when
// its whole header (and, for small bodies, its whole body) has arrived, peeked with MSG_PEEK and
// so still unread. The worker answers that one request and hands the connection back.
//
// Rules enforced here, before a worker is involved:
//   - deadline: the header (and a small body) must arrive within `request_timeout_ms` of the
//     request's first byte, or of the accept for a new connection; else the connection closes
//     (408). A kept-alive connection may stay silent for `keep_alive_timeout_ms`.
//   - size and count: at most `max_header_bytes` of header and `max_header_count` header lines
//     (else 431 and close).
//   - per address: at most `max_per_address` open connections from one peer address (0 = no
//     limit); a connection beyond it is answered 503 and closed at once.
//
// Threading: Adopt/Return/Close are thread-safe. `on_ready` runs on the poller thread and must
// not block (it hands the connection to a worker queue). Stop() closes every connection the
// poller holds and joins its thread; connections handed back afterwards are closed.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/status.h"

namespace hitloop::server {

class ConnPoller {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Options {
    int request_timeout_ms = 20'000;
    int keep_alive_timeout_ms = 5'000;
    size_t max_header_bytes = 32 * 1024;
    int max_header_count = 100;
    int max_per_address = 256;           // 0 = unlimited
    size_t max_prefetched_body = 16 * 1024;  // bodies up to this size are awaited here too
  };
  // A request is ready on `fd`: its header is `header_bytes` long; `first_byte` is when the
  // request began (the deadline's start); `served` requests were answered on it before. Returns
  // false when it could not take the connection (the poller then closes it). Must not call
  // back into the poller.
  using Ready = std::function<bool(int fd, size_t header_bytes, TimePoint first_byte, int served)>;

  ConnPoller(Options options, Ready on_ready);
  ~ConnPoller();
  ConnPoller(const ConnPoller&) = delete;
  ConnPoller& operator=(const ConnPoller&) = delete;

  Status Start();
  void Stop();

  // A newly accepted connection (counted against its peer address).
  void Adopt(int fd);
  // A connection whose response was written and which stays open for the next request.
  void Return(int fd, int served);
  // A connection a worker is done with: shut down, closed, uncounted.
  void Close(int fd);

  // For tests and metrics: connections held here (waiting for a request) and open in total.
  size_t waiting() const;
  size_t open() const;

 private:
  struct Conn {
    std::string address;
    TimePoint deadline;
    TimePoint first_byte;
    bool idle = true;        // kept alive, no byte of the next request yet
    bool any_bytes = false;  // a byte of the current request has arrived
    int served = 0;
  };
  void Loop();
  void Inspect(int fd);               // poller thread, mu_ held
  void Drop(int fd, const char* reply);  // poller thread, mu_ held: reply (may be null), close
  void Release(int fd);               // mu_ held: uncount and close
  void Watch(int fd);                 // mu_ held: epoll add

  const Options options_;
  const Ready on_ready_;
  mutable std::mutex mu_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool stopped_ = false;
  bool started_ = false;
  std::unordered_map<int, Conn> waiting_;          // held by the poller
  std::unordered_map<int, std::string> address_of_;  // every open connection
  std::map<std::string, int> per_address_;
  std::thread thread_;
};

}  // namespace hitloop::server

#include "server/conn_poller.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/log.h"

namespace hitloop::server {
namespace {

constexpr const char* k408 =
    "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
constexpr const char* k431 =
    "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
constexpr const char* k503 =
    "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n";

std::string PeerAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, buf, sizeof(buf));
  } else if (ss.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof(buf));
  } else {
    return "local";
  }
  return buf;
}

void SendNow(int fd, const char* reply) {
  if (reply != nullptr) (void)!::send(fd, reply, std::strlen(reply), MSG_DONTWAIT | MSG_NOSIGNAL);
}

void CloseSocket(int fd) {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

// Where the header ends (just past its blank line), or npos.
size_t HeaderEnd(std::string_view s) {
  const size_t crlf = s.find("\r\n\r\n");
  const size_t lf = s.find("\n\n");
  if (crlf == std::string_view::npos && lf == std::string_view::npos) return std::string_view::npos;
  if (lf == std::string_view::npos || (crlf != std::string_view::npos && crlf < lf)) return crlf + 4;
  return lf + 2;
}

// The value of header `name` (lower case, with the colon) in `header`, or "" when absent.
std::string HeaderValue(std::string_view header, std::string_view name) {
  size_t pos = header.find('\n');
  while (pos != std::string_view::npos && pos + 1 < header.size()) {
    const size_t start = pos + 1;
    size_t end = header.find('\n', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view line = header.substr(start, end - start);
    if (line.size() > name.size()) {
      bool match = true;
      for (size_t i = 0; i < name.size() && match; ++i) {
        match = std::tolower(static_cast<unsigned char>(line[i])) == name[i];
      }
      if (match) {
        std::string v(line.substr(name.size()));
        while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
        const size_t b = v.find_first_not_of(' ');
        return b == std::string::npos ? "" : v.substr(b);
      }
    }
    pos = end;
  }
  return "";
}

}  // namespace

ConnPoller::ConnPoller(Options options, Ready on_ready)
    : options_(options), on_ready_(std::move(on_ready)) {}

ConnPoller::~ConnPoller() { Stop(); }

Status ConnPoller::Start() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return IoError(std::string("epoll_create1: ") + std::strerror(errno));
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return IoError(std::string("eventfd: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    return IoError(std::string("epoll_ctl: ") + std::strerror(errno));
  }
  started_ = true;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "hl-poller");
    Loop();
  });
  return Status::Ok();
}

void ConnPoller::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    if (wake_fd_ >= 0) {
      const uint64_t one = 1;
      (void)!::write(wake_fd_, &one, sizeof(one));
    }
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<int> fds;
  for (const auto& [fd, c] : waiting_) fds.push_back(fd);
  for (int fd : fds) {
    if (epoll_fd_ >= 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    waiting_.erase(fd);
    Release(fd);
  }
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  epoll_fd_ = wake_fd_ = -1;
}

void ConnPoller::Adopt(int fd) {
  std::string address = PeerAddress(fd);
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_ || !started_) {
    CloseSocket(fd);
    return;
  }
  int& n = per_address_[address];
  if (options_.max_per_address > 0 && n >= options_.max_per_address) {
    if (n == 0) per_address_.erase(address);
    SendNow(fd, k503);
    CloseSocket(fd);
    return;
  }
  ++n;
  address_of_[fd] = address;
  const auto now = std::chrono::steady_clock::now();
  Conn c;
  c.address = std::move(address);
  c.first_byte = now;  // a new connection's deadline runs from its accept
  c.deadline = now + std::chrono::milliseconds(options_.request_timeout_ms);
  c.idle = false;
  waiting_[fd] = std::move(c);
  Watch(fd);
}

void ConnPoller::Return(int fd, int served) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) {
    Release(fd);
    return;
  }
  Conn c;
  c.address = address_of_[fd];
  c.idle = true;
  c.served = served;
  c.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.keep_alive_timeout_ms);
  waiting_[fd] = std::move(c);
  Watch(fd);
}

void ConnPoller::Close(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  Release(fd);
}

size_t ConnPoller::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size();
}

size_t ConnPoller::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return address_of_.size();
}

void ConnPoller::Watch(int fd) {
  epoll_event ev{};
  // Edge-triggered: a connection whose header is incomplete is looked at again only when more
  // bytes arrive (an already readable socket reports at once when added).
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  ev.data.fd = fd;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    spdlog::warn("server: epoll_ctl(ADD): {}", std::strerror(errno));
    waiting_.erase(fd);
    Release(fd);
  }
}

void ConnPoller::Release(int fd) {
  auto it = address_of_.find(fd);
  if (it != address_of_.end()) {
    auto pa = per_address_.find(it->second);
    if (pa != per_address_.end() && --pa->second <= 0) per_address_.erase(pa);
    address_of_.erase(it);
  }
  CloseSocket(fd);
}

void ConnPoller::Drop(int fd, const char* reply) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  waiting_.erase(fd);
  if (reply != nullptr) {
    SendNow(fd, reply);
    // Closing with unread bytes sends a reset, which can destroy the reply before the client
    // reads it: discard what has arrived first (bounded).
    char sink[4096];
    for (int i = 0; i < 64 && ::recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; ++i) {
    }
  }
  Release(fd);
}

void ConnPoller::Inspect(int fd) {
  static thread_local std::vector<char> buf;
  const size_t cap = options_.max_header_bytes + options_.max_prefetched_body;
  if (buf.size() < cap) buf.resize(cap);
  ssize_t n;
  do {
    n = ::recv(fd, buf.data(), cap, MSG_PEEK | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n == 0) {  // the peer closed
    Drop(fd, nullptr);
    return;
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) Drop(fd, nullptr);
    return;
  }
  Conn& c = waiting_[fd];
  const auto now = std::chrono::steady_clock::now();
  if (c.idle) {
    c.idle = false;
    c.first_byte = now;
    c.deadline = now + std::chrono::milliseconds(options_.request_timeout_ms);
  }
  c.any_bytes = true;
  const std::string_view seen(buf.data(), static_cast<size_t>(n));
  const size_t end = HeaderEnd(seen.substr(0, std::min(seen.size(), options_.max_header_bytes)));
  if (end == std::string_view::npos) {
    if (seen.size() >= options_.max_header_bytes) Drop(fd, k431);
    return;  // wait for more bytes (or the deadline)
  }
  const std::string_view header = seen.substr(0, end);
  const int lines = static_cast<int>(std::count(header.begin(), header.end(), '\n'));
  if (lines - 2 > options_.max_header_count) {  // minus the request line and the blank line
    Drop(fd, k431);
    return;
  }
  // A small body is awaited here too, so a slow body cannot hold a worker either. Not for
  // chunked bodies or "Expect: 100-continue" (that client waits for the server's answer).
  if (HeaderValue(header, "transfer-encoding:").empty() && HeaderValue(header, "expect:").empty()) {
    const std::string cl = HeaderValue(header, "content-length:");
    if (!cl.empty() && cl.size() <= 9 && std::all_of(cl.begin(), cl.end(), ::isdigit)) {
      const size_t body = static_cast<size_t>(std::stoul(cl));
      if (body <= options_.max_prefetched_body && seen.size() < end + body) return;
    }
  }
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  const TimePoint first_byte = c.first_byte;
  const int served = c.served;
  waiting_.erase(fd);
  if (!on_ready_(fd, end, first_byte, served)) Release(fd);
}

void ConnPoller::Loop() {
  epoll_event events[256];
  auto last_sweep = std::chrono::steady_clock::now();
  for (;;) {
    const int n = ::epoll_wait(epoll_fd_, events, 256, 50);
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t v;
        (void)!::read(wake_fd_, &v, sizeof(v));
        continue;
      }
      if (waiting_.count(fd) != 0) Inspect(fd);
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_sweep >= std::chrono::milliseconds(50)) {
      last_sweep = now;
      std::vector<std::pair<int, bool>> expired;
      for (const auto& [fd, c] : waiting_) {
        if (c.deadline <= now) expired.emplace_back(fd, c.any_bytes);
      }
      // A silent connection just closes; one that began a request hears why.
      for (const auto& [fd, began] : expired) Drop(fd, began ? k408 : nullptr);
    }
  }
}

}  // namespace hitloop::server

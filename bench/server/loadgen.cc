// hl_loadgen: a low-overhead load generator for `hitloop serve` (bench/server/run.sh, crash.sh).
//
// Why it exists: bench/server/loadgen.py (Python threads + http.client) spends ~0.6 ms of CPU per
// claim+submit round trip, as much as the server itself, so on a 2-core machine it cannot drive
// the 2,000 round trips/s the server is meant to reach. This program does the same per-client
// work for a small fraction of that cost, writes what happened to a ledger (JSON lines), and
// leaves the checking to loadgen.py (`--cc`/`--ledger`), which applies the very same checks to it.
//
// It is deliberately NOT hitloop: standard library + POSIX sockets only, no src/ headers, no
// hitloop_lib; the server is a black box spoken to over HTTP/1.1.
//
// Per client (same as loadgen.py's Client.run): one annotator token, one keep-alive connection,
// loop until the deadline:
//   claim  POST /api/v1/projects/{project}/tasks/next   204 -> sleep 50 ms; non-200 -> error, sleep
//   then, with the client's RNG (seeded like Python's random.Random(seed*1000+idx), and drawing
//   the same numbers, so a client makes the same choices as its Python twin):
//     90%  submit  POST /api/v1/leases/{id}/submit {"label":..} with Idempotency-Key k-<idx>-<lease>;
//          no response -> reconnect and retry once with the same key, then record "unknown"
//      5%  skip    POST /api/v1/leases/{id}/skip
//      5%  release POST /api/v1/leases/{id}/release   (no response -> status null, error, sleep)
//   any other connection failure -> error, reconnect, sleep 50 ms.
//
// Design: T threads (--threads, default 1), each running an edge-triggered epoll loop over its
// share of non-blocking connections; each client is a small state machine (connecting, sending,
// receiving, sleeping). A request costs one write() and usually one read(), plus a share of an
// epoll_wait(). Everything is recorded in memory and written out after the load, so formatting
// the ledger does not count against the measured CPU time. New connections are paced (see
// kMaxOpening); otherwise the clients are independent, as in loadgen.py.
//
// Usage: hl_loadgen --port P --project NAME --labels a,b,c --tokens FILE --clients N
//                   --duration S --ledger OUT.jsonl [--seed 1] [--host 127.0.0.1] [--threads 1]
//                   [--rate R]   (R claims/s offered in total, paced; default closed loop)
//   --port P1,P2,...: several servers (e.g. on one PostgreSQL database, bench/server/pg_load.sh).
//   Client k's home is port k mod n, so the clients are spread evenly, as a round-robin load
//   balancer would. When its connection fails (a killed server) the client goes on with the next
//   port, like a balancer taking a dead backend out (a submit whose answer was lost is retried
//   there with the same Idempotency-Key); at its next claim a second or more later it tries its
//   home port again. The summary counts statuses per port ("status_by_port").
// Ledger lines: {"t":"claim","c":..,"item":..,"lease":..,"at":<epoch s>}
//               {"t":"end","c":..,"lease":..,"kind":"skip|release","at":<send time>,"status":200|null}
//               {"t":"ack"|"unknown","c":..,"item":..,"lease":..,"label":..}
//               {"t":"summary",...}  (last line)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Mono = std::chrono::steady_clock;

constexpr auto kRetrySleep = std::chrono::milliseconds(50);
constexpr auto kConnectTimeout = std::chrono::seconds(10);
constexpr auto kResponseTimeout = std::chrono::seconds(30);
constexpr auto kTimeoutScan = std::chrono::milliseconds(200);
// New connections "opening" at once (connect() until the first response on it), over all threads.
// cpp-httplib listens with a backlog of 5: when 64 clients connect at the same instant, the
// handshakes that overflow the accept queue are dropped and recovered only by TCP retransmission,
// and some clients then stall for 4-30 s (seen: 13 of 64). Python's threads start one by one and
// rarely hit this; pacing new connections here keeps the burst under the backlog.
constexpr int kMaxOpening = 4;
constexpr size_t kErrorSamples = 5;
// Several ports: a client that failed over to another port tries its home port again at its
// first claim this long after the failure.
constexpr auto kHomeRetry = std::chrono::seconds(1);  // per client, like loadgen.py's errors[:5] over all clients

double WallNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double Ms(Mono::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "hl_loadgen: %s\n", msg.c_str());
  std::exit(2);
}

// ---- Python's random.Random, bit for bit ------------------------------------------------------
// MT19937 seeded the way CPython seeds from an int (init_by_array over the 32-bit words of
// |seed|), random() from two draws, choice() via _randbelow (getrandbits + rejection).
class PyRandom {
 public:
  explicit PyRandom(uint64_t seed) {
    std::vector<uint32_t> key;
    do {
      key.push_back(static_cast<uint32_t>(seed));
      seed >>= 32;
    } while (seed != 0);
    InitByArray(key);
  }

  double Random() {
    uint32_t a = Next() >> 5, b = Next() >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  // random.choice(seq) index for len(seq) == n, 1 <= n < 2^32.
  size_t Below(size_t n) {
    int k = std::bit_width(n);
    uint32_t r;
    do r = Next() >> (32 - k);
    while (r >= n);
    return r;
  }

 private:
  static constexpr int N = 624, M = 397;

  void InitGenrand(uint32_t s) {
    mt_[0] = s;
    for (int i = 1; i < N; ++i) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + i;
    mti_ = N;
  }

  void InitByArray(const std::vector<uint32_t>& key) {
    InitGenrand(19650218u);
    int i = 1;
    size_t j = 0;
    for (size_t k = std::max<size_t>(N, key.size()); k > 0; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + key[j] + static_cast<uint32_t>(j);
      ++i;
      ++j;
      if (i >= N) { mt_[0] = mt_[N - 1]; i = 1; }
      if (j >= key.size()) j = 0;
    }
    for (int k = N - 1; k > 0; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) - i;
      ++i;
      if (i >= N) { mt_[0] = mt_[N - 1]; i = 1; }
    }
    mt_[0] = 0x80000000u;
  }

  uint32_t Next() {
    if (mti_ >= N) {
      for (int k = 0; k < N; ++k) {
        uint32_t y = (mt_[k] & 0x80000000u) | (mt_[(k + 1) % N] & 0x7fffffffu);
        mt_[k] = mt_[(k + M) % N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
      }
      mti_ = 0;
    }
    uint32_t y = mt_[mti_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
  }

  std::array<uint32_t, N> mt_{};
  int mti_ = N;
};

// ---- JSON: output escaping and a minimal reader for the claim response -----------------------
void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (ch < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", ch);
          out += buf;
        } else {
          out += static_cast<char>(ch);  // UTF-8 passes through
        }
    }
  }
  out += '"';
}

// Reads just enough JSON to pull `item.id` and `lease.id` out of a claim response: every other
// value is skipped properly (strings with escapes, nested containers), so an "id" inside the
// item's text cannot be mistaken for the field.
class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  // Top-level object; for each key in `wanted`, if its value is an object with an "id" that is a
  // string or a number, stores that id (numbers as their text).
  bool ReadIds(const std::vector<std::pair<std::string_view, std::string*>>& wanted) {
    return Object([&](const std::string& key) {
      for (const auto& want : wanted) {
        if (key != want.first) continue;
        std::string* out = want.second;
        Ws();
        if (p_ < end_ && *p_ == '{') {
          return Object([&](const std::string& k2) {
            if (k2 != "id") return Skip();
            Ws();
            if (p_ < end_ && *p_ == '"') return String(out);
            const char* b = p_;
            if (!Skip()) return false;
            *out = std::string(b, p_);
            return true;
          });
        }
        return Skip();
      }
      return Skip();
    });
  }

 private:
  void Ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Object(const std::function<bool(const std::string&)>& on_value) {
    Ws();
    if (p_ >= end_ || *p_ != '{') return false;
    ++p_;
    Ws();
    if (p_ < end_ && *p_ == '}') { ++p_; return true; }
    std::string key;
    for (;;) {
      Ws();
      if (!String(&key)) return false;
      Ws();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      if (!on_value(key)) return false;
      Ws();
      if (p_ >= end_) return false;
      if (*p_ == ',') { ++p_; continue; }
      if (*p_ == '}') { ++p_; return true; }
      return false;
    }
  }

  static void AppendUtf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xc0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xe0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      *out += static_cast<char>(0xf0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  bool Hex4(uint32_t* v) {
    if (end_ - p_ < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      char c = *p_;
      *v <<= 4;
      if (c >= '0' && c <= '9') *v |= c - '0';
      else if (c >= 'a' && c <= 'f') *v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') *v |= c - 'A' + 10;
      else return false;
    }
    return true;
  }

  // A string at p_ (which must be '"'); decoded into *out (nullptr: just skipped).
  bool String(std::string* out) {
    if (p_ >= end_ || *p_ != '"') return false;
    ++p_;
    if (out) out->clear();
    while (p_ < end_) {
      char c = *p_++;
      if (c == '"') return true;
      if (c != '\\') {
        if (out) *out += c;
        continue;
      }
      if (p_ >= end_) return false;
      char e = *p_++;
      uint32_t cp = 0;
      switch (e) {
        case '"': case '\\': case '/': cp = static_cast<unsigned char>(e); break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u': {
          if (!Hex4(&cp)) return false;
          // A surrogate pair is two \u escapes.
          if (cp >= 0xd800 && cp < 0xdc00 && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
            p_ += 2;
            uint32_t lo;
            if (!Hex4(&lo)) return false;
            if (lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          break;
        }
        default: return false;
      }
      if (out) AppendUtf8(out, cp);
    }
    return false;
  }

  // Skips one value of any type.
  bool Skip() {
    Ws();
    if (p_ >= end_) return false;
    if (*p_ == '"') return String(nullptr);
    if (*p_ == '{') return Object([&](const std::string&) { return Skip(); });
    if (*p_ == '[') {
      ++p_;
      Ws();
      if (p_ < end_ && *p_ == ']') { ++p_; return true; }
      for (;;) {
        if (!Skip()) return false;
        Ws();
        if (p_ >= end_) return false;
        if (*p_ == ',') { ++p_; continue; }
        if (*p_ == ']') { ++p_; return true; }
        return false;
      }
    }
    // number, true, false, null
    const char* b = p_;
    while (p_ < end_ && *p_ != ',' && *p_ != '}' && *p_ != ']' && *p_ != ' ' && *p_ != '\n' &&
           *p_ != '\r' && *p_ != '\t')
      ++p_;
    return p_ > b;
  }

  const char* p_;
  const char* end_;
};

// ---- HTTP/1.1 response parsing -----------------------------------------------------------------
// Parses one response from the start of `buf` (re-run after every read; responses are small).
// Bodies: Content-Length, chunked (cpp-httplib uses it only for content providers, which these
// routes do not use, but it costs little to be right), none for 1xx/204/304, else until close.
struct Response {
  enum State { kIncomplete, kComplete, kBad } state = kIncomplete;
  int status = 0;
  bool close = false;         // the server will close the connection after this response
  bool until_close = false;   // no length: the body ends when the connection does
  std::string body;
};

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool IContains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (IEquals(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Response ParseResponse(std::string_view buf, bool eof) {
  Response r;
  size_t hend = buf.find("\r\n\r\n");
  if (hend == std::string_view::npos) {
    if (eof || buf.size() > (1 << 20)) r.state = Response::kBad;
    return r;
  }
  std::string_view head = buf.substr(0, hend);
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  // "HTTP/1.x NNN reason"
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") { r.state = Response::kBad; return r; }
  bool http10 = status_line.substr(5, 3) == "1.0";
  size_t sp = status_line.find(' ');
  if (sp == std::string_view::npos || sp + 4 > status_line.size()) { r.state = Response::kBad; return r; }
  for (size_t i = sp + 1; i < sp + 4; ++i) {
    if (status_line[i] < '0' || status_line[i] > '9') { r.state = Response::kBad; return r; }
    r.status = r.status * 10 + (status_line[i] - '0');
  }
  std::optional<size_t> content_length;
  bool chunked = false, keep_alive = false;
  size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string_view::npos) e = head.size();
    std::string_view line = head.substr(pos, e - pos);
    pos = e + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = Trim(line.substr(0, colon)), value = Trim(line.substr(colon + 1));
    if (IEquals(name, "content-length")) {
      size_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') { r.state = Response::kBad; return r; }
        n = n * 10 + (c - '0');
      }
      content_length = n;
    } else if (IEquals(name, "transfer-encoding")) {
      chunked = IContains(value, "chunked");
    } else if (IEquals(name, "connection")) {
      if (IContains(value, "close")) r.close = true;
      if (IContains(value, "keep-alive")) keep_alive = true;
    }
  }
  if (http10 && !keep_alive) r.close = true;
  std::string_view rest = buf.substr(hend + 4);
  if (r.status / 100 == 1 || r.status == 204 || r.status == 304) {
    r.state = Response::kComplete;
  } else if (chunked) {
    size_t p = 0;
    for (;;) {
      size_t e = rest.find("\r\n", p);
      if (e == std::string_view::npos) { if (eof) r.state = Response::kBad; return r; }
      size_t n = 0;
      size_t i = p;
      for (; i < e; ++i) {
        char c = rest[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) break;  // chunk extensions (";...") are ignored
        n = n * 16 + d;
      }
      if (i == p) { r.state = Response::kBad; return r; }
      p = e + 2;
      if (n == 0) {
        // Trailers (if any) end with an empty line.
        size_t t = rest.find("\r\n", p);
        while (t != std::string_view::npos && t != p) { p = t + 2; t = rest.find("\r\n", p); }
        if (t == std::string_view::npos) { if (eof) r.state = Response::kBad; return r; }
        r.state = Response::kComplete;
        return r;
      }
      if (rest.size() < p + n + 2) { if (eof) r.state = Response::kBad; return r; }
      r.body.append(rest.substr(p, n));
      p += n + 2;
    }
  } else if (content_length) {
    if (rest.size() < *content_length) { if (eof) r.state = Response::kBad; return r; }
    r.body.assign(rest.substr(0, *content_length));
    r.state = Response::kComplete;
  } else {
    r.until_close = true;
    r.close = true;
    if (eof) {
      r.body.assign(rest);
      r.state = Response::kComplete;
    }
  }
  return r;
}

// At most n bytes of s, not cutting a UTF-8 sequence in two (error samples go into the JSON ledger).
std::string Utf8Prefix(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  return s.substr(0, n);
}

std::string PathEscape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// ---- the clients -----------------------------------------------------------------------------
struct Options {
  std::string host = "127.0.0.1";
  std::vector<int> ports;  // --port P or P1,P2,...
  std::string project;
  std::vector<std::string> labels;
  std::string tokens_file;
  int clients = 64;
  double duration = 60;
  int64_t seed = 1;
  int threads = 1;
  std::string ledger;
  // Claims per second offered by all clients together (each followed by its submit, skip or
  // release: 90% submits, so 2,223/s offers 2,000 claim+submit round trips/s); 0 = closed loop (each client starts
  // its next claim as soon as the last round trip ends). With a rate, client k of N starts its
  // claims on a fixed schedule (every N / rate seconds, staggered by k / rate) and a claim's
  // latency is counted from its scheduled start, so time spent behind schedule because the
  // server was slow counts too (no coordinated omission).
  double rate = 0;
};

// One ledger line, kept in memory until the load is over.
struct Event {
  enum Type { kClaim, kEnd, kAck, kUnknown } type;
  std::string item, lease;
  int label = -1;        // kAck/kUnknown: index into Options::labels
  bool skip = false;     // kEnd: skip (true) or release
  double at = 0;         // kClaim: response received; kEnd: request sent (epoch seconds)
  int status = 0;        // kEnd: HTTP status, 0 = no response
};

struct Client {
  enum class Op { kClaim, kSubmit, kEnd };
  enum class Phase { kIdle, kWaitingToConnect, kConnecting, kSending, kReceiving, kSleeping, kDone };

  Client(int i, std::string tok, uint64_t seed, size_t nports)
      : idx(i), token(std::move(tok)), rng(seed), home(i % nports), port(home), port_status(nports) {}

  int idx;
  std::string token;
  PyRandom rng;

  // which server (index into Options::ports): home, or the one it failed over to
  size_t home, port;
  Mono::time_point away_since{};

  // connection
  int fd = -1;
  uint32_t gen = 0;  // bumped per socket: epoll events for an earlier socket are ignored
  bool opening = false;  // holds one of the worker's opening slots (kMaxOpening)
  Phase phase = Phase::kIdle;
  std::string out;
  size_t out_off = 0;
  std::string in;
  Mono::time_point io_deadline{};

  // the request in flight
  Op op = Op::kClaim;
  int submit_attempt = 0;
  std::string item, lease;
  int label = -1;
  bool skip = false;
  Mono::time_point t_start{};
  double t_send_wall = 0;
  Mono::time_point next_due{};  // --rate: when this client's next claim is due

  // outcome
  std::vector<Event> events;
  std::vector<double> claim_ms, submit_ms;
  std::vector<std::pair<double, double>> slow_claims;  // (send time, unix s; ms) of claims > 1 s
  std::map<int, int64_t> status_counts;
  std::vector<std::map<int, int64_t>> port_status;  // per port: status -> count
  std::vector<std::string> error_samples;
  int64_t errors = 0;
  int64_t round_trips = 0;
  int64_t empty = 0;

  void Error(std::string msg) {
    ++errors;
    if (error_samples.size() < kErrorSamples) error_samples.push_back(std::move(msg));
  }
};

// One epoll loop over a share of the clients.
class Worker {
 public:
  Worker(const Options& o, const std::vector<sockaddr_in>& addrs, std::vector<Client*> clients,
         Mono::time_point deadline, int max_opening)
      : o_(o), addrs_(addrs), clients_(std::move(clients)), deadline_(deadline), max_opening_(max_opening) {
    // One Host header for every port: the servers do not look at it.
    host_header_ = o.ports.size() == 1 ? o.host + ":" + std::to_string(o.ports[0]) : o.host;
    claim_path_ = "/api/v1/projects/" + PathEscape(o.project) + "/tasks/next";
  }

  void Run() {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) Die(std::string("epoll_create1: ") + std::strerror(errno));
    active_ = clients_.size();
    if (o_.rate > 0) {
      const Mono::time_point start = Mono::now();
      for (Client* c : clients_) c->next_due = start + Interval() * c->idx / o_.clients;
    }
    for (size_t i = 0; i < clients_.size(); ++i) StartClaim(i);
    std::vector<epoll_event> evs(std::max<size_t>(16, clients_.size()));
    Mono::time_point next_scan = Mono::now() + kTimeoutScan;
    while (active_ > 0) {
      Mono::time_point now = Mono::now();
      Mono::time_point wake = next_scan;
      if (!sleepers_.empty()) wake = std::min(wake, sleepers_.top().first);
      int timeout_ms = 0;
      if (wake > now) timeout_ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wake - now).count());
      int n = epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), timeout_ms);
      if (n < 0 && errno != EINTR) Die(std::string("epoll_wait: ") + std::strerror(errno));
      for (int k = 0; k < n; ++k) {
        size_t i = evs[k].data.u64 >> 32;
        uint32_t gen = static_cast<uint32_t>(evs[k].data.u64);
        Client& c = *clients_[i];
        if (c.fd < 0 || c.gen != gen) continue;  // an event for a socket already closed
        OnEvent(i, evs[k].events);
      }
      now = Mono::now();
      while (!sleepers_.empty() && sleepers_.top().first <= now) {
        size_t i = sleepers_.top().second;
        sleepers_.pop();
        StartClaim(i);
      }
      AdmitWaiting();
      if (now >= next_scan) {
        next_scan = now + kTimeoutScan;
        for (size_t i = 0; i < clients_.size(); ++i) {
          Client& c = *clients_[i];
          bool waiting = c.phase == Client::Phase::kConnecting || c.phase == Client::Phase::kSending ||
                         c.phase == Client::Phase::kReceiving;
          if (waiting && now >= c.io_deadline)
            ConnFailed(i, c.phase == Client::Phase::kConnecting ? "connect timed out" : "timed out");
        }
      }
    }
    close(ep_);
  }

 private:
  void CloseConn(Client& c) {
    if (c.fd >= 0) close(c.fd);  // also removes it from the epoll set
    c.fd = -1;
    c.in.clear();
    Opened(c);
  }

  // The connection was accepted (a response came back) or is gone: its opening slot is free.
  // Waiting clients are admitted from the main loop (AdmitWaiting), not from here, which keeps
  // the state machine free of re-entrancy.
  void Opened(Client& c) {
    if (!c.opening) return;
    c.opening = false;
    --opening_;
  }

  void AdmitWaiting() {
    while (opening_ < max_opening_ && !waiting_.empty()) {
      size_t i = waiting_.front();
      waiting_.pop_front();
      Connect(i);
    }
  }

  void Sleep(size_t i) {
    Client& c = *clients_[i];
    c.phase = Client::Phase::kSleeping;
    const Mono::time_point wake = Mono::now() + kRetrySleep;
    // A retry pause is the client's own choice, not the server's lag: the schedule moves with it.
    if (o_.rate > 0 && c.next_due < wake) c.next_due = wake;
    sleepers_.emplace(wake, i);
  }

  // --rate: the time between two claims of one client.
  Mono::duration Interval() const {
    return std::chrono::duration_cast<Mono::duration>(std::chrono::duration<double>(o_.clients / o_.rate));
  }

  void Request(Client& c, std::string_view path, std::string_view body, std::string_view key) {
    c.out.clear();
    c.out.append("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_header_);
    c.out.append("\r\nAuthorization: Bearer ").append(c.token);
    c.out.append("\r\nContent-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size()));
    if (!key.empty()) c.out.append("\r\nIdempotency-Key: ").append(key);
    c.out.append("\r\n\r\n").append(body);
    c.out_off = 0;
  }

  // Top of the client's loop.
  void StartClaim(size_t i) {
    Client& c = *clients_[i];
    if (Mono::now() >= deadline_) {
      CloseConn(c);
      c.phase = Client::Phase::kDone;
      --active_;
      return;
    }
    Mono::time_point now = Mono::now();
    if (c.port != c.home && now - c.away_since >= kHomeRetry) {
      CloseConn(c);  // back to the home server (if it is still down, the next failure moves on)
      c.port = c.home;
    }
    if (o_.rate > 0) {
      if (now < c.next_due) {  // early: wait for the schedule
        c.phase = Client::Phase::kSleeping;
        sleepers_.emplace(c.next_due, i);
        return;
      }
      now = c.next_due;  // late: the lag counts in the claim's latency
      c.next_due += Interval();
    }
    c.op = Client::Op::kClaim;
    Request(c, claim_path_, "", "");
    c.t_start = now;
    Send(i);
  }

  void StartSubmit(size_t i) {
    Client& c = *clients_[i];
    c.op = Client::Op::kSubmit;
    c.submit_attempt = 0;
    std::string body = "{\"label\":";
    AppendJsonString(body, o_.labels[c.label]);
    body += '}';
    Request(c, "/api/v1/leases/" + PathEscape(c.lease) + "/submit", body,
            "k-" + std::to_string(c.idx) + "-" + c.lease);
    c.t_start = Mono::now();
    Send(i);
  }

  void StartEnd(size_t i) {
    Client& c = *clients_[i];
    c.op = Client::Op::kEnd;
    Request(c, "/api/v1/leases/" + PathEscape(c.lease) + (c.skip ? "/skip" : "/release"), "", "");
    c.t_send_wall = WallNow();
    Send(i);
  }

  // Sends c.out, connecting first if there is no connection.
  void Send(size_t i) {
    Client& c = *clients_[i];
    if (c.fd >= 0) { Write(i); return; }
    if (opening_ >= max_opening_) {
      c.phase = Client::Phase::kWaitingToConnect;
      waiting_.push_back(i);
      return;
    }
    Connect(i);
  }

  void Connect(size_t i) {
    Client& c = *clients_[i];
    c.opening = true;
    ++opening_;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { ConnFailed(i, std::string("socket: ") + std::strerror(errno)); return; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.fd = fd;
    ++c.gen;
    epoll_event ev{};
    // Edge-triggered, registered once for both directions: no epoll_ctl per request.
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = (static_cast<uint64_t>(i) << 32) | c.gen;
    if (epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) < 0) Die(std::string("epoll_ctl: ") + std::strerror(errno));
    const sockaddr_in& addr = addrs_[c.port];
    if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) { Write(i); return; }
    if (errno != EINPROGRESS) { ConnFailed(i, std::string("connect: ") + std::strerror(errno)); return; }
    c.phase = Client::Phase::kConnecting;
    c.io_deadline = Mono::now() + kConnectTimeout;
  }

  void Write(size_t i) {
    Client& c = *clients_[i];
    if (c.phase != Client::Phase::kSending) c.io_deadline = Mono::now() + kResponseTimeout;
    while (c.out_off < c.out.size()) {
      ssize_t n = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) { c.out_off += n; continue; }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) { c.phase = Client::Phase::kSending; return; }
      ConnFailed(i, std::string("send: ") + std::strerror(errno));
      return;
    }
    c.phase = Client::Phase::kReceiving;
    c.in.clear();
  }

  void OnEvent(size_t i, uint32_t events) {
    Client& c = *clients_[i];
    switch (c.phase) {
      case Client::Phase::kConnecting: {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        if (err != 0) { ConnFailed(i, std::string("connect: ") + std::strerror(err)); return; }
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) Write(i);
        return;
      }
      case Client::Phase::kSending:
        Write(i);
        return;
      case Client::Phase::kReceiving:
        Read(i);
        return;
      default:
        return;  // idle/sleeping: a close by the server shows up on the next request, as in Python
    }
  }

  void Read(size_t i) {
    Client& c = *clients_[i];
    char buf[65536];
    for (;;) {
      ssize_t n = recv(c.fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // wait for the next edge
      if (n < 0) { ConnFailed(i, std::string("recv: ") + std::strerror(errno)); return; }
      bool eof = n == 0;
      c.in.append(buf, n);
      Response r = ParseResponse(c.in, eof);
      if (r.state == Response::kBad) {
        ConnFailed(i, c.in.empty() ? "connection closed without a response" : "bad or truncated response");
        return;
      }
      if (r.state == Response::kComplete) {
        Opened(c);
        if (r.close || eof) CloseConn(c);
        else c.in.clear();
        OnResponse(i, r);
        return;
      }
      if (eof) { ConnFailed(i, "connection closed mid-response"); return; }
    }
  }

  static std::string ErrorText(const char* what, const Response& r) {
    return std::string(what) + " " + std::to_string(r.status) + " " + Utf8Prefix(r.body, 200);
  }

  void OnResponse(size_t i, const Response& r) {
    Client& c = *clients_[i];
    ++c.status_counts[r.status];
    ++c.port_status[c.port][r.status];
    switch (c.op) {
      case Client::Op::kClaim: {
        c.claim_ms.push_back(Ms(Mono::now() - c.t_start));
        if (c.claim_ms.back() > 1000) c.slow_claims.emplace_back(c.t_send_wall, c.claim_ms.back());
        if (r.status == 204) { ++c.empty; Sleep(i); return; }
        if (r.status != 200) { c.Error(ErrorText("claim", r)); Sleep(i); return; }
        c.item.clear();
        c.lease.clear();
        JsonReader json(r.body);
        if (!json.ReadIds({{"item", &c.item}, {"lease", &c.lease}}) || c.item.empty() || c.lease.empty()) {
          c.Error("claim 200 without item.id/lease.id: " + Utf8Prefix(r.body, 200));
          Sleep(i);
          return;
        }
        c.events.push_back({Event::kClaim, c.item, c.lease, -1, false, WallNow(), 0});
        double roll = c.rng.Random();
        if (roll < 0.90) {
          c.label = static_cast<int>(c.rng.Below(o_.labels.size()));
          StartSubmit(i);
        } else {
          c.skip = roll < 0.95;
          StartEnd(i);
        }
        return;
      }
      case Client::Op::kSubmit:
        c.submit_ms.push_back(Ms(Mono::now() - c.t_start));
        if (r.status == 200) {
          c.events.push_back({Event::kAck, c.item, c.lease, c.label, false, 0, 0});
          ++c.round_trips;
        } else {
          c.Error(ErrorText("submit", r));
        }
        StartClaim(i);
        return;
      case Client::Op::kEnd:
        c.events.push_back({Event::kEnd, "", c.lease, -1, c.skip, c.t_send_wall, r.status});
        if (r.status != 200) c.Error(ErrorText(c.skip ? "skip" : "release", r));
        StartClaim(i);
        return;
    }
  }

  // No (complete) response: the connection is dropped; what happens next depends on the request.
  void ConnFailed(size_t i, const std::string& why) {
    Client& c = *clients_[i];
    CloseConn(c);
    c.phase = Client::Phase::kIdle;
    if (addrs_.size() > 1) {  // fail over to the next server
      c.port = (c.port + 1) % addrs_.size();
      c.away_since = Mono::now();
    }
    switch (c.op) {
      case Client::Op::kClaim:
        c.Error("connection: " + why);
        Sleep(i);
        return;
      case Client::Op::kSubmit:
        if (c.submit_attempt == 0) {
          // Outcome unknown: retry once, same key, on a new connection (that is what keys are for).
          c.submit_attempt = 1;
          c.out_off = 0;
          Send(i);
          return;
        }
        c.events.push_back({Event::kUnknown, c.item, c.lease, c.label, false, 0, 0});
        StartClaim(i);
        return;
      case Client::Op::kEnd:
        // The server may have ended the lease before the connection died: the checker asks the
        // database (status null).
        c.events.push_back({Event::kEnd, "", c.lease, -1, c.skip, c.t_send_wall, 0});
        c.Error("connection: " + why);
        Sleep(i);
        return;
    }
  }

  const Options& o_;
  const std::vector<sockaddr_in>& addrs_;
  std::vector<Client*> clients_;
  Mono::time_point deadline_;
  std::string host_header_, claim_path_;
  int ep_ = -1;
  size_t active_ = 0;
  int max_opening_;
  int opening_ = 0;
  std::deque<size_t> waiting_;  // clients waiting for an opening slot, first come first served
  using Sleeper = std::pair<Mono::time_point, size_t>;
  std::priority_queue<Sleeper, std::vector<Sleeper>, std::greater<Sleeper>> sleepers_;
};

// ---- main ------------------------------------------------------------------------------------
Options ParseArgs(int argc, char** argv) {
  Options o;
  auto need = [&](int& k) -> std::string {
    if (k + 1 >= argc) Die(std::string("missing value for ") + argv[k]);
    return argv[++k];
  };
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    if (a == "--host") o.host = need(k);
    else if (a == "--port") {
      std::string s = need(k);
      for (size_t p = 0;;) {
        size_t q = s.find(',', p);
        int port = std::atoi(s.substr(p, q == std::string::npos ? std::string::npos : q - p).c_str());
        if (port <= 0 || port > 65535) Die("--port: not a port list: " + s);
        o.ports.push_back(port);
        if (q == std::string::npos) break;
        p = q + 1;
      }
    }
    else if (a == "--project") o.project = need(k);
    else if (a == "--labels") {
      std::string s = need(k);
      size_t p = 0;
      for (;;) {
        size_t q = s.find(',', p);
        o.labels.push_back(s.substr(p, q == std::string::npos ? std::string::npos : q - p));
        if (q == std::string::npos) break;
        p = q + 1;
      }
    } else if (a == "--tokens") o.tokens_file = need(k);
    else if (a == "--clients") o.clients = std::atoi(need(k).c_str());
    else if (a == "--duration") o.duration = std::atof(need(k).c_str());
    else if (a == "--seed") o.seed = std::atoll(need(k).c_str());
    else if (a == "--threads") o.threads = std::atoi(need(k).c_str());
    else if (a == "--ledger") o.ledger = need(k);
    else if (a == "--rate") o.rate = std::atof(need(k).c_str());
    else if (a == "-h" || a == "--help") {
      std::puts("usage: hl_loadgen --port P[,P2...] --project NAME --labels a,b,c --tokens FILE --clients N\n"
                "                  --duration S --ledger OUT.jsonl [--seed 1] [--host 127.0.0.1] [--threads 1]\n"
                "                  [--rate CLAIMS_PER_S]");
      std::exit(0);
    } else {
      Die("unknown option " + a);
    }
  }
  if (o.ports.empty() || o.project.empty() || o.labels.empty() || o.tokens_file.empty() || o.ledger.empty())
    Die("--port, --project, --labels, --tokens and --ledger are required (--help)");
  if (o.clients <= 0 || o.threads <= 0) Die("--clients and --threads must be positive");
  if (o.rate < 0) Die("--rate must be >= 0");
  return o;
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void AppendDoubles(std::string& out, const std::vector<Client>& clients, std::vector<double> Client::*field) {
  out += '[';
  bool first = true;
  char buf[32];
  for (const Client& c : clients) {
    for (double v : c.*field) {
      if (!first) out += ',';
      first = false;
      std::snprintf(buf, sizeof buf, "%.3f", v);
      out += buf;
    }
  }
  out += ']';
}

void WriteLedger(const Options& o, const std::vector<Client>& clients, double seconds, double cpu_s) {
  std::FILE* f = std::fopen(o.ledger.c_str(), "w");
  if (!f) Die("cannot write " + o.ledger + ": " + std::strerror(errno));
  std::string line;
  char buf[64];
  for (const Client& c : clients) {
    for (const Event& e : c.events) {
      line.clear();
      switch (e.type) {
        case Event::kClaim:
          line += "{\"t\":\"claim\",\"c\":" + std::to_string(c.idx) + ",\"item\":";
          AppendJsonString(line, e.item);
          line += ",\"lease\":";
          AppendJsonString(line, e.lease);
          std::snprintf(buf, sizeof buf, ",\"at\":%.6f}\n", e.at);
          line += buf;
          break;
        case Event::kEnd:
          line += "{\"t\":\"end\",\"c\":" + std::to_string(c.idx) + ",\"lease\":";
          AppendJsonString(line, e.lease);
          std::snprintf(buf, sizeof buf, ",\"kind\":\"%s\",\"at\":%.6f,\"status\":", e.skip ? "skip" : "release", e.at);
          line += buf;
          line += e.status ? std::to_string(e.status) : "null";
          line += "}\n";
          break;
        case Event::kAck:
        case Event::kUnknown:
          line += e.type == Event::kAck ? "{\"t\":\"ack\"" : "{\"t\":\"unknown\"";
          line += ",\"c\":" + std::to_string(c.idx) + ",\"item\":";
          AppendJsonString(line, e.item);
          line += ",\"lease\":";
          AppendJsonString(line, e.lease);
          line += ",\"label\":";
          AppendJsonString(line, o.labels[e.label]);
          line += "}\n";
          break;
      }
      std::fwrite(line.data(), 1, line.size(), f);
    }
  }
  // The summary: everything loadgen.py's own clients would have counted.
  int64_t round_trips = 0, empty = 0, errors = 0;
  std::map<int, int64_t> status;
  std::vector<std::string> samples;
  for (const Client& c : clients) {
    round_trips += c.round_trips;
    empty += c.empty;
    errors += c.errors;
    for (auto& [k, v] : c.status_counts) status[k] += v;
    for (const std::string& s : c.error_samples)
      if (samples.size() < kErrorSamples) samples.push_back(s);
  }
  line = "{\"t\":\"summary\",\"clients\":" + std::to_string(o.clients) + ",\"threads\":" + std::to_string(o.threads);
  std::snprintf(buf, sizeof buf, ",\"rate\":%.1f", o.rate);
  line += buf;
  std::snprintf(buf, sizeof buf, ",\"seconds\":%.3f,\"cpu_s\":%.3f", seconds, cpu_s);
  line += buf;
  line += ",\"round_trips\":" + std::to_string(round_trips) + ",\"empty\":" + std::to_string(empty) +
          ",\"errors\":" + std::to_string(errors) + ",\"errors_sample\":[";
  for (size_t k = 0; k < samples.size(); ++k) {
    if (k) line += ',';
    AppendJsonString(line, samples[k]);
  }
  line += "],\"status_counts\":{";
  bool first = true;
  for (auto& [k, v] : status) {
    if (!first) line += ',';
    first = false;
    line += "\"" + std::to_string(k) + "\":" + std::to_string(v);
  }
  line += "},\"status_by_port\":{";
  for (size_t p = 0; p < o.ports.size(); ++p) {
    std::map<int, int64_t> by_status;
    for (const Client& c : clients)
      for (auto& [k, v] : c.port_status[p]) by_status[k] += v;
    if (p) line += ',';
    line += "\"" + std::to_string(o.ports[p]) + "\":{";
    bool first_status = true;
    for (auto& [k, v] : by_status) {
      if (!first_status) line += ',';
      first_status = false;
      line += "\"" + std::to_string(k) + "\":" + std::to_string(v);
    }
    line += '}';
  }
  line += "},\"claim_ms\":";
  AppendDoubles(line, clients, &Client::claim_ms);
  line += ",\"submit_ms\":";
  AppendDoubles(line, clients, &Client::submit_ms);
  line += ",\"slow_claims\":[";
  bool first_slow = true;
  for (const auto& c : clients) {
    for (const auto& [at, ms] : c.slow_claims) {
      if (!first_slow) line += ',';
      first_slow = false;
      char buf[64];
      std::snprintf(buf, sizeof(buf), "[%.3f,%.1f]", at, ms);
      line += buf;
    }
  }
  line += "]}\n";
  std::fwrite(line.data(), 1, line.size(), f);
  if (std::fclose(f) != 0) Die("cannot write " + o.ledger + ": " + std::strerror(errno));
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseArgs(argc, argv);

  std::vector<std::string> tokens;
  {
    std::ifstream in(o.tokens_file);
    if (!in) Die("cannot read " + o.tokens_file);
    std::string t;
    while (std::getline(in, t)) {
      std::string_view v = Trim(t);
      if (!v.empty()) tokens.emplace_back(v);
    }
  }
  if (static_cast<int>(tokens.size()) < o.clients)
    Die("need " + std::to_string(o.clients) + " tokens, have " + std::to_string(tokens.size()));

  std::vector<sockaddr_in> addrs;
  {
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(o.host.c_str(), nullptr, &hints, &res);
    if (rc != 0 || !res) Die("cannot resolve " + o.host + ": " + gai_strerror(rc));
    for (int port : o.ports) {
      sockaddr_in addr{};
      std::memcpy(&addr, res->ai_addr, sizeof addr);
      addr.sin_port = htons(static_cast<uint16_t>(port));
      addrs.push_back(addr);
    }
    freeaddrinfo(res);
  }

  std::vector<Client> clients;
  clients.reserve(o.clients);
  for (int i = 0; i < o.clients; ++i)
    clients.emplace_back(i, tokens[i], static_cast<uint64_t>(std::llabs(o.seed * 1000 + i)), o.ports.size());

  int nthreads = std::min(o.threads, o.clients);
  int max_opening = std::max(1, kMaxOpening / nthreads);
  std::vector<std::vector<Client*>> shares(nthreads);
  for (int i = 0; i < o.clients; ++i) shares[i % nthreads].push_back(&clients[i]);

  double cpu0 = CpuSeconds();
  Mono::time_point start = Mono::now();
  Mono::time_point deadline = start + std::chrono::duration_cast<Mono::duration>(std::chrono::duration<double>(o.duration));
  std::vector<std::thread> threads;
  for (int t = 0; t < nthreads; ++t)
    threads.emplace_back([&, t] { Worker(o, addrs, shares[t], deadline, max_opening).Run(); });
  for (std::thread& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Mono::now() - start).count();
  double cpu_s = CpuSeconds() - cpu0;

  WriteLedger(o, clients, seconds, cpu_s);
  return 0;
}

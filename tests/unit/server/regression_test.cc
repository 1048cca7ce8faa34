// Named regression tests for defects found by probing the server from outside: each one failed
// before its fix.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "io/importer.h"
#include "support/faulty_vfs.h"
#include "unit/server/server_fixture.h"

namespace hitloop {
namespace {

using testing::ServerFixture;

// An anonymous multipart POST made httplib's content reader throw: 500 instead of a refusal.
TEST(Regression, MultipartBodyIsRefusedWith415) {
  ServerFixture f;
  f.AddProject("p", {"a", "b"});
  f.AddUser("adm", Role::kAdmin, {"general"}, {});
  f.Start();
  httplib::Client cli("127.0.0.1", f.port());
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\ntok-adm\r\n--XyZ--\r\n";
  auto r = cli.Post("/api/v1/session", body, "multipart/form-data; boundary=XyZ");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415) << r->body;
  // Also on an authenticated JSON route and on the streaming upload.
  httplib::Headers auth = {{"Authorization", "Bearer tok-adm"}};
  r = cli.Post("/api/v1/projects", auth, body, "multipart/form-data; boundary=XyZ");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415) << r->body;
  r = cli.Post("/api/v1/projects/p/import?format=jsonl", auth, body, "Multipart/Form-Data; boundary=XyZ");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415) << r->body;
  // The server is still fine.
  EXPECT_EQ(f.Call("", "GET", "/healthz").status, 200);
}

// Amend took negative times; huge ones overflowed the sums in the metrics.
TEST(Regression, TimeSpentIsBoundedOnSubmitAndAmend) {
  ServerFixture f;
  auto p = f.AddProject("p", {"a", "b"});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  f.AddUser("adm", Role::kAdmin, {"general"}, {});
  f.AddQueuedItems(p, 2);
  f.Start();
  auto next = f.Call("ann", "POST", "/api/v1/projects/p/tasks/next", "{}");
  ASSERT_EQ(next.status, 200) << next.body;
  const std::string lease = next.json()["lease"]["id"];
  const std::string submit = "/api/v1/leases/" + lease + "/submit";
  const std::string amend = "/api/v1/leases/" + lease + "/amend";
  for (const char* bad : {"-1", "86400001", "9223372036854775807", "18446744073709551615"}) {
    const std::string body = std::string(R"({"label":"a","time_spent_ms":)") + bad + "}";
    EXPECT_EQ(f.Call("ann", "POST", submit, body).status, 400) << bad;
  }
  EXPECT_EQ(f.Call("ann", "POST", submit, R"({"label":"a","time_spent_ms":1500})").status, 200);
  for (const char* bad : {"-5", "86400001", "18446744073709551615"}) {
    const std::string body = std::string(R"({"label":"b","time_spent_ms":)") + bad + "}";
    EXPECT_EQ(f.Call("ann", "POST", amend, body).status, 400) << bad;
  }
  EXPECT_EQ(f.Call("ann", "POST", amend, R"({"label":"b","time_spent_ms":86400000})").status, 200);
  auto m = f.Call("adm", "GET", "/api/v1/projects/p/metrics");
  ASSERT_EQ(m.status, 200) << m.body;
  ASSERT_EQ(m.json()["annotators"].size(), 1u) << m.body;
  EXPECT_EQ(m.json()["annotators"][0]["mean_time_ms"], (1500 + 86400000) / 2);
}

// The dashboard's annotators table listed "import" (the items' own imported labels, which are no
// person's answers) as an annotator, and averaged times over answers with no measured time (0:
// imported answers), so someone with one timed answer among many imported ones showed ~0 s.
TEST(Regression, MetricsLeaveOutImportedLabelsAndUnmeasuredTimes) {
  ServerFixture f;
  auto p = f.AddProject("p", {"a", "b"});
  f.AddUser("adm", Role::kAdmin, {"general"}, {});
  const std::vector<int64_t> ids = f.AddQueuedItems(p, 3);
  auto add = [&](int64_t item, const std::string& who, const std::string& kind, int64_t ms) {
    Annotation a;
    a.item_id = item;
    a.labels = {"a"};
    a.annotator = who;
    a.kind = kind;
    a.time_spent_ms = ms;
    ASSERT_TRUE(f.store().AppendAnnotation(a).ok());
  };
  add(ids[0], "import", "import", 0);
  add(ids[0], "w1", "answer", 0);
  add(ids[1], "w1", "answer", 0);
  add(ids[2], "w1", "review", 3000);
  f.Start();
  auto m = f.Call("adm", "GET", "/api/v1/projects/p/metrics");
  ASSERT_EQ(m.status, 200) << m.body;
  ASSERT_EQ(m.json()["annotators"].size(), 1u) << m.body;
  EXPECT_EQ(m.json()["annotators"][0]["annotator"], "w1");
  EXPECT_EQ(m.json()["annotators"][0]["answers"], 3);
  EXPECT_EQ(m.json()["annotators"][0]["mean_time_ms"], 3000);
}

}  // namespace
}  // namespace hitloop

namespace hitloop {
namespace {

// A full disk answered 413 with the server's absolute database path, and /healthz stayed green
// while every later write failed until a restart.
TEST(Regression, DiskFullIs503WithoutPathsAndHealthReportsTheStoppedWriter) {
  testing::InstallFaultyVfs();
  ServerFixture f;
  auto p = f.AddProject("p", {"a", "b"});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  const std::vector<int64_t> ids = f.AddQueuedItems(p, 3);
  f.Start();
  auto next = f.Call("ann", "POST", "/api/v1/projects/p/tasks/next", "{}");
  ASSERT_EQ(next.status, 200) << next.body;
  ASSERT_EQ(next.json()["item"]["id"], "i1");
  const std::string lease = next.json()["lease"]["id"];
  EXPECT_EQ(f.Call("", "GET", "/healthz").status, 200);

  testing::SetDiskFull(true);
  auto submit = f.Call("ann", "POST", "/api/v1/leases/" + lease + "/submit", R"({"label":"a"})");
  testing::SetDiskFull(false);
  EXPECT_TRUE(submit.status == 503 || submit.status == 507) << submit.status << " " << submit.body;
  EXPECT_EQ(submit.body.find(f.db_path()), std::string::npos) << submit.body;
  EXPECT_EQ(submit.body.find("hitloop.db"), std::string::npos) << submit.body;
  EXPECT_EQ(submit.body.find('/'), std::string::npos) << submit.body;

  // The writer is fail-stop after a failed commit: health says so (and stays so).
  auto health = f.Call("", "GET", "/healthz");
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_EQ(health.json()["writer"], "stopped") << health.body;
  EXPECT_EQ(health.body.find('/'), std::string::npos) << health.body;
  // Nothing acknowledged was lost: the submit was not acknowledged, and the item has no label.
  f.Stop();
  auto anns = f.store().ListAnnotations(ids[0]);
  ASSERT_TRUE(anns.ok());
  EXPECT_TRUE(anns->empty());
}

// Vectors of mixed length were accepted at import; every later cycle then failed naming an
// internal record index. The import now stops at the record, naming file and line.
TEST(Regression, VectorsOfMixedLengthAreRefusedAtImportWithFileAndLine) {
  ServerFixture f;
  auto p = f.AddProject("p", {"a", "b"});
  testing::TempDir dir;
  const std::string path = dir.File("v.jsonl");
  {
    std::ofstream out(path);
    out << R"({"id":"x1","text":"one","vector":[0.1,0.2,0.3]})" << "\n"
        << R"({"id":"x2","text":"two","vector":[0.1,0.2,0.3]})" << "\n"
        << R"({"id":"x3","text":"three","vector":[0.1,0.2]})" << "\n";
  }
  auto r = io::ImportFile(f.store(), p, path, &io::kJsonlFormat, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(path + ":3: vector: has 2 dimensions"), std::string::npos)
      << r.status().ToString();
  // All or nothing: nothing of the file was stored; a consistent file then imports, and a later
  // file must match the project's vectors.
  {
    std::ofstream out(path);
    out << R"({"id":"x1","text":"one","vector":[0.1,0.2]})" << "\n";
  }
  ASSERT_TRUE(io::ImportFile(f.store(), p, path, &io::kJsonlFormat, {}).ok());
  {
    std::ofstream out(path);
    out << R"({"id":"y1","text":"more"})" << "\n"
        << R"({"id":"y2","text":"more","vector":[1,2,3,4]})" << "\n";
  }
  r = io::ImportFile(f.store(), p, path, &io::kJsonlFormat, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(path + ":2: vector: has 4 dimensions, the project's vectors have 2"),
            std::string::npos)
      << r.status().ToString();
}

}  // namespace
}  // namespace hitloop

namespace hitloop {
namespace {

// A raw TCP connection to the test server.
class RawConn {
 public:
  explicit RawConn(int port, const char* source = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (source != nullptr) {
      sockaddr_in src{};
      src.sin_family = AF_INET;
      ::inet_pton(AF_INET, source, &src.sin_addr);
      (void)::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof(src));
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  }
  ~RawConn() { ::close(fd_); }
  bool ok() const { return ok_; }
  bool Send(const std::string& s) { return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()); }
  // Everything until the peer closes or `ms` pass.
  std::string ReadAll(int ms) {
    std::string out;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
      if (left <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

// Header bytes at one a second held a worker thread each for as long as the client liked (the
// read timeout was per read): with --threads 8, eight such sockets starved everyone.
TEST(Regression, SlowHeaderClientsDoNotStarveWorkers) {
  ServerFixture f;  // 8 worker threads
  f.AddProject("p", {"a", "b"});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  f.Start();
  std::vector<std::unique_ptr<RawConn>> slow;
  for (int i = 0; i < 32; ++i) {
    slow.push_back(std::make_unique<RawConn>(f.port()));
    ASSERT_TRUE(slow.back()->ok());
    ASSERT_TRUE(slow.back()->Send("GET /api/v1/me HTTP/1.1\r\nHost: x\r\n"));
  }
  std::atomic<bool> done{false};
  std::thread drip([&] {
    while (!done) {
      for (auto& c : slow) c->Send("X");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // Normal clients are served at once, with every slow socket still open and dripping.
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i) {
    auto r = f.Call("ann", "GET", "/api/v1/me");
    ASSERT_EQ(r.status, 200) << i;
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  done = true;
  drip.join();
  EXPECT_LT(ms, 5000);
}

// The total deadline: a header that never ends is cut off (408) after request_timeout_s, and so
// is a body that trickles; too many header lines are refused (431).
TEST(Regression, RequestsHaveATotalDeadlineAndAHeaderCountCap) {
  ServerFixture f;
  f.AddProject("p", {"a", "b"});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  f.configure = [](server::ServerOptions& o) { o.request_timeout_s = 1; };
  f.Start();
  RawConn header(f.port());
  ASSERT_TRUE(header.Send("GET /api/v1/me HTTP/1.1\r\nHost: x\r\n"));
  const auto t0 = std::chrono::steady_clock::now();
  std::string got;
  for (int i = 0; i < 30 && got.empty(); ++i) {
    header.Send("X");
    got = header.ReadAll(100);
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_NE(got.find("408"), std::string::npos) << got;
  EXPECT_LT(ms, 2500);

  RawConn body(f.port());
  ASSERT_TRUE(body.Send("POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Content-Length: " + std::to_string(100) + "\r\n\r\n{"));
  got.clear();
  for (int i = 0; i < 30 && got.empty(); ++i) {
    body.Send(" ");
    got = body.ReadAll(100);
  }
  EXPECT_NE(got.find("408"), std::string::npos) << got;

  RawConn many(f.port());
  std::string req = "GET /api/v1/me HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) req += "X-H" + std::to_string(i) + ": v\r\n";
  ASSERT_TRUE(many.Send(req + "\r\n"));
  got = many.ReadAll(2000);
  EXPECT_NE(got.find("431"), std::string::npos) << got;
  // Normal requests still work.
  EXPECT_EQ(f.Call("ann", "GET", "/api/v1/me").status, 200);
}

// Per-address connection limit: the connections beyond it are answered 503 at once, while other
// addresses are served.
TEST(Regression, ConnectionsPerAddressAreCapped) {
  ServerFixture f;
  f.AddProject("p", {"a", "b"});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  f.configure = [](server::ServerOptions& o) { o.max_connections_per_address = 4; };
  f.Start();
  std::vector<std::unique_ptr<RawConn>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<RawConn>(f.port(), "127.0.0.2"));
    ASSERT_TRUE(held.back()->ok());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RawConn extra(f.port(), "127.0.0.2");
  ASSERT_TRUE(extra.ok());
  EXPECT_NE(extra.ReadAll(2000).find("503"), std::string::npos);
  EXPECT_EQ(f.Call("ann", "GET", "/api/v1/me").status, 200);  // from 127.0.0.1
  held.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RawConn again(f.port(), "127.0.0.2");
  ASSERT_TRUE(again.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_NE(again.ReadAll(2000).find("200 OK"), std::string::npos);
}

}  // namespace
}  // namespace hitloop

namespace hitloop {
namespace {

// Guessing tokens is throttled per client address: past the limit of failures in a minute,
// token and sign-in attempts from that address get 429 (a good token too) until the minute
// ends; other addresses are unaffected.
TEST(Security, BadTokensAreThrottledPerAddress) {
  ServerFixture f;
  f.AddProject("p", {"a", "b"});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  f.configure = [](server::ServerOptions& o) { o.auth_failures_per_minute = 5; };
  f.Start();
  EXPECT_EQ(f.Call("ann", "GET", "/api/v1/me").status, 200);
  httplib::Client cli("127.0.0.1", f.port());
  for (int i = 0; i < 3; ++i) {
    auto r = cli.Get("/api/v1/me", {{"Authorization", "Bearer guess" + std::to_string(i)}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  for (int i = 0; i < 2; ++i) {
    auto r = cli.Post("/api/v1/session", R"({"token":"guess"})", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  auto blocked = cli.Get("/api/v1/me", {{"Authorization", "Bearer guess-again"}});
  ASSERT_TRUE(blocked);
  EXPECT_EQ(blocked->status, 429);
  EXPECT_FALSE(blocked->get_header_value("Retry-After").empty());
  EXPECT_EQ(f.Call("ann", "GET", "/api/v1/me").status, 429);
  auto signin = cli.Post("/api/v1/session", R"({"token":"tok-ann"})", "application/json");
  ASSERT_TRUE(signin);
  EXPECT_EQ(signin->status, 429);
  // Anonymous public routes are not affected; another address is not either.
  EXPECT_EQ(f.Call("", "GET", "/healthz").status, 200);
  RawConn other(f.port(), "127.0.0.2");
  ASSERT_TRUE(other.Send("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok-ann\r\n"
                         "Connection: close\r\n\r\n"));
  EXPECT_NE(other.ReadAll(3000).find("200 OK"), std::string::npos);
  // The window ends with the (fake) clock's minute.
  f.clock().Advance(61'000);
  EXPECT_EQ(f.Call("ann", "GET", "/api/v1/me").status, 200);
}

}  // namespace
}  // namespace hitloop

// Outbound safety (net/outbound.h): a table of tricky URLs, every one served or refused on
// loopback. A loopback test server stands in for both "the internal service an attacker wants"
// and "the model backend an administrator allowed".
#include "net/outbound.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace hitloop::net {
namespace {

class LoopbackServer {
 public:
  LoopbackServer() {
    svr_.Get("/ok", [this](const httplib::Request& req, httplib::Response& res) {
      ++hits;
      res.set_content("hello from " + req.get_header_value("Host"), "text/plain");
    });
    svr_.Post("/echo", [this](const httplib::Request& req, httplib::Response& res) {
      ++hits;
      res.set_content(req.get_header_value("Authorization") + "|" + req.body, "text/plain");
    });
    auto redirect = [this](const std::string& path, std::function<std::string()> to) {
      svr_.Get(path, [this, to](const httplib::Request&, httplib::Response& res) {
        ++hits;
        res.status = 302;
        res.set_header("Location", to());
      });
    };
    redirect("/to-private", [] { return std::string("http://10.0.0.1/admin"); });
    redirect("/to-metadata", [] { return std::string("http://169.254.169.254/latest/meta-data/"); });
    redirect("/to-mapped", [this] { return "http://[::ffff:127.0.0.1]:" + std::to_string(port) + "/ok"; });
    redirect("/to-other-port", [this] { return "http://127.0.0.1:" + std::to_string(port + 1) + "/ok"; });
    redirect("/to-same", [] { return std::string("/ok"); });
    redirect("/to-same-absolute", [this] { return "http://127.0.0.1:" + std::to_string(port) + "/ok"; });
    redirect("/loop", [] { return std::string("/loop"); });
    svr_.Get("/big", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      res.set_content(std::string(64 * 1024, 'x'), "text/plain");
    });
    svr_.Get("/big-chunked", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
        std::string chunk(4096, 'y');
        sink.write(chunk.data(), chunk.size());
        if (offset > 256 * 1024) sink.done();
        return true;
      });
    });
    svr_.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content("late", "text/plain");
    });
    port = svr_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    while (!svr_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LoopbackServer() {
    svr_.stop();
    thread_.join();
  }
  int port = 0;
  std::atomic<int> hits{0};

 private:
  httplib::Server svr_;
  std::thread thread_;
};

// Names the tests control; anything else goes to the system resolver ("localhost").
class FakeResolver : public Resolver {
 public:
  Result<std::vector<IpAddress>> Resolve(const std::string& host) override {
    ++calls;
    auto it = names.find(host);
    if (it == names.end()) return SystemResolver()->Resolve(host);
    std::vector<IpAddress> out;
    for (const std::string& s : it->second) out.push_back(*ParseIp(s));
    return out;
  }
  std::map<std::string, std::vector<std::string>> names = {
      {"loopback-name.test", {"127.0.0.1"}},
      {"metadata-name.test", {"169.254.169.254"}},
      {"mixed.test", {"93.184.216.34", "127.0.0.1"}},
      {"v6-loopback.test", {"::1"}},
  };
  std::atomic<int> calls{0};
};

enum class Expect { kOk, kRefused, kInvalid, kTooBig, kIoError };

const char* Name(Expect e) {
  switch (e) {
    case Expect::kOk: return "ok";
    case Expect::kRefused: return "refused";
    case Expect::kInvalid: return "invalid";
    case Expect::kTooBig: return "too big";
    case Expect::kIoError: return "io error";
  }
  return "?";
}

Expect Classify(const Result<FetchResponse>& r) {
  if (r.ok()) return Expect::kOk;
  switch (r.status().code()) {
    case StatusCode::kPermissionDenied: return Expect::kRefused;
    case StatusCode::kInvalidArgument: return Expect::kInvalid;
    case StatusCode::kResourceExhausted: return Expect::kTooBig;
    default: return Expect::kIoError;
  }
}

std::string Fill(std::string s, int port) {
  for (size_t at = s.find("{port}"); at != std::string::npos; at = s.find("{port}")) {
    s.replace(at, 6, std::to_string(port));
  }
  return s;
}

struct Case {
  const char* url;
  const char* allow;  // "" or one HOST:PORT entry ({port} filled in)
  Expect expect;
  const char* why;
};

// clang-format off
const Case kCases[] = {
  // Loopback in every spelling: refused unless allowed, and the allowed spelling is canonical.
  {"http://127.0.0.1:{port}/ok", "", Expect::kRefused, "loopback"},
  {"http://127.0.0.1:{port}/ok", "127.0.0.1:{port}", Expect::kOk, "allowed by name"},
  {"http://2130706433:{port}/ok", "", Expect::kRefused, "decimal integer IPv4"},
  {"http://2130706433:{port}/ok", "127.0.0.1:{port}", Expect::kOk, "decimal form is the same canonical host"},
  {"http://0x7f000001:{port}/ok", "", Expect::kRefused, "hex integer IPv4"},
  {"http://0x7f.1:{port}/ok", "", Expect::kRefused, "hex and short form"},
  {"http://0177.0.0.1:{port}/ok", "", Expect::kRefused, "octal first byte"},
  {"http://0177.0000.0000.0001:{port}/ok", "", Expect::kRefused, "octal everywhere"},
  {"http://127.1:{port}/ok", "", Expect::kRefused, "two-part form"},
  {"http://127.0.1:{port}/ok", "", Expect::kRefused, "three-part form"},
  {"http://0:{port}/ok", "", Expect::kRefused, "0 is 0.0.0.0, which reaches loopback on Linux"},
  {"http://0.0.0.0:{port}/ok", "", Expect::kRefused, "unspecified"},
  {"http://[::1]:{port}/ok", "", Expect::kRefused, "IPv6 loopback"},
  {"http://[::ffff:127.0.0.1]:{port}/ok", "", Expect::kRefused, "IPv4-mapped IPv6"},
  {"http://[::ffff:7f00:1]:{port}/ok", "", Expect::kRefused, "IPv4-mapped, hex spelling"},
  {"http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/ok", "", Expect::kRefused, "IPv4-mapped, long spelling"},
  {"http://[::127.0.0.1]:{port}/ok", "", Expect::kRefused, "IPv4-compatible IPv6"},
  {"http://[64:ff9b::7f00:1]/", "", Expect::kRefused, "NAT64 of 127.0.0.1"},
  {"http://[2002:7f00:1::]/", "", Expect::kRefused, "6to4 of 127.0.0.1"},
  {"http://[fe80::1]/", "", Expect::kRefused, "IPv6 link-local"},
  {"http://[fd00:ec2::254]/", "", Expect::kRefused, "IPv6 unique local (AWS metadata over IPv6)"},
  {"http://[ff02::1]/", "", Expect::kRefused, "IPv6 multicast"},
  // Cloud metadata and private ranges.
  {"http://169.254.169.254/latest/meta-data/", "", Expect::kRefused, "cloud metadata"},
  {"http://0xa9fea9fe/latest/meta-data/", "", Expect::kRefused, "cloud metadata, hex"},
  {"http://2852039166/", "", Expect::kRefused, "cloud metadata, decimal"},
  {"http://10.0.0.1/", "", Expect::kRefused, "private 10/8"},
  {"http://172.16.5.4/", "", Expect::kRefused, "private 172.16/12"},
  {"http://172.31.255.255/", "", Expect::kRefused, "private 172.16/12, top"},
  {"http://192.168.1.1/", "", Expect::kRefused, "private 192.168/16"},
  {"http://100.64.0.1/", "", Expect::kRefused, "carrier-grade NAT"},
  {"http://224.0.0.1/", "", Expect::kRefused, "multicast"},
  {"http://255.255.255.255/", "", Expect::kRefused, "broadcast"},
  {"http://198.18.0.1/", "", Expect::kRefused, "benchmarking"},
  // Names that resolve to non-public addresses.
  {"http://localhost:{port}/ok", "", Expect::kRefused, "localhost resolves to loopback"},
  {"http://localhost.:{port}/ok", "", Expect::kRefused, "trailing dot"},
  {"http://LocalHost:{port}/ok", "", Expect::kRefused, "case"},
  {"http://localhost:{port}/ok", "localhost:{port}", Expect::kOk, "allowed by name"},
  {"http://localhost.:{port}/ok", "localhost:{port}", Expect::kOk, "trailing dot is the same name"},
  {"http://localhost:{port}/ok", "127.0.0.1:{port}", Expect::kRefused, "an address entry does not allow other names"},
  {"http://127.0.0.1:{port}/ok", "127.0.0.1:1", Expect::kRefused, "the port is part of the entry"},
  {"http://loopback-name.test:{port}/ok", "", Expect::kRefused, "a name resolving to loopback"},
  {"http://loopback-name.test:{port}/ok", "loopback-name.test:{port}", Expect::kOk, "connects to the resolved address, never re-resolves"},
  {"http://metadata-name.test/", "", Expect::kRefused, "a name resolving to cloud metadata"},
  {"http://mixed.test:{port}/ok", "", Expect::kRefused, "one public and one loopback address"},
  {"http://v6-loopback.test:{port}/ok", "", Expect::kRefused, "a name resolving to ::1"},
  // Redirects from an allowed loopback server.
  {"http://127.0.0.1:{port}/to-private", "127.0.0.1:{port}", Expect::kRefused, "redirect to 10/8"},
  {"http://127.0.0.1:{port}/to-metadata", "127.0.0.1:{port}", Expect::kRefused, "redirect to metadata"},
  {"http://127.0.0.1:{port}/to-mapped", "127.0.0.1:{port}", Expect::kRefused, "redirect to the same address spelled as IPv4-mapped"},
  {"http://127.0.0.1:{port}/to-other-port", "127.0.0.1:{port}", Expect::kRefused, "redirect to another port"},
  {"http://127.0.0.1:{port}/to-same", "127.0.0.1:{port}", Expect::kOk, "relative redirect, same origin"},
  {"http://127.0.0.1:{port}/to-same-absolute", "127.0.0.1:{port}", Expect::kOk, "absolute redirect, same origin"},
  {"http://127.0.0.1:{port}/loop", "127.0.0.1:{port}", Expect::kIoError, "redirect loop stops"},
  // Caps.
  {"http://127.0.0.1:{port}/big", "127.0.0.1:{port}", Expect::kTooBig, "Content-Length over the cap"},
  {"http://127.0.0.1:{port}/big-chunked", "127.0.0.1:{port}", Expect::kTooBig, "chunked body over the cap"},
  {"http://127.0.0.1:{port}/slow", "127.0.0.1:{port}", Expect::kIoError, "read time-out"},
  // URLs refused before any lookup.
  {"http://user:pass@127.0.0.1:{port}/ok", "127.0.0.1:{port}", Expect::kInvalid, "user info"},
  {"http://example.com@127.0.0.1:{port}/ok", "", Expect::kInvalid, "looks like example.com"},
  {"ftp://127.0.0.1/", "", Expect::kInvalid, "scheme"},
  {"file:///etc/passwd", "", Expect::kInvalid, "file scheme"},
  {"gopher://127.0.0.1:6379/_INFO", "", Expect::kInvalid, "gopher scheme"},
  {"http://1.2.3.256/", "", Expect::kInvalid, "numeric host that is not IPv4"},
  {"http://0x100000000/", "", Expect::kInvalid, "integer over 32 bits"},
  {"http://[::1%25lo]:{port}/", "", Expect::kInvalid, "IPv6 zone id"},
  {"http://127.0.0.1:0/", "", Expect::kInvalid, "port 0"},
  {"http://127.0.0.1:65536/", "", Expect::kInvalid, "port over 65535"},
  {"http://127.0.0.1\\@evil.test/", "", Expect::kInvalid, "backslash"},
  {"http://loc%61lhost/", "", Expect::kInvalid, "percent-escape in the host"},
  {"http://exa mple.test/", "", Expect::kInvalid, "space"},
};
// clang-format on

TEST(OutboundTable, TrickyUrls) {
  ASSERT_GE(std::size(kCases), 30u);
  LoopbackServer server;
  auto resolver = std::make_shared<FakeResolver>();
  FetchLimits limits;
  limits.connect_timeout_ms = 500;
  limits.read_timeout_ms = 500;
  limits.total_timeout_ms = 3000;
  limits.max_response_bytes = 16 * 1024;
  for (const Case& c : kCases) {
    const std::string url = Fill(c.url, server.port);
    std::vector<std::string> entries;
    if (*c.allow) entries.push_back(Fill(c.allow, server.port));
    auto allow = AllowList::Parse(entries);
    ASSERT_TRUE(allow.ok()) << allow.status().ToString();
    Fetcher f(*allow, resolver);
    const int hits_before = server.hits;
    FetchRequest req;
    req.url = url;
    auto r = f.Fetch(req, limits);
    EXPECT_EQ(Name(Classify(r)), std::string(Name(c.expect)))
        << url << " (allow '" << (entries.empty() ? "" : entries[0]) << "'): " << c.why << ": "
        << (r.ok() ? "status " + std::to_string(r->status) : r.status().ToString());
    if (c.expect == Expect::kOk && r.ok()) {
      EXPECT_EQ(r->status, 200) << url;
      EXPECT_EQ(r->address, "127.0.0.1") << url;
    }
    if (c.expect == Expect::kInvalid ||
        (c.expect == Expect::kRefused && std::string(c.url).find("/to-") == std::string::npos)) {
      EXPECT_EQ(server.hits, hits_before) << url << ": a refused request must not reach the server";
    }
  }
}

// The message says what was refused, why, and how an administrator would allow it.
TEST(Outbound, RefusalNamesAddressReasonAndAllowEntry) {
  Fetcher f(*AllowList::Parse({}));
  FetchRequest req;
  req.url = "http://0x7f.1:9090/predict";
  auto r = f.Fetch(req, FetchLimits{});
  ASSERT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("127.0.0.1"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("loopback"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("--allow-outbound 127.0.0.1:9090"), std::string::npos)
      << r.status().message();
}

// DNS rebinding (the pattern of Label Studio's CVE-2023-47116): the name answers a public
// address to the check and loopback afterwards. The name is resolved once, so the connection
// goes to the public address (unreachable here) and never to the loopback server.
class RebindingResolver : public Resolver {
 public:
  Result<std::vector<IpAddress>> Resolve(const std::string&) override {
    return std::vector<IpAddress>{*ParseIp(calls++ == 0 ? "93.184.216.34" : "127.0.0.1")};
  }
  std::atomic<int> calls{0};
};

TEST(Outbound, ResolvesOnceSoRebindingCannotReachLoopback) {
  LoopbackServer server;
  auto resolver = std::make_shared<RebindingResolver>();
  Fetcher f(*AllowList::Parse({}), resolver);
  FetchRequest req;
  req.url = "http://rebind.test:" + std::to_string(server.port) + "/ok";
  FetchLimits limits;
  limits.connect_timeout_ms = 300;
  limits.total_timeout_ms = 1000;
  auto r = f.Fetch(req, limits);
  EXPECT_FALSE(r.ok() && r->address == "127.0.0.1");
  EXPECT_EQ(resolver->calls, 1);
  EXPECT_EQ(server.hits, 0);
}

TEST(Outbound, PostSendsBodyAndBasicAuth) {
  LoopbackServer server;
  Fetcher f(*AllowList::Parse({"127.0.0.1:" + std::to_string(server.port)}));
  FetchRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:" + std::to_string(server.port) + "/echo";
  req.body = R"({"tasks":[]})";
  req.basic_user = "ml";
  req.basic_pass = "s3cret";
  auto r = f.Fetch(req, FetchLimits{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // base64("ml:s3cret")
  EXPECT_EQ(r->body, "Basic bWw6czNjcmV0|{\"tasks\":[]}");
}

TEST(Outbound, PublicAddressesAreNotReserved) {
  for (const char* s : {"93.184.216.34", "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1",
                        "2606:4700:4700::1111", "2a00:1450:4001:81b::200e"}) {
    EXPECT_EQ(ReservedReason(*ParseIp(s)), "") << s;
  }
}

TEST(Outbound, LooseIpv4FormsAreCanonical) {
  EXPECT_EQ(*ParseIpv4Loose("2130706433"), "127.0.0.1");
  EXPECT_EQ(*ParseIpv4Loose("0x7f.1"), "127.0.0.1");
  EXPECT_EQ(*ParseIpv4Loose("0177.0.0.01"), "127.0.0.1");
  EXPECT_EQ(*ParseIpv4Loose("10.1"), "10.0.0.1");
  EXPECT_EQ(*ParseIpv4Loose("192.168.257"), "192.168.1.1");
  EXPECT_FALSE(ParseIpv4Loose("1.2.3.4.5").ok());
  EXPECT_FALSE(ParseIpv4Loose("08.1.1.1").ok());  // 8 is not an octal digit
  EXPECT_FALSE(ParseIpv4Loose("1.2.65536").ok());
}

TEST(Outbound, AllowEntriesAreCanonical) {
  EXPECT_EQ(*CanonicalAllowEntry("LOCALHOST.:9090"), "localhost:9090");
  EXPECT_EQ(*CanonicalAllowEntry("0x7f.1:80"), "127.0.0.1:80");
  EXPECT_EQ(*CanonicalAllowEntry("[0:0::1]:9090"), "[::1]:9090");
  EXPECT_FALSE(CanonicalAllowEntry("127.0.0.1").ok());
  EXPECT_FALSE(CanonicalAllowEntry("127.0.0.1:").ok());
  EXPECT_FALSE(CanonicalAllowEntry("http://127.0.0.1:9090").ok());
  EXPECT_FALSE(CanonicalAllowEntry("a@127.0.0.1:9090").ok());
}

}  // namespace
}  // namespace hitloop::net

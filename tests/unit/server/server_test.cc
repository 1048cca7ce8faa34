// Server behaviour outside the route handlers: browser sessions and their CSRF guard, security
// headers, size limits, static files, import/export round trip, shutdown with requests in flight.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "server/server_impl.h"
#include "unit/server/server_fixture.h"

namespace hitloop {
namespace {

using testing::ServerFixture;

std::string SessionCookieFrom(const testing::HttpReply& r) {
  std::string set = r.header("Set-Cookie");
  size_t eq = set.find('=');
  size_t semi = set.find(';');
  return set.substr(0, semi == std::string::npos ? set.size() : semi).substr(0, eq) == "hitloop_session"
             ? set.substr(0, semi)
             : "";
}

TEST(Server, SignInSetsHardenedSessionCookie) {
  ServerFixture f;
  f.AddProject("p", {"a", "b"});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  f.Start();
  auto bad = f.Call("", "POST", "/api/v1/session", R"({"token":"tok-nobody"})");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.header("Set-Cookie"), "");
  auto r = f.Call("", "POST", "/api/v1/session", R"({"token":"tok-ann"})");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string set = r.header("Set-Cookie");
  EXPECT_NE(set.find("HttpOnly"), std::string::npos) << set;
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos) << set;
  EXPECT_NE(set.find("Path=/"), std::string::npos) << set;
  std::string cookie = SessionCookieFrom(r);
  ASSERT_FALSE(cookie.empty());
  EXPECT_EQ(cookie.find("tok-ann"), std::string::npos) << "the cookie must not carry the API token";

  auto me = f.Call("", "GET", "/api/v1/me", "", {{"Cookie", cookie}});
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.json()["user"]["name"], "ann");

  // An unsafe request riding on the cookie alone is refused (CSRF); with the header it passes.
  auto csrf = f.Call("", "POST", "/api/v1/projects/p/tasks/next", "", {{"Cookie", cookie}});
  EXPECT_EQ(csrf.status, 403);
  auto ok = f.Call("", "POST", "/api/v1/projects/p/tasks/next", "",
                   {{"Cookie", cookie}, {"X-Requested-With", "hitloop"}});
  EXPECT_EQ(ok.status, 204);

  // Sign out ends the session server-side, not just in the browser.
  auto out = f.Call("", "DELETE", "/api/v1/session", "", {{"Cookie", cookie}, {"X-Requested-With", "hitloop"}});
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(f.Call("", "GET", "/api/v1/me", "", {{"Cookie", cookie}}).status, 401);
}

TEST(Server, SessionsExpireWithTheClock) {
  ServerFixture f;
  f.AddUser("ann", Role::kAnnotator, {"general"}, {});
  f.Start();
  auto r = f.Call("", "POST", "/api/v1/session", R"({"token":"tok-ann"})");
  std::string cookie = SessionCookieFrom(r);
  EXPECT_EQ(f.Call("", "GET", "/api/v1/me", "", {{"Cookie", cookie}}).status, 200);
  f.clock().Advance(13LL * 3600 * 1000);  // default session TTL is 12 h
  EXPECT_EQ(f.Call("", "GET", "/api/v1/me", "", {{"Cookie", cookie}}).status, 401);
}

TEST(Server, MalformedOrForgedCredentials) {
  ServerFixture f;
  f.AddUser("ann", Role::kAnnotator, {"general"}, {});
  f.Start();
  EXPECT_EQ(f.Call("", "GET", "/api/v1/me", "", {{"Authorization", "Basic YWRtaW46YWRtaW4="}}).status, 401);
  EXPECT_EQ(f.Call("", "GET", "/api/v1/me", "", {{"Authorization", "Bearer "}}).status, 401);
  EXPECT_EQ(f.Call("", "GET", "/api/v1/me", "", {{"Authorization", "Bearer tok-ann2"}}).status, 401);
  EXPECT_EQ(f.Call("", "GET", "/api/v1/me", "", {{"Authorization", "Bearer tok-an"}}).status, 401);
  EXPECT_EQ(f.Call("", "GET", "/api/v1/me", "", {{"Cookie", "hitloop_session=tok-ann"}}).status, 401);
  EXPECT_EQ(f.Call("", "GET", "/api/v1/me", "", {{"Cookie", "hitloop_session="}}).status, 401);
}

TEST(Server, SecurityHeadersOnEveryResponse) {
  ServerFixture f;
  f.Start();
  for (const char* path : {"/", "/admin", "/assets/app.js", "/api/v1/me", "/nope"}) {
    auto r = f.Call("", "GET", path);
    std::string csp = r.header("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << path;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << path;
    EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(r.header("X-Frame-Options"), "DENY") << path;
  }
  EXPECT_EQ(f.Call("", "GET", "/assets/app.js").header("Content-Type"), "text/javascript; charset=utf-8");
}

TEST(Server, StaticFilesCannotEscape) {
  ServerFixture f;
  f.Start();
  for (const char* path : {"/assets/../index.html", "/assets/%2e%2e/index.html", "/assets/..%2fadmin.html",
                           "/assets/", "/assets/nope.js", "/assets//etc/passwd", "/index.html/../../etc/passwd"}) {
    auto r = f.Call("", "GET", path);
    EXPECT_TRUE(r.status == 404 || r.status == 400) << path << " -> " << r.status;
  }
}

TEST(Server, BodySizeLimitsAndContentType) {
  ServerFixture f;  // max_json_body is 64 KiB in the fixture
  f.AddProject("p", {"a", "b"});
  f.AddUser("adm", Role::kAdmin, {"general"}, {});
  f.Start();
  std::string big = R"({"name":"x","labels":["a"],"pad":")" + std::string(70 * 1024, 'x') + "\"}";
  EXPECT_EQ(f.Call("adm", "POST", "/api/v1/projects", big).status, 413);
  // The upload route takes bodies beyond the JSON limit.
  std::string jsonl;
  for (int i = 0; i < 2000; ++i) jsonl += R"({"id":"u)" + std::to_string(i) + R"(","text":")" + std::string(40, 'y') + "\"}\n";
  ASSERT_GT(jsonl.size(), 64u * 1024);
  auto up = f.Call("adm", "POST", "/api/v1/projects/p/import?format=jsonl", jsonl);
  EXPECT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.json()["inserted"], 2000);
  // A JSON route refuses other content types.
  httplib::Client cli("127.0.0.1", f.port());
  auto r = cli.Post("/api/v1/projects", {{"Authorization", "Bearer tok-adm"}}, R"({"name":"y","labels":["a"]})",
                    "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
}

TEST(Server, ImportThenExportRoundTrip) {
  ServerFixture f;
  f.AddProject("p", {"ham", "spam"});
  f.AddUser("adm", Role::kAdmin, {"general"}, {});
  f.Start();
  std::string jsonl =
      "{\"id\":\"a1\",\"text\":\"<b>bold</b> \\u0645\\u0631\\u062d\\u0628\\u0627\",\"label\":\"ham\"}\n"
      "{\"id\":\"a2\",\"text\":\"second\"}\n";
  auto up = f.Call("adm", "POST", "/api/v1/projects/p/import?format=jsonl", jsonl);
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.json()["inserted"], 2);
  auto bad = f.Call("adm", "POST", "/api/v1/projects/p/import?format=jsonl", "{\"id\":\"a3\"}\n");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.body.find("/tmp"), std::string::npos) << "temporary paths must not leak: " << bad.body;
  EXPECT_EQ(f.Call("adm", "POST", "/api/v1/projects/p/import?format=xml", jsonl).status, 400);
  auto down = f.Call("adm", "GET", "/api/v1/projects/p/export");
  ASSERT_EQ(down.status, 200);
  EXPECT_NE(down.header("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_NE(down.body.find("\"a1\""), std::string::npos) << down.body;
  EXPECT_NE(down.body.find("\"a2\""), std::string::npos) << down.body;
  EXPECT_NE(down.body.find("<b>bold</b>"), std::string::npos) << down.body;
}

TEST(Server, StopLetsInFlightSubmitsFinishAndLosesNothing) {
  ServerFixture f;
  Project p = f.AddProject("p", {"a", "b"});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  f.AddQueuedItems(p, 1000);
  f.Start();
  std::atomic<int> acknowledged{0};
  std::thread worker([&] {
    httplib::Client cli("127.0.0.1", f.port());
    cli.set_keep_alive(true);
    httplib::Headers auth = {{"Authorization", "Bearer tok-ann"}};
    while (true) {
      auto claim = cli.Post("/api/v1/projects/p/tasks/next", auth, "", "application/json");
      if (!claim || claim->status != 200) break;
      auto id = nlohmann::json::parse(claim->body)["lease"]["id"].get<std::string>();
      auto r = cli.Post(("/api/v1/leases/" + id + "/submit").c_str(), auth, R"({"label":"a"})", "application/json");
      if (!r) break;  // the server stopped: this answer was never acknowledged
      if (r->status == 200) ++acknowledged;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto t0 = std::chrono::steady_clock::now();
  f.Stop();
  auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  worker.join();
  std::printf("stop took %lld ms, %d acknowledged\n", static_cast<long long>(stop_ms), acknowledged.load());
  int64_t stored = 0;
  ASSERT_TRUE(f.store().ScanAnnotations(p.id, [&](const Annotation&) { ++stored; return true; }).ok());
  EXPECT_GT(acknowledged.load(), 0);
  // Every acknowledged label is stored; at most the one request cut off by the stop was stored
  // without its acknowledgement reaching the client.
  EXPECT_GE(stored, acknowledged.load());
  EXPECT_LE(stored, acknowledged.load() + 1);
}

// The scope cache (server/scope_cache.h): API changes are seen by the next request, changes by
// another process on the same database within the cache time, and additions at once.
TEST(Server, DisablingAUserThroughTheApiEndsAccessAtOnce) {
  ServerFixture f;
  f.AddProject("p", {"a", "b"});
  f.AddUser("boss", Role::kAdmin, {"general"}, {});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  f.scope_cache_ms = 60'000;  // long: only the API's own invalidation can end access
  f.Start();
  ASSERT_EQ(f.Call("ann", "GET", "/api/v1/me").status, 200);  // now cached
  ASSERT_EQ(f.Call("ann", "POST", "/api/v1/projects/p/tasks/next").status, 204);
  ASSERT_EQ(f.Call("boss", "POST", "/api/v1/users/ann/disable").status, 200);
  EXPECT_EQ(f.Call("ann", "GET", "/api/v1/me").status, 401);
  EXPECT_EQ(f.Call("ann", "POST", "/api/v1/projects/p/tasks/next").status, 401);
}

TEST(Server, ChangesByAnotherProcessAreSeenWithinTheScopeCacheTime) {
  ServerFixture f;
  Project p = f.AddProject("p", {"a", "b"});
  f.AddUser("ann", Role::kAnnotator, {"general"}, {"p"});
  f.scope_cache_ms = 200;
  f.Start();
  ASSERT_EQ(f.Call("ann", "GET", "/api/v1/me").status, 200);
  // A user and a membership added behind the server's back work at once (misses are not cached).
  User bob = f.AddUser("bob", Role::kAnnotator, {"general"}, {});
  EXPECT_EQ(f.Call("bob", "GET", "/api/v1/me").status, 200);
  EXPECT_EQ(f.Call("bob", "POST", "/api/v1/projects/p/tasks/next").status, 404);
  ASSERT_TRUE(f.store().AddMember(p.id, bob.id).ok());
  EXPECT_EQ(f.Call("bob", "POST", "/api/v1/projects/p/tasks/next").status, 204);
  // Disabling (the CLI's `user disable`) is seen once the cached entry is older than 200 ms.
  auto u = f.store().FindUserByName("ann");
  ASSERT_TRUE(u.ok() && u->has_value());
  ASSERT_TRUE(f.store().SetUserDisabled((*u)->id, true).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_EQ(f.Call("ann", "GET", "/api/v1/me").status, 401);
}

TEST(Server, ScopeCacheOffReadsEveryRequest) {
  ServerFixture f;
  f.AddUser("ann", Role::kAnnotator, {"general"}, {});
  f.scope_cache_ms = 0;
  f.Start();
  ASSERT_EQ(f.Call("ann", "GET", "/api/v1/me").status, 200);
  auto u = f.store().FindUserByName("ann");
  ASSERT_TRUE(u.ok() && u->has_value());
  ASSERT_TRUE(f.store().SetUserDisabled((*u)->id, true).ok());
  EXPECT_EQ(f.Call("ann", "GET", "/api/v1/me").status, 401);
}

TEST(Server, ASecondServerCannotTakeAPortInUse) {
  ServerFixture f;
  f.Start();
  server::ServerOptions o;
  o.db_path = f.db_path();
  o.port = f.port();
  o.threads = 2;
  o.access_log = false;
  server::Server second(o);
  Status st = second.Start();
  EXPECT_FALSE(st.ok()) << "two servers would silently share connections (SO_REUSEPORT)";
  EXPECT_EQ(f.Call("", "GET", "/healthz").status, 200);
}

TEST(Server, PagesNameVersionedAssetsWhichAloneMayBeCached) {
  ServerFixture f;
  f.Start();
  for (const char* page : {"/", "/admin", "/review"}) {
    auto r = f.Call("", "GET", page);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Cache-Control"), "no-store") << page;
    // Every asset the page names carries ?v=<16 hex>, and that URL may be kept for a year.
    size_t pos = 0;
    int assets = 0;
    while ((pos = r.body.find("\"/assets/", pos)) != std::string::npos) {
      size_t end = r.body.find('"', pos + 1);
      std::string url = r.body.substr(pos + 1, end - pos - 1);
      size_t q = url.find("?v=");
      ASSERT_NE(q, std::string::npos) << url;
      EXPECT_EQ(url.size() - q - 3, 16u) << url;
      auto a = f.Call("", "GET", url);
      EXPECT_EQ(a.status, 200) << url;
      EXPECT_EQ(a.header("Cache-Control"), "public, max-age=31536000, immutable") << url;
      // The same file under another version, or none, is not to be kept.
      EXPECT_EQ(f.Call("", "GET", url.substr(0, q)).header("Cache-Control"), "no-store") << url;
      EXPECT_EQ(f.Call("", "GET", url.substr(0, q) + "?v=0000000000000000").header("Cache-Control"), "no-store");
      ++assets;
      pos = end;
    }
    EXPECT_GE(assets, 3) << page;
  }
}

TEST(Server, NoBrotliEvenWhenTheBrowserAcceptsIt) {
  // cpp-httplib's brotli (quality 11) cost 5-20 ms a response; gzip is kept.
  ServerFixture f;
  f.Start();
  auto r = f.Call("", "GET", "/", "", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("Content-Encoding"), "br");
  auto only_br = f.Call("", "GET", "/", "", {{"Accept-Encoding", "br;q=1.0"}});
  ASSERT_EQ(only_br.status, 200);
  EXPECT_EQ(only_br.header("Content-Encoding"), "");
  EXPECT_NE(only_br.body.find("<html"), std::string::npos);
}

// --db-pool-size and --statement-timeout-ms are PostgreSQL's: a SQLite server refuses to start
// with them rather than ignore them.
TEST(Server, PostgresOnlyOptionsAreRefusedOnSqlite) {
  testing::TempDir dir;  // SQLite even when the fixture would use PostgreSQL
  const std::string db = dir.File("sqlite.db");
  ASSERT_TRUE(OpenSqliteStore(db).ok());
  for (int which = 0; which < 2; ++which) {
    server::ServerOptions o;
    o.db_path = db;
    o.port = 0;
    o.access_log = false;
    if (which == 0) o.db_pool_size = 2;
    if (which == 1) o.statement_timeout_ms = 500;
    server::Server s(o);
    const Status st = s.Start();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
    EXPECT_NE(st.message().find("PostgreSQL"), std::string::npos) << st.ToString();
  }
}

// The pool's cap (--db-pool-size): with every connection lent out, the next request waits for
// one to come back instead of opening another.
TEST(Server, StorePoolWaitsAtItsCap) {
  ServerFixture f;
  server::StorePool pool(f.db_path(), /*max_open=*/1);
  auto first = pool.Acquire();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::atomic<bool> got{false};
  std::thread second([&] {
    auto h = pool.Acquire();
    EXPECT_TRUE(h.ok());
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(got.load()) << "a second connection was opened past the cap";
  { auto done = std::move(*first); }  // returned to the pool
  second.join();
  EXPECT_TRUE(got.load());
}

}  // namespace
}  // namespace hitloop

#include "server/scope_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace hitloop::server {
namespace {

User MakeUser(int64_t id, const std::string& name) {
  User u;
  u.id = id;
  u.name = name;
  u.role = Role::kAnnotator;
  return u;
}

Project MakeProject(int64_t id, const std::string& name) {
  Project p;
  p.id = id;
  p.name = name;
  p.labels = {"a", "b"};
  return p;
}

TEST(ScopeCacheTest, KeepsWhatWasPutUntilTheTtl) {
  ScopeCache cache(/*ttl_ms=*/100);
  EXPECT_FALSE(cache.UserByTokenHash("h1"));
  cache.PutUser(cache.Generation(), "h1", MakeUser(7, "ann"));
  cache.PutProject(cache.Generation(), MakeProject(3, "p"));
  cache.PutMember(cache.Generation(), 3, 7);
  ASSERT_TRUE(cache.UserByTokenHash("h1"));
  EXPECT_EQ(cache.UserByTokenHash("h1")->name, "ann");
  EXPECT_EQ(cache.ProjectByName("p")->id, 3);
  EXPECT_EQ(cache.ProjectById(3)->name, "p");
  EXPECT_TRUE(cache.IsMember(3, 7));
  EXPECT_FALSE(cache.IsMember(3, 8));
  EXPECT_FALSE(cache.UserByTokenHash("h2"));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_FALSE(cache.UserByTokenHash("h1"));
  EXPECT_FALSE(cache.ProjectByName("p"));
  EXPECT_FALSE(cache.ProjectById(3));
  EXPECT_FALSE(cache.IsMember(3, 7));
}

TEST(ScopeCacheTest, ClearDropsEverythingAndRefusesReadsThatStartedBeforeIt) {
  ScopeCache cache(/*ttl_ms=*/60'000);
  cache.PutUser(cache.Generation(), "h1", MakeUser(7, "ann"));
  const uint64_t before = cache.Generation();  // a request starts reading...
  cache.Clear();                                // ...an admin changes something...
  EXPECT_FALSE(cache.UserByTokenHash("h1"));
  cache.PutUser(before, "h1", MakeUser(7, "ann"));  // ...and the stale read comes back
  cache.PutProject(before, MakeProject(3, "p"));
  cache.PutMember(before, 3, 7);
  EXPECT_FALSE(cache.UserByTokenHash("h1"));
  EXPECT_FALSE(cache.ProjectByName("p"));
  EXPECT_FALSE(cache.IsMember(3, 7));
  cache.PutUser(cache.Generation(), "h1", MakeUser(7, "ann"));
  EXPECT_TRUE(cache.UserByTokenHash("h1"));
}

TEST(ScopeCacheTest, ZeroTtlKeepsNothingAndTheSizeIsBounded) {
  ScopeCache off(/*ttl_ms=*/0);
  off.PutUser(off.Generation(), "h1", MakeUser(7, "ann"));
  EXPECT_FALSE(off.UserByTokenHash("h1"));

  ScopeCache small(/*ttl_ms=*/60'000, /*max_entries=*/3);
  for (int i = 0; i < 3; ++i) small.PutUser(small.Generation(), "h" + std::to_string(i), MakeUser(i, "u"));
  EXPECT_TRUE(small.UserByTokenHash("h0"));
  small.PutUser(small.Generation(), "h3", MakeUser(3, "u"));  // over the bound: starts over
  EXPECT_FALSE(small.UserByTokenHash("h0"));
  EXPECT_TRUE(small.UserByTokenHash("h3"));
}

// The server's workers read and fill the cache while admin routes clear it (scope_cache.h:
// "Thread-safe"). Four threads put, read and clear at once; every answer must be one that was
// put for that key. The TSan tier (scripts/test-tsan.sh) runs this to check the locking itself.
// Cross-process invalidation (PostgreSQL's scope version, store/scope_version.h): before it, a
// user disabled through another server stayed signed in on this one for the whole TTL.
TEST(ScopeCacheTest, AChangedScopeVersionClearsTheCacheAndAnUnchangedOneKeepsIt) {
  ScopeCache cache(/*ttl_ms=*/600000);
  cache.ObserveVersion(5);
  const uint64_t gen = cache.Generation();
  cache.PutUser(gen, "h1", MakeUser(7, "ann"));
  cache.PutMember(gen, 3, 7);
  cache.ObserveVersion(5);  // nothing changed: the entries stay
  EXPECT_TRUE(cache.UserByTokenHash("h1"));
  EXPECT_TRUE(cache.IsMember(3, 7));
  cache.ObserveVersion(6);  // another process changed users, members or projects
  EXPECT_FALSE(cache.UserByTokenHash("h1"));
  EXPECT_FALSE(cache.IsMember(3, 7));
  // A read that started before the change is not kept.
  cache.PutUser(gen, "h1", MakeUser(7, "ann"));
  EXPECT_FALSE(cache.UserByTokenHash("h1"));
}

TEST(ScopeCacheTest, UntilAVersionIsSeenEveryRequestAsksForIt) {
  ScopeCache cache(/*ttl_ms=*/600000);
  EXPECT_TRUE(cache.VersionCheckDue());  // SQLite keeps none: each request asks (a no-op there)
  EXPECT_TRUE(cache.VersionCheckDue());
}

TEST(ScopeCacheTest, WorkersReadingPuttingAndClearingAtOnceSeeOnlyWhatWasPut) {
  ScopeCache cache(/*ttl_ms=*/60'000, /*max_entries=*/50);
  std::atomic<int> wrong{0};
  std::atomic<int> hits{0};
  auto worker = [&](int t) {
    for (int i = 0; i < 2000; ++i) {
      const int k = (i * 7 + t) % 64;
      const uint64_t gen = cache.Generation();
      if (auto u = cache.UserByTokenHash("h" + std::to_string(k))) {
        hits++;
        if (u->id != k || u->name != "u" + std::to_string(k)) wrong++;
      } else {
        cache.PutUser(gen, "h" + std::to_string(k), MakeUser(k, "u" + std::to_string(k)));
      }
      if (auto p = cache.ProjectById(k)) {
        if (p->name != "p" + std::to_string(k)) wrong++;
      } else {
        cache.PutProject(gen, MakeProject(k, "p" + std::to_string(k)));
      }
      if (!cache.IsMember(k, k + 1)) cache.PutMember(gen, k, k + 1);
      if (cache.IsMember(k, k)) wrong++;  // never put
      if (t == 0 && i % 500 == 499) cache.Clear();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(worker, t);
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(hits.load(), 0);  // the threads did share entries
}

}  // namespace
}  // namespace hitloop::server

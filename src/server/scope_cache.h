#pragma once
// What the dispatcher reads on every request before the handler runs, kept in memory: the user
// behind an API token (by its hash), projects by name and by id, and project memberships.
// Without it every claim and submit read users, projects, labels and members from SQLite (about
// a quarter of the workers' CPU at 3,000 round trips/s, see bench/RESULTS.md).
//
// Freshness: an entry is used for at most `ttl_ms` of real time after it was read. The server
// clears the whole cache after every state-changing admin route (users, members, projects,
// cycles), so changes made through the API are seen by the next request; changes made by another
// process on the same database (the CLI: `user disable`, `user rotate-token`, `project
// add-label`) are seen within the TTL. Only positive answers are kept: an unknown token, a
// missing project or a missing membership is read from the database every time, so a user or
// membership added by the CLI works at once. A read that started before a Clear() is not kept
// (callers pass the Generation() they saw before reading). On PostgreSQL a change made by
// another process is also seen within kVersionCheckMs (VersionCheckDue/ObserveVersion below).
// Thread-safe.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "schema/types.h"
#include "store/store.h"

namespace hitloop::server {

class ScopeCache {
 public:
  explicit ScopeCache(int64_t ttl_ms, size_t max_entries = 10000)
      : ttl_(std::chrono::milliseconds(ttl_ms)), max_entries_(max_entries) {}

  // Take this before reading from the store; pass it to Put*.
  uint64_t Generation();
  std::optional<User> UserByTokenHash(const std::string& token_hash);
  void PutUser(uint64_t gen, const std::string& token_hash, const User& u);
  std::optional<Project> ProjectByName(const std::string& name);
  std::optional<Project> ProjectById(int64_t id);
  void PutProject(uint64_t gen, const Project& p);
  bool IsMember(int64_t project_id, int64_t user_id);  // false: not known to be (ask the store)
  void PutMember(uint64_t gen, int64_t project_id, int64_t user_id);
  void Clear();

  // Cross-process invalidation (PostgreSQL; store/scope_version.h): the dispatcher reads the
  // database's scope version when VersionCheckDue() says so (at most every kVersionCheckMs of
  // real time, one caller per period) and passes it to ObserveVersion(), which clears the cache
  // when it differs from the last version seen (or none was seen yet). So a change another
  // process made (a user disabled, a member removed, a label added) is honoured within
  // kVersionCheckMs, whatever the TTL.
  static constexpr int64_t kVersionCheckMs = 100;
  bool VersionCheckDue();
  void ObserveVersion(int64_t version);

 private:
  void ClearLocked();
  using Clock = std::chrono::steady_clock;
  template <typename V>
  struct Entry {
    V value;
    Clock::time_point read_at;
  };
  template <typename K, typename V>
  std::optional<V> Get(std::map<K, Entry<V>>& m, const K& key);
  template <typename K, typename V>
  void Put(uint64_t gen, std::map<K, Entry<V>>& m, const K& key, V value);

  const Clock::duration ttl_;
  const size_t max_entries_;
  std::mutex mu_;
  uint64_t generation_ = 0;         // bumped by Clear()
  std::optional<int64_t> version_;  // the last scope version observed
  Clock::time_point version_checked_{};
  std::map<std::string, Entry<User>> users_;
  std::map<std::string, Entry<Project>> projects_by_name_;
  std::map<int64_t, Entry<Project>> projects_by_id_;
  std::map<std::pair<int64_t, int64_t>, Entry<bool>> members_;
};

}  // namespace hitloop::server

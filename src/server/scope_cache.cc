#include "server/scope_cache.h"

namespace hitloop::server {

template <typename K, typename V>
std::optional<V> ScopeCache::Get(std::map<K, Entry<V>>& m, const K& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  if (Clock::now() - it->second.read_at >= ttl_) {
    m.erase(it);
    return std::nullopt;
  }
  return it->second.value;
}

template <typename K, typename V>
void ScopeCache::Put(uint64_t gen, std::map<K, Entry<V>>& m, const K& key, V value) {
  if (ttl_ <= Clock::duration::zero()) return;  // caching off
  std::lock_guard<std::mutex> lock(mu_);
  if (gen != generation_) return;  // read before a Clear(): may predate the change
  // A bound, not an eviction policy: past it the map starts over (entries are cheap to re-read).
  if (m.size() >= max_entries_) m.clear();
  m.insert_or_assign(key, Entry<V>{std::move(value), Clock::now()});
}

uint64_t ScopeCache::Generation() {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

std::optional<User> ScopeCache::UserByTokenHash(const std::string& token_hash) {
  return Get(users_, token_hash);
}
void ScopeCache::PutUser(uint64_t gen, const std::string& token_hash, const User& u) {
  Put(gen, users_, token_hash, u);
}

std::optional<Project> ScopeCache::ProjectByName(const std::string& name) {
  return Get(projects_by_name_, name);
}
std::optional<Project> ScopeCache::ProjectById(int64_t id) { return Get(projects_by_id_, id); }
void ScopeCache::PutProject(uint64_t gen, const Project& p) {
  Put(gen, projects_by_name_, p.name, p);
  Put(gen, projects_by_id_, p.id, p);
}

bool ScopeCache::IsMember(int64_t project_id, int64_t user_id) {
  return Get(members_, std::make_pair(project_id, user_id)).value_or(false);
}
void ScopeCache::PutMember(uint64_t gen, int64_t project_id, int64_t user_id) {
  Put(gen, members_, std::make_pair(project_id, user_id), true);
}

bool ScopeCache::VersionCheckDue() {
  std::lock_guard<std::mutex> lock(mu_);
  const Clock::time_point now = Clock::now();
  if (version_.has_value() && now - version_checked_ < std::chrono::milliseconds(kVersionCheckMs)) {
    return false;
  }
  version_checked_ = now;  // this caller checks; the others wait for the next period
  return true;
}

void ScopeCache::ObserveVersion(int64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  if (version_.has_value() && *version_ == version) return;
  version_ = version;
  ClearLocked();
}

void ScopeCache::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  ClearLocked();
}

void ScopeCache::ClearLocked() {
  ++generation_;
  users_.clear();
  projects_by_name_.clear();
  projects_by_id_.clear();
  members_.clear();
}

}  // namespace hitloop::server

#include "server/task_mix.h"

#include <algorithm>

#include "loop/config.h"

namespace hitloop::server {

double TaskMix::ShareFor(int audits_per_cycle, int stratified_per_cycle, int review_batch) {
  const double audits = std::max(0, audits_per_cycle) + std::max(0, stratified_per_cycle);
  const double total = audits + std::max(0, review_batch);
  return total > 0 ? audits / total : 0.0;
}

double TaskMix::AuditShare(const Project& project) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = share_.find(project.id);
    if (it != share_.end() && it->second.first == project.config_json) return it->second.second;
  }
  // Parsed outside the lock; two threads may both parse once, with the same result.
  auto cfg = loop::ParseLoopConfig(project.config_json);
  const double share =
      cfg.ok() ? ShareFor(cfg->audit_per_cycle, cfg->audit_stratified_per_cycle, cfg->review_batch) : 0.0;
  std::lock_guard<std::mutex> lock(mu_);
  share_[project.id] = {project.config_json, share};
  return share;
}

bool TaskMix::PreferAudit(int64_t project_id, int64_t user_id, double share) {
  if (share <= 0) return false;
  if (share >= 1) return true;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = credit_.find({project_id, user_id});
  const double credit = it == credit_.end() ? 0.0 : it->second;
  return credit + share >= 1.0 - 1e-9;
}

void TaskMix::Record(int64_t project_id, int64_t user_id, double share, bool audit) {
  std::lock_guard<std::mutex> lock(mu_);
  double& credit = credit_[{project_id, user_id}];
  credit = std::clamp(credit + share - (audit ? 1.0 : 0.0), -1.0, 1.0);
}

loop::GoldRouting TaskMix::Gold(const Project& project) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = gold_.find(project.id);
    if (it != gold_.end() && it->second.first == project.config_json) return it->second.second;
  }
  auto parsed = loop::ParseGoldRouting(project.config_json);
  loop::GoldRouting g = parsed.ok() ? *parsed : loop::GoldRouting{};
  std::lock_guard<std::mutex> lock(mu_);
  gold_[project.id] = {project.config_json, g};
  return g;
}

double TaskMix::Draw() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

}  // namespace hitloop::server

#include "server/certificate.h"

#include "loop/certify.h"
#include "loop/config.h"
#include "loop/cycle_record.h"

namespace hitloop::server {

nlohmann::json CertificateJson(const Project& p, const std::vector<CycleRow>& cycles) {
  nlohmann::json j = {{"cycles", cycles.size()}};
  auto cfg = loop::ParseLoopConfig(p.config_json);
  const loop::LoopStatus ls = loop::ComputeLoopStatus(cfg.ok() ? *cfg : loop::LoopConfig{}, cycles);
  if (cfg.ok()) {
    j["target_precision"] = ls.target_precision;
    j["confidence"] = ls.confidence;
    j["min_audits_needed"] = ls.min_audits_needed;
  }
  j["audits_counted"] = 0;
  j["certified"] = false;
  j["precision_lower_bound"] = nullptr;
  if (!ls.last) return j;
  const loop::CycleRecord& r = *ls.last;
  j["cycle"] = r.cycle != 0 ? r.cycle : cycles.back().cycle;
  if (!cfg.ok() && r.min_audits_needed > 0) {
    j["min_audits_needed"] = r.min_audits_needed;
    j["target_precision"] = r.target_precision;
    j["confidence"] = r.confidence;
  }
  j["audits_counted"] = r.audits_total;
  j["certified"] = ls.certified;
  j["certified_classes"] = ls.certified_classes;
  j["precision_lower_bound"] = r.audit_precision.lower_bound;
  j["auto_accepted"] = r.auto_accepted;
  return j;
}

}  // namespace hitloop::server

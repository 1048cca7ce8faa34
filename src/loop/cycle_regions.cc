// Audit regions between cycles (loop/cycle_steps.h; the state: loop/audit_region_file.h).
#include "loop/audit_region.h"
#include "loop/cycle_steps.h"

namespace hitloop::loop {

CycleRegions LoadCycleRegions(const CycleInputs& in, const CycleOptions& o) {
  const size_t n = in.pool.size();
  CycleRegions r;
  r.state = LoadAuditRegions(o.models_dir, in.history.empty() ? 0 : in.history.back().cycle);
  r.since.assign(n, 0);
  r.draw.assign(n, -1);
  r.whole_pool.assign(n, 0);
  r.key.resize(n);
  for (size_t i = 0; i < n; ++i) {
    r.key[i] = static_cast<uint64_t>(in.pool[i].id);
    if (r.state.origin == AuditRegionState::Origin::kNone) continue;  // no region draws yet
    const auto s = r.state.since.find(in.pool[i].id);  // new items were in no earlier region
    r.since[i] = s == r.state.since.end() ? kNotInRegion : s->second;
    const auto d = r.state.draws.find(in.pool[i].id);
    if (d != r.state.draws.end()) {
      r.draw[i] = d->second.first;
      r.whole_pool[i] = d->second.second;
    }
  }
  return r;
}

Status SaveCycleRegions(const CycleInputs& in, const CyclePlan& plan, int64_t cycle,
                        const CycleOptions& o, CycleRegions* r) {
  std::vector<int64_t> ids(in.pool.size());
  for (size_t i = 0; i < in.pool.size(); ++i) ids[i] = in.pool[i].id;
  for (size_t j = 0; j < plan.new_audits.size(); ++j) {
    const bool model_draw = j < plan.model_audits;
    r->state.draws[in.pool[plan.new_audits[j]].id] = {
        model_draw ? static_cast<int32_t>(cycle) : kNotAModelDraw,
        static_cast<uint8_t>(model_draw && plan.draw_whole_pool)};
  }
  return SaveAuditRegions(o.models_dir, cycle, ids, plan.region_since_next, r->state.draws);
}

}  // namespace hitloop::loop

#pragma once
// Where the certificate's audits are drawn. With loop.audit_region "candidate": uniformly from the
// CANDIDATE REGION — the items the current model might be certified to accept — instead of from
// every item people have not labelled, so audits are not spent on items below any plausible
// threshold. The default, "pool", draws from every such item (each draw then counts in every
// window, below).
//
// Validity across cycles. Each cycle's draw is uniform over its region D_d (items with confidence
// >= t_d under the model of cycle d; the whole pool on a cold start or with audit_region "pool").
// A later model accepts a different set, so an old draw is a uniform sample only of the part of
// that set it covered. Certification therefore uses a WINDOW of draws [c0, latest] and only the
// items inside every region of the window: since[i] = the first draw of item i's unbroken run of
// memberships (kNotInRegion when the latest region did not contain it); an item is in the window
// when since[i] <= c0. For the current model's region R(t) at threshold t, A(t) = R(t) ∩ window:
// every draw in the window was uniform over a superset of A(t), so the window's audits that fall
// in A(t) are a uniform sample of A(t) (draws from the whole pool count too: their region contains
// everything). Auto-acceptance is restricted to A(t) (the router's `in_audit_window`), so the
// bound speaks about exactly the set that is accepted.
//
// The draw threshold is the lowest candidate the Learn-then-Test sequence can still reach with
// the current model: walking the grid from the most confident candidate down, the first one whose
// audits already show (Clopper-Pearson lower bound at delta) an error rate above epsilon blocks
// every lower one, so audits below it cannot help a certificate; the region starts at the
// candidate just above it (the lowest candidate when none is blocked: the whole routable pool
// above it). It is lowered while the region holds fewer than min_items routable items. The window
// is chosen from audit COUNTS only. The draw region does depend on earlier audit labels (through
// "blocked"); what it excludes is a region already shown to be worse than epsilon, and the
// realised precision is checked against gold in the >= 100-run simulations (docs/LOOP.md).
// Thread-safety: pure functions.
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace hitloop::loop {

inline constexpr int32_t kNotInRegion = std::numeric_limits<int32_t>::max();
// The draw of an audit that was not drawn from the model's region (a rule region's own sample):
// it never certifies the model.
inline constexpr int32_t kNotAModelDraw = -2;

// The draw threshold (see above). `audits`: (confidence, error) of the audits certification
// reads, through the current model; `confidences`: the routable, eligible items' confidences.
// 0 when the grid is empty.
double ChooseDrawThreshold(std::span<const std::pair<float, uint8_t>> audits,
                           std::span<const float> confidences, const std::vector<double>& grid,
                           double epsilon, double delta, int64_t min_items);

// since after a draw whose region is `member` (empty = the whole pool): members keep their run
// (or start one at `draw`), the others get kNotInRegion. `since` empty = all 0 (no draw yet).
std::vector<int32_t> AdvanceRegionRuns(std::span<const int32_t> since, std::span<const uint8_t> member,
                                       int32_t draw, size_t n);

// Whether audit j (drawn at `draw`; -1 = unknown, treated as a whole-pool draw (audits from before
// audit regions); kNotAModelDraw = never; `whole_pool` =
// drawn from every unlabelled item) belongs to the window starting at c0.
inline bool AuditInWindow(int32_t draw, bool whole_pool, int32_t since, int32_t c0) {
  if (draw == kNotAModelDraw || since > c0) return false;  // not inside every region of the window
  return whole_pool || draw < 0 || draw >= c0;
}

// The window start: the latest c0 in [0, draws) whose window holds >= want of the audits marked in
// `counted` (audits in the current candidate region); if none does, the c0 with the most. Reads
// counts only. `since`, `audit_draw`, `audit_whole_pool` and `counted` have one entry per item.
int32_t ChooseAuditWindow(std::span<const int32_t> since, std::span<const int32_t> audit_draw,
                          std::span<const uint8_t> audit_whole_pool, std::span<const uint8_t> counted,
                          int32_t draws, int64_t want);

// A label-free position of audit `i` from `draw` in audit order: draw after draw, a fixed hash of
// the item within a draw (the draw itself is a uniform sample, so any label-free order within it
// is an exchangeable one).
int64_t AuditOrder(int32_t draw, uint64_t item_key);

}  // namespace hitloop::loop

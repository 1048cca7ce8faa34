// libFuzzer target: routing rules. The first line of the input is a project config
// ({"loop": {"routing": [...], "default_pool": ...}}) read by loop::ParseLoopConfig; each further
// line is one item's meta JSON. Every item is routed by loop::RouteItems (the function the live
// cycle and the simulator call) and matched by loop::MatchRule with and without detector answers.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "loop/config.h"
#include "loop/router.h"

using namespace hitloop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nl = in.find('\n');
  auto config = loop::ParseLoopConfig(std::string(in.substr(0, nl)));
  if (!config.ok()) return 0;
  std::vector<std::string> metas;
  for (size_t at = nl; at != std::string_view::npos && metas.size() < 16;) {
    const size_t next = in.find('\n', at + 1);
    metas.emplace_back(in.substr(at + 1, next == std::string_view::npos ? next : next - at - 1));
    at = next;
  }
  const std::vector<std::string> labels = {"ham", "spam", "medical"};
  const int k = static_cast<int>(labels.size());
  const size_t n = metas.size();
  std::vector<float> probs;
  std::vector<double> novelty;
  std::vector<uint8_t> routable(n, 1), was_auto;
  std::vector<loop::Detections> detections;
  for (size_t i = 0; i < n; ++i) {
    // Deterministic, varied predictions: item i is most sure of class i % k.
    const float top = 0.4f + 0.6f * static_cast<float>(metas[i].size() % 11) / 10.0f;
    for (int c = 0; c < k; ++c) {
      probs.push_back(c == static_cast<int>(i % k) ? top : (1.0f - top) / (k - 1));
    }
    novelty.push_back(static_cast<double>(i % 3) / 2.0);
    was_auto.push_back(i % 2);
    detections.push_back({{"language", i % 2 ? "fr" : "en"}, {"format", "prose"}});
    loop::Detections d = detections.back();
    loop::MatchRule(config->routing, metas[i], labels[i % k], top, nullptr);
    loop::MatchRule(config->routing, metas[i], labels[i % k], top, &d);
  }
  loop::Certification cert;
  cert.global.certified = true;
  cert.global.threshold = 0.5;
  loop::RouterInput r;
  r.num_classes = k;
  r.labels = labels;
  r.probs = probs;
  r.novelty = novelty;
  r.routable = routable;
  r.was_auto = was_auto;
  r.meta_json = metas;
  r.detections = detections;
  r.cold = {0, 0, 1};
  r.certification = &cert;
  r.max_novelty = config->max_novelty;
  r.rules = &config->routing;
  r.default_pool = config->default_pool;
  auto out = loop::RouteItems(r);
  if (!out.ok()) return 0;
  // The router's own contract: one decision per item, pools named by index.
  if (out->decisions.size() != n) std::abort();
  for (const auto& d : out->decisions) {
    if (d.pool >= out->pools.size()) std::abort();
  }
  return 0;
}

// Outbound URLs (net/url.h) and Label Studio ML-backend answers (mlbackend/protocol.h) are
// untrusted text: a canonical URL must parse back to itself, and a backend's answer or a
// labelling config must never crash the parser.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlbackend/protocol.h"
#include "net/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto u = hitloop::net::ParseUrl(text);
  if (u.ok()) {
    auto again = hitloop::net::ParseUrl(u->ToString());
    if (!again.ok() || again->ToString() != u->ToString() || again->host != u->host) std::abort();
  }
  (void)hitloop::mlbackend::ParseLabelConfig(text);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded()) {
    const std::vector<std::string> labels = {"a", "b"};
    (void)hitloop::mlbackend::ParsePredictResponse(j, labels, j.is_object() && j.contains("results") &&
                                                                  j["results"].is_array()
                                                              ? j["results"].size()
                                                              : 1);
    (void)hitloop::mlbackend::LoadBackendSettings(text);
  }
  return 0;
}

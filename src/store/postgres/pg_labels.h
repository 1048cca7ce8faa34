#pragma once
// For store/postgres/ only: labels are stored as a JSON array of strings (as on SQLite, so an
// export reads the same from both backends).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hitloop::pg {

inline std::string LabelsToJson(const std::vector<std::string>& labels) {
  return nlohmann::json(labels).dump();
}

inline std::vector<std::string> LabelsFromJson(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  auto j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace hitloop::pg

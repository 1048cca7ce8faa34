#pragma once
// For SqliteStore's own .cc files only (not a public header): the helpers they share. Labels are
// stored as a JSON array of strings. (The time for rows whose caller gave none is Store::Now(), the
// store's clock.)
// Where SqliteStore's methods live: opening, transactions, projects and CheckIntegrity in
// sqlite_store.cc; items, annotations and predictions in sqlite_store_items.cc (SetItemHold in
// sqlite_store_holds.cc); queue, claims, leases and GetStatus in sqlite_store_queue.cc; users and
// sessions, cycles and detections in sqlite_store_{auth,cycles,detections}.cc.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hitloop::sqlite {

inline std::string LabelsToJson(const std::vector<std::string>& labels) {
  return nlohmann::json(labels).dump();
}

inline std::vector<std::string> LabelsFromJson(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  // Fast path for what the store itself writes: ["a","b"] with no escapes, no spaces, no
  // control characters. Anything else goes through the JSON parser.
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
    bool simple = true;
    size_t i = 1;
    while (simple && i < s.size() - 1) {
      if (s[i] != '"') { simple = false; break; }
      const size_t close = s.find('"', i + 1);
      if (close == std::string::npos || close >= s.size() - 1) { simple = false; break; }
      for (size_t c = i + 1; c < close; ++c) {
        const unsigned char ch = static_cast<unsigned char>(s[c]);
        if (ch == '\\' || ch < 0x20) { simple = false; break; }
      }
      if (!simple) break;
      out.emplace_back(s, i + 1, close - i - 1);
      i = close + 1;
      if (s[i] == ',') {
        ++i;
        if (i >= s.size() - 1) simple = false;  // a trailing comma
      } else if (i != s.size() - 1) {
        simple = false;
      }
    }
    if (simple) return out;
    out.clear();
  }
  auto j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace hitloop::sqlite

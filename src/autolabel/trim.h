#pragma once
// For autolabel/ only: a line with ASCII whitespace (std::isspace) cut from both ends, as the
// boilerplate and format detectors compare it. A view into the argument; pure.
#include <cctype>
#include <string_view>

namespace hitloop::autolabel {

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace hitloop::autolabel

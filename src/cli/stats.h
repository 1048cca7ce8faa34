#pragma once
// For cli/ only: the summary statistics the simulate commands print over runs. Pure; 0 for an
// empty vector.
#include <algorithm>
#include <vector>

namespace hitloop::cli {

inline double Mean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace hitloop::cli

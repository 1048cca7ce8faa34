#include "text/sparse.h"

#include <algorithm>
#include <cmath>

namespace hitloop::text {

void Canonicalize(SparseRow* row) {
  std::sort(row->begin(), row->end(),
            [](const Feature& a, const Feature& b) { return a.index < b.index; });
  size_t out = 0;
  for (size_t i = 0; i < row->size(); ++i) {
    if (out > 0 && (*row)[out - 1].index == (*row)[i].index) {
      (*row)[out - 1].value += (*row)[i].value;
    } else {
      (*row)[out++] = (*row)[i];
    }
  }
  row->resize(out);
}

void L2Normalize(SparseRow* row) {
  double ss = 0;
  for (const auto& f : *row) ss += static_cast<double>(f.value) * f.value;
  if (ss <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(ss));
  for (auto& f : *row) f.value *= inv;
}

double Dot(const SparseRow& a, const SparseRow& b) {
  double s = 0;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].index == b[j].index) {
      s += static_cast<double>(a[i].value) * b[j].value;
      ++i;
      ++j;
    } else if (a[i].index < b[j].index) {
      ++i;
    } else {
      ++j;
    }
  }
  return s;
}

}  // namespace hitloop::text

#include "preference/display_order.h"

#include <cstdint>
#include <numeric>

namespace hitloop::preference {
namespace {

uint64_t Fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<int> DisplayOrder(std::string_view annotator, std::string_view item_id, int n) {
  if (n <= 0) return {};
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  uint64_t h = Fnv1a(0xcbf29ce484222325ULL, annotator);
  h = Fnv1a(h ^ 0xff, item_id);  // a separator byte: ("ab", "c") and ("a", "bc") differ
  uint64_t state = h;
  for (int i = n - 1; i > 0; --i) {
    const uint64_t j = SplitMix64(state) % static_cast<uint64_t>(i + 1);
    std::swap(order[i], order[j]);
  }
  return order;
}

}  // namespace hitloop::preference

#pragma once
// The order in which a comparison's responses are shown to one person (left to right), randomised
// per annotator and item so that the position of a response on screen carries no information and
// position bias (preference/position_bias.h) can be measured. Deterministic: the same annotator and
// item give the same order every time (a reopened answer shows what was shown the first time; the
// server can check the "shown:" label a page sends back) without storing anything at claim time.
// The hash (FNV-1a 64 of the annotator name and the item's external id, mixed by splitmix64) and
// the shuffle (Fisher–Yates on a splitmix64 stream) are spelled out here, so the order does not
// change with the standard library.
// Thread-safety: pure function.
#include <string_view>
#include <vector>

namespace hitloop::preference {

// A permutation of 0..n-1 (response indices, left to right). n <= 0 gives an empty order.
std::vector<int> DisplayOrder(std::string_view annotator, std::string_view item_id, int n);

}  // namespace hitloop::preference

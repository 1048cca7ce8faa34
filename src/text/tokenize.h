#pragma once
// Word tokenisation of normalised text: a token is a maximal run of letters, marks and digits
// (Unicode general categories L*, M*, N*); everything else separates tokens. Scripts without
// spaces (CJK) therefore come out as long runs — the character n-grams of the featurizer cover
// them. Thread-safe (pure function).
#include <string>
#include <string_view>
#include <vector>

namespace hitloop::text {

// Returns views into `normalized` (which must outlive them). Invalid UTF-8 bytes separate tokens.
std::vector<std::string_view> Tokenize(std::string_view normalized);

}  // namespace hitloop::text

#pragma once
// Limits checked on JSON text before it is parsed, so no parse, copy or dump of a hostile record
// can recurse deeper than the limit (nlohmann's copy and dump recurse once per nesting level:
// ~65k levels of '[' overflow the stack).
#include <string_view>

#include "core/status.h"

namespace hitloop::io {

// Nesting depth allowed in any JSON value hitloop parses from a file or request body.
inline constexpr int kMaxJsonDepth = 100;

// Scans `text` (no full parse: strings are skipped, brackets counted) and returns
// InvalidArgument("<what>: nested deeper than N levels") when any [ or { opens deeper than
// `max_depth`. Malformed JSON is left to the parser.
Status CheckJsonDepth(std::string_view text, int max_depth = kMaxJsonDepth,
                      std::string_view what = "record");

}  // namespace hitloop::io

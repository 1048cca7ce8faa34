#pragma once
// Writing JSON text directly (no json object per record): the exporters' hot path.
#include <string>
#include <string_view>

namespace hitloop::io {

// A JSON string literal exactly as nlohmann::json::dump writes it (no ASCII escaping). Stored
// text is valid UTF-8 (checked on import), so bytes >= 0x80 pass through.
void AppendJsonString(std::string* out, std::string_view s);
// A number as nlohmann's dump writes it (shortest form that reads back to the same double).
void AppendJsonNumber(std::string* out, double d);

}  // namespace hitloop::io

#pragma once
// Format detection: what kind of text an item is, from its content alone (no file name).
//
// Formats: "json", "jsonl", "xml", "html", "csv", "tsv", "markdown", "yaml", "ini", "code" (with
// `code_language` where clear: c, cpp, python, shell, perl, javascript, makefile, go, rust, java,
// ruby, lua, sql, cmake), "email" (RFC 822 header block), "url_list", "log", "prose";
// plus "empty" (only whitespace) and "binary" (NUL bytes, invalid UTF-8 or control characters).
// Rules are ordered checks of strong signals (a parser accepts the text, a header block, markup)
// followed by per-line scores; `confidence` is the winning score in [0, 1].
// Only the first `max_bytes` are read, so huge input costs O(max_bytes); a JSON document longer
// than that is judged by its prefix. Pure and thread-safe.
#include <string>
#include <string_view>

namespace hitloop::autolabel {

struct FormatResult {
  std::string format;
  std::string code_language;  // set only when format == "code" and the language is clear
  double confidence = 0.0;
};

struct FormatOptions {
  size_t max_bytes = 64 * 1024;
};

FormatResult DetectFormat(std::string_view text, const FormatOptions& options = {});

}  // namespace hitloop::autolabel

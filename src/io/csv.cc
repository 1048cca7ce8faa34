#include "io/csv.h"

namespace hitloop::io {

Status CsvReader::Open(const std::string& path, size_t max_record_bytes) {
  max_ = max_record_bytes;
  return lines_.Open(path, max_record_bytes);
}

Result<bool> CsvReader::Next(std::vector<std::string>* fields) {
  fields->clear();
  std::string_view line;
  bool too_long = false;
  // Skip blank lines between records.
  for (;;) {
    ASSIGN_OR_RETURN(bool more, lines_.Next(&line, &too_long));
    if (!more) return false;
    if (too_long) {
      record_line_ = lines_.line_number();
      return InvalidArgument("record: longer than the limit of " + std::to_string(max_) + " bytes");
    }
    if (!line.empty()) break;
  }
  record_line_ = lines_.line_number();
  std::string cur;
  bool in_quotes = false;
  size_t record_bytes = 0;
  for (;;) {
    record_bytes += line.size() + 1;
    if (record_bytes > max_) {
      return InvalidArgument("record: longer than the limit of " + std::to_string(max_) + " bytes");
    }
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (in_quotes) {
        if (c == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cur += '"';
            ++i;
          } else {
            in_quotes = false;
          }
        } else {
          cur += c;
        }
      } else if (c == '"') {
        in_quotes = true;
      } else if (c == ',') {
        fields->push_back(std::move(cur));
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!in_quotes) break;
    cur += '\n';
    ASSIGN_OR_RETURN(bool more, lines_.Next(&line, &too_long));
    if (!more) return InvalidArgument("record: unterminated quoted field");
    if (too_long) return InvalidArgument("record: longer than the limit of " + std::to_string(max_) + " bytes");
  }
  fields->push_back(std::move(cur));
  return true;
}

void AppendCsvCell(std::string* out, std::string_view cell, bool untrusted) {
  bool formula = untrusted && !cell.empty() &&
                 (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                  cell[0] == '\t' || cell[0] == '\r');
  bool quote = formula || cell.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out->append(cell);
    return;
  }
  out->push_back('"');
  if (formula) out->push_back('\'');
  for (char c : cell) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace hitloop::io

#include "io/csv.h"

#include "io/record.h"

namespace hitloop::io {

Status CsvReader::Open(const std::string& path, size_t max_record_bytes) {
  max_ = max_record_bytes;
  lines_.set_keep_cr(true);  // a CR inside a quoted field is data
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
    if (!line.empty() && line != "\r") break;
  }
  record_line_ = lines_.line_number();
  // RFC 4180 with the common leniency: a '"' opens a quoted field only at the field's start; one
  // inside an unquoted field is kept as a character (never dropped). After a closing quote only
  // ',' or the end of the record may follow. Line breaks inside quoted fields are kept as they
  // are in the file (CRLF stays CRLF); the CR of a CRLF record end is not part of the record.
  std::string cur;
  bool in_quotes = false;
  bool field_start = true;   // nothing of the current field read yet
  bool after_quote = false;  // the current field's closing quote was read
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
            after_quote = true;
          }
        } else {
          cur += c;
        }
      } else if (c == ',') {
        fields->push_back(std::move(cur));
        cur.clear();
        field_start = true;
        after_quote = false;
      } else if (c == '\r' && i + 1 == line.size()) {
        // CR of a CRLF line end
      } else if (after_quote) {
        return InvalidArgument("record: field " + std::to_string(fields->size() + 1) +
                               ": text after the closing quote (a quote inside a quoted field is written \"\")");
      } else if (c == '"' && field_start) {
        in_quotes = true;
        field_start = false;
      } else {
        cur += c;
        field_start = false;
      }
    }
    if (!in_quotes) break;
    cur += '\n';
    ASSIGN_OR_RETURN(bool more, lines_.Next(&line, &too_long));
    if (!more) {
      // The open quote took every line after it: say which, so nothing is swallowed unseen.
      return InvalidArgument("record: unterminated quoted field: the quote opened on line " +
                             std::to_string(record_line_) + " runs to the end of the file (line " +
                             std::to_string(lines_.line_number()) + "); lines " + std::to_string(record_line_) +
                             "-" + std::to_string(lines_.line_number()) + " were read as this one record");
    }
    if (too_long) return InvalidArgument("record: longer than the limit of " + std::to_string(max_) + " bytes");
  }
  fields->push_back(std::move(cur));
  return true;
}

namespace {

// ^'*[=+-@TAB CR]: a cell a spreadsheet would evaluate, or one that already carries our prefix.
bool LooksLikeFormula(std::string_view cell) {
  size_t i = 0;
  while (i < cell.size() && cell[i] == '\'') ++i;
  if (i == cell.size()) return false;
  char c = cell[i];
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

}  // namespace

void AppendCsvCell(std::string* out, std::string_view cell, bool untrusted) {
  bool formula = untrusted && LooksLikeFormula(cell);
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

std::string UnescapeCsvFormula(std::string_view cell) {
  if (!cell.empty() && cell[0] == '\'' && LooksLikeFormula(cell.substr(1))) return std::string(cell.substr(1));
  return std::string(cell);
}

Status ReadCsvWithHeader(const std::string& path, size_t max_record_bytes,
                         const std::function<Status(std::vector<std::string>& header)>& on_header,
                         const std::function<Status(const std::vector<std::string>& fields)>& to_record,
                         const std::function<Status(int64_t line, const Status& rs, std::string_view raw)>& emit) {
  CsvReader reader;
  RETURN_IF_ERROR(reader.Open(path, max_record_bytes));
  std::vector<std::string> header, fields;
  ASSIGN_OR_RETURN(bool any, reader.Next(&header));
  if (!any) return Status::Ok();
  if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0] = header[0].substr(3);
  RETURN_IF_ERROR(on_header(header));
  // Readers turn the header's names into JSON keys: a name that is not UTF-8 makes every record
  // invalid (checked once here, not per record).
  bool header_utf8 = true;
  for (const auto& h : header) header_utf8 = header_utf8 && IsValidUtf8(h);
  for (;;) {
    auto more = reader.Next(&fields);
    const int64_t line = reader.record_line();
    Status rs;
    if (!more.ok()) {
      rs = more.status();
    } else if (!*more) {
      break;
    } else if (fields.size() != header.size()) {
      rs = InvalidArgument("record: has " + std::to_string(fields.size()) + " columns, the header has " +
                           std::to_string(header.size()));
    } else {
      rs = header_utf8 ? to_record(fields) : InvalidArgument("record: invalid UTF-8");
    }
    std::string raw;
    for (size_t i = 0; i < fields.size(); ++i) raw += (i ? "," : "") + fields[i];
    RETURN_IF_ERROR(emit(line, rs, IsValidUtf8(raw) ? std::string_view(raw) : std::string_view("<invalid UTF-8>")));
    if (!more.ok()) return Status::Ok();  // the reader cannot go on after a broken record
  }
  return Status::Ok();
}

}  // namespace hitloop::io

#pragma once
// RFC 4180 CSV: a reader that yields records (quoted fields may span lines) and a writer that
// quotes as needed and neutralises spreadsheet formulas.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "io/line_reader.h"

namespace hitloop::io {

class CsvReader {
 public:
  Status Open(const std::string& path, size_t max_record_bytes);
  // Reads the next record into *fields. Returns false at end of file. Errors (unterminated quote,
  // record over the limit) carry no location; record_line() gives the record's first line.
  Result<bool> Next(std::vector<std::string>* fields);
  int64_t record_line() const { return record_line_; }
  const LineReader& lines() const { return lines_; }

 private:
  LineReader lines_;
  size_t max_ = 0;
  int64_t record_line_ = 0;
};

// Reads a CSV file whose first record is a header (a leading UTF-8 BOM removed); `on_header` may
// refuse it. Every later record goes to `to_record` when it has as many fields as the header;
// the outcome (to_record's status, the reader's error, or a column-count error) goes to `emit`
// with the record's first line and its fields joined by commas ("<invalid UTF-8>" when they are
// not UTF-8); a header name that is not UTF-8 makes every record "record: invalid UTF-8". Stops
// after a record the reader cannot get past. An empty file reads as nothing.
Status ReadCsvWithHeader(const std::string& path, size_t max_record_bytes,
                         const std::function<Status(std::vector<std::string>& header)>& on_header,
                         const std::function<Status(const std::vector<std::string>& fields)>& to_record,
                         const std::function<Status(int64_t line, const Status& rs, std::string_view raw)>& emit);

// Appends `cell` to *out as one CSV field (quoted when it holds , " CR or LF). When `untrusted`
// and the cell starts with = + - @ TAB or CR (after any number of '), a leading ' is added so
// spreadsheets show it as text instead of evaluating it (CSV/formula injection, OWASP). The
// prefix is reversible: UnescapeCsvFormula gives the original cell back for every input.
void AppendCsvCell(std::string* out, std::string_view cell, bool untrusted);

// Removes the ' that AppendCsvCell(untrusted) added, and nothing else.
std::string UnescapeCsvFormula(std::string_view cell);

}  // namespace hitloop::io

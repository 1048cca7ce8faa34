#include "store/postgres/pg_conn.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hitloop::pg {

PgParams& PgParams::Add(int64_t v) { return AddText(std::to_string(v)); }

PgParams& PgParams::Add(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return AddText(buf);
}

PgParams& PgParams::AddText(std::string_view v) {
  storage_.emplace_back(v);
  null_.push_back(false);
  lengths_.push_back(static_cast<int>(v.size()));
  formats_.push_back(0);
  values_.push_back(nullptr);
  return *this;
}

PgParams& PgParams::AddBytes(const void* p, size_t n) {
  storage_.emplace_back(static_cast<const char*>(p), n);
  null_.push_back(false);
  lengths_.push_back(static_cast<int>(n));
  formats_.push_back(1);
  values_.push_back(nullptr);
  return *this;
}

PgParams& PgParams::AddNull() {
  storage_.emplace_back();
  null_.push_back(true);
  lengths_.push_back(0);
  formats_.push_back(0);
  values_.push_back(nullptr);
  return *this;
}

PgParams& PgParams::AddTextArray(const std::vector<std::string>& v) {
  std::string lit = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) lit += ',';
    lit += '"';
    for (char c : v[i]) {
      if (c == '"' || c == '\\') lit += '\\';
      lit += c;
    }
    lit += '"';
  }
  lit += '}';
  return AddText(lit);
}

const char* const* PgParams::values() const {
  for (size_t i = 0; i < storage_.size(); ++i) {
    // libpq reads binary parameters by length, text ones up to their NUL: std::string keeps one.
    values_[i] = null_[i] ? nullptr : storage_[i].c_str();
  }
  return values_.data();
}

int64_t PgRows::affected() const {
  const char* n = r_ ? PQcmdTuples(r_.get()) : "";
  return *n ? std::strtoll(n, nullptr, 10) : 0;
}

int64_t PgRows::Int(int row, int col) const {
  const char* v = PQgetvalue(r_.get(), row, col);
  if (v[0] == 't' && v[1] == '\0') return 1;  // boolean columns read as numbers
  if (v[0] == 'f' && v[1] == '\0') return 0;
  return std::strtoll(v, nullptr, 10);
}

double PgRows::Double(int row, int col) const {
  return std::strtod(PQgetvalue(r_.get(), row, col), nullptr);
}

std::string PgRows::Bytes(int row, int col) const {
  size_t n = 0;
  unsigned char* p =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, col)), &n);
  if (p == nullptr) return std::string();
  std::string out(reinterpret_cast<const char*>(p), n);
  PQfreemem(p);
  return out;
}

bool IsPostgresUri(std::string_view location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::string RedactConninfo(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    if (err) PQfreemem(err);
    return "<unparseable conninfo>";
  }
  std::string out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::strcmp(o->keyword, "password") == 0) continue;
    if (std::strcmp(o->keyword, "host") && std::strcmp(o->keyword, "port") &&
        std::strcmp(o->keyword, "user") && std::strcmp(o->keyword, "dbname")) {
      continue;
    }
    if (!out.empty()) out += ' ';
    out += std::string(o->keyword) + "=" + o->val;
  }
  PQconninfoFree(opts);
  return out.empty() ? "postgresql" : "postgresql(" + out + ")";
}

}  // namespace hitloop::pg

namespace hitloop::pg {

Status CheckText(std::string_view field, std::string_view v) {
  const auto* s = reinterpret_cast<const unsigned char*>(v.data());
  const size_t n = v.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    if (c == 0) return InvalidArgument(std::string(field) + ": NUL byte (PostgreSQL text cannot hold it)");
    if (c < 0x80) { ++i; continue; }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return InvalidArgument(std::string(field) + ": invalid UTF-8");
    if (i + len > n) return InvalidArgument(std::string(field) + ": invalid UTF-8");
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return InvalidArgument(std::string(field) + ": invalid UTF-8");
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return InvalidArgument(std::string(field) + ": invalid UTF-8");
    }
    i += len;
  }
  return Status::Ok();
}

}  // namespace hitloop::pg

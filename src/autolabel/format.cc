#include "autolabel/format.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <map>
#include <vector>

#include "autolabel/normalize.h"
#include "autolabel/trim.h"

namespace hitloop::autolabel {
namespace {

using Lines = std::vector<std::string_view>;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool Contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Lines SplitLines(std::string_view text, size_t max_lines) {
  Lines out;
  size_t start = 0;
  while (start <= text.size() && out.size() < max_lines) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (end == text.size()) break;
    start = end + 1;
  }
  return out;
}

Lines NonBlank(const Lines& lines) {
  Lines out;
  for (auto l : lines)
    if (!Trim(l).empty()) out.push_back(l);
  return out;
}

// ---- JSON / JSON Lines -----------------------------------------------------------------------
bool JsonAccept(std::string_view s) { return nlohmann::json::accept(s.begin(), s.end()); }

// ---- e-mail ----------------------------------------------------------------------------------
bool IsHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

double EmailScore(const Lines& lines) {
  static const std::array<std::string_view, 18> kKnown = {
      "from", "to", "subject", "date", "received", "return-path", "message-id", "mime-version",
      "content-type", "delivered-to", "reply-to", "cc", "x-mailer", "sender", "in-reply-to",
      "references", "content-transfer-encoding", "list-id"};
  size_t i = 0;
  bool mbox = false;
  if (!lines.empty() && StartsWith(lines[0], "From ")) { mbox = true; i = 1; }
  int headers = 0, known = 0, bad = 0;
  for (; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    if (Trim(l).empty()) break;
    if (l[0] == ' ' || l[0] == '\t') continue;  // folded header continuation
    const size_t colon = l.find(':');
    if (colon == std::string_view::npos || !IsHeaderName(l.substr(0, colon))) { ++bad; break; }
    ++headers;
    const std::string name = Lower(l.substr(0, colon));
    if (std::find(kKnown.begin(), kKnown.end(), name) != kKnown.end() || StartsWith(name, "x-")) ++known;
  }
  if (bad > 0 || headers < 2 || known < 2) return mbox && known >= 1 ? 0.7 : 0.0;
  return std::min(0.99, 0.80 + 0.04 * known);
}

// ---- markup ----------------------------------------------------------------------------------
bool IsHtmlTag(std::string_view name) {
  static const std::array<std::string_view, 40> kTags = {
      "html", "head", "body", "div", "span", "p", "a", "br", "table", "tr", "td", "th", "ul", "ol",
      "li", "b", "i", "img", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "meta", "link",
      "form", "input", "font", "center", "title", "strong", "em", "pre", "hr", "tt", "dl", "dt"};
  return std::find(kTags.begin(), kTags.end(), name) != kTags.end();
}

struct TagCounts { int total = 0; int html = 0; };

TagCounts CountTags(std::string_view s) {
  TagCounts c;
  for (size_t i = s.find('<'); i != std::string_view::npos && i + 1 < s.size(); i = s.find('<', i + 1)) {
    size_t j = i + 1;
    if (s[j] == '/') ++j;
    size_t k = j;
    while (k < s.size() && (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == ':' || s[k] == '-' || s[k] == '_')) ++k;
    if (k == j || !std::isalpha(static_cast<unsigned char>(s[j]))) continue;
    if (k < s.size() && !(s[k] == '>' || s[k] == ' ' || s[k] == '/' || s[k] == '\n' || s[k] == '\t' || s[k] == '\r')) continue;
    ++c.total;
    if (IsHtmlTag(Lower(s.substr(j, k - j)))) ++c.html;
  }
  return c;
}

// ---- per-line classifiers ---------------------------------------------------------------------
bool IsUrlLine(std::string_view l) {
  l = Trim(l);
  if (!(StartsWith(l, "http://") || StartsWith(l, "https://") || StartsWith(l, "ftp://") ||
        StartsWith(l, "www.")))
    return false;
  for (char c : l)
    if (c == ' ' || c == '\t') return false;
  return l.size() > 7;
}

bool IsMonth(std::string_view s) {
  static const std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return std::find(kMonths.begin(), kMonths.end(), s.substr(0, 3)) != kMonths.end();
}

bool IsLogLine(std::string_view l) {
  std::string_view t = l;
  if (!t.empty() && (t[0] == '[' || t[0] == '<')) t.remove_prefix(1);
  // 2024-01-31 12:00 / 2024-01-31T12:00 / 2024/01/31 12:00
  if (t.size() >= 16 && IsDigit(t[0]) && IsDigit(t[3]) && (t[4] == '-' || t[4] == '/') &&
      IsDigit(t[5]) && (t[7] == '-' || t[7] == '/') && (t[10] == ' ' || t[10] == 'T') && t[13] == ':')
    return true;
  // "program 2024-01-31 12:00:01: ..." (update-alternatives, many daemons): a timestamp early on.
  for (size_t i = 1; i + 16 <= l.size() && i < 40; ++i) {
    if (l[i - 1] == ' ' && IsDigit(l[i]) && IsDigit(l[i + 3]) && l[i + 4] == '-' && l[i + 7] == '-' &&
        (l[i + 10] == ' ' || l[i + 10] == 'T') && l[i + 13] == ':')
      return true;
  }
  // syslog: "Jan  5 12:00:01 host ..."
  if (t.size() >= 15 && IsMonth(t) && t[3] == ' ' && t[9] == ':' && t[12] == ':') return true;
  // dmesg: "[    1.234567] ..."
  if (!l.empty() && l[0] == '[') {
    size_t close = l.find(']');
    if (close != std::string_view::npos && close < 20) {
      std::string_view inside = Trim(l.substr(1, close - 1));
      bool num = !inside.empty();
      for (char c : inside) num = num && (IsDigit(c) || c == '.');
      if (num && Contains(inside, ".")) return true;
      // Apache: "[Wed Oct 11 14:32:52 2000]" / "[10/Oct/2000:13:55:36 -0700]"
    }
  }
  // Apache common log: 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET ...
  if (Contains(l, " - - [") || (Contains(l, "] \"GET ") || Contains(l, "] \"POST "))) return true;
  // HH:MM:SS at the start, or a level word first.
  if (t.size() >= 8 && IsDigit(t[0]) && IsDigit(t[1]) && t[2] == ':' && IsDigit(t[3]) && t[5] == ':') return true;
  static const std::array<std::string_view, 7> kLevels = {"INFO", "WARN", "ERROR", "DEBUG", "TRACE", "FATAL", "WARNING"};
  for (auto lv : kLevels)
    if (StartsWith(t, lv) && t.size() > lv.size() && (t[lv.size()] == ' ' || t[lv.size()] == ':' || t[lv.size()] == ']'))
      return true;
  // Weekday-first timestamps: "Mon Jan  5 12:00:01 2024"
  if (t.size() >= 19 && t[3] == ' ' && IsMonth(t.substr(4)) && t[13] == ':' ) return true;
  return false;
}

// Fields of a delimited line (quote-aware for '"').
int CountFields(std::string_view l, char delim) {
  int fields = 1;
  bool quoted = false;
  for (char c : l) {
    if (c == '"') quoted = !quoted;
    else if (c == delim && !quoted) ++fields;
  }
  return fields;
}

struct DelimScore { double score = 0; char delim = ','; };

DelimScore DelimitedScore(const Lines& nb) {
  DelimScore best;
  if (nb.size() < 2) return best;
  for (char d : {'\t', ',', ';', '|'}) {
    std::map<int, int> hist;
    for (auto l : nb) ++hist[CountFields(l, d)];
    int mode = 1, mode_n = 0;
    for (auto [k, v] : hist)
      if (v > mode_n || (v == mode_n && k > mode)) { mode = k; mode_n = v; }
    if (mode < 2) continue;
    const double consistent = static_cast<double>(mode_n) / nb.size();
    // Prose has commas too: penalise long, space-heavy fields.
    size_t chars = 0, spaces = 0;
    for (auto l : nb) {
      chars += l.size();
      spaces += std::count(l.begin(), l.end(), ' ');
    }
    const double avg_field = static_cast<double>(chars) / (nb.size() * mode);
    double s = consistent;
    if (d == ',' || d == ';') {
      if (avg_field > 40) s *= 0.5;
      if (spaces > chars / 6 && mode < 4) s *= 0.6;
    }
    if (d == '|' && mode < 3) s *= 0.7;
    if (nb.size() < 3) s *= 0.8;
    if (s > best.score) best = {s, d};
  }
  // Whitespace-separated tables ("191 36 50"): a constant field count and mostly numeric fields.
  if (nb.size() >= 3) {
    std::map<size_t, int> hist;
    size_t fields = 0, numeric = 0;
    for (auto l : nb) {
      size_t count = 0;
      for (size_t i = 0; i < l.size();) {
        while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
        if (i >= l.size()) break;
        const size_t start = i;
        while (i < l.size() && l[i] != ' ' && l[i] != '\t') ++i;
        ++count;
        const char c = l[start];
        numeric += IsDigit(c) || ((c == '-' || c == '.') && start + 1 < i && IsDigit(l[start + 1]));
      }
      fields += count;
      ++hist[count];
    }
    size_t mode = 0;
    int mode_n = 0;
    for (auto [k, v] : hist)
      if (v > mode_n) { mode = k; mode_n = v; }
    const double consistent = static_cast<double>(mode_n) / nb.size();
    const double num_frac = fields ? static_cast<double>(numeric) / fields : 0.0;
    if (mode >= 2 && consistent >= 0.9 && num_frac >= 0.6) {
      const double sc = consistent * std::min(1.0, num_frac + 0.2);
      if (sc > best.score) best = {sc, ' '};
    }
  }
  return best;
}

bool IsYamlLine(std::string_view l) {
  std::string_view t = Trim(l);
  if (t.empty() || t[0] == '#') return true;
  if (t == "---" || t == "...") return true;
  if (StartsWith(t, "- ") || t == "-") return true;
  size_t colon = t.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (colon + 1 < t.size() && t[colon + 1] != ' ') return false;
  std::string_view key = t.substr(0, colon);
  if (key.front() == '"' || key.front() == '\'') return true;
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ' ' || c == '/'))
      return false;
  return key.size() < 40;
}

bool IsIniLine(std::string_view l) {
  std::string_view t = Trim(l);
  if (t.empty() || t[0] == '#' || t[0] == ';') return true;
  if (t.front() == '[' && t.back() == ']') return true;
  size_t eq = t.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  std::string_view key = Trim(t.substr(0, eq));
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ' ' || c == '[' || c == ']'))
      return false;
  return true;
}

// ---- code --------------------------------------------------------------------------------------
struct CodeGuess { double score = 0; std::string language; };

CodeGuess CodeScore(std::string_view text, const Lines& nb) {
  CodeGuess g;
  if (nb.empty()) return g;
  // Shebang settles the language.
  std::string_view first = Trim(nb[0]);
  if (StartsWith(first, "#!")) {
    std::string l = Lower(first);
    if (Contains(l, "python")) return {0.97, "python"};
    if (Contains(l, "perl")) return {0.97, "perl"};
    if (Contains(l, "node")) return {0.97, "javascript"};
    if (Contains(l, "ruby")) return {0.97, "ruby"};
    if (Contains(l, "lua")) return {0.97, "lua"};
    if (Contains(l, "make")) return {0.97, "makefile"};
    if (Contains(l, "sh")) return {0.97, "shell"};
    return {0.9, ""};
  }
  std::map<std::string, double> lang;
  size_t codeish = 0, comments = 0;
  for (auto raw : nb) {
    std::string_view l = Trim(raw);
    const char last = l.back();
    bool line_code = last == ';' || last == '{' || last == '}' || last == ')' || last == '(' ||
                     (last == ',' && l.size() < 60) || StartsWith(l, "//") || StartsWith(l, "/*") ||
                     StartsWith(l, "* ") || l == "*" || StartsWith(l, "*/") || StartsWith(l, "#");
    if (StartsWith(l, "#include") || StartsWith(l, "#define") || StartsWith(l, "#ifndef") ||
        StartsWith(l, "#ifdef") || StartsWith(l, "#endif") || StartsWith(l, "#if ") || StartsWith(l, "#pragma")) {
      lang["c"] += 2;
    }
    if (Contains(l, "std::") || StartsWith(l, "namespace ") || StartsWith(l, "template") ||
        Contains(l, "nullptr") || (StartsWith(l, "class ") && last != ':') || StartsWith(l, "public:") ||
        StartsWith(l, "private:") || Contains(l, "::~") || Contains(l, "constexpr"))
      lang["cpp"] += 2;
    if (StartsWith(l, "typedef ") || StartsWith(l, "struct ") || StartsWith(l, "static ") ||
        StartsWith(l, "extern ") || StartsWith(l, "int ") || StartsWith(l, "void ") ||
        StartsWith(l, "return ") || StartsWith(l, "unsigned ") || StartsWith(l, "const char") ||
        (Contains(l, "->") && last == ';'))
      lang["c"] += 1;
    if (StartsWith(l, "def ") || StartsWith(l, "import ") || (StartsWith(l, "from ") && Contains(l, " import ")) ||
        StartsWith(l, "elif ") || Contains(l, "self.") || (StartsWith(l, "class ") && last == ':') ||
        StartsWith(l, "if __name__") || StartsWith(l, "except") || StartsWith(l, "raise ") ||
        StartsWith(l, "print(") || StartsWith(l, "@"))
      lang["python"] += 2, line_code = true;
    if ((last == ':' && (StartsWith(l, "if ") || StartsWith(l, "for ") || StartsWith(l, "else") ||
                         StartsWith(l, "try") || StartsWith(l, "while ") || StartsWith(l, "with "))))
      lang["python"] += 1, line_code = true;
    if (l == "fi" || l == "done" || l == "esac" || l == "then" || StartsWith(l, "if [") ||
        StartsWith(l, "elif [") || Contains(l, "; then") || Contains(l, "; do") || StartsWith(l, "export ") ||
        StartsWith(l, "echo ") || StartsWith(l, "local ") || Contains(l, "${") || Contains(l, "$(") ||
        (StartsWith(l, "case ") && Contains(l, " in")) || l.ends_with(";;") || StartsWith(l, "set -"))
      lang["shell"] += 2, line_code = true;
    if (StartsWith(l, "my ") || StartsWith(l, "use strict") || StartsWith(l, "use warnings") ||
        StartsWith(l, "sub ") || Contains(l, "=~") || (StartsWith(l, "package ") && last == ';') ||
        Contains(l, "$_") || StartsWith(l, "foreach "))
      lang["perl"] += 2;
    if (StartsWith(l, "function ") || StartsWith(l, "const ") || StartsWith(l, "let ") ||
        StartsWith(l, "var ") || Contains(l, "=>") || Contains(l, "require(") ||
        Contains(l, "module.exports") || Contains(l, "console.log") || Contains(l, "document."))
      lang["javascript"] += 1.5;
    if (StartsWith(l, "func ") || (StartsWith(l, "package ") && last != ';') || Contains(l, ":= ") ||
        StartsWith(l, "import (") || Contains(l, "fmt."))
      lang["go"] += 2;
    if (StartsWith(l, "fn ") || StartsWith(l, "pub fn") || StartsWith(l, "let mut") ||
        StartsWith(l, "impl ") || (StartsWith(l, "use ") && Contains(l, "::")) || Contains(l, "println!"))
      lang["rust"] += 2;
    if (StartsWith(l, "public class") || StartsWith(l, "public static") || StartsWith(l, "private ") ||
        Contains(l, "System.out") || StartsWith(l, "import java"))
      lang["java"] += 2;
    if (StartsWith(l, "local function") || (StartsWith(l, "end") && l.size() <= 4 && lang["ruby"] == 0 && lang["lua"] > 0))
      lang["lua"] += 2;
    if (StartsWith(l, "require '") || StartsWith(l, "require \"") || StartsWith(l, "module ") ||
        StartsWith(l, "attr_") || StartsWith(l, "puts "))
      lang["ruby"] += 2;
    {
      std::string up(l.substr(0, 12));
      for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (StartsWith(up, "SELECT ") || StartsWith(up, "CREATE ") || StartsWith(up, "INSERT INTO") ||
          StartsWith(up, "UPDATE ") || StartsWith(up, "DROP ") || StartsWith(up, "ALTER ") ||
          StartsWith(up, "GRANT ") || StartsWith(up, "REVOKE ") || StartsWith(up, "RETURNS ") ||
          StartsWith(up, "LANGUAGE "))
        lang["sql"] += 2, line_code = true;
      if (StartsWith(l, "-- ")) line_code = true;  // SQL / Lua / Haskell comment
    }
    if (StartsWith(l, "cmake_minimum_required") || StartsWith(l, "add_library") ||
        StartsWith(l, "add_executable") || StartsWith(l, "set(") || StartsWith(l, "target_link_libraries") ||
        StartsWith(l, "find_package") || StartsWith(l, "endif()") || StartsWith(l, "include("))
      lang["cmake"] += 2, line_code = true;
    if (StartsWith(raw, "\t") && (Contains(l, "$(") || Contains(l, "$@") || Contains(l, "$<"))) lang["makefile"] += 2, line_code = true;
    if (StartsWith(l, ".PHONY") || (l.find(':') != std::string_view::npos && l.find('=') == std::string_view::npos &&
                                   !Contains(l, " ") && l.back() == ':' && Contains(l, ".")))
      lang["makefile"] += 1;
    if (Contains(l, " := ") || Contains(l, " ?= ") || Contains(l, " += ")) lang["makefile"] += 0.5, line_code = true;
    // Comment lines are neutral: every format with '#' comments (YAML, INI, shell, Python) has them.
    const bool comment = StartsWith(l, "#") && !StartsWith(l, "#include") && !StartsWith(l, "#define") &&
                         !StartsWith(l, "#if") && !StartsWith(l, "#!");
    if (comment) ++comments;
    else if (line_code) ++codeish;
  }
  const size_t non_comment = nb.size() - comments;
  const double frac = non_comment ? static_cast<double>(codeish) / non_comment : 0.5;
  // Symbol density: code uses brackets and operators far more than prose does.
  size_t sym = 0, letters = 0;
  for (char c : text) {
    if (std::strchr("{}()[];=<>$&|*/\\_", c) && c != 0) ++sym;
    else if (std::isalpha(static_cast<unsigned char>(c))) ++letters;
  }
  const double density = letters ? static_cast<double>(sym) / letters : 0.0;
  std::string best;
  double best_v = 0;
  double total = 0;
  for (auto& [k, v] : lang) {
    total += v;
    if (v > best_v) { best_v = v; best = k; }
  }
  if (best == "c" && lang["cpp"] >= 2) best = "cpp";
  const double per_line = total / nb.size();
  double score = 0.5 * std::min(1.0, frac * 1.2) + 0.3 * std::min(1.0, per_line) + 0.2 * std::min(1.0, density * 4);
  g.score = std::min(0.98, score);
  if (best_v >= 2) g.language = best;
  return g;
}

// ---- markdown / prose ----------------------------------------------------------------------
double MarkdownScore(const Lines& lines, const Lines& nb) {
  if (nb.empty()) return 0;
  double marks = 0;
  bool fence = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    std::string_view t = Trim(l);
    if (StartsWith(t, "```") || StartsWith(t, "~~~")) { marks += 2; fence = !fence; continue; }
    if (fence) continue;
    // An ATX heading stands alone; a run of '#' lines is a comment block (shell, YAML, INI).
    const bool alone = (i == 0 || Trim(lines[i - 1]).empty() || Trim(lines[i - 1]).front() != '#') &&
                       (i + 1 >= lines.size() || Trim(lines[i + 1]).empty() || Trim(lines[i + 1]).front() != '#');
    if (StartsWith(l, "# ") || StartsWith(l, "## ") || StartsWith(l, "### ") || StartsWith(l, "#### ")) marks += alone ? 2 : 0;
    else if ((StartsWith(t, "- ") || StartsWith(t, "* ") || StartsWith(t, "+ ")) && t.size() > 2) marks += 0.5;
    else if (t.size() >= 4 && IsDigit(t[0]) && ((t[1] == '.' && t[2] == ' ') || (IsDigit(t[1]) && t[2] == '.' && t[3] == ' '))) marks += 0.3;
    if (i > 0 && t.size() >= 3 && (t.find_first_not_of('=') == std::string_view::npos ||
                                   t.find_first_not_of('-') == std::string_view::npos) &&
        !Trim(lines[i - 1]).empty())
      marks += 2;
    size_t lb = t.find("](");
    if (lb != std::string_view::npos && t.find('[') < lb) marks += 1.5;
    if (Contains(t, "**") || Contains(t, "`")) marks += 0.5;
    if (StartsWith(t, "> ")) marks += 0.3;
    if (StartsWith(l, "    ") && !t.empty()) marks += 0.1;
    if (StartsWith(t, "|") && t.back() == '|') marks += 0.7;
  }
  return std::min(0.97, marks / (nb.size() * 0.25 + 2.0));
}

double ProseScore(std::string_view text, const Lines& nb) {
  if (nb.empty()) return 0;
  size_t letters = 0, spaces = 0, sym = 0, total = 0;
  for (char c : text) {
    ++total;
    if (std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) ++letters;
    else if (c == ' ') ++spaces;
    else if (std::strchr("{}[]<>=;$|\\_#*", c)) ++sym;
  }
  if (total == 0) return 0;
  const double letter_ratio = static_cast<double>(letters + spaces) / total;
  const double sym_ratio = static_cast<double>(sym) / total;
  size_t sentence_end = 0;
  for (auto l : nb) {
    std::string_view t = Trim(l);
    char c = t.back();
    if (c == '.' || c == '!' || c == '?' || c == ':' || c == ',' || std::isalpha(static_cast<unsigned char>(c)) ||
        static_cast<unsigned char>(c) >= 0x80 || c == '"' || c == ')' || c == '\'')
      ++sentence_end;
  }
  const double ends = static_cast<double>(sentence_end) / nb.size();
  // Prose does not start most of its lines with a comment marker; commented code does.
  size_t commented = 0;
  for (auto l : nb) {
    std::string_view t = Trim(l);
    commented += StartsWith(t, "#") || StartsWith(t, "//") || StartsWith(t, "/*") || StartsWith(t, "* ") ||
                 StartsWith(t, "--") || StartsWith(t, ";");
  }
  const double comment_frac = static_cast<double>(commented) / nb.size();
  double s = 0.45 * std::min(1.0, letter_ratio / 0.9) + 0.35 * ends + 0.2 * std::max(0.0, 1.0 - sym_ratio * 20);
  if (comment_frac > 0.3) s *= 1.0 - 0.6 * comment_frac;
  return std::min(0.95, s);
}

}  // namespace

FormatResult DetectFormat(std::string_view input, const FormatOptions& options) {
  FormatResult r;
  const bool truncated = input.size() > options.max_bytes;
  std::string_view text = input.substr(0, options.max_bytes);
  const std::string_view trimmed = Trim(text);
  if (trimmed.empty()) return {"empty", "", 1.0};

  // Binary: NUL, invalid UTF-8 (ignoring a sequence cut by truncation) or many control bytes.
  size_t ctrl = 0, nul = 0;
  for (unsigned char c : text) {
    if (c == 0) ++nul;
    else if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b) ++ctrl;
  }
  const size_t invalid = CountInvalidUtf8Bytes(text);
  const double bad = static_cast<double>(ctrl + invalid + nul * 10) / text.size();
  if (nul > 0 || bad > 0.05) return {"binary", "", std::min(1.0, 0.8 + bad)};

  const Lines lines = SplitLines(text, 4000);
  const Lines nb = NonBlank(lines);

  // JSON and JSON Lines: a parser decides.
  const char c0 = trimmed.front();
  if (c0 == '{' || c0 == '[') {
    const bool first_alone = JsonAccept(Trim(nb[0]));
    if (nb.size() >= 2 && first_alone) {
      size_t ok = 0;
      for (auto l : nb) ok += JsonAccept(Trim(l));
      // A truncated last line is not evidence against JSON Lines.
      const size_t denom = truncated ? nb.size() - 1 : nb.size();
      if (ok >= denom) return {"jsonl", "", 0.99};
      if (ok * 10 >= denom * 8) return {"jsonl", "", 0.8 * ok / denom};
    }
    if (!truncated && JsonAccept(trimmed)) return {"json", "", 0.99};
    if (truncated && !first_alone) {
      // Prefix of a long document: JSON if it looks like "key": value pairs.
      size_t kv = 0;
      for (auto l : nb) kv += Contains(l, "\":") || Trim(l).front() == '{' || Trim(l).front() == '}' ||
                                Trim(l).front() == '[' || Trim(l).front() == ']';
      if (kv * 10 >= nb.size() * 8) return {"json", "", 0.85};
    }
  }

  const double email = EmailScore(lines);
  if (email >= 0.8) return {"email", "", email};

  // Markup.
  if (c0 == '<') {
    const std::string head = Lower(trimmed.substr(0, 2048));
    if (Contains(head, "<!doctype html") || Contains(head, "<html") || Contains(head, "<head>") || Contains(head, "<body"))
      return {"html", "", 0.97};
    const TagCounts tc = CountTags(text);
    if (StartsWith(head, "<?xml") || StartsWith(head, "<!doctype")) {
      return {"xml", "", tc.total > 0 && tc.html * 2 > tc.total ? 0.7 : 0.97};
    }
    if (tc.total >= 2) {
      // Markdown may open with inline HTML (an anchor, a comment): its own syntax decides.
      const double md = MarkdownScore(lines, nb);
      if (md >= 0.5) return {"markdown", "", md};
      if (tc.html * 2 > tc.total) return {"html", "", 0.85};
      return {"xml", "", 0.85};
    }
  }

  // URL lists.
  if (!nb.empty()) {
    size_t urls = 0;
    for (auto l : nb) urls += IsUrlLine(l);
    const double frac = static_cast<double>(urls) / nb.size();
    if (frac >= 0.9) return {"url_list", "", nb.size() >= 2 ? frac * 0.98 : 0.8};
  }

  // Scored candidates: the best wins.
  struct Cand { const char* format; std::string lang; double score; };
  std::vector<Cand> cands;
  {
    size_t logs = 0;
    for (auto l : nb) logs += IsLogLine(l);
    const double frac = static_cast<double>(logs) / nb.size();
    cands.push_back({"log", "", nb.size() >= 2 ? frac * 0.97 : frac * 0.7});
  }
  const CodeGuess code = CodeScore(text, nb);
  cands.push_back({"code", code.language, code.score});
  {
    const DelimScore d = DelimitedScore(nb);
    cands.push_back({d.delim == '\t' ? "tsv" : "csv", "", d.score * 0.95});
  }
  {
    size_t y = 0, kv = 0, content = 0;
    // Inside a block scalar ("key: |" or "key: >"), more-indented lines are YAML string content.
    size_t block_indent = std::string_view::npos;
    for (auto l : nb) {
      std::string_view t = Trim(l);
      const size_t indent = l.find_first_not_of(' ');
      if (block_indent != std::string_view::npos) {
        if (indent != std::string_view::npos && indent > block_indent) { ++content; ++y; continue; }
        block_indent = std::string_view::npos;
      }
      if (t[0] == '#') continue;
      ++content;
      if (IsYamlLine(l)) {
        ++y;
        if (Contains(t, ":")) ++kv;
        if (t.ends_with(": |") || t.ends_with(": >") || t.ends_with(": |-") || t.ends_with(": >-") ||
            t.ends_with(": |+") || t.ends_with(": >+"))
          block_indent = indent;
      }
    }
    double s = content ? static_cast<double>(y) / content : 0.0;
    if (kv == 0) s *= 0.5;
    else if (content < 2) s *= 0.8;
    if (StartsWith(trimmed, "---")) s = std::min(1.0, s + 0.1);
    cands.push_back({"yaml", "", s * 0.93});
  }
  {
    size_t ini = 0, content = 0, sections = 0, eq = 0;
    for (auto l : nb) {
      std::string_view t = Trim(l);
      if (t[0] == '#' || t[0] == ';') continue;
      ++content;
      if (IsIniLine(l)) ++ini;
      if (t.front() == '[' && t.back() == ']') ++sections;
      if (Contains(t, "=")) ++eq;
    }
    double s = content ? static_cast<double>(ini) / content : 0.0;
    if (eq == 0) s *= 0.3;
    if (sections == 0) s *= 0.85;
    cands.push_back({"ini", "", s * 0.92});
  }
  cands.push_back({"markdown", "", MarkdownScore(lines, nb)});
  {
    // An HTML fragment not starting with '<' (e.g. a mail body).
    const TagCounts tc = CountTags(text);
    const double per_kb = tc.html * 1024.0 / text.size();
    cands.push_back({"html", "", tc.html >= 3 ? std::min(0.9, per_kb / 10.0) : 0.0});
  }
  cands.push_back({"prose", "", ProseScore(text, nb) * 0.85});
  cands.push_back({"email", "", email});

  const Cand* best = &cands[0];
  for (const auto& c : cands)
    if (c.score > best->score) best = &c;
  r.format = best->format;
  r.confidence = std::max(0.05, std::min(1.0, best->score));
  if (r.format == "code") r.code_language = best->lang;
  return r;
}

}  // namespace hitloop::autolabel

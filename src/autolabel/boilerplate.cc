#include "autolabel/boilerplate.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "autolabel/trim.h"

namespace hitloop::autolabel {
namespace {

enum class Kind { kContent, kQuoted, kSignature, kDisclaimer, kUnsubscribe, kNavigation };

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kContent: return "content";
    case Kind::kQuoted: return "quoted";
    case Kind::kSignature: return "signature";
    case Kind::kDisclaimer: return "disclaimer";
    case Kind::kUnsubscribe: return "unsubscribe";
    case Kind::kNavigation: return "navigation";
  }
  return "content";
}

struct Line {
  size_t start, end;  // bytes, end excludes the newline
  std::string_view text;
  std::string lower;  // trimmed, lower-cased
  bool blank;
  Kind kind = Kind::kContent;
  double conf = 0.8;  // content lines: nothing matched, most content is content
  bool set = false;
};

bool Has(const std::string& s, std::string_view p) { return s.find(p) != std::string::npos; }

template <size_t N>
bool HasAny(const std::string& s, const std::array<std::string_view, N>& words) {
  for (auto w : words)
    if (Has(s, w)) return true;
  return false;
}

const std::array<std::string_view, 14> kDisclaimer = {
    "intended recipient", "confidential", "privileged", "disclaimer", "if you have received this",
    "intended only for", "intended solely", "views expressed", "legally binding", "not the intended",
    "prohibited", "unauthorized use", "this e-mail and any attachments", "this email and any attachments"};
// Unsubscribe and mailing-list / sponsor footers (the "unsubscribe" kind).
const std::array<std::string_view, 38> kUnsubscribe = {
    "unsubscribe", "to be removed", "remove me", "removal", "opt-out", "opt out", "optout",
    "you are receiving this", "mailing list", "listinfo", "manage your subscription",
    "no longer wish to receive", "update your preferences", "email preferences", "remove your",
    "be taken off", "taken off our", "(un)subscription", "click here to remove", "wish to be removed",
    "removed from", "remove yourself", "word remove", "to remove", "\"remove\"", "discontinue",
    "purged from", "sponsored by", "deathtospam", "msn messenger", "get your free", "list maintainer",
    "ne souhaitez plus", "anti-spam", "mailman/", "do not wish to receive", "not wish to receive",
    "future mailings"};
// Strong enough to mark a short paragraph anywhere in the message, not only at its end.
const std::array<std::string_view, 7> kUnsubscribeStrong = {
    "unsubscribe", "to be removed", "opt-out", "ne souhaitez plus", "listinfo", "remove me", "wish to be removed"};
const std::array<std::string_view, 14> kValediction = {
    "thanks", "thank you", "regards", "best regards", "kind regards", "best wishes", "best,",
    "cheers", "sincerely", "yours truly", "yours,", "warm regards", "many thanks", "ciao"};

// "> text", "| text", and supercite-style "G> text" (up to four letters before '>').
bool IsQuoteLine(std::string_view t) {
  if (t.empty()) return false;
  if (t[0] == '>' || t[0] == '|') return true;
  size_t i = 0;
  while (i < t.size() && i < 4 && std::isalpha(static_cast<unsigned char>(t[i]))) ++i;
  return i > 0 && i < t.size() && t[i] == '>' && (i + 1 == t.size() || t[i + 1] == ' ');
}

// A short sign-off such as "-tom", "- Joe", "Nick", "/Anders": at most three words, no sentence
// punctuation at the end.
bool IsNameSignoff(std::string_view t) {
  if (t.empty() || t.size() > 30) return false;
  const char last = t.back();
  if (last == '.' || last == '?' || last == '!' || last == ':' || last == ';' || last == ',') return false;
  size_t words = 1;
  for (char c : t) words += c == ' ';
  if (words > 3) return false;
  const char first = t[0];
  return first == '-' || first == '/' || first == '~' || std::isupper(static_cast<unsigned char>(first));
}

bool IsAttribution(const std::string& l) {
  return (l.size() < 200 && (l.ends_with("wrote:") || l.ends_with("writes:") || l.ends_with("said:"))) ||
         (l.starts_with("on ") && Has(l, "wrote"));
}

bool IsForwardMarker(const std::string& l) {
  const bool phrase = Has(l, "original message") || Has(l, "forwarded message");
  return (phrase && (l.starts_with("-") || l.size() <= 45)) || l.starts_with("begin forwarded message");
}

bool IsNavigation(const std::string& l) {
  // "Home | Products | About us | Contact"
  size_t seps = 0, max_seg = 0, seg = 0;
  for (size_t i = 0; i < l.size(); ++i) {
    const char c = l[i];
    if (c == '|' || (c == '\xc2' && i + 1 < l.size() && l[i + 1] == '\xb7')) {
      ++seps;
      max_seg = std::max(max_seg, seg);
      seg = 0;
    } else {
      ++seg;
    }
  }
  max_seg = std::max(max_seg, seg);
  return seps >= 2 && max_seg <= 30 && l.size() < 200;
}

bool IsSeparator(std::string_view t) {
  if (t.size() < 5) return false;
  const char c = t[0];
  if (c != '_' && c != '=' && c != '-' && c != '*' && c != '~') return false;
  return std::all_of(t.begin(), t.end(), [c](char x) { return x == c; });
}

bool IsValediction(const std::string& l) {
  if (l.size() > 40) return false;
  for (auto w : kValediction)
    if (l.starts_with(w)) return true;
  return false;
}

void Mark(Line& l, Kind k, double conf) {
  if (l.set) return;  // the first (strongest) rule wins
  l.kind = k;
  l.conf = conf;
  l.set = true;
}

}  // namespace

std::vector<TextBlock> DetectBoilerplate(std::string_view input, const BoilerplateOptions& options) {
  std::vector<TextBlock> blocks;
  if (input.empty()) return blocks;
  const std::string_view text = input.substr(0, options.max_bytes);

  std::vector<Line> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? text.size() : nl;
    Line l{pos, end, text.substr(pos, end - pos), "", false};
    std::string_view t = Trim(l.text);
    l.lower.assign(t);
    for (char& c : l.lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    l.blank = t.empty();
    lines.push_back(std::move(l));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  const size_t n = lines.size();

  // 1. Quoted reply lines and the attribution line above them.
  for (size_t i = 0; i < n; ++i) {
    if (IsQuoteLine(Trim(lines[i].text))) {
      Mark(lines[i], Kind::kQuoted, 0.95);
    } else if (IsAttribution(lines[i].lower)) {
      size_t j = i + 1;
      while (j < n && lines[j].blank) ++j;
      if (j < n && IsQuoteLine(Trim(lines[j].text))) Mark(lines[i], Kind::kQuoted, 0.9);
    }
  }

  // 2. Paragraph rules: disclaimers and unsubscribe footers. A short paragraph is marked whole;
  //    in a long one only the matching lines are.
  for (size_t s = 0; s < n;) {
    if (lines[s].blank) { ++s; continue; }
    size_t e = s;
    while (e < n && !lines[e].blank) ++e;
    // Treat a separator line directly above as part of the paragraph.
    bool any_dis = false, any_unsub = false;
    for (size_t i = s; i < e; ++i) {
      any_dis = any_dis || HasAny(lines[i].lower, kDisclaimer);
      any_unsub = any_unsub || HasAny(lines[i].lower, kUnsubscribe);
    }
    const bool in_tail = s * 2 >= n || e == n;  // boilerplate sits at the end of a message
    bool strong = false;
    for (size_t i = s; i < e; ++i) strong = strong || HasAny(lines[i].lower, kUnsubscribeStrong);
    if ((any_dis || any_unsub) && (e - s <= 8) && (in_tail || n < 6 || (strong && e - s <= 3))) {
      const Kind k = any_unsub ? Kind::kUnsubscribe : Kind::kDisclaimer;
      for (size_t i = s; i < e; ++i) Mark(lines[i], k, k == Kind::kUnsubscribe ? 0.85 : 0.8);
      // A separator line just above (after blanks) belongs to the footer.
      size_t p = s;
      while (p > 0 && lines[p - 1].blank) --p;
      if (p > 0 && IsSeparator(Trim(lines[p - 1].text))) Mark(lines[p - 1], k, 0.85);
    } else {
      for (size_t i = s; i < e; ++i) {
        if (HasAny(lines[i].lower, kUnsubscribe)) Mark(lines[i], Kind::kUnsubscribe, 0.7);
        else if (in_tail && HasAny(lines[i].lower, kDisclaimer)) Mark(lines[i], Kind::kDisclaimer, 0.6);
      }
    }
    s = e;
  }

  // 3. Cut points that run to the end: signature delimiter, forwarded/original message marker.
  for (size_t i = 0; i < n; ++i) {
    const std::string_view raw = lines[i].text;
    const bool sig_delim = raw == "-- " || raw == "--" || raw == "-- \r" || raw == "--\r";
    if (sig_delim || IsForwardMarker(lines[i].lower)) {
      const Kind k = sig_delim ? Kind::kSignature : Kind::kQuoted;
      for (size_t j = i; j < n; ++j) {
        // A mailing-list footer after a signature is still its own kind.
        if (k == Kind::kSignature && j > i && (IsSeparator(Trim(lines[j].text)) || lines[j].set)) break;
        Mark(lines[j], k, sig_delim ? 0.95 : 0.9);
      }
      break;
    }
  }

  // 4. Navigation lines.
  for (auto& l : lines)
    if (!l.blank && IsNavigation(l.lower)) Mark(l, Kind::kNavigation, 0.7);

  // 5. Valediction signature: "Regards,\nName\nCompany" at the end of the content.
  {
    size_t last = n;  // last content line
    for (size_t i = n; i-- > 0;) {
      if (lines[i].blank) continue;
      if (lines[i].set) { last = n; continue; }
      last = i;
      break;
    }
    if (last < n) {
      // A name sign-off alone in the last paragraph ("-tom", "Nick").
      if (IsNameSignoff(Trim(lines[last].text)) && last > 0 && lines[last - 1].blank) {
        Mark(lines[last], Kind::kSignature, 0.6);
      }
      for (size_t i = last + 1; i-- > 0 && last - i <= 6;) {
        if (lines[i].set) break;
        if (!lines[i].blank && IsValediction(lines[i].lower)) {
          bool short_tail = true;
          for (size_t j = i + 1; j <= last; ++j) short_tail = short_tail && lines[j].lower.size() <= 60;
          if (short_tail && i > 0)
            for (size_t j = i; j <= last; ++j) Mark(lines[j], Kind::kSignature, 0.75);
          break;
        }
      }
    }
  }

  // Blank lines join the block before them (or the next one at the top).
  for (size_t i = 0; i < n; ++i) {
    if (!lines[i].blank) continue;
    if (i > 0) { lines[i].kind = lines[i - 1].kind; lines[i].conf = lines[i - 1].conf; }
  }
  if (n > 0 && lines[0].blank) {
    size_t j = 0;
    while (j < n && lines[j].blank) ++j;
    if (j < n)
      for (size_t i = 0; i < j; ++i) { lines[i].kind = lines[j].kind; lines[i].conf = lines[j].conf; }
  }

  for (size_t i = 0; i < n; ++i) {
    const size_t end = (i + 1 < n) ? lines[i + 1].start : text.size();
    if (!blocks.empty() && blocks.back().kind == KindName(lines[i].kind)) {
      TextBlock& b = blocks.back();
      // Byte-weighted running confidence.
      const double w_old = static_cast<double>(b.end - b.start), w_new = static_cast<double>(end - lines[i].start);
      if (w_old + w_new > 0) b.confidence = (b.confidence * w_old + lines[i].conf * w_new) / (w_old + w_new);
      b.end = end;
    } else {
      blocks.push_back({lines[i].start, end, KindName(lines[i].kind), lines[i].kind != Kind::kContent, lines[i].conf});
    }
  }
  if (input.size() > text.size()) blocks.push_back({text.size(), input.size(), "content", false, 0.0});
  return blocks;
}

double BlocksConfidence(const std::vector<TextBlock>& blocks) {
  double w = 0, s = 0;
  for (const auto& b : blocks) {
    const double len = static_cast<double>(b.end - b.start);
    w += len;
    s += len * b.confidence;
  }
  return w > 0 ? s / w : 0.0;
}

std::string ContentText(std::string_view text, const std::vector<TextBlock>& blocks) {
  std::string out;
  for (const auto& b : blocks)
    if (!b.boilerplate && b.end <= text.size()) out.append(text.substr(b.start, b.end - b.start));
  return out;
}

}  // namespace hitloop::autolabel

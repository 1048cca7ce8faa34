#include "autolabel/language.h"

#include <cld2/public/compact_lang_det.h>
#include <fasttext/fasttext.h>
#include <sodium.h>
#include <utf8proc.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "autolabel/normalize.h"
#include "core/file.h"

namespace CLD2 {
const char* LanguageCode(Language lang);  // lib/cld2 lang_script.h (not in the public headers)
}

namespace hitloop::autolabel {
namespace {

// Cuts at most `max` bytes without splitting a UTF-8 sequence.
std::string_view Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

int CountLetters(std::string_view s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  const utf8proc_ssize_t n = static_cast<utf8proc_ssize_t>(s.size());
  int letters = 0;
  for (utf8proc_ssize_t i = 0; i < n;) {
    int32_t cp;
    utf8proc_ssize_t len = utf8proc_iterate(p + i, n - i, &cp);
    if (len <= 0) { ++i; continue; }
    const auto c = utf8proc_category(cp);
    if (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ++letters;
    i += len;
  }
  return letters;
}

struct Cld2Answer {
  std::string code = "und";
  int percent = 0;
  bool reliable = false;
};

// CLD2 refuses text that is not "interchange-valid" UTF-8 (C0/C1 controls such as U+0000, DEL,
// noncharacters): it then returns early and leaves its language/percent outputs unwritten. Such
// code points carry no language, so they become spaces before CLD2 sees the text.
std::string InterchangeValid(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const utf8proc_ssize_t n = static_cast<utf8proc_ssize_t>(text.size());
  for (utf8proc_ssize_t i = 0; i < n;) {
    int32_t cp;
    utf8proc_ssize_t len = utf8proc_iterate(p + i, n - i, &cp);
    if (len <= 0) { out.push_back(' '); ++i; continue; }
    const bool control = (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp < 0xA0);
    const bool nonchar = (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    if (control || nonchar) {
      out.push_back(' ');
    } else {
      out.append(text.data() + i, static_cast<size_t>(len));
    }
    i += len;
  }
  return out;
}

Cld2Answer RunCld2(std::string_view raw) {
  const std::string text = InterchangeValid(raw);
  CLD2::Language lang3[3] = {CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE};
  int percent3[3] = {0, 0, 0};
  double score3[3] = {0.0, 0.0, 0.0};
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix = 0;
  CLD2::ExtDetectLanguageSummaryCheckUTF8(text.data(), static_cast<int>(text.size()), true, nullptr, 0,
                                          lang3, percent3, score3, nullptr, &text_bytes, &reliable,
                                          &valid_prefix);
  Cld2Answer a;
  // Whatever CLD2 still refused (its outputs are then not to be trusted) answers "und".
  if (valid_prefix < static_cast<int>(text.size())) return a;
  a.code = NormalizeLanguageCode(CLD2::LanguageCode(lang3[0]));
  a.percent = std::clamp(percent3[0], 0, 100);
  a.reliable = reliable;
  return a;
}

}  // namespace

std::string NormalizeLanguageCode(std::string_view code) {
  if (code.empty() || code == "un" || code == "xx" || code.starts_with("xx-")) return "und";
  std::string c(code);
  if (auto dash = c.find('-'); dash != std::string::npos) c.resize(dash);  // zh-Hant → zh
  if (c == "iw") return "he";
  if (c == "in") return "id";
  if (c == "ji") return "yi";
  if (c == "jw") return "jv";
  if (c == "mo") return "ro";
  return c;
}

struct LanguageIdentifier::Impl {
  LanguageOptions opt;
  std::unique_ptr<fasttext::FastText> ft;
};

LanguageIdentifier::LanguageIdentifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LanguageIdentifier::~LanguageIdentifier() = default;
bool LanguageIdentifier::has_fasttext() const { return impl_->ft != nullptr; }

std::unique_ptr<LanguageIdentifier> LanguageIdentifier::Cld2Only(LanguageOptions options) {
  options.model_path.clear();
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(options);
  return std::unique_ptr<LanguageIdentifier>(new LanguageIdentifier(std::move(impl)));
}

Result<std::unique_ptr<LanguageIdentifier>> LanguageIdentifier::Open(const LanguageOptions& options) {
  if (options.model_path.empty()) return Cld2Only(options);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(options.model_path, ec))
    return NotFound("language model not found: " + options.model_path +
                    " (run scripts/fetch-models.sh)");
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(options.model_path));
  if (!options.expected_sha256.empty()) {
    if (sodium_init() < 0) return Internal("libsodium failed to initialise");
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    if (options.expected_sha256 != hex)
      return Corruption("language model checksum mismatch: " + options.model_path + " has sha256 " +
                        hex + ", expected " + options.expected_sha256 + " (re-run scripts/fetch-models.sh)");
  }
  auto impl = std::make_unique<Impl>();
  impl->opt = options;
  impl->ft = std::make_unique<fasttext::FastText>();
  try {
    // loadModel(path) checks the magic number and version; loadModel(istream) expects them read.
    impl->ft->loadModel(options.model_path);
  } catch (const std::exception& e) {
    return Corruption("cannot load language model " + options.model_path + ": " + e.what());
  }
  return std::unique_ptr<LanguageIdentifier>(new LanguageIdentifier(std::move(impl)));
}

LanguageResult LanguageIdentifier::Identify(std::string_view raw) const {
  const Impl& m = *impl_;
  std::string text = SanitizeUtf8(Prefix(raw, m.opt.max_bytes));
  LanguageResult r;
  r.language = "und";
  if (CountLetters(text) < m.opt.min_letters) return r;  // too short to call (backend "rule")

  if (!m.ft) {
    const Cld2Answer c = RunCld2(text);
    r.backend = "cld2";
    if (c.code == "und") return r;
    r.language = c.code;
    // CLD2 reports a percentage of text bytes and a reliability bit, not a probability: map them.
    r.confidence = (c.reliable ? 0.5 + 0.5 * c.percent / 100.0 : 0.3 * c.percent / 100.0);
    if (!c.reliable) r.language = "und";
    return r;
  }

  // fastText reads one line: newlines would end the input early.
  for (char& ch : text)
    if (ch == '\n' || ch == '\r' || ch == '\t' || ch == '\v' || ch == '\f') ch = ' ';
  text.push_back('\n');
  std::istringstream in(text);
  std::vector<std::pair<fasttext::real, std::string>> preds;
  try {
    m.ft->predictLine(in, preds, 2, 0.0f);
  } catch (const std::exception&) {
    preds.clear();
  }
  r.backend = "fasttext";
  if (preds.empty()) return r;
  auto strip = [](const std::string& label) {
    constexpr std::string_view kPrefix = "__label__";
    return label.starts_with(kPrefix) ? label.substr(kPrefix.size()) : label;
  };
  // FastText::predictLine returns probabilities (it exponentiates Model::predict's log-probs).
  const double p1 = std::min(1.0, std::max(0.0, static_cast<double>(preds[0].first)));
  const std::string top = NormalizeLanguageCode(strip(preds[0].second));
  if (p1 >= m.opt.min_confidence) {
    r.language = top;
    r.confidence = p1;
    return r;
  }
  // Unsure: a reliable CLD2 answer that matches one of fastText's top two settles it.
  const Cld2Answer c = RunCld2(text);
  r.backend = "fasttext+cld2";
  const std::string second = preds.size() > 1 ? NormalizeLanguageCode(strip(preds[1].second)) : "";
  if (c.reliable && (c.code == top || c.code == second)) {
    const double pc = c.code == top ? p1 : static_cast<double>(preds[1].first);
    r.language = c.code;
    r.confidence = std::min(0.9, 0.5 * (pc + c.percent / 100.0));
    return r;
  }
  r.confidence = p1;
  return r;
}

}  // namespace hitloop::autolabel

#pragma once
// Language identification.
//
// Primary backend: the fastText lid.176 model (Joulin et al. 2016, "Bag of Tricks for Efficient
// Text Classification"; 176 languages; CC BY-SA 3.0, fetched by scripts/fetch-models.sh into
// models/lid.176.ftz, never committed). Fallback: CLD2 (Compact Language Detector 2, ~80
// languages), consulted when fastText is unsure, and the only backend when no model is loaded.
//
// Codes: ISO 639-1 where one exists, else the model's ISO 639-3 code (e.g. "ceb", "war");
// "und" when the text is too short (fewer than `min_letters` letters) or too mixed to call (top
// probability below `min_confidence` and CLD2 does not reliably agree) — then `confidence` is the
// low top probability.
// Thread-safety: Identify() is const and safe to call from several threads at once.
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace hitloop::autolabel {

// sha256 of the lid.176.ftz that scripts/fetch-models.sh installs.
inline constexpr const char* kLid176FtzSha256 =
    "8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83";

struct LanguageOptions {
  std::string model_path;          // fastText model; empty = CLD2 only
  std::string expected_sha256;     // when set, the model file must match it (else Corruption)
  int min_letters = 3;             // fewer letters than this: "und"
  double min_confidence = 0.40;    // fastText top-1 probability below this: ask CLD2, else "und"
  size_t max_bytes = 8192;         // only the first max_bytes (cut at a character) are read
};

struct LanguageResult {
  std::string language;            // "en", "zh", "ceb", "und"
  double confidence = 0.0;         // in [0, 1]
  const char* backend = "rule";    // "fasttext" | "cld2" | "fasttext+cld2" | "rule" (too short)
};

class LanguageIdentifier {
 public:
  // Loads the fastText model when options.model_path is set. Errors: NotFound (no such file),
  // Corruption (checksum mismatch or unreadable model). Never falls back silently: a caller that
  // accepts CLD2 only calls Cld2Only().
  static Result<std::unique_ptr<LanguageIdentifier>> Open(const LanguageOptions& options);
  // CLD2 only (no model file needed).
  static std::unique_ptr<LanguageIdentifier> Cld2Only(LanguageOptions options = {});

  ~LanguageIdentifier();
  LanguageIdentifier(const LanguageIdentifier&) = delete;
  LanguageIdentifier& operator=(const LanguageIdentifier&) = delete;

  // Any bytes are accepted (invalid UTF-8 is replaced; empty text is "und", confidence 0).
  LanguageResult Identify(std::string_view text) const;
  bool has_fasttext() const;

 private:
  struct Impl;
  explicit LanguageIdentifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Maps a CLD2 code to ours ("un" → "und", "zh-Hant" → "zh", "iw" → "he", ...).
std::string NormalizeLanguageCode(std::string_view code);

}  // namespace hitloop::autolabel

#include "autolabel/normalize.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>

#include "core/ids.h"

namespace hitloop::autolabel {
namespace {

bool IsAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// Scripts written without spaces between words: each codepoint is a token.
bool IsUnspacedScript(int32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) ||   // Hiragana, Katakana
         (cp >= 0x3400 && cp <= 0x4DBF) ||   // CJK Extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||   // CJK Unified Ideographs
         (cp >= 0xF900 && cp <= 0xFAFF) ||   // CJK Compatibility Ideographs
         (cp >= 0x20000 && cp <= 0x2FFFF) || // CJK Extensions B+
         (cp >= 0x0E00 && cp <= 0x0EFF) ||   // Thai, Lao
         (cp >= 0x1000 && cp <= 0x109F) ||   // Myanmar
         (cp >= 0x1780 && cp <= 0x17FF);     // Khmer
}

bool IsWordChar(int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// Calls fn(token) for each token of already-normalised text.
template <typename Fn>
void ForEachToken(std::string_view norm, Fn&& fn) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(norm.data());
  const utf8proc_ssize_t n = static_cast<utf8proc_ssize_t>(norm.size());
  utf8proc_ssize_t i = 0;
  utf8proc_ssize_t start = -1;
  while (i < n) {
    int32_t cp;
    utf8proc_ssize_t len;
    if (p[i] < 0x80) {
      cp = p[i];
      len = 1;
      const bool word = (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z');
      if (word) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        fn(norm.substr(start, i - start));
        start = -1;
      }
      i += len;
      continue;
    }
    len = utf8proc_iterate(p + i, n - i, &cp);
    if (len <= 0) { len = 1; cp = 0xFFFD; }
    if (IsUnspacedScript(cp)) {
      if (start >= 0) { fn(norm.substr(start, i - start)); start = -1; }
      fn(norm.substr(i, len));
    } else if (IsWordChar(cp)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      fn(norm.substr(start, i - start));
      start = -1;
    }
    i += len;
  }
  if (start >= 0) fn(norm.substr(start));
}

}  // namespace

size_t CountInvalidUtf8Bytes(std::string_view text) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const utf8proc_ssize_t n = static_cast<utf8proc_ssize_t>(text.size());
  size_t bad = 0;
  for (utf8proc_ssize_t i = 0; i < n;) {
    if (p[i] < 0x80) { ++i; continue; }
    int32_t cp;
    utf8proc_ssize_t len = utf8proc_iterate(p + i, n - i, &cp);
    if (len <= 0) { ++bad; ++i; } else { i += len; }
  }
  return bad;
}

std::string SanitizeUtf8(std::string_view text) {
  if (CountInvalidUtf8Bytes(text) == 0) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const utf8proc_ssize_t n = static_cast<utf8proc_ssize_t>(text.size());
  for (utf8proc_ssize_t i = 0; i < n;) {
    if (p[i] < 0x80) { out.push_back(static_cast<char>(p[i])); ++i; continue; }
    int32_t cp;
    utf8proc_ssize_t len = utf8proc_iterate(p + i, n - i, &cp);
    if (len <= 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string NormalizeForHash(std::string_view text) {
  std::string folded;
  if (IsAscii(text)) {
    folded.assign(text);
    for (char& c : folded)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  } else {
    const std::string clean = SanitizeUtf8(text);
    utf8proc_uint8_t* mapped = nullptr;
    const utf8proc_ssize_t len = utf8proc_map(
        reinterpret_cast<const utf8proc_uint8_t*>(clean.data()), static_cast<utf8proc_ssize_t>(clean.size()),
        &mapped,
        static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD));
    if (len < 0 || mapped == nullptr) {
      folded = clean;  // utf8proc failed (out of memory): hash the sanitised bytes instead.
    } else {
      folded.assign(reinterpret_cast<const char*>(mapped), static_cast<size_t>(len));
    }
    std::free(mapped);
  }
  // Collapse whitespace (ASCII and the common Unicode spaces after NFKC are ASCII space).
  std::string out;
  out.reserve(folded.size());
  bool pending_space = false;
  for (char c : folded) {
    const bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (ws) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) { out.push_back(' '); pending_space = false; }
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> Tokens(std::string_view text) {
  const std::string norm = NormalizeForHash(text);
  std::vector<std::string> out;
  ForEachToken(norm, [&](std::string_view t) { out.emplace_back(t); });
  return out;
}

std::vector<uint64_t> TokenHashes(std::string_view text) {
  const std::string norm = NormalizeForHash(text);
  std::vector<uint64_t> token_hashes;
  ForEachToken(norm, [&](std::string_view t) { token_hashes.push_back(Hash64(t)); });
  return token_hashes;
}

std::vector<uint64_t> ShinglesOfTokens(const std::vector<uint64_t>& token_hashes, int k) {
  if (k < 1) k = 1;
  std::vector<uint64_t> out;
  if (token_hashes.empty()) return out;
  const size_t kk = static_cast<size_t>(k);
  auto combine = [](uint64_t h, uint64_t t) {
    // Order-sensitive mix (boost::hash_combine style on 64 bits), then a final avalanche.
    h ^= t + 0x9e3779b97f4a7c15ULL + (h << 12) + (h >> 4);
    return h;
  };
  auto finish = [](uint64_t h) {
    h ^= h >> 33; h *= 0xff51afd7ed558ccdULL; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53ULL; h ^= h >> 33;
    return h;
  };
  if (token_hashes.size() < kk) {
    uint64_t h = 0;
    for (uint64_t t : token_hashes) h = combine(h, t);
    out.push_back(finish(h));
    return out;
  }
  out.reserve(token_hashes.size() - kk + 1);
  for (size_t i = 0; i + kk <= token_hashes.size(); ++i) {
    uint64_t h = 0;
    for (size_t j = 0; j < kk; ++j) h = combine(h, token_hashes[i + j]);
    out.push_back(finish(h));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<uint64_t> ShingleHashes(std::string_view text, int k) {
  return ShinglesOfTokens(TokenHashes(text), k);
}

}  // namespace hitloop::autolabel

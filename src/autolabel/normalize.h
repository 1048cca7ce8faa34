#pragma once
// Text normalisation and shingling private to autolabel/ (kept apart from text/, which serves the
// ML features, so rule labelers do not change when feature extraction does).
// All functions are pure and thread-safe. Invalid UTF-8 never fails: each bad byte becomes U+FFFD.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hitloop::autolabel {

// Returns `text` with every invalid UTF-8 byte replaced by U+FFFD (valid input is returned as is).
std::string SanitizeUtf8(std::string_view text);

// Counts bytes of `text` that are not part of a valid UTF-8 sequence.
size_t CountInvalidUtf8Bytes(std::string_view text);

// The normal form behind exact-duplicate hashing: NFKC, Unicode case fold, every run of
// whitespace collapsed to one space, trimmed. ASCII input takes a fast path with the same result.
std::string NormalizeForHash(std::string_view text);

// Hashes of the word k-shingles of `text` (after NormalizeForHash): tokens are runs of letters,
// digits and marks; each Han/Hiragana/Katakana/Thai/Lao/Khmer/Myanmar codepoint (scripts written
// without spaces) is a token of its own. A text with fewer than k (but at least one) tokens yields
// one shingle of all its tokens. Output is sorted and unique. k must be >= 1.
std::vector<uint64_t> ShingleHashes(std::string_view text, int k);

// The hashes of the tokens of `text` (after NormalizeForHash), in text order, repeats kept.
std::vector<uint64_t> TokenHashes(std::string_view text);

// ShingleHashes from TokenHashes' output (so a caller needing both tokenises once).
std::vector<uint64_t> ShinglesOfTokens(const std::vector<uint64_t>& token_hashes, int k);

// Lowercase token strings of `text` as ShingleHashes sees them (for tests and diagnostics).
std::vector<std::string> Tokens(std::string_view text);

}  // namespace hitloop::autolabel

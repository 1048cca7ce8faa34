#pragma once
// Featurizer files: a fitted text::Featurizer (options, IDF table, dense scaling) framed as
//   magic "HLFEATR\0" (8 bytes) | format version u32 | payload length u64 |
//   XXH3-64 of the payload u64 | payload
// (the same scheme as model/model_file.h) and written with AtomicWriteFile, so a live cycle can
// reuse the pool's featurizer instead of refitting it, and a flipped byte, a truncated or a
// foreign file is a Corruption error at load time, never wrong features later.
// Payload (little-endian): hash_bits i32 | word_unigrams, word_bigrams, sublinear_tf, idf u8 |
//   char_ngram_min, char_ngram_max i32 | max_idf f32 | idf count u64 + f32s |
//   dense count u64 + f32s | (version 2) char_ngram_words u8. Version 1 files (no last byte) are
//   read with char_ngram_words = false, the rule they were written under. The hashing itself (XXH3 seeds, normalisation, tokenisation in
//   text/featurizer.cc) is part of the format: change it and bump kFeaturizerFileVersion.
// Thread-safe (no shared state).
#include <string>
#include <string_view>

#include "core/status.h"
#include "text/featurizer.h"

namespace hitloop::text {

inline constexpr uint32_t kFeaturizerFileVersion = 2;

std::string EncodeFeaturizer(const Featurizer& featurizer);
// Corruption on bad magic/version/length/checksum or a payload that does not describe a
// featurizer.
Result<Featurizer> DecodeFeaturizer(std::string_view bytes);

// Io on write failure (the previous file is left in place).
Status SaveFeaturizer(const Featurizer& featurizer, const std::string& path);
// Io when unreadable; Corruption (message names the path) when invalid.
Result<Featurizer> LoadFeaturizer(const std::string& path);

}  // namespace hitloop::text

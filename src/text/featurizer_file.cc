#include "text/featurizer_file.h"

#include <cstring>

#include "core/file.h"
#include "core/serial.h"
#include "core/ids.h"

namespace hitloop::text {
namespace {

constexpr char kMagic[8] = {'H', 'L', 'F', 'E', 'A', 'T', 'R', '\0'};
constexpr size_t kHeader = sizeof(kMagic) + 4 + 8 + 8;

}  // namespace

std::string EncodeFeaturizer(const Featurizer& featurizer) {
  const Featurizer::State st = featurizer.ToState();
  Writer w;
  w.Put<int32_t>(st.options.hash_bits);
  w.Put<uint8_t>(st.options.word_unigrams);
  w.Put<uint8_t>(st.options.word_bigrams);
  w.Put<uint8_t>(st.options.sublinear_tf);
  w.Put<uint8_t>(st.options.idf);
  w.Put<int32_t>(st.options.char_ngram_min);
  w.Put<int32_t>(st.options.char_ngram_max);
  w.Put<float>(st.max_idf);
  w.PutVector(st.idf);
  w.PutVector(st.dense_scale);
  w.Put<uint8_t>(st.options.char_ngram_words);
  const std::string payload = w.Take();

  Writer header;
  header.Put<uint32_t>(kFeaturizerFileVersion);
  header.Put<uint64_t>(payload.size());
  header.Put<uint64_t>(Hash64(payload));
  return std::string(kMagic, sizeof(kMagic)) + header.Take() + payload;
}

Result<Featurizer> DecodeFeaturizer(std::string_view bytes) {
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Corruption("featurizer file: bad magic (not a hitloop featurizer)");
  }
  if (bytes.size() < kHeader) return Corruption("featurizer file: truncated header");
  Reader h(bytes.substr(sizeof(kMagic), kHeader - sizeof(kMagic)));
  uint32_t version = 0;
  uint64_t length = 0, checksum = 0;
  h.Get(&version);
  h.Get(&length);
  h.Get(&checksum);
  if (version != 1 && version != kFeaturizerFileVersion) {
    return Corruption("featurizer file: unsupported format version " + std::to_string(version));
  }
  const std::string_view payload = bytes.substr(kHeader);
  if (payload.size() != length) {
    return Corruption("featurizer file: payload length mismatch (truncated or extended file)");
  }
  if (Hash64(payload) != checksum) return Corruption("featurizer file: checksum mismatch");

  Featurizer::State st;
  Reader c(payload);
  uint8_t uni = 0, bi = 0, sub = 0, idf = 0, words = 0;
  if (!c.Get(&st.options.hash_bits) || !c.Get(&uni) || !c.Get(&bi) || !c.Get(&sub) ||
      !c.Get(&idf) || !c.Get(&st.options.char_ngram_min) ||
      !c.Get(&st.options.char_ngram_max) || !c.Get(&st.max_idf) || !c.GetVector(&st.idf) ||
      !c.GetVector(&st.dense_scale) || (version >= 2 && !c.Get(&words)) || !c.done() || uni > 1 ||
      bi > 1 || sub > 1 || idf > 1 || words > 1) {
    return Corruption("featurizer file: malformed payload");
  }
  st.options.char_ngram_words = words;  // version 1: n-grams of the tokens
  st.options.word_unigrams = uni;
  st.options.word_bigrams = bi;
  st.options.sublinear_tf = sub;
  st.options.idf = idf;
  auto f = Featurizer::FromState(std::move(st));
  if (!f.ok()) return Corruption("featurizer file: " + f.status().message());
  return f;
}

Status SaveFeaturizer(const Featurizer& featurizer, const std::string& path) {
  return AtomicWriteFile(path, EncodeFeaturizer(featurizer));
}

Result<Featurizer> LoadFeaturizer(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  auto f = DecodeFeaturizer(bytes);
  if (!f.ok()) return Status(f.status().code(), path + ": " + f.status().message());
  return f;
}

}  // namespace hitloop::text

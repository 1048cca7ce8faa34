#include "text/featurizer_file.h"

#include <cstring>

#include "core/file.h"
#include "core/ids.h"

namespace hitloop::text {
namespace {

constexpr char kMagic[8] = {'H', 'L', 'F', 'E', 'A', 'T', 'R', '\0'};
constexpr size_t kHeader = sizeof(kMagic) + 4 + 8 + 8;

template <typename T>
void Put(std::string* out, const T& v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(T));
}

void PutFloats(std::string* out, const std::vector<float>& v) {
  Put<uint64_t>(out, v.size());
  out->append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

// Bounds-checked reads: false once the input is exhausted.
class Cursor {
 public:
  explicit Cursor(std::string_view in) : in_(in) {}
  template <typename T>
  bool Get(T* v) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool GetFloats(std::vector<float>* v) {
    uint64_t n = 0;
    if (!Get(&n) || n > in_.size() / sizeof(float)) return false;
    v->resize(n);
    std::memcpy(v->data(), in_.data(), n * sizeof(float));
    in_.remove_prefix(n * sizeof(float));
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string EncodeFeaturizer(const Featurizer& featurizer) {
  const Featurizer::State st = featurizer.ToState();
  std::string payload;
  Put<int32_t>(&payload, st.options.hash_bits);
  Put<uint8_t>(&payload, st.options.word_unigrams);
  Put<uint8_t>(&payload, st.options.word_bigrams);
  Put<uint8_t>(&payload, st.options.sublinear_tf);
  Put<uint8_t>(&payload, st.options.idf);
  Put<int32_t>(&payload, st.options.char_ngram_min);
  Put<int32_t>(&payload, st.options.char_ngram_max);
  Put<float>(&payload, st.max_idf);
  PutFloats(&payload, st.idf);
  PutFloats(&payload, st.dense_scale);

  std::string out(kMagic, sizeof(kMagic));
  Put<uint32_t>(&out, kFeaturizerFileVersion);
  Put<uint64_t>(&out, payload.size());
  Put<uint64_t>(&out, Hash64(payload));
  out += payload;
  return out;
}

Result<Featurizer> DecodeFeaturizer(std::string_view bytes) {
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Corruption("featurizer file: bad magic (not a hitloop featurizer)");
  }
  if (bytes.size() < kHeader) return Corruption("featurizer file: truncated header");
  Cursor h(bytes.substr(sizeof(kMagic), kHeader - sizeof(kMagic)));
  uint32_t version = 0;
  uint64_t length = 0, checksum = 0;
  h.Get(&version);
  h.Get(&length);
  h.Get(&checksum);
  if (version != kFeaturizerFileVersion) {
    return Corruption("featurizer file: unsupported format version " + std::to_string(version));
  }
  const std::string_view payload = bytes.substr(kHeader);
  if (payload.size() != length) {
    return Corruption("featurizer file: payload length mismatch (truncated or extended file)");
  }
  if (Hash64(payload) != checksum) return Corruption("featurizer file: checksum mismatch");

  Featurizer::State st;
  Cursor c(payload);
  uint8_t uni = 0, bi = 0, sub = 0, idf = 0;
  if (!c.Get(&st.options.hash_bits) || !c.Get(&uni) || !c.Get(&bi) || !c.Get(&sub) ||
      !c.Get(&idf) || !c.Get(&st.options.char_ngram_min) ||
      !c.Get(&st.options.char_ngram_max) || !c.Get(&st.max_idf) || !c.GetFloats(&st.idf) ||
      !c.GetFloats(&st.dense_scale) || !c.done() || uni > 1 || bi > 1 || sub > 1 || idf > 1) {
    return Corruption("featurizer file: malformed payload");
  }
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

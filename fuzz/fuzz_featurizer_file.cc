// libFuzzer target: featurizer files (text/featurizer_file.h). The first byte picks the mode:
//   even: the rest is a whole featurizer file, decoded by text::DecodeFeaturizer (what
//         LoadFeaturizer does with a file's bytes);
//   odd:  the rest is a payload, framed here the way EncodeFeaturizer frames one (magic, version,
//         length, core/ids.h Hash64) so the checksum holds and the payload checks see the bytes.
// What decodes must then transform texts (and dense vectors of its width) without crashing.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/serial.h"
#include "text/featurizer_file.h"

using namespace hitloop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string bytes;
  if (data[0] % 2 == 0) {
    bytes.assign(rest);
  } else {
    Writer header;
    header.Put<uint32_t>(text::kFeaturizerFileVersion);
    header.Put<uint64_t>(rest.size());
    header.Put<uint64_t>(Hash64(rest));
    bytes = std::string("HLFEATR\0", 8) + header.Take() + std::string(rest);
  }
  auto f = text::DecodeFeaturizer(bytes);
  if (!f.ok()) return 0;
  if (f->dense_dims() > 4096) return 0;  // a huge but valid table: nothing more to learn here
  const std::vector<float> dense(f->dense_dims(), 0.5f);
  f->Transform({"Hello, world! Ünïcödé text — with bigrams and 123 numbers.", dense});
  f->Transform({"", dense});
  const std::string again = text::EncodeFeaturizer(*f);
  (void)again;
  return 0;
}

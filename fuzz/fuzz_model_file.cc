// libFuzzer target: model files (model/model_file.h). The first byte picks the mode:
//   even: the rest is a whole model file, decoded by model::DecodeModel (what LoadModel does with
//         a file's bytes): the framing checks must refuse anything malformed;
//   odd:  the rest is a payload framed by model::EncodeFrame under a registered classifier name
//         (chosen by the first byte), so the checksum holds and the classifier's own Deserialize
//         sees the bytes. What decodes must then predict without crashing.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "model/model_file.h"

using namespace hitloop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* const kNames[] = {"logreg", "fasttext", "calibrated:logreg", "bagged:logreg",
                                       "calibrated:fasttext", "bagged:calibrated:logreg"};
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string bytes;
  if (data[0] % 2 == 0) {
    bytes.assign(rest);
  } else {
    bytes = model::EncodeFrame(kNames[(data[0] / 2) % std::size(kNames)], rest);
  }
  model::ClassifierOptions options;
  options.threads = 1;
  options.ensemble_size = 2;
  auto m = model::DecodeModel(bytes, options);
  if (!m.ok()) return 0;
  const int k = (*m)->num_classes();
  if (k < 1 || k > 1 << 16) return 0;
  const text::SparseRow row = {{0, 0.5f}, {3, 1.0f}, {15, -0.25f}};
  const model::Example examples[] = {{&row, "a short text", 0}, {&row, "", 0}};
  std::vector<float> out(std::size(examples) * static_cast<size_t>(k));
  auto st = (*m)->Predict(examples, out);
  (void)st;
  auto again = (*m)->Serialize();
  (void)again;
  return 0;
}

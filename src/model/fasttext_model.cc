#include "model/fasttext_model.h"

#include <fasttext/fasttext.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/file.h"
#include "core/ids.h"
#include "core/serial.h"
#include "model/fasttext_text.h"

namespace hitloop::model {
namespace {

constexpr std::string_view kLabelPrefix = "__label__";

}  // namespace

FastTextModel::FastTextModel(const ClassifierOptions& options) : options_(options) {}
FastTextModel::~FastTextModel() = default;

Status FastTextModel::Train(std::span<const Example> examples, std::span<const int> labels,
                            int num_classes) {
  RETURN_IF_ERROR(ValidateTrainingInput(examples, labels, num_classes));
  const std::string input = FastTextTempPath("hitloop-ft", "train.txt");
  {
    std::ofstream f(input, std::ios::binary);
    for (size_t i = 0; i < examples.size(); ++i) {
      f << kLabelPrefix << labels[i] << ' ' << FastTextLine(examples[i].text) << '\n';
    }
    if (!f) return IoError("fasttext: cannot write " + input);
  }
  fasttext::Args args;
  args.input = input;
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::softmax;
  args.lr = 0.5;
  args.epoch = 25;
  args.dim = 50;
  args.wordNgrams = 2;
  args.minCount = 1;
  args.minn = 0;
  args.maxn = 0;
  args.bucket = 1 << 18;  // 2^18 × dim floats; fastText's 2M default costs 400 MB per model
  args.thread = std::max(1, options_.threads);
  args.verbose = 0;
  args.seed = static_cast<int>(options_.seed & 0x7fffffff);
  auto ft = std::make_unique<fasttext::FastText>();
  Status st;
  try {
    ft->train(args);
  } catch (const std::exception& e) {
    st = Internal(std::string("fasttext: training failed: ") + e.what());
  }
  std::error_code ec;
  std::filesystem::remove(input, ec);
  RETURN_IF_ERROR(st);
  ft_ = std::move(ft);
  num_classes_ = num_classes;
  return Status::Ok();
}

Status FastTextModel::Predict(std::span<const Example> examples, std::span<float> out) const {
  if (!ft_) return FailedPrecondition("fasttext: not trained");
  if (out.size() != examples.size() * static_cast<size_t>(num_classes_)) {
    return InvalidArgument("fasttext: output buffer has the wrong size");
  }
  std::fill(out.begin(), out.end(), 0.0f);
  std::vector<std::pair<fasttext::real, std::string>> preds;
  try {
    for (size_t i = 0; i < examples.size(); ++i) {
      std::istringstream in(FastTextLine(examples[i].text) + "\n");
      ft_->predictLine(in, preds, -1, 0.0);
      float* o = out.data() + i * num_classes_;
      double sum = 0;
      for (const auto& [p, label] : preds) {
        if (!std::string_view(label).starts_with(kLabelPrefix)) continue;
        const int k = std::atoi(label.c_str() + kLabelPrefix.size());
        if (k < 0 || k >= num_classes_) continue;
        o[k] = static_cast<float>(p);
        sum += p;
      }
      if (sum <= 0) {
        for (int k = 0; k < num_classes_; ++k) o[k] = 1.0f / num_classes_;
      } else {
        for (int k = 0; k < num_classes_; ++k) o[k] = static_cast<float>(o[k] / sum);
      }
    }
  } catch (const std::exception& e) {
    return Internal(std::string("fasttext: prediction failed: ") + e.what());
  }
  return Status::Ok();
}

Result<std::string> FastTextModel::Serialize() const {
  if (!ft_) return FailedPrecondition("fasttext: not trained");
  const std::string path = FastTextTempPath("hitloop-ft", "model.bin");
  try {
    ft_->saveModel(path);
  } catch (const std::exception& e) {
    return IoError(std::string("fasttext: save failed: ") + e.what());
  }
  auto bytes = ReadFile(path);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (!bytes.ok()) return bytes.status();
  Writer w;
  w.Put<int32_t>(num_classes_);
  w.PutString(*bytes);
  return w.Take();
}

Status FastTextModel::Deserialize(std::string_view payload) {
  Reader r(payload);
  int32_t k = 0;
  std::string bytes;
  if (!r.Get(&k) || k < 1 || !r.GetString(&bytes) || !r.done()) {
    return Corruption("fasttext: malformed model payload");
  }
  const std::string path = FastTextTempPath("hitloop-ft", "load.bin");
  {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) return IoError("fasttext: cannot write " + path);
  }
  auto ft = std::make_unique<fasttext::FastText>();
  Status st;
  try {
    ft->loadModel(path);
  } catch (const std::exception& e) {
    st = Corruption(std::string("fasttext: load failed: ") + e.what());
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  RETURN_IF_ERROR(st);
  ft_ = std::move(ft);
  num_classes_ = k;
  return Status::Ok();
}

}  // namespace hitloop::model

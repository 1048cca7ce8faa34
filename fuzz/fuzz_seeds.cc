// Writes seed files for fuzz_model_file and fuzz_featurizer_file (scripts/fuzz-corpus.sh runs it):
// a featurizer fitted on four texts, and LogReg, calibrated LogReg and fastText models trained on
// its features, each as the file bytes SaveModel/SaveFeaturizer write, prefixed by the mode byte
// the targets read (0 = a whole file). Not a fuzz target: a plain program in the fuzz build.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "model/model_file.h"
#include "model/registry.h"
#include "text/featurizer_file.h"

using namespace hitloop;

namespace {

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << '\0' << bytes;
  if (!out) std::perror(path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_seeds MODEL_DIR FEATURIZER_DIR\n");
    return 2;
  }
  const std::string model_dir = argv[1], featurizer_dir = argv[2];
  const std::vector<std::string> texts = {"free money now", "win a prize today", "see you at lunch",
                                          "meeting moved to monday"};
  const std::vector<int> labels = {1, 1, 0, 0};
  text::FeaturizerOptions fo;
  fo.hash_bits = 10;  // small files
  text::Featurizer featurizer(fo);
  std::vector<text::FeatureInput> inputs;
  for (const auto& t : texts) inputs.push_back({t, {}});
  auto rows = featurizer.FitTransform(inputs);
  if (!rows.ok()) return 1;
  Write(featurizer_dir + "/featurizer.bin", text::EncodeFeaturizer(featurizer));
  std::vector<model::Example> examples;
  for (size_t i = 0; i < texts.size(); ++i) examples.push_back({&(*rows)[i], texts[i], 0});
  model::ClassifierOptions mo;
  mo.threads = 1;
  mo.calibration_holdout = 0.5;
  for (const char* name : {"logreg", "calibrated:logreg", "fasttext"}) {
    auto m = model::CreateClassifier(name, mo);
    if (!m.ok()) return 1;
    if (Status st = (*m)->Train(examples, labels, 2); !st.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, st.ToString().c_str());
      continue;
    }
    auto bytes = model::EncodeModel(**m);
    if (!bytes.ok()) return 1;
    std::string file = name;
    for (char& c : file) c = c == ':' ? '_' : c;
    Write(model_dir + "/" + file + ".bin", *bytes);
  }
  return 0;
}

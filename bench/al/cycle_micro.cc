// Throwaway-sized microbenchmark of the two halves of an active-learning cycle, single thread,
// process CPU time (less sensitive than wall time to the other jobs on a shared machine):
// featurise a JSONL pool, cold-train logreg on the first N records, warm-retrain at N+50, +100,
// +150 (ids = position + 1, as simulate al does), then score the whole pool three times.
// Not part of the build; from the repository root, after building `build`:
//   g++ -std=c++20 -O2 -DNDEBUG -Isrc bench/al/cycle_micro.cc build/libhitloop_lib.a \
//     -o /tmp/cycle_micro -llinear -lfasttext -lxxhash -lutf8proc -lsodium -lpthread
//   /tmp/cycle_micro bench/data/wordnet/pool.jsonl 5000
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "model/logreg.h"
#include "text/featurizer.h"

using namespace hitloop;

static double Cpu() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: cycle_micro POOL.jsonl N\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  std::vector<std::string> texts, labels;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    texts.push_back(j["text"]);
    labels.push_back(j["label"]);
  }
  std::map<std::string, int> id;
  for (const auto& l : labels) id.emplace(l, 0);
  int k = 0;
  for (auto& [name, v] : id) v = k++;
  text::Featurizer f;
  std::vector<text::FeatureInput> fi;
  for (const auto& t : texts) fi.push_back({t, {}});
  auto rows = f.FitTransform(fi).value();
  std::vector<model::Example> ex;
  for (size_t i = 0; i < rows.size(); ++i) ex.push_back({&rows[i], "", i + 1});
  std::vector<int> y;
  for (const auto& l : labels) y.push_back(id[l]);
  const size_t n = std::min(std::stoul(argv[2]), ex.size() - 150);
  model::ClassifierOptions o;
  o.threads = 1;
  model::LogReg m(o);
  double c0 = Cpu();
  if (!m.Train(std::span(ex).first(n), std::span(y).first(n), k).ok()) return 1;
  std::printf("cold train %zu: %.3f s cpu\n", n, Cpu() - c0);
  for (size_t extra : {50, 100, 150}) {
    c0 = Cpu();
    if (!m.Train(std::span(ex).first(n + extra), std::span(y).first(n + extra), k).ok()) return 1;
    std::printf("warm train %zu: %.3f s cpu\n", n + extra, Cpu() - c0);
  }
  std::vector<float> out(ex.size() * k);
  for (int r = 0; r < 3; ++r) {
    c0 = Cpu();
    if (!m.Predict(ex, out).ok()) return 1;
    std::printf("score %zu rows: %.3f s cpu\n", ex.size(), Cpu() - c0);
  }
  return 0;
}

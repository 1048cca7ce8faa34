// hitloop reward train NAME [--criterion C] [--holdout F] [--seed S] [--out MODEL] [--json]
// hitloop reward score NAME FILE.jsonl [--out F] [--model MODEL]
// hitloop reward queue NAME [--n N] [--pool P] [--overlap K] [--model MODEL] [--json]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/parallel.h"
#include "io/line_reader.h"
#include "io/preference_jsonl.h"
#include "loop/cycle.h"
#include "preference/active.h"
#include "preference/evaluation.h"
#include "preference/position_bias.h"
#include "preference/project_data.h"
#include "preference/reward_model.h"
#include "store/open.h"
#include "store/store.h"

namespace hitloop::cli {
namespace {

std::string DefaultRewardPath(const std::string& db, const std::string& project) {
  return loop::DefaultModelsDir(db, project) + "/reward.hlrm";
}

struct TrainOpts {
  std::string project, criterion, out;
  double holdout = 0.2, c = 1.0;
  uint64_t seed = 1;
  int hash_bits = 20;
  int threads = DefaultThreads();
  bool no_char_ngrams = false, no_dense = false, as_json = false, no_save = false;
};

int Train(const GlobalOptions& g, const TrainOpts& t) {
  const auto start = std::chrono::steady_clock::now();
  auto store = OpenStore(g.db_path, OpenMode::kCreateIfMissing);
  if (!store.ok()) { return Fail(store.status()); }
  auto p = (*store)->GetProject(t.project);
  if (!p.ok()) { return Fail(p.status()); }
  auto data = preference::LoadProjectPreferences(**store, *p, t.criterion);
  if (!data.ok()) { return Fail(data.status()); }
  preference::RewardOptions ro;
  ro.c = t.c;
  ro.seed = t.seed;
  ro.hash_bits = t.hash_bits;
  ro.char_ngrams = !t.no_char_ngrams;
  ro.dense = !t.no_dense;
  ro.threads = t.threads;
  const size_t n = data->comparisons.size();
  int64_t ties = 0, bad = 0;
  for (const auto& c : data->comparisons) {
    ties += c.judgement.IsTie();
    bad += c.judgement.both_bad;
  }
  nlohmann::json j = {{"project", p->name}, {"criterion", t.criterion}, {"comparisons", n},
                      {"ties", ties}, {"both_bad", bad}, {"seed", t.seed}};
  // Held-out accuracy: train on the rest, score the held-out comparisons' pairs.
  if (t.holdout > 0) {
    const std::vector<char> test = preference::HoldOut(n, t.holdout, t.seed);
    std::vector<char> train_use(n);
    for (size_t k = 0; k < n; ++k) train_use[k] = !test[k];
    const auto pairs = preference::TrainingPairs(*data, train_use);
    auto model = preference::RewardModel::Train(pairs, ro);
    if (!model.ok()) { return Fail(model.status()); }
    const auto& items = data->items;
    auto acc = preference::ScorePairs(*data, test, [&](size_t item, int r) {
      return model->Score(preference::LastUserTurn(items[item]), items[item].responses[r].text);
    });
    auto shorter = preference::ScorePairs(*data, test, [&](size_t item, int r) {
      return -static_cast<double>(items[item].responses[r].text.size());
    });
    j["holdout"] = t.holdout;
    j["train_pairs"] = pairs.size();
    j["test_pairs"] = acc.pairs;
    j["heldout_pair_accuracy"] = acc.accuracy;
    j["shorter_wins_accuracy"] = shorter.accuracy;
  }
  const auto agreement = preference::PairAgreement(*data);
  j["agreement_pairs"] = agreement.pairs;
  auto bias = preference::MeasurePositionBias(*data);
  if (!bias.ok()) { return Fail(bias.status()); }
  j["position_bias"] = {{"decided", bias->decided}, {"left_wins", bias->left_wins},
                        {"p_left", bias->p_left}, {"lower", bias->interval.lower},
                        {"upper", bias->interval.upper}, {"ties", bias->ties},
                        {"both_bad", bias->both_bad}, {"order_unknown", bias->order_unknown},
                        {"not_pairwise", bias->not_pairwise}};
  if (agreement.pairs > 0) j["inter_annotator_pair_agreement"] = agreement.rate;
  // The model to keep: trained on every comparison.
  std::string path;
  if (!t.no_save) {
    const auto pairs = preference::TrainingPairs(*data, std::vector<char>(n, 1));
    auto model = preference::RewardModel::Train(pairs, ro);
    if (!model.ok()) { return Fail(model.status()); }
    path = t.out.empty() ? DefaultRewardPath(g.db_path, p->name) : t.out;
    std::error_code ec;
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    Status saved = model->Save(path);
    if (!saved.ok()) { return Fail(saved); }
    j["model"] = path;
    j["model_pairs"] = pairs.size();
  }
  j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (t.as_json) {
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("%zu comparisons (%lld ties, %lld both bad: not training pairs)\n", n,
              static_cast<long long>(ties), static_cast<long long>(bad));
  if (j.contains("heldout_pair_accuracy")) {
    std::printf("held-out pair accuracy       %.4f on %lld pairs (%.0f%% of comparisons held out, seed %llu; "
                "\"shorter wins\" %.4f)\n",
                j["heldout_pair_accuracy"].get<double>(), static_cast<long long>(j["test_pairs"].get<int64_t>()),
                100 * t.holdout, static_cast<unsigned long long>(t.seed), j["shorter_wins_accuracy"].get<double>());
  }
  if (agreement.pairs > 0) {
    std::printf("inter-annotator agreement    %.4f on %lld pairs judged by two people\n", agreement.rate,
                static_cast<long long>(agreement.pairs));
  } else {
    std::printf("inter-annotator agreement    n/a (no pair was judged by two people)\n");
  }
  if (bias->decided > 0) {
    std::printf("position bias                P(left wins) %.4f, 95%% interval [%.4f, %.4f], on %lld "
                "decided pairs with a recorded order%s\n",
                bias->p_left, bias->interval.lower, bias->interval.upper,
                static_cast<long long>(bias->decided),
                bias->interval.lower > 0.5 || bias->interval.upper < 0.5 ? " (biased)" : "");
  } else {
    std::printf("position bias                n/a (no decided pair with a recorded display order; %lld "
                "answers without one)\n", static_cast<long long>(bias->order_unknown));
  }
  if (!path.empty()) {
    std::printf("saved %s (trained on all %lld pairs)\n", path.c_str(),
                static_cast<long long>(j["model_pairs"].get<int64_t>()));
  }
  return 0;
}

struct ScoreOpts {
  std::string project, file, out, model;
  size_t max_record_bytes = 1 << 20;
  int threads = DefaultThreads();
};

// Rewards of a batch of records, in parallel (the model is immutable; Score is const).
void ScoreBatch(const preference::RewardModel& model, const std::vector<io::PreferenceRecord>& batch,
                int threads, std::ostream& out) {
  std::vector<std::vector<double>> rewards(batch.size());
  ParallelFor(batch.size(), threads, 64, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const std::string_view prompt = preference::LastUserTurn(batch[i].item);
      for (const auto& r : batch[i].item.responses) rewards[i].push_back(model.Score(prompt, r.text));
    }
  });
  for (size_t i = 0; i < batch.size(); ++i) {
    out << nlohmann::json{{"id", batch[i].id}, {"rewards", rewards[i]}}.dump() << '\n';
  }
}

int Score(const GlobalOptions& g, const ScoreOpts& s) {
  auto store = OpenStore(g.db_path, OpenMode::kCreateIfMissing);
  if (!store.ok()) { return Fail(store.status()); }
  auto p = (*store)->GetProject(s.project);
  if (!p.ok()) { return Fail(p.status()); }
  if (!io::IsPreferenceProject(*p)) {
    return Fail(FailedPrecondition("project '" + p->name + "' is not a pairwise or ranking project"));
  }
  const std::string model_path = s.model.empty() ? DefaultRewardPath(g.db_path, p->name) : s.model;
  auto model = preference::RewardModel::Load(model_path);
  if (!model.ok()) {
    return Fail(model.status().code() == StatusCode::kIo
                          ? NotFound(model.status().message() + " (run: hitloop reward train " + p->name + ")")
                          : model.status());
  }
  io::LineReader reader;
  Status opened = reader.Open(s.file, s.max_record_bytes);
  if (!opened.ok()) { return Fail(opened); }
  // Output goes to F.partial and is renamed at the end: a failed run leaves no half file.
  std::ofstream file;
  std::ostream* out = &std::cout;
  const std::string tmp = s.out + ".partial";
  if (!s.out.empty()) {
    file.open(tmp, std::ios::binary | std::ios::trunc);
    if (!file) { return Fail(IoError(tmp + ": cannot open for writing")); }
    out = &file;
  }
  std::string_view line;
  bool too_long = false;
  constexpr size_t kBatch = 2048;  // records parsed (in file order, for errors) before scoring
  std::vector<io::PreferenceRecord> batch;
  batch.reserve(kBatch);
  io::PreferenceRecord rec;
  int64_t records = 0;
  for (;;) {
    auto more = reader.Next(&line, &too_long);
    Status st = more.ok() ? Status::Ok() : more.status();
    if (st.ok() && !*more) break;
    if (st.ok() && !too_long && line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (st.ok() && too_long) st = InvalidArgument("record: too long");
    if (st.ok()) st = io::ParsePreferenceRecord(line, *p, &rec);
    if (!st.ok()) {
      if (!s.out.empty()) { file.close(); std::remove(tmp.c_str()); }
      return Fail(Status(st.code(), s.file + ":" + std::to_string(reader.line_number()) + ": " + st.message()));
    }
    batch.push_back(std::move(rec));
    rec = {};
    ++records;
    if (batch.size() == kBatch) {
      ScoreBatch(*model, batch, s.threads, *out);
      batch.clear();
    }
  }
  ScoreBatch(*model, batch, s.threads, *out);
  if (!s.out.empty()) {
    file.close();
    if (file.fail() || std::rename(tmp.c_str(), s.out.c_str()) != 0) {
      return Fail(IoError(s.out + ": write failed"));
    }
    std::fprintf(stderr, "scored %lld records into %s\n", static_cast<long long>(records), s.out.c_str());
  }
  return 0;
}

struct QueueOpts {
  std::string project, model, pool = "general";
  size_t n = 100;
  int overlap = 1;
  bool as_json = false;
};

// Active pairs in the live project: the unanswered comparisons the reward model is least sure of
// go to people first (preference/active.h LeastSureUnanswered).
int Queue(const GlobalOptions& g, const QueueOpts& q) {
  if (q.pool.empty() || q.pool == kGoldPool || q.pool == kReworkPool) {
    return Fail(InvalidArgument("--pool: '" + q.pool + "' is empty or reserved"));
  }
  auto store = OpenStore(g.db_path, OpenMode::kMustExist);
  if (!store.ok()) { return Fail(store.status()); }
  auto p = (*store)->GetProject(q.project);
  if (!p.ok()) { return Fail(p.status()); }
  auto data = preference::LoadProjectPreferences(**store, *p);
  if (!data.ok()) { return Fail(data.status()); }
  const std::string model_path = q.model.empty() ? DefaultRewardPath(g.db_path, p->name) : q.model;
  auto model = preference::RewardModel::Load(model_path);
  if (!model.ok()) {
    return Fail(model.status().code() == StatusCode::kIo
                          ? NotFound(model.status().message() + " (run: hitloop reward train " + p->name + ")")
                          : model.status());
  }
  const auto picks = preference::LeastSureUnanswered(*data, *model, q.n);
  Store& tx = **store;
  Status st = tx.InTransaction([&]() -> Status {
    for (const auto& pick : picks) {
      QueueEntry e;
      e.project_id = p->id;
      e.item_id = data->item_ids[pick.item];
      e.pool = q.pool;
      e.kind = "review";
      e.overlap = q.overlap;
      e.priority = 1.0 / (1.0 + pick.margin);  // least sure first
      e.reason = "uncertain";
      RETURN_IF_ERROR(tx.Enqueue(e).status());
    }
    return Status::Ok();
  });
  if (!st.ok()) { return Fail(st); }
  if (q.as_json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& pick : picks) items.push_back({{"id", data->external_ids[pick.item]}, {"margin", pick.margin}});
    std::printf("%s\n", nlohmann::json{{"project", p->name}, {"queued", picks.size()}, {"pool", q.pool},
                                       {"items", items}}.dump().c_str());
    return 0;
  }
  if (picks.empty()) {
    std::printf("nothing to queue: every comparison of '%s' has an answer\n", p->name.c_str());
  } else {
    std::printf("queued %zu comparisons for pool %s, least sure first (reward gaps %.4f to %.4f)\n", picks.size(),
                q.pool.c_str(), picks.front().margin, picks.back().margin);
  }
  return 0;
}

}  // namespace

void RegisterReward(CLI::App& app, GlobalOptions& g, int* exit_code) {
  auto* reward = app.add_subcommand("reward", "Train and apply the reward model of a pairwise/ranking project");
  reward->require_subcommand(1);

  static TrainOpts t;
  auto* train = reward->add_subcommand(
      "train", "Fit the reward model on people's comparisons; print held-out pair accuracy beside "
               "inter-annotator pair agreement; save the model trained on all comparisons");
  train->add_option("NAME", t.project, "Project name")->required();
  train->add_option("--criterion", t.criterion, "Criterion to learn (default: the overall judgement)");
  train->add_option("--holdout", t.holdout, "Share of comparisons held out to measure accuracy (0 = none)")
      ->capture_default_str()->check(CLI::Range(0.0, 0.9));
  train->add_option("--seed", t.seed, "Seed of the held-out split and of the solver")->capture_default_str();
  train->add_option("--out", t.out, "Model file (default: <db>.models/NAME/reward.hlrm)");
  train->add_option("--c", t.c, "Inverse regularisation strength")->capture_default_str();
  train->add_option("--hash-bits", t.hash_bits, "Hashed text buckets = 2^bits")->capture_default_str()->check(CLI::Range(10, 24));
  train->add_flag("--no-char-ngrams", t.no_char_ngrams, "Word n-grams only");
  train->add_flag("--no-dense", t.no_dense, "Without the length / prompt-relation features");
  train->add_option("--threads", t.threads, "Featurisation threads (default: every core)")
      ->capture_default_str()->check(CLI::Range(1, 256));
  train->add_flag("--no-save", t.no_save, "Measure only; do not write a model file");
  train->add_flag("--json", t.as_json, "One JSON object on stdout");
  train->callback([&g, exit_code] { *exit_code = Train(g, t); });

  static ScoreOpts s;
  auto* score = reward->add_subcommand(
      "score", "Write {\"id\", \"rewards\": [...]} for each record (rewards aligned with its responses)");
  score->add_option("NAME", s.project, "Project name")->required();
  score->add_option("FILE", s.file, "JSONL records shaped like the import's")->required();
  score->add_option("--out", s.out, "Output file (default: stdout)");
  score->add_option("--model", s.model, "Model file (default: <db>.models/NAME/reward.hlrm)");
  score->add_option("--threads", s.threads, "Scoring threads (default: every core)")
      ->capture_default_str()->check(CLI::Range(1, 256));
  score->callback([&g, exit_code] { *exit_code = Score(g, s); });

  static QueueOpts q;
  auto* queue = reward->add_subcommand(
      "queue", "Queue the unanswered comparisons the reward model is least sure of (active pairs) for people");
  queue->add_option("NAME", q.project, "Project name")->required();
  queue->add_option("--n", q.n, "How many to queue")->capture_default_str()->check(CLI::Range(size_t{1}, size_t{10000000}));
  queue->add_option("--pool", q.pool, "Annotator pool")->capture_default_str();
  queue->add_option("--overlap", q.overlap, "People per comparison")->capture_default_str()->check(CLI::Range(1, 100));
  queue->add_option("--model", q.model, "Model file (default: <db>.models/NAME/reward.hlrm)");
  queue->add_flag("--json", q.as_json, "One JSON object on stdout");
  queue->callback([&g, exit_code] { *exit_code = Queue(g, q); });
}

}  // namespace hitloop::cli

#pragma once
// How good a reward model is, and how much people agree — the two numbers InstructGPT reports side
// by side (their reward model 69.6% vs labellers with each other 72.6%).
// Thread-safety: pure functions (the model is only read).
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "preference/project_data.h"
#include "preference/reward_model.h"

namespace hitloop::preference {

// splitmix64 (Steele, Lea & Flood 2014), the key of the held-out split.
uint64_t SplitMix64(uint64_t x);

// The held-out comparisons of a seeded split: comparison k (arrival order) is held out when its
// key SplitMix64(seed * 0x9E3779B97F4A7C15 + k) is among the round(fraction * n) smallest (ties by
// k). bench/preference/sklearn_peer.py draws the same split over a file's lines.
std::vector<char> HoldOut(size_t n, double fraction, uint64_t seed);

// Directed training pairs of a set of comparisons: for every answer and every two responses in
// different groups, (better, worse). Ties and both-bad answers give none.
std::vector<RewardPair> TrainingPairs(const ProjectPreferences& data, const std::vector<char>& use);

struct PairAccuracy {
  double accuracy = 0.0;  // equal scores count half
  int64_t pairs = 0;
};
// Pair accuracy of `score(item, response)` on the directed pairs of the used comparisons.
PairAccuracy ScorePairs(const ProjectPreferences& data, const std::vector<char>& use,
                        const std::function<double(size_t item, int response)>& score);

struct Agreement {
  double rate = 0.0;  // share of (two annotators, one response pair) that agree (tie = tie)
  int64_t pairs = 0;  // 0 = no response pair was judged by two people
};
// Inter-annotator pair agreement over items answered by two or more people (both-bad skipped).
Agreement PairAgreement(const ProjectPreferences& data);

}  // namespace hitloop::preference

#pragma once
// Bradley–Terry abilities from pairwise comparisons, with ties counted as half a win to each side.
//
// Model: P(i beats j) = p_i / (p_i + p_j), p_i > 0. Fitted by maximum likelihood with Hunter's
// (2004) minorisation–maximisation update ("MM algorithms for generalized Bradley–Terry models",
// Ann. Statist. 32(1), eq. 3):
//     p_i <- W_i / sum_{j != i} n_ij / (p_i + p_j)
// where W_i is i's (possibly fractional) win count and n_ij the comparisons of i and j. A tie adds
// 0.5 to both sides' W and 1 to n_ij, the "ties as half wins" convention of evalica and of
// Chatbot Arena's BT; it is exactly the likelihood of two half-weight comparisons.
//
// The MLE exists only when the comparison graph is strongly connected (every item has won and
// lost against the rest); `prior` > 0 makes it exist always: every item also plays `prior`
// virtual comparisons against a fixed reference of ability 1, half won and half lost (a
// symmetric shrinkage towards the mean, Caron & Doucet 2012 style). prior = 0 is the plain MLE.
//
// Thread-safety: pure functions.
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"

namespace hitloop::preference {

// One comparison (or a weighted batch of identical ones) between items a and b.
struct PairOutcome {
  int a = 0;
  int b = 0;
  double a_score = 1.0;  // 1 = a won, 0 = b won, 0.5 = tie
  double weight = 1.0;   // how many such comparisons (counts may be fractional)
};

struct FitOptions {
  double prior = 0.0;        // virtual comparisons per item against the reference (see above)
  int max_iterations = 100000;
  double tolerance = 1e-12;  // stop when max |Δ log p| < tolerance
  // Starting log-abilities (e.g. the previous fit's, when a few comparisons were added); empty =
  // all equal. Must be empty or n long.
  std::vector<double> initial;
};

struct Abilities {
  std::vector<double> log_ability;  // centred: mean 0 (geometric mean of p is 1)
  int iterations = 0;
  bool converged = false;
  // Approximate standard errors of log_ability from the observed Fisher information's diagonal
  // (1 / sqrt(sum_j n_ij p_ij (1 - p_ij) + prior/4)); infinity for an item with no information.
  std::vector<double> std_error;
};

// InvalidArgument for n < 1, an index outside [0, n), a == b, a score outside [0, 1] or a
// negative weight; FailedPrecondition when prior == 0 and an item has no win or no loss (the MLE
// is at infinity). `converged` false means max_iterations was reached (the result is the last
// iterate, still usable).
Result<Abilities> FitBradleyTerry(int n, std::span<const PairOutcome> outcomes,
                                  const FitOptions& options = {});

// The same from a win matrix: wins[i][j] = times i beat j (diagonal ignored).
Result<Abilities> FitBradleyTerryMatrix(const std::vector<std::vector<double>>& wins,
                                        const FitOptions& options = {});

// P(i beats j) under the fitted abilities.
double WinProbability(const Abilities& abilities, int i, int j);

}  // namespace hitloop::preference

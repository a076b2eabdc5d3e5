#include "routing/strategies.h"

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace strata::routing {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kNow = Clock::time_point{} + 1h;
constexpr std::uint64_t kSeed = 42;

// A worker's deployment table: stable addresses, as the gateway keeps them.
class Table {
 public:
  DeploymentStats& Add(std::string name, double weight = 1.0) {
    DeploymentStats& deployment = storage_.emplace_back();
    deployment.name = std::move(name);
    deployment.weight = weight;
    pointers_.push_back(&deployment);
    return deployment;
  }
  std::span<DeploymentStats* const> all() const { return pointers_; }

 private:
  std::deque<DeploymentStats> storage_;
  std::vector<DeploymentStats*> pointers_;
};

std::vector<std::string> Names(const std::vector<DeploymentStats*>& ordered) {
  std::vector<std::string> names;
  for (const DeploymentStats* deployment : ordered) names.push_back(deployment->name);
  return names;
}

// How often each deployment comes first over `draws` orderings.
std::map<std::string, double> FirstChoiceShares(DeploymentSelector& selector, Strategy strategy,
                                                const Table& table, int draws) {
  std::map<std::string, double> shares;
  for (int i = 0; i < draws; ++i) {
    const std::vector<DeploymentStats*> ordered = selector.Order(strategy, table.all(), kNow);
    shares[ordered.front()->name] += 1.0 / draws;
  }
  return shares;
}

void OpenBreaker(DeploymentStats& deployment) {
  for (int i = 0; i < kDefaultFailureThreshold; ++i) {
    ASSERT_TRUE(deployment.health->breaker.AllowRequest(kNow));
    deployment.health->breaker.RecordOutcome(false, kNow, kNow);
  }
  ASSERT_EQ(deployment.health->breaker.state(), BreakerState::kOpen);
}

TEST(EwmaTest, TakesTheFirstSampleAsIs) {
  Ewma ewma(0.1);
  EXPECT_TRUE(ewma.empty());
  ewma.Add(250);
  EXPECT_FALSE(ewma.empty());
  EXPECT_DOUBLE_EQ(ewma.value(), 250);
}

TEST(EwmaTest, MovesAlphaOfTheWayTowardsEachSample) {
  Ewma ewma(0.25);
  ewma.Add(100);
  ewma.Add(200);
  EXPECT_DOUBLE_EQ(ewma.value(), 125);
  EXPECT_EQ(ewma.samples(), 2u);
}

TEST(EwmaTest, ConvergesToASteadyLatency) {
  Ewma ewma;  // default alpha 0.2
  ewma.Add(1000);
  for (int i = 0; i < 40; ++i) ewma.Add(100);
  EXPECT_NEAR(ewma.value(), 100, 0.5);  // 900 * 0.8^40 ≈ 0.12 left of the old value
}

TEST(EwmaTest, HalfLifeHalvesTheWeightOfAnOldSample) {
  Ewma ewma = Ewma::WithHalfLife(3);
  ewma.Add(1000);
  for (int i = 0; i < 3; ++i) ewma.Add(0);
  EXPECT_NEAR(ewma.value(), 500, 1e-9);
}

TEST(StrategyTest, NamesRoundTrip) {
  for (Strategy strategy : {Strategy::kWeightedRandom, Strategy::kLeastOutstanding, Strategy::kLowestLatency,
                            Strategy::kPriority}) {
    EXPECT_EQ(ParseStrategy(StrategyName(strategy)), strategy);
  }
  EXPECT_EQ(ParseStrategy("round_robin"), std::nullopt);
  EXPECT_EQ(ParseStrategy(""), std::nullopt);
}

TEST(DeploymentSelectorTest, WeightedRandomFollowsTheWeights) {
  Table table;
  table.Add("a", 1);
  table.Add("b", 2);
  table.Add("c", 7);
  DeploymentSelector selector(kSeed);

  // 20 000 draws: one standard deviation is at most 0.0035, so ±0.02 is over
  // five of them (and the seed is fixed: this cannot flake).
  std::map<std::string, double> shares = FirstChoiceShares(selector, Strategy::kWeightedRandom, table, 20'000);
  EXPECT_NEAR(shares["a"], 0.1, 0.02);
  EXPECT_NEAR(shares["b"], 0.2, 0.02);
  EXPECT_NEAR(shares["c"], 0.7, 0.02);
}

TEST(DeploymentSelectorTest, WeightedRandomListsEveryDeploymentOnce) {
  Table table;
  table.Add("a", 1);
  table.Add("b", 5);
  table.Add("c", 0.5);
  DeploymentSelector selector(kSeed);
  for (int i = 0; i < 100; ++i) {
    std::vector<std::string> names = Names(selector.Order(Strategy::kWeightedRandom, table.all(), kNow));
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
  }
}

TEST(DeploymentSelectorTest, SameSeedGivesTheSameChoices) {
  Table table;
  table.Add("a");
  table.Add("b");
  table.Add("c");
  DeploymentSelector first(7);
  DeploymentSelector second(7);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(Names(first.Order(Strategy::kWeightedRandom, table.all(), kNow)),
              Names(second.Order(Strategy::kWeightedRandom, table.all(), kNow)));
  }
}

TEST(DeploymentSelectorTest, StandbyWithWeightZeroComesLastWhateverTheStrategy) {
  Table table;
  table.Add("standby", 0).health->outstanding = 0;
  table.Add("busy", 1).health->outstanding = 9;
  table.Add("busier", 1).health->outstanding = 10;
  DeploymentSelector selector(kSeed);
  for (Strategy strategy : {Strategy::kWeightedRandom, Strategy::kLeastOutstanding, Strategy::kLowestLatency,
                            Strategy::kPriority}) {
    for (int i = 0; i < 20; ++i) {
      EXPECT_EQ(Names(selector.Order(strategy, table.all(), kNow)).back(), "standby") << StrategyName(strategy);
    }
  }
}

TEST(DeploymentSelectorTest, LeastOutstandingPutsTheIdlestFirst) {
  Table table;
  table.Add("a").health->outstanding = 3;
  table.Add("b").health->outstanding = 1;
  table.Add("c").health->outstanding = 2;
  DeploymentSelector selector(kSeed);
  EXPECT_EQ(Names(selector.Order(Strategy::kLeastOutstanding, table.all(), kNow)),
            (std::vector<std::string>{"b", "c", "a"}));
}

TEST(DeploymentSelectorTest, LeastOutstandingBreaksTiesByWeight) {
  Table table;
  table.Add("light", 1).health->outstanding = 2;
  table.Add("heavy", 3).health->outstanding = 2;
  table.Add("busy", 100).health->outstanding = 5;
  DeploymentSelector selector(kSeed);
  std::map<std::string, double> shares = FirstChoiceShares(selector, Strategy::kLeastOutstanding, table, 20'000);
  EXPECT_NEAR(shares["heavy"], 0.75, 0.02);
  EXPECT_NEAR(shares["light"], 0.25, 0.02);
  EXPECT_EQ(shares.count("busy"), 0u);
}

TEST(DeploymentSelectorTest, LowestLatencyPrefersTheFastest) {
  Table table;
  table.Add("slow").health->latency_ms.Add(900);
  table.Add("fast").health->latency_ms.Add(120);
  table.Add("medium").health->latency_ms.Add(400);
  DeploymentSelector selector(kSeed);
  EXPECT_EQ(Names(selector.Order(Strategy::kLowestLatency, table.all(), kNow)),
            (std::vector<std::string>{"fast", "medium", "slow"}));
}

TEST(DeploymentSelectorTest, LowestLatencyFollowsTheEwmaAsLatencyChanges) {
  Table table;
  DeploymentStats& a = table.Add("a");
  DeploymentStats& b = table.Add("b");
  a.health->latency_ms.Add(100);
  b.health->latency_ms.Add(200);
  DeploymentSelector selector(kSeed);
  ASSERT_EQ(selector.Order(Strategy::kLowestLatency, table.all(), kNow).front(), &a);
  for (int i = 0; i < 10; ++i) a.health->latency_ms.Add(500);  // a got slow
  EXPECT_EQ(selector.Order(Strategy::kLowestLatency, table.all(), kNow).front(), &b);
}

TEST(DeploymentSelectorTest, LowestLatencyExploresAnUnmeasuredDeploymentFirst) {
  Table table;
  table.Add("fast").health->latency_ms.Add(10);
  table.Add("new");
  DeploymentSelector selector(kSeed);
  EXPECT_EQ(Names(selector.Order(Strategy::kLowestLatency, table.all(), kNow)),
            (std::vector<std::string>{"new", "fast"}));
}

TEST(DeploymentSelectorTest, LowestLatencyExploresOneRequestAtATime) {
  Table table;
  table.Add("fast").health->latency_ms.Add(100);
  table.Add("slow").health->latency_ms.Add(300);
  table.Add("new").health->outstanding = 1;  // its first request is still out: ranks at the average, 200
  DeploymentSelector selector(kSeed);
  EXPECT_EQ(Names(selector.Order(Strategy::kLowestLatency, table.all(), kNow)),
            (std::vector<std::string>{"fast", "new", "slow"}));
}

TEST(DeploymentSelectorTest, PriorityTriesLowerNumbersFirstAndWeighsWithinOne) {
  Table table;
  table.Add("backup", 100).priority = 1;
  table.Add("light", 1).priority = 0;
  table.Add("heavy", 3).priority = 0;
  DeploymentSelector selector(kSeed);
  std::map<std::string, double> shares;
  for (int i = 0; i < 20'000; ++i) {
    const std::vector<std::string> names = Names(selector.Order(Strategy::kPriority, table.all(), kNow));
    ASSERT_EQ(names.size(), 3u);
    ASSERT_EQ(names.back(), "backup");
    shares[names.front()] += 1.0 / 20'000;
  }
  EXPECT_NEAR(shares["heavy"], 0.75, 0.02);
  EXPECT_NEAR(shares["light"], 0.25, 0.02);
}

TEST(DeploymentSelectorTest, SkipsDeploymentsWithAnOpenBreaker) {
  Table table;
  OpenBreaker(table.Add("broken", 100));
  table.Add("healthy", 1);
  DeploymentSelector selector(kSeed);
  for (Strategy strategy : {Strategy::kWeightedRandom, Strategy::kLeastOutstanding, Strategy::kLowestLatency,
                            Strategy::kPriority}) {
    EXPECT_EQ(Names(selector.Order(strategy, table.all(), kNow + 1s)), (std::vector<std::string>{"healthy"}));
  }
}

TEST(DeploymentSelectorTest, ListsAnOpenBreakerReadyForAProbeWithoutTakingIt) {
  Table table;
  DeploymentStats& recovering = table.Add("recovering");
  OpenBreaker(recovering);
  DeploymentSelector selector(kSeed);
  const Clock::time_point later = kNow + 30s;
  EXPECT_EQ(Names(selector.Order(Strategy::kWeightedRandom, table.all(), later)),
            (std::vector<std::string>{"recovering"}));
  EXPECT_EQ(recovering.health->breaker.state(), BreakerState::kOpen);
  EXPECT_TRUE(recovering.health->breaker.AllowRequest(later));
}

TEST(DeploymentSelectorTest, SkipsDeploymentsAtTheirConcurrencyCap) {
  Table table;
  DeploymentStats& capped = table.Add("capped", 100);
  capped.health->max_concurrency = 2;
  capped.health->outstanding = 2;
  table.Add("free", 1).health->outstanding = 50;
  DeploymentSelector selector(kSeed);
  EXPECT_EQ(Names(selector.Order(Strategy::kWeightedRandom, table.all(), kNow)),
            (std::vector<std::string>{"free"}));
  capped.health->outstanding = 1;
  EXPECT_EQ(Names(selector.Order(Strategy::kLeastOutstanding, table.all(), kNow)),
            (std::vector<std::string>{"capped", "free"}));
}

TEST(DeploymentSelectorTest, ReturnsNothingWhenNoDeploymentCanTakeARequest) {
  Table table;
  OpenBreaker(table.Add("broken"));
  DeploymentStats& full = table.Add("full");
  full.health->max_concurrency = 1;
  full.health->outstanding = 1;
  DeploymentSelector selector(kSeed);
  EXPECT_TRUE(selector.Order(Strategy::kPriority, table.all(), kNow).empty());
}

}  // namespace
}  // namespace strata::routing

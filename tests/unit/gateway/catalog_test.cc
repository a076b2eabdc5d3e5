#include "gateway/catalog.h"

#include <gtest/gtest.h>

namespace strata::gateway {
namespace {

providers::Deployment Dep(std::string name, std::string model, int priority = 0) {
  providers::Deployment deployment;
  deployment.name = std::move(name);
  deployment.provider = "openai";
  deployment.model = std::move(model);
  deployment.priority = priority;
  return deployment;
}

ModelAlias Alias(std::string name, std::vector<providers::Deployment> deployments,
                 std::vector<std::string> fallbacks = {}) {
  ModelAlias alias;
  alias.name = std::move(name);
  alias.deployments = std::move(deployments);
  alias.fallbacks = std::move(fallbacks);
  return alias;
}

// Every candidate of every route, as "deployment=upstream model", in order.
std::vector<std::string> Names(const std::vector<AliasRoute>& routes) {
  std::vector<std::string> names;
  for (const AliasRoute& route : routes) {
    for (const Candidate& candidate : route.candidates) {
      names.push_back(candidate.deployment->name + "=" + candidate.upstream_model);
    }
  }
  return names;
}

TEST(CatalogTest, AnAliasRouteListsItsDeploymentsWithTheirUpstreamModels) {
  Catalog catalog({Alias("gpt", {Dep("b", "m-b", 1), Dep("a", "m-a", 0)})});
  const std::vector<AliasRoute> routes = catalog.Routes("gpt");
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].alias->name, "gpt");
  EXPECT_EQ(Names(routes), (std::vector<std::string>{"b=m-b", "a=m-a"}));  // ordering is routing's job
}

TEST(CatalogTest, FallbackAliasesFollowAndEachIsVisitedOnce) {
  Catalog catalog({Alias("one", {Dep("d1", "x")}, {"two", "three"}), Alias("two", {Dep("d2", "y")}, {"one"}),
                   Alias("three", {Dep("d3", "z")})});
  const std::vector<AliasRoute> routes = catalog.Routes("one");
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[1].alias->name, "two");
  EXPECT_EQ(Names(routes), (std::vector<std::string>{"d1=x", "d2=y", "d3=z"}));
}

TEST(CatalogTest, PatternsPassTheMatchedPartToTheUpstreamModel) {
  Catalog catalog({Alias("openai/*", {Dep("openai", "{model}")}), Alias("gpt-*", {Dep("bare", "gpt-{model}")})});
  EXPECT_EQ(Names(catalog.Routes("openai/gpt-4o")), (std::vector<std::string>{"openai=gpt-4o"}));
  EXPECT_EQ(Names(catalog.Routes("gpt-4.1-mini")), (std::vector<std::string>{"bare=gpt-4.1-mini"}));
  EXPECT_TRUE(catalog.Routes("openai/").empty());  // a pattern needs something to match
  EXPECT_TRUE(catalog.Routes("claude-3").empty());
}

TEST(CatalogTest, ExactNamesWinOverPatternsAndLongerPatternsOverShorter) {
  Catalog catalog({Alias("gpt-*", {Dep("any-gpt", "{model}")}), Alias("gpt-4o", {Dep("exact", "pinned")}),
                   Alias("gpt-4*", {Dep("gpt4", "{model}")})});
  EXPECT_EQ(Names(catalog.Routes("gpt-4o")), (std::vector<std::string>{"exact=pinned"}));
  EXPECT_EQ(Names(catalog.Routes("gpt-4.1")), (std::vector<std::string>{"gpt4=.1"}));
  EXPECT_EQ(Names(catalog.Routes("gpt-3.5")), (std::vector<std::string>{"any-gpt=3.5"}));
}

TEST(CatalogTest, UnknownModelHasNoPlan) {
  Catalog catalog({Alias("fast", {Dep("d", "m")})});
  EXPECT_TRUE(catalog.Routes("slow").empty());
  EXPECT_FALSE(catalog.Serves("slow"));
  EXPECT_TRUE(catalog.Serves("fast"));
}

}  // namespace
}  // namespace strata::gateway

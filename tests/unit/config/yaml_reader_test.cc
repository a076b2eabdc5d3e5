// The walker on its own, through a section the real config does not have yet:
// what the next engineer gets when adding `providers:`.
#include "config/yaml_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::config {
namespace {

struct Provider {
  std::string name;
  int weight = 1;
  std::string mode = "chat";
};

// Reads `yaml` with a made-up `providers:` list; returns the errors, "" if none.
std::string ReadProviders(std::string_view yaml, std::vector<Provider>& providers) {
  Diagnostics diagnostics("test.yaml");
  const Environment no_environment = [](std::string_view) { return std::optional<std::string>(); };
  Section::ReadDocument(yaml, diagnostics, no_environment, [&](Section& root) {
    root.ReadList("providers", [&](Section& item) {
      Provider provider;
      item.ReadNonEmptyString("name", provider.name);
      item.ReadInteger("weight", provider.weight, 0, 100);
      item.Read("mode", provider.mode, [](std::string_view text) -> ParseOutcome<std::string> {
        if (text != "chat" && text != "embeddings") {
          return MustBe{"chat or embeddings"};
        }
        return std::string(text);
      });
      providers.push_back(provider);
    });
  });
  return diagnostics.empty() ? "" : diagnostics.ToError().message();
}

TEST(SectionTest, ReadsAListOfMappings) {
  std::vector<Provider> providers;
  EXPECT_EQ(ReadProviders("providers:\n  - name: a\n    weight: 3\n  - name: b\n    mode: embeddings\n", providers),
            "");
  ASSERT_EQ(providers.size(), 2U);
  EXPECT_EQ(providers[0].name, "a");
  EXPECT_EQ(providers[0].weight, 3);
  EXPECT_EQ(providers[1].mode, "embeddings");
  EXPECT_EQ(providers[1].weight, 1);
}

TEST(SectionTest, NamesListItemsByIndexInErrors) {
  std::vector<Provider> providers;
  EXPECT_EQ(ReadProviders("providers:\n  - name: a\n  - name: b\n    mode: audio\n    wieght: 2\n", providers),
            "test.yaml:4: providers[1].mode must be chat or embeddings, got 'audio'\n"
            "test.yaml:5: unknown key 'wieght' in 'providers[1]'; did you mean 'weight'?");
}

TEST(SectionTest, RefusesAListItemThatIsNotAMapping) {
  std::vector<Provider> providers;
  EXPECT_EQ(ReadProviders("providers:\n  - name: a\n  - b\n", providers),
            "test.yaml:3: providers[1] must be a mapping of keys, not a single value");
  EXPECT_EQ(providers.size(), 1U);
}

TEST(SectionTest, RefusesAMappingWhereAListBelongs) {
  std::vector<Provider> providers;
  EXPECT_EQ(ReadProviders("providers:\n  name: a\n", providers), "test.yaml:1: providers must be a list, not a mapping");
}

TEST(SectionTest, LeavesTheTargetAloneWhenTheValueIsBad) {
  Diagnostics diagnostics("test.yaml");
  const Environment no_environment = [](std::string_view) { return std::optional<std::string>(); };
  int port = 4100;
  bool failed = false;
  Section::ReadDocument("port: x\n", diagnostics, no_environment, [&](Section& root) {
    root.ReadInteger("port", port, 0, 65535);
    failed = root.Failed("port");
  });
  EXPECT_EQ(port, 4100);
  EXPECT_TRUE(failed);
  EXPECT_EQ(diagnostics.size(), 1U);
}

TEST(DiagnosticsTest, OmitsTheLineWhenThereIsNone) {
  Diagnostics diagnostics("a.yaml");
  diagnostics.Add(2, "second");
  diagnostics.Add(0, "whole file");
  const core::Error error = diagnostics.ToError();
  EXPECT_EQ(error.code(), core::ErrorCode::kInvalidRequest);
  EXPECT_EQ(error.message(), "a.yaml: whole file\na.yaml:2: second");
}

}  // namespace
}  // namespace strata::config

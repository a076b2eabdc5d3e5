#include "pricing/price_table.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace strata::pricing {
namespace {

PriceTable ParseOrDie(std::string_view yaml) {
  core::Result<PriceTable> table = PriceTable::Parse(yaml, "test.yaml");
  EXPECT_TRUE(table) << (table ? "" : table.error().message());
  return table ? std::move(*table) : PriceTable();
}

// The error message of a parse expected to fail, or "" (and a test failure).
std::string ParseError(std::string_view yaml) {
  core::Result<PriceTable> table = PriceTable::Parse(yaml, "over.yaml");
  EXPECT_FALSE(table) << "parsed, but should not have:\n" << yaml;
  if (table) return "";
  EXPECT_EQ(table.error().code(), core::ErrorCode::kInvalidRequest);
  return table.error().message();
}

std::string FoundId(const PriceTable& table, std::string_view model) {
  std::optional<ModelPrice> price = table.Find(model);
  return price ? price->model : "<unknown>";
}

class TempFile {
 public:
  explicit TempFile(std::string_view text) {
    path_ = std::filesystem::temp_directory_path() /
            ("strata_pricing_test_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
             ".yaml");
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// --- the shipped table ---------------------------------------------------------

TEST(DefaultPriceTableTest, ParsesAndIsDated) {
  const PriceTable& table = PriceTable::Default();
  EXPECT_GT(table.size(), 50u);
  EXPECT_TRUE(std::regex_match(table.taken_on(), std::regex(R"(\d{4}-\d{2}-\d{2})"))) << table.taken_on();
}

TEST(DefaultPriceTableTest, EveryEntryHasInputAndOutputOrIsAnEmbeddingModel) {
  for (const std::string& id : PriceTable::Default().ModelIds()) {
    SCOPED_TRACE(id);
    const std::optional<ModelPrice> price = PriceTable::Default().Find(id);
    ASSERT_TRUE(price);
    EXPECT_EQ(price->model, id);
    if (id == "strata-demo") {
      EXPECT_EQ(price->rates, TokenRates{});
      continue;
    }
    EXPECT_GT(price->rates.input, 0);
    if (price->embedding) {
      EXPECT_EQ(price->rates.output, 0);
      EXPECT_FALSE(price->long_context);
    } else {
      EXPECT_GT(price->rates.output, 0);
      EXPECT_GE(price->rates.reasoning, price->rates.output);
    }
    // Cache reads are a discount and cache writes a premium, never the other way round.
    EXPECT_LE(price->rates.cached_input, price->rates.input);
    EXPECT_GE(price->rates.cache_write, price->rates.input);
    EXPECT_GE(price->rates.cache_write_1h, price->rates.cache_write);
    if (price->long_context) {
      EXPECT_GT(price->long_context->rates.input, price->rates.input);
    }
  }
}

TEST(DefaultPriceTableTest, PricesTheModelsEachFamilyShips) {
  const PriceTable& table = PriceTable::Default();
  for (const char* model :
       {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o1", "o3", "o3-mini", "o4-mini", "gpt-5",
        "gpt-5-mini", "gpt-5-nano", "text-embedding-3-small", "text-embedding-3-large", "claude-opus-4-1",
        "claude-sonnet-4-5", "claude-haiku-4-5", "claude-3-7-sonnet", "claude-3-5-haiku", "gemini-2.5-pro",
        "gemini-2.5-flash", "gemini-2.0-flash", "mistral-large-latest", "mistral-small-latest", "deepseek-chat",
        "deepseek-reasoner", "llama-3.3-70b-versatile", "llama-3.1-8b-instant", "strata-demo"}) {
    EXPECT_TRUE(table.Find(model)) << model;
  }
}

TEST(DefaultPriceTableTest, TheMockModelsArePricedAsTheRealOnes) {
  // strata mock-llm lists these and echoes any model name back.
  const PriceTable& table = PriceTable::Default();
  for (const char* model :
       {"gpt-4o-mini", "gpt-4o", "text-embedding-3-small", "claude-sonnet-4-5", "claude-haiku-4-5"}) {
    EXPECT_TRUE(table.Find(model)) << model;
  }
  EXPECT_EQ(table.Find("gpt-4o-mini")->rates.input, 0.15);
  EXPECT_EQ(table.Find("text-embedding-3-small")->rates.input, 0.02);
}

TEST(DefaultPriceTableTest, TheDemoModelCostsNothing) {
  core::Usage usage;
  usage.input_tokens = 1'000'000;
  usage.output_tokens = 1'000'000;
  EXPECT_EQ(ComputeCost(*PriceTable::Default().Find("strata-demo"), usage), Cost{});
}

TEST(DefaultPriceTableTest, KnowsTheRealVendorSnapshotIds) {
  const PriceTable& table = PriceTable::Default();
  EXPECT_EQ(FoundId(table, "gpt-4o-2024-08-06"), "gpt-4o");
  EXPECT_EQ(FoundId(table, "gpt-4o-mini-2024-07-18"), "gpt-4o-mini");
  EXPECT_EQ(FoundId(table, "gpt-4.1-nano-2025-04-14"), "gpt-4.1-nano");
  EXPECT_EQ(FoundId(table, "o3-mini-2025-01-31"), "o3-mini");
  EXPECT_EQ(FoundId(table, "gpt-3.5-turbo-0125"), "gpt-3.5-turbo");
  EXPECT_EQ(FoundId(table, "claude-sonnet-4-5-20250929"), "claude-sonnet-4-5");
  EXPECT_EQ(FoundId(table, "claude-opus-4-1-20250805"), "claude-opus-4-1");
  EXPECT_EQ(FoundId(table, "claude-3-5-haiku-20241022"), "claude-3-5-haiku");
  EXPECT_EQ(FoundId(table, "claude-3-5-sonnet-latest"), "claude-3-5-sonnet");
  EXPECT_EQ(FoundId(table, "claude-3-5-sonnet-v2@20241022"), "claude-3-5-sonnet");
  EXPECT_EQ(FoundId(table, "gemini-2.0-flash-001"), "gemini-2.0-flash");
  // The first gpt-4o snapshot has its own, higher price: exact beats snapshot.
  EXPECT_EQ(FoundId(table, "gpt-4o-2024-05-13"), "gpt-4o-2024-05-13");
  EXPECT_EQ(table.Find("gpt-4o-2024-05-13")->rates.input, 5.00);
}

// --- matching ------------------------------------------------------------------

TEST(PriceTableFindTest, AVariantIsNeverPricedAsItsBaseModel) {
  const PriceTable table = ParseOrDie(R"(
models:
  gpt-4o: {input: 2.50, output: 10.00}
  o3: {input: 2.00, output: 8.00}
  claude-opus-4: {input: 15, output: 75}
)");
  EXPECT_FALSE(table.Find("gpt-4o-mini"));
  EXPECT_FALSE(table.Find("gpt-4o-mini-2024-07-18"));
  EXPECT_FALSE(table.Find("o3-pro"));
  EXPECT_FALSE(table.Find("claude-opus-4-1"));  // a one-digit suffix is a version, not a date
  EXPECT_FALSE(table.Find("gpt-4o-12"));        // two digits: not a snapshot either
  EXPECT_FALSE(table.Find("gpt-4"));
  EXPECT_FALSE(table.Find("GPT-4O"));           // ids are compared byte for byte
  EXPECT_EQ(FoundId(table, "gpt-4o-2024-11-20"), "gpt-4o");
}

TEST(PriceTableFindTest, GptFourOMiniGetsItsOwnPriceNotGptFourOs) {
  const PriceTable& table = PriceTable::Default();
  EXPECT_EQ(table.Find("gpt-4o-mini")->rates.input, 0.15);
  EXPECT_EQ(table.Find("gpt-4o-mini-2024-07-18")->rates.output, 0.60);
  EXPECT_EQ(table.Find("gpt-4o")->rates.input, 2.50);
}

TEST(PriceTableFindTest, TheLongestMatchingBaseWins) {
  const PriceTable table = ParseOrDie(R"(
models:
  foo: {input: 1, output: 1}
  foo-123: {input: 2, output: 2}
)");
  EXPECT_EQ(FoundId(table, "foo-123-456789"), "foo-123");
  EXPECT_EQ(FoundId(table, "foo-1234"), "foo");
  EXPECT_EQ(FoundId(table, "foo@20250101"), "foo");
  EXPECT_EQ(FoundId(table, "foo:100"), "foo");
}

TEST(PriceTableFindTest, AliasesAndTheirSnapshotsFindTheirModel) {
  const PriceTable table = ParseOrDie(R"(
models:
  big: {input: 1, output: 2, aliases: [big-latest, big-v2]}
)");
  EXPECT_EQ(FoundId(table, "big-latest"), "big");
  EXPECT_EQ(FoundId(table, "big-v2@20241022"), "big");
  EXPECT_EQ(table.Ids(), (std::vector<std::string>{"big", "big-latest", "big-v2"}));
  EXPECT_EQ(table.ModelIds(), (std::vector<std::string>{"big"}));
}

TEST(PriceTableFindTest, AnUnknownModelHasNoPrice) {
  EXPECT_FALSE(PriceTable::Default().Find("my-private-model"));
  EXPECT_FALSE(PriceTable::Default().Find(""));
  EXPECT_FALSE(PriceTable::Default().Find("-2024-08-06"));
  EXPECT_FALSE(PriceTable().Find("gpt-4o"));
}

// --- the file format -----------------------------------------------------------

TEST(PriceTableParseTest, LeftOutRatesTakeTheirDefaults) {
  const PriceTable table = ParseOrDie(R"(
models:
  plain: {input: 2, output: 8}
  cached: {input: 2, output: 8, cache_write: 2.5}
  emb: {embedding: true, input: 0.1}
)");
  const TokenRates plain = table.Find("plain")->rates;
  EXPECT_EQ(plain, (TokenRates{.input = 2, .output = 8, .cached_input = 2, .cache_write = 2, .cache_write_1h = 2,
                               .reasoning = 8}));
  EXPECT_EQ(table.Find("cached")->rates.cache_write_1h, 2.5);  // defaults to the 5-minute write price
  const ModelPrice emb = *table.Find("emb");
  EXPECT_TRUE(emb.embedding);
  EXPECT_EQ(emb.rates, (TokenRates{.input = 0.1, .output = 0, .cached_input = 0.1, .cache_write = 0.1,
                                   .cache_write_1h = 0.1, .reasoning = 0}));
}

TEST(PriceTableParseTest, ReadsALongContextTier) {
  const PriceTable table = ParseOrDie(R"(
models:
  pro:
    input: 1.25
    output: 10
    long_context: {above_input_tokens: 200000, input: 2.5, output: 15}
)");
  const ModelPrice pro = *table.Find("pro");
  ASSERT_TRUE(pro.long_context);
  EXPECT_EQ(pro.long_context->above_input_tokens, 200'000u);
  EXPECT_EQ(pro.long_context->rates.cached_input, 2.5);
  EXPECT_EQ(pro.RatesFor(200'001).output, 15);
  EXPECT_EQ(pro.RatesFor(200'000).output, 10);
}

TEST(PriceTableParseTest, ReportsEveryProblemWithItsLineInLineOrder) {
  const std::string message = ParseError(
      "models:\n"                                              // 1
      "  good: {input: 1, output: 2}\n"                        // 2
      "  bad-price: {input: \"$2\", output: 2}\n"              // 3
      "  no-output: {input: 1}\n"                              // 4
      "  typo: {input: 1, output: 2, cahced_input: 0.5}\n"     // 5
      "  emb: {embedding: true, input: 1, output: 2}\n"        // 6
      "  good: {input: 1, output: 1}\n"                        // 7
      "colour: red\n");                                        // 8
  EXPECT_EQ(message,
            "over.yaml:3: models.bad-price.input must be a price in US dollars per 1M tokens: a plain number from 0 "
            "to 1000000, like 2.50\n"
            "over.yaml:4: models.no-output needs an 'output' price (or 'embedding: true' for an embedding model)\n"
            "over.yaml:5: unknown key 'cahced_input' in 'models.typo'; did you mean 'cached_input'?\n"
            "over.yaml:6: models.emb.output does not apply: an embedding model has only an 'input' price\n"
            "over.yaml:7: duplicate key 'models.good' (first at line 2)\n"
            "over.yaml:8: unknown key 'colour' at the top level (known: taken_on, currency, source, models)");
}

TEST(PriceTableParseTest, RefusesPricesThatAreNotPlainNonNegativeNumbers) {
  for (const char* bad : {"-1", ".inf", "1e3", "two", "2.5.1", "\"\"", "[1]", "1000001", "0x10"}) {
    const std::string message = ParseError(std::string("models:\n  m: {input: ") + bad + ", output: 1}\n");
    EXPECT_NE(message.find("over.yaml:2: models.m.input must be a price"), std::string::npos) << bad << ": " << message;
  }
  EXPECT_TRUE(PriceTable::Parse("models:\n  m: {input: .5, output: 0}\n", "x"));
}

TEST(PriceTableParseTest, RefusesAKeyWrittenTwice) {
  EXPECT_EQ(ParseError("models:\n  m:\n    input: 1\n    output: 2\n    input: 3\n"),
            "over.yaml:5: duplicate key 'models.m.input' (first at line 3)");
}

TEST(PriceTableParseTest, RefusesADuplicateAlias) {
  const std::string message = ParseError(R"(models:
  a: {input: 1, output: 1, aliases: [shared]}
  b: {input: 1, output: 1, aliases: [shared]}
)");
  EXPECT_EQ(message, "over.yaml:3: models.b.aliases entry 'shared': 'shared' is already declared at line 2");
}

TEST(PriceTableParseTest, RefusesAnythingButUsd) {
  EXPECT_EQ(ParseError("currency: EUR\nmodels: {}\n"),
            "over.yaml:1: currency must be USD (prices are US dollars per 1M tokens)");
}

TEST(PriceTableParseTest, ReportsSyntaxErrorsAndMissingModels) {
  EXPECT_EQ(ParseError("models:\n  m: {input: 1, output: 2\n").substr(0, 12), "over.yaml:3:");
  EXPECT_EQ(ParseError(""), "over.yaml: a price file needs a 'models' mapping");
  EXPECT_EQ(ParseError("taken_on: 2026-01-01\n"), "over.yaml:1: a price file needs a 'models' mapping");
  EXPECT_EQ(ParseError("models: [a, b]\n"), "over.yaml:1: models must be a mapping of model id to prices");
}

// --- overrides -----------------------------------------------------------------

TEST(PriceTableMergeTest, AnOverrideReplacesTheWholeEntry) {
  PriceTable table = PriceTable::Default();
  const std::size_t size = table.size();
  table.Merge(ParseOrDie("models:\n  gpt-4o: {input: 2.00, output: 8.00}\n  my-model: {input: 0.5, output: 1.5}\n"));

  const ModelPrice gpt4o = *table.Find("gpt-4o");
  EXPECT_EQ(gpt4o.rates.input, 2.00);
  EXPECT_EQ(gpt4o.rates.cached_input, 2.00);  // not the default table's 1.25: no field-by-field merge
  EXPECT_EQ(table.Find("gpt-4o-2024-08-06")->rates.input, 2.00);  // snapshots follow
  EXPECT_EQ(table.Find("gpt-4o-mini")->rates.input, 0.15);       // others untouched
  EXPECT_EQ(table.Find("my-model")->rates.output, 1.5);
  EXPECT_EQ(table.size(), size + 1);
  EXPECT_EQ(table.taken_on(), PriceTable::Default().taken_on());
}

TEST(PriceTableMergeTest, OldAliasesFollowTheNewPriceAndNewAliasesMove) {
  PriceTable table = ParseOrDie("models:\n  a: {input: 1, output: 1, aliases: [a-latest]}\n  b: {input: 5, output: 5}\n");
  table.Merge(ParseOrDie("models:\n  a: {input: 2, output: 2}\n  c: {input: 3, output: 3, aliases: [b]}\n"));
  EXPECT_EQ(table.Find("a-latest")->rates.input, 2);  // the old alias of a sees a's new price
  EXPECT_EQ(FoundId(table, "b"), "c");                // b is now an alias of c
  EXPECT_EQ(table.ModelIds(), (std::vector<std::string>{"a", "c"}));

  // An explicit entry wins over an old alias of the same name.
  table.Merge(ParseOrDie("models:\n  a-latest: {input: 9, output: 9}\n"));
  EXPECT_EQ(FoundId(table, "a-latest"), "a-latest");
  EXPECT_EQ(table.Find("a")->rates.input, 2);
}

TEST(PriceTableConfigTest, MergesTheFileThenTheInlineModelsOverTheDefaults) {
  TempFile file("models:\n  team-model: {input: 1, output: 2}\n  gpt-4o: {input: 1, output: 1}\n");
  const YAML::Node config = YAML::Load("pricing:\n"
                                       "  file: " + file.path() + "\n"
                                       "  models:\n"
                                       "    my-model: {input: 0.5, output: 1.5, cached_input: 0.05}\n"
                                       "    gpt-4o: {input: 2, output: 2}\n");
  core::Result<PriceTable> table = PriceTable::FromConfig(config["pricing"], "strata.yaml");
  ASSERT_TRUE(table) << table.error().message();
  EXPECT_EQ(table->Find("my-model")->rates.cached_input, 0.05);
  EXPECT_EQ(table->Find("team-model")->rates.output, 2);
  EXPECT_EQ(table->Find("gpt-4o")->rates.input, 2);  // inline models win over the file
  EXPECT_TRUE(table->Find("claude-haiku-4-5"));      // the defaults are still there
}

TEST(PriceTableConfigTest, DefaultsCanBeLeftOut) {
  const YAML::Node config = YAML::Load("pricing:\n  defaults: false\n  models:\n    only: {input: 1, output: 1}\n");
  core::Result<PriceTable> table = PriceTable::FromConfig(config["pricing"], "strata.yaml");
  ASSERT_TRUE(table) << table.error().message();
  EXPECT_EQ(table->ModelIds(), (std::vector<std::string>{"only"}));
  EXPECT_FALSE(table->Find("gpt-4o"));
}

TEST(PriceTableConfigTest, AnAbsentOrEmptySectionIsTheDefaultTable) {
  const YAML::Node config = YAML::Load("server: {port: 1}\npricing:\n");
  for (const YAML::Node& section : {config["pricing"], YAML::Node(YAML::NodeType::Undefined)}) {
    core::Result<PriceTable> table = PriceTable::FromConfig(section, "strata.yaml");
    ASSERT_TRUE(table);
    EXPECT_EQ(table->size(), PriceTable::Default().size());
  }
}

TEST(PriceTableConfigTest, ReportsErrorsWithTheConfigsLinesAndTheFilesName) {
  const YAML::Node config = YAML::Load(
      "log: {level: info}\n"                        // 1
      "pricing:\n"                                  // 2
      "  fle: prices.yaml\n"                        // 3
      "  defaults: maybe\n"                         // 4
      "  models:\n"                                 // 5
      "    my-model: {input: 0.5}\n"                // 6
      "  file: /nonexistent/strata-prices.yaml\n"); // 7
  core::Result<PriceTable> table = PriceTable::FromConfig(config["pricing"], "strata.yaml");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code(), core::ErrorCode::kInvalidRequest);
  EXPECT_EQ(table.error().message(),
            "strata.yaml:3: unknown key 'fle' in 'pricing'; did you mean 'file'?\n"
            "strata.yaml:4: pricing.defaults must be true or false\n"
            "strata.yaml:6: pricing.models.my-model needs an 'output' price (or 'embedding: true' for an embedding "
            "model)\n"
            "/nonexistent/strata-prices.yaml: cannot open the price file (no such file)");
}

TEST(PriceTableConfigTest, ErrorsInsideTheFileNameTheFile) {
  TempFile file("models:\n  m: {input: 1, output: 2, colour: red}\n");
  const YAML::Node config = YAML::Load("pricing: {file: " + file.path() + "}\n");
  core::Result<PriceTable> table = PriceTable::FromConfig(config["pricing"], "strata.yaml");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().message().rfind(file.path() + ":2: unknown key 'colour' in 'models.m' (known: ", 0), 0u)
      << table.error().message();
}

TEST(PriceTableLoadFileTest, AMissingFileIsNotFound) {
  core::Result<PriceTable> table = PriceTable::LoadFile("/nonexistent/prices.yaml");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code(), core::ErrorCode::kNotFound);
}

TEST(PriceTableLoadFileTest, ADirectoryIsRefused) {
  core::Result<PriceTable> table = PriceTable::LoadFile(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().code(), core::ErrorCode::kInvalidRequest);
  EXPECT_NE(table.error().message().find("it is a directory"), std::string::npos);
}

TEST(PriceTableLoadFileTest, ReadsAFile) {
  TempFile file("taken_on: \"2026-01-02\"\nmodels:\n  m: {input: 1, output: 2}\n");
  core::Result<PriceTable> table = PriceTable::LoadFile(file.path());
  ASSERT_TRUE(table) << table.error().message();
  EXPECT_EQ(table->taken_on(), "2026-01-02");
  EXPECT_TRUE(table->Find("m"));
}

}  // namespace
}  // namespace strata::pricing

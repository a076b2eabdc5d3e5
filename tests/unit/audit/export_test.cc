#include "audit/export.h"

#include <sstream>

#include <gtest/gtest.h>

#include "unit/audit/audit_fixture.h"

namespace strata::audit {
namespace {

using testing::AuditFixture;

// The export as the node writes it: each checkpoint right after the entry it
// covers. Line numbers are 1-based.
std::vector<std::string> ExportLines(const AuditFixture& history) {
  std::vector<std::string> lines;
  for (const Entry& entry : history.entries) {
    lines.push_back(FormatExportLine(entry));
    for (const Checkpoint& checkpoint : history.checkpoints) {
      if (checkpoint.tenant == entry.tenant && checkpoint.seq == entry.seq) {
        lines.push_back(FormatExportLine(checkpoint));
      }
    }
  }
  return lines;
}

ExportVerification VerifyLines(const std::vector<std::string>& lines, std::span<const PublicKey> trusted,
                               const ExportReaderOptions& options = {}) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  std::istringstream in(text);
  return VerifyExport(in, trusted, options);
}

TEST(ExportLineTest, EntriesAndCheckpointsRoundTrip) {
  const AuditFixture history;
  Entry with_bytes = history.entries[3];
  Entry with_digest = history.entries[4];
  KeepOnlyDigest(with_digest);

  EXPECT_EQ(std::get<Entry>(ParseExportLine(FormatExportLine(with_bytes)).value()), with_bytes);
  EXPECT_EQ(std::get<Entry>(ParseExportLine(FormatExportLine(with_digest)).value()), with_digest);
  EXPECT_EQ(std::get<Checkpoint>(ParseExportLine(FormatExportLine(history.checkpoints[0])).value()),
            history.checkpoints[0]);
  EXPECT_NE(FormatExportLine(with_bytes).find("\"stored_b64\":"), std::string::npos);
  EXPECT_NE(FormatExportLine(with_digest).find("\"stored_digest\":"), std::string::npos);
  EXPECT_EQ(FormatExportLine(history.checkpoints[0]).rfind("{\"checkpoint\":{", 0), 0u);
}

TEST(ExportLineTest, RefusesEveryMalformedLineWithAReason) {
  const AuditFixture history;
  const std::string hash = ToHex(history.entries[0].hash);
  const std::string zero = ToHex(kGenesisHash);
  const std::string good_tail = ",\"prev_hash\":\"" + zero + "\",\"hash\":\"" + hash + "\"}";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not one JSON value"},
      {"{", "not one JSON value"},
      {"[1,2]", "not a JSON object"},
      {"{} {}", "not one JSON value"},
      {"{\"tenant\":\"a\"}", "\"seq\" is missing"},
      {"{\"tenant\":\"a\",\"seq\":0,\"stored_digest\":\"" + zero + "\"" + good_tail, "\"seq\" must be at least 1"},
      {"{\"tenant\":\"a\",\"seq\":-1,\"stored_digest\":\"" + zero + "\"" + good_tail, "non-negative integer"},
      {"{\"tenant\":\"a\",\"seq\":1.5,\"stored_digest\":\"" + zero + "\"" + good_tail, "non-negative integer"},
      {"{\"tenant\":\"a\",\"seq\":1" + good_tail, "exactly one of"},
      {"{\"tenant\":\"a\",\"seq\":1,\"stored_b64\":\"\",\"stored_digest\":\"" + zero + "\"" + good_tail,
       "exactly one of"},
      {"{\"tenant\":\"a\",\"seq\":1,\"stored_b64\":\"!!\"" + good_tail, "base64"},
      {"{\"tenant\":\"a\",\"seq\":1,\"stored_digest\":\"" + hash.substr(2) + "\"" + good_tail, "hex"},
      {"{\"tenant\":\"\",\"seq\":1,\"stored_b64\":\"\"" + good_tail, "tenant is empty"},
      {"{\"tenant\":7,\"seq\":1,\"stored_b64\":\"\"" + good_tail, "must be a string"},
      {"{\"tenant\":\"a\",\"seq\":1,\"stored_b64\":\"\",\"extra\":1" + good_tail, "\"extra\" is not a field"},
      {"{\"checkpoint\":[]}", "must be an object"},
      {"{\"checkpoint\":{},\"tenant\":\"a\"}", "holds only"},
      {"{\"checkpoint\":{\"tenant\":\"a\"}}", "checkpoint: \"seq\" is missing"},
      {"{\"tenant\":\"a\xff\",\"seq\":1}", "not one JSON value"},  // invalid UTF-8
      {std::string(100, '[') + std::string(100, ']'), "not one JSON value"},
      {"{\"tenant\":\"a\",\"tenant\":\"b\",\"seq\":1,\"stored_b64\":\"\"" + good_tail, "appears twice"},
      {"{\"checkpoint\":{\"seq\":1,\"s\\u0065q\":2}}", "appears twice"},  // the same key, spelled twice
  };
  for (const auto& [line, reason] : cases) {
    auto parsed = ParseExportLine(line);
    ASSERT_FALSE(parsed) << line;
    EXPECT_NE(parsed.error().message().find(reason), std::string::npos)
        << line << "\n  gave: " << parsed.error().message();
  }
}

TEST(ExportLineTest, EveryPrefixOfAGoodLineIsRefusedCleanly) {
  const AuditFixture history;
  for (const std::string& line : {FormatExportLine(history.entries[0]), FormatExportLine(history.checkpoints[0])}) {
    for (std::size_t length = 0; length < line.size(); ++length) {
      EXPECT_FALSE(ParseExportLine(std::string_view(line).substr(0, length))) << length;
    }
  }
}

TEST(VerifyExportTest, AWholeExportVerifies) {
  const AuditFixture history;
  const ExportVerification result = VerifyLines(ExportLines(history), history.trusted);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.report.entries, 50u);
  EXPECT_EQ(result.report.checkpoints, 9u);
}

TEST(VerifyExportTest, AnExportAfterErasureCarriesDigestsAndVerifies) {
  AuditFixture history;
  for (Entry& entry : history.entries) KeepOnlyDigest(entry);
  std::vector<std::string> lines = ExportLines(history);
  EXPECT_EQ(lines[0].find("stored_b64"), std::string::npos);
  EXPECT_TRUE(VerifyLines(lines, history.trusted).ok());
}

TEST(VerifyExportTest, ABrokenLinkIsReportedByLineNumber) {
  const AuditFixture history;
  std::vector<std::string> lines = ExportLines(history);
  // Delete line 10: acme's entry 4 (tenants take turns, and the first
  // checkpoint line comes after the 13th entry).
  lines.erase(lines.begin() + 9);
  const ExportVerification result = VerifyLines(lines, history.trusted);
  ASSERT_FALSE(result.malformed);
  ASSERT_FALSE(result.report.ok());
  EXPECT_EQ(result.report.first_break->kind, BreakKind::kSeqGap);
  EXPECT_EQ(result.report.first_break->seq, 4u);
  // acme's entry 5, once line 13, now line 12: where the gap shows.
  EXPECT_EQ(result.report.first_break->position, 12u);
}

TEST(VerifyExportTest, AMalformedLineStopsTheReadWithItsLineNumber) {
  const AuditFixture history;
  std::vector<std::string> lines = ExportLines(history);
  lines[6] = "{\"tenant\":\"acme\",\"seq\":\"three\"}";
  const ExportVerification result = VerifyLines(lines, history.trusted);
  ASSERT_TRUE(result.malformed);
  EXPECT_EQ(result.malformed->line, 7u);
  EXPECT_EQ(result.malformed->message.rfind("line 7: ", 0), 0u) << result.malformed->message;
  EXPECT_EQ(result.report.entries, 6u);
  EXPECT_FALSE(result.ok());
}

TEST(VerifyExportTest, EmptyLinesAreSkippedAndCountTowardsLineNumbers) {
  const AuditFixture history;
  std::vector<std::string> lines = ExportLines(history);
  lines.insert(lines.begin() + 2, "");
  lines[5] = "not json";
  const ExportVerification result = VerifyLines(lines, history.trusted);
  ASSERT_TRUE(result.malformed);
  EXPECT_EQ(result.malformed->line, 6u);
}

TEST(VerifyExportTest, ALineLongerThanTheLimitIsRefusedWithoutBufferingIt) {
  const AuditFixture history;
  std::vector<std::string> lines = ExportLines(history);
  lines.insert(lines.begin() + 1, std::string(5000, 'x'));
  const ExportVerification result = VerifyLines(lines, history.trusted, {.max_line_bytes = 4096});
  ASSERT_TRUE(result.malformed);
  EXPECT_EQ(result.malformed->line, 2u);
  EXPECT_NE(result.malformed->message.find("longer than 4096 bytes"), std::string::npos);
}

TEST(VerifyExportTest, AnEmptyExportVerifiesAndAMissingFinalNewlineIsFine) {
  const AuditFixture history;
  std::istringstream empty("");
  EXPECT_TRUE(VerifyExport(empty, history.trusted).ok());
  std::istringstream one(FormatExportLine(history.entries[0]));
  const ExportVerification result = VerifyExport(one, history.trusted);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.report.entries, 1u);
}

}  // namespace
}  // namespace strata::audit

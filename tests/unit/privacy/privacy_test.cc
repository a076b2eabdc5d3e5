// Retention (rules resolution, the purges, the run log) and data-subject
// requests over a real SQLite store, and the content vault's cache TTL.
#include <chrono>
#include <thread>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "audit/verifier.h"
#include "privacy/retention_job.h"
#include "privacy/review_hooks.h"
#include "privacy/subject_requests.h"
#include "store/migrations.h"
#include "store/sqlite/content_vault.h"
#include "store/sqlite/database.h"
#include "store/store.h"
#include "unit/store/store_test_support.h"

namespace strata::privacy {
namespace {

namespace json = boost::json;
using store::testing::TempDir;

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
constexpr std::int64_t kNow = 1'773'568'800'000;  // 2026-03-15 10:00 UTC

store::Record Inference(std::string id, std::string tenant, std::int64_t created_at_ms, std::string subject = "",
                        std::optional<std::string> content = std::nullopt) {
  return store::Record{.id = std::move(id),
                       .created_at_ms = created_at_ms,
                       .kind = "inference",
                       .payload = R"({"model":"gpt-x"})",
                       .tenant = std::move(tenant),
                       .subject = std::move(subject),
                       .content = std::move(content)};
}

store::Record Audit(std::string id, std::string tenant, std::int64_t created_at_ms) {
  return store::Record{.id = std::move(id),
                       .created_at_ms = created_at_ms,
                       .kind = "audit",
                       .payload = R"({"action":"POST /x"})",
                       .tenant = std::move(tenant)};
}

class PrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.data_dir = dir_.path().string();
    options.threads = 1;
    auto opened = store::Store::Open(options);
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
  }

  void Append(std::vector<store::Record> batch) {
    core::Status appended = store_->records().AppendBatch(batch);
    ASSERT_TRUE(appended) << appended.error().message();
  }

  bool Exists(const std::string& id) {
    auto found = store_->records().Find(id);
    EXPECT_TRUE(found);
    return found && found->has_value();
  }

  audit::VerifyReport VerifyAll() {
    std::vector<audit::Entry> entries;
    std::vector<audit::Checkpoint> checkpoints;
    core::Result<std::vector<store::ChainSummary>> chains = store_->records().Chains();
    EXPECT_TRUE(chains);
    for (const store::ChainSummary& chain : *chains) {
      for (store::ChainLink& link : *store_->records().ListChain(chain.tenant, 0, 1'000'000)) {
        entries.push_back(std::move(link.entry));
      }
      for (audit::Checkpoint& checkpoint : *store_->records().Checkpoints(chain.tenant)) {
        checkpoints.push_back(std::move(checkpoint));
      }
    }
    return audit::Verify(entries, checkpoints, {});
  }

  RetentionJob Job(RetentionOptions options = {}, RetentionHooks hooks = {}) {
    return RetentionJob(store_->records(), store_->retention(), options, std::move(hooks));
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(PrivacyTest, RulesResolveTenantThenDefaultThenConfig) {
  ASSERT_TRUE(store_->retention().Set("acme", "content", 7, kNow));
  ASSERT_TRUE(store_->retention().Set("", "content", 30, kNow));
  ASSERT_TRUE(store_->retention().Set("", "metadata", 90, kNow));
  RetentionOptions options;
  options.defaults.metadata = 365;
  options.defaults.audit = 400;
  RetentionJob job(store_->records(), store_->retention(), options);

  core::Result<std::vector<EffectiveRetention>> acme = job.Effective("acme");
  ASSERT_TRUE(acme) << acme.error().message();
  ASSERT_EQ(acme->size(), 5u);
  EXPECT_EQ((*acme)[0].kind, "content");
  EXPECT_EQ((*acme)[0].days, 7);
  EXPECT_EQ((*acme)[0].source, "tenant");
  EXPECT_EQ((*acme)[1].days, 90);
  EXPECT_EQ((*acme)[1].source, "default");
  EXPECT_EQ((*acme)[2].days, 400);
  EXPECT_EQ((*acme)[2].source, "config");
  EXPECT_EQ((*acme)[3].days, std::nullopt);
  EXPECT_EQ((*acme)[3].source, "none");

  core::Result<std::vector<EffectiveRetention>> globex = job.Effective("globex");
  ASSERT_TRUE(globex);
  EXPECT_EQ((*globex)[0].days, 30);
  EXPECT_EQ((*globex)[0].source, "default");
}

TEST_F(PrivacyTest, ContentPurgeKeepsMetadataAndTheChainVerifying) {
  Append({Inference("old", "acme", kNow - 10 * kDay, "alice", "old words"),
          Inference("new", "acme", kNow - 1 * kDay, "alice", "new words"),
          Inference("other", "globex", kNow - 10 * kDay, "bob", "globex words")});
  ASSERT_TRUE(store_->retention().Set("acme", "content", 5, kNow));

  RetentionJob job = Job();
  core::Result<store::RetentionRun> run = job.RunOnce(kNow);
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->status, "ok") << run->error;
  EXPECT_EQ(json::parse(run->purged_json), json::parse(R"({"acme":{"content":1}})"));

  std::vector<store::Record> alice = *store_->records().ExportSubject("acme", "alice");
  ASSERT_EQ(alice.size(), 2u);
  EXPECT_EQ(alice[0].id, "old");
  EXPECT_FALSE(alice[0].content);  // content gone, the record stays
  EXPECT_EQ(alice[1].content, "new words");
  EXPECT_EQ((*store_->records().ExportSubject("globex", "bob"))[0].content, "globex words");  // no rule: kept
  EXPECT_TRUE(VerifyAll().ok());
}

TEST_F(PrivacyTest, MetadataAndAuditPurgeDeleteOnlyTheirKind) {
  Append({Inference("i-old", "acme", kNow - 40 * kDay), Inference("i-new", "acme", kNow - 2 * kDay),
          Audit("a-old", "acme", kNow - 40 * kDay), Audit("a-mid", "acme", kNow - 20 * kDay)});
  ASSERT_TRUE(store_->retention().Set("", "metadata", 30, kNow));
  RetentionOptions options;
  options.defaults.audit = 10;

  RetentionJob job = Job(options);
  core::Result<store::RetentionRun> run = job.RunOnce(kNow);
  ASSERT_TRUE(run);
  EXPECT_EQ(json::parse(run->purged_json), json::parse(R"({"acme":{"metadata":1,"audit":2}})"));
  EXPECT_FALSE(Exists("i-old"));
  EXPECT_TRUE(Exists("i-new"));
  EXPECT_FALSE(Exists("a-old"));
  EXPECT_FALSE(Exists("a-mid"));
  EXPECT_TRUE(VerifyAll().ok());
}

TEST_F(PrivacyTest, RunLogRecordsEachRunAndFailuresDoNotStopOtherTenants) {
  Append({Inference("a", "acme", kNow), Inference("g", "globex", kNow)});
  ASSERT_TRUE(store_->retention().Set("", "reviews", 3, kNow));
  ASSERT_TRUE(store_->retention().Set("", "feedback", 5, kNow));
  std::vector<std::pair<std::string, std::int64_t>> calls;
  RetentionHooks hooks;
  hooks.purge_reviews = [&](std::string_view tenant, std::int64_t cutoff) -> core::Result<std::int64_t> {
    calls.emplace_back(std::string(tenant), cutoff);
    if (tenant == "acme") return core::Error::Unavailable("database is locked");
    return std::int64_t{4};
  };
  hooks.purge_feedback = [&](std::string_view, std::int64_t) -> core::Result<std::int64_t> { return std::int64_t{1}; };

  RetentionJob job = Job({}, hooks);
  core::Result<store::RetentionRun> run = job.RunOnce(kNow);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, "failed");
  EXPECT_NE(run->error.find("acme: reviews: database is locked"), std::string::npos) << run->error;
  EXPECT_EQ(json::parse(run->purged_json), json::parse(R"({"acme":{"feedback":1},"globex":{"reviews":4,"feedback":1}})"));
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], (std::pair<std::string, std::int64_t>{"acme", kNow - 3 * kDay}));

  core::Result<store::RetentionRun> second = job.RunOnce(kNow + 1);
  ASSERT_TRUE(second);
  core::Result<store::Page<store::RetentionRun>> runs = store_->retention().ListRuns("", 10);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->rows.size(), 2u);
  EXPECT_EQ(runs->rows[1], *run);
}

TEST_F(PrivacyTest, ExportReturnsTheSubjectsRecordsWithOpenedContent) {
  Append({Inference("r1", "acme", kNow - 2, "alice", R"({"prompt":"hi"})"),
          Inference("r2", "acme", kNow - 1, "alice", "plain text"), Inference("r3", "acme", kNow, "bob", "bob's"),
          Inference("r4", "globex", kNow, "alice", "globex alice")});
  SubjectHooks hooks;
  hooks.export_reviews = [](std::string_view, std::string_view) -> core::Result<json::array> {
    return json::array{json::object{{"id", "rv_1"}}};
  };
  SubjectRequests subjects(store_->records(), nullptr, hooks);
  core::Result<json::object> exported = subjects.Export("acme", "alice", kNow);
  ASSERT_TRUE(exported) << exported.error().message();
  EXPECT_EQ(exported->at("object"), "subject_export");
  EXPECT_EQ(exported->at("subject"), "alice");
  const json::array& records = exported->at("records").as_array();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].at("id"), "r1");
  EXPECT_EQ(records[0].at("content"), json::parse(R"({"prompt":"hi"})"));
  EXPECT_EQ(records[0].at("record"), json::parse(R"({"model":"gpt-x"})"));
  EXPECT_EQ(records[0].at("created_at_ms"), kNow - 2);
  EXPECT_EQ(records[1].at("content"), "plain text");
  EXPECT_EQ(exported->at("reviews").as_array().size(), 1u);

  EXPECT_TRUE(subjects.Export("acme", "nobody", kNow)->at("records").as_array().empty());
  EXPECT_FALSE(subjects.Export("acme", "", kNow));
}

TEST_F(PrivacyTest, EraseDestroysTheKeyKeepsTheChainAndAuditsWithoutTheSubject) {
  Append({Inference("r1", "acme", kNow - 2, "alice", "secret one"), Inference("r2", "acme", kNow - 1, "alice", "two"),
          Inference("r3", "acme", kNow, "bob", "bob's")});
  std::int64_t review_erasures = 0;
  SubjectHooks hooks;
  hooks.erase_reviews = [&](std::string_view, std::string_view subject) -> core::Result<std::int64_t> {
    ++review_erasures;
    return std::int64_t{subject == "alice" ? 3 : 0};
  };
  SubjectRequests subjects(store_->records(), nullptr, hooks);
  core::Result<json::object> erased = subjects.Erase("acme", "alice", kNow);
  ASSERT_TRUE(erased) << erased.error().message();
  EXPECT_EQ(erased->at("object"), "subject_erasure");
  EXPECT_EQ(erased->at("subject_ref").as_string(), SubjectRef("acme", "alice"));
  EXPECT_EQ(erased->at("subject_ref").as_string().size(), 64u);
  EXPECT_EQ(erased->at("key_destroyed"), true);
  EXPECT_EQ(erased->at("records"), 2);
  EXPECT_EQ(erased->at("reviews"), 3);
  EXPECT_FALSE(erased->contains("subject"));

  EXPECT_TRUE(subjects.Export("acme", "alice", kNow)->at("records").as_array().empty());
  EXPECT_EQ(subjects.Export("acme", "bob", kNow)->at("records").as_array().size(), 1u);
  EXPECT_TRUE(Exists("r1"));  // metadata stays
  EXPECT_TRUE(VerifyAll().ok());

  // The audit entry in acme's chain names the subject only by its ref.
  std::vector<store::ChainLink> chain = *store_->records().ListChain("acme", 0, 100);
  ASSERT_EQ(chain.size(), 4u);
  std::optional<store::Record> entry = *store_->records().Find(chain.back().record_id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->kind, "audit");
  EXPECT_EQ(entry->payload.find("alice"), std::string::npos) << entry->payload;
  const json::value payload = json::parse(entry->payload);
  EXPECT_EQ(payload.at("action"), "dsr.erase");
  EXPECT_EQ(payload.at("subject_ref").as_string(), SubjectRef("acme", "alice"));
  EXPECT_EQ(payload.at("records"), 2);

  core::Result<json::object> again = subjects.Erase("acme", "alice", kNow);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->at("key_destroyed"), false);
  EXPECT_EQ(again->at("records"), 0);
  EXPECT_EQ(review_erasures, 2);
}

TEST_F(PrivacyTest, ReviewHooksExportEraseAndPurgeTheReviewQueue) {
  const auto review = [&](const std::string& subject, std::int64_t created) {
    core::Result<store::ReviewRow> row = store_->reviews().Create(store::ReviewRow{.tenant_id = "acme",
                                                                                   .request_id = "req-" + subject,
                                                                                   .key_id = "key_1",
                                                                                   .subject = subject,
                                                                                   .mode = "queued",
                                                                                   .redacted_exchange = R"({"prompt":"p"})",
                                                                                   .created_at_ms = created,
                                                                                   .expires_at_ms = created + kDay});
    ASSERT_TRUE(row) << row.error().message();
  };
  review("alice", kNow);
  review("alice", kNow);
  review("bob", kNow);
  SubjectRequests subjects(store_->records(), nullptr, ReviewSubjectHooks(store_->reviews()));
  core::Result<json::object> exported = subjects.Export("acme", "alice", kNow);
  ASSERT_TRUE(exported) << exported.error().message();
  const json::array& reviews = exported->at("reviews").as_array();
  ASSERT_EQ(reviews.size(), 2u);
  EXPECT_EQ(reviews[0].at("redacted_exchange"), json::parse(R"({"prompt":"p"})"));
  core::Result<json::object> erased = subjects.Erase("acme", "alice", kNow);
  ASSERT_TRUE(erased) << erased.error().message();
  EXPECT_EQ(erased->at("reviews"), 2);
  EXPECT_TRUE(subjects.Export("acme", "alice", kNow)->at("reviews").as_array().empty());
  EXPECT_EQ(subjects.Export("acme", "bob", kNow)->at("reviews").as_array().size(), 1u);

  // Retention: only settled reviews go; bob's is still pending.
  ASSERT_TRUE(store_->retention().Set("acme", "reviews", 1, kNow));
  RetentionJob job = Job({}, ReviewRetentionHooks(store_->reviews()));
  core::Result<store::RetentionRun> run = job.RunOnce(kNow + 3 * kDay);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->status, "ok") << run->error;
  EXPECT_EQ(json::parse(run->purged_json).at("acme").at("reviews"), 0);
}

TEST_F(PrivacyTest, TheBackgroundThreadRunsAndCloses) {
  RetentionOptions options;
  options.interval = std::chrono::milliseconds(1000);  // the floor; the first run comes after it
  RetentionJob job = Job(options);
  job.Start();
  job.Start();  // idempotent
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (store_->retention().ListRuns("", 10)->rows.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  job.Close();
  job.Close();
  core::Result<store::Page<store::RetentionRun>> runs = store_->retention().ListRuns("", 10);
  ASSERT_TRUE(runs);
  ASSERT_FALSE(runs->rows.empty());
  EXPECT_EQ(runs->rows[0].status, "ok");
}

// Two vaults over one database file: a key erased by one (the CLI) stops
// opening content in the other (the server) once its cache entry expires.
TEST(ContentVaultCacheTest, AKeyErasedElsewhereStopsWorkingWithinTheTtl) {
  TempDir dir;
  auto server_db = store::sqlite::Database::Open(dir.File("strata.db"));
  ASSERT_TRUE(server_db) << server_db.error().message();
  ASSERT_TRUE(store::ApplyMigrations(**server_db));
  auto cli_db = store::sqlite::Database::Open(dir.File("strata.db"));
  ASSERT_TRUE(cli_db);
  store::sqlite::MasterKey master{};
  master.fill(0x21);
  store::sqlite::SqliteContentVault server(**server_db, master, 16, std::chrono::milliseconds(200));
  store::sqlite::SqliteContentVault cli(**cli_db, master);

  core::Result<std::string> sealed = server.Seal("acme", "alice", "words");
  ASSERT_TRUE(sealed);
  ASSERT_EQ(*server.Open("acme", *sealed), "words");  // cached now
  ASSERT_FALSE(cli.EraseSubject("acme", "alice")->empty());
  core::Result<std::string> still = server.Open("acme", *sealed);
  EXPECT_TRUE(still);  // within the TTL: the cache does not know yet
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  core::Result<std::string> after = server.Open("acme", *sealed);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code(), core::ErrorCode::kNotFound);
  // A new seal for the subject makes a new key, never the erased one.
  core::Result<std::string> resealed = server.Seal("acme", "alice", "later");
  ASSERT_TRUE(resealed);
  EXPECT_EQ(*server.Open("acme", *resealed), "later");
}

}  // namespace
}  // namespace strata::privacy

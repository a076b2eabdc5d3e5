// The audit chain and sealed content as SqliteRecordStore writes them
// (docs/AUDIT.md, "In the store"), the subject and retention operations that
// must leave the chain verifying, and the checkpointer.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include <gtest/gtest.h>

#include "audit/verifier.h"
#include "store/audit_checkpointer.h"
#include "store/migrations.h"
#include "store/sqlite/content_vault.h"
#include "store/sqlite/database.h"
#include "store/sqlite/record_form.h"
#include "store/sqlite/record_store.h"
#include "store/store.h"
#include "store_test_support.h"

namespace strata::store::sqlite {
namespace {

using testing::TempDir;

Record Inference(std::string id, std::string tenant, std::int64_t created_at_ms = 1'700'000'000'000) {
  return Record{.id = std::move(id),
                .created_at_ms = created_at_ms,
                .kind = "inference",
                .payload = R"({"model":"gpt-x"})",
                .tenant = std::move(tenant)};
}

Record WithContent(Record record, std::string subject, std::string content) {
  record.subject = std::move(subject);
  record.content = std::move(content);
  return record;
}

class AuditChainTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    records_.reset();
    vault_.reset();
    database_.reset();
    auto opened = Database::Open(dir_.File("strata.db"));
    ASSERT_TRUE(opened) << opened.error().message();
    database_ = std::move(*opened);
    ASSERT_TRUE(ApplyMigrations(*database_));
    MasterKey master{};
    master.fill(0x5a);
    vault_ = std::make_unique<SqliteContentVault>(*database_, master);
    records_ = std::make_unique<SqliteRecordStore>(*database_, vault_.get());
  }

  void Append(std::vector<Record> batch) {
    core::Status appended = records_->AppendBatch(batch);
    ASSERT_TRUE(appended) << appended.error().message();
  }

  std::vector<ChainLink> Chain(std::string_view tenant) {
    core::Result<std::vector<ChainLink>> links = records_->ListChain(tenant, 0, 1'000'000);
    EXPECT_TRUE(links) << links.error().message();
    return links ? *links : std::vector<ChainLink>{};
  }

  std::vector<std::uint64_t> Seqs(std::string_view tenant) {
    std::vector<std::uint64_t> seqs;
    for (const ChainLink& link : Chain(tenant)) seqs.push_back(link.entry.seq);
    return seqs;
  }

  // Every chain and checkpoint in the store, through audit::Verify.
  audit::VerifyReport VerifyAll(std::vector<audit::PublicKey> trusted = {}) {
    std::vector<audit::Entry> entries;
    std::vector<audit::Checkpoint> checkpoints;
    core::Result<std::vector<ChainSummary>> chains = records_->Chains();
    EXPECT_TRUE(chains);
    for (const ChainSummary& chain : *chains) {
      for (ChainLink& link : Chain(chain.tenant)) entries.push_back(std::move(link.entry));
      for (audit::Checkpoint& checkpoint : *records_->Checkpoints(chain.tenant)) {
        checkpoints.push_back(std::move(checkpoint));
      }
    }
    return audit::Verify(entries, checkpoints, trusted);
  }

  void Execute(std::string_view sql) {
    core::Status done = database_->Lock().Execute(sql);
    ASSERT_TRUE(done) << done.error().message();
  }

  TempDir dir_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<SqliteContentVault> vault_;
  std::unique_ptr<SqliteRecordStore> records_;
};

TEST_F(AuditChainTest, EachTenantGetsAGaplessChainAcrossBatchesAndReopens) {
  Append({Inference("a1", "acme"), Inference("p1", ""), Inference("a2", "acme")});
  Append({Inference("g1", "globex"), Inference("a3", "acme")});
  Open();  // heads are read back from the database
  Append({Inference("a4", "acme"), Inference("p2", "_platform")});

  EXPECT_EQ(Seqs("acme"), (std::vector<std::uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(Seqs("globex"), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(Seqs("_platform"), (std::vector<std::uint64_t>{1, 2}));  // an empty tenant is the platform's
  EXPECT_EQ(Chain("acme")[2].record_id, "a3");
  const audit::VerifyReport report = VerifyAll();
  EXPECT_TRUE(report.ok()) << report.first_break->message;
  EXPECT_EQ(report.entries, 7u);

  core::Result<std::vector<ChainSummary>> chains = records_->Chains();
  ASSERT_TRUE(chains);
  ASSERT_EQ(chains->size(), 3u);
  EXPECT_EQ((*chains)[0].tenant, "_platform");
  EXPECT_EQ((*chains)[1].tenant, "acme");
  EXPECT_EQ((*chains)[1].head.seq, 4u);
  EXPECT_EQ((*chains)[1].head.hash, Chain("acme").back().entry.hash);
}

TEST_F(AuditChainTest, ARetriedBatchAddsNoSecondChainEntry) {
  const std::vector<Record> batch = {Inference("a1", "acme"), WithContent(Inference("a2", "acme"), "u", "hi")};
  Append(batch);
  Append(batch);
  Append({Inference("a3", "acme"), batch[0]});
  EXPECT_EQ(Seqs("acme"), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(*records_->Count(), 3);
  EXPECT_TRUE(VerifyAll().ok());
}

TEST_F(AuditChainTest, AFailedBatchLeavesNoGapAndNoLostKey) {
  Append({Inference("a1", "acme")});
  Execute(
      "CREATE TRIGGER fail_boom BEFORE INSERT ON inference_records WHEN NEW.id = 'boom' "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  // The batch advances acme's head and creates u-new's key before failing.
  const std::vector<Record> failing = {WithContent(Inference("a2", "acme"), "u-new", "kept?"), Inference("boom", "acme")};
  EXPECT_FALSE(records_->AppendBatch(failing));
  Execute("DROP TRIGGER fail_boom");
  Append({WithContent(Inference("a2", "acme"), "u-new", "kept!")});

  EXPECT_EQ(Seqs("acme"), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_TRUE(VerifyAll().ok());
  core::Result<std::vector<Record>> exported = records_->ExportSubject("acme", "u-new");
  ASSERT_TRUE(exported) << exported.error().message();
  ASSERT_EQ(exported->size(), 1u);
  EXPECT_EQ((*exported)[0].content, "kept!");
}

TEST_F(AuditChainTest, TheChainCommitsToTheRecordsStoredForm) {
  Append({WithContent(Inference("a1", "acme", 42), "user-1", "prompt"), Inference("a2", "acme", 43)});
  std::string sealed;
  std::string key_id;
  {
    Connection connection = database_->Lock();
    auto select = connection.Prepare("SELECT content, content_key_id, content_digest FROM inference_records WHERE id = 'a1'");
    ASSERT_TRUE(select && *select->Step());
    sealed = select->ColumnBlob(0);
    key_id = select->ColumnText(1);
    EXPECT_EQ(select->ColumnBlob(2), std::string(reinterpret_cast<const char*>(audit::Sha256(sealed).data()), 32));
  }
  EXPECT_EQ(key_id, *vault_->KeyId("acme", "user-1"));
  const std::vector<ChainLink> chain = Chain("acme");
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0].entry.stored, RecordStoredForm({.id = "a1",
                                                     .created_at_ms = 42,
                                                     .kind = "inference",
                                                     .tenant = "acme",
                                                     .payload = R"({"model":"gpt-x"})",
                                                     .content_key_id = key_id,
                                                     .content_digest = audit::Sha256(sealed)}));
  EXPECT_EQ(chain[1].entry.stored, RecordStoredForm({.id = "a2",
                                                     .created_at_ms = 43,
                                                     .kind = "inference",
                                                     .tenant = "acme",
                                                     .payload = R"({"model":"gpt-x"})"}));
  EXPECT_EQ(audit::StoredDigest(chain[0].entry), chain[0].entry.stored_digest);
  EXPECT_EQ(chain[0].entry.prev_hash, audit::kGenesisHash);
  EXPECT_EQ(chain[1].entry.prev_hash, chain[0].entry.hash);
}

TEST_F(AuditChainTest, StoredFormFramingIsTheDocumentedLayout) {
  const std::string form = RecordStoredForm(
      {.id = "r", .created_at_ms = 1, .kind = "k", .tenant = "t", .payload = "p", .content_key_id = ""});
  std::string expected;
  expected += std::string("\0\0\0\x10", 4) + "strata.record.v1";
  expected += std::string("\0\0\0\x01", 4) + "r";
  expected += std::string("\0\0\0\0\0\0\0\x01", 8);
  expected += std::string("\0\0\0\x01", 4) + "k";
  expected += std::string("\0\0\0\x01", 4) + "t";
  expected += std::string("\0\0\0\x01", 4) + "p";
  expected += std::string("\0\0\0\0", 4);
  expected += std::string(32, '\0');
  EXPECT_EQ(form, expected);
}

TEST_F(AuditChainTest, ContentIsStoredOnlySealed) {
  const std::string secret = "PLAINTEXT-MUST-NOT-LEAK-7f3a9c";
  Append({WithContent(Inference("a1", "acme"), "user-1", secret), WithContent(Inference("a2", "acme"), "", secret)});
  records_.reset();
  vault_.reset();
  database_.reset();  // closes: the WAL is folded into the file
  for (const auto& file : std::filesystem::directory_iterator(dir_.path())) {
    std::ifstream in(file.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(secret), std::string::npos) << file.path();
    EXPECT_EQ(bytes.find("user-1\x01"), std::string::npos);
  }
  Open();
  core::Result<std::vector<Record>> exported = records_->ExportSubject("acme", "user-1");
  ASSERT_TRUE(exported);
  ASSERT_EQ(exported->size(), 1u);
  EXPECT_EQ((*exported)[0].content, secret);
  EXPECT_EQ((*exported)[0].subject, "user-1");
  EXPECT_EQ((*exported)[0].payload, R"({"model":"gpt-x"})");
}

TEST_F(AuditChainTest, AnEditedRecordBreaksTheChainAtItsSeq) {
  Append({Inference("a1", "acme"), Inference("a2", "acme"), Inference("a3", "acme")});
  Execute("UPDATE inference_records SET payload = '{\"model\":\"cheap\"}' WHERE id = 'a2'");
  const audit::VerifyReport report = VerifyAll();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.first_break->kind, audit::BreakKind::kHashMismatch);
  EXPECT_EQ(report.first_break->seq, 2u);
}

TEST_F(AuditChainTest, ErasingASubjectRemovesItsContentAndKeepsTheChainVerifying) {
  Append({WithContent(Inference("a1", "acme"), "user-1", "one"), WithContent(Inference("a2", "acme"), "user-2", "two"),
          WithContent(Inference("a3", "acme"), "user-1", "three"), Inference("a4", "acme")});
  const std::string key_id = *vault_->KeyId("acme", "user-1");
  core::Result<SubjectErasure> erased = records_->EraseSubject("acme", "user-1");
  ASSERT_TRUE(erased) << erased.error().message();
  EXPECT_EQ(erased->key_id, key_id);
  EXPECT_EQ(erased->records, 2);

  EXPECT_TRUE(records_->ExportSubject("acme", "user-1")->empty());  // no key, nothing to name it by
  core::Result<std::vector<Record>> other = records_->ExportSubject("acme", "user-2");
  ASSERT_TRUE(other);
  ASSERT_EQ(other->size(), 1u);
  EXPECT_EQ((*other)[0].content, "two");
  {
    Connection connection = database_->Lock();
    auto select = connection.Prepare(
        "SELECT COUNT(*) FROM inference_records WHERE content_key_id = ? AND content IS NULL AND content_digest IS NOT NULL");
    ASSERT_TRUE(select && *select->Bind(1, key_id).Step());
    EXPECT_EQ(select->ColumnInt64(0), 2);
  }
  EXPECT_TRUE(VerifyAll().ok());
  EXPECT_EQ(records_->EraseSubject("acme", "user-1")->records, 0);
}

// Crypto-shredding holds only if the wrapped key is really gone: not left in
// a free page of the file or an old frame of the write-ahead log, while the
// server still runs (secure_delete and a truncating checkpoint).
TEST_F(AuditChainTest, AnErasedSubjectsWrappedKeyAndContentLeaveNoBytesInTheFiles) {
  Append({WithContent(Inference("a1", "acme"), "user-1", "one"), Inference("a2", "acme")});
  const std::string key_id = *vault_->KeyId("acme", "user-1");
  std::string wrapped, sealed;
  {
    Connection connection = database_->Lock();
    auto key = connection.Prepare("SELECT wrapped_key FROM subject_keys WHERE id = ?");
    ASSERT_TRUE(key && *key->Bind(1, key_id).Step());
    wrapped = key->ColumnBlob(0);
    auto content = connection.Prepare("SELECT content FROM inference_records WHERE id = 'a1'");
    ASSERT_TRUE(content && *content->Step());
    sealed = content->ColumnBlob(0);
  }
  ASSERT_TRUE(records_->EraseSubject("acme", "user-1"));
  for (const auto& file : std::filesystem::directory_iterator(dir_.path())) {  // the database still open
    std::ifstream in(file.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(wrapped), std::string::npos) << file.path();
    EXPECT_EQ(bytes.find(sealed.substr(sealed.size() - 40)), std::string::npos) << file.path();
  }
}

TEST_F(AuditChainTest, PurgingContentOrRecordsKeepsTheChainVerifying) {
  Append({WithContent(Inference("old1", "acme", 1'000), "u", "a"), WithContent(Inference("old2", "globex", 1'000), "u", "b"),
          WithContent(Inference("new1", "acme", 5'000), "u", "c")});
  Append({Record{.id = "ev1", .created_at_ms = 1'000, .kind = "audit", .payload = "{}", .tenant = "acme"}});

  core::Result<std::int64_t> purged = records_->PurgeContentBefore("acme", 2'000);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(*records_->PurgeContentBefore("", 2'000), 1);  // globex's
  core::Result<std::vector<Record>> acme = records_->ExportSubject("acme", "u");
  ASSERT_EQ(acme->size(), 2u);
  EXPECT_FALSE((*acme)[0].content);
  EXPECT_EQ((*acme)[1].content, "c");
  EXPECT_TRUE(VerifyAll().ok());

  core::Result<std::int64_t> deleted = records_->PurgeRecordsBefore("acme", "inference", 2'000);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 1);
  EXPECT_EQ(*records_->PurgeRecordsBefore("", "", 2'000), 2);  // globex's old2 and acme's ev1
  EXPECT_EQ(*records_->Count(), 1);
  const std::vector<ChainLink> chain = Chain("acme");
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_FALSE(chain[0].entry.stored);  // the row is gone; its digest stays
  EXPECT_TRUE(chain[1].entry.stored);
  EXPECT_FALSE(chain[2].entry.stored);
  const audit::VerifyReport report = VerifyAll();
  EXPECT_TRUE(report.ok()) << report.first_break->message;
  EXPECT_EQ(report.entries, 4u);
}

TEST_F(AuditChainTest, AnUnchainedRecordIsFound) {
  Append({Inference("a1", "acme")});
  EXPECT_EQ(*records_->FindUnchainedRecord("acme"), std::nullopt);
  Execute("INSERT INTO inference_records(id, created_at_ms, kind, payload, tenant_id) VALUES ('forged', 1, 'inference', '{}', 'acme')");
  EXPECT_EQ(*records_->FindUnchainedRecord("acme"), "forged");
}

TEST_F(AuditChainTest, ContentWithoutAVaultIsRefused) {
  SqliteRecordStore bare(*database_);
  const std::vector<Record> batch = {WithContent(Inference("a1", "acme"), "", "x")};
  EXPECT_FALSE(bare.AppendBatch(batch));
  const std::vector<Record> plain = {Inference("a2", "acme")};
  EXPECT_TRUE(bare.AppendBatch(plain));
}

TEST_F(AuditChainTest, TheCheckpointerSignsOnlyHeadsThatMoved) {
  const audit::SigningKey key = audit::SigningKey::Generate();
  AuditCheckpointer checkpointer(*records_);
  EXPECT_EQ(*checkpointer.CheckpointAll(key, 1), 0);  // no chain yet
  Append({Inference("a1", "acme"), Inference("g1", "globex"), Inference("a2", "acme")});
  EXPECT_EQ(*checkpointer.CheckpointAll(key, 2), 2);
  EXPECT_EQ(*checkpointer.CheckpointAll(key, 3), 0);
  Append({Inference("a3", "acme")});
  EXPECT_EQ(*checkpointer.CheckpointAll(key, 4), 1);

  core::Result<std::vector<audit::Checkpoint>> acme = records_->Checkpoints("acme");
  ASSERT_TRUE(acme);
  ASSERT_EQ(acme->size(), 2u);
  EXPECT_EQ((*acme)[0].seq, 2u);
  EXPECT_EQ((*acme)[1].seq, 3u);
  EXPECT_EQ((*acme)[1].hash, Chain("acme").back().entry.hash);
  EXPECT_EQ((*records_->Chains())[0].checkpointed_seq, 3u);
  const audit::VerifyReport trusted = VerifyAll({key.public_key()});
  EXPECT_TRUE(trusted.ok()) << trusted.first_break->message;
  EXPECT_EQ(trusted.checkpoints, 3u);
  EXPECT_EQ(VerifyAll({}).first_break->kind, audit::BreakKind::kCheckpointUnknownKey);

  // Rewriting the chain's tail behind a checkpoint shows.
  Execute("DELETE FROM audit_chain WHERE tenant_id = 'acme' AND seq = 3");
  EXPECT_EQ(VerifyAll({key.public_key()}).first_break->kind, audit::BreakKind::kCheckpointBeyondChain);
}

TEST_F(AuditChainTest, TheCheckpointThreadSignsTheFinalHeadsAtClose) {
  Append({Inference("a1", "acme")});
  {
    CheckpointThread thread(*records_, audit::SigningKey::Generate(), std::chrono::hours(1));
    thread.Close();
  }
  EXPECT_EQ(records_->Checkpoints("acme")->size(), 1u);
}

TEST(SigningKeyFileTest, IsCreatedOnFirstUseAndLoadedAfter) {
  TempDir dir;
  const std::string path = DefaultSigningKeyPath(dir.path().string());
  EXPECT_EQ(std::filesystem::path(path).filename(), "audit-signing.key");
  core::Result<audit::SigningKey> created = LoadOrCreateSigningKey(path);
  ASSERT_TRUE(created) << created.error().message();
  core::Result<audit::SigningKey> loaded = LoadOrCreateSigningKey(path);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->public_key(), created->public_key());
}

TEST(StoreVaultTest, TheStoreSealsThroughItsVaultAndKeepsTheMasterKeyInTheDataDir) {
  TempDir dir;
  StoreOptions options;
  options.data_dir = dir.path().string();
  auto store = Store::Open(options);
  ASSERT_TRUE(store) << store.error().message();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "content.key"));
  const std::vector<Record> batch = {WithContent(Inference("a1", "acme"), "s", "hello")};
  ASSERT_TRUE((*store)->records().AppendBatch(batch));
  core::Result<std::vector<Record>> exported = (*store)->records().ExportSubject("acme", "s");
  ASSERT_TRUE(exported);
  EXPECT_EQ(exported->at(0).content, "hello");
  core::Result<std::string> sealed = (*store)->vault().Seal("acme", "s", "again");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(*(*store)->vault().Open("acme", *sealed), "again");

  StoreOptions elsewhere = options;
  elsewhere.content_key_file = dir.File("nope/missing-dir/content.key");
  store->reset();
  EXPECT_FALSE(Store::Open(elsewhere));
}

}  // namespace
}  // namespace strata::store::sqlite

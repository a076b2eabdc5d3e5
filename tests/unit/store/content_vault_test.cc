// SqliteContentVault: per-subject keys wrapped under the master key, sealed
// content bound to its tenant, crypto-shredding by key erasure.
#include "store/sqlite/content_vault.h"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "audit/digest.h"
#include "store/migrations.h"
#include "store/sqlite/database.h"
#include "store_test_support.h"

namespace strata::store::sqlite {
namespace {

using testing::TempDir;

MasterKey TestMasterKey() {
  MasterKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return key;
}

class ContentVaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::Open(dir_.File("strata.db"));
    ASSERT_TRUE(opened) << opened.error().message();
    database_ = std::move(*opened);
    ASSERT_TRUE(ApplyMigrations(*database_));
    vault_ = std::make_unique<SqliteContentVault>(*database_, TestMasterKey(), /*cache_size=*/2);
  }

  std::string Seal(std::string_view tenant, std::string_view subject, std::string_view plaintext) {
    core::Result<std::string> sealed = vault_->Seal(tenant, subject, plaintext);
    EXPECT_TRUE(sealed) << sealed.error().message();
    return sealed ? *sealed : std::string();
  }

  // The wrapped_key column of `key_id`'s row.
  std::string WrappedKey(const std::string& key_id) {
    Connection connection = database_->Lock();
    auto select = connection.Prepare("SELECT wrapped_key FROM subject_keys WHERE id = ?");
    EXPECT_TRUE(select);
    auto row = select->Bind(1, key_id).Step();
    EXPECT_TRUE(row && *row);
    return select->ColumnBlob(0);
  }

  TempDir dir_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<SqliteContentVault> vault_;
};

TEST_F(ContentVaultTest, SealedContentOpensUnderItsTenant) {
  const std::string sealed = Seal("acme", "user-1", "the prompt and the answer");
  EXPECT_EQ(sealed[0], '\x01');
  EXPECT_EQ(sealed.find("the prompt"), std::string::npos);
  core::Result<std::string> opened = vault_->Open("acme", sealed);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(*opened, "the prompt and the answer");
}

TEST_F(ContentVaultTest, OpensAfterTheCacheForgotTheKey) {
  const std::string sealed = Seal("acme", "user-1", "hello");
  Seal("acme", "user-2", "x");
  Seal("acme", "user-3", "y");  // cache_size 2: user-1's key was evicted
  vault_->ForgetAll();
  EXPECT_EQ(*vault_->Open("acme", sealed), "hello");
}

TEST_F(ContentVaultTest, TheSameSubjectKeepsOneKeyAndEachSubjectHasItsOwn) {
  core::Result<std::string> first = vault_->KeyId("acme", "user-1");
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->starts_with("sk_"));
  EXPECT_EQ(*vault_->KeyId("acme", "user-1"), *first);
  EXPECT_NE(*vault_->KeyId("acme", "user-2"), *first);
  EXPECT_NE(*vault_->KeyId("globex", "user-1"), *first);
  EXPECT_NE(*vault_->KeyId("acme", ""), *first);  // the tenant's own key
}

TEST_F(ContentVaultTest, ErasedSubjectsContentCanNeverBeOpened) {
  const std::string sealed = Seal("acme", "user-1", "secret");
  const std::string key_id = *vault_->KeyId("acme", "user-1");
  core::Result<std::string> erased = vault_->EraseSubject("acme", "user-1");
  ASSERT_TRUE(erased);
  EXPECT_EQ(*erased, key_id);
  core::Result<std::string> opened = vault_->Open("acme", sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), core::ErrorCode::kNotFound);
  // A fresh vault (no cache) cannot either.
  SqliteContentVault fresh(*database_, TestMasterKey());
  EXPECT_EQ(fresh.Open("acme", sealed).error().code(), core::ErrorCode::kNotFound);
  // A new key replaces the erased one: the subject can be sealed for again.
  EXPECT_NE(*vault_->KeyId("acme", "user-1"), key_id);
  EXPECT_EQ(*vault_->EraseSubject("acme", "nobody"), "");
}

TEST_F(ContentVaultTest, TamperedContentIsRefused) {
  std::string sealed = Seal("acme", "user-1", "secret");
  sealed.back() ^= 0x01;
  core::Result<std::string> opened = vault_->Open("acme", sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), core::ErrorCode::kInternal);
  EXPECT_EQ(vault_->Open("acme", "\x02garbage").error().code(), core::ErrorCode::kInternal);
  EXPECT_EQ(vault_->Open("acme", "").error().code(), core::ErrorCode::kInternal);
}

TEST_F(ContentVaultTest, AnotherTenantsContentIsRefused) {
  const std::string sealed = Seal("acme", "user-1", "secret");
  core::Result<std::string> opened = vault_->Open("globex", sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), core::ErrorCode::kInternal);
  vault_->ForgetAll();  // and from the database, not only the cache
  EXPECT_EQ(vault_->Open("globex", sealed).error().code(), core::ErrorCode::kInternal);
}

TEST_F(ContentVaultTest, AnotherMasterKeyCannotUnwrapTheKeys) {
  const std::string sealed = Seal("acme", "user-1", "secret");
  MasterKey other = TestMasterKey();
  other[0] ^= 0xff;
  SqliteContentVault stranger(*database_, other);
  EXPECT_EQ(stranger.Open("acme", sealed).error().code(), core::ErrorCode::kInternal);
}

TEST_F(ContentVaultTest, TheStoredKeyIsWrappedUnderTheMasterKeyNotInTheClear) {
  const std::string sealed = Seal("acme", "user-1", "secret content");
  const std::string key_id = *vault_->KeyId("acme", "user-1");
  const std::string wrapped = WrappedKey(key_id);
  ASSERT_EQ(wrapped.size(), 24u + 32u + 16u);  // nonce || key || tag

  // Unwrap independently, from the format in docs/AUDIT.md.
  ASSERT_GE(sodium_init(), 0);
  const MasterKey master = TestMasterKey();
  const std::string wrap_ad = "strata.subject-key.v1|acme|" + key_id;
  std::array<unsigned char, 32> data_key{};
  unsigned long long length = 0;
  const auto* w = reinterpret_cast<const unsigned char*>(wrapped.data());
  ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_decrypt(
                data_key.data(), &length, nullptr, w + 24, wrapped.size() - 24,
                reinterpret_cast<const unsigned char*>(wrap_ad.data()), wrap_ad.size(), w, master.data()),
            0);
  ASSERT_EQ(length, 32u);
  // The data key opens the content...
  ASSERT_EQ(static_cast<std::size_t>(static_cast<unsigned char>(sealed[1])), key_id.size());
  const std::size_t box = 2 + key_id.size();
  const auto* s = reinterpret_cast<const unsigned char*>(sealed.data()) + box;
  std::string plain(sealed.size() - box - 24 - 16, '\0');
  const std::string content_ad = "strata.content.v1|acme|" + key_id;
  ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_decrypt(
                reinterpret_cast<unsigned char*>(plain.data()), &length, nullptr, s + 24, sealed.size() - box - 24,
                reinterpret_cast<const unsigned char*>(content_ad.data()), content_ad.size(), s, data_key.data()),
            0);
  EXPECT_EQ(plain, "secret content");
  // ...and appears nowhere in the stored row.
  EXPECT_EQ(wrapped.find(std::string(data_key.begin(), data_key.end())), std::string::npos);
}

TEST(MasterKeyFileTest, IsCreatedPrivateOnFirstUseAndReadBackTheSame) {
  TempDir dir;
  const std::string path = dir.File("content.key");
  core::Result<MasterKey> created = LoadOrCreateMasterKey(path);
  ASSERT_TRUE(created) << created.error().message();
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  core::Result<MasterKey> again = LoadOrCreateMasterKey(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *created);
}

TEST(MasterKeyFileTest, AcceptsRawOrBase64AndRefusesAnythingElse) {
  TempDir dir;
  auto write = [&](const std::string& name, const std::string& content, mode_t mode = 0600) {
    const std::string path = dir.File(name);
    std::ofstream(path, std::ios::binary) << content;
    ::chmod(path.c_str(), mode);
    return path;
  };
  const std::string raw(32, 'k');
  ASSERT_TRUE(LoadOrCreateMasterKey(write("raw", raw)));
  core::Result<MasterKey> base64 = LoadOrCreateMasterKey(write("b64", audit::Base64Encode(raw) + "\n"));
  ASSERT_TRUE(base64);
  EXPECT_EQ(*base64, *LoadOrCreateMasterKey(dir.File("raw")));
  for (const std::string& bad : {std::string(31, 'k'), std::string(33, 'k'), audit::Base64Encode(std::string(16, 'k')),
                                 std::string("not base64 at all, and not 32 bytes")}) {
    core::Result<MasterKey> refused = LoadOrCreateMasterKey(write("bad", bad));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("exactly 32 bytes"), std::string::npos);
    EXPECT_EQ(refused.error().message().find(bad), std::string::npos);  // never quoted
  }
  EXPECT_FALSE(LoadOrCreateMasterKey(write("open", raw, 0644)));
}

}  // namespace
}  // namespace strata::store::sqlite

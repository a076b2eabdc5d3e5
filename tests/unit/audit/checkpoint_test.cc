#include "audit/checkpoint.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace strata::audit {
namespace {

Checkpoint SignedCheckpoint(const SigningKey& key) {
  ChainWriter writer;
  writer.Append("acme", "one").value();
  return MakeCheckpoint(key, "acme", *writer.Head("acme"), 1'700'000'000'000);
}

TEST(CheckpointTest, SignatureVerifiesAndCoversEveryField) {
  const SigningKey key = SigningKey::Generate();
  const Checkpoint good = SignedCheckpoint(key);
  EXPECT_TRUE(CheckpointSignatureValid(good));
  EXPECT_EQ(good.key, key.public_key());

  Checkpoint changed = good;
  changed.tenant = "acmf";
  EXPECT_FALSE(CheckpointSignatureValid(changed));
  changed = good;
  changed.seq = 2;
  EXPECT_FALSE(CheckpointSignatureValid(changed));
  changed = good;
  changed.hash[0] ^= 1;
  EXPECT_FALSE(CheckpointSignatureValid(changed));
  changed = good;
  changed.time_ms += 1;
  EXPECT_FALSE(CheckpointSignatureValid(changed));
  changed = good;
  changed.key = SigningKey::Generate().public_key();
  EXPECT_FALSE(CheckpointSignatureValid(changed));
}

TEST(CheckpointTest, JsonRoundTrips) {
  const Checkpoint checkpoint = SignedCheckpoint(SigningKey::Generate());
  const boost::json::object json = CheckpointToJson(checkpoint);
  EXPECT_EQ(json.at("hash").as_string(), ToHex(checkpoint.hash));
  EXPECT_EQ(CheckpointFromJson(json).value(), checkpoint);
}

TEST(CheckpointTest, JsonRefusesMissingWrongAndExtraFieldsNamingThem) {
  const boost::json::object good = CheckpointToJson(SignedCheckpoint(SigningKey::Generate()));
  auto param_of = [](const boost::json::object& object) {
    auto parsed = CheckpointFromJson(object);
    return parsed ? std::string("(accepted)") : parsed.error().param();
  };
  boost::json::object changed = good;
  changed.erase("signature");
  EXPECT_EQ(param_of(changed), "signature");
  changed = good;
  changed["seq"] = 0;
  EXPECT_EQ(param_of(changed), "seq");
  changed = good;
  changed["seq"] = "1";
  EXPECT_EQ(param_of(changed), "seq");
  changed = good;
  changed["key"] = Base64Encode("short");
  EXPECT_EQ(param_of(changed), "key");
  changed = good;
  changed["hash"] = "zz";
  EXPECT_EQ(param_of(changed), "hash");
  changed = good;
  changed["note"] = "trust me";
  EXPECT_EQ(param_of(changed), "note");
}

TEST(SigningKeyTest, TheSameSeedGivesTheSameKey) {
  const std::string seed(32, '\x07');
  const SigningKey a = SigningKey::FromSeed(seed).value();
  const SigningKey b = SigningKey::FromSeed(seed).value();
  EXPECT_EQ(a.public_key(), b.public_key());
  EXPECT_EQ(a.Sign("m"), b.Sign("m"));  // Ed25519 is deterministic
  EXPECT_FALSE(SigningKey::FromSeed(std::string(31, 'x')));
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("strata-audit-key-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "node.key").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(KeyFileTest, SavesWithMode600AndLoadsTheSameKey) {
  const SigningKey key = SigningKey::Generate();
  ASSERT_TRUE(SaveNewKeyFile(key, path_));
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  const SigningKey loaded = LoadKeyFile(path_).value();
  EXPECT_EQ(loaded.public_key(), key.public_key());
}

TEST_F(KeyFileTest, NeverOverwritesAnExistingKey) {
  ASSERT_TRUE(SaveNewKeyFile(SigningKey::Generate(), path_));
  EXPECT_FALSE(SaveNewKeyFile(SigningKey::Generate(), path_));
}

TEST_F(KeyFileTest, RefusesAFileOthersCanReadWithoutQuotingIt) {
  ASSERT_TRUE(SaveNewKeyFile(SigningKey::Generate(), path_));
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  auto loaded = LoadKeyFile(path_);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("chmod 600"), std::string::npos);
}

TEST_F(KeyFileTest, RefusesContentThatIsNotOneSeedWithoutQuotingIt) {
  {
    std::ofstream out(path_);
    out << "c2VjcmV0LWJ1dC1ub3QtYS1rZXk=\n";
  }
  ASSERT_EQ(::chmod(path_.c_str(), 0600), 0);
  auto loaded = LoadKeyFile(path_);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message().find("c2Vjc"), std::string::npos);
  EXPECT_FALSE(LoadKeyFile((dir_ / "absent").string()));
}

}  // namespace
}  // namespace strata::audit

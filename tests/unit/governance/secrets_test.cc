#include "governance/secrets.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace strata::governance {
namespace {

TEST(SecretsTest, MintedKeysHaveTheDocumentedShape) {
  const MintedKey key = MintKey();
  ASSERT_EQ(key.secret.size(), 53u);
  EXPECT_TRUE(key.secret.starts_with("sk-strata-"));
  const std::string body = key.secret.substr(10);
  EXPECT_EQ(body.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"), std::string::npos)
      << body;
  EXPECT_EQ(key.prefix, key.secret.substr(0, 16));
  EXPECT_EQ(key.digest_hex, KeyDigest(key.secret));
  EXPECT_EQ(key.digest_hex.size(), 64u);
  EXPECT_EQ(key.digest_hex.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(SecretsTest, MintedKeysAreUniqueAndUseTheWholeAlphabet) {
  std::set<std::string> secrets;
  std::set<char> characters;
  for (int i = 0; i < 2000; ++i) {
    const MintedKey key = MintKey();
    secrets.insert(key.secret);
    characters.insert(key.secret.begin() + 10, key.secret.end());
  }
  EXPECT_EQ(secrets.size(), 2000u);
  EXPECT_EQ(characters.size(), 62u);  // 86,000 draws: every character shows up
}

TEST(SecretsTest, DigestIsSha256Hex) {
  EXPECT_EQ(KeyDigest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(KeyDigest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SecretsTest, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
}

TEST(SecretsTest, PasswordHashesVerifyOnlyTheRightPassword) {
  core::Result<std::string> hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash) << hash.error().message();
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_EQ(hash->find("correct"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery stapler"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(VerifyPassword("", "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "correct horse battery staple"));

  // Salted: the same password hashes differently each time.
  core::Result<std::string> again = HashPassword("correct horse battery staple");
  ASSERT_TRUE(again);
  EXPECT_NE(*hash, *again);
  EXPECT_EQ(HashPassword("").error().code(), core::ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace strata::governance

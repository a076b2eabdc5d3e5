#include "audit/chain.h"

#include <gtest/gtest.h>

namespace strata::audit {
namespace {

TEST(EntryHashTest, MatchesTheDocumentedLayoutComputedIndependently) {
  // The vectors in docs/AUDIT.md, computed with Python's hashlib and struct
  // from the written layout, not from this code.
  const Digest first = EntryHash("acme", 1, kGenesisHash, Sha256("hello"));
  EXPECT_EQ(ToHex(first), "21c3f3240a5ef820b837fac8171bd45c2b155fa90e527ed1949fa93c49739960");
  const Digest second = EntryHash("acme", 2, first, Sha256(""));
  EXPECT_EQ(ToHex(second), "f4fae7509d5de474c039d6933feb39ae4d5416531e781e21b147e00e1ff0e3e6");
}

TEST(EntryHashTest, EveryFieldChangesTheHash) {
  const Digest base = EntryHash("acme", 7, kGenesisHash, Sha256("x"));
  Digest other_prev = kGenesisHash;
  other_prev[31] = 1;
  EXPECT_NE(EntryHash("acmf", 7, kGenesisHash, Sha256("x")), base);
  EXPECT_NE(EntryHash("acme", 8, kGenesisHash, Sha256("x")), base);
  EXPECT_NE(EntryHash("acme", 7, other_prev, Sha256("x")), base);
  EXPECT_NE(EntryHash("acme", 7, kGenesisHash, Sha256("y")), base);
}

TEST(ChainWriterTest, NumbersEachTenantFromOneAndLinksEachEntryToThePrevious) {
  ChainWriter writer;
  const Entry a1 = writer.Append("a", "one").value();
  const Entry b1 = writer.Append("b", "uno").value();
  const Entry a2 = writer.Append("a", "two").value();

  EXPECT_EQ(a1.seq, 1u);
  EXPECT_EQ(b1.seq, 1u);
  EXPECT_EQ(a2.seq, 2u);
  EXPECT_EQ(a1.prev_hash, kGenesisHash);
  EXPECT_EQ(b1.prev_hash, kGenesisHash);
  EXPECT_EQ(a2.prev_hash, a1.hash);
  EXPECT_EQ(a2.hash, EntryHash("a", 2, a1.hash, Sha256("two")));
  EXPECT_EQ(*a2.stored, "two");
  EXPECT_EQ(writer.Head("a"), (ChainHead{2, a2.hash}));
  EXPECT_FALSE(writer.Head("c"));
}

TEST(ChainWriterTest, ResumesFromAHeadReadBackFromTheStore) {
  ChainWriter first;
  first.Append("a", "one").value();
  const ChainHead head = *first.Head("a");

  ChainWriter restarted;
  restarted.Resume("a", head);
  const Entry next = restarted.Append("a", "two").value();
  EXPECT_EQ(next.seq, 2u);
  EXPECT_EQ(next.prev_hash, head.hash);
}

TEST(ChainWriterTest, RefusesAnEmptyOrOversizedTenant) {
  ChainWriter writer;
  EXPECT_FALSE(writer.Append("", "x"));
  EXPECT_FALSE(writer.Append(std::string(kMaxTenantBytes + 1, 't'), "x"));
  EXPECT_TRUE(writer.Append(std::string(kMaxTenantBytes, 't'), "x"));
}

TEST(KeepOnlyDigestTest, KeepsTheStoredDigestSoTheHashStillHolds) {
  ChainWriter writer;
  Entry entry = writer.Append("a", "ciphertext").value();
  KeepOnlyDigest(entry);
  EXPECT_FALSE(entry.stored);
  EXPECT_EQ(entry.stored_digest, Sha256("ciphertext"));
  EXPECT_EQ(EntryHash(entry.tenant, entry.seq, entry.prev_hash, StoredDigest(entry)), entry.hash);
}

TEST(DigestTest, HexHasOneSpelling) {
  const Digest digest = Sha256("hello");
  EXPECT_EQ(DigestFromHex(ToHex(digest)), digest);
  std::string upper = ToHex(digest);
  upper[0] = 'A';
  upper[1] = 'B';
  EXPECT_FALSE(DigestFromHex(upper));
  EXPECT_FALSE(DigestFromHex(ToHex(digest).substr(1)));
  EXPECT_FALSE(DigestFromHex(ToHex(digest) + "0"));
}

TEST(DigestTest, Base64IsStrict) {
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_EQ(Base64Decode("aGVsbG8="), "hello");
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_FALSE(Base64Decode("aGVsbG8"));     // no padding
  EXPECT_FALSE(Base64Decode("aGVs bG8="));   // whitespace
  EXPECT_FALSE(Base64Decode("aGVsbG9="));    // non-zero leftover bits
  EXPECT_FALSE(Base64Decode("a-_sbG8="));    // url-safe alphabet
}

}  // namespace
}  // namespace strata::audit

#include "audit/verifier.h"

#include <gtest/gtest.h>

#include "unit/audit/audit_fixture.h"

namespace strata::audit {
namespace {

using testing::AuditFixture;

class VerifierTest : public ::testing::Test {
 protected:
  VerifyReport Run() const { return Verify(history_.entries, history_.checkpoints, history_.trusted); }

  // Checks the report names exactly this first broken link.
  static void ExpectBreak(const VerifyReport& report, BreakKind kind, const std::string& tenant, std::uint64_t seq,
                          std::uint64_t position) {
    ASSERT_FALSE(report.ok());
    const ChainBreak& found = *report.first_break;
    EXPECT_EQ(BreakKindName(found.kind), BreakKindName(kind)) << found.message;
    EXPECT_EQ(found.tenant, tenant) << found.message;
    EXPECT_EQ(found.seq, seq) << found.message;
    EXPECT_EQ(found.position, position) << found.message;
    EXPECT_NE(found.message.find("tenant " + tenant), std::string::npos) << found.message;
  }

  AuditFixture history_;
};

TEST_F(VerifierTest, AnUntouchedHistoryVerifies) {
  const VerifyReport report = Run();
  ASSERT_TRUE(report.ok()) << report.first_break->message;
  EXPECT_EQ(report.entries, 50u);
  EXPECT_EQ(report.checkpoints, 9u);
  EXPECT_EQ(report.heads.at("acme").seq, 17u);
  EXPECT_EQ(report.heads.at("beta").seq, 17u);
  EXPECT_EQ(report.heads.at("gamma").seq, 16u);
  EXPECT_EQ(report.heads.at("gamma").hash, history_.entries[history_.IndexOf("gamma", 16)].hash);
}

TEST_F(VerifierTest, AnEditedStoredByteIsAHashMismatchAtThatEntry) {
  const std::size_t index = history_.IndexOf("beta", 7);
  (*history_.entries[index].stored)[3] ^= 0x01;
  ExpectBreak(Run(), BreakKind::kHashMismatch, "beta", 7, index);
}

TEST_F(VerifierTest, AnEditedRecordedHashBreaksTheNextLink) {
  // Recomputing an edited entry's own hash only moves the break one link on.
  const std::size_t index = history_.IndexOf("beta", 7);
  Entry& edited = history_.entries[index];
  *edited.stored = "rewritten";
  edited.hash = EntryHash(edited.tenant, edited.seq, edited.prev_hash, StoredDigest(edited));
  ExpectBreak(Run(), BreakKind::kPrevHashMismatch, "beta", 8, history_.IndexOf("beta", 8));
}

TEST_F(VerifierTest, ADeletedEntryIsASeqGapNamingTheMissingSeq) {
  const std::size_t index = history_.IndexOf("acme", 12);
  history_.entries.erase(history_.entries.begin() + static_cast<std::ptrdiff_t>(index));
  // acme 13 now sits where acme 12 would have been found.
  ExpectBreak(Run(), BreakKind::kSeqGap, "acme", 12, history_.IndexOf("acme", 13));
}

TEST_F(VerifierTest, TwoSwappedEntriesAreAReorder) {
  const std::size_t eighth = history_.IndexOf("acme", 8);
  const std::size_t ninth = history_.IndexOf("acme", 9);
  std::swap(history_.entries[eighth], history_.entries[ninth]);
  // acme 9 now comes first, at acme 8's old place, and 8 shows up after it.
  ExpectBreak(Run(), BreakKind::kSeqBackwards, "acme", 9, eighth);
}

TEST_F(VerifierTest, AnEntryMovedBackwardsIsAReorder) {
  // acme 3 moved after acme 6: the chain jumps 2 -> 4, then 3 shows up late.
  const std::size_t third = history_.IndexOf("acme", 3);
  Entry moved = history_.entries[third];
  history_.entries.erase(history_.entries.begin() + static_cast<std::ptrdiff_t>(third));
  history_.entries.insert(history_.entries.begin() + static_cast<std::ptrdiff_t>(history_.IndexOf("acme", 6)) + 1,
                          moved);
  ExpectBreak(Run(), BreakKind::kSeqBackwards, "acme", 4, history_.IndexOf("acme", 4));
}

TEST_F(VerifierTest, AForgedEntryWithARecomputedHashButWrongPrevIsCaught) {
  // The forger numbers it as the next entry and hashes it correctly, but
  // cannot link it to the real previous entry without rewriting everything.
  const std::size_t after = history_.IndexOf("gamma", 4);
  Entry forged;
  forged.tenant = "gamma";
  forged.seq = 5;
  forged.stored = "forged";
  forged.prev_hash = Sha256("not the real entry 4");
  forged.hash = EntryHash(forged.tenant, forged.seq, forged.prev_hash, StoredDigest(forged));
  history_.entries.insert(history_.entries.begin() + static_cast<std::ptrdiff_t>(after) + 1, forged);
  ExpectBreak(Run(), BreakKind::kPrevHashMismatch, "gamma", 5, after + 1);
}

TEST_F(VerifierTest, AForgedEntryThatLinksCorrectlyMakesTheRealOneADuplicate) {
  const std::size_t after = history_.IndexOf("gamma", 4);
  Entry forged;
  forged.tenant = "gamma";
  forged.seq = 5;
  forged.stored = "forged";
  forged.prev_hash = history_.entries[after].hash;
  forged.hash = EntryHash(forged.tenant, forged.seq, forged.prev_hash, StoredDigest(forged));
  const std::size_t real = history_.IndexOf("gamma", 5);
  history_.entries.insert(history_.entries.begin() + static_cast<std::ptrdiff_t>(after) + 1, forged);
  // The forged one took the real entry 5's place; the real one, now second, is the duplicate.
  ExpectBreak(Run(), BreakKind::kDuplicateSeq, "gamma", 5, real + 1);
}

TEST_F(VerifierTest, ATailTruncatedAfterACheckpointIsCaughtByTheCheckpoint) {
  // gamma's entries 13 to 16 go; its checkpoint at 15 still says they existed.
  std::erase_if(history_.entries, [](const Entry& e) { return e.tenant == "gamma" && e.seq > 12; });
  ExpectBreak(Run(), BreakKind::kCheckpointBeyondChain, "gamma", 15, history_.CheckpointIndexOf("gamma", 15));
}

TEST_F(VerifierTest, AChainRewrittenFromAnEditOnIsCaughtByTheNextCheckpoint) {
  // The forger edits beta 3 and re-hashes every later beta entry, so every
  // link holds; only the signed checkpoint at beta 5 still has the old hash.
  ChainWriter rewriter;
  for (Entry& entry : history_.entries) {
    if (entry.tenant != "beta") continue;
    std::string stored = entry.seq == 3 ? std::string("edited") : *entry.stored;
    entry = rewriter.Append("beta", std::move(stored)).value();
  }
  ExpectBreak(Run(), BreakKind::kCheckpointHashMismatch, "beta", 5, history_.CheckpointIndexOf("beta", 5));
}

TEST_F(VerifierTest, AForgedCheckpointSignatureIsCaught) {
  const std::size_t index = history_.CheckpointIndexOf("acme", 10);
  history_.checkpoints[index].signature[10] ^= 0x40;
  ExpectBreak(Run(), BreakKind::kCheckpointBadSignature, "acme", 10, index);
}

TEST_F(VerifierTest, ACheckpointMovedToAnotherSeqFailsItsSignature) {
  const std::size_t index = history_.CheckpointIndexOf("acme", 10);
  history_.checkpoints[index].seq = 11;
  history_.checkpoints[index].hash = history_.entries[history_.IndexOf("acme", 11)].hash;
  ExpectBreak(Run(), BreakKind::kCheckpointBadSignature, "acme", 11, index);
}

TEST_F(VerifierTest, ACheckpointSignedByAnUnknownKeyIsCaught) {
  // Validly signed, by a key the verifier was not told to trust.
  const SigningKey stranger = SigningKey::Generate();
  const std::size_t index = history_.CheckpointIndexOf("gamma", 10);
  const Entry& tenth = history_.entries[history_.IndexOf("gamma", 10)];
  history_.checkpoints[index] = MakeCheckpoint(stranger, "gamma", {tenth.seq, tenth.hash}, 1);
  ExpectBreak(Run(), BreakKind::kCheckpointUnknownKey, "gamma", 10, index);
}

TEST_F(VerifierTest, CheckpointsFromEveryTrustedKeyVerifyAcrossAKeyRotation) {
  const SigningKey next = SigningKey::Generate();
  const Entry& last = history_.entries[history_.IndexOf("acme", 17)];
  history_.checkpoints.push_back(MakeCheckpoint(next, "acme", {last.seq, last.hash}, 2));
  EXPECT_FALSE(Run().ok());
  history_.trusted.push_back(next.public_key());
  EXPECT_TRUE(Run().ok());
}

TEST_F(VerifierTest, TheFirstBrokenLinkInInputOrderIsReported) {
  (*history_.entries[history_.IndexOf("gamma", 2)].stored)[0] ^= 1;
  (*history_.entries[history_.IndexOf("acme", 9)].stored)[0] ^= 1;
  history_.checkpoints[0].signature[0] ^= 1;
  ExpectBreak(Run(), BreakKind::kHashMismatch, "gamma", 2, history_.IndexOf("gamma", 2));
}

TEST_F(VerifierTest, AChainThatDoesNotStartAtOneIsMissingItsHead) {
  history_.entries.erase(history_.entries.begin());  // acme 1
  ExpectBreak(Run(), BreakKind::kSeqGap, "acme", 1, 2);
}

TEST_F(VerifierTest, SeqZeroIsRefusedForEntriesAndCheckpoints) {
  AuditFixture fresh;
  fresh.entries[0].seq = 0;
  const VerifyReport entry_report = Verify(fresh.entries, fresh.checkpoints, fresh.trusted);
  ExpectBreak(entry_report, BreakKind::kSeqBackwards, "acme", 0, 0);

  history_.checkpoints.push_back(MakeCheckpoint(history_.key, "delta", {0, kGenesisHash}, 1));
  history_.checkpoints.push_back(MakeCheckpoint(history_.key, "acme", {0, kGenesisHash}, 1));
  ExpectBreak(Run(), BreakKind::kCheckpointHashMismatch, "delta", 0, history_.checkpoints.size() - 2);
}

TEST_F(VerifierTest, AnErasedHistoryStillVerifies) {
  // Crypto-shredding keeps the ciphertext, which verifies unchanged; a purge
  // or an export after erasure keeps only its digest, which verifies the same.
  for (Entry& entry : history_.entries) {
    if (entry.tenant == "beta" || entry.seq % 4 == 0) KeepOnlyDigest(entry);
  }
  const VerifyReport report = Run();
  EXPECT_TRUE(report.ok()) << report.first_break->message;
}

TEST_F(VerifierTest, AnErasedEntryWithAWrongDigestIsStillAnEdit) {
  const std::size_t index = history_.IndexOf("beta", 4);
  KeepOnlyDigest(history_.entries[index]);
  history_.entries[index].stored_digest[0] ^= 1;
  ExpectBreak(Run(), BreakKind::kHashMismatch, "beta", 4, index);
}

}  // namespace
}  // namespace strata::audit

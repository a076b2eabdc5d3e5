#pragma once

#include <array>
#include <string>
#include <vector>

#include "audit/chain.h"
#include "audit/checkpoint.h"
#include "audit/signing_key.h"

namespace strata::audit::testing {

// A realistic history: 50 entries over three tenants, interleaved as a busy
// gateway writes them, with a checkpoint signed every 5 entries of each
// tenant. acme and beta get 17 entries each, gamma 16.
struct AuditFixture {
  SigningKey key = SigningKey::Generate();
  std::vector<Entry> entries;
  std::vector<Checkpoint> checkpoints;
  std::vector<PublicKey> trusted{key.public_key()};

  AuditFixture() {
    const std::array<std::string, 3> tenants = {"acme", "beta", "gamma"};
    ChainWriter writer;
    for (int i = 0; i < 50; ++i) {
      const std::string& tenant = tenants[i % 3];
      // Stands in for a ciphertext: opaque bytes, NULs included.
      std::string stored = "sealed\0record " + std::to_string(i);
      stored[6] = '\0';
      entries.push_back(writer.Append(tenant, std::move(stored)).value());
      if (entries.back().seq % 5 == 0) {
        checkpoints.push_back(MakeCheckpoint(key, tenant, *writer.Head(tenant), 1'700'000'000'000 + i));
      }
    }
  }

  // The index of `tenant`'s entry `seq` in `entries`.
  std::size_t IndexOf(const std::string& tenant, std::uint64_t seq) const {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].tenant == tenant && entries[i].seq == seq) return i;
    }
    return entries.size();
  }
  std::size_t CheckpointIndexOf(const std::string& tenant, std::uint64_t seq) const {
    for (std::size_t i = 0; i < checkpoints.size(); ++i) {
      if (checkpoints[i].tenant == tenant && checkpoints[i].seq == seq) return i;
    }
    return checkpoints.size();
  }
};

}  // namespace strata::audit::testing

#pragma once

#include "store/policy_store.h"

namespace strata::store::sqlite {

class Database;

// PolicyStore over the policy_versions table of migration 5.
//
// Thread-safe: calls are serialized on the Database's connection. Blocking.
class SqlitePolicyStore final : public PolicyStore {
 public:
  // `database` must outlive this object and be migrated to version >= 5.
  explicit SqlitePolicyStore(Database& database) : database_(database) {}

  core::Result<PolicyVersion> Put(std::string_view scope, std::string_view source, std::string_view created_by,
                                  std::int64_t now_ms) override;
  core::Result<std::optional<PolicyVersion>> Latest(std::string_view scope) override;
  core::Result<std::vector<PolicyVersion>> LatestOfEveryScope() override;
  core::Result<Page<PolicyVersion>> List(std::string_view scope, std::int64_t before_version, int limit) override;
  core::Result<std::optional<PolicyVersion>> Get(std::string_view scope, std::int64_t version) override;
  core::Result<std::int64_t> Fingerprint() override;

 private:
  Database& database_;
};

}  // namespace strata::store::sqlite

#include "store/sqlite/governance_sql.h"

#include <mutex>
#include <random>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "store/sqlite/governance_store.h"

namespace strata::store::sqlite {

namespace {

constexpr char kCrockford[] = "0123456789abcdefghjkmnpqrstvwxyz";

// Appends the low `chars` * 5 bits of `value`, most significant first.
void AppendBase32(std::string& out, std::uint64_t value, int chars) {
  for (int shift = (chars - 1) * 5; shift >= 0; shift -= 5) {
    out.push_back(kCrockford[(value >> shift) & 0x1f]);
  }
}

}  // namespace

std::string NewGovernanceId(std::string_view prefix, std::int64_t now_ms) {
  // The ULID "monotonic" rule: within the last millisecond used (or when the
  // clock went back), the random part of the previous id plus one.
  static std::mutex mutex;
  static std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  static std::uint64_t last_ms = 0;
  static std::uint64_t last_high = 0;  // 16 bits
  static std::uint64_t last_low = 0;   // 64 bits
  std::uint64_t ms = static_cast<std::uint64_t>(now_ms < 0 ? 0 : now_ms) & ((std::uint64_t{1} << 48) - 1);
  std::uint64_t high, low;
  {
    std::lock_guard lock(mutex);
    if (ms > last_ms) {
      high = generator() & 0xffff;
      low = generator();
    } else {
      ms = last_ms;
      high = last_high;
      low = last_low + 1;
      if (low == 0 && ++high > 0xffff) {  // 2^80 ids in one millisecond: move to the next one
        high = 0;
        ++ms;
      }
    }
    last_ms = ms;
    last_high = high;
    last_low = low;
  }
  std::string id;
  id.reserve(prefix.size() + 27);
  id.append(prefix);
  id.push_back('_');
  AppendBase32(id, ms, 10);
  // 80 random bits as 16 characters: the top 16 bits with the first 4 of low
  // (4 characters), then low's remaining 60 bits (12 characters).
  AppendBase32(id, (high << 4) | (low >> 60), 4);
  AppendBase32(id, low & ((std::uint64_t{1} << 60) - 1), 12);
  return id;
}

namespace governance_sql {

core::Result<TenantRow> ReadTenant(const Statement& s) {
  return TenantRow{
      .id = s.ColumnText(0),
      .name = s.ColumnText(1),
      .display_name = s.ColumnText(2),
      .metadata_json = s.ColumnText(3),
      .created_at_ms = s.ColumnInt64(4),
      .disabled = s.ColumnInt64(5) != 0,
  };
}

core::Result<TeamRow> ReadTeam(const Statement& s) {
  return TeamRow{
      .id = s.ColumnText(0),
      .tenant_id = s.ColumnText(1),
      .name = s.ColumnText(2),
      .metadata_json = s.ColumnText(3),
      .created_at_ms = s.ColumnInt64(4),
  };
}

core::Result<UserRow> ReadUser(const Statement& s) {
  return UserRow{
      .id = s.ColumnText(0),
      .tenant_id = s.ColumnText(1),
      .team_id = s.ColumnText(2),
      .kind = s.ColumnText(3),
      .email = s.ColumnText(4),
      .display_name = s.ColumnText(5),
      .role = s.ColumnText(6),
      .password_hash = s.ColumnText(7),
      .oidc_issuer = s.ColumnText(8),
      .oidc_subject = s.ColumnText(9),
      .created_at_ms = s.ColumnInt64(10),
      .disabled = s.ColumnInt64(11) != 0,
  };
}

core::Result<ApiKeyRow> ReadKey(const Statement& s) {
  ApiKeyRow row{
      .id = s.ColumnText(0),
      .tenant_id = s.ColumnText(1),
      .team_id = s.ColumnText(2),
      .owner_id = s.ColumnText(3),
      .name = s.ColumnText(4),
      .prefix = s.ColumnText(5),
      .digest_hex = s.ColumnText(6),
      .role = s.ColumnText(7),
      .allowed_models = {},
      .metadata_json = s.ColumnText(9),
      .created_at_ms = s.ColumnInt64(10),
      .expires_at_ms = s.ColumnInt64(11),
      .revoked_at_ms = s.ColumnInt64(12),
  };
  // Written by ModelsToJson only; anything else means the row was edited by
  // hand, and reading it as "every model" would widen the key.
  boost::system::error_code ec;
  const boost::json::value models = boost::json::parse(s.ColumnText(8), ec);
  if (ec || !models.is_array()) {
    return core::Error::Internal("store: key " + row.id + " has unreadable allowed_models");
  }
  for (const boost::json::value& model : models.get_array()) {
    if (!model.is_string()) {
      return core::Error::Internal("store: key " + row.id + " has unreadable allowed_models");
    }
    row.allowed_models.emplace_back(model.get_string());
  }
  return row;
}

core::Result<RateLimitRow> ReadRateLimit(const Statement& s) {
  return RateLimitRow{
      .id = s.ColumnText(0),
      .tenant_id = s.ColumnText(1),
      .scope_type = s.ColumnText(2),
      .scope_id = s.ColumnText(3),
      .requests_per_minute = s.ColumnInt64(4),
      .tokens_per_minute = s.ColumnInt64(5),
      .max_concurrent = s.ColumnInt64(6),
      .created_at_ms = s.ColumnInt64(7),
  };
}

core::Result<BudgetRow> ReadBudget(const Statement& s) {
  return BudgetRow{
      .id = s.ColumnText(0),
      .tenant_id = s.ColumnText(1),
      .scope_type = s.ColumnText(2),
      .scope_id = s.ColumnText(3),
      .period = s.ColumnText(4),
      .limit_nano_usd = s.ColumnInt64(5),
      .soft_ratio = s.ColumnDouble(6),
      .created_at_ms = s.ColumnInt64(7),
  };
}

Statement& BindOrNull(Statement& statement, int index, std::string_view value) {
  return value.empty() ? statement.BindNull(index) : statement.Bind(index, value);
}

core::Status CheckListQuery(const ListQuery& query) {
  if (query.limit < 1 || query.limit > 500) {
    return core::Error::InvalidRequest("limit must be between 1 and 500", "limit");
  }
  return {};
}

std::string ListSql(std::string_view table, std::string_view columns, std::initializer_list<Filter> filters,
                    std::string_view extra) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += " FROM ";
  sql += table;
  sql += " WHERE id > ?";
  for (const Filter& filter : filters) {
    if (!filter.value.empty()) {
      sql += " AND ";
      sql += filter.column;
      sql += " = ?";
    }
  }
  if (!extra.empty()) {
    sql += " AND ";
    sql += extra;
  }
  sql += " ORDER BY id LIMIT ?";
  return sql;
}

core::Status BumpVersion(Connection& connection) {
  core::Result<Statement> bump = connection.Prepare("UPDATE governance_version SET version = version + 1 WHERE id = 1");
  if (!bump) {
    return bump.error();
  }
  return bump->Run();
}

bool IsSlug(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

bool IsDay(std::string_view day) {
  if (day.size() != 10 || day[4] != '-' || day[7] != '-') {
    return false;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (day[i] < '0' || day[i] > '9') {
      return false;
    }
  }
  const int month = (day[5] - '0') * 10 + (day[6] - '0');
  const int day_of_month = (day[8] - '0') * 10 + (day[9] - '0');
  return month >= 1 && month <= 12 && day_of_month >= 1 && day_of_month <= 31;
}

core::Status CheckJsonObject(std::string_view json, std::string_view param) {
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(json, ec);
  if (ec || !value.is_object()) {
    return core::Error::InvalidRequest(std::string(param) + " must be a JSON object", std::string(param));
  }
  return {};
}

std::string ModelsToJson(const std::vector<std::string>& models) {
  boost::json::array array;
  for (const std::string& model : models) {
    array.emplace_back(model);
  }
  return boost::json::serialize(array);
}

bool IsScopeType(std::string_view scope_type) {
  return scope_type == "tenant" || scope_type == "team" || scope_type == "key";
}

core::Status CheckScope(Connection& connection, std::string_view tenant_id, std::string_view scope_type,
                        std::string_view scope_id) {
  if (!IsScopeType(scope_type)) {
    return core::Error::InvalidRequest("scope_type must be one of tenant, team, key", "scope_type");
  }
  core::Result<bool> found = true;
  if (scope_type == "tenant") {
    found = scope_id == tenant_id;
  } else if (scope_type == "team") {
    found = Exists(connection, "SELECT 1 FROM teams WHERE id = ?1 AND tenant_id = ?2", scope_id, tenant_id);
  } else {
    found = Exists(connection, "SELECT 1 FROM api_keys WHERE id = ?1 AND tenant_id = ?2", scope_id, tenant_id);
  }
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return core::Error::InvalidRequest(
        "no " + std::string(scope_type) + " '" + std::string(scope_id) + "' in tenant '" + std::string(tenant_id) + "'",
        "scope_id");
  }
  return {};
}

core::Status DeleteKeyScopedLimits(Connection& connection, std::string_view key_ids_sql, std::string_view arg) {
  for (std::string_view table : {"rate_limits", "budgets"}) {
    std::string sql = "DELETE FROM ";
    sql += table;
    sql += " WHERE scope_type = 'key' AND scope_id IN (";
    sql += key_ids_sql;
    sql += ")";
    core::Result<Statement> remove = connection.Prepare(sql);
    if (!remove) {
      return remove.error();
    }
    if (core::Status removed = remove->Bind(1, arg).Run(); !removed) {
      return removed.error();
    }
  }
  return {};
}

}  // namespace governance_sql
}  // namespace strata::store::sqlite

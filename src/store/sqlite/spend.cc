#include "store/sqlite/spend.h"

#include "store/sqlite/database.h"

namespace strata::store::sqlite {

core::Status UpsertSpend(Connection& connection, const SpendRow& row) {
  core::Result<Statement> upsert = connection.Prepare(
      "INSERT INTO spend_daily(tenant_id, team_id, key_id, model, day, requests, input_tokens, output_tokens, "
      "cost_nano_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(tenant_id, team_id, key_id, model, day) DO UPDATE SET "
      "requests = requests + excluded.requests, "
      "input_tokens = input_tokens + excluded.input_tokens, "
      "output_tokens = output_tokens + excluded.output_tokens, "
      "cost_nano_usd = cost_nano_usd + excluded.cost_nano_usd");
  if (!upsert) {
    return upsert.error();
  }
  return upsert->Bind(1, row.tenant_id)
      .Bind(2, row.team_id)
      .Bind(3, row.key_id)
      .Bind(4, row.model)
      .Bind(5, row.day)
      .Bind(6, row.requests)
      .Bind(7, row.input_tokens)
      .Bind(8, row.output_tokens)
      .Bind(9, row.cost_nano_usd)
      .Run();
}

}  // namespace strata::store::sqlite

#pragma once

#include <string_view>

namespace strata::pricing::internal {

// The text of src/pricing/prices.yaml as it was at build time.
std::string_view EmbeddedPricesYaml();

}  // namespace strata::pricing::internal

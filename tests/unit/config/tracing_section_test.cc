// The `tracing:` section (docs/TRACING.md): every TracingOptions field has a
// key, and mistakes come back as file:line errors.
#include <map>

#include <gtest/gtest.h>

#include "config/config.h"
#include "unit/config/load_string.h"

namespace strata::config {
namespace {

using std::chrono::milliseconds;
using Pairs = std::vector<std::pair<std::string, std::string>>;

using test::ErrorOf;
using test::Load;

TEST(TracingSectionTest, IsOffByDefault) {
  core::Result<Config> config = Load("");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_FALSE(config->tracing.enabled);
  EXPECT_EQ(config->tracing.sample_ratio, 1.0);
  EXPECT_FALSE(config->tracing.capture_content);
}

TEST(TracingSectionTest, ReadsEveryKey) {
  core::Result<Config> config = Load(R"(tracing:
  enabled: true
  endpoint: https://otel.example.com:4318
  headers:
    authorization: "Bearer ${OTLP_TOKEN}"
    x-scope: gateway
  verify_tls: false
  sample_ratio: 0.25
  parent_based: false
  capture_content: true
  max_content_length: 4KiB
  batch:
    max_size: 64
    max_delay: 250ms
    queue_size: 128
  export_timeout: 2s
  max_export_attempts: 3
  retry_initial_backoff: 100ms
  retry_max_backoff: 2s
  max_retry_after: 0s
  shutdown_timeout: 1500ms
  limits:
    max_attributes: 40
    max_events: 0
    max_attribute_length: 2048
  resource:
    service_name: edge-gateway
    service_version: 9.9.9
    host_name: node-1
    attributes:
      deployment.environment.name: prod
      cloud.region: eu-west-1
)",
                                     {{"OTLP_TOKEN", "s3cret"}});
  ASSERT_TRUE(config) << config.error().message();
  const tracing::TracingOptions& t = config->tracing;
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.endpoint, "https://otel.example.com:4318");
  EXPECT_EQ(t.headers, (Pairs{{"authorization", "Bearer s3cret"}, {"x-scope", "gateway"}}));
  EXPECT_FALSE(t.verify_tls);
  EXPECT_EQ(t.sample_ratio, 0.25);
  EXPECT_FALSE(t.parent_based);
  EXPECT_TRUE(t.capture_content);
  EXPECT_EQ(t.max_content_length, 4096u);
  EXPECT_EQ(t.max_batch_size, 64u);
  EXPECT_EQ(t.max_batch_delay, milliseconds(250));
  EXPECT_EQ(t.max_queue_size, 128u);
  EXPECT_EQ(t.export_timeout, milliseconds(2000));
  EXPECT_EQ(t.max_export_attempts, 3);
  EXPECT_EQ(t.retry_initial_backoff, milliseconds(100));
  EXPECT_EQ(t.retry_max_backoff, milliseconds(2000));
  EXPECT_EQ(t.max_retry_after, milliseconds(0));
  EXPECT_EQ(t.shutdown_timeout, milliseconds(1500));
  EXPECT_EQ(t.max_attributes, 40u);
  EXPECT_EQ(t.max_events, 0u);
  EXPECT_EQ(t.max_attribute_length, 2048u);
  EXPECT_EQ(t.service_name, "edge-gateway");
  EXPECT_EQ(t.service_version, "9.9.9");
  EXPECT_EQ(t.host_name, "node-1");
  EXPECT_EQ(t.resource_attributes,
            (Pairs{{"deployment.environment.name", "prod"}, {"cloud.region", "eu-west-1"}}));
}

TEST(TracingSectionTest, RefusesAnUnknownKeyWithASuggestion) {
  EXPECT_EQ(ErrorOf("tracing:\n  sample_rate: 0.5\n"),
            "strata.yaml:2: unknown key 'sample_rate' in 'tracing'; did you mean 'sample_ratio'?");
  EXPECT_EQ(ErrorOf("tracing:\n  batch:\n    max_sise: 5\n"),
            "strata.yaml:3: unknown key 'max_sise' in 'tracing.batch'; did you mean 'max_size'?");
}

TEST(TracingSectionTest, RefusesARatioOutsideZeroToOne) {
  EXPECT_EQ(ErrorOf("tracing:\n  sample_ratio: 1.5\n"),
            "strata.yaml:2: tracing.sample_ratio must be a number between 0 and 1, got '1.5'");
  EXPECT_EQ(ErrorOf("tracing:\n  sample_ratio: half\n"),
            "strata.yaml:2: tracing.sample_ratio must be a number between 0 and 1, got 'half'");
  EXPECT_TRUE(Load("tracing:\n  sample_ratio: 0\n"));
}

TEST(TracingSectionTest, RefusesAnEndpointThatIsNotAUrlWithoutQuotingIt) {
  EXPECT_EQ(ErrorOf("tracing:\n  enabled: true\n  endpoint: ${OTLP}\n")
                .rfind("strata.yaml:3: tracing.endpoint uses environment variable 'OTLP', which is not set", 0),
            0u);
  core::Result<Config> config =
      Load("tracing:\n  enabled: true\n  endpoint: ${OTLP}\n", {{"OTLP", "collector:4318-secret"}});
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message(),
            "strata.yaml:3: tracing.endpoint must be an http or https URL, such as http://127.0.0.1:4318");
}

TEST(TracingSectionTest, RefusesABatchLargerThanItsQueue) {
  EXPECT_EQ(ErrorOf("tracing:\n  batch:\n    max_size: 600\n    queue_size: 100\n"),
            "strata.yaml:3: tracing.batch.max_size must be at most tracing.batch.queue_size");
  EXPECT_EQ(ErrorOf("tracing:\n  batch:\n    queue_size: 100\n"),
            "strata.yaml:3: tracing.batch.queue_size must be at least tracing.batch.max_size");
}

TEST(TracingSectionTest, RefusesZerosWhereTheyMakeNoSense) {
  EXPECT_NE(ErrorOf("tracing:\n  export_timeout: 0s\n").find("strata.yaml:2: tracing.export_timeout must be a duration above zero"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tracing:\n  max_export_attempts: 0\n").find("strata.yaml:2: tracing.max_export_attempts must be an integer between 1"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tracing:\n  limits:\n    max_attributes: 0\n").find("strata.yaml:3: tracing.limits.max_attributes must be"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tracing:\n  batch:\n    max_delay: 5\n").find("must be a duration with a unit"), std::string::npos);
}

TEST(TracingSectionTest, RefusesABackoffCeilingBelowItsStart) {
  EXPECT_EQ(ErrorOf("tracing:\n  retry_initial_backoff: 10s\n  retry_max_backoff: 1s\n"),
            "strata.yaml:3: tracing.retry_max_backoff must be at least tracing.retry_initial_backoff");
}

TEST(TracingSectionTest, HeadersMustBeAMappingOfStrings) {
  EXPECT_EQ(ErrorOf("tracing:\n  headers: [a, b]\n"),
            "strata.yaml:2: tracing.headers must be a mapping of names to strings, not a list");
  EXPECT_EQ(ErrorOf("tracing:\n  headers:\n    x-a: {b: c}\n"),
            "strata.yaml:3: tracing.headers.x-a must be a string, not a mapping");
  EXPECT_EQ(ErrorOf("tracing:\n  resource:\n    attributes:\n      a: 1\n      a: 2\n"),
            "strata.yaml:5: duplicate key 'tracing.resource.attributes.a'");
  // An unset variable is named, never its would-be value.
  EXPECT_EQ(ErrorOf("tracing:\n  headers:\n    authorization: ${NOPE}\n")
                .rfind("strata.yaml:3: tracing.headers.authorization uses environment variable 'NOPE', which is not set",
                       0),
            0u);
}

}  // namespace
}  // namespace strata::config

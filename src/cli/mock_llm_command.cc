#include <iostream>

#include "cli/commands.h"
#include "cli/run_server.h"
#include "mock_llm/mock_llm.h"
#include "observability/log.h"

namespace strata::cli {
namespace {

struct MockLlmFlags {
  http::ServerOptions server;
  mock_llm::MockLlmOptions mock;
  std::string fault;
  std::string log_level = "info";
  int latency_ms = 0;
  int first_byte_delay_ms = 0;
  int chunk_delay_ms = 0;
  int stall_cap_ms = 300'000;
};

int RunMockLlm(MockLlmFlags& flags) {
  core::Result<mock_llm::FaultSpec> fault = mock_llm::ParseFaultSpec(flags.fault);
  if (!fault) {
    std::cerr << "--fault: " << fault.error().message() << '\n';
    return 2;
  }
  flags.mock.fault = *fault;
  flags.mock.latency = std::chrono::milliseconds(flags.latency_ms);
  flags.mock.first_byte_delay = std::chrono::milliseconds(flags.first_byte_delay_ms);
  flags.mock.chunk_delay = std::chrono::milliseconds(flags.chunk_delay_ms);
  flags.mock.stall_cap = std::chrono::milliseconds(flags.stall_cap_ms);
  // A stalled request must not hold shutdown for long.
  flags.server.shutdown_grace = std::chrono::seconds(2);

  observability::LogOptions log;
  log.level = flags.log_level;
  log.access_log = false;  // a benchmark target should not spend its time logging
  observability::InitLogging(log);
  auto options = std::make_shared<const mock_llm::MockLlmOptions>(flags.mock);
  http::Server server(flags.server, mock_llm::BuildMockLlmRouter(options));
  const int code = RunUntilSignalled(server, "mock-llm", flags.server);
  observability::ShutdownLogging();
  return code;
}

}  // namespace

void AddMockLlmCommand(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "mock-llm", "Run a fake OpenAI/Anthropic-compatible LLM vendor for tests and benchmarks (docs/MOCK_LLM.md)");
  auto flags = std::make_shared<MockLlmFlags>();
  flags->server.port = 4300;
  command->add_option("--host", flags->server.host, "Listen address")->capture_default_str();
  command->add_option("-p,--port", flags->server.port, "Listen port, 0 for any free port")->capture_default_str();
  command->add_option("--workers", flags->server.workers, "io threads, 0 for one per core")->capture_default_str();
  command->add_option("--tls-cert", flags->server.tls.cert_file, "PEM certificate chain: serve HTTPS");
  command->add_option("--tls-key", flags->server.tls.key_file, "PEM private key for --tls-cert");
  command->add_option("--latency-ms", flags->latency_ms, "Delay before every response head")->capture_default_str();
  command->add_option("--first-byte-delay-ms", flags->first_byte_delay_ms, "Delay before the first event (non-streamed answers wait it too)")
      ->capture_default_str();
  command->add_option("--chunk-delay-ms", flags->chunk_delay_ms, "Streams: delay between events")
      ->capture_default_str();
  command->add_option("--chunks", flags->mock.chunks, "Pieces each generated text is streamed in")
      ->capture_default_str();
  command->add_option("--fault", flags->fault, "Fault for every request, e.g. status:503 or reset (docs/MOCK_LLM.md)");
  command->add_option("--fault-ratio", flags->mock.fault_ratio, "Fraction of requests that get --fault")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_option("--fault-seed", flags->mock.fault_seed, "0: evenly spaced faults; else seeded random")
      ->capture_default_str();
  command->add_option("--embedding-dimensions", flags->mock.embedding_dimensions, "Default embedding size")
      ->capture_default_str();
  command->add_option("--stall-cap-ms", flags->stall_cap_ms, "How long the stall fault holds a request")
      ->capture_default_str();
  command->add_option("--models", flags->mock.models, "Models listed by GET /v1/models")->delimiter(',');
  command->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error, off")->capture_default_str();
  command->callback([flags] {
    const int code = RunMockLlm(*flags);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace strata::cli

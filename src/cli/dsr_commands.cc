// `strata dsr export|erase` (data-subject requests) and `strata retention run`
// (docs/PRIVACY.md). They open the same database as a running server (SQLite
// WAL, busy timeout), so the server keeps serving meanwhile. An erasure here
// reaches the server's key cache within its TTL (60 s).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "cli/commands.h"
#include "cli/store_access.h"
#include "core/clock.h"
#include "privacy/retention_job.h"
#include "privacy/review_hooks.h"
#include "privacy/subject_requests.h"
#include "store/store.h"

namespace strata::cli {
namespace {

struct DsrFlags : StoreFlags {
  std::string tenant;
  std::string subject;
  std::string out;
  bool yes = false;
  std::int64_t as_of_ms = 0;
};

// The tenant id records are kept under: a governed tenant's id, found by id
// or name; otherwise the text as given (e.g. the static keys' tenant).
std::string TenantId(store::GovernanceStore& db, const std::string& id_or_name) {
  std::optional<store::TenantRow> tenant = LookupTenant(db, id_or_name);
  return tenant ? tenant->id : id_or_name;
}

// Writes `text` to `path`, created or truncated, mode 0600 (an export holds
// personal data).
void WritePrivateFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) Fail(core::Error::Unavailable("cannot create " + path + ": " + std::strerror(errno)));
  const bool ok = ::fchmod(fd, 0600) == 0 &&
                  ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) Fail(core::Error::Unavailable("cannot write " + path));
}

void AddDsr(CLI::App& app) {
  CLI::App* dsr = app.add_subcommand("dsr", "Data-subject requests: export or erase what is held about an end user");
  dsr->require_subcommand(1);

  auto export_flags = std::make_shared<DsrFlags>();
  CLI::App* exporter = dsr->add_subcommand("export", "Print everything held about a subject, as JSON");
  exporter->add_option("subject", export_flags->subject, "the end user (the request's `user`, or the subject header)")
      ->required();
  exporter->add_option("--tenant", export_flags->tenant, "tenant id or name")->required();
  exporter->add_option("--out", export_flags->out, "write to this file (mode 0600) instead of stdout");
  AddStoreFlags(exporter, *export_flags);
  exporter->callback([export_flags] {
    const DsrFlags& flags = *export_flags;
    auto store = OpenStore(flags);
    const std::string tenant = TenantId(store->governance(), flags.tenant);
    privacy::SubjectRequests subjects(store->records(), nullptr, privacy::ReviewSubjectHooks(store->reviews()));
    const std::string text = boost::json::serialize(Must(subjects.Export(tenant, flags.subject, core::NowMs()))) + "\n";
    if (flags.out.empty()) {
      std::cout << text;
    } else {
      WritePrivateFile(flags.out, text);
      std::cerr << "exported to " << flags.out << '\n';
    }
  });

  auto erase_flags = std::make_shared<DsrFlags>();
  CLI::App* eraser = dsr->add_subcommand("erase", "Erase a subject: destroy its content key, delete its reviews");
  eraser->add_option("subject", erase_flags->subject, "the end user")->required();
  eraser->add_option("--tenant", erase_flags->tenant, "tenant id or name")->required();
  eraser->add_flag("--yes", erase_flags->yes, "confirm: the erasure cannot be undone");
  AddStoreFlags(eraser, *erase_flags);
  eraser->callback([erase_flags] {
    const DsrFlags& flags = *erase_flags;
    if (!flags.yes) {
      std::cerr << "error: erasing a subject cannot be undone; add --yes to erase it\n";
      throw CLI::RuntimeError(2);
    }
    auto store = OpenStore(flags);
    const std::string tenant = TenantId(store->governance(), flags.tenant);
    privacy::SubjectRequests subjects(store->records(), nullptr, privacy::ReviewSubjectHooks(store->reviews()));
    std::cout << boost::json::serialize(Must(subjects.Erase(tenant, flags.subject, core::NowMs()))) << '\n';
  });
}

void AddRetention(CLI::App& app) {
  CLI::App* retention = app.add_subcommand("retention", "Purge data past its retention");
  retention->require_subcommand(1);
  auto flags = std::make_shared<DsrFlags>();
  CLI::App* run = retention->add_subcommand("run", "Run the retention job once now and print the run");
  run->add_option("--as-of", flags->as_of_ms,
                  "UNIX_MS: purge as if it were this time (for testing and backfills); default: now");
  AddStoreFlags(run, *flags);
  run->callback([flags] {
    const config::Config config = LoadConfigFor(*flags);
    auto store = Must(store::Store::Open(config.store));
    privacy::RetentionJob job(store->records(), store->retention(), config.retention,
                              privacy::ReviewRetentionHooks(store->reviews()));
    const store::RetentionRun done = Must(job.RunOnce(flags->as_of_ms > 0 ? flags->as_of_ms : core::NowMs()));
    boost::json::object out;
    out["object"] = "retention_run";
    out["id"] = done.id;
    out["status"] = done.status;
    out["purged"] = boost::json::parse(done.purged_json);
    out["error"] = done.error.empty() ? boost::json::value(nullptr) : boost::json::value(done.error);
    std::cout << boost::json::serialize(out) << '\n';
    if (done.status != "ok") throw CLI::RuntimeError(1);
  });
}

}  // namespace

void AddDsrCommands(CLI::App& app) {
  AddDsr(app);
  AddRetention(app);
}

}  // namespace strata::cli

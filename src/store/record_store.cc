#include "store/record_store.h"

namespace strata::store {
namespace {

core::Error NoChain() { return core::Error::Internal("store: this record store keeps no audit chain"); }

}  // namespace

core::Result<std::vector<RecordSummary>> RecordStore::List(const RecordQuery&) { return NoChain(); }
core::Result<std::vector<ChainLink>> RecordStore::ListChain(std::string_view, std::uint64_t, std::size_t) {
  return NoChain();
}
core::Result<std::vector<audit::Checkpoint>> RecordStore::Checkpoints(std::string_view) { return NoChain(); }
core::Result<std::vector<ChainSummary>> RecordStore::Chains() { return NoChain(); }
core::Status RecordStore::AddCheckpoint(const audit::Checkpoint&) { return NoChain(); }
core::Result<std::vector<Record>> RecordStore::ExportSubject(std::string_view, std::string_view) { return NoChain(); }
core::Result<SubjectErasure> RecordStore::EraseSubject(std::string_view, std::string_view) { return NoChain(); }
core::Result<std::int64_t> RecordStore::PurgeContentBefore(std::string_view, std::int64_t) { return NoChain(); }
core::Result<std::int64_t> RecordStore::PurgeRecordsBefore(std::string_view, std::string_view, std::int64_t) {
  return NoChain();
}

}  // namespace strata::store

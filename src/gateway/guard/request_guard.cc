#include "gateway/guard/request_guard.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "gateway/guard/text_fields.h"

namespace strata::gateway {
namespace {

namespace json = boost::json;
using guardrails::EntityType;
using guardrails::Finding;
using guardrails::RedactionStyle;
using policy::Action;
using policy::Direction;

std::string_view EndpointName(core::ApiFormat format) {
  switch (format) {
    case core::ApiFormat::kOpenAiCompletions: return "completions";
    case core::ApiFormat::kOpenAiEmbeddings: return "embeddings";
    case core::ApiFormat::kAnthropicMessages: return "messages";
    case core::ApiFormat::kOpenAiChat: break;
  }
  return "chat";
}

Action ActionFor(const policy::Effect& effect, Direction direction, EntityType type) {
  const policy::ActionTable& table = direction == Direction::kInput ? effect.input : effect.output;
  return table[static_cast<int>(type)];
}

// Blocked findings are replaced too, so that nothing of them is released
// while the block is being decided.
RedactionStyle StyleFor(Action action) {
  switch (action) {
    case Action::kRedact:
    case Action::kBlock: return RedactionStyle::kPlaceholder;
    case Action::kMask: return RedactionStyle::kMask;
    case Action::kAllow:
    case Action::kFlag: break;
  }
  return RedactionStyle::kKeep;
}

json::array TextsJson(const std::vector<std::pair<std::string, std::string>>& texts) {
  json::array list;
  for (const auto& [path, text] : texts) list.push_back(json::object{{"path", path}, {"text", text}});
  return list;
}

}  // namespace

RequestGuard::RequestGuard(const guardrails::Scanner& scanner, std::shared_ptr<const policy::Policy> policy)
    : scanner_(scanner), policy_(std::move(policy)) {}

policy::RequestFacts RequestGuard::Facts() const {
  policy::RequestFacts facts;
  facts.tenant = tenant_;
  facts.team = team_;
  facts.key_id = key_id_;
  facts.model = model_;
  facts.endpoint = endpoint_;
  facts.metadata = metadata_;
  facts.estimated_cost_usd = estimated_cost_usd_;
  facts.input_findings = input_findings_;
  facts.output_findings = output_findings_;
  return facts;
}

policy::Action RequestGuard::ActionOf(const Located& found) const {
  return ActionFor(effect_, found.direction, found.finding.type);
}

void RequestGuard::Evaluate(bool output_pass) { effect_ = policy_->Evaluate(Facts(), output_pass); }

core::Status RequestGuard::CheckBlocked(Direction direction, std::size_t from) const {
  for (std::size_t i = from; i < located_.size(); ++i) {
    const Located& found = located_[i];
    if (found.direction != direction || ActionFor(effect_, direction, found.finding.type) != Action::kBlock) continue;
    const std::string where = direction == Direction::kInput ? "the request" : "the answer";
    return core::Error(core::ErrorCode::kPolicyBlocked,
                       where + " was blocked by policy: it contains " +
                           std::string(guardrails::EntityName(found.finding.type)) + " (" + found.path + ")");
  }
  return core::Status();
}

void RequestGuard::ApplyOutputStyles() {
  for (int type = 0; type < guardrails::kEntityTypeCount; ++type) {
    redactor_.SetStyle(static_cast<EntityType>(type), StyleFor(effect_.output[type]));
  }
}

bool RequestGuard::CountReplacements(Direction direction, std::span<const Finding> findings) {
  bool any = false;
  for (const Finding& finding : findings) {
    const RedactionStyle style = StyleFor(ActionFor(effect_, direction, finding.type));
    redacted_ += style == RedactionStyle::kPlaceholder ? 1 : 0;
    masked_ += style == RedactionStyle::kMask ? 1 : 0;
    any = any || style != RedactionStyle::kKeep;
  }
  return any;
}

bool RequestGuard::OutputChangesText() const {
  for (Action action : effect_.output) {
    if (StyleFor(action) != RedactionStyle::kKeep) return true;
  }
  return false;
}

core::Status RequestGuard::Inspect(core::Exchange& exchange, double estimated_cost_usd) {
  format_ = exchange.format;
  tenant_ = exchange.principal.tenant;
  team_ = exchange.principal.team;
  key_id_ = exchange.principal.key_id;
  model_ = exchange.model;
  endpoint_ = EndpointName(exchange.format);
  estimated_cost_usd_ = estimated_cost_usd;
  if (const json::value* metadata = exchange.body.if_contains("metadata"); metadata && metadata->is_object()) {
    for (const auto& [key, value] : metadata->get_object()) {
      if (value.is_string()) metadata_.emplace_back(std::string(key), std::string(value.get_string()));
    }
  }

  std::vector<TextField> fields = RequestTexts(exchange.format, exchange.body);
  for (const TextField& field : fields) {
    const std::string_view text(*field.text);
    ScannedText& scanned = prompt_.emplace_back(ScannedText{field.path, std::string(text), scanner_.Scan(text)});
    for (const Finding& finding : scanned.findings) {
      input_findings_.push_back(finding);
      located_.push_back({Direction::kInput, field.path, finding});
    }
  }
  Evaluate(false);
  if (core::Status allowed = CheckBlocked(Direction::kInput, 0); !allowed) {
    blocked_ = true;
    return allowed;
  }
  for (int type = 0; type < guardrails::kEntityTypeCount; ++type) {
    redactor_.SetStyle(static_cast<EntityType>(type), StyleFor(effect_.input[type]));
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (CountReplacements(Direction::kInput, prompt_[i].findings)) {
      *fields[i].text = redactor_.Redact(*fields[i].text, prompt_[i].findings);
    }
  }
  // What the model makes up from here on is not the caller's to get back.
  redactor_.StopRestoringNew();
  ApplyOutputStyles();
  return core::Status();
}

core::Result<std::string> RequestGuard::FilterAnswer(std::string body) {
  boost::system::error_code ec;
  // Parsed into a stack arena: one answer, dozens of nodes, no allocation each.
  unsigned char buffer[8192];
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::value parsed = json::parse(body, ec, &arena);
  if (ec || !parsed.is_object()) return body;  // not ours to judge: the client gets what the vendor sent
  std::vector<TextField> fields = AnswerTexts(format_, parsed.get_object());
  const std::size_t first_output = located_.size();
  const std::size_t first_answer = raw_answer_.size();
  for (const TextField& field : fields) {
    const std::string_view text(*field.text);
    ScannedText& scanned = raw_answer_.emplace_back(ScannedText{field.path, std::string(text), scanner_.Scan(text)});
    for (const Finding& finding : scanned.findings) {
      output_findings_.push_back(finding);
      located_.push_back({Direction::kOutput, field.path, finding});
    }
  }
  if (effect_.output_dependent) {
    Evaluate(true);
    ApplyOutputStyles();
  }
  if (core::Status allowed = CheckBlocked(Direction::kOutput, first_output); !allowed) {
    blocked_ = true;
    return allowed.error();
  }
  bool changed = false;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const ScannedText& scanned = raw_answer_[first_answer + i];
    std::string text = CountReplacements(Direction::kOutput, scanned.findings)
                           ? redactor_.Redact(scanned.text, scanned.findings)
                           : scanned.text;
    if (effect_.restore) text = redactor_.Restore(text);
    if (text != *fields[i].text) {
      *fields[i].text = text;
      changed = true;
    }
    answer_.emplace_back(fields[i].path, std::move(text));
  }
  return changed ? json::serialize(parsed) : body;
}

std::string RequestGuard::ReleaseText(StreamPiece& piece, std::string_view raw) {
  std::string released(raw);
  if (OutputChangesText()) {
    if (!piece.scanner) piece.scanner = std::make_unique<guardrails::StreamScanner>(scanner_, redactor_);
    released = piece.scanner->Push(raw);
  }
  if (effect_.restore && redactor_.restores_any()) {
    if (!piece.restorer) piece.restorer = std::make_unique<guardrails::StreamRestorer>(redactor_);
    released = piece.restorer->Push(released);
  }
  return released;
}

core::Status RequestGuard::TakeStreamFindings(int index, StreamPiece& piece) {
  const auto& found = piece.scanner->findings();
  const std::size_t first_new = located_.size();
  const std::span<const Finding> fresh(found.begin() + static_cast<std::ptrdiff_t>(piece.findings_seen), found.end());
  CountReplacements(Direction::kOutput, fresh);  // the stream scanner replaced them as it released them
  for (const Finding& finding : fresh) {
    output_findings_.push_back(finding);
    piece.findings.push_back(finding);
    located_.push_back({Direction::kOutput, "stream[" + std::to_string(index) + "]", finding});
  }
  piece.findings_seen = found.size();
  if (core::Status allowed = CheckBlocked(Direction::kOutput, first_new); !allowed) {
    blocked_ = true;
    return allowed;
  }
  return core::Status();
}

core::Status RequestGuard::FlushPiece(int index, StreamPiece& piece, std::vector<http::SseEvent>& out) {
  std::string tail;
  if (piece.scanner) {
    tail = piece.scanner->Finish();
    if (core::Status allowed = TakeStreamFindings(index, piece); !allowed) return allowed;
  }
  if (piece.restorer) tail = piece.restorer->Push(tail) + piece.restorer->Finish();
  piece.scanner.reset();
  piece.restorer.reset();
  if (tail.empty()) return core::Status();
  piece.delivered += tail;
  if (format_ == core::ApiFormat::kAnthropicMessages) {
    json::object event{{"type", "content_block_delta"},
                       {"index", index},
                       {"delta", json::object{{"type", "text_delta"}, {"text", tail}}}};
    out.push_back({"content_block_delta", json::serialize(event), {}});
    return core::Status();
  }
  if (!piece.last_event) return core::Status();  // never happens: a tail follows some text
  json::value event = json::parse(*piece.last_event);
  DeltaText delta = StreamDelta(format_, event.get_object());
  if (delta.text != nullptr) *delta.text = tail;
  out.push_back({"", json::serialize(event), {}});
  return core::Status();
}

core::Status RequestGuard::FilterEvent(std::string_view name, std::string_view data,
                                       std::vector<http::SseEvent>& out) {
  const auto pass = [&] { out.push_back({std::string(name), std::string(data), {}}); };
  if (data == "[DONE]") {
    for (auto& [index, piece] : pieces_) {
      if (core::Status flushed = FlushPiece(index, piece, out); !flushed) return flushed;
    }
    pass();
    return core::Status();
  }
  boost::system::error_code ec;
  unsigned char buffer[2048];  // one event: a stack arena holds it
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::value parsed = json::parse(data, ec, &arena);
  if (ec || !parsed.is_object()) {
    pass();
    return core::Status();
  }
  json::object& event = parsed.get_object();
  if (format_ == core::ApiFormat::kAnthropicMessages) {
    const json::value* type = event.if_contains("type");
    const json::value* index = event.if_contains("index");
    if (type && type->is_string() && type->get_string() == "content_block_stop" && index && index->is_int64()) {
      if (auto piece = pieces_.find(static_cast<int>(index->get_int64())); piece != pieces_.end()) {
        if (core::Status flushed = FlushPiece(piece->first, piece->second, out); !flushed) return flushed;
      }
    }
  }
  const DeltaText delta = StreamDelta(format_, event);
  if (delta.text == nullptr) {
    // OpenAI: the chunk that finishes a choice follows its last text.
    if (format_ != core::ApiFormat::kAnthropicMessages) {
      const json::value* choices = event.if_contains("choices");
      if (choices && choices->is_array() && !choices->get_array().empty()) {
        const json::value& choice = choices->get_array()[0];
        const json::value* finish = choice.is_object() ? choice.get_object().if_contains("finish_reason") : nullptr;
        const json::value* index = choice.is_object() ? choice.get_object().if_contains("index") : nullptr;
        const int at = index && index->is_int64() ? static_cast<int>(index->get_int64()) : 0;
        if (auto piece = pieces_.find(at); finish && !finish->is_null() && piece != pieces_.end()) {
          if (core::Status flushed = FlushPiece(at, piece->second, out); !flushed) return flushed;
        }
      }
    }
    pass();
    return core::Status();
  }
  StreamPiece& piece = pieces_[delta.index];
  const std::string raw(*delta.text);
  piece.raw += raw;
  std::string released = ReleaseText(piece, raw);
  if (piece.scanner) {
    if (core::Status allowed = TakeStreamFindings(delta.index, piece); !allowed) return allowed;
  }
  piece.delivered += released;
  if (released == raw) {
    pass();
  } else {
    *delta.text = released;
    out.push_back({std::string(name), json::serialize(parsed), {}});
  }
  piece.last_event = out.back().data;
  return core::Status();
}

void RequestGuard::PrepareWholeStream(const std::vector<http::SseEvent>& events) {
  std::map<int, std::string> texts;
  for (const http::SseEvent& event : events) {
    boost::system::error_code ec;
    json::value parsed = json::parse(event.data, ec);
    if (ec || !parsed.is_object()) continue;
    const DeltaText delta = StreamDelta(format_, parsed.get_object());
    if (delta.text != nullptr) texts[delta.index].append(*delta.text);
  }
  if (!effect_.output_dependent) return;
  for (const auto& [index, text] : texts) {
    for (const Finding& finding : scanner_.Scan(text)) output_findings_.push_back(finding);
  }
  Evaluate(true);
  ApplyOutputStyles();
  output_findings_.clear();  // found again, with their places, as the events are replayed
}

void RequestGuard::FinishStream() {
  for (auto& [index, piece] : pieces_) {
    const std::string path = "stream[" + std::to_string(index) + "]";
    if (!OutputChangesText()) {  // nothing was scanned on the way: scan for the record
      piece.findings = scanner_.Scan(piece.raw);
      for (const Finding& finding : piece.findings) {
        output_findings_.push_back(finding);
        located_.push_back({Direction::kOutput, path, finding});
      }
    }
    raw_answer_.push_back({path, piece.raw, piece.findings});
    answer_.emplace_back(path, piece.delivered);
  }
  if (effect_.output_dependent) Evaluate(true);
}

void RequestGuard::SetReview(std::string id, std::string_view status) {
  review_id_ = std::move(id);
  review_status_ = std::string(status);
}

std::string RequestGuard::DecisionRecord() const {
  json::array versions;
  for (const std::string& label : policy_->VersionsFor(tenant_)) versions.emplace_back(label);
  json::array rules;
  for (const std::string& rule : effect_.matched_rules) rules.emplace_back(rule);
  json::array findings;
  for (const Located& found : located_) {
    findings.push_back(json::object{
        {"direction", found.direction == Direction::kInput ? "input" : "output"},
        {"path", found.path},
        {"type", guardrails::EntityName(found.finding.type)},
        {"begin", found.finding.begin},
        {"end", found.finding.end},
        {"score", found.finding.score},
        {"action", policy::ActionName(ActionOf(found))}});
  }
  json::array tags;
  for (const std::string& tag : effect_.require_tags) tags.emplace_back(tag);
  json::object record{{"policy", std::move(versions)},
                      {"matched_rules", std::move(rules)},
                      {"findings", std::move(findings)},
                      {"redacted", redacted_},
                      {"masked", masked_},
                      {"blocked", blocked_},
                      {"restore", effect_.restore},
                      {"require_tags", std::move(tags)},
                      {"log_content", policy::ContentLoggingName(effect_.log_content)}};
  if (effect_.review != policy::ReviewMode::kNone) {
    json::object review{{"mode", policy::ReviewModeName(effect_.review)}};
    if (!review_id_.empty()) {
      review["id"] = review_id_;
      review["status"] = review_status_;
    }
    record["review"] = std::move(review);
  }
  return json::serialize(record);
}

// From what the model read and wrote, with the findings of their scans: the
// placeholders the model saw are the ones the prompt gets here (both number
// values in order of appearance), and nothing is scanned twice.
std::string RequestGuard::RedactedTranscript() const {
  guardrails::Redactor fresh;  // placeholders for every finding, numbered for this transcript
  const auto redact_all = [&](const std::vector<ScannedText>& texts) {
    std::vector<std::pair<std::string, std::string>> redacted;
    for (const ScannedText& text : texts) redacted.emplace_back(text.path, fresh.Redact(text.text, text.findings));
    return redacted;
  };
  json::object transcript{{"prompt", TextsJson(redact_all(prompt_))}, {"answer", TextsJson(redact_all(raw_answer_))},
                          {"redacted", true}};
  return json::serialize(transcript);
}

std::optional<std::string> RequestGuard::LoggedContent() const {
  switch (effect_.log_content) {
    case policy::ContentLogging::kNone: return std::nullopt;
    case policy::ContentLogging::kRedacted: return RedactedTranscript();
    case policy::ContentLogging::kFull: break;
  }
  std::vector<std::pair<std::string, std::string>> prompt;
  for (const ScannedText& text : prompt_) prompt.emplace_back(text.path, text.text);
  json::object transcript{{"prompt", TextsJson(prompt)}, {"answer", TextsJson(answer_)}, {"redacted", false}};
  return json::serialize(transcript);
}

}  // namespace strata::gateway

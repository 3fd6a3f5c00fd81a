// Fuzzes every RPC of every service with mutated serialized requests.
//
// LLVMFuzzerInitialize() starts, in this process, what production runs: a
// private redis-server; pairing, the scheduler and the prompt service, each
// behind real gRPC on loopback and calling each other with service tokens;
// and a FakeClock. It pairs alice and bob and relays pairing's outbox, so
// requests reach the code behind the membership checks.
//
// Input: the first line names the method and, optionally, the caller:
//   /tend.scheduler.v1.SchedulerService/CreateRitual as bob
// Callers are alice (the default) and bob, the couple; carol, who has no
// couple; and service, a service token. A first line that names no method
// picks one by its hash, so every input calls something. The rest of the
// input is the request, serialized: it must parse as the method's request
// type (gRPC's own parsing is not under test), and is then sent as is.
// Methods are listed from the services' descriptors, so a new RPC is fuzzed
// with no change here. A server-streaming call gets a short deadline.
// tests/fuzz/corpus/rpc_fuzz is written by make_rpc_corpus.sh.
//
// Checks, beyond no crash and no sanitizer report in any of the services:
// every answer is OK or a status a client's bad input may earn (see
// kClientErrors); never INTERNAL, UNKNOWN or UNIMPLEMENTED, and a unary call
// never runs into its deadline.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/str_split.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/stubs/logging.h"
#include "services/common/peer.h"
#include "services/pairing/outbox.h"
#include "services/pairing/pairing.h"
#include "services/pairing/pairing_service.h"
#include "services/pairing/profile.h"
#include "services/prompt/catalog.h"
#include "services/prompt/peers.h"
#include "services/prompt/prompt.h"
#include "services/prompt/prompt_service.h"
#include "services/common/couple_directory.h"
#include "services/scheduler/live_hub.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/scheduler_service.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"
#include "tend/prompt/v1/prompt.grpc.pb.h"
#include "tend/scheduler/v1/scheduler.grpc.pb.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/support/service_harness.h"

namespace tend::fuzz {
namespace {

namespace protobuf = ::google::protobuf;

// The statuses bad input may earn (absl's guidance on choosing a code).
constexpr grpc::StatusCode kClientErrors[] = {
    grpc::StatusCode::OK,
    grpc::StatusCode::INVALID_ARGUMENT,
    grpc::StatusCode::NOT_FOUND,
    grpc::StatusCode::ALREADY_EXISTS,
    grpc::StatusCode::FAILED_PRECONDITION,
    grpc::StatusCode::PERMISSION_DENIED,
    grpc::StatusCode::OUT_OF_RANGE,
    grpc::StatusCode::RESOURCE_EXHAUSTED,
    grpc::StatusCode::ABORTED,
};

constexpr absl::Duration kStreamDeadline = absl::Milliseconds(100);

// One method of one service, and the channel to the server that has it.
struct Method {
  std::string path;  // "/tend.pairing.v1.PairingService/CreateInvite"
  const protobuf::Descriptor* request;
  bool server_streaming;
  std::shared_ptr<grpc::Channel> channel;
};

// The three services over one redis-server, as in production.
class Stack {
 public:
  absl::Status Start();
  const std::vector<Method>& methods() const { return methods_; }
  testing::ServiceHarness& harness() { return h_; }

 private:
  absl::Status StartScheduler();
  absl::Status StartPrompt();
  absl::Status Pair();
  void AddMethods(const std::string& service,
                  std::shared_ptr<grpc::Channel> channel);
  static absl::StatusOr<std::unique_ptr<services::RunningServer>> Serve(
      const std::string& name, grpc::Service* service,
      engine::RedisClient* redis);

  testing::ServiceHarness h_;
  std::unique_ptr<pairing::Pairing> pairing_;
  std::unique_ptr<pairing::PairingServiceImpl> pairing_service_;
  std::unique_ptr<services::ServiceToken> scheduler_token_;
  std::unique_ptr<services::ServiceToken> prompt_token_;
  std::unique_ptr<services::Peer> scheduler_to_pairing_;
  std::unique_ptr<services::CoupleDirectory> directory_;
  std::unique_ptr<engine::DueQueue> queue_;
  std::unique_ptr<scheduler::SchedulerStore> store_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<scheduler::LiveHub> live_;
  std::unique_ptr<scheduler::SchedulerServiceImpl> scheduler_service_;
  std::unique_ptr<services::RunningServer> scheduler_server_;
  std::unique_ptr<services::Peer> pairing_to_scheduler_;
  std::unique_ptr<pairing::OutboxRelay> relay_;
  std::unique_ptr<prompt::Catalog> catalog_;
  std::unique_ptr<services::Peer> prompt_to_pairing_;
  std::unique_ptr<services::Peer> prompt_to_scheduler_;
  std::unique_ptr<services::CoupleDirectory> couples_;
  std::unique_ptr<prompt::GrpcSchedulerLink> scheduler_link_;
  std::unique_ptr<prompt::Prompt> prompt_;
  std::unique_ptr<prompt::PromptServiceImpl> prompt_service_;
  std::unique_ptr<services::RunningServer> prompt_server_;
  std::vector<Method> methods_;
};

absl::StatusOr<std::unique_ptr<services::RunningServer>> Stack::Serve(
    const std::string& name, grpc::Service* service,
    engine::RedisClient* redis) {
  services::ServerConfig config;
  config.name = name;
  config.services = {service};
  config.redis = redis;
  return services::RunningServer::Start(std::move(config));
}

absl::Status Stack::Start() {
  TEND_RETURN_IF_ERROR(h_.StartRedis());
  pairing_ = std::make_unique<pairing::Pairing>(h_.redis(), h_.clock(),
                                                pairing::PairingOptions{});
  pairing_service_ =
      std::make_unique<pairing::PairingServiceImpl>(h_.auth(), pairing_.get());
  TEND_RETURN_IF_ERROR(h_.Serve({pairing_service_.get()}));
  AddMethods(pairing::v1::PairingService::service_full_name(), h_.channel());
  TEND_RETURN_IF_ERROR(StartScheduler());
  TEND_RETURN_IF_ERROR(StartPrompt());
  return Pair();
}

absl::Status Stack::StartScheduler() {
  scheduler_token_ = std::make_unique<services::ServiceToken>(
      testing::kTestServiceSecret, "scheduler", h_.clock());
  scheduler_to_pairing_ = std::make_unique<services::Peer>(
      h_.server()->address(), scheduler_token_.get());
  directory_ = std::make_unique<services::CoupleDirectory>(
      scheduler_to_pairing_.get(), h_.clock(), absl::ZeroDuration());
  queue_ =
      std::make_unique<engine::DueQueue>(h_.redis(), engine::QueueOptions{});
  store_ = std::make_unique<scheduler::SchedulerStore>(h_.redis());
  scheduler_ = std::make_unique<scheduler::Scheduler>(
      store_.get(), queue_.get(), directory_.get(), h_.clock());
  TEND_ASSIGN_OR_RETURN(engine::RedisOptions redis_options,
                        engine::ParseRedisUrl(h_.redis_server().url()));
  live_ = std::make_unique<scheduler::LiveHub>(h_.redis(), redis_options);
  live_->Start();
  scheduler_service_ = std::make_unique<scheduler::SchedulerServiceImpl>(
      h_.auth(), scheduler_.get(), live_.get());
  TEND_ASSIGN_OR_RETURN(
      scheduler_server_,
      Serve("scheduler", scheduler_service_.get(), h_.redis()));
  AddMethods(scheduler::v1::SchedulerService::service_full_name(),
             grpc::CreateChannel(scheduler_server_->address(),
                                 grpc::InsecureChannelCredentials()));
  pairing_to_scheduler_ = std::make_unique<services::Peer>(
      scheduler_server_->address(), scheduler_token_.get());
  relay_ = std::make_unique<pairing::OutboxRelay>(h_.redis(),
                                                  pairing_to_scheduler_.get());
  return absl::OkStatus();
}

absl::Status Stack::StartPrompt() {
  TEND_ASSIGN_OR_RETURN(catalog_, prompt::Catalog::Embedded());
  prompt_token_ = std::make_unique<services::ServiceToken>(
      testing::kTestServiceSecret, "prompt", h_.clock());
  prompt_to_pairing_ = std::make_unique<services::Peer>(h_.server()->address(),
                                                        prompt_token_.get());
  prompt_to_scheduler_ = std::make_unique<services::Peer>(
      scheduler_server_->address(), prompt_token_.get());
  couples_ = std::make_unique<services::CoupleDirectory>(
      prompt_to_pairing_.get(), h_.clock(), absl::ZeroDuration());
  scheduler_link_ =
      std::make_unique<prompt::GrpcSchedulerLink>(prompt_to_scheduler_.get());
  prompt_ = std::make_unique<prompt::Prompt>(
      h_.redis(), catalog_.get(), couples_.get(), scheduler_link_.get(),
      h_.clock(), prompt::PromptOptions{});
  prompt_service_ =
      std::make_unique<prompt::PromptServiceImpl>(h_.auth(), prompt_.get());
  TEND_ASSIGN_OR_RETURN(prompt_server_,
                        Serve("prompt", prompt_service_.get(), h_.redis()));
  AddMethods(prompt::v1::PromptService::service_full_name(),
             grpc::CreateChannel(prompt_server_->address(),
                                 grpc::InsecureChannelCredentials()));
  return absl::OkStatus();
}

void Stack::AddMethods(const std::string& service,
                       std::shared_ptr<grpc::Channel> channel) {
  const protobuf::ServiceDescriptor* descriptor =
      protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  TEND_FUZZ_CHECK(descriptor != nullptr, "no descriptor for ", service);
  for (int i = 0; i < descriptor->method_count(); ++i) {
    const protobuf::MethodDescriptor* m = descriptor->method(i);
    TEND_FUZZ_CHECK(!m->client_streaming(), m->full_name(),
                    ": client streaming is not fuzzed yet");
    Method method{absl::StrCat("/", service, "/", m->name()), m->input_type(),
                  m->server_streaming(), channel};
    // A method the release does not implement yet would only ever answer
    // UNIMPLEMENTED; say so rather than report it on every run.
    std::unique_ptr<grpc::ClientContext> context = h_.ServiceContext();
    if (!method.server_streaming &&
        testing::CallGeneric(channel, context.get(), method.path, "")
                .error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      std::fprintf(stderr, "rpc_fuzz: %s is not implemented; not fuzzed\n",
                   method.path.c_str());
      continue;
    }
    methods_.push_back(std::move(method));
  }
}

// Alice and Bob with profiles, paired; the scheduler told.
absl::Status Stack::Pair() {
  auto pairing_stub = pairing::v1::PairingService::NewStub(h_.channel());
  for (const char* user : {"alice", "bob", "carol"}) {
    pairing::v1::UpdatePartnerProfileRequest request;
    *request.mutable_profile() = pairing::DefaultProfile();
    request.mutable_profile()->set_time_zone("Europe/London");
    pairing::v1::PartnerProfile profile;
    grpc::Status s = pairing_stub->UpdatePartnerProfile(
        h_.ContextFor(user).get(), request, &profile);
    if (!s.ok()) return absl::InternalError(s.error_message());
  }
  pairing::v1::Invite invite;
  grpc::Status s =
      pairing_stub->CreateInvite(h_.ContextFor("alice").get(), {}, &invite);
  if (!s.ok()) return absl::InternalError(s.error_message());
  pairing::v1::AcceptInviteRequest accept;
  accept.set_code(invite.code());
  pairing::v1::Couple couple;
  s = pairing_stub->AcceptInvite(h_.ContextFor("bob").get(), accept, &couple);
  if (!s.ok()) return absl::InternalError(s.error_message());
  return relay_->RelayOnce().status();
}

Stack* stack = nullptr;

void Run(absl::string_view input) {
  std::vector<absl::string_view> part = SplitLines(input, 2);
  std::vector<absl::string_view> words =
      absl::StrSplit(part[0], ' ', absl::SkipEmpty());
  const std::vector<Method>& methods = stack->methods();
  const Method* method = nullptr;
  for (const Method& m : methods) {
    if (!words.empty() && words[0] == m.path) method = &m;
  }
  if (method == nullptr) {
    method =
        &methods[absl::Hash<absl::string_view>()(part[0]) % methods.size()];
  }
  absl::string_view caller = "alice";
  if (words.size() >= 3 && words[1] == "as") {
    for (absl::string_view known : {"bob", "carol", "service"}) {
      if (words[2] == known) caller = known;
    }
  }

  std::unique_ptr<protobuf::Message> request(
      protobuf::MessageFactory::generated_factory()
          ->GetPrototype(method->request)
          ->New());
  if (!request->ParseFromArray(part[1].data(),
                               static_cast<int>(part[1].size()))) {
    return;
  }
  std::unique_ptr<grpc::ClientContext> context =
      caller == "service" ? stack->harness().ServiceContext()
                          : stack->harness().ContextFor(std::string(caller));
  if (method->server_streaming) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + kStreamDeadline));
  }
  grpc::Status status = testing::CallGeneric(
      method->channel, context.get(), method->path, std::string(part[1]));
  if (method->server_streaming &&
      (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
       status.error_code() == grpc::StatusCode::CANCELLED)) {
    return;  // the stream was open, waiting for reminders
  }
  bool expected = false;
  for (grpc::StatusCode code : kClientErrors) {
    expected = expected || status.error_code() == code;
  }
  TEND_FUZZ_CHECK(expected, method->path, " as ", caller, ": code ",
                  status.error_code(), ": ", status.error_message(),
                  "\nrequest: ", request->ShortDebugString());
}

}  // namespace
}  // namespace tend::fuzz

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // Quiet: the services' info lines and protobuf's complaints about the
  // bytes it is fed would drown the fuzzer's own output.
  tend::SetMinLogLevel(tend::LogLevel::kWarning);
  google::protobuf::SetLogHandler(nullptr);
  // Standard input becomes a pipe nobody writes to, as in a container run
  // with -i, so a handler that can be made to read a file such as
  // /dev/stdin hangs here and is reported, instead of passing when the
  // fuzzer happens to run with stdin closed.
  int never_written[2];
  TEND_FUZZ_CHECK(pipe(never_written) == 0 && dup2(never_written[0], 0) == 0,
                  "replacing stdin");
  tend::fuzz::stack = new tend::fuzz::Stack();  // lives until exit
  absl::Status started = tend::fuzz::stack->Start();
  TEND_FUZZ_CHECK(started.ok(), "starting the services: ", started.ToString());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tend::fuzz::Run(tend::fuzz::AsText(data, size));
  return 0;
}

#include "tests/bench/load/rpc_load.h"

#include <grpcpp/impl/client_unary_call.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/barrier.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace tend::bench {

UnaryRequest Request(const std::string& method,
                     const google::protobuf::MessageLite& message,
                     const std::string& authorization) {
  return UnaryRequest{method, message.SerializeAsString(), authorization};
}

UnaryRequest HealthCheck() {
  // An empty HealthCheckRequest: the server as a whole.
  return UnaryRequest{"/grpc.health.v1.Health/Check", "", ""};
}

CallerPool::CallerPool(const std::string& address, int callers)
    : callers_(callers) {
  for (int i = 0; i < callers; ++i) {
    grpc::ChannelArguments args;
    // A channel of its own: its own subchannel and TCP connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetString("tend.bench.caller", absl::StrCat(i));
    callers_[i].channel = grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args);
  }
}

CallerPool::~CallerPool() = default;

grpc::Status CallerPool::Call(int c, const UnaryRequest& request,
                              std::string* response) {
  Caller& caller = callers_[c];
  std::unique_ptr<grpc::internal::RpcMethod>& method =
      caller.methods[request.method];
  if (method == nullptr) {
    method = std::make_unique<grpc::internal::RpcMethod>(
        request.method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC,
        caller.channel);
  }
  grpc::ClientContext context;
  if (!request.authorization.empty()) {
    context.AddMetadata("authorization", request.authorization);
  }
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  grpc::Slice slice(request.request);
  const grpc::ByteBuffer sent(&slice, 1);
  grpc::ByteBuffer received;
  const grpc::Status status = grpc::internal::BlockingUnaryCall(
      caller.channel.get(), *method, &context, sent, &received);
  if (status.ok() && response != nullptr) {
    std::vector<grpc::Slice> slices;
    (void)received.Dump(&slices);
    response->clear();
    for (const grpc::Slice& s : slices) {
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return status;
}

int64_t Round::errors() const {
  int64_t n = 0;
  for (const auto& [code, count] : errors_by_code) n += count;
  return n;
}

Round Measure(CallerPool& pool, const std::vector<UnaryRequest>& requests,
              absl::Duration length) {
  const int callers = pool.size();
  std::vector<std::vector<absl::Duration>> latencies(callers);
  absl::Mutex mu;
  Round round;
  std::atomic<bool> stop{false};
  absl::Barrier* start = new absl::Barrier(callers + 1);  // deletes itself
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c) {
    threads.emplace_back([&, c] {
      const UnaryRequest& request = requests[c % requests.size()];
      latencies[c].reserve(100000);
      if (start->Block()) delete start;
      while (!stop.load(std::memory_order_relaxed)) {
        const absl::Time before = absl::Now();
        const grpc::Status status = pool.Call(c, request);
        latencies[c].push_back(absl::Now() - before);
        if (!status.ok()) {
          absl::MutexLock lock(&mu);
          ++round.errors_by_code[status.error_code()];
          if (round.first_error.empty()) {
            round.first_error =
                absl::StrCat(request.method, ": ", status.error_message());
          }
        }
      }
    });
  }
  if (start->Block()) delete start;
  const absl::Time began = absl::Now();
  absl::SleepFor(length);
  stop = true;
  for (std::thread& t : threads) t.join();
  const absl::Duration elapsed = absl::Now() - began;
  for (const auto& l : latencies) {
    round.latencies.insert(round.latencies.end(), l.begin(), l.end());
  }
  std::sort(round.latencies.begin(), round.latencies.end());
  round.calls_per_second =
      round.latencies.size() / absl::ToDoubleSeconds(elapsed);
  return round;
}

absl::Duration Percentile(const std::vector<absl::Duration>& sorted, double p) {
  if (sorted.empty()) return absl::ZeroDuration();
  const size_t i =
      std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()));
  return sorted[i];
}

Summary Summarize(const std::vector<Round>& rounds) {
  Summary summary;
  std::vector<absl::Duration> all;
  for (const Round& r : rounds) {
    summary.calls_per_second += r.calls_per_second / rounds.size();
    summary.errors += r.errors();
    if (summary.first_error.empty()) summary.first_error = r.first_error;
    all.insert(all.end(), r.latencies.begin(), r.latencies.end());
  }
  std::sort(all.begin(), all.end());
  summary.calls = static_cast<int64_t>(all.size());
  summary.p50 = Percentile(all, 0.50);
  summary.p99 = Percentile(all, 0.99);
  return summary;
}

std::string FormatSummary(const std::string& name, const Summary& summary) {
  return absl::StrFormat(
      "%-22s %9.0f calls/s  p50 %7.3f ms  p99 %7.3f ms  errors %d", name,
      summary.calls_per_second, absl::ToDoubleMilliseconds(summary.p50),
      absl::ToDoubleMilliseconds(summary.p99), summary.errors);
}

}  // namespace tend::bench

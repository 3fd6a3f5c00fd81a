// Closed-loop unary load over real gRPC, for the API benchmarks.
//
// A CallerPool is N callers against one server, each with a channel (and TCP
// connection) of its own. Measure() runs every caller on a thread of its
// own, calling back to back for a fixed time, and returns the latency of
// every call, the throughput and the errors by code. Every RPC is made the
// same way on the client, a blocking unary call of pre-serialized bytes, so
// two methods measured with one pool differ only by what the server does;
// that is what lets a benchmark state an RPC's cost as a ratio to the
// server's health check (grpc.health.v1.Health/Check, no token, no work).
//
//   bench::CallerPool pool(address, 32);
//   std::vector<bench::UnaryRequest> health = {bench::HealthCheck()};
//   bench::Round round = bench::Measure(pool, health, absl::Seconds(5));
//   bench::Summary s = bench::Summarize({round});
#ifndef TEND_TESTS_BENCH_LOAD_RPC_LOAD_H_
#define TEND_TESTS_BENCH_LOAD_RPC_LOAD_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/rpc_method.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "google/protobuf/message_lite.h"

namespace tend::bench {

// UnaryRequest
//
// One unary call: the method's full path, e.g.
// "/tend.prompt.v1.PromptService/GetDailyQuestion", the serialized request
// and the authorization header ("Bearer <jwt>"; empty sends none).
struct UnaryRequest {
  std::string method;
  std::string request;
  std::string authorization;
};

// Request()
//
// A UnaryRequest from a message.
UnaryRequest Request(const std::string& method,
                     const google::protobuf::MessageLite& message,
                     const std::string& authorization);

// HealthCheck()
//
// grpc.health.v1.Health/Check for the whole server, without a token.
UnaryRequest HealthCheck();

// CallerPool
//
// Callers against one address. Caller `c` must be used by one thread at a
// time; different callers may run at once.
class CallerPool {
 public:
  CallerPool(const std::string& address, int callers);
  ~CallerPool();
  CallerPool(const CallerPool&) = delete;
  CallerPool& operator=(const CallerPool&) = delete;

  int size() const { return static_cast<int>(callers_.size()); }

  // Call()
  //
  // One blocking call by caller `c` with a 10-second deadline. The response
  // bytes go to `response` when given and the call succeeded.
  grpc::Status Call(int c, const UnaryRequest& request,
                    std::string* response = nullptr);

 private:
  struct Caller {
    std::shared_ptr<grpc::Channel> channel;
    // Registered once per method: RpcMethod's constructor registers the
    // method with the channel.
    absl::flat_hash_map<std::string, std::unique_ptr<grpc::internal::RpcMethod>>
        methods;
  };
  std::vector<Caller> callers_;
};

// Round
//
// One timed run of a pool.
struct Round {
  double calls_per_second = 0;
  // Every call's latency, sorted.
  std::vector<absl::Duration> latencies;
  // Failed calls by gRPC status code, and the first failure's message.
  std::map<int, int64_t> errors_by_code;
  std::string first_error;

  int64_t errors() const;
};

// Measure()
//
// Every caller of `pool` on its own thread calls back to back for `length`;
// caller c sends requests[c % requests.size()]. Throughput counts the calls
// of all callers, failed ones included.
Round Measure(CallerPool& pool, const std::vector<UnaryRequest>& requests,
              absl::Duration length);

// Percentile()
//
// The `p` quantile (0..1) of sorted latencies; zero when there are none.
absl::Duration Percentile(const std::vector<absl::Duration>& sorted, double p);

// Summary
//
// Rounds of one method taken together: the mean throughput of the rounds
// and the percentiles over all their calls.
struct Summary {
  double calls_per_second = 0;
  absl::Duration p50;
  absl::Duration p99;
  int64_t calls = 0;
  int64_t errors = 0;
  std::string first_error;
};

Summary Summarize(const std::vector<Round>& rounds);

// FormatSummary()
//
// "NAME  R calls/s  p50 X ms  p99 Y ms  errors E", one line without newline.
std::string FormatSummary(const std::string& name, const Summary& summary);

}  // namespace tend::bench

#endif  // TEND_TESTS_BENCH_LOAD_RPC_LOAD_H_
